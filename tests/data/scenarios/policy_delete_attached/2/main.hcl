organizational_unit "w" {
  name     = "Workloads"
  policies = [aws_policy.FullAWSAccess]
}
