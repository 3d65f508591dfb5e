account "log_archive" {
  name   = "Log Archive"
  email  = "aws+log-archive@example.com"
  parent = organizational_unit.security
  tags   = { data = "restricted" }

  lifecycle {
    prevent_destroy = true
  }
}

account "dev" {
  name   = "Development"
  email  = "aws+dev@example.com"
  parent = organizational_unit.workloads
  tags   = { environment = "dev" }
}

account "prod" {
  name   = "Production"
  email  = "aws+prod@example.com"
  parent = organizational_unit.workloads
  tags   = { environment = "prod" }
}
