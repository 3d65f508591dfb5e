backend "emulator" {
  paht = "x.json"
}
