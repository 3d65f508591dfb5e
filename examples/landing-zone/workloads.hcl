organizational_unit "workloads" {
  name     = "Workloads"
  policies = [aws_policy.FullAWSAccess]
  tags     = local.common_tags
}

module "workloads" {
  source       = "../../modules/workload-ous"
  parent       = organizational_unit.workloads
  environments = var.environments
  policies     = [aws_policy.FullAWSAccess, module.guardrails.region_lock]
  tags         = local.common_tags
}

organizational_unit "sandbox" {
  name     = "Sandbox"
  policies = [aws_policy.FullAWSAccess, module.guardrails.region_lock]
  tags     = merge(local.common_tags, { environment = "sandbox" })
}

account "workload" {
  for_each = var.workload_accounts

  name   = each.value.name
  email  = format("aws+%s@%s", replace(each.key, "_", "-"), local.email_domain)
  parent = module.workloads.ous[each.value.environment]
  tags   = merge(local.common_tags, { environment = each.value.environment })
}
