organization {
  management_account_id = "mgmt"
}
