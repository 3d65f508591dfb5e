variable "team" {
  type = object({ name = string, email = string })
  default = {
    name = "Platform"
  }
}

variable "other" {
  type = object({ name = string })
}

locals {
  t = var.team
  o = var.other
}
