account "a" {
  name  = "A"
  email = "aws+a@example.com"
}

organizational_unit "x" {
  name   = "X"
  parent = account.a
}
