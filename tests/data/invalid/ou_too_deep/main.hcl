organizational_unit "l1" {
  name = "L1"
}
organizational_unit "l2" {
  name   = "L2"
  parent = organizational_unit.l1
}
organizational_unit "l3" {
  name   = "L3"
  parent = organizational_unit.l2
}
organizational_unit "l4" {
  name   = "L4"
  parent = organizational_unit.l3
}
organizational_unit "l5" {
  name   = "L5"
  parent = organizational_unit.l4
}
organizational_unit "l6" {
  name   = "L6"
  parent = organizational_unit.l5
}
