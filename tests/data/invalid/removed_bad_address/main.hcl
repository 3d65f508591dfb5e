removed {
  from = bucket.old
  lifecycle {
    destroy = false
  }
}

removed {
  from = delegated_administrator.guardduty
  lifecycle {
    destroy = false
  }
}

removed {
  from = account.old
  lifecycle {
    destroy = true
  }
}

removed {
  from = account.old["a"]
  lifecycle {
    destroy = false
  }
}
