output "log_archive_account_id" {
  value = module.security.log_archive_account_id
}

output "audit_account_id" {
  value = module.security.audit_account_id
}

output "workload_ous" {
  value = module.workloads.ous
}

output "readonly_role_names" {
  value = module.readonly_roles.role_names
}
