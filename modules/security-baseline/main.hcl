# The Security OU holds the two accounts a landing zone's security rests on: log archive
# (where CloudTrail and Config write) and audit (where GuardDuty and Security Hub are run for
# the whole organization, as their delegated administrator).

organizational_unit "security" {
  name     = var.ou_name
  parent   = var.parent
  policies = var.policies
  tags     = var.tags
}

account "log_archive" {
  name   = var.log_archive_name
  email  = var.log_archive_email
  parent = organizational_unit.security
  tags   = merge(var.tags, { function = "log-archive" })

  lifecycle {
    prevent_destroy = true
  }
}

account "audit" {
  name   = var.audit_name
  email  = var.audit_email
  parent = organizational_unit.security
  tags   = merge(var.tags, { function = "security-tooling" })

  lifecycle {
    prevent_destroy = true
  }
}

delegated_administrator "audit" {
  for_each = var.delegated_services

  account           = account.audit
  service_principal = each.key
}
