organizational_unit "legacy" {
  name = "Legacy"
}
policy "legacy" {
  type = "SERVICE_CONTROL_POLICY"
  name = "LegacyGuardrail"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
