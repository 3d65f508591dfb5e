role "r" {
  account            = management
  name               = "R"
  trusted_accounts   = ["123456789012"]
  assume_role_policy = "{}"
}
