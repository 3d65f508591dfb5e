variable "n" {
  type    = strng
  default = "x"
}
