{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "%{ if deny }Deny%{ else }Allow%{ endif }",
      "NotAction": ["iam:*"],
      "Resource": "*",
      "Condition": { "StringNotEquals": { "aws:RequestedRegion": [%{ for i, r in regions }%{ if i > 0 }, %{ endif }"${r}"%{ endfor }] } }
    }
  ]
}
