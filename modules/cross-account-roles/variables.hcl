variable "accounts" {
  description = "The accounts that get the roles: a map from a label of your choice to an account reference (or management)."
}

variable "trusted_account_id" {
  type        = string
  description = "The id of the account whose principals may assume the roles (typically the audit account)."
}

variable "read_only_role_name" {
  type        = string
  default     = "OrganizationReadOnly"
  description = "The name of the read-only role."
}

variable "auditor_role_name" {
  type        = string
  default     = "OrganizationAuditor"
  description = "The name of the auditor role."
}

variable "path" {
  type        = string
  default     = "/"
  description = "The IAM path of both roles."
}

variable "read_only_policy_arns" {
  type        = list(string)
  default     = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  description = "Managed policies attached to the read-only role."
}

variable "auditor_policy_arns" {
  type        = list(string)
  default     = ["arn:aws:iam::aws:policy/SecurityAudit", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"]
  description = "Managed policies attached to the auditor role."
}

variable "max_session_duration" {
  type        = number
  default     = 3600
  description = "The longest session, in seconds, that assuming a role gives (3600 to 43200)."
}

variable "tags" {
  type        = map(string)
  default     = {}
  description = "Tags put on every role."
}
