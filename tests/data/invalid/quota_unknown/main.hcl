organization {
  quotas = { scp_per_targett = 12 }
}
