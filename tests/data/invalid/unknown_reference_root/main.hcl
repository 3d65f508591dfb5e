organizational_unit "x" {
  name = acount.a.name
}
