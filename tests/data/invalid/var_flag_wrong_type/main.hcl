variable "count" {
  type    = number
  default = 1
}
