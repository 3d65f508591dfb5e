output "ou" {
  value       = organizational_unit.security
  description = "The Security OU."
}

output "log_archive" {
  value       = account.log_archive
  description = "The log-archive account."
}

output "audit" {
  value       = account.audit
  description = "The audit (security tooling) account."
}

output "log_archive_account_id" {
  value       = account.log_archive.id
  description = "The id of the log-archive account (known after apply when it is created)."
}

output "audit_account_id" {
  value       = account.audit.id
  description = "The id of the audit account (known after apply when it is created)."
}

output "delegated_services" {
  value       = var.delegated_services
  description = "The service principals delegated to the audit account."
}
