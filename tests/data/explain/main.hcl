# The `explain` corpus: one organization with the SCP strategies people use (deny list,
# allow list, region lock with NotAction, a break-glass exemption) and an RCP.

organization {
  feature_set             = "ALL"
  enabled_policy_types    = ["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"]
  management_account_id   = "999999999999"
}

root {
  policies = [aws_policy.FullAWSAccess, policy.region_lock, aws_policy.RCPFullAWSAccess, policy.org_only]
}

organizational_unit "workloads" {
  name     = "Workloads"
  policies = [aws_policy.FullAWSAccess, policy.break_glass, aws_policy.RCPFullAWSAccess]
}

organizational_unit "sandbox" {
  name     = "Sandbox [allow-list]"
  policies = [policy.allow_list, aws_policy.RCPFullAWSAccess]
}

account "prod" {
  id       = "222222222222"
  name     = "Production"
  email    = "prod@example.com"
  parent   = organizational_unit.workloads
  policies = [aws_policy.FullAWSAccess, policy.no_leave, aws_policy.RCPFullAWSAccess]
}

account "play" {
  id       = "333333333333"
  name     = "Playground"
  email    = "play@example.com"
  parent   = organizational_unit.sandbox
  policies = [aws_policy.FullAWSAccess, aws_policy.RCPFullAWSAccess]
}

policy "region_lock" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "RegionLock"
  content = file("region-lock.json")
}

policy "break_glass" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "ProtectIam"
  content = file("break-glass.json")
}

policy "no_leave" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "NoLeave"
  content = file("no-leave.json")
}

policy "allow_list" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "AllowList"
  content = file("allow-list.json")
}

policy "org_only" {
  type    = "RESOURCE_CONTROL_POLICY"
  name    = "OrgOnly"
  content = file("org-only.json")
}
