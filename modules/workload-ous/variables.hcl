variable "parent" {
  description = "The parent of the environment OUs: root or an organizational_unit reference."
}

variable "environments" {
  type        = map(string)
  description = "One OU per entry: the key is the environment's label (prod, staging, …), the value the OU's name."
}

variable "policies" {
  description = "The policies attached to every environment OU: the exact set, which must hold at least one SCP while SCPs are enabled."
}

variable "tags" {
  type        = map(string)
  default     = {}
  description = "Tags put on every environment OU, in addition to environment = <key>."
}
