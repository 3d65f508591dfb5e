account "a" {
  name  = "A"
  email = "aws+a@example.com"
}

role "r" {
  for_each         = toset([account.a.id])
  account          = management
  name             = "R"
  trusted_accounts = ["123456789012"]
}
