account "a" {
  name  = "A"
  email = "aws+same@example.com"
}

account "b" {
  name  = "B"
  email = "AWS+same@example.com"
}
