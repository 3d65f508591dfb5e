policy "a" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "Same"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "s3:*", Resource = "*" }] })
}
policy "b" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "Same"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "s3:*", Resource = "*" }] })
}
