role "r" {
  account              = management
  name                 = "R"
  trusted_accounts     = ["123456789012"]
  max_session_duration = 60
}
