organizational_unit "x" {
  id   = "ou-1"
  name = "X"
}
