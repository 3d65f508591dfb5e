output "prod_account_id" {
  value = account.prod.id
}

output "workloads_ou_id" {
  value = organizational_unit.workloads.id
}
