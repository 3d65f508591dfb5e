organizational_unit "x" {
  tags = {}
}
