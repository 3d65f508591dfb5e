tags = { owner = "platform", tier = "x" }
more = {
  a            = 1
  long_key     = "v"
  "quoted-key" : true
  nested = {
    x = [
      1,
      2,
    ]
  }
}
empty = {}
