organization {
  feature_set          = "ALL"
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}

organizational_unit "security" {
  name = "Security"
  tags = { tier = "security" }
}

organizational_unit "workloads" {
  name = "Workloads"
}

organizational_unit "prod" {
  name     = "Prod"
  parent   = organizational_unit.workloads
  policies = [aws_policy.FullAWSAccess, policy.deny_leave]
}

organizational_unit "nonprod" {
  name   = "NonProd"
  parent = organizational_unit.workloads
}

organizational_unit "sandbox" {
  name = "Sandbox"
}

policy "deny_leave" {
  name = "DenyLeaveOrganization"
  type = "SERVICE_CONTROL_POLICY"
  content = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }]
  })
}

account "audit" {
  name   = "Audit"
  email  = "aws+audit@example.com"
  parent = organizational_unit.security
}

account "log_archive" {
  name   = "Log Archive"
  email  = "aws+log-archive@example.com"
  parent = organizational_unit.security
}

account "shared" {
  name   = "Shared Services"
  email  = "aws+shared@example.com"
  parent = organizational_unit.workloads
}

account "app1_prod" {
  name   = "App1 Prod"
  email  = "aws+app1-prod@example.com"
  parent = organizational_unit.prod
}

account "app2_prod" {
  name   = "App2 Prod"
  email  = "aws+app2-prod@example.com"
  parent = organizational_unit.prod
}

account "data_prod" {
  name   = "Data Prod"
  email  = "aws+data-prod@example.com"
  parent = organizational_unit.prod
}

account "app1_dev" {
  name   = "App1 Dev"
  email  = "aws+app1-dev@example.com"
  parent = organizational_unit.nonprod
}

account "app2_dev" {
  name   = "App2 Dev"
  email  = "aws+app2-dev@example.com"
  parent = organizational_unit.nonprod
}

account "data_dev" {
  name   = "Data Dev"
  email  = "aws+data-dev@example.com"
  parent = organizational_unit.nonprod
}

account "sandbox_a" {
  name   = "Sandbox"
  email  = "aws+sandbox-a@example.com"
  parent = organizational_unit.sandbox
}

account "sandbox_b" {
  name   = "Sandbox"
  email  = "aws+sandbox-b@example.com"
  parent = organizational_unit.sandbox
}

account "tools" {
  name  = "Tools"
  email = "aws+tools@example.com"
}
