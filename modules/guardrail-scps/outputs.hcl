output "deny_leave_org" {
  value       = policy.deny_leave_org
  description = "The policy that denies organizations:LeaveOrganization."
}

output "protect_security_services" {
  value       = policy.protect_security_services
  description = "The policy that protects CloudTrail, GuardDuty and AWS Config."
}

output "deny_root_user" {
  value       = policy.deny_root_user
  description = "The policy that denies every action to the root user of member accounts."
}

output "region_lock" {
  value       = policy.region_lock
  description = "The policy that denies regional services outside var.allowed_regions."
}

output "baseline_policies" {
  value       = [policy.deny_leave_org, policy.protect_security_services, policy.deny_root_user]
  description = "The guardrails meant for the root: every policy but the region lock."
}
