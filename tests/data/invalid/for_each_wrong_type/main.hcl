organizational_unit "x" {
  for_each = "abc"
  name     = each.key
}
