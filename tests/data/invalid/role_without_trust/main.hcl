role "r" {
  account = management
  name    = "R"
}
