organizational_unit "apps" {
  name = "Applications"
}
