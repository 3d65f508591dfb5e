removed {
  from = account.old
}

removed {
  lifecycle {
    destroy = "no"
    prevent_destroy = true
  }
}
