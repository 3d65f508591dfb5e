account "a" {
  name  = "A"
  emial = "aws+a@example.com"
}
