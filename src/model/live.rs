//! The live organization as the reader sees it: every OU, account, policy, attachment, tag,
//! trusted service, delegated administrator, and the IAM roles orgchard may manage, keyed by
//! AWS id. It is what the planner diffs the desired model against, what a saved plan's
//! fingerprint is computed over, and what `snapshot` turns into an emulator state.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::api::{
    Account, CreateAccountStatus, Organization, OrganizationalUnit, PolicySummary, Role, Root,
};

/// The tag orgchard puts on every taggable resource it creates or adopts: its address.
pub const OWNERSHIP_TAG: &str = "orgchard:address";

/// The tag that names the ownership scope of a resource carrying [`OWNERSHIP_TAG`]: the
/// `organization { scope = "..." }` of the configuration that owns it. Absent: the default
/// scope (a configuration without `scope`), so the tags written before scopes existed stay
/// valid and mean what they meant. A configuration owns only the resources of its own scope;
/// the others' are unmanaged to it and never taken over.
pub const SCOPE_TAG: &str = "orgchard:scope";

/// The scope a resource's tags give it: None for the default scope.
pub fn scope_of(tags: &BTreeMap<String, String>) -> Option<&str> {
    tags.get(SCOPE_TAG).map(String::as_str)
}

/// Whether a live resource's tags say it belongs to the owner `wanted` names: the same address
/// in the same scope. What the applier checks before taking over a namesake its own lost
/// answer may have created.
pub fn same_owner(live: &BTreeMap<String, String>, wanted: &BTreeMap<String, String>) -> bool {
    live.get(OWNERSHIP_TAG).is_some()
        && live.get(OWNERSHIP_TAG) == wanted.get(OWNERSHIP_TAG)
        && scope_of(live) == scope_of(wanted)
}

/// How a scope is named in messages: `scope "security"`, or `the default scope`.
pub fn scope_name(scope: Option<&str>) -> String {
    match scope {
        Some(s) => format!("scope {s:?}"),
        None => "the default scope".to_string(),
    }
}

/// The tag orgchard keeps on a member account while it manages IAM roles inside it. The
/// reader enters an account for its roles only where the configuration declares roles or this
/// tag is set, so a role whose block was the last of its account is still found and deleted,
/// without entering every account of the organization on every plan.
pub const ROLES_TAG: &str = "orgchard:roles";

/// Every tag orgchard keeps for itself starts with this: a configuration may not write one
/// (it would be overridden, or mistaken for orgchard's own), and `import` writes none.
pub const RESERVED_TAG_PREFIX: &str = "orgchard:";

/// The value of [`ROLES_TAG`].
pub const ROLES_TAG_VALUE: &str = "managed";

/// The tag orgchard keeps on a resource whose block says `lifecycle { prevent_destroy = true }`
/// (OUs, accounts, policies and roles: what carries tags). orgchard keeps no state, so without
/// it the protection would vanish with the block: a plan that would delete a resource carrying
/// it, whose block is gone, is an error until an apply with the flag off removes the tag, or a
/// `removed` block forgets the resource.
pub const PREVENT_DESTROY_TAG: &str = "orgchard:prevent-destroy";

/// The value of [`PREVENT_DESTROY_TAG`].
pub const PREVENT_DESTROY_TAG_VALUE: &str = "true";

/// Whether live tags carry [`PREVENT_DESTROY_TAG`] (with any value: a protection is never
/// lifted by a value orgchard did not write).
pub fn prevents_destroy(tags: &BTreeMap<String, String>) -> bool {
    tags.contains_key(PREVENT_DESTROY_TAG)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveOu {
    pub ou: OrganizationalUnit,
    pub parent_id: String,
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveAccount {
    pub account: Account,
    pub parent_id: String,
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LivePolicy {
    pub summary: PolicySummary,
    /// The document; read for customer policies only (AWS-managed ones never change).
    pub content: Option<String>,
    pub tags: BTreeMap<String, String>,
    /// Ids of the roots, OUs and accounts it is attached to.
    pub targets: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveRole {
    pub account_id: String,
    pub role: Role,
    pub managed_policy_arns: BTreeSet<String>,
    /// Inline policy documents by name.
    pub inline_policies: BTreeMap<String, String>,
}

/// One organization, read in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveOrg {
    pub organization: Organization,
    pub root: Root,
    pub root_tags: BTreeMap<String, String>,
    pub ous: BTreeMap<String, LiveOu>,
    pub accounts: BTreeMap<String, LiveAccount>,
    pub policies: BTreeMap<String, LivePolicy>,
    /// Trusted service access, by service principal.
    pub service_access: BTreeSet<String>,
    /// (account id, service principal) pairs.
    pub delegated_administrators: BTreeSet<(String, String)>,
    /// Accounts whose roles were read (the others' roles are unknown, not absent).
    pub roles_read_in: BTreeSet<String>,
    /// Roles read inside accounts: account id, then role name.
    pub roles: BTreeMap<String, BTreeMap<String, LiveRole>>,
    /// Names of the roles listed in those accounts but not read: neither declared nor owned
    /// (AWS's service-linked and reserved roles are not counted). `import` lists them.
    #[serde(default)]
    pub unowned_roles: BTreeMap<String, BTreeSet<String>>,
    /// Account creations that have not finished (IN_PROGRESS).
    pub pending_account_creations: Vec<CreateAccountStatus>,
    /// The organization's apply lock, when the reader saw one (it lists the lock's policy
    /// type only while that type is enabled). Not part of the organization's state: left out
    /// of the fingerprint (an apply takes the lock after its plan was made), of saved plans
    /// and of snapshots.
    #[serde(skip)]
    pub apply_lock: Option<crate::model::lock::FoundLock>,
}

impl LiveOrg {
    /// Policy types enabled on the root.
    pub fn enabled_policy_types(&self) -> BTreeSet<String> {
        self.root
            .policy_types
            .iter()
            .filter(|t| t.status == crate::vocab::PolicyTypeStatus::Enabled)
            .map(|t| t.r#type.clone())
            .collect()
    }

    /// The parent id of an OU or account; None for the root and unknown ids.
    pub fn parent_of(&self, id: &str) -> Option<&str> {
        self.ous
            .get(id)
            .map(|o| o.parent_id.as_str())
            .or_else(|| self.accounts.get(id).map(|a| a.parent_id.as_str()))
    }

    /// The chain of parents from the root down to `id`'s parent.
    pub fn ancestors(&self, id: &str) -> Vec<String> {
        let mut chain = Vec::new();
        let mut cur = self.parent_of(id);
        while let Some(p) = cur {
            chain.push(p.to_string());
            if chain.len() > 16 {
                break; // A cycle can only come from a broken backend; never loop forever.
            }
            cur = self.parent_of(p);
        }
        chain.reverse();
        chain
    }

    /// The policies attached to a target, by policy id.
    pub fn attached_to(&self, target_id: &str) -> BTreeSet<String> {
        self.policies
            .iter()
            .filter(|(_, p)| p.targets.contains(target_id))
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// The tags of any root, OU, account or policy id.
    pub fn tags_of(&self, id: &str) -> Option<&BTreeMap<String, String>> {
        if id == self.root.id {
            return Some(&self.root_tags);
        }
        self.ous
            .get(id)
            .map(|o| &o.tags)
            .or_else(|| self.accounts.get(id).map(|a| &a.tags))
            .or_else(|| self.policies.get(id).map(|p| &p.tags))
    }

    /// A digest of everything a plan depends on, so that `apply PLANFILE` can refuse a plan
    /// made from a state that has since changed. Timestamps that move without a change
    /// (pending creations' progress) are left out.
    pub fn fingerprint(&self) -> String {
        let mut view = self.clone();
        view.pending_account_creations.clear();
        let json = serde_json::to_vec(&view).expect("the live model always serializes");
        let digest = Sha256::digest(&json);
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}
