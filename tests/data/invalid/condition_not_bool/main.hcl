organizational_unit "x" {
  name = "yes" ? "A" : "B"
}
