account "a" {
  name  = "A"
  email = "broken"
}
