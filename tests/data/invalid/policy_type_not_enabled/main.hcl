organization {
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}

policy "t" {
  type    = "TAG_POLICY"
  name    = "T"
  content = "{}"
}
