organization {
  enabled_policy_types = ["SERVICE_CONTROL_POLICY", "TAG_POLICY"]
}

policy "tags" {
  type    = "TAG_POLICY"
  name    = "Tags"
  content = "{}"
}

organizational_unit "x" {
  name     = "X"
  policies = [policy.tags]
}
