a = merge(var.tags, { x = 1 })
b = concat(
  [1],
  [2],
)
c = jsonencode({
  Version = "2012-10-17"
  Statement = [{
    Effect = "Deny"
  }]
})
d = format("%s-%s", var.a, lower(var.b))
e = f(var.list...)
