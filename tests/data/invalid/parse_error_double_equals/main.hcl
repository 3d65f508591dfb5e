account "a" {
  name = = "x"
}
