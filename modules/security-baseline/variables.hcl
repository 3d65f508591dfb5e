variable "parent" {
  description = "The parent of the Security OU: root or an organizational_unit reference."
}

variable "ou_name" {
  type        = string
  default     = "Security"
  description = "The name of the Security OU."
}

variable "policies" {
  description = "The exact set of policies attached to the Security OU; it must hold at least one SCP while SCPs are enabled."
}

variable "log_archive_email" {
  type        = string
  description = "The root email address of the log-archive account; it must be unique across AWS."
}

variable "audit_email" {
  type        = string
  description = "The root email address of the audit (security tooling) account; it must be unique across AWS."
}

variable "log_archive_name" {
  type        = string
  default     = "Log Archive"
  description = "The name of the log-archive account."
}

variable "audit_name" {
  type        = string
  default     = "Audit"
  description = "The name of the audit (security tooling) account."
}

variable "delegated_services" {
  type        = set(string)
  default     = ["guardduty.amazonaws.com", "securityhub.amazonaws.com"]
  description = "Service principals for which the audit account becomes the delegated administrator. Each needs trusted access: list it in organization.service_access_principals."
}

variable "tags" {
  type        = map(string)
  default     = {}
  description = "Tags put on the OU and both accounts."
}
