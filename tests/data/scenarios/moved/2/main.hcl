organizational_unit "sandbox" {
  name = "Sandbox"
}
moved {
  from = organizational_unit.old_label
  to   = organizational_unit.sandbox
}
