organizational_unit "apps" {
  name = "Apps"
}
