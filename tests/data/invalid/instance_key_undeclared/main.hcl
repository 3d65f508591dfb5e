account "w" {
  for_each = { prod = "Prod" }
  name     = each.value
  email    = "aws+${each.key}@example.com"
}

output "x" {
  value = account.w["staging"].id
}
