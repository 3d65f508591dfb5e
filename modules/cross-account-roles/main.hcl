# Two roles in every listed account, both assumable from one trusted account: a read-only
# role for operators and an auditor role for security reviews. Managed read-only policies
# still allow reading data (objects, secrets, parameters); the inline policy takes that back.

role "read_only" {
  for_each = var.accounts

  account              = each.value
  name                 = var.read_only_role_name
  path                 = var.path
  trusted_accounts     = [var.trusted_account_id]
  managed_policy_arns  = var.read_only_policy_arns
  max_session_duration = var.max_session_duration
  tags                 = merge(var.tags, { access = "read-only" })

  inline_policy "deny_data_access" {
    policy = file("policies/deny-data-access.json")
  }
}

role "auditor" {
  for_each = var.accounts

  account              = each.value
  name                 = var.auditor_role_name
  path                 = var.path
  trusted_accounts     = [var.trusted_account_id]
  managed_policy_arns  = var.auditor_policy_arns
  max_session_duration = var.max_session_duration
  tags                 = merge(var.tags, { access = "audit" })

  inline_policy "deny_data_access" {
    policy = file("policies/deny-data-access.json")
  }
}
