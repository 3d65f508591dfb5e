a = [ "x" , "y" ]
b = [
"x",
      "y"
]
c = [
  "x", "y", # two on a line

  # a comment before z
  "z",
  ]
d = [[1,2],[3]]
e = [ ]
