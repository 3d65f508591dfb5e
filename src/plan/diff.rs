//! Identity resolution and diffing: which live resource each block manages (SPEC §3: pinned
//! id, then the ownership tag, then the natural key, which adopts), and the changes, with
//! their operations, that turn the live organization into the configured one.
//!
//! Two ids matter for every OU and account: the *matched* id (the live resource the block is
//! bound to now) and the *final* id (the one it will have after the apply; unknown when the
//! resource is created or replaced). Natural keys are looked up with matched ids, parents are
//! compared with final ids: so the child of a replaced OU is found under the old OU and is
//! itself moved (an account) or replaced (an OU).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use crate::addr::{Address, ResourceKind};
use crate::backend::quotas;
use crate::model::live::{LiveOrg, OWNERSHIP_TAG, ROLES_TAG, ROLES_TAG_VALUE};
use crate::model::{self, AccountRef, Desired, ParentRef, PolicyRef, RefTarget, SourceSpan, Value};

use super::graph;
use super::ops::{IdRef, Op, value_text};
use super::{Action, AttrChange, Change, FORMAT_VERSION, Plan, PlanContext, PlannedOp, Unmanaged};

pub const SCP: &str = "SERVICE_CONTROL_POLICY";
pub const RCP: &str = "RESOURCE_CONTROL_POLICY";

/// The AWS-managed policies AWS attaches by itself, and their fixed ids.
const FULL_AWS_ACCESS: &str = "p-FullAWSAccess";
const RCP_FULL_AWS_ACCESS: &str = "p-RCPFullAWSAccess";

/// How many policies of a type AWS lets one target carry.
pub fn max_attachments(policy_type: &str) -> usize {
    quotas::attachments_per_target(policy_type)
}

/// A plan-time error: what is wrong, and where the configuration says it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanError {
    pub address: Option<Address>,
    pub origin: Option<SourceSpan>,
    pub message: String,
    pub help: Option<String>,
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(o) = &self.origin {
            write!(f, "{}:{}: ", o.file, o.line)?;
        }
        if let Some(a) = &self.address {
            write!(f, "{a}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(h) = &self.help {
            write!(f, " ({h})")?;
        }
        Ok(())
    }
}

/// How a block found its live resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum How {
    Pinned,
    Tagged,
    Adopted,
}

#[derive(Debug, Clone)]
struct Bound {
    id: String,
    how: How,
    /// The ownership tag must be (re)written: adopted, or found through a `moved` block.
    retag: bool,
}

/// Options of one planning run.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// `--target`: plan only these addresses and what they need.
    pub targets: Vec<Address>,
}

struct Planner<'a> {
    desired: &'a Desired,
    live: &'a LiveOrg,
    errors: Vec<PlanError>,
    warnings: Vec<String>,
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
}

/// Matches, diffs and orders: the plan that turns `live` into `desired`.
pub fn plan(
    desired: &Desired,
    live: &LiveOrg,
    options: &PlanOptions,
) -> Result<Plan, Vec<PlanError>> {
    let mut p = Planner::new(desired, live);
    p.guard_management_account();
    if !p.errors.is_empty() {
        return Err(p.errors);
    }
    p.index_owned();
    p.match_policies();
    p.match_ous();
    p.match_accounts();
    p.plan_organization();
    p.plan_policies();
    p.plan_ous();
    p.plan_root();
    p.plan_accounts();
    p.plan_delegated_administrators();
    p.plan_roles();
    p.plan_orphans();
    p.check_unique_names();
    p.check_quotas();
    p.order_ou_deletions();
    p.check_prevent_destroy();
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
            fingerprint: live.fingerprint(),
            backend: None,
            role_queries: BTreeMap::new(),
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
        vec![PlanError {
            address: None,
            origin: None,
            message: e.to_string(),
            help: Some("remove one of the depends_on or references that form the cycle".into()),
        }]
    })?;
    if !options.targets.is_empty() {
        graph::select_targets(&mut plan, &options.targets);
    }
    Ok(plan)
}

/// The accounts whose IAM roles the plan needs read, and which role names the configuration
/// declares in each: the accounts are matched as the plan matches them.
///
/// Besides the accounts where roles are declared, the reader enters the management account
/// and every active account that carries [`ROLES_TAG`]: orgchard keeps that tag on an account
/// from before it creates a role there until after it deleted the last one, so an owned role
/// whose block is gone is always found, and accounts without roles cost no call.
pub fn role_queries(desired: &Desired, live: &LiveOrg) -> BTreeMap<String, super::read::RoleQuery> {
    let mut p = Planner::new(desired, live);
    p.index_owned();
    p.match_accounts();
    let mut out: BTreeMap<String, super::read::RoleQuery> = BTreeMap::new();
    for r in &desired.roles {
        if let Some(id) = p.final_account(&r.account).known() {
            out.entry(id.to_string())
                .or_default()
                .names
                .insert(r.name.clone());
        }
    }
    let marked = live
        .accounts
        .values()
        .filter(|a| a.tags.contains_key(ROLES_TAG))
        .map(|a| a.account.id.as_str());
    let may_hold_owned_roles = marked.chain([live.organization.master_account_id.as_str()]);
    for id in may_hold_owned_roles {
        if live
            .accounts
            .get(id)
            .is_some_and(|a| a.account.status == "ACTIVE")
        {
            out.entry(id.to_string()).or_default();
        }
    }
    out
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

fn tags_with_owner(tags: &BTreeMap<String, String>, address: &Address) -> BTreeMap<String, String> {
    let mut t = tags.clone();
    t.insert(OWNERSHIP_TAG.to_string(), address.to_string());
    t
}

fn owner_of(tags: &BTreeMap<String, String>) -> Option<Address> {
    tags.get(OWNERSHIP_TAG).and_then(|a| a.parse().ok())
}

/// Policy documents compare as parsed JSON, not as text.
fn same_document(live: &str, desired: &str) -> bool {
    match (
        serde_json::from_str::<serde_json::Value>(live),
        serde_json::from_str::<serde_json::Value>(desired),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => live == desired,
    }
}

/// A document pretty-printed for the plan's line diff.
pub fn pretty_document(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| text.to_string())
}

fn show_map(m: &BTreeMap<String, String>) -> String {
    let inner: Vec<String> = m.iter().map(|(k, v)| format!("{k:?} = {v:?}")).collect();
    format!("{{{}}}", inner.join(", "))
}

const UNKNOWN: &str = "(known after apply)";

impl<'a> Planner<'a> {
    fn new(desired: &'a Desired, live: &'a LiveOrg) -> Self {
        let live_types = live.enabled_policy_types();
        let final_types: BTreeSet<String> = match &desired.organization.enabled_policy_types {
            Some(t) => t.iter().cloned().collect(),
            None => live_types.clone(),
        };
        let enabling = final_types.difference(&live_types).cloned().collect();
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
        }
    }

    fn error(
        &mut self,
        address: Option<&Address>,
        origin: Option<&SourceSpan>,
        message: String,
        help: Option<&str>,
    ) {
        self.errors.push(PlanError {
            address: address.cloned(),
            origin: origin.cloned(),
            message,
            help: help.map(str::to_string),
        });
    }

    fn guard_management_account(&mut self) {
        if let Some(expected) = &self.desired.organization.management_account_id {
            let actual = &self.live.organization.master_account_id;
            if expected != actual {
                let origin = self.desired.organization.origin.clone();
                self.error(
                    Some(&Address::organization()),
                    origin.as_ref(),
                    format!(
                        "the backend's organization {} is managed by account {actual}, but the configuration's management_account_id is {expected}; orgchard refuses to touch another organization",
                        self.live.organization.id
                    ),
                    Some("check --backend, --profile and --endpoint-url, or correct management_account_id"),
                );
            }
        }
    }

    fn index_owned(&mut self) {
        let moved: BTreeMap<Address, Address> = self
            .desired
            .moved
            .iter()
            .map(|m| (m.from.clone(), m.to.clone()))
            .collect();
        let live = self.live;
        let tagged = live
            .ous
            .iter()
            .map(|(id, o)| (id, &o.tags))
            .chain(live.accounts.iter().map(|(id, a)| (id, &a.tags)))
            .chain(live.policies.iter().map(|(id, p)| (id, &p.tags)));
        for (id, tags) in tagged {
            if let Some(mut addr) = owner_of(tags) {
                // Follow chains of moved blocks (a -> b -> c).
                let mut hops = 0;
                while let Some(to) = moved.get(&addr) {
                    self.moved_from.insert(id.clone(), addr.clone());
                    addr = to.clone();
                    hops += 1;
                    if hops > moved.len() {
                        break;
                    }
                }
                self.owned.entry(addr).or_default().push(id.clone());
            }
        }
    }

    /// Candidates claimed by the ownership tag, best first: those that also match the given
    /// predicate (same parent and name) win over stale ones left by an interrupted replace.
    fn tagged(&self, address: &Address, prefer: impl Fn(&str) -> bool) -> Option<String> {
        let ids = self.owned.get(address)?;
        ids.iter()
            .filter(|id| !self.claimed.contains(*id))
            .max_by_key(|id| prefer(id))
            .cloned()
    }

    #[allow(clippy::too_many_arguments)] // One matcher for three kinds; each closure is one rule.
    fn bind(
        &mut self,
        kind: ResourceKind,
        address: &Address,
        origin: &SourceSpan,
        pinned: Option<&String>,
        exists: impl Fn(&str) -> bool,
        prefer: impl Fn(&str) -> bool,
        natural: impl Fn(&str) -> bool,
        candidates: Vec<String>,
    ) -> Option<Bound> {
        if let Some(id) = pinned {
            if !exists(id) {
                self.error(
                    Some(address),
                    Some(origin),
                    format!("the pinned id {id:?} does not exist in the organization"),
                    Some("remove `id` to let orgchard create it, or correct the id"),
                );
                return None;
            }
            self.claimed.insert(id.clone());
            return Some(Bound {
                id: id.clone(),
                how: How::Pinned,
                retag: self.moved_from.contains_key(id),
            });
        }
        if let Some(id) = self.tagged(address, &prefer) {
            self.claimed.insert(id.clone());
            return Some(Bound {
                retag: self.moved_from.contains_key(&id),
                id,
                how: How::Tagged,
            });
        }
        let _ = kind;
        let found = candidates.into_iter().find(|id| {
            !self.claimed.contains(id) && natural(id) && {
                // Never adopt what another address owns.
                let tags = self.live.tags_of(id);
                tags.map(|t| !t.contains_key(OWNERSHIP_TAG)).unwrap_or(true)
            }
        });
        found.map(|id| {
            self.claimed.insert(id.clone());
            Bound {
                id,
                how: How::Adopted,
                retag: true,
            }
        })
    }

    fn match_policies(&mut self) {
        let live = self.live;
        for p in &self.desired.policies {
            let customer: Vec<String> = live
                .policies
                .iter()
                .filter(|(_, lp)| !lp.summary.aws_managed)
                .map(|(id, _)| id.clone())
                .collect();
            let bound = self.bind(
                ResourceKind::Policy,
                &p.common.address,
                &p.common.origin,
                p.common.pinned_id.as_ref(),
                |id| live.policies.contains_key(id),
                |id| {
                    live.policies
                        .get(id)
                        .is_some_and(|lp| lp.summary.name == p.name)
                },
                |id| {
                    live.policies.get(id).is_some_and(|lp| {
                        lp.summary.name == p.name && lp.summary.r#type == p.policy_type
                    })
                },
                customer,
            );
            if let Some(b) = bound {
                self.policies.insert(p.common.address.clone(), b);
            }
        }
    }

    /// OUs in parent-first order, so each parent is matched before its children.
    fn ous_parent_first(&self) -> Vec<&'a model::OrganizationalUnit> {
        let by_addr: BTreeMap<&Address, &model::OrganizationalUnit> = self
            .desired
            .organizational_units
            .iter()
            .map(|o| (&o.common.address, o))
            .collect();
        let depth = |o: &model::OrganizationalUnit| {
            let mut d = 0;
            let mut cur = &o.parent;
            while let ParentRef::OrganizationalUnit(a) = cur {
                d += 1;
                match by_addr.get(a) {
                    Some(p) if d < 64 => cur = &p.parent,
                    _ => break,
                }
            }
            d
        };
        let mut list: Vec<&model::OrganizationalUnit> =
            self.desired.organizational_units.iter().collect();
        list.sort_by_key(|o| (depth(o), o.common.address.clone()));
        list
    }

    /// The live id of the parent a block names, as matched now.
    fn matched_parent(&self, parent: &ParentRef) -> Option<String> {
        match parent {
            ParentRef::Root => Some(self.live.root.id.clone()),
            ParentRef::OrganizationalUnit(a) => self.ous.get(a).map(|b| b.id.clone()),
            ParentRef::Id(id) => Some(id.clone()),
        }
    }

    /// The id the parent will have after the apply.
    fn final_parent(&self, parent: &ParentRef) -> IdRef {
        match parent {
            ParentRef::Root => IdRef::Known(self.live.root.id.clone()),
            ParentRef::OrganizationalUnit(a) => self.final_ou(a),
            ParentRef::Id(id) => IdRef::Known(id.clone()),
        }
    }

    fn final_ou(&self, a: &Address) -> IdRef {
        match self.ous.get(a) {
            Some(b) if !self.new_ous.contains(a) => IdRef::Known(b.id.clone()),
            _ => IdRef::After(a.clone()),
        }
    }

    fn match_ous(&mut self) {
        let live = self.live;
        let mut children: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (id, lo) in &live.ous {
            children
                .entry(lo.parent_id.as_str())
                .or_default()
                .push(id.clone());
        }
        for o in self.ous_parent_first() {
            let parent = self.matched_parent(&o.parent);
            let under: Vec<String> = parent
                .as_deref()
                .and_then(|p| children.get(p))
                .cloned()
                .unwrap_or_default();
            let bound = self.bind(
                ResourceKind::OrganizationalUnit,
                &o.common.address,
                &o.common.origin,
                o.common.pinned_id.as_ref(),
                |id| live.ous.contains_key(id),
                |id| {
                    live.ous.get(id).is_some_and(|lo| {
                        Some(&lo.parent_id) == parent.as_ref() && lo.ou.name == o.name
                    })
                },
                |id| live.ous.get(id).is_some_and(|lo| lo.ou.name == o.name),
                under,
            );
            match bound {
                Some(b) => {
                    // Parent changed (by final id): AWS cannot move an OU, so it is replaced.
                    let final_parent = self.final_parent(&o.parent);
                    if final_parent != IdRef::Known(live.ous[&b.id].parent_id.clone()) {
                        self.new_ous.insert(o.common.address.clone());
                    }
                    self.ous.insert(o.common.address.clone(), b);
                }
                None => {
                    self.new_ous.insert(o.common.address.clone());
                }
            }
        }
    }

    fn match_accounts(&mut self) {
        let live = self.live;
        // Natural keys are looked up in an index: organizations have thousands of accounts.
        let mut by_email: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (id, la) in &live.accounts {
            by_email
                .entry(la.account.email.to_ascii_lowercase())
                .or_default()
                .push(id.clone());
        }
        for a in &self.desired.accounts {
            let all = by_email
                .get(&a.email.to_ascii_lowercase())
                .cloned()
                .unwrap_or_default();
            let bound = self.bind(
                ResourceKind::Account,
                &a.common.address,
                &a.common.origin,
                a.common.pinned_id.as_ref(),
                |id| live.accounts.contains_key(id),
                |id| {
                    live.accounts
                        .get(id)
                        .is_some_and(|la| la.account.email == a.email)
                },
                |id| {
                    live.accounts
                        .get(id)
                        .is_some_and(|la| la.account.email.eq_ignore_ascii_case(&a.email))
                },
                all,
            );
            if let Some(b) = bound {
                self.accounts.insert(a.common.address.clone(), b);
            }
        }
    }

    fn final_account(&self, r: &AccountRef) -> IdRef {
        match r {
            AccountRef::Account(a) => match self.accounts.get(a) {
                Some(b) => IdRef::Known(b.id.clone()),
                None => IdRef::After(a.clone()),
            },
            AccountRef::Management => {
                IdRef::Known(self.live.organization.master_account_id.clone())
            }
            AccountRef::Id(id) => IdRef::Known(id.clone()),
        }
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
        reason: Option<String>,
        id: Option<String>,
        attributes: Vec<AttrChange>,
        operations: Vec<usize>,
    ) {
        let quoted = ["name", "email", "type", "description", "service_principal"];
        let attributes = attributes
            .into_iter()
            .map(|mut a| {
                if quoted.contains(&a.name.as_str()) {
                    let q = |v: String| if v == UNKNOWN { v } else { format!("{v:?}") };
                    a.before = a.before.map(q);
                    a.after = a.after.map(q);
                }
                a
            })
            .collect();
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
                let arn = format!("arn:aws:organizations::{id}:account/{}/{id}", org.id);
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

    fn plan_organization(&mut self) {
        let addr = Address::organization();
        let mut ops = Vec::new();
        let mut attrs = Vec::new();
        let live_types = self.live.enabled_policy_types();
        if self.desired.organization.enabled_policy_types.is_some() {
            for t in self.enabling.clone() {
                ops.push(self.push_op(
                    &addr,
                    Op::EnablePolicyType {
                        root: self.live.root.id.clone(),
                        policy_type: t,
                    },
                ));
            }
            for t in live_types
                .difference(&self.final_types)
                .cloned()
                .collect::<Vec<_>>()
            {
                ops.push(self.push_op(
                    &addr,
                    Op::DisablePolicyType {
                        root: self.live.root.id.clone(),
                        policy_type: t,
                    },
                ));
            }
            attrs.push(AttrChange {
                name: "enabled_policy_types".into(),
                before: Some(format!("{:?}", live_types.iter().collect::<Vec<_>>())),
                after: Some(format!("{:?}", self.final_types.iter().collect::<Vec<_>>())),
                document: false,
            });
        }
        if let Some(wanted) = &self.desired.organization.service_access_principals {
            let wanted: BTreeSet<String> = wanted.iter().cloned().collect();
            for p in wanted.difference(&self.live.service_access) {
                ops.push(self.push_op(
                    &addr,
                    Op::EnableServiceAccess {
                        principal: p.clone(),
                    },
                ));
            }
            for p in self.live.service_access.difference(&wanted) {
                ops.push(self.push_op(
                    &addr,
                    Op::DisableServiceAccess {
                        principal: p.clone(),
                    },
                ));
            }
            attrs.push(AttrChange {
                name: "service_access_principals".into(),
                before: Some(format!(
                    "{:?}",
                    self.live.service_access.iter().collect::<Vec<_>>()
                )),
                after: Some(format!("{:?}", wanted.iter().collect::<Vec<_>>())),
                document: false,
            });
        }
        if let Some(fs) = &self.desired.organization.feature_set {
            if fs != &self.live.organization.feature_set {
                let origin = self.desired.organization.origin.clone();
                self.error(
                    Some(&addr),
                    origin.as_ref(),
                    format!(
                        "the organization's feature set is {}, the configuration asks for {fs}; changing it needs every member account's approval (a handshake) and is not done by orgchard",
                        self.live.organization.feature_set
                    ),
                    Some("enable all features in the console, or set feature_set to the live value"),
                );
            }
        }
        if !self.desired.organization.declared {
            return;
        }
        let action = if ops.is_empty() {
            Action::Read
        } else {
            Action::Update
        };
        self.push_change(
            &addr,
            action,
            None,
            Some(self.live.organization.id.clone()),
            attrs,
            ops,
        );
    }

    /// A policy reference's final id and type.
    fn policy_ref(
        &mut self,
        r: &PolicyRef,
        owner: &Address,
        origin: &SourceSpan,
    ) -> Option<(IdRef, String)> {
        match r {
            PolicyRef::Policy(a) => {
                let p = self
                    .desired
                    .policies
                    .iter()
                    .find(|p| &p.common.address == a)?;
                let id = match self.policies.get(a) {
                    Some(b) => IdRef::Known(b.id.clone()),
                    None => IdRef::After(a.clone()),
                };
                Some((id, p.policy_type.clone()))
            }
            PolicyRef::AwsManaged(name) => {
                if let Some(p) = self
                    .live
                    .policies
                    .values()
                    .find(|p| p.summary.aws_managed && &p.summary.name == name)
                {
                    return Some((IdRef::Known(p.summary.id.clone()), p.summary.r#type.clone()));
                }
                // Types not enabled yet are not listed; their AWS-managed policies have fixed ids.
                match name.as_str() {
                    "FullAWSAccess" => Some((IdRef::Known(FULL_AWS_ACCESS.into()), SCP.into())),
                    "RCPFullAWSAccess" => {
                        Some((IdRef::Known(RCP_FULL_AWS_ACCESS.into()), RCP.into()))
                    }
                    _ => {
                        self.error(
                            Some(owner),
                            Some(origin),
                            format!("aws_policy.{name} is not an AWS-managed policy of this organization"),
                            Some("accepted: FullAWSAccess, RCPFullAWSAccess, or the name of another AWS-managed policy of an enabled type"),
                        );
                        None
                    }
                }
            }
            PolicyRef::Id(id) => match self.live.policies.get(id) {
                Some(p) => Some((IdRef::Known(id.clone()), p.summary.r#type.clone())),
                None => {
                    self.error(
                        Some(owner),
                        Some(origin),
                        format!("policy {id} does not exist in the organization"),
                        None,
                    );
                    None
                }
            },
        }
    }

    fn policy_name(&self, id: &IdRef) -> String {
        match id {
            IdRef::Known(id) => {
                if let Some((a, _)) = self.policies.iter().find(|(_, b)| &b.id == id) {
                    return a.to_string();
                }
                match self.live.policies.get(id) {
                    Some(p) if p.summary.aws_managed => format!("aws_policy.{}", p.summary.name),
                    _ => match id.strip_prefix("p-") {
                        Some(name @ ("FullAWSAccess" | "RCPFullAWSAccess")) => {
                            format!("aws_policy.{name}")
                        }
                        _ => format!("{id:?}"),
                    },
                }
            }
            IdRef::After(a) => a.to_string(),
        }
    }

    /// A parent as the plan shows it: `root`, the OU's address, or its id.
    fn show_parent(&self, parent: &ParentRef) -> String {
        match parent {
            ParentRef::Root => "root".into(),
            ParentRef::OrganizationalUnit(a)
                if self.new_ous.contains(a) && self.ous.contains_key(a) =>
            {
                format!("{a} (its replacement)")
            }
            ParentRef::OrganizationalUnit(a) => a.to_string(),
            ParentRef::Id(id) => self.show_live_parent(id),
        }
    }

    fn show_live_parent(&self, id: &str) -> String {
        if id == self.live.root.id {
            return "root".into();
        }
        match self.ous.iter().find(|(_, b)| b.id == id) {
            Some((a, _)) if self.new_ous.contains(a) => format!("{a} ({id:?}, to be replaced)"),
            Some((a, _)) => a.to_string(),
            None => format!("{id:?}"),
        }
    }

    /// The attach/detach operations that turn the target's attachments into `desired`,
    /// ordered so the target never has zero SCPs nor more than AWS's maximum.
    fn plan_attachments(
        &mut self,
        owner: &Address,
        origin: &SourceSpan,
        target: IdRef,
        live_target: Option<&str>,
        desired: &[PolicyRef],
    ) -> (Vec<usize>, Option<AttrChange>) {
        let mut current: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        if let Some(id) = live_target {
            for pid in self.live.attached_to(id) {
                let t = self.live.policies[&pid].summary.r#type.clone();
                current.entry(t).or_default().insert(pid);
            }
        }
        // AWS attaches FullAWSAccess (RCPFullAWSAccess) to every target when the type is
        // enabled and to every new OU and account.
        for (t, pid) in [(SCP, FULL_AWS_ACCESS), (RCP, RCP_FULL_AWS_ACCESS)] {
            if self.final_types.contains(t) && (live_target.is_none() || self.enabling.contains(t))
            {
                current
                    .entry(t.to_string())
                    .or_default()
                    .insert(pid.to_string());
            }
        }
        let mut wanted: BTreeMap<String, Vec<IdRef>> = BTreeMap::new();
        for r in desired {
            if let Some((id, t)) = self.policy_ref(r, owner, origin) {
                let list = wanted.entry(t).or_default();
                if !list.contains(&id) {
                    list.push(id);
                }
            }
        }
        let before: Vec<String> = current
            .values()
            .flatten()
            .map(|id| self.policy_name(&IdRef::Known(id.clone())))
            .collect();
        let mut after: Vec<String> = Vec::new();
        let mut ops = Vec::new();
        let types: BTreeSet<String> = current.keys().chain(wanted.keys()).cloned().collect();
        for t in types {
            let cur = current.get(&t).cloned().unwrap_or_default();
            let want = wanted.get(&t).cloned().unwrap_or_default();
            if !self.final_types.contains(&t) && !want.is_empty() {
                self.error(
                    Some(owner),
                    Some(origin),
                    format!("policies of type {t} are attached here, but {t} is not enabled"),
                    Some("add it to organization.enabled_policy_types"),
                );
                continue;
            }
            if t == SCP && want.is_empty() && self.final_types.contains(SCP) {
                self.error(
                    Some(owner),
                    Some(origin),
                    "`policies` has no service control policy; AWS requires at least one SCP on every target while SCPs are enabled".into(),
                    Some("add aws_policy.FullAWSAccess or another SCP"),
                );
                continue;
            }
            let mut adds: Vec<IdRef> = want
                .iter()
                .filter(|id| id.known().is_none_or(|k| !cur.contains(k)))
                .cloned()
                .collect();
            let mut removes: Vec<IdRef> = cur
                .iter()
                .filter(|id| !want.contains(&IdRef::Known((*id).clone())))
                .filter(|id| id.as_str() != RCP_FULL_AWS_ACCESS)
                .map(|id| IdRef::Known(id.clone()))
                .collect();
            after.extend(want.iter().map(|id| self.policy_name(id)));
            if cur.contains(RCP_FULL_AWS_ACCESS)
                && !want.contains(&IdRef::Known(RCP_FULL_AWS_ACCESS.into()))
            {
                after.push("RCPFullAWSAccess".into());
            }
            let max = max_attachments(&t);
            if want.len() > max {
                self.error(
                    Some(owner),
                    Some(origin),
                    format!("{} policies of type {t} would be attached; AWS allows at most {max} per target", want.len()),
                    None,
                );
                continue;
            }
            // New attachments first while there is room; at the maximum, detach one old first.
            let mut count = cur.len();
            let mut seq: Vec<Op> = Vec::new();
            adds.reverse();
            removes.reverse();
            while let Some(add) = adds.pop() {
                if count >= max {
                    match removes.pop() {
                        Some(rem) => {
                            seq.push(Op::DetachPolicy {
                                policy: rem,
                                target: target.clone(),
                                policy_type: t.clone(),
                            });
                            count -= 1;
                        }
                        None => break,
                    }
                }
                seq.push(Op::AttachPolicy {
                    policy: add,
                    target: target.clone(),
                    policy_type: t.clone(),
                });
                count += 1;
            }
            while let Some(rem) = removes.pop() {
                seq.push(Op::DetachPolicy {
                    policy: rem,
                    target: target.clone(),
                    policy_type: t.clone(),
                });
            }
            let mut prev: Option<usize> = None;
            for op in seq {
                let i = self.push_op(owner, op);
                if let Some(p) = prev {
                    self.edges
                        .push((p, i, "attachment order on one target".into()));
                }
                prev = Some(i);
                ops.push(i);
            }
        }
        let attr = AttrChange {
            name: "policies".into(),
            before: live_target.map(|_| format!("[{}]", before.join(", "))),
            after: Some(format!("[{}]", after.join(", "))),
            document: false,
        };
        (ops, Some(attr))
    }

    /// TagResource/UntagResource that make the live tags exactly `wanted`.
    fn plan_tags(
        &mut self,
        owner: &Address,
        resource: IdRef,
        live: Option<&BTreeMap<String, String>>,
        wanted: &BTreeMap<String, String>,
    ) -> (Vec<usize>, AttrChange) {
        let empty = BTreeMap::new();
        let live = live.unwrap_or(&empty);
        let set: BTreeMap<String, String> = wanted
            .iter()
            .filter(|(k, v)| live.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let unset: BTreeSet<String> = live
            .keys()
            .filter(|k| !wanted.contains_key(*k) && !k.starts_with("aws:"))
            .cloned()
            .collect();
        let mut ops = Vec::new();
        if !set.is_empty() {
            ops.push(self.push_op(
                owner,
                Op::TagResource {
                    resource: resource.clone(),
                    tags: set,
                },
            ));
        }
        if !unset.is_empty() {
            ops.push(self.push_op(
                owner,
                Op::UntagResource {
                    resource,
                    keys: unset,
                },
            ));
        }
        let attr = AttrChange {
            name: "tags".into(),
            before: Some(show_map(live)),
            after: Some(show_map(wanted)),
            document: false,
        };
        (ops, attr)
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

    /// The tags a resource should carry: the block's, plus the ownership tag. A resource
    /// bound by its pinned id is identified by the pin, so it gets the ownership tag only if
    /// it has one already: `import` writes pinned blocks that plan with no changes.
    fn wanted_tags(
        &self,
        tags: &BTreeMap<String, String>,
        address: &Address,
        bound: Option<&Bound>,
    ) -> BTreeMap<String, String> {
        if let Some(b) = bound.filter(|b| b.how == How::Pinned && !b.retag) {
            let untagged = self
                .live
                .tags_of(&b.id)
                .is_none_or(|t| !t.contains_key(OWNERSHIP_TAG));
            if untagged {
                return tags.clone();
            }
        }
        tags_with_owner(tags, address)
    }

    fn plan_policies(&mut self) {
        for p in &self.desired.policies {
            let addr = &p.common.address;
            let bound = self.policies.get(addr).cloned();
            let tags = self.wanted_tags(&p.tags, addr, bound.as_ref());
            let content = self.resolve(&p.content);
            let desired_text = value_text(&content);
            let mut attrs = Vec::new();
            let mut ops = Vec::new();
            match &bound {
                None => {
                    ops.push(self.push_op(
                        addr,
                        Op::CreatePolicy {
                            address: addr.clone(),
                            policy_type: p.policy_type.clone(),
                            name: p.name.clone(),
                            description: p.description.clone(),
                            content: content.clone(),
                            tags: tags.clone(),
                        },
                    ));
                    attrs.push(AttrChange {
                        name: "type".into(),
                        before: None,
                        after: Some(p.policy_type.clone()),
                        document: false,
                    });
                    attrs.push(AttrChange {
                        name: "name".into(),
                        before: None,
                        after: Some(p.name.clone()),
                        document: false,
                    });
                    attrs.push(AttrChange {
                        name: "description".into(),
                        before: None,
                        after: Some(p.description.clone()),
                        document: false,
                    });
                    attrs.push(AttrChange {
                        name: "content".into(),
                        before: None,
                        after: Some(
                            desired_text
                                .as_deref()
                                .map(pretty_document)
                                .unwrap_or_else(|| UNKNOWN.into()),
                        ),
                        document: true,
                    });
                    attrs.push(AttrChange {
                        name: "tags".into(),
                        before: None,
                        after: Some(show_map(&tags)),
                        document: false,
                    });
                    attrs.push(AttrChange {
                        name: "id".into(),
                        before: None,
                        after: Some(UNKNOWN.into()),
                        document: false,
                    });
                }
                Some(b) => {
                    let lp = &self.live.policies[&b.id];
                    if lp.summary.r#type != p.policy_type {
                        self.error(
                            Some(addr),
                            Some(&p.common.origin),
                            format!("the live policy {} is a {}, the configuration says {}; a policy's type cannot change", b.id, lp.summary.r#type, p.policy_type),
                            Some("give the block a new label to create a new policy"),
                        );
                        continue;
                    }
                    let live_text = lp.content.clone().unwrap_or_default();
                    let ignore = &p.common.lifecycle.ignore_changes;
                    let content_changed = !ignore.iter().any(|i| i == "content")
                        && match &desired_text {
                            Some(t) => !same_document(&live_text, t),
                            None => true,
                        };
                    let name_changed =
                        lp.summary.name != p.name && !ignore.iter().any(|i| i == "name");
                    let desc_changed = lp.summary.description != p.description
                        && !ignore.iter().any(|i| i == "description");
                    if content_changed || name_changed || desc_changed {
                        ops.push(self.push_op(
                            addr,
                            Op::UpdatePolicy {
                                policy: b.id.clone(),
                                name: name_changed.then(|| p.name.clone()),
                                description: desc_changed.then(|| p.description.clone()),
                                content: content_changed.then(|| content.clone()),
                            },
                        ));
                    }
                    attrs.push(AttrChange {
                        name: "name".into(),
                        before: Some(lp.summary.name.clone()),
                        after: Some(p.name.clone()),
                        document: false,
                    });
                    attrs.push(AttrChange {
                        name: "description".into(),
                        before: Some(lp.summary.description.clone()),
                        after: Some(p.description.clone()),
                        document: false,
                    });
                    attrs.push(AttrChange {
                        name: "content".into(),
                        before: Some(pretty_document(&live_text)),
                        after: Some(match (&desired_text, content_changed) {
                            (Some(t), true) => pretty_document(t),
                            (Some(_), false) => pretty_document(&live_text),
                            (None, _) => UNKNOWN.into(),
                        }),
                        document: true,
                    });
                    if !ignore.iter().any(|i| i == "tags") || b.retag {
                        let wanted = if ignore.iter().any(|i| i == "tags") {
                            let mut t = lp.tags.clone();
                            t.insert(OWNERSHIP_TAG.into(), addr.to_string());
                            t
                        } else {
                            tags.clone()
                        };
                        let (tag_ops, attr) = self.plan_tags(
                            addr,
                            IdRef::Known(b.id.clone()),
                            Some(&lp.tags),
                            &wanted,
                        );
                        ops.extend(tag_ops);
                        attrs.push(attr);
                    }
                }
            }
            let action = Self::action_for(bound.as_ref(), &ops, false);
            let reason = bound.as_ref().filter(|b| b.how == How::Adopted).map(|_| {
                format!(
                    "matched by type and name {:?}; it will be tagged {OWNERSHIP_TAG}",
                    p.name
                )
            });
            self.push_change(addr, action, reason, bound.map(|b| b.id), attrs, ops);
        }
    }

    fn plan_ous(&mut self) {
        for o in self.ous_parent_first() {
            let addr = &o.common.address;
            let bound = self.ous.get(addr).cloned();
            let replaced = bound.is_some() && self.new_ous.contains(addr);
            let tags = if replaced {
                tags_with_owner(&o.tags, addr)
            } else {
                self.wanted_tags(&o.tags, addr, bound.as_ref())
            };
            let parent = self.final_parent(&o.parent);
            let mut ops = Vec::new();
            let mut attrs = Vec::new();
            let ignore = &o.common.lifecycle.ignore_changes;
            if bound.is_none() || replaced {
                let create = self.push_op(
                    addr,
                    Op::CreateOu {
                        address: addr.clone(),
                        parent: parent.clone(),
                        name: o.name.clone(),
                        tags: tags.clone(),
                    },
                );
                ops.push(create);
                let policies = o.policies.clone().unwrap_or_else(|| match &bound {
                    Some(b) => self.kept_on_replacement(&b.id),
                    None => Vec::new(),
                });
                if o.policies.is_some() || replaced {
                    let (att, attr) = self.plan_attachments(
                        addr,
                        &o.common.origin,
                        IdRef::After(addr.clone()),
                        None,
                        &policies,
                    );
                    ops.extend(att);
                    attrs.extend(attr);
                }
                let before_parent = bound
                    .as_ref()
                    .map(|b| self.live.ous[&b.id].parent_id.clone());
                let leading = vec![
                    attr(
                        "name",
                        bound.as_ref().map(|b| self.live.ous[&b.id].ou.name.clone()),
                        o.name.clone(),
                    ),
                    attr(
                        "parent",
                        before_parent.map(|id| self.show_live_parent(&id)),
                        self.show_parent(&o.parent),
                    ),
                ];
                attrs = creation_attrs(leading, attrs, &tags, false);
                if let Some(b) = &bound {
                    // The old OU goes once everything in it has moved to the new one.
                    self.replace_old_ou(addr, &o.common.origin, &b.id, &mut ops);
                }
            } else {
                let b = bound.clone().expect("bound");
                let lo = self.live.ous[&b.id].clone();
                if lo.ou.name != o.name && !ignore.iter().any(|i| i == "name") {
                    ops.push(self.push_op(
                        addr,
                        Op::RenameOu {
                            ou: IdRef::Known(b.id.clone()),
                            name: o.name.clone(),
                        },
                    ));
                }
                attrs.push(AttrChange {
                    name: "name".into(),
                    before: Some(lo.ou.name.clone()),
                    after: Some(o.name.clone()),
                    document: false,
                });
                let (more_ops, more_attrs) =
                    self.plan_in_place(&o.common, &b, o.policies.as_deref(), &lo.tags, &tags);
                ops.extend(more_ops);
                attrs.extend(more_attrs);
            }
            let action = if replaced {
                Action::Replace
            } else {
                Self::action_for(bound.as_ref(), &ops, false)
            };
            let reason = if replaced {
                Some("parent changed: AWS cannot move an OU, so a new one is created under the new parent with the same policies and tags, the accounts and child OUs move to it, and the old one is deleted".to_string())
            } else {
                bound.as_ref().filter(|b| b.how == How::Adopted).map(|_| {
                    format!(
                        "matched by parent and name {:?}; it will be tagged {OWNERSHIP_TAG}",
                        o.name
                    )
                })
            };
            self.push_change(addr, action, reason, bound.map(|b| b.id), attrs, ops);
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
        } else if live_tags.contains_key(ROLES_TAG) != tags.contains_key(ROLES_TAG) {
            // Tags the user manages elsewhere are left alone, but the roles tag is orgchard's
            // own record of where its roles are: without it a removed role would be lost.
            let mut wanted = live_tags.clone();
            match tags.get(ROLES_TAG) {
                Some(v) => wanted.insert(ROLES_TAG.into(), v.clone()),
                None => wanted.remove(ROLES_TAG),
            };
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

    /// What the replacement of an OU whose block has no `policies` list gets attached: the
    /// old OU's policies, except those this plan deletes (attaching one would race its
    /// deletion). When that would leave no SCP, the old list is kept unchanged and
    /// `plan_orphans` reports the deleted policy as the OU's last SCP.
    fn kept_on_replacement(&self, old: &str) -> Vec<PolicyRef> {
        let all = self.live.attached_to(old);
        let gone = self.policies_to_delete();
        let kept: Vec<&String> = all.iter().filter(|p| !gone.contains(*p)).collect();
        let has_scp = kept
            .iter()
            .any(|p| self.live.policies[*p].summary.r#type == SCP);
        if has_scp || !self.final_types.contains(SCP) {
            kept.into_iter().cloned().map(PolicyRef::Id).collect()
        } else {
            all.into_iter().map(PolicyRef::Id).collect()
        }
    }

    /// Customer policies that carry the ownership tag but that no block is bound to: the
    /// plan deletes them.
    fn policies_to_delete(&self) -> BTreeSet<String> {
        let bound: BTreeSet<&String> = self.policies.values().map(|b| &b.id).collect();
        self.live
            .policies
            .iter()
            .filter(|(id, p)| {
                !p.summary.aws_managed && !bound.contains(id) && owner_of(&p.tags).is_some()
            })
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// The old half of an OU replacement: accounts nobody manages are carried to the new OU,
    /// then the old OU is deleted (the graph orders it after every move out and every
    /// child deletion).
    fn replace_old_ou(
        &mut self,
        addr: &Address,
        origin: &SourceSpan,
        old: &str,
        ops: &mut Vec<usize>,
    ) {
        let managed: BTreeSet<String> = self.accounts.values().map(|b| b.id.clone()).collect();
        let stranded: Vec<String> = self
            .live
            .accounts
            .iter()
            .filter(|(id, a)| a.parent_id == old && !managed.contains(*id))
            .map(|(id, _)| id.clone())
            .collect();
        for id in stranded {
            ops.push(self.push_op(
                addr,
                Op::MoveAccount {
                    account: IdRef::Known(id),
                    from: IdRef::Known(old.to_string()),
                    to: IdRef::After(addr.clone()),
                },
            ));
        }
        let managed_ous: BTreeSet<String> = self.ous.values().map(|b| b.id.clone()).collect();
        let unmanaged_children: Vec<String> = self
            .live
            .ous
            .iter()
            .filter(|(id, o)| {
                o.parent_id == old && !managed_ous.contains(*id) && owner_of(&o.tags).is_none()
            })
            .map(|(_, o)| o.ou.name.clone())
            .collect();
        if !unmanaged_children.is_empty() {
            self.error(
                Some(addr),
                Some(origin),
                format!(
                    "cannot replace this OU: it contains OUs the configuration does not manage ({}), and AWS cannot move OUs",
                    unmanaged_children.join(", ")
                ),
                Some("add them to the configuration (they will be rebuilt under the new OU) or move the OU back"),
            );
        }
        ops.push(self.push_op(
            addr,
            Op::DeleteOu {
                ou: old.to_string(),
            },
        ));
    }

    fn plan_root(&mut self) {
        let Some(root) = &self.desired.root else {
            return;
        };
        let addr = Address::root();
        let id = self.live.root.id.clone();
        let mut ops = Vec::new();
        let mut attrs = Vec::new();
        if let Some(policies) = &root.policies {
            let (att, attr) = self.plan_attachments(
                &addr,
                &root.origin,
                IdRef::Known(id.clone()),
                Some(&id),
                policies,
            );
            ops.extend(att);
            attrs.extend(attr);
        }
        if let Some(tags) = &root.tags {
            let live_tags = self.live.root_tags.clone();
            let (tag_ops, attr) =
                self.plan_tags(&addr, IdRef::Known(id.clone()), Some(&live_tags), tags);
            ops.extend(tag_ops);
            attrs.push(attr);
        }
        let action = if ops.is_empty() {
            Action::Read
        } else {
            Action::Update
        };
        self.push_change(&addr, action, None, Some(id), attrs, ops);
    }

    fn plan_accounts(&mut self) {
        let hold_roles: BTreeSet<&Address> = self
            .desired
            .roles
            .iter()
            .filter_map(|r| match &r.account {
                AccountRef::Account(a) => Some(a),
                _ => None,
            })
            .collect();
        for a in &self.desired.accounts {
            let addr = &a.common.address;
            let bound = self.accounts.get(addr).cloned();
            let mut tags = self.wanted_tags(&a.tags, addr, bound.as_ref());
            if hold_roles.contains(addr) {
                tags.insert(ROLES_TAG.into(), ROLES_TAG_VALUE.into());
            }
            let parent = self.final_parent(&a.parent);
            let root = IdRef::Known(self.live.root.id.clone());
            let ignore = &a.common.lifecycle.ignore_changes;
            let mut ops = Vec::new();
            let mut attrs = Vec::new();
            let mut moved = false;
            match &bound {
                None => {
                    ops.push(self.push_op(
                        addr,
                        Op::CreateAccount {
                            address: addr.clone(),
                            email: a.email.clone(),
                            name: a.name.clone(),
                            role_name: a.role_name.clone(),
                            iam_user_access_to_billing: a.iam_user_access_to_billing.clone(),
                            tags: tags.clone(),
                        },
                    ));
                    // CreateAccount always lands in the root.
                    if parent != root {
                        ops.push(self.push_op(
                            addr,
                            Op::MoveAccount {
                                account: IdRef::After(addr.clone()),
                                from: root.clone(),
                                to: parent.clone(),
                            },
                        ));
                    }
                    if let Some(policies) = &a.policies {
                        let (att, attr) = self.plan_attachments(
                            addr,
                            &a.common.origin,
                            IdRef::After(addr.clone()),
                            None,
                            policies,
                        );
                        ops.extend(att);
                        attrs.extend(attr);
                    }
                    let leading = vec![
                        attr("name", None, a.name.clone()),
                        attr("email", None, a.email.clone()),
                        attr("parent", None, self.show_parent(&a.parent)),
                    ];
                    attrs = creation_attrs(leading, attrs, &tags, true);
                    if let Some(pending) = self
                        .live
                        .pending_account_creations
                        .iter()
                        .find(|c| c.account_name == a.name)
                    {
                        self.warnings.push(format!(
                            "{addr}: a creation of an account named {:?} is still in progress (request {}); apply waits for it instead of creating another",
                            a.name, pending.id
                        ));
                    }
                }
                Some(b) => {
                    let la = self.live.accounts[&b.id].clone();
                    if la.account.status != "ACTIVE" {
                        self.warnings
                            .push(format!("{addr}: account {} is {}", b.id, la.account.status));
                    }
                    let from = IdRef::Known(la.parent_id.clone());
                    if from != parent && !ignore.iter().any(|i| i == "parent") {
                        ops.push(self.push_op(
                            addr,
                            Op::MoveAccount {
                                account: IdRef::Known(b.id.clone()),
                                from,
                                to: parent.clone(),
                            },
                        ));
                        moved = true;
                    }
                    attrs.push(AttrChange {
                        name: "parent".into(),
                        before: Some(self.show_live_parent(&la.parent_id)),
                        after: Some(self.show_parent(&a.parent)),
                        document: false,
                    });
                    if la.account.name != a.name && !ignore.iter().any(|i| i == "name") {
                        ops.push(self.push_op(
                            addr,
                            Op::RenameAccount {
                                account: b.id.clone(),
                                name: a.name.clone(),
                            },
                        ));
                    }
                    attrs.push(AttrChange {
                        name: "name".into(),
                        before: Some(la.account.name.clone()),
                        after: Some(a.name.clone()),
                        document: false,
                    });
                    if !la.account.email.eq_ignore_ascii_case(&a.email)
                        && !ignore.iter().any(|i| i == "email")
                    {
                        self.warnings.push(format!(
                            "{addr}: the account's email is {} and the configuration says {}; AWS lets only the account's root user change it, so orgchard leaves it",
                            la.account.email, a.email
                        ));
                    }
                    let (more_ops, more_attrs) =
                        self.plan_in_place(&a.common, b, a.policies.as_deref(), &la.tags, &tags);
                    ops.extend(more_ops);
                    attrs.extend(more_attrs);
                }
            }
            let action = Self::action_for(bound.as_ref(), &ops, moved);
            let reason = bound.as_ref().filter(|b| b.how == How::Adopted).map(|_| {
                format!(
                    "matched by email {:?}; it will be tagged {OWNERSHIP_TAG}",
                    a.email
                )
            });
            self.push_change(addr, action, reason, bound.map(|b| b.id), attrs, ops);
        }
    }

    fn plan_delegated_administrators(&mut self) {
        let principals: BTreeSet<String> = self
            .desired
            .delegated_administrators
            .iter()
            .map(|d| d.service_principal.clone())
            .collect();
        let mut wanted: BTreeSet<(String, String)> = BTreeSet::new();
        for d in &self.desired.delegated_administrators {
            let addr = &d.common.address;
            let account = self.final_account(&d.account);
            if account.known() == Some(self.live.organization.master_account_id.as_str()) {
                self.error(
                    Some(addr),
                    Some(&d.common.origin),
                    "the management account cannot be a delegated administrator".into(),
                    Some("name a member account"),
                );
                continue;
            }
            let exists = account.known().is_some_and(|id| {
                self.live
                    .delegated_administrators
                    .contains(&(id.to_string(), d.service_principal.clone()))
            });
            if let Some(id) = account.known() {
                wanted.insert((id.to_string(), d.service_principal.clone()));
            }
            let mut ops = Vec::new();
            if !exists {
                ops.push(self.push_op(
                    addr,
                    Op::RegisterDelegatedAdministrator {
                        account: account.clone(),
                        principal: d.service_principal.clone(),
                    },
                ));
            }
            let attrs = vec![
                AttrChange {
                    name: "account".into(),
                    before: exists.then(|| account.to_string()),
                    after: Some(account.to_string()),
                    document: false,
                },
                AttrChange {
                    name: "service_principal".into(),
                    before: exists.then(|| d.service_principal.clone()),
                    after: Some(d.service_principal.clone()),
                    document: false,
                },
            ];
            let action = if exists { Action::Read } else { Action::Create };
            self.push_change(
                addr,
                action,
                None,
                account.known().map(str::to_string),
                attrs,
                ops,
            );
        }
        // For the services the configuration names, the delegated administrators are exactly
        // the configured ones (they carry no tags, so ownership is by service).
        let stale: Vec<(String, String)> = self
            .live
            .delegated_administrators
            .iter()
            .filter(|(a, p)| principals.contains(p) && !wanted.contains(&(a.clone(), p.clone())))
            .cloned()
            .collect();
        for (account, principal) in stale {
            let addr = Address::new(ResourceKind::DelegatedAdministrator, "stale")
                .with_key(format!("{principal}/{account}"));
            let op = self.push_op(
                &addr,
                Op::DeregisterDelegatedAdministrator {
                    account: account.clone(),
                    principal: principal.clone(),
                },
            );
            self.push_change(
                &addr,
                Action::Delete,
                Some(format!("{account} is a delegated administrator for {principal}, which the configuration gives to another account")),
                Some(account),
                vec![],
                vec![op],
            );
        }
    }

    fn plan_roles(&mut self) {
        let management = self.live.organization.master_account_id.clone();
        for r in &self.desired.roles {
            let addr = &r.common.address;
            let account = self.final_account(&r.account);
            let tags = tags_with_owner(&r.tags, addr);
            let trust = self.resolve(r.trust.document());
            let inline: BTreeMap<String, Value> = r
                .inline_policies
                .iter()
                .map(|(k, v)| (k.clone(), self.resolve(v)))
                .collect();
            let live_role = account
                .known()
                .and_then(|id| self.live.roles.get(id))
                .and_then(|m| m.get(&r.name))
                .cloned();
            let read = account
                .known()
                .is_some_and(|id| self.live.roles_read_in.contains(id));
            if account.known().is_some() && !read {
                self.warnings.push(format!("{addr}: the roles of account {account} were not read; the role is planned as if absent"));
            }
            let mut ops = Vec::new();
            let mut attrs = Vec::new();
            let ignore = &r.common.lifecycle.ignore_changes;
            let replace = live_role.as_ref().is_some_and(|l| l.role.path != r.path);
            if let Some(l) = live_role.as_ref().filter(|_| replace) {
                let del = self.delete_role_ops(addr, &account, l);
                ops.extend(del);
            }
            match live_role.as_ref().filter(|_| !replace) {
                None => {
                    let create = self.push_op(
                        addr,
                        Op::CreateRole {
                            account: account.clone(),
                            name: r.name.clone(),
                            path: r.path.clone(),
                            trust: trust.clone(),
                            description: r.description.clone(),
                            max_session_duration: r.max_session_duration,
                            permissions_boundary: r.permissions_boundary.clone(),
                            tags: tags.clone(),
                        },
                    );
                    if let Some(&last_delete) = ops.last() {
                        self.edges.push((
                            last_delete,
                            create,
                            "a role is deleted before it is created again".into(),
                        ));
                    }
                    ops.push(create);
                    for arn in &r.managed_policy_arns {
                        let i = self.push_op(
                            addr,
                            Op::AttachRolePolicy {
                                account: account.clone(),
                                role: r.name.clone(),
                                policy_arn: arn.clone(),
                            },
                        );
                        self.edges.push((
                            create,
                            i,
                            "a role is created before its policies are attached".into(),
                        ));
                        ops.push(i);
                    }
                    for (name, doc) in &inline {
                        let i = self.push_op(
                            addr,
                            Op::PutRolePolicy {
                                account: account.clone(),
                                role: r.name.clone(),
                                policy_name: name.clone(),
                                document: doc.clone(),
                            },
                        );
                        self.edges.push((
                            create,
                            i,
                            "a role is created before its inline policies are put".into(),
                        ));
                        ops.push(i);
                    }
                    attrs.push(AttrChange {
                        name: "account".into(),
                        before: None,
                        after: Some(account.to_string()),
                        document: false,
                    });
                    attrs.push(AttrChange {
                        name: "name".into(),
                        before: None,
                        after: Some(r.name.clone()),
                        document: false,
                    });
                    attrs.push(AttrChange {
                        name: "assume_role_policy".into(),
                        before: None,
                        after: Some(
                            value_text(&trust)
                                .map(|t| pretty_document(&t))
                                .unwrap_or_else(|| UNKNOWN.into()),
                        ),
                        document: true,
                    });
                    attrs.push(AttrChange {
                        name: "managed_policy_arns".into(),
                        before: None,
                        after: Some(format!("{:?}", r.managed_policy_arns)),
                        document: false,
                    });
                }
                Some(l) => {
                    let live_trust = l.role.assume_role_policy_document.clone();
                    let trust_text = value_text(&trust);
                    if !ignore
                        .iter()
                        .any(|i| i == "assume_role_policy" || i == "trusted_accounts")
                        && trust_text
                            .as_ref()
                            .is_none_or(|t| !same_document(&live_trust, t))
                    {
                        ops.push(self.push_op(
                            addr,
                            Op::UpdateAssumeRolePolicy {
                                account: account.clone(),
                                name: r.name.clone(),
                                trust: trust.clone(),
                            },
                        ));
                    }
                    attrs.push(AttrChange {
                        name: "assume_role_policy".into(),
                        before: Some(pretty_document(&live_trust)),
                        after: Some(
                            trust_text
                                .map(|t| pretty_document(&t))
                                .unwrap_or_else(|| UNKNOWN.into()),
                        ),
                        document: true,
                    });
                    let want_session = r.max_session_duration.unwrap_or(3600) as i32;
                    if (l.role.description != r.description && r.description.is_some())
                        || l.role.max_session_duration != want_session
                    {
                        ops.push(self.push_op(
                            addr,
                            Op::UpdateRole {
                                account: account.clone(),
                                name: r.name.clone(),
                                description: r.description.clone(),
                                max_session_duration: Some(want_session as u32),
                            },
                        ));
                    }
                    let want: BTreeSet<String> = r.managed_policy_arns.iter().cloned().collect();
                    for arn in want.difference(&l.managed_policy_arns) {
                        ops.push(self.push_op(
                            addr,
                            Op::AttachRolePolicy {
                                account: account.clone(),
                                role: r.name.clone(),
                                policy_arn: arn.clone(),
                            },
                        ));
                    }
                    for arn in l.managed_policy_arns.difference(&want) {
                        ops.push(self.push_op(
                            addr,
                            Op::DetachRolePolicy {
                                account: account.clone(),
                                role: r.name.clone(),
                                policy_arn: arn.clone(),
                            },
                        ));
                    }
                    attrs.push(AttrChange {
                        name: "managed_policy_arns".into(),
                        before: Some(format!("{:?}", l.managed_policy_arns)),
                        after: Some(format!("{want:?}")),
                        document: false,
                    });
                    for (name, doc) in &inline {
                        let text = value_text(doc);
                        let same = match (l.inline_policies.get(name), &text) {
                            (Some(live), Some(t)) => same_document(live, t),
                            _ => false,
                        };
                        if !same {
                            ops.push(self.push_op(
                                addr,
                                Op::PutRolePolicy {
                                    account: account.clone(),
                                    role: r.name.clone(),
                                    policy_name: name.clone(),
                                    document: doc.clone(),
                                },
                            ));
                            attrs.push(AttrChange {
                                name: format!("inline_policy.{name}"),
                                before: l.inline_policies.get(name).map(|t| pretty_document(t)),
                                after: Some(
                                    text.map(|t| pretty_document(&t))
                                        .unwrap_or_else(|| UNKNOWN.into()),
                                ),
                                document: true,
                            });
                        }
                    }
                    for name in l
                        .inline_policies
                        .keys()
                        .filter(|n| !inline.contains_key(*n))
                    {
                        ops.push(self.push_op(
                            addr,
                            Op::DeleteRolePolicy {
                                account: account.clone(),
                                role: r.name.clone(),
                                policy_name: name.clone(),
                            },
                        ));
                        attrs.push(AttrChange {
                            name: format!("inline_policy.{name}"),
                            before: Some(pretty_document(&l.inline_policies[name])),
                            after: None,
                            document: true,
                        });
                    }
                    let live_tags = tags_to_map(&l.role.tags);
                    let set: BTreeMap<String, String> = tags
                        .iter()
                        .filter(|(k, v)| live_tags.get(*k) != Some(*v))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    let unset: BTreeSet<String> = live_tags
                        .keys()
                        .filter(|k| !tags.contains_key(*k) && !k.starts_with("aws:"))
                        .cloned()
                        .collect();
                    if !set.is_empty() {
                        ops.push(self.push_op(
                            addr,
                            Op::TagRole {
                                account: account.clone(),
                                role: r.name.clone(),
                                tags: set,
                            },
                        ));
                    }
                    if !unset.is_empty() {
                        ops.push(self.push_op(
                            addr,
                            Op::UntagRole {
                                account: account.clone(),
                                role: r.name.clone(),
                                keys: unset,
                            },
                        ));
                    }
                    attrs.push(AttrChange {
                        name: "tags".into(),
                        before: Some(show_map(&live_tags)),
                        after: Some(show_map(&tags)),
                        document: false,
                    });
                }
            }
            let adopted = live_role
                .as_ref()
                .is_some_and(|l| !tags_to_map(&l.role.tags).contains_key(OWNERSHIP_TAG));
            let action = if replace {
                Action::Replace
            } else if live_role.is_none() {
                Action::Create
            } else if adopted {
                Action::Adopt
            } else if ops.is_empty() {
                Action::Read
            } else {
                Action::Update
            };
            let reason = if replace {
                Some("path changed: IAM cannot change a role's path".to_string())
            } else if adopted {
                Some(format!(
                    "matched by account and name {:?}; it will be tagged {OWNERSHIP_TAG}",
                    r.name
                ))
            } else {
                None
            };
            let _ = &management;
            self.push_change(
                addr,
                action,
                reason,
                live_role.map(|l| l.role.arn),
                attrs,
                ops,
            );
        }
    }

    fn delete_role_ops(
        &mut self,
        addr: &Address,
        account: &IdRef,
        l: &crate::model::live::LiveRole,
    ) -> Vec<usize> {
        let mut first = Vec::new();
        for arn in &l.managed_policy_arns {
            first.push(self.push_op(
                addr,
                Op::DetachRolePolicy {
                    account: account.clone(),
                    role: l.role.role_name.clone(),
                    policy_arn: arn.clone(),
                },
            ));
        }
        for name in l.inline_policies.keys() {
            first.push(self.push_op(
                addr,
                Op::DeleteRolePolicy {
                    account: account.clone(),
                    role: l.role.role_name.clone(),
                    policy_name: name.clone(),
                },
            ));
        }
        let del = self.push_op(
            addr,
            Op::DeleteRole {
                account: account.clone(),
                role: l.role.role_name.clone(),
            },
        );
        for &i in &first {
            self.edges.push((
                i,
                del,
                "a role's policies are removed before the role is deleted".into(),
            ));
        }
        first.push(del);
        first
    }

    /// Resources that carry the ownership tag but whose address is gone from the
    /// configuration: deleted (OUs, policies, roles) or handled by `account_removal`.
    fn plan_orphans(&mut self) {
        let bound_ids: BTreeSet<String> = self
            .ous
            .values()
            .chain(self.accounts.values())
            .chain(self.policies.values())
            .map(|b| b.id.clone())
            .collect();
        let live = self.live;
        // Accounts.
        for (id, la) in &live.accounts {
            let Some(owner) = owner_of(&la.tags) else {
                continue;
            };
            if bound_ids.contains(id) {
                continue;
            }
            let (action, op) = match self.desired.organization.account_removal {
                // Forgetting removes the ownership tag: otherwise every later plan would
                // find the account again and plan to forget it again, never converging.
                model::AccountRemoval::Ignore => (
                    Action::Forget,
                    Some(Op::UntagResource {
                        resource: IdRef::Known(id.clone()),
                        keys: [OWNERSHIP_TAG.to_string()].into(),
                    }),
                ),
                model::AccountRemoval::Remove => (
                    Action::Delete,
                    Some(Op::RemoveAccount {
                        account: id.clone(),
                    }),
                ),
                model::AccountRemoval::Close => (
                    Action::Delete,
                    Some(Op::CloseAccount {
                        account: id.clone(),
                    }),
                ),
            };
            let ops = op
                .map(|o| vec![self.push_op(&owner, o)])
                .unwrap_or_default();
            self.push_change(
                &owner,
                action,
                Some(format!(
                    "its block was removed; organization.account_removal = {:?}",
                    format!("{:?}", self.desired.organization.account_removal).to_lowercase()
                )),
                Some(id.clone()),
                vec![],
                ops,
            );
        }
        // OUs, deepest first.
        let mut orphan_ous: Vec<(usize, String, Address)> = live
            .ous
            .iter()
            .filter(|(id, _)| !bound_ids.contains(*id))
            .filter_map(|(id, o)| {
                owner_of(&o.tags).map(|a| (live.ancestors(id).len(), id.clone(), a))
            })
            .collect();
        orphan_ous.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let deleted_ous: BTreeSet<String> =
            orphan_ous.iter().map(|(_, id, _)| id.clone()).collect();
        for (_, id, owner) in &orphan_ous {
            // Stale halves of an interrupted replace carry the same address as the live block.
            let address = if self.ous.contains_key(owner) {
                owner.clone().with_key(format!("stale {id}"))
            } else {
                owner.clone()
            };
            let managed_accounts: BTreeSet<&String> =
                self.accounts.values().map(|b| &b.id).collect();
            let stuck: Vec<String> = live
                .accounts
                .iter()
                .filter(|(aid, a)| &a.parent_id == id && !managed_accounts.contains(aid))
                .filter(|(_, a)| {
                    owner_of(&a.tags).is_none()
                        || self.desired.organization.account_removal
                            != model::AccountRemoval::Remove
                })
                .map(|(aid, a)| format!("{} ({aid})", a.account.name))
                .collect();
            let stuck_ous: Vec<String> = live
                .ous
                .iter()
                .filter(|(oid, o)| {
                    &o.parent_id == id && !deleted_ous.contains(*oid) && !bound_ids.contains(*oid)
                })
                .map(|(oid, o)| format!("{} ({oid})", o.ou.name))
                .collect();
            if !stuck.is_empty() || !stuck_ous.is_empty() {
                let mut what = stuck;
                what.extend(stuck_ous);
                self.error(
                    Some(&address),
                    None,
                    format!(
                        "the OU {} ({id}) is no longer configured and would be deleted, but it still contains {} that the configuration does not move elsewhere",
                        live.ous[id].ou.name,
                        what.join(", ")
                    ),
                    Some("add those accounts to the configuration with another parent, or keep the OU's block"),
                );
                continue;
            }
            let op = self.push_op(&address, Op::DeleteOu { ou: id.clone() });
            self.push_change(
                &address,
                Action::Delete,
                Some("its block was removed from the configuration".into()),
                Some(id.clone()),
                vec![],
                vec![op],
            );
        }
        // Policies.
        let managed_targets: BTreeSet<String> = self.attachment_managed_targets();
        let replaced_ous: BTreeSet<String> = self
            .ous
            .iter()
            .filter(|(a, _)| self.new_ous.contains(*a))
            .map(|(_, b)| b.id.clone())
            .collect();
        for (id, lp) in &live.policies {
            if lp.summary.aws_managed || bound_ids.contains(id) {
                continue;
            }
            let Some(owner) = owner_of(&lp.tags) else {
                continue;
            };
            let address = if self.policies.contains_key(&owner) {
                owner.clone().with_key(format!("stale {id}"))
            } else {
                owner
            };
            let mut ops = Vec::new();
            // Targets whose attachments the configuration manages detach it in their own
            // sequence; for the others it is detached here, unless it is their last SCP.
            for target in &lp.targets {
                if managed_targets.contains(target) || deleted_ous.contains(target) {
                    continue;
                }
                if lp.summary.r#type == SCP
                    && live
                        .attached_to(target)
                        .iter()
                        .filter(|p| live.policies[*p].summary.r#type == SCP)
                        .count()
                        <= 1
                {
                    self.error(
                        Some(&address),
                        None,
                        format!("the policy {} ({id}) would be deleted, but it is the only SCP attached to {target}, and AWS never leaves a target without an SCP", lp.summary.name),
                        Some("give that target a `policies` list with another SCP, or keep the policy's block"),
                    );
                    continue;
                }
                // The old half of a replaced OU is deleted, which takes its attachments with
                // it (the deletion of the policy waits for it); a detach could run after it.
                if replaced_ous.contains(target) {
                    continue;
                }
                ops.push(self.push_op(
                    &address,
                    Op::DetachPolicy {
                        policy: IdRef::Known(id.clone()),
                        target: IdRef::Known(target.clone()),
                        policy_type: lp.summary.r#type.clone(),
                    },
                ));
            }
            ops.push(self.push_op(&address, Op::DeletePolicy { policy: id.clone() }));
            self.push_change(
                &address,
                Action::Delete,
                Some("its block was removed from the configuration".into()),
                Some(id.clone()),
                vec![],
                ops,
            );
        }
        // Roles in the accounts that were read.
        let configured: BTreeSet<(String, String)> = self
            .desired
            .roles
            .iter()
            .filter_map(|r| {
                self.final_account(&r.account)
                    .known()
                    .map(|a| (a.to_string(), r.name.clone()))
            })
            .collect();
        for (account, roles) in &live.roles {
            for (name, l) in roles {
                let Some(owner) = owner_of(&tags_to_map(&l.role.tags)) else {
                    continue;
                };
                if configured.contains(&(account.clone(), name.clone())) {
                    continue;
                }
                let ops = self.delete_role_ops(&owner, &IdRef::Known(account.clone()), l);
                self.push_change(
                    &owner,
                    Action::Delete,
                    Some("its block was removed from the configuration".into()),
                    Some(l.role.arn.clone()),
                    vec![],
                    ops,
                );
            }
        }
    }

    /// AWS keeps an OU's name unique under its parent, a policy's name within its type and
    /// an account's email across accounts. A create or rename onto a name that a live
    /// resource still holds would fail at apply (DuplicateOrganizationalUnitException,
    /// DuplicatePolicyException, EMAIL_ALREADY_EXISTS): when this plan frees the name (deletes
    /// the holder or renames it away) the freeing runs first; otherwise it is a plan error.
    /// A holder the configuration could adopt was adopted when matching, so what is left here
    /// is a name held by something the block did not match.
    fn check_unique_names(&mut self) {
        let live = self.live;
        let mut errors: Vec<(Address, String, &'static str)> = Vec::new();
        let mut edges = Vec::new();
        // Indexed once: a plan may create thousands of accounts in an organization of
        // thousands.
        let mut by_email: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (id, a) in &live.accounts {
            by_email
                .entry(a.account.email.to_ascii_lowercase())
                .or_default()
                .push(id.clone());
        }
        for (i, p) in self.ops.iter().enumerate() {
            // (what is taken, the holders, the AWS error, help)
            let (what, holders, code, help): (String, Vec<String>, &str, &str) = match &p.op {
                Op::CreateOu {
                    parent: IdRef::Known(parent),
                    name,
                    ..
                } => (
                    format!(
                        "an OU named {name:?} under {}",
                        self.show_live_parent(parent)
                    ),
                    self.ous_named(parent, name, None),
                    "DuplicateOrganizationalUnitException",
                    "pin the block to that OU with `id` to manage it, or choose another name",
                ),
                Op::RenameOu {
                    ou: IdRef::Known(id),
                    name,
                } => {
                    let parent = &live.ous[id].parent_id;
                    (
                        format!(
                            "an OU named {name:?} under {}",
                            self.show_live_parent(parent)
                        ),
                        self.ous_named(parent, name, Some(id)),
                        "DuplicateOrganizationalUnitException",
                        "choose another name, or move or rename that OU first",
                    )
                }
                Op::CreatePolicy {
                    policy_type, name, ..
                } => (
                    format!("a {policy_type} named {name:?}"),
                    self.policies_named(policy_type, name, None),
                    "DuplicatePolicyException",
                    "pin the block to that policy with `id` to manage it, or choose another name",
                ),
                Op::UpdatePolicy {
                    policy,
                    name: Some(name),
                    ..
                } => {
                    let t = &live.policies[policy].summary.r#type;
                    (
                        format!("a {t} named {name:?}"),
                        self.policies_named(t, name, Some(policy)),
                        "DuplicatePolicyException",
                        "choose another name, or rename that policy first",
                    )
                }
                Op::CreateAccount { email, .. } => (
                    format!("an account with the email {email}"),
                    by_email
                        .get(&email.to_ascii_lowercase())
                        .cloned()
                        .unwrap_or_default(),
                    "EMAIL_ALREADY_EXISTS",
                    "an email belongs to one account for good; to keep managing the existing account under this block, add a `moved` block from its old address or pin `id`",
                ),
                _ => continue,
            };
            for holder in holders {
                // Renamed away, or the old half of a replaced OU (the OU itself lives on
                // under its new parent): the name is free once that has run.
                let renames: Vec<usize> = self
                    .ops
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| {
                        renames_away(&o.op, &holder)
                            || matches!(&o.op, Op::DeleteOu { ou } if *ou == holder
                                && self.new_ous.contains(&o.address))
                    })
                    .map(|(j, _)| j)
                    .collect();
                if !renames.is_empty() {
                    for j in renames {
                        edges.push((j, i, "the name is freed before it is taken".to_string()));
                    }
                    continue;
                }
                // Deleting the holder and creating its twin is a block whose label changed:
                // ordering the creation after the deletion would wait on the twin's own
                // attachments and moves, so it is refused with the fix.
                let deleted_by = self.ops.iter().find_map(|o| match &o.op {
                    Op::DeleteOu { ou } if *ou == holder => Some(o.address.clone()),
                    Op::DeletePolicy { policy } if *policy == holder => Some(o.address.clone()),
                    _ => None,
                });
                let (message, help) = match deleted_by {
                    Some(old) => (
                        format!(
                            "{what} already exists ({holder}, {old}), which this plan deletes; AWS would refuse the new one with {code} until it is gone"
                        ),
                        "if the block was renamed, add a `moved` block from the old address to keep the live resource",
                    ),
                    None => (
                        format!(
                            "{what} already exists ({holder}, {}); AWS would refuse it with {code}",
                            self.holder_status(&holder)
                        ),
                        help,
                    ),
                };
                errors.push((p.address.clone(), message, help));
            }
        }
        self.edges.extend(edges);
        for (address, message, help) in errors {
            let origin = self.origin_of(&address);
            self.error(Some(&address), origin.as_ref(), message, Some(help));
        }
    }

    /// AWS Organizations' quotas that the live state plus the plan can exceed. Counts are
    /// peaks: the plan's deletions are not ordered before its creations (a replaced OU's
    /// new half even exists before its old half is deleted), so they are not subtracted.
    fn check_quotas(&mut self) {
        let live = self.live;
        let creates_ous = self
            .ops
            .iter()
            .filter(|p| matches!(p.op, Op::CreateOu { .. }))
            .count() as u64;
        let live_ous = live.ous.len() as u64;
        if creates_ous > 0 && live_ous + creates_ous > quotas::OUS_PER_ORGANIZATION {
            self.error(
                None,
                None,
                format!(
                    "the organization has {live_ous} OUs and the plan creates {creates_ous} more (a replaced OU's new half included), over AWS's quota of {} OUs per organization",
                    quotas::OUS_PER_ORGANIZATION
                ),
                Some("delete OUs in an earlier apply, or create fewer"),
            );
        }
        let mut creates_policies: BTreeMap<String, u64> = BTreeMap::new();
        for p in &self.ops {
            if let Op::CreatePolicy { policy_type, .. } = &p.op {
                *creates_policies.entry(policy_type.clone()).or_default() += 1;
            }
        }
        for (t, n) in creates_policies {
            let have = live
                .policies
                .values()
                .filter(|p| !p.summary.aws_managed && p.summary.r#type == t)
                .count() as u64;
            let max = quotas::policies_per_organization(&t);
            if have + n > max {
                self.error(
                    None,
                    None,
                    format!(
                        "the organization has {have} policies of type {t} and the plan creates {n} more, over AWS's quota of {max} per type"
                    ),
                    Some("delete policies in an earlier apply, or create fewer"),
                );
            }
        }
        // Tags: the block's own plus the ownership tag, or the live ones merged with the
        // plan's TagResource (which AWS counts before the UntagResource runs).
        let max = quotas::TAGS_PER_RESOURCE as usize;
        let mut over: Vec<(Address, usize)> = Vec::new();
        let mut edges = Vec::new();
        for (i, p) in self.ops.iter().enumerate() {
            match &p.op {
                Op::CreateOu { tags, .. }
                | Op::CreateAccount { tags, .. }
                | Op::CreatePolicy { tags, .. }
                | Op::CreateRole { tags, .. }
                    if tags.len() > max =>
                {
                    over.push((p.address.clone(), tags.len()));
                }
                Op::TagResource {
                    resource: IdRef::Known(id),
                    tags,
                } => {
                    let current: BTreeSet<&String> = live
                        .tags_of(id)
                        .map(|t| t.keys().collect())
                        .unwrap_or_default();
                    let merged: BTreeSet<&String> =
                        current.iter().copied().chain(tags.keys()).collect();
                    if merged.len() <= max {
                        continue;
                    }
                    let untag = self.ops.iter().enumerate().find(|(_, o)| {
                        matches!(&o.op, Op::UntagResource { resource: IdRef::Known(r), .. } if r == id)
                    });
                    let removed: BTreeSet<&String> = match untag {
                        Some((
                            _,
                            PlannedOp {
                                op: Op::UntagResource { keys, .. },
                                ..
                            },
                        )) => keys.iter().collect(),
                        _ => BTreeSet::new(),
                    };
                    let after = merged.iter().filter(|k| !removed.contains(**k)).count();
                    if after > max {
                        over.push((p.address.clone(), after));
                    } else if let Some((j, _)) = untag {
                        edges.push((j, i, "tags are removed before others are added, to stay within AWS's tag quota".to_string()));
                    }
                }
                _ => {}
            }
        }
        self.edges.extend(edges);
        for (address, n) in over {
            let origin = self.origin_of(&address);
            self.error(
                Some(&address),
                origin.as_ref(),
                format!("the resource would carry {n} tags (orgchard's ownership tag {OWNERSHIP_TAG} included), over AWS's quota of {max} tags per resource"),
                Some("remove tags from the block: orgchard needs one of the 50 for its ownership tag"),
            );
        }
        // Depth, where a parent is given by a live id the configuration cannot see through.
        let depths = self.final_depths();
        for o in &self.desired.organizational_units {
            let d = depths.get(&o.common.address).copied().unwrap_or(0);
            if d > quotas::MAX_OU_DEPTH {
                self.error(
                    Some(&o.common.address),
                    Some(&o.common.origin),
                    format!(
                        "the OU would sit {d} levels below the root, deeper than AWS's {} levels",
                        quotas::MAX_OU_DEPTH
                    ),
                    Some("give it a parent higher in the tree"),
                );
            }
        }
    }

    /// How many levels below the root each configured OU will sit, parents given by a live
    /// id counted with the live tree above them.
    fn final_depths(&self) -> BTreeMap<Address, usize> {
        let mut out: BTreeMap<Address, usize> = BTreeMap::new();
        for o in self.ous_parent_first() {
            let parent = match &o.parent {
                ParentRef::Root => 0,
                ParentRef::OrganizationalUnit(a) => out.get(a).copied().unwrap_or(0),
                ParentRef::Id(id) if *id == self.live.root.id => 0,
                ParentRef::Id(id) => self.live.ancestors(id).len(),
            };
            out.insert(o.common.address.clone(), parent + 1);
        }
        out
    }

    /// Live OUs named `name` under `parent`, other than `except`.
    fn ous_named(&self, parent: &str, name: &str, except: Option<&String>) -> Vec<String> {
        self.live
            .ous
            .iter()
            .filter(|(id, o)| o.parent_id == parent && o.ou.name == name && Some(*id) != except)
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// Live policies of `policy_type` named `name`, other than `except`.
    fn policies_named(
        &self,
        policy_type: &str,
        name: &str,
        except: Option<&String>,
    ) -> Vec<String> {
        self.live
            .policies
            .iter()
            .filter(|(id, p)| {
                p.summary.r#type == policy_type && p.summary.name == name && Some(*id) != except
            })
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// Who holds a live resource, as an error message says it.
    fn holder_status(&self, id: &str) -> String {
        let bound = self
            .ous
            .iter()
            .chain(&self.accounts)
            .chain(&self.policies)
            .find(|(_, b)| b.id == id);
        if let Some((a, _)) = bound {
            return format!("managed by {a}");
        }
        if id == self.live.organization.master_account_id {
            return "the management account".into();
        }
        if self
            .live
            .policies
            .get(id)
            .is_some_and(|p| p.summary.aws_managed)
        {
            return "managed by AWS".into();
        }
        match self.live.tags_of(id).and_then(owner_of) {
            Some(a) => format!("tagged as {a}, which the configuration no longer declares"),
            None => "not managed by this configuration".into(),
        }
    }

    /// Where the configuration declares `address`.
    fn origin_of(&self, address: &Address) -> Option<SourceSpan> {
        let d = self.desired;
        d.organizational_units
            .iter()
            .map(|o| &o.common)
            .chain(d.accounts.iter().map(|a| &a.common))
            .chain(d.policies.iter().map(|p| &p.common))
            .find(|c| &c.address == address)
            .map(|c| c.origin.clone())
    }

    /// OUs are deleted bottom-up: a deletion waits for the deletions of the OUs below it.
    fn order_ou_deletions(&mut self) {
        let deletes: Vec<(usize, String)> = self
            .ops
            .iter()
            .enumerate()
            .filter_map(|(i, p)| match &p.op {
                Op::DeleteOu { ou } => Some((i, ou.clone())),
                _ => None,
            })
            .collect();
        for (i, child) in &deletes {
            let ancestors = self.live.ancestors(child);
            for (j, parent) in &deletes {
                if ancestors.contains(parent) {
                    self.edges
                        .push((*i, *j, "child OUs are deleted before their parent".into()));
                }
            }
        }
    }

    /// Live ids of targets whose `policies` the configuration sets.
    fn attachment_managed_targets(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        if self
            .desired
            .root
            .as_ref()
            .is_some_and(|r| r.policies.is_some())
        {
            out.insert(self.live.root.id.clone());
        }
        for o in &self.desired.organizational_units {
            if o.policies.is_some() {
                if let Some(b) = self.ous.get(&o.common.address) {
                    out.insert(b.id.clone());
                }
            }
        }
        for a in &self.desired.accounts {
            if a.policies.is_some() {
                if let Some(b) = self.accounts.get(&a.common.address) {
                    out.insert(b.id.clone());
                }
            }
        }
        out
    }

    fn check_prevent_destroy(&mut self) {
        let protected: BTreeMap<Address, SourceSpan> = self
            .desired
            .organizational_units
            .iter()
            .map(|o| &o.common)
            .chain(self.desired.accounts.iter().map(|a| &a.common))
            .chain(self.desired.policies.iter().map(|p| &p.common))
            .chain(self.desired.roles.iter().map(|r| &r.common))
            .chain(
                self.desired
                    .delegated_administrators
                    .iter()
                    .map(|d| &d.common),
            )
            .filter(|c| c.lifecycle.prevent_destroy)
            .map(|c| (c.address.clone(), c.origin.clone()))
            .collect();
        let hits: Vec<(Address, Action)> = self
            .changes
            .iter()
            .filter(|c| matches!(c.action, Action::Delete | Action::Replace))
            .filter(|c| {
                protected.contains_key(&c.address.config_address())
                    || protected.contains_key(&c.address)
            })
            .map(|c| (c.address.clone(), c.action))
            .collect();
        for (addr, action) in hits {
            let origin = protected
                .get(&addr)
                .or_else(|| protected.get(&addr.config_address()))
                .cloned();
            self.error(
                Some(&addr),
                origin.as_ref(),
                format!("lifecycle.prevent_destroy is set, but the plan would {action} it"),
                Some("remove prevent_destroy, or change the configuration so it is not destroyed"),
            );
        }
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

    fn bindings(&self) -> BTreeMap<Address, String> {
        self.ous
            .iter()
            .filter(|(a, _)| !self.new_ous.contains(*a))
            .chain(self.accounts.iter())
            .chain(self.policies.iter())
            .map(|(a, b)| (a.clone(), b.id.clone()))
            .collect()
    }
}

/// Whether `op` renames the live OU or policy `holder`, freeing its name.
fn renames_away(op: &Op, holder: &str) -> bool {
    match op {
        Op::RenameOu {
            ou: IdRef::Known(ou),
            ..
        } => ou == holder,
        Op::UpdatePolicy {
            policy,
            name: Some(_),
            ..
        } => policy == holder,
        _ => false,
    }
}

/// A plain (not document) attribute.
fn attr(name: &str, before: Option<String>, after: String) -> AttrChange {
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
        out.push(attr("id", None, UNKNOWN.into()));
    }
    out
}

fn tags_to_map(tags: &[crate::backend::Tag]) -> BTreeMap<String, String> {
    crate::backend::tags_to_map(tags)
}
