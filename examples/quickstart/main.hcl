# A small organization: two OUs under the root, three member accounts and two guardrail
# SCPs. It runs on the embedded emulator, so `orgchard plan` and `orgchard apply` work at
# once without an AWS account.

backend "emulator" {
  path = ".orgchard/emulator.json"
}

organization {
  feature_set          = "ALL"
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}

root {
  policies = [aws_policy.FullAWSAccess, policy.deny_leave_org]
}
