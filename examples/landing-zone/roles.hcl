module "readonly_roles" {
  source             = "../../modules/cross-account-roles"
  trusted_account_id = module.security.audit_account_id
  accounts = merge(
    {
      log_archive = module.security.log_archive
      management  = management
    },
    account.workload,
  )
  tags = local.common_tags
}
