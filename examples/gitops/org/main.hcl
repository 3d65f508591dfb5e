# The organization a pipeline manages: the same shape as examples/quickstart, without a
# `backend` block, so orgchard talks to AWS with the credentials the pipeline's OIDC role
# gives it. Set management_account_id to your management account: the plan then refuses to
# run against any other organization.

organization {
  feature_set          = "ALL"
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
  # management_account_id = "111122223333"
}

root {
  policies = [aws_policy.FullAWSAccess, policy.deny_leave_org]
}
