organization {
  account_removal = "delete"
}
