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
policy "p6" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "P6"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "s3:*", Resource = "*" }] })
}
policy "p7" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "P7"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "s3:*", Resource = "*" }] })
}
policy "p8" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "P8"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "s3:*", Resource = "*" }] })
}
policy "p9" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "P9"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "s3:*", Resource = "*" }] })
}
# FullAWSAccess and ten more: one over AWS's 10 per target.
organizational_unit "x" {
  name     = "X"
  policies = [aws_policy.FullAWSAccess, policy.p0, policy.p1, policy.p2, policy.p3, policy.p4, policy.p5, policy.p6, policy.p7, policy.p8, policy.p9]
}
