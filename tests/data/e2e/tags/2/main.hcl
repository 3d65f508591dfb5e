# Tags changed (team, reviewed), removed (env, cost_center) and added (tier, owner) in place.
organization {
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}

organizational_unit "apps" {
  name = "Apps"
  tags = { team = "beta", tier = "1" }
}

account "x" {
  name   = "X"
  email  = "x@example.com"
  parent = organizational_unit.apps
  tags   = { owner = "platform" }
}

policy "deny" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "Deny"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
  tags    = { reviewed = "yes" }
}
