//! Identity resolution and diffing: which live resource each block manages (SPEC §3: pinned
//! id, then the ownership tag, then the natural key, which adopts), and the changes, with
//! their operations, that turn the live organization into the configured one.
//!
//! Two ids matter for every OU and account: the *matched* id (the live resource the block is
//! bound to now) and the *final* id (the one it will have after the apply; unknown when the
//! resource is created or replaced). Natural keys are looked up with matched ids, parents are
//! compared with final ids: so the child of a replaced OU is found under the old OU and is
//! itself moved (an account) or replaced (an OU).
//!
//! One [`Planner`] walks the steps of [`STEPS`] in order. Each step lives with its subject:
//! [`identity`] binds blocks to live resources (once per plan, see [`bind_identities`]); one
//! file per resource kind holds that kind's diff and its orphans ([`organization`], [`root`],
//! [`ou`], [`account`], [`policy`] with attachments, [`delegated_admin`], [`role`]), [`tags`]
//! the tag diff they share; [`validate`] holds the checks that look across kinds (unique
//! names, quotas, `prevent_destroy`, the management account guard), [`removed`] the
//! `prevent_destroy` flag remembered on the live resource and the `removed` blocks that forget
//! resources. The ordering of the operations is [`super::graph`]'s list of rules.

mod account;
mod delegated_admin;
mod identity;
mod organization;
mod ou;
mod policy;
mod removed;
mod role;
mod root;
mod tags;
mod validate;

use identity::{Bound, How, OtherScopes};
pub use identity::{Identities, bind_identities, owned_role_queries, role_queries};
use policy::same_document;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use crate::addr::{Address, ResourceKind};
use crate::diag::Diagnostic;
use crate::model::live::{
    LiveOrg, OWNERSHIP_TAG, PREVENT_DESTROY_TAG, PREVENT_DESTROY_TAG_VALUE, ROLES_TAG,
    ROLES_TAG_VALUE, SCOPE_TAG, scope_name, scope_of,
};
use crate::model::{self, AccountRef, Desired, ParentRef, PolicyRef, RefTarget, SourceSpan, Value};
use crate::vocab::{self, quotas};

use super::graph;
use super::ops::{IdRef, Op, value_text};
use super::{
    Action, AttrChange, AttrValue, Change, FORMAT_VERSION, Plan, PlanContext, PlannedOp, Reason,
    ReasonCode, Unmanaged,
};

pub use crate::vocab::{RCP, SCP};

/// The AWS-managed policies AWS attaches by itself, and their fixed ids.
const RCP_FULL_AWS_ACCESS: &str = vocab::RCP_FULL_AWS_ACCESS.id;

/// Options of one planning run.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// `--target`: plan only these addresses and what they need.
    pub targets: Vec<Address>,
}

struct Planner<'a> {
    desired: &'a Desired,
    live: &'a LiveOrg,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    ous: BTreeMap<Address, Bound>,
    accounts: BTreeMap<Address, Bound>,
    policies: BTreeMap<Address, Bound>,
    /// OUs created or replaced by this plan: their final id is unknown.
    new_ous: BTreeSet<Address>,
    claimed: BTreeSet<String>,
    /// Live ids carrying the ownership tag, by the (moved-translated) address they name.
    owned: BTreeMap<Address, Vec<String>>,
    moved_from: BTreeMap<String, Address>,
    ops: Vec<PlannedOp>,
    changes: Vec<Change>,
    /// Ordering edges that the graph cannot derive from the operations alone.
    edges: Vec<(usize, usize, String)>,
    final_types: BTreeSet<String>,
    enabling: BTreeSet<String>,
    /// Addresses whose block sets `lifecycle.prevent_destroy`: their resources carry
    /// [`PREVENT_DESTROY_TAG`].
    protected: BTreeSet<Address>,
    /// Live OUs, accounts and policies a `removed` block forgets: no other step deletes them.
    forgotten: BTreeSet<String>,
    /// Roles (account, name) a `removed` block forgets.
    forgotten_roles: BTreeSet<(String, String)>,
    /// What other ownership scopes own: never taken over.
    other_scopes: OtherScopes,
}

/// One step of planning, named for the errors and changes it contributes.
type Step = (&'static str, fn(&mut Planner<'_>));

/// The planner's steps after identity binding, in order: each kind's diff, then its orphans,
/// then the checks that look across kinds. The order matters: later steps read the
/// operations earlier ones pushed (uniqueness checks look for the deletions that free a name,
/// quotas count creations, `prevent_destroy` looks at every change).
const STEPS: &[Step] = &[
    ("removed", |p| p.plan_forgotten()),
    ("organization", |p| p.plan_organization()),
    ("policies", |p| p.plan_policies()),
    ("organizational units", |p| p.plan_ous()),
    ("root", |p| p.plan_root()),
    ("accounts", |p| p.plan_accounts()),
    ("delegated administrators", |p| {
        p.plan_delegated_administrators()
    }),
    ("roles", |p| p.plan_roles()),
    ("orphans", |p| p.plan_orphans()),
    ("unique names", |p| p.check_unique_names()),
    ("quotas", |p| p.check_quotas()),
    ("OU deletions bottom-up", |p| p.order_ou_deletions()),
    ("prevent_destroy", |p| p.check_prevent_destroy()),
    ("prevent_destroy remembered", |p| {
        p.check_remembered_prevent_destroy()
    }),
];

/// Matches, diffs and orders: the plan that turns `live` into `desired`.
pub fn plan(
    desired: &Desired,
    live: &LiveOrg,
    options: &PlanOptions,
) -> Result<Plan, Vec<Diagnostic>> {
    plan_bound(desired, live, bind_identities(desired, live), options)
}

/// [`plan`] with the identities already bound (by [`bind_identities`] against the same
/// `live`, before its roles were read): the reader needs them first to know where to read
/// roles, and binding twice could disagree.
pub fn plan_bound(
    desired: &Desired,
    live: &LiveOrg,
    identities: Identities,
    options: &PlanOptions,
) -> Result<Plan, Vec<Diagnostic>> {
    // Bound against the same view of `live` as `bind_identities`; the fingerprint is the
    // live state's own.
    let fingerprint = live.fingerprint();
    let (live, foreign, _) =
        identity::without_foreign_claims(live, desired.organization.scope.as_deref());
    let live: &LiveOrg = &live;
    let mut p = Planner::new(desired, live);
    p.warnings.extend(foreign);
    p.guard_management_account();
    if !p.errors.is_empty() {
        return Err(p.errors);
    }
    p.adopt_identities(identities);
    for (_, step) in STEPS {
        step(&mut p);
    }
    if !p.errors.is_empty() {
        return Err(p.errors);
    }
    let unmanaged = p.unmanaged();
    let bindings = p.bindings();
    let mut plan = Plan {
        format_version: FORMAT_VERSION.to_string(),
        context: PlanContext {
            organization_id: live.organization.id.clone(),
            management_account_id: live.organization.master_account_id.clone(),
            root_id: live.root.id.clone(),
            member_access_role: desired.organization.member_access_role.clone(),
            fingerprint,
            backend: None,
            role_queries: BTreeMap::new(),
            pending_creations: live
                .pending_account_creations
                .iter()
                .map(|c| (c.id.clone(), c.account_name.clone()))
                .collect(),
            scope: desired.organization.scope.clone(),
            narrow_read: None,
        },
        changes: p.changes,
        operations: p.ops,
        edges: Vec::new(),
        unmanaged,
        warnings: p.warnings,
        bindings,
    };
    plan.changes.sort_by(|a, b| a.address.cmp(&b.address));
    let extra = p.edges;
    graph::order(&mut plan, &extra, &desired_depends_on(desired)).map_err(|e| {
        vec![
            Diagnostic::error(e.to_string())
                .help("remove one of the depends_on or references that form the cycle"),
        ]
    })?;
    if !options.targets.is_empty() {
        graph::select_targets(&mut plan, &options.targets);
    }
    Ok(plan)
}

fn desired_depends_on(desired: &Desired) -> Vec<(Address, Address)> {
    let mut out = Vec::new();
    let commons = desired
        .organizational_units
        .iter()
        .map(|o| &o.common)
        .chain(desired.accounts.iter().map(|a| &a.common))
        .chain(desired.policies.iter().map(|p| &p.common))
        .chain(desired.delegated_administrators.iter().map(|d| &d.common))
        .chain(desired.roles.iter().map(|r| &r.common));
    for c in commons {
        for dep in &c.depends_on {
            out.push((c.address.clone(), dep.clone()));
        }
    }
    out
}

/// The block's tags with the ownership tag, and the scope tag when the configuration names
/// a scope.
fn tags_with_owner(
    tags: &BTreeMap<String, String>,
    address: &Address,
    scope: Option<&str>,
) -> BTreeMap<String, String> {
    let mut t = tags.clone();
    t.insert(OWNERSHIP_TAG.to_string(), address.to_string());
    if let Some(scope) = scope {
        t.insert(SCOPE_TAG.to_string(), scope.to_string());
    }
    t
}

/// The tags orgchard keeps for itself and writes even where `ignore_changes` lists `tags`:
/// without them a removed role would be lost, or a removed block's protection forgotten.
const OWN_TAGS: &[&str] = &[ROLES_TAG, PREVENT_DESTROY_TAG];

fn owner_of(tags: &BTreeMap<String, String>) -> Option<Address> {
    tags.get(OWNERSHIP_TAG).and_then(|a| a.parse().ok())
}

fn show_map(m: &BTreeMap<String, String>) -> AttrValue {
    AttrValue::Map(m.clone())
}

impl<'a> Planner<'a> {
    fn new(desired: &'a Desired, live: &'a LiveOrg) -> Self {
        let live_types = live.enabled_policy_types();
        // A type AWS added after this version of orgchard cannot be named in the
        // configuration, so it is never disabled: it stays as it is.
        let unknown_types = live_types
            .iter()
            .filter(|t| vocab::policy_type(t).is_none())
            .cloned();
        let final_types: BTreeSet<String> = match &desired.organization.enabled_policy_types {
            Some(t) => t.iter().cloned().chain(unknown_types).collect(),
            None => live_types.clone(),
        };
        let enabling = final_types.difference(&live_types).cloned().collect();
        let protected = desired
            .organizational_units
            .iter()
            .map(|o| &o.common)
            .chain(desired.accounts.iter().map(|a| &a.common))
            .chain(desired.policies.iter().map(|p| &p.common))
            .chain(desired.roles.iter().map(|r| &r.common))
            .filter(|c| c.lifecycle.prevent_destroy)
            .map(|c| c.address.clone())
            .collect();
        Planner {
            desired,
            live,
            errors: Vec::new(),
            warnings: Vec::new(),
            ous: BTreeMap::new(),
            accounts: BTreeMap::new(),
            policies: BTreeMap::new(),
            new_ous: BTreeSet::new(),
            claimed: BTreeSet::new(),
            owned: BTreeMap::new(),
            moved_from: BTreeMap::new(),
            ops: Vec::new(),
            changes: Vec::new(),
            edges: Vec::new(),
            final_types,
            enabling,
            protected,
            forgotten: BTreeSet::new(),
            forgotten_roles: BTreeSet::new(),
            other_scopes: OtherScopes::default(),
        }
    }

    /// This configuration's ownership scope; None: the default scope.
    fn scope(&self) -> Option<&'a str> {
        self.desired.organization.scope.as_deref()
    }

    fn error(
        &mut self,
        address: Option<&Address>,
        origin: Option<&SourceSpan>,
        message: String,
        help: Option<&str>,
    ) {
        let mut e = Diagnostic::error(message)
            .about(address)
            .at(origin.cloned());
        if let Some(help) = help {
            e = e.help(help);
        }
        self.errors.push(e);
    }

    fn warn(&mut self, address: Option<&Address>, message: String) {
        self.warnings
            .push(Diagnostic::warning(message).about(address));
    }

    fn push_op(&mut self, address: &Address, op: Op) -> usize {
        self.ops.push(PlannedOp {
            address: address.clone(),
            op,
        });
        self.ops.len() - 1
    }

    fn push_change(
        &mut self,
        address: &Address,
        action: Action,
        reason: Option<Reason>,
        id: Option<String>,
        attributes: Vec<AttrChange>,
        operations: Vec<usize>,
    ) {
        self.changes.push(Change {
            address: address.clone(),
            action,
            reason,
            id,
            attributes,
            operations,
        });
    }

    /// What a value of the configuration resolves to with what is known now.
    fn lookup(&self, target: &RefTarget, attr: &str) -> Option<Value> {
        let org = &self.live.organization;
        let (id, arn) = match target {
            RefTarget::Management => {
                let id = org.master_account_id.clone();
                let arn = vocab::arn::account("aws", &id, &org.id, &id);
                (id, arn)
            }
            RefTarget::AwsPolicy(name) => {
                let p = self
                    .live
                    .policies
                    .values()
                    .find(|p| p.summary.aws_managed && &p.summary.name == name)?;
                (p.summary.id.clone(), p.summary.arn.clone())
            }
            RefTarget::Resource(a) => match a.kind {
                ResourceKind::Account => {
                    let b = self.accounts.get(a)?;
                    (
                        b.id.clone(),
                        self.live.accounts.get(&b.id)?.account.arn.clone(),
                    )
                }
                ResourceKind::OrganizationalUnit if !self.new_ous.contains(a) => {
                    let b = self.ous.get(a)?;
                    (b.id.clone(), self.live.ous.get(&b.id)?.ou.arn.clone())
                }
                ResourceKind::Policy => {
                    let b = self.policies.get(a)?;
                    (
                        b.id.clone(),
                        self.live.policies.get(&b.id)?.summary.arn.clone(),
                    )
                }
                ResourceKind::Root => (self.live.root.id.clone(), self.live.root.arn.clone()),
                _ => return None,
            },
        };
        match attr {
            "id" => Some(Value::String(id)),
            "arn" => Some(Value::String(arn)),
            _ => None,
        }
    }

    fn resolve(&self, v: &Value) -> Value {
        v.resolve(&|t, a| self.lookup(t, a))
            .unwrap_or_else(|_| v.clone())
    }

    fn action_for(bound: Option<&Bound>, ops: &[usize], moved: bool) -> Action {
        match bound {
            None => Action::Create,
            Some(b) if b.how == How::Adopted => Action::Adopt,
            Some(_) if moved => Action::Move,
            Some(_) if ops.is_empty() => Action::Read,
            Some(_) => Action::Update,
        }
    }

    /// The in-place half that OUs and accounts share: the `policies` list (unless ignored)
    /// and the tags (unless ignored, but always when the ownership tag must be written).
    fn plan_in_place(
        &mut self,
        common: &model::Common,
        b: &Bound,
        policies: Option<&[PolicyRef]>,
        live_tags: &BTreeMap<String, String>,
        tags: &BTreeMap<String, String>,
    ) -> (Vec<usize>, Vec<AttrChange>) {
        let ignore = &common.lifecycle.ignore_changes;
        let mut ops = Vec::new();
        let mut attrs = Vec::new();
        if let Some(policies) = policies.filter(|_| !ignore.iter().any(|i| i == "policies")) {
            let (att, attr) = self.plan_attachments(
                &common.address,
                &common.origin,
                IdRef::Known(b.id.clone()),
                Some(&b.id),
                policies,
            );
            ops.extend(att);
            attrs.extend(attr);
        }
        let wanted = if !ignore.iter().any(|i| i == "tags") || b.retag {
            Some(Cow::Borrowed(tags))
        } else if OWN_TAGS.iter().any(|k| live_tags.get(*k) != tags.get(*k)) {
            // Tags the user manages elsewhere are left alone, but orgchard's own are its
            // record of where its roles are and of what must not be destroyed.
            let mut wanted = live_tags.clone();
            for k in OWN_TAGS {
                match tags.get(*k) {
                    Some(v) => wanted.insert(k.to_string(), v.clone()),
                    None => wanted.remove(*k),
                };
            }
            Some(Cow::Owned(wanted))
        } else {
            None
        };
        if let Some(wanted) = wanted {
            let (tag_ops, attr) = self.plan_tags(
                &common.address,
                IdRef::Known(b.id.clone()),
                Some(live_tags),
                &wanted,
            );
            ops.extend(tag_ops);
            attrs.push(attr);
        }
        (ops, attrs)
    }

    /// Resources that carry the ownership tag but whose address is gone from the
    /// configuration: deleted (OUs, policies, roles) or handled by `account_removal`.
    /// Live resources that carry the ownership tag but that no block is bound to, kind by
    /// kind. OUs go before policies: a policy attached to a deleted OU is not detached there.
    fn plan_orphans(&mut self) {
        let bound_ids: BTreeSet<String> = self
            .ous
            .values()
            .chain(self.accounts.values())
            .chain(self.policies.values())
            .map(|b| b.id.clone())
            .collect();
        // What a `removed` block forgets was planned first, and is neither deleted nor
        // forgotten again here.
        let handled: BTreeSet<String> = bound_ids.union(&self.forgotten).cloned().collect();
        self.plan_orphan_accounts(&handled);
        let deleted_ous = self.plan_orphan_ous(&bound_ids);
        self.plan_orphan_policies(&handled, &deleted_ous);
        self.plan_orphan_roles();
    }

    fn unmanaged(&self) -> Vec<Unmanaged> {
        let bound: BTreeSet<&String> = self
            .ous
            .values()
            .chain(self.accounts.values())
            .chain(self.policies.values())
            .map(|b| &b.id)
            .collect();
        let mut out = Vec::new();
        for (id, o) in &self.live.ous {
            if !bound.contains(id) && owner_of(&o.tags).is_none() {
                out.push(Unmanaged {
                    kind: "organizational_unit".into(),
                    id: id.clone(),
                    name: o.ou.name.clone(),
                });
            }
        }
        for (id, a) in &self.live.accounts {
            if !bound.contains(id)
                && owner_of(&a.tags).is_none()
                && *id != self.live.organization.master_account_id
            {
                out.push(Unmanaged {
                    kind: "account".into(),
                    id: id.clone(),
                    name: a.account.name.clone(),
                });
            }
        }
        for (id, p) in &self.live.policies {
            if !p.summary.aws_managed && !bound.contains(id) && owner_of(&p.tags).is_none() {
                out.push(Unmanaged {
                    kind: "policy".into(),
                    id: id.clone(),
                    name: p.summary.name.clone(),
                });
            }
        }
        out.sort();
        out
    }
}

/// A plain (not document) attribute.
fn attr(name: &str, before: Option<AttrValue>, after: AttrValue) -> AttrChange {
    AttrChange {
        name: name.into(),
        before,
        after: Some(after),
        document: false,
    }
}

/// The attributes of an OU or account being created (or an OU's new half): what identifies
/// it first, then its attachments, its tags, and its id when only the apply will know it.
fn creation_attrs(
    leading: Vec<AttrChange>,
    attachments: Vec<AttrChange>,
    tags: &BTreeMap<String, String>,
    id_unknown: bool,
) -> Vec<AttrChange> {
    let mut out = leading;
    out.extend(attachments);
    out.push(attr("tags", None, show_map(tags)));
    if id_unknown {
        out.push(attr("id", None, AttrValue::Unknown));
    }
    out
}

fn tags_to_map(tags: &[crate::api::Tag]) -> BTreeMap<String, String> {
    crate::api::tags_to_map(tags)
}
