module "m" {
  source  = "./m"
  ou_nam = "X"
}
