variable "label" { type = string }
variable "ou_name" { type = string }
variable "parent" {}

organizational_unit "this" {
  name     = var.ou_name
  parent   = var.parent
  policies = [aws_policy.FullAWSAccess]
  tags     = { env = var.label }
}

output "ou" { value = organizational_unit.this }
output "ou_name" { value = organizational_unit.this.name }
