organizational_unit "team" {
  name = "Team"
  tags = {
    "orgchard:address" = "account.other"
  }
}

account "a" {
  name  = "A"
  email = "a@example.com"
  tags  = { "orgchard:owner" = "me", team = "a" }
}
