organizational_unit "x" {
  name = ""
}
