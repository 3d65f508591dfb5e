locals {
  l = ["a"]
  x = local.l[3]
}
