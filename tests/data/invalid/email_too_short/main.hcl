account "a" {
  name  = "A"
  email = "a@b.c"
}
