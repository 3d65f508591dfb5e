account "a" {
  name     = "A"
  email    = "aws+a@example.com"
  policies = []
}
