//! What decoding accepts and produces: the attributes of each resource kind, and the decoded
//! model with the spans of its attributes. Apart from [`super::decode`] so that the evaluator
//! (which names accepted attributes) and the cross-resource checks depend on it, not on the
//! decoder.

use std::collections::HashMap;

use crate::addr::{Address, ResourceKind};
use crate::diag::SourceSpan;
use crate::model::Desired;

/// The attributes each resource kind accepts (besides `for_each` and `depends_on`, which
/// every non-singleton kind takes, and `id`).
pub fn schema(kind: ResourceKind) -> &'static [&'static str] {
    match kind {
        ResourceKind::Organization => &[
            "feature_set",
            "enabled_policy_types",
            "service_access_principals",
            "management_account_id",
            "member_access_role",
            "account_removal",
            "quotas",
            "scope",
            "id",
        ],
        ResourceKind::Root => &["policies", "tags", "id", "name"],
        ResourceKind::OrganizationalUnit => &["name", "parent", "policies", "tags", "id"],
        ResourceKind::Account => &[
            "name",
            "email",
            "parent",
            "policies",
            "tags",
            "role_name",
            "iam_user_access_to_billing",
            "id",
        ],
        ResourceKind::Policy => &["type", "name", "description", "content", "tags", "id"],
        ResourceKind::DelegatedAdministrator => &["account", "service_principal", "id"],
        ResourceKind::Role => &[
            "account",
            "name",
            "path",
            "description",
            "trusted_accounts",
            "assume_role_policy",
            "managed_policy_arns",
            "max_session_duration",
            "permissions_boundary",
            "tags",
            "id",
        ],
    }
}

/// The model plus the spans of the attributes it came from, for the cross-resource checks.
pub struct Decoded {
    pub desired: Desired,
    /// `(address, attribute)` → where the attribute was written (or the block, when absent).
    pub spans: HashMap<(Address, String), SourceSpan>,
}

impl Decoded {
    /// Where an attribute of a resource was written, else the resource's block.
    pub fn span_of(&self, addr: &Address, attr: &str, fallback: &SourceSpan) -> SourceSpan {
        self.spans
            .get(&(addr.clone(), attr.to_string()))
            .cloned()
            .unwrap_or_else(|| fallback.clone())
    }
}
