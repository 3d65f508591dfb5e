module "security" {
  source             = "../../modules/security-baseline"
  parent             = root
  policies           = [aws_policy.FullAWSAccess]
  log_archive_email  = format("aws+log-archive@%s", local.email_domain)
  audit_email        = format("aws+audit@%s", local.email_domain)
  delegated_services = var.delegated_services
  tags               = local.common_tags
}
