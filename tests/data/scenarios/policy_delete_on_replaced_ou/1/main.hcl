organization {
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}

organizational_unit "platform" {
  name = "Platform"
}

organizational_unit "w" {
  name     = "Workloads"
  policies = [aws_policy.FullAWSAccess, policy.deny]
}

policy "deny" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "Deny"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
