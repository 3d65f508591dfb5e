policy "p" {
  id      = "p-x"
  type    = "TAG_POLICY"
  name    = "P"
  content = "{}"
}
