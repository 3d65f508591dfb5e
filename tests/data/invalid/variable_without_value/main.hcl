variable "owner" {
  type = string
}
