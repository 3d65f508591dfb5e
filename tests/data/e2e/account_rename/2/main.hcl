# account_move's first step with the account renamed in place (account:PutAccountName).
organization {
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}

organizational_unit "a" {
  name = "A"
}

organizational_unit "b" {
  name = "B"
}

account "x" {
  name   = "X Renamed"
  email  = "x@example.com"
  parent = organizational_unit.a
}
