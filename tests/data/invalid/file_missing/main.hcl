policy "p" {
  type    = "TAG_POLICY"
  name    = "P"
  content = file("policies/nope.json")
}
