account "a" {
  name  = "A"
  email = "not-an-email"
}
