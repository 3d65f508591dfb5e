organizational_unit "a" {
  name = "A"
}
organizational_unit "b" {
  name     = "B"
  parent   = organizational_unit.a
  policies = [aws_policy.FullAWSAccess, policy.deny]
  tags     = { tier = "b" }
}
organizational_unit "c" {
  name   = "C"
  parent = organizational_unit.b
}
account "x" {
  name   = "X"
  email  = "x@example.com"
  parent = organizational_unit.b
}
account "y" {
  name   = "Y"
  email  = "y@example.com"
  parent = organizational_unit.c
}
policy "deny" {
  type = "SERVICE_CONTROL_POLICY"
  name = "Deny"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
