variable "region" {
  default = "eu-west-1"
}

organizational_unit "x" {
  name = var.regoin
}
