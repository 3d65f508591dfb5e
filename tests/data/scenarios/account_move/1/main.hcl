organizational_unit "a" {
  name = "A"
}
organizational_unit "b" {
  name = "B"
}
account "x" {
  name   = "X"
  email  = "x@example.com"
  parent = organizational_unit.a
}
