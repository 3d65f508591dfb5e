organization {
  feature_set               = "ALL"
  enabled_policy_types      = ["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"]
  service_access_principals = ["guardduty.amazonaws.com"]
  management_account_id     = "111111111111"
  member_access_role        = "OrgAdmin"
  account_removal           = "close"
}

root {
  id       = "r-ab12"
  policies = [aws_policy.FullAWSAccess, policy.deny_leave]
  tags     = { owner = "platform" }
}

organizational_unit "security" {
  name   = "Security"
  parent = root
}

organizational_unit "pinned" {
  id     = "ou-ab12-34cd5678"
  name   = "Pinned"
  parent = organizational_unit.security
  lifecycle {
    prevent_destroy = true
    ignore_changes  = [tags]
  }
}

account "tooling" {
  name       = "Security Tooling"
  email      = "aws+tooling@example.com"
  parent     = organizational_unit.security
  policies   = [aws_policy.FullAWSAccess, "p-abcd1234"]
  role_name  = "OrgAdmin"
  depends_on = [organizational_unit.pinned]
}

account "legacy" {
  id     = "222222222222"
  name   = "Legacy"
  email  = "aws+legacy@example.com"
  parent = "ou-ab12-34cd5678"
  iam_user_access_to_billing = "DENY"
}

policy "deny_leave" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "DenyLeave"
  content = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Action    = "organizations:LeaveOrganization"
      Resource  = "*"
      Condition = { StringNotEquals = { "aws:PrincipalAccount" = [account.tooling.id] } }
    }]
  })
}

delegated_administrator "guardduty" {
  account           = account.tooling
  service_principal = "guardduty.amazonaws.com"
}

role "auditor" {
  for_each            = toset(["tooling", "legacy"])
  account             = account[each.key]
  name                = "Auditor"
  trusted_accounts    = [account.tooling.id, management.id]
  managed_policy_arns = ["arn:aws:iam::aws:policy/SecurityAudit"]
  inline_policy "deny_writes" {
    policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "s3:Put*", Resource = "arn:aws:s3:::${each.key}-*" }] })
  }
  max_session_duration = 7200
}

role "breakglass" {
  account = management
  name    = "BreakGlass"
  path    = "/emergency/"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::${account.tooling.id}:root" }, Action = "sts:AssumeRole" }]
  })
  permissions_boundary = "arn:aws:iam::aws:policy/PowerUserAccess"
  description          = "Emergency access"
  tags                 = { tier = "critical" }
}

moved {
  from = organizational_unit.old_security
  to   = organizational_unit.security
}

output "tooling_id" {
  value = account.tooling.id
}

output "legacy_arn_prefix" {
  value = "arn:aws:iam::${account.legacy.id}:root"
}
