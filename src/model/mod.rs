//! The typed model orgchard reasons about: the desired organization the configuration
//! describes (with values that may only be known after apply) and the live organization the
//! reader sees.
//!
//! [`Desired`] is what [`crate::config::load`] produces and the planner consumes. Every
//! resource in it carries its [`Address`], the [`Origin`] it was declared at (for
//! diagnostics), its pinned id if any, its lifecycle and explicit dependencies. References to
//! other resources are typed ([`ParentRef`], [`PolicyRef`], [`AccountRef`]) so the planner
//! knows which resource is meant without parsing strings; values that depend on the outcome of
//! the apply stay [`Value::Unknown`] until [`Value::resolve`] fills them.

pub mod functions;
pub mod live;
pub mod lock;
mod resolve;
pub mod value;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::addr::Address;
use crate::api::BackendChoice;
pub use crate::diag::SourceSpan;
pub use value::{Deferred, RefTarget, RefValue, ResolveError, Value};

/// The default role orgchard assumes in member accounts.
pub const DEFAULT_MEMBER_ACCESS_ROLE: &str = "OrganizationAccountAccessRole";

/// A string that may only be known after apply (e.g. built from a new account's id).
pub type MaybeString = Value;

/// Where a resource block was declared.
pub type Origin = SourceSpan;

/// The whole desired organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Desired {
    /// The configuration's `backend` block, if any.
    pub backend: Option<BackendChoice>,
    pub organization: OrganizationSettings,
    /// The `root` block; `None` when absent ("keep whatever is attached to the root").
    pub root: Option<RootConfig>,
    pub organizational_units: Vec<OrganizationalUnit>,
    pub accounts: Vec<Account>,
    pub policies: Vec<Policy>,
    pub delegated_administrators: Vec<DelegatedAdministrator>,
    pub roles: Vec<Role>,
    pub moved: Vec<Moved>,
    /// `removed` blocks: what to do with a resource whose block is gone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<Removed>,
    /// Root module outputs by name.
    pub outputs: BTreeMap<String, Value>,
}

impl Desired {
    /// `3 organizational units, 12 accounts, 5 policies, 1 delegated administrator, 4 roles`.
    pub fn summary(&self) -> String {
        fn n(count: usize, one: &str, many: &str) -> String {
            format!("{count} {}", if count == 1 { one } else { many })
        }
        [
            n(
                self.organizational_units.len(),
                "organizational unit",
                "organizational units",
            ),
            n(self.accounts.len(), "account", "accounts"),
            n(self.policies.len(), "policy", "policies"),
            n(
                self.delegated_administrators.len(),
                "delegated administrator",
                "delegated administrators",
            ),
            n(self.roles.len(), "role", "roles"),
        ]
        .join(", ")
    }

    /// Whether SCPs are (to be) enabled: listed in `enabled_policy_types`, or assumed when the
    /// configuration has no `organization` block.
    pub fn scps_enabled(&self) -> bool {
        match &self.organization.enabled_policy_types {
            None => true,
            Some(types) => types.iter().any(|t| crate::vocab::is_scp(t)),
        }
    }
}

/// What removing an account block does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountRemoval {
    /// Stop managing it; leave it where it is (default).
    #[default]
    Ignore,
    /// Remove it from the organization.
    Remove,
    /// Close it.
    Close,
}

/// The `organization` block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationSettings {
    /// Whether the configuration has an `organization` block at all.
    pub declared: bool,
    pub origin: Option<Origin>,
    /// `ALL` or `CONSOLIDATED_BILLING`; `None`: not managed.
    pub feature_set: Option<String>,
    /// `None`: not managed (and SCPs assumed enabled).
    pub enabled_policy_types: Option<Vec<String>>,
    /// `None`: not managed.
    pub service_access_principals: Option<Vec<String>>,
    /// Refuse to run against an organization whose management account differs.
    pub management_account_id: Option<String>,
    pub member_access_role: String,
    pub account_removal: AccountRemoval,
    /// The quotas AWS raised for this organization (`quotas = { scp_per_target = 15 }`);
    /// the others are AWS's defaults.
    pub quotas: crate::vocab::quotas::Quotas,
    /// The ownership scope (`scope = "security"`): this configuration owns only what carries
    /// it ([`live::SCOPE_TAG`]). None: the default scope.
    #[serde(default)]
    pub scope: Option<String>,
}

impl Default for OrganizationSettings {
    fn default() -> Self {
        OrganizationSettings {
            declared: false,
            origin: None,
            feature_set: None,
            enabled_policy_types: None,
            service_access_principals: None,
            management_account_id: None,
            member_access_role: DEFAULT_MEMBER_ACCESS_ROLE.to_string(),
            account_removal: AccountRemoval::Ignore,
            quotas: Default::default(),
            scope: None,
        }
    }
}

/// `lifecycle { ... }` of a resource.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifecycle {
    pub prevent_destroy: bool,
    /// Attribute names whose differences the planner ignores.
    pub ignore_changes: Vec<String>,
}

/// What every resource has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Common {
    pub address: Address,
    pub origin: Origin,
    /// `id = "..."`: the live resource this block manages.
    pub pinned_id: Option<String>,
    pub lifecycle: Lifecycle,
    /// Explicit ordering edges (`depends_on`), as addresses of resource instances.
    pub depends_on: Vec<Address>,
}

/// A policy target's parent: `parent = root`, `organizational_unit.X`, or a pinned id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum ParentRef {
    Root,
    OrganizationalUnit(Address),
    /// An id string (`r-ab12`, `ou-ab12-34cd5678`), e.g. of a resource orgchard does not manage.
    Id(String),
}

/// One entry of a `policies` list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum PolicyRef {
    /// A `policy` block of the configuration.
    Policy(Address),
    /// An AWS-managed policy, by name (`FullAWSAccess`).
    AwsManaged(String),
    /// A policy id string (`p-abcd1234`).
    Id(String),
}

/// Where a role or delegated administrator lives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum AccountRef {
    Account(Address),
    Management,
    /// A 12-digit account id.
    Id(String),
}

/// The `root` block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RootConfig {
    pub origin: Origin,
    pub pinned_id: Option<String>,
    /// `None`: keep whatever is attached.
    pub policies: Option<Vec<PolicyRef>>,
    pub tags: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationalUnit {
    pub common: Common,
    pub name: String,
    pub parent: ParentRef,
    pub policies: Option<Vec<PolicyRef>>,
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub common: Common,
    pub name: String,
    pub email: String,
    pub parent: ParentRef,
    pub policies: Option<Vec<PolicyRef>>,
    pub tags: BTreeMap<String, String>,
    /// Only used at creation.
    pub role_name: Option<String>,
    /// `ALLOW` or `DENY`; only used at creation.
    pub iam_user_access_to_billing: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub common: Common,
    /// `SERVICE_CONTROL_POLICY`, `TAG_POLICY`, …
    pub policy_type: String,
    pub name: String,
    pub description: String,
    /// The JSON document; unknown when built from values known only after apply.
    pub content: MaybeString,
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DelegatedAdministrator {
    pub common: Common,
    pub account: AccountRef,
    pub service_principal: String,
}

/// How a role says who may assume it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum TrustPolicy {
    /// `trusted_accounts`, already turned into a trust policy document that lets each
    /// account's root (`arn:aws:iam::ID:root`) call `sts:AssumeRole`; unknown while an id is.
    TrustedAccounts {
        accounts: Vec<Value>,
        document: MaybeString,
    },
    /// `assume_role_policy`, the document as written.
    Document(MaybeString),
}

impl TrustPolicy {
    pub fn document(&self) -> &MaybeString {
        match self {
            TrustPolicy::TrustedAccounts { document, .. } => document,
            TrustPolicy::Document(d) => d,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Role {
    pub common: Common,
    pub account: AccountRef,
    pub name: String,
    pub path: String,
    pub description: Option<String>,
    pub trust: TrustPolicy,
    pub managed_policy_arns: Vec<String>,
    /// Inline policies by name.
    pub inline_policies: BTreeMap<String, MaybeString>,
    pub max_session_duration: Option<u32>,
    pub permissions_boundary: Option<String>,
    pub tags: BTreeMap<String, String>,
}

/// `moved { from = ..., to = ... }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moved {
    pub origin: Origin,
    pub from: Address,
    pub to: Address,
}

/// `removed { from = ...  lifecycle { destroy = ... } }` (Terraform 1.7's block): the resource
/// once declared at `from` is no longer managed. With `destroy = false` orgchard forgets it
/// (removes its ownership and prevent-destroy tags and leaves it in place); with
/// `destroy = true` it is handled as any resource whose block is gone, which a
/// prevent-destroy tag still refuses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Removed {
    pub origin: Origin,
    /// A resource block (all its instances) or one instance of it.
    pub from: Address,
    pub destroy: bool,
}

impl Desired {
    /// The `removed` block that covers `address`, if any (an instance's own block first).
    pub fn removed_for(&self, address: &Address) -> Option<&Removed> {
        self.removed
            .iter()
            .filter(|r| r.from.contains(address))
            .max_by_key(|r| r.from.key.is_some())
    }
}
