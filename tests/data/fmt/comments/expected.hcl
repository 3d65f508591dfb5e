# File header.

# About the OU.
organizational_unit "a" { # after the brace
  name = "A" # trailing
  /* block comment */
  parent = root

  # dangling at the end
}
// slash comment at the end of the file
