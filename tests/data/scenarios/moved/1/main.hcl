organizational_unit "old_label" {
  name = "Sandbox"
}
