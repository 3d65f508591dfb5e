variable "owner" {
  type        = string
  default     = "platform"
  description = "The team that owns the organization, put in the owner tag."
}

variable "allowed_regions" {
  type        = list(string)
  default     = ["eu-west-1", "eu-central-1"]
  description = "Regions workload accounts may use."
}

variable "environments" {
  type = map(string)
  default = {
    prod    = "Production"
    staging = "Staging"
    dev     = "Development"
  }
  description = "Workload environments: one OU each, keyed by label."
}

variable "workload_accounts" {
  type = map(map(string))
  default = {
    shop_prod    = { name = "Shop Production", environment = "prod" }
    shop_staging = { name = "Shop Staging", environment = "staging" }
    shop_dev     = { name = "Shop Development", environment = "dev" }
    data_prod    = { name = "Data Production", environment = "prod" }
  }
  description = "Workload accounts, keyed by label; each lives in the OU of its environment."
}

variable "delegated_services" {
  type        = set(string)
  default     = ["guardduty.amazonaws.com", "securityhub.amazonaws.com"]
  description = "Services the audit account administers for the organization (each also in service_access_principals)."
}
