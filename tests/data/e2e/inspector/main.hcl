# An Amazon Inspector policy (one of the policy types AWS added in 2025), enabled and attached
# to the root.
organization {
  enabled_policy_types = ["SERVICE_CONTROL_POLICY", "INSPECTOR_POLICY"]
}

root {
  policies = [aws_policy.FullAWSAccess, policy.inspector]
}

policy "inspector" {
  type = "INSPECTOR_POLICY"
  name = "EnableInspector"
  content = jsonencode({
    inspector = {
      enablement = {
        ec2_scanning = { enable_in_regions = { "@@assign" = ["us-east-1"] } }
      }
    }
  })
}
