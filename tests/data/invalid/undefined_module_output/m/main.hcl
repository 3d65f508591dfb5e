output "name" {
  value = "X"
}
