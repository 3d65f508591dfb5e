# A member account with no role declared in it (the start of `roles`, the end of `role_removed`).
organization {
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}

account "member" {
  name  = "Member"
  email = "member@example.com"
}
