backend "emulator" { path = ".orgchard/emulator.json" }

lifecycle {}

empty "x" {}

variable "v" { default = [1, 2] }
