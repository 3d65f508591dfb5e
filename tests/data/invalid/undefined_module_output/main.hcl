module "m" {
  source = "./m"
}

organizational_unit "x" {
  name = module.m.nme
}
