# The block's label changed without a `moved` block: the live account still carries the
# old address, so it is not adopted, and creating a second account with its email fails.
account "squad" {
  name  = "Team"
  email = "aws+team@example.com"
}
