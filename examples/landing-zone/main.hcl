# A landing zone built from the modules that ship with orgchard: guardrail SCPs on the root,
# a Security OU with log-archive and audit accounts, one OU per workload environment with a
# region lock, a tag policy, and read-only roles in every account trusting the audit account.

backend "emulator" {
  path = ".orgchard/emulator.json"
}

organization {
  feature_set          = "ALL"
  enabled_policy_types = ["SERVICE_CONTROL_POLICY", "TAG_POLICY"]
  service_access_principals = [
    "guardduty.amazonaws.com",
    "securityhub.amazonaws.com",
    "sso.amazonaws.com",
  ]
  account_removal = "ignore"
}

locals {
  email_domain = "example.com"
  common_tags = {
    managed_by = "orgchard"
    owner      = var.owner
  }
}

root {
  policies = concat(
    [aws_policy.FullAWSAccess, policy.tagging],
    module.guardrails.baseline_policies,
  )
}
