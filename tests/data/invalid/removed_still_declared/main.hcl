organizational_unit "keep" {
  name = "Keep"
}

removed {
  from = organizational_unit.keep
  lifecycle {
    destroy = false
  }
}
