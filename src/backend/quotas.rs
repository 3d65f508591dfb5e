//! AWS Organizations' default quotas that orgchard can check before calling AWS, in one
//! place: the planner checks a plan against them (live state plus the plan's creations), and
//! the emulator starts from them. Figures are AWS's "Quotas and service limits for AWS
//! Organizations" defaults. The configuration checks, the planner and the emulator all read
//! the per-type figures from [`POLICY_TYPES`], so they cannot disagree.

/// One organization policy type and AWS's limits for it.
#[derive(Debug, Clone, Copy)]
pub struct PolicyTypeLimits {
    /// The type's name in the Organizations API.
    pub name: &'static str,
    /// Policies of the type attached directly to one root, OU or account.
    pub per_target: usize,
    /// The largest document of the type, in characters.
    pub max_size: usize,
}

const fn limits(name: &'static str, per_target: usize, max_size: usize) -> PolicyTypeLimits {
    PolicyTypeLimits {
        name,
        per_target,
        max_size,
    }
}

/// Every policy type Organizations knows, with its attachment maximum and document size.
pub const POLICY_TYPES: &[PolicyTypeLimits] = &[
    limits("SERVICE_CONTROL_POLICY", 5, 5120),
    limits("RESOURCE_CONTROL_POLICY", 5, 5120),
    limits("TAG_POLICY", 10, 10_000),
    limits("BACKUP_POLICY", 10, 10_000),
    limits("AISERVICES_OPT_OUT_POLICY", 5, 2500),
    limits("CHATBOT_POLICY", 5, 10_000),
    limits("DECLARATIVE_POLICY_EC2", 10, 10_000),
    limits("SECURITYHUB_POLICY", 10, 10_000),
];

/// The limits of `policy_type`, or None for a type Organizations does not know.
pub fn policy_type(policy_type: &str) -> Option<&'static PolicyTypeLimits> {
    POLICY_TYPES.iter().find(|t| t.name == policy_type)
}

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
    self::policy_type(policy_type).map_or(5, |t| t.per_target)
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
        assert_eq!(attachments_per_target("CHATBOT_POLICY"), 5);
        assert_eq!(
            policy_type("AISERVICES_OPT_OUT_POLICY").unwrap().max_size,
            2500
        );
        assert!(policy_type("NOT_A_TYPE").is_none());
    }
}
