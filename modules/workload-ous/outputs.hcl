output "ous" {
  value       = organizational_unit.env
  description = "The environment OUs, a map keyed like var.environments."
}

output "environments" {
  value       = keys(var.environments)
  description = "The environment keys, sorted."
}
