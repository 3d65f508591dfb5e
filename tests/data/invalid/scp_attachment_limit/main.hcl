policy "p0" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "P0"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "s3:*", Resource = "*" }] })
}
policy "p1" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "P1"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "s3:*", Resource = "*" }] })
}
policy "p2" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "P2"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "s3:*", Resource = "*" }] })
}
policy "p3" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "P3"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "s3:*", Resource = "*" }] })
}
policy "p4" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "P4"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "s3:*", Resource = "*" }] })
}
policy "p5" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "P5"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "s3:*", Resource = "*" }] })
}
organizational_unit "x" {
  name     = "X"
  policies = [policy.p0, policy.p1, policy.p2, policy.p3, policy.p4, policy.p5]
}
