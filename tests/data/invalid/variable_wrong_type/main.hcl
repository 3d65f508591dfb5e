variable "regions" {
  type    = list(string)
  default = "eu-west-1"
}

locals {
  r = var.regions
}
