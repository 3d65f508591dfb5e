organizational_unit "ok" {
  name = "Ok"
}
