account "a" {
  name  = "A"
  email = "aws+a@example.com"
}

organizational_unit "x" {
  name = "ou-${account.a.id}"
}
