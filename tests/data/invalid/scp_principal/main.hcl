policy "p" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "P"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "*" }] })
}
