account "a" {
  id    = "12345"
  name  = "A"
  email = "aws+a@example.com"
}
