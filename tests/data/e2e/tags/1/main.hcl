organization {
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}

organizational_unit "apps" {
  name = "Apps"
  tags = { team = "alpha", env = "dev" }
}

account "x" {
  name   = "X"
  email  = "x@example.com"
  parent = organizational_unit.apps
  tags   = { cost_center = "100" }
}

policy "deny" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "Deny"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
  tags    = { reviewed = "no" }
}
