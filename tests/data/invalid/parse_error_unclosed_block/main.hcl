organizational_unit "x" {
  name = "X"

account "a" {
  name = "A" "B"
}
