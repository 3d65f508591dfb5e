role "r" {
  account          = management
  name             = "R"
  trusted_accounts = ["1234"]
}
