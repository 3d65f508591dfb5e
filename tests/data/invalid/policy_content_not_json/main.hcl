policy "p" {
  type    = "TAG_POLICY"
  name    = "P"
  content = "{not json"
}
