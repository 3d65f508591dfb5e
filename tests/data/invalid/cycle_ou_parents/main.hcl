organizational_unit "a" {
  name   = "A"
  parent = organizational_unit.b
}

organizational_unit "b" {
  name   = "B"
  parent = organizational_unit.a
}
