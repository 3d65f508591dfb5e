account "a" {
  name  = "Café Ops"
  email = "aws+a@example.com"
}
