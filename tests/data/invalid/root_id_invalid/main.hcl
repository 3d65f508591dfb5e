root {
  id = "root"
}
