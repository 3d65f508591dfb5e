organizational_unit "x" {
  name = "X"
}

organizational_unit "x" {
  name = "Y"
}
