organizational_unit "w" {
  name     = "Workloads"
  policies = [aws_policy.FullAWSAccess, policy.deny]
}
policy "deny" {
  type        = "SERVICE_CONTROL_POLICY"
  name        = "Deny"
  description = "v1"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
