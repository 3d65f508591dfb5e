# FullAWSAccess and nine more SCPs on one OU: AWS's maximum of ten per target since
# 2026-05-15.
organization {
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}

organizational_unit "guarded" {
  name     = "Guarded"
  policies = [
    aws_policy.FullAWSAccess,
    policy.deny1,
    policy.deny2,
    policy.deny3,
    policy.deny4,
    policy.deny5,
    policy.deny6,
    policy.deny7,
    policy.deny8,
    policy.deny9,
  ]
}

policy "deny1" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "Deny1"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "ec2:Op1", Resource = "*" }] })
}

policy "deny2" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "Deny2"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "ec2:Op2", Resource = "*" }] })
}

policy "deny3" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "Deny3"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "ec2:Op3", Resource = "*" }] })
}

policy "deny4" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "Deny4"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "ec2:Op4", Resource = "*" }] })
}

policy "deny5" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "Deny5"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "ec2:Op5", Resource = "*" }] })
}

policy "deny6" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "Deny6"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "ec2:Op6", Resource = "*" }] })
}

policy "deny7" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "Deny7"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "ec2:Op7", Resource = "*" }] })
}

policy "deny8" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "Deny8"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "ec2:Op8", Resource = "*" }] })
}

policy "deny9" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "Deny9"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "ec2:Op9", Resource = "*" }] })
}
