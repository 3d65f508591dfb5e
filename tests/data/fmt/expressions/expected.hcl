a = var.x == 1 ? "y" : "z"
b = !var.flag
c = [for s in var.list : upper(s) if s != ""]
d = { for k, v in var.map : k => v... }
e = account.workload[each.key].id
f = (1 + 2) * 3
g = "${var.prefix}-${ lower(var.name) }"
h = var.list[*].id
