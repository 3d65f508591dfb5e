organizational_unit "a" {
  name = "Apps"
}

organizational_unit "b" {
  name   = "Apps"
  parent = root
}
