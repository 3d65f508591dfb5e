removed {
  from = account.old
  lifecycle {
    destroy = false
  }
}
