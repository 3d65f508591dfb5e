{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyOutsideAllowedRegions",
      "Effect": "Deny",
      "NotAction": [
        "account:*",
        "budgets:*",
        "ce:*",
        "cloudfront:*",
        "globalaccelerator:*",
        "health:*",
        "iam:*",
        "organizations:*",
        "route53:*",
        "route53domains:*",
        "shield:*",
        "sts:*",
        "support:*",
        "trustedadvisor:*",
        "waf:*"
      ],
      "Resource": "*",
      "Condition": {
        "StringNotEquals": {
          "aws:RequestedRegion": ${allowed_regions}
        },
        "ArnNotLike": {
          "aws:PrincipalArn": ${exempt_principal_arns}
        }
      }
    }
  ]
}
