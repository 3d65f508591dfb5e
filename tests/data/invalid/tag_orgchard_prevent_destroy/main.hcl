organizational_unit "sec" {
  name = "Security"
  tags = { "orgchard:prevent-destroy" = "true" }
}
