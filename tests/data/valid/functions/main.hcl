variable "regions" {
  type    = list(string)
  default = ["eu-west-1", "eu-central-1", "eu-west-1"]
}

locals {
  regions   = distinct(var.regions)
  set       = toset(var.regions)
  merged    = merge({ a = "1" }, { b = "2" }, { a = "3" })
  flat      = flatten([["x"], ["y", ["z"]]])
  joined    = join(",", concat(local.flat, tolist(["w"])))
  parts     = split(",", local.joined)
  key_list  = keys(local.merged)
  val_list  = values(local.merged)
  looked    = lookup(local.merged, "c", "default")
  count     = length(local.parts)
  has_z     = contains(local.parts, "z")
  shout     = upper(lower("MiXeD"))
  formatted = format("%s-%03d-%d", "acct", 7, 42)
  replaced  = replace("a.b.c", ".", "-")
  first     = coalesce("", null, "fallback")
  decoded   = jsondecode("{\"k\": [1, 2]}")
  cond      = local.count > 3 ? "many" : "few"
  squares   = [for i, r in local.regions : "${i}:${r}" if r != ""]
  by_region = { for r in local.regions : r => upper(r) }
  heredoc   = <<-EOT
    line ${local.shout}
    done
  EOT
  rendered  = templatefile("tpl/policy.json.tpl", { regions = local.regions, deny = true })
}

policy "region_lock" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = format("RegionLock-%s", local.cond)
  content = local.rendered
}

organizational_unit "x" {
  name     = local.formatted
  policies = [policy.region_lock]
  tags     = merge(local.merged, { count = local.count, has_z = local.has_z })
}

output "all" {
  value = {
    regions = local.regions, set = local.set, flat = local.flat, parts = local.parts,
    keys = local.key_list, values = local.val_list, looked = local.looked, shout = local.shout,
    replaced = local.replaced, first = local.first, decoded = local.decoded, squares = local.squares,
    by_region = local.by_region, heredoc = local.heredoc
  }
}
