# Guardrail service control policies. Each policy is a JSON document next to this file;
# the ones that need an input are templates rendered with templatefile().

policy "deny_leave_org" {
  type        = "SERVICE_CONTROL_POLICY"
  name        = "${var.name_prefix}-DenyLeaveOrganization"
  description = "Member accounts may not leave the organization"
  content     = file("policies/deny-leave-organization.json")
  tags        = var.tags
}

policy "protect_security_services" {
  type        = "SERVICE_CONTROL_POLICY"
  name        = "${var.name_prefix}-ProtectSecurityServices"
  description = "CloudTrail, GuardDuty and AWS Config may not be stopped, deleted or weakened"
  content = templatefile("policies/protect-security-services.json.tpl", {
    exempt_principal_arns = jsonencode(var.exempt_principal_arns)
  })
  tags = var.tags
}

policy "deny_root_user" {
  type        = "SERVICE_CONTROL_POLICY"
  name        = "${var.name_prefix}-DenyRootUser"
  description = "The root user of a member account may do nothing"
  content     = file("policies/deny-root-user.json")
  tags        = var.tags
}

policy "region_lock" {
  type        = "SERVICE_CONTROL_POLICY"
  name        = "${var.name_prefix}-RegionLock"
  description = format("Regional services only in %s", join(", ", var.allowed_regions))
  content = templatefile("policies/region-lock.json.tpl", {
    allowed_regions       = jsonencode(var.allowed_regions)
    exempt_principal_arns = jsonencode(var.exempt_principal_arns)
  })
  tags = var.tags
}
