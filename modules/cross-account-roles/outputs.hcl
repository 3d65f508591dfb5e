output "read_only_roles" {
  value       = role.read_only
  description = "The read-only roles, a map keyed like var.accounts."
}

output "auditor_roles" {
  value       = role.auditor
  description = "The auditor roles, a map keyed like var.accounts."
}

output "role_names" {
  value       = [var.read_only_role_name, var.auditor_role_name]
  description = "The names of the two roles, the same in every account."
}
