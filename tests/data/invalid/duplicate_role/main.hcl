role "a" {
  account          = management
  name             = "Ops"
  trusted_accounts = ["123456789012"]
}
role "b" {
  account          = management
  name             = "Ops"
  trusted_accounts = ["123456789012"]
}
