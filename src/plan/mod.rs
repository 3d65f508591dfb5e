//! Planning: read the live organization, match configuration blocks to live resources, diff
//! them into changes, and order the changes' API operations in a dependency graph.
//!
//! The parts are separate, as in Terraform: [`read`] (the reader), [`diff`] (identity
//! resolution and the changes with their operations), [`graph`] (the ordering rules and cycle
//! detection) and [`saved`] (the plan file). A [`Plan`] is plain data: it is saved to a file
//! and applied later without the configuration. It is internal: people and machines see it
//! through the renderers of [`crate::view`].

pub mod diff;
pub mod graph;
pub mod ops;
pub mod read;
pub mod saved;
pub mod targeted;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::addr::Address;
use crate::diag::Diagnostic;
pub use ops::{IdRef, Op};

/// The version of the saved-plan file (the `--json` document has its own, in
/// [`crate::view::json`]). 1.0 was also the `--json` schema.
pub const FORMAT_VERSION: &str = "2.0";

/// What a change does to its resource: a closed set, each with its plan symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Nothing to do.
    Read,
    /// Match an existing untagged resource by its natural key, tag it, and manage it from now
    /// on (with any in-place updates it needs).
    Adopt,
    Create,
    Update,
    /// An account to a new parent.
    Move,
    /// Create anew and delete the old one (an OU whose parent changed).
    Replace,
    Delete,
    /// Stop managing (an account whose block was removed, with `account_removal = "ignore"`).
    Forget,
}

impl Action {
    pub fn symbol(self) -> &'static str {
        match self {
            Action::Read => " ",
            Action::Adopt => "⇐",
            Action::Create => "+",
            Action::Update => "~",
            Action::Move => "→",
            Action::Replace => "±",
            Action::Delete => "-",
            Action::Forget => ".",
        }
    }

    /// `will be created`, as the plan's heading of a change says it.
    pub fn verb(self) -> &'static str {
        match self {
            Action::Read => "has no changes",
            Action::Adopt => "will be adopted",
            Action::Create => "will be created",
            Action::Update => "will be updated in-place",
            Action::Move => "will be moved",
            Action::Replace => "must be replaced",
            Action::Delete => "will be deleted",
            Action::Forget => "will no longer be managed",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Read => "read",
            Action::Adopt => "adopt",
            Action::Create => "create",
            Action::Update => "update",
            Action::Move => "move",
            Action::Replace => "replace",
            Action::Delete => "delete",
            Action::Forget => "forget",
        })
    }
}

/// One attribute of a change, before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttrChange {
    pub name: String,
    /// None: the attribute does not exist before (create).
    pub before: Option<AttrValue>,
    /// None: it does not exist after (delete).
    pub after: Option<AttrValue>,
    /// For documents: both sides pretty-printed JSON, for a line diff.
    pub document: bool,
}

impl AttrChange {
    pub fn changed(&self) -> bool {
        self.before != self.after
    }
}

/// The value of an attribute, typed enough for each view to show it its own way: people see
/// HCL (`"x"`, `organizational_unit.a`, `{"k" = "v"}`), machines JSON values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum AttrValue {
    String(String),
    Number(i64),
    /// A reference to a block or a live resource, shown bare: `root`,
    /// `organizational_unit.security`, `aws_policy.FullAWSAccess`, `"ou-ab12-11111111"`.
    Reference(String),
    /// A list of strings (policy types, ARNs).
    List(Vec<String>),
    /// A list of references (the policies attached to a target).
    References(Vec<String>),
    Map(BTreeMap<String, String>),
    /// A JSON policy document, pretty-printed (or as written when it is not JSON).
    Document(String),
    /// Known only once the apply has run.
    Unknown,
}

impl AttrValue {
    /// A JSON document's text, pretty-printed.
    pub fn document(text: &str) -> AttrValue {
        AttrValue::Document(
            serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or_else(|| text.to_string()),
        )
    }
}

/// Why a change is what it is, when its action alone does not say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub code: ReasonCode,
    /// The reason in words, with the names and ids it is about.
    pub message: String,
}

impl Reason {
    pub fn new(code: ReasonCode, message: impl Into<String>) -> Reason {
        Reason {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The closed set of reasons a change gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// An untagged live resource matched by its natural key: it is tagged and managed.
    MatchedByNaturalKey,
    /// The account is not active (suspended, closing): nothing in it is changed.
    AccountNotActive,
    /// An OU's parent changed, which AWS cannot do: the OU is replaced.
    ParentChanged,
    /// A role's path changed, which IAM cannot do: the role is replaced.
    PathChanged,
    /// The resource's block was removed: it is deleted, closed or forgotten as configured.
    BlockRemoved,
    /// A `removed` block with `destroy = false` forgets the resource and leaves it in place.
    ForgottenByRemovedBlock,
    /// A delegated administrator the configuration gives to another account.
    DelegatedElsewhere,
}

/// The planned change of one address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub address: Address,
    pub action: Action,
    /// Why, when the action is not obvious (an OU replaced because its parent changed).
    pub reason: Option<Reason>,
    /// The live id, when there is one.
    pub id: Option<String>,
    pub attributes: Vec<AttrChange>,
    /// Indexes into [`Plan::operations`].
    pub operations: Vec<usize>,
}

/// One node of the operation graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedOp {
    /// The change this operation belongs to.
    pub address: Address,
    pub op: Op,
}

/// Why one operation must wait for another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub reason: String,
}

/// A live resource that no block manages and no ownership tag claims: listed, never touched.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Unmanaged {
    pub kind: String,
    pub id: String,
    pub name: String,
}

/// What the plan was made against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanContext {
    pub organization_id: String,
    pub management_account_id: String,
    pub root_id: String,
    pub member_access_role: String,
    /// The digest of the live state the plan was made from.
    pub fingerprint: String,
    /// The backend the plan was made against, so `apply PLANFILE` talks to the same one.
    #[serde(default)]
    pub backend: Option<crate::api::BackendChoice>,
    /// The accounts whose roles were read, with the declared role names: `apply PLANFILE`
    /// reads exactly these again to check the plan is not stale.
    #[serde(default)]
    pub role_queries: BTreeMap<String, std::collections::BTreeSet<String>>,
    /// The account creations in progress when the plan read the organization (request id to
    /// account name): one may finish before the apply looks for it, and is then no longer
    /// listed as in progress, but is still an earlier attempt the apply must not repeat.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pending_creations: BTreeMap<String, String>,
    /// The configuration's ownership scope (None: the default scope): the apply takes over
    /// what its own lost answers created only when it carries this scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// A targeted plan that read only part of the tree: what it read, which `apply
    /// PLANFILE` reads again to check the plan is not stale. `None`: the whole organization
    /// was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrow_read: Option<read::NarrowRead>,
}

/// A complete plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format_version: String,
    pub context: PlanContext,
    pub changes: Vec<Change>,
    pub operations: Vec<PlannedOp>,
    pub edges: Vec<Edge>,
    pub unmanaged: Vec<Unmanaged>,
    /// What the plan does not refuse but the user should know.
    pub warnings: Vec<Diagnostic>,
    /// Ids of the live resources the configuration's addresses are bound to.
    pub bindings: BTreeMap<Address, String>,
}

/// Why a plan could not be made.
#[derive(Debug, thiserror::Error)]
pub enum MakePlanError {
    /// Reading the live organization failed.
    #[error("reading the organization: {0}")]
    Read(#[from] crate::api::ApiError),
    /// The configuration cannot be applied to this organization.
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Diagnostic>),
}

/// Reads the live organization (and the roles the configuration needs) through `client`
/// and plans the configuration against it.
///
/// With `--target`, the reader first lists only the part of the tree the targets need
/// ([`targeted`]), then, if a target was not where the configuration puts it, every OU
/// (still reading the tags of only the targets' accounts). When neither read can be trusted
/// to give the plan a whole read would give (something to create or adopt, a block neither
/// found, an error), the plan is made again from a whole read.
pub async fn make(
    desired: &crate::model::Desired,
    client: &crate::backend::client::Client,
    options: &diff::PlanOptions,
) -> Result<(Plan, crate::model::live::LiveOrg), MakePlanError> {
    let (mut plan, mut live) = make_read(desired, client, options).await?;
    // The reader sees the apply lock among the policies of its type only while that type is
    // enabled; a crashed apply's lock is worth the one list otherwise.
    if live.apply_lock.is_none()
        && !live
            .enabled_policy_types()
            .contains(crate::model::lock::LOCK_POLICY_TYPE)
        && let Ok(Some(Ok(lock))) = read::read_lock(client).await
    {
        live.apply_lock = Some(lock);
    }
    if let Some(lock) = &live.apply_lock {
        plan.warnings.push(crate::diag::Diagnostic::warning(
            lock.warning(std::time::SystemTime::now()),
        ));
    }
    Ok((plan, live))
}

/// [`make`] without the apply lock's warning: the read (whole, or narrow for `--target`) and
/// the plan.
async fn make_read(
    desired: &crate::model::Desired,
    client: &crate::backend::client::Client,
    options: &diff::PlanOptions,
) -> Result<(Plan, crate::model::live::LiveOrg), MakePlanError> {
    if !options.targets.is_empty() {
        let closure = targeted::Closure::of(desired, &options.targets);
        if !closure.needs_whole {
            for everywhere in [false, true] {
                let scope = read::TreeScope::Closure {
                    closure: &closure,
                    everywhere,
                };
                let (live, narrow) = read::read_organization_in(client, &scope).await?;
                let narrow = narrow.unwrap_or_default();
                match make_narrow(desired, client, options, &closure, live, narrow).await? {
                    Narrow::Made(made) => return Ok(*made),
                    Narrow::NotFound => continue,
                    Narrow::Untrusted => break,
                }
            }
        }
    }
    let mut live = read::read_organization(client).await?;
    let identities = diff::bind_identities(desired, &live);
    let queries = diff::role_queries(desired, &live, &identities);
    read::read_roles(client, &mut live, &queries).await?;
    let plan = plan_read(desired, &live, identities, queries, options)?;
    Ok((plan, live))
}

/// What a narrow read gave.
enum Narrow {
    Made(Box<(Plan, crate::model::live::LiveOrg)>),
    /// A block of the closure was not found where the read looked.
    NotFound,
    /// The plan creates or adopts something, or has errors: only a whole read can tell.
    Untrusted,
}

async fn make_narrow(
    desired: &crate::model::Desired,
    client: &crate::backend::client::Client,
    options: &diff::PlanOptions,
    closure: &targeted::Closure,
    mut live: crate::model::live::LiveOrg,
    mut narrow: read::NarrowRead,
) -> Result<Narrow, MakePlanError> {
    if closure.management {
        // The management account's roles are the closure's: its tags say whether orgchard
        // owns roles there.
        let management = live.organization.master_account_id.clone();
        let Some(account) = live.accounts.get_mut(&management) else {
            return Ok(Narrow::NotFound);
        };
        if narrow.tagged_accounts.insert(management.clone()) {
            account.tags = read::read_tags(client, &management).await?;
        }
    }
    let identities = diff::bind_identities(desired, &live);
    let mut accounts = std::collections::BTreeSet::new();
    for a in &closure.located {
        let Some(id) = identities.found_by_id_or_tag(a) else {
            return Ok(Narrow::NotFound);
        };
        if a.kind == crate::addr::ResourceKind::Account {
            accounts.insert(id.to_string());
        }
    }
    let seen = |id: &String| {
        *id == live.root.id
            || live.ous.contains_key(id)
            || live.accounts.contains_key(id)
            || live.policies.contains_key(id)
    };
    if !closure.ids.iter().all(seen) {
        return Ok(Narrow::NotFound);
    }
    accounts.extend(closure.ids.iter().cloned());
    if closure.management {
        accounts.insert(live.organization.master_account_id.clone());
    }
    // Roles only in the closure's accounts: the others' changes are not selected anyway.
    let mut queries = diff::role_queries(desired, &live, &identities);
    queries.retain(|account, _| accounts.contains(account));
    read::read_roles(client, &mut live, &queries).await?;
    let Ok(mut plan) = plan_read(desired, &live, identities, queries, options) else {
        return Ok(Narrow::Untrusted);
    };
    if plan
        .changes
        .iter()
        .any(|c| matches!(c.action, Action::Create | Action::Adopt))
    {
        return Ok(Narrow::Untrusted);
    }
    // The unmanaged list of a narrow read would name only what it happened to see, and
    // the blocks outside the closure are bound to whatever it saw: neither is the plan's.
    plan.unmanaged.clear();
    plan.bindings.retain(|a, _| closure.addresses.contains(a));
    // Nor are warnings about blocks outside it (their accounts' roles were not read).
    plan.warnings.retain(|w| {
        w.address
            .as_ref()
            .is_none_or(|a| closure.addresses.contains(a))
    });
    plan.context.narrow_read = Some(narrow);
    Ok(Narrow::Made(Box::new((plan, live))))
}

fn plan_read(
    desired: &crate::model::Desired,
    live: &crate::model::live::LiveOrg,
    identities: diff::Identities,
    queries: BTreeMap<String, read::RoleQuery>,
    options: &diff::PlanOptions,
) -> Result<Plan, MakePlanError> {
    let mut plan =
        diff::plan_bound(desired, live, identities, options).map_err(MakePlanError::Invalid)?;
    plan.context.role_queries = queries
        .into_iter()
        .map(|(account, q)| (account, q.names))
        .collect();
    Ok(plan)
}

/// Reads the live organization the way `plan` read it for this plan, and says whether it
/// is still the state the plan was made from.
pub async fn is_current(
    plan: &Plan,
    client: &crate::backend::client::Client,
) -> Result<bool, crate::api::ApiError> {
    let scope = match &plan.context.narrow_read {
        Some(narrow) => read::TreeScope::Again(narrow),
        None => read::TreeScope::Whole,
    };
    let mut live = match read::read_organization_in(client, &scope).await {
        Ok((live, _)) => live,
        // A parent the targeted plan listed is gone: the organization moved.
        Err(e) if e.kind == crate::api::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    let queries = plan
        .context
        .role_queries
        .iter()
        .map(|(a, names)| {
            (
                a.clone(),
                read::RoleQuery {
                    names: names.clone(),
                },
            )
        })
        .collect();
    read::read_roles(client, &mut live, &queries).await?;
    Ok(live.fingerprint() == plan.context.fingerprint)
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    #[serde(rename = "move")]
    pub moves: usize,
    pub replace: usize,
    pub delete: usize,
    pub adopt: usize,
    pub forget: usize,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.changes {
            match c.action {
                Action::Create => s.create += 1,
                Action::Update => s.update += 1,
                Action::Move => s.moves += 1,
                Action::Replace => s.replace += 1,
                Action::Delete => s.delete += 1,
                Action::Adopt => s.adopt += 1,
                Action::Forget => s.forget += 1,
                Action::Read => {}
            }
        }
        s
    }

    /// True when applying would call anything.
    pub fn has_changes(&self) -> bool {
        !self.operations.is_empty()
            || self
                .changes
                .iter()
                .any(|c| !matches!(c.action, Action::Read))
    }
}

#[cfg(test)]
mod tests;
