organization {
  feature_set = "SOME"
}
