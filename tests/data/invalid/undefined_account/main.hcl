account "audit" {
  name  = "Audit"
  email = "aws+audit@example.com"
}

delegated_administrator "gd" {
  account           = account.adit
  service_principal = "guardduty.amazonaws.com"
}
