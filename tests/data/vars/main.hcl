variable "a" {
  default = "default-a"
}

variable "b" {
  default = "default-b"
}

variable "c" {
  default = "default-c"
}

variable "d" {
  default = "default-d"
}

variable "n" {
  type    = number
  default = 1
}

variable "l" {
  type    = list(string)
  default = []
}

output "values" {
  value = [var.a, var.b, var.c, var.d]
}

output "n" {
  value = var.n + 1
}

output "l" {
  value = var.l
}
