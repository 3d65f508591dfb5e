policy "p" {
  type    = "RESOURCE_CONTROL_POLICY"
  name    = "P"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:*", Resource = "*" }] })
}
