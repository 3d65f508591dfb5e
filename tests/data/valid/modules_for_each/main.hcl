variable "envs" {
  type    = map(string)
  default = { prod = "Production", dev = "Development" }
}

module "env" {
  for_each = var.envs
  source   = "./mod/ou"
  label    = each.key
  ou_name  = each.value
  parent   = organizational_unit.workloads
}

organizational_unit "workloads" {
  name     = "Workloads"
  policies = [aws_policy.FullAWSAccess]
}

account "app" {
  for_each = module.env
  name     = "App ${each.key}"
  email    = "aws+app-${each.key}@example.com"
  parent   = each.value.ou
}

output "ou_ids" {
  value = { for k, m in module.env : k => m.ou.id }
}

output "prod_name" {
  value = module.env["prod"].ou_name
}
