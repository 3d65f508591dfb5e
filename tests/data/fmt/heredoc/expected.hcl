policy "p" {
  content = <<EOT
{
  "Version":   "2012-10-17"   
}
EOT
  description = "x"
}

x = f(<<EOT
hello
EOT
)
