policy "p" {
  type    = "TAG_POLICY"
  name    = "P"
  content = templatefile("p.tpl", {})
}
