organizational_unit "x" {
  name = ["a"]
}
