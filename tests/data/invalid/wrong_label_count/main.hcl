account {
  name  = "A"
  email = "aws+a@example.com"
}
