organizational_unit "workloads" {
name = "Workloads"
    parent= root
policies =[aws_policy.FullAWSAccess]

tags={tier="workloads"}
  # a comment line breaks the run
  x = 1
  very_long_attribute_name = 2
}
