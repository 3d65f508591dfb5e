variable "owner" {
  default = "me"
}
