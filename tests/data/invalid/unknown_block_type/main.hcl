organisational_unit "x" {
  name = "X"
}
