organizational_unit "old" {
  name = "Old"
}
account "x" {
  name   = "X"
  email  = "x@example.com"
  parent = organizational_unit.old
}
