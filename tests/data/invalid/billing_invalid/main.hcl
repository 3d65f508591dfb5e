account "a" {
  name                       = "A"
  email                      = "aws+a@example.com"
  iam_user_access_to_billing = "MAYBE"
}
