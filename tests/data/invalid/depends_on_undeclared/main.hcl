organizational_unit "x" {
  name       = "X"
  depends_on = [account.nope]
}
