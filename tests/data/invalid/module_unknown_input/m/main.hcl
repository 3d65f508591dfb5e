variable "ou_name" {
  default = "Y"
}
