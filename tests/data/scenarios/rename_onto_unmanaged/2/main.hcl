# "Sandbox" is taken under the root by an OU made in the console.
organizational_unit "w" {
  name = "Sandbox"
}
