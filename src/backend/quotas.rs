//! AWS Organizations' default quotas that orgchard can check before calling AWS, in one
//! place: the planner checks a plan against them (live state plus the plan's creations), and
//! the emulator starts from them. Figures are AWS's "Quotas and service limits for AWS
//! Organizations" defaults; the per-target attachment maximums are the emulator's
//! [`POLICY_TYPES`](super::emulator::state::POLICY_TYPES) table.

/// OUs in one organization.
pub const OUS_PER_ORGANIZATION: u64 = 2_000;

/// Levels of OUs below the root.
pub const MAX_OU_DEPTH: usize = 5;

/// Tags on one Organizations resource (root, OU, account, policy) or IAM role.
pub const TAGS_PER_RESOURCE: u64 = 50;

/// Customer-managed policies of one type in an organization, for every type but SCPs.
pub const POLICIES_PER_TYPE: u64 = 1_000;

/// Customer-managed SCPs in an organization (AWS raised this one above the others).
pub const SCPS_PER_ORGANIZATION: u64 = 10_000;

/// Customer-managed policies of `policy_type` one organization may hold.
pub fn policies_per_organization(policy_type: &str) -> u64 {
    if policy_type == "SERVICE_CONTROL_POLICY" {
        SCPS_PER_ORGANIZATION
    } else {
        POLICIES_PER_TYPE
    }
}

/// Policies of `policy_type` attached directly to one root, OU or account.
pub fn attachments_per_target(policy_type: &str) -> usize {
    super::emulator::state::policy_type_limits(policy_type)
        .map(|(max, _)| max)
        .unwrap_or(5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_type_figures() {
        assert_eq!(policies_per_organization("SERVICE_CONTROL_POLICY"), 10_000);
        assert_eq!(policies_per_organization("TAG_POLICY"), 1_000);
        assert_eq!(attachments_per_target("SERVICE_CONTROL_POLICY"), 5);
        assert_eq!(attachments_per_target("AISERVICES_OPT_OUT_POLICY"), 5);
        assert_eq!(attachments_per_target("BACKUP_POLICY"), 10);
    }
}
