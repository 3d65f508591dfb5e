# One organizational unit per environment, all under the same parent and with the same
# policies. Each OU is addressed by its environment key: organizational_unit.env["prod"].

organizational_unit "env" {
  for_each = var.environments

  name     = each.value
  parent   = var.parent
  policies = var.policies
  tags     = merge(var.tags, { environment = each.key })
}
