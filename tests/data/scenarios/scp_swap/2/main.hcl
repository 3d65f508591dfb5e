organizational_unit "w" {
  name     = "Workloads"
  policies = [policy.deny]
}
policy "deny" {
  type = "SERVICE_CONTROL_POLICY"
  name = "Deny"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
