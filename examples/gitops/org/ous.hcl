organizational_unit "security" {
  name     = "Security"
  policies = [aws_policy.FullAWSAccess]
  tags     = { tier = "security" }
}

organizational_unit "workloads" {
  name     = "Workloads"
  policies = [aws_policy.FullAWSAccess, policy.deny_root_user]
  tags     = { tier = "workloads" }
}
