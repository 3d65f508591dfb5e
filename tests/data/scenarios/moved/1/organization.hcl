organization {
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}
