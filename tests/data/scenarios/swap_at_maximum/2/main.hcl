organizational_unit "w" {
  name     = "Workloads"
  policies = [policy.q1, policy.q2, policy.q3, policy.q4, policy.q5]
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
