organizational_unit "x" {
  name = "X"
  tags = { "aws:owner" = "me" }
}
