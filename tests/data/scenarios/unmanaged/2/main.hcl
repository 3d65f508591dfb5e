organizational_unit "managed" {
  name = "Managed"
}
