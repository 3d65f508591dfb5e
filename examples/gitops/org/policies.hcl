policy "deny_leave_org" {
  type        = "SERVICE_CONTROL_POLICY"
  name        = "DenyLeaveOrganization"
  description = "Member accounts may not leave the organization"
  content = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "DenyLeaveOrganization"
      Effect   = "Deny"
      Action   = "organizations:LeaveOrganization"
      Resource = "*"
    }]
  })
}

policy "deny_root_user" {
  type        = "SERVICE_CONTROL_POLICY"
  name        = "DenyRootUser"
  description = "The root user of a workload account may do nothing"
  content     = file("policies/deny-root-user.json")
}
