policy "r0" {
  type    = "RESOURCE_CONTROL_POLICY"
  name    = "R0"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "*" }] })
}
policy "r1" {
  type    = "RESOURCE_CONTROL_POLICY"
  name    = "R1"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "*" }] })
}
policy "r2" {
  type    = "RESOURCE_CONTROL_POLICY"
  name    = "R2"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "*" }] })
}
policy "r3" {
  type    = "RESOURCE_CONTROL_POLICY"
  name    = "R3"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "*" }] })
}
policy "r4" {
  type    = "RESOURCE_CONTROL_POLICY"
  name    = "R4"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "*" }] })
}
policy "r5" {
  type    = "RESOURCE_CONTROL_POLICY"
  name    = "R5"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "*" }] })
}
root {
  policies = [aws_policy.FullAWSAccess, policy.r0, policy.r1, policy.r2, policy.r3, policy.r4, policy.r5]
}
