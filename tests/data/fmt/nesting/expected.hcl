account "a" {
  name = "A"

  lifecycle {
    prevent_destroy = true
    ignore_changes  = [tags]
  }
}

role "r" {
  account = account.a

  inline_policy "p" {
    policy = file("p.json")
  }

  inline_policy "q" {
    policy = file("q.json")
  }
}
