locals {
  prefix = "x"
}

organizational_unit "x" {
  name = "${local.prefx}-ou"
}
