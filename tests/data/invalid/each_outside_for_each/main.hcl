organizational_unit "x" {
  name = each.key
}
