organization {
  service_access_principals = ["sso.amazonaws.com"]
}

delegated_administrator "gd" {
  account           = "123456789012"
  service_principal = "guardduty.amazonaws.com"
}
