module "guardrails" {
  source          = "../../modules/guardrail-scps"
  allowed_regions = var.allowed_regions
  tags            = local.common_tags
}

policy "tagging" {
  type        = "TAG_POLICY"
  name        = "RequiredTags"
  description = "Normalized spelling of the owner and environment tags"
  content     = file("policies/tagging.json")
  tags        = local.common_tags
}
