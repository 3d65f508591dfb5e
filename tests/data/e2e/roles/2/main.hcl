# One role inside the member account, made through the member-access role.
organization {
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}

account "member" {
  name  = "Member"
  email = "member@example.com"
}

role "reader" {
  account             = account.member
  name                = "Reader"
  trusted_accounts    = [management.id]
  managed_policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  tags                = { access = "read-only" }

  inline_policy "deny_writes" {
    policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "s3:PutObject", Resource = "*" }] })
  }
}
