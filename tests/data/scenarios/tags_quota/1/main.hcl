organizational_unit "w" {
  name = "Workloads"
}
