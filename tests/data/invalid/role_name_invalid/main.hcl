role "r" {
  account          = management
  name             = "bad name!"
  trusted_accounts = ["123456789012"]
}
