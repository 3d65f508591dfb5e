role "r" {
  account            = management
  name               = "R"
  assume_role_policy = "trust me"
}
