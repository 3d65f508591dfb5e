moved {
  from = organizational_unit.old
  to   = organizational_unit.new
}
