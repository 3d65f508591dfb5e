organizational_unit "new" {
  name = "New"
}

moved {
  from = bucket.old
  to   = organizational_unit.new
}
