organization {
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}

organizational_unit "platform" {
  name = "Platform"
}

# Moved under Platform (a replace) with no `policies` list, while the policy attached to it
# is deleted.
organizational_unit "w" {
  name   = "Workloads"
  parent = organizational_unit.platform
}
