organizational_unit "w" {
  name     = "Workloads"
  policies = [policy.q1, policy.q2, policy.q3, policy.q4, policy.q5, policy.q6, policy.q7, policy.q8, policy.q9, policy.q10]
}
policy "p1" {
  type = "SERVICE_CONTROL_POLICY"
  name = "p1"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
policy "p2" {
  type = "SERVICE_CONTROL_POLICY"
  name = "p2"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
policy "p3" {
  type = "SERVICE_CONTROL_POLICY"
  name = "p3"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
policy "p4" {
  type = "SERVICE_CONTROL_POLICY"
  name = "p4"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
policy "p5" {
  type = "SERVICE_CONTROL_POLICY"
  name = "p5"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
policy "p6" {
  type = "SERVICE_CONTROL_POLICY"
  name = "p6"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
policy "p7" {
  type = "SERVICE_CONTROL_POLICY"
  name = "p7"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
policy "p8" {
  type = "SERVICE_CONTROL_POLICY"
  name = "p8"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
policy "p9" {
  type = "SERVICE_CONTROL_POLICY"
  name = "p9"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
policy "q1" {
  type = "SERVICE_CONTROL_POLICY"
  name = "q1"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
policy "q2" {
  type = "SERVICE_CONTROL_POLICY"
  name = "q2"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
policy "q3" {
  type = "SERVICE_CONTROL_POLICY"
  name = "q3"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
policy "q4" {
  type = "SERVICE_CONTROL_POLICY"
  name = "q4"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
policy "q5" {
  type = "SERVICE_CONTROL_POLICY"
  name = "q5"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
policy "q6" {
  type = "SERVICE_CONTROL_POLICY"
  name = "q6"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
policy "q7" {
  type = "SERVICE_CONTROL_POLICY"
  name = "q7"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
policy "q8" {
  type = "SERVICE_CONTROL_POLICY"
  name = "q8"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
policy "q9" {
  type = "SERVICE_CONTROL_POLICY"
  name = "q9"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
policy "q10" {
  type = "SERVICE_CONTROL_POLICY"
  name = "q10"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
