policy "p" {
  type    = "SERVICE_CONTROL"
  name    = "P"
  content = "{}"
}
