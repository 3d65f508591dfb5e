variable "name_prefix" {
  type        = string
  default     = "Guardrail"
  description = "Prefix of every policy name, so that several instances of the module can live in one organization."
}

variable "allowed_regions" {
  type        = list(string)
  default     = ["us-east-1", "eu-west-1"]
  description = "The only regions in which regional services may be used by accounts under the region-lock policy."
}

variable "exempt_principal_arns" {
  type        = list(string)
  default     = ["arn:aws:iam::*:role/OrganizationAccountAccessRole"]
  description = "Principals (ARN patterns) that the guardrails do not apply to, such as a break-glass role."
}

variable "tags" {
  type        = map(string)
  default     = {}
  description = "Tags put on every policy of the module."
}
