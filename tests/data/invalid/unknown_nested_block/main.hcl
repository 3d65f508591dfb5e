organizational_unit "x" {
  name = "X"
  lifecycel {
    prevent_destroy = true
  }
}
