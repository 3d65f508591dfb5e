locals {
  doc = jsondecode("{")
}
