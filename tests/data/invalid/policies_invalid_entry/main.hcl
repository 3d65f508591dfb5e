organizational_unit "x" {
  name     = "X"
  policies = ["FullAWSAccess"]
}
