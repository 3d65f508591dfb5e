organizational_unit "x" {
  name = lenght("abc")
}
