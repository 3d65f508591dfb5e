account "team" {
  name  = "Team"
  email = "aws+team@example.com"
}
