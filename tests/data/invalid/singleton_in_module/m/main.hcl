organization {
  feature_set = "ALL"
}
