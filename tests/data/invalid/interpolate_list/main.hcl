locals {
  l = ["a"]
}

organizational_unit "x" {
  name = "ou-${local.l}"
}
