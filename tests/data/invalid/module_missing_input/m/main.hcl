variable "ou_name" {
  type = string
}
