account "x" {
  name  = "X"
  email = "x@example.com"
}
