organizational_unit "x" {
  name = "X"
  lifecycle {
    ignore_changes = [tgas]
  }
}
