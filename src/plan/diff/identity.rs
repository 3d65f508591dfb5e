//! Identity binding: which live resource each block manages, by the pinned id, then the
//! ownership tag (following `moved` blocks), then the natural key (which adopts). Bound once
//! per plan by [`bind_identities`]: the role reader ([`role_queries`]) and the diff
//! ([`super::plan_bound`]) use the same binding.

use super::super::read::RoleQuery;
use super::*;

/// How a block found its live resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum How {
    Pinned,
    Tagged,
    Adopted,
}

#[derive(Debug, Clone)]
pub(super) struct Bound {
    pub(super) id: String,
    pub(super) how: How,
    /// The ownership tag must be (re)written: adopted, or found through a `moved` block.
    pub(super) retag: bool,
}

/// The binding of one configuration to one live organization: what every OU, account and
/// policy block manages, and what the ownership tags claim.
#[derive(Debug, Clone)]
pub struct Identities {
    ous: BTreeMap<Address, Bound>,
    accounts: BTreeMap<Address, Bound>,
    policies: BTreeMap<Address, Bound>,
    new_ous: BTreeSet<Address>,
    claimed: BTreeSet<String>,
    owned: BTreeMap<Address, Vec<String>>,
    moved_from: BTreeMap<String, Address>,
    other_scopes: OtherScopes,
    /// Pinned ids that do not exist: reported by the plan.
    errors: Vec<Diagnostic>,
}

/// What other ownership scopes own, which this configuration's view of the organization shows
/// as unmanaged (see [`without_foreign_claims`]) and which it must never take over: each
/// with a description of its owner for messages (`account.audit of scope "security"`).
#[derive(Debug, Clone, Default)]
pub(super) struct OtherScopes {
    /// OUs, accounts and policies, by id.
    pub(super) resources: BTreeMap<String, String>,
    /// Roles, by account id and name.
    pub(super) roles: BTreeMap<(String, String), String>,
}

impl OtherScopes {
    /// Whether another scope owns roles in `account`: its roles tag must stay.
    pub(super) fn holds_roles(&self, account: &str) -> bool {
        self.roles.keys().any(|(a, _)| a == account)
    }
}

impl Identities {
    /// The live id `address` (an OU, account or policy block) is bound to, when it was found
    /// by its pinned id or its ownership tag rather than adopted by its natural key.
    pub fn found_by_id_or_tag(&self, address: &Address) -> Option<&str> {
        [&self.ous, &self.accounts, &self.policies]
            .into_iter()
            .find_map(|m| m.get(address))
            .filter(|b| b.how != How::Adopted)
            .map(|b| b.id.as_str())
    }
}

/// Binds every OU, account and policy block of `desired` to the live resource it manages.
pub fn bind_identities(desired: &Desired, live: &LiveOrg) -> Identities {
    let (live, _, other_scopes) =
        without_foreign_claims(live, desired.organization.scope.as_deref());
    let mut p = Planner::new(desired, &live);
    p.other_scopes = other_scopes;
    p.index_owned();
    p.match_policies();
    p.match_ous();
    p.match_accounts();
    Identities {
        ous: p.ous,
        accounts: p.accounts,
        policies: p.policies,
        new_ous: p.new_ous,
        claimed: p.claimed,
        owned: p.owned,
        moved_from: p.moved_from,
        other_scopes: p.other_scopes,
        errors: p.errors,
    }
}

/// The organization as a configuration of ownership scope `scope` sees it: every decision
/// about ownership (binding by tag, orphans, `removed` blocks, `prevent_destroy` remembered,
/// the unmanaged list) is made on this view, so each is made within the scope.
///
/// - Resources another scope owns lose orgchard's tags (ownership, scope, prevent-destroy) in
///   the view: to this configuration they are unmanaged, never orphans. They are returned in
///   [`OtherScopes`], so that no pin, natural key or role name takes one over.
/// - The ownership tags that name another kind of resource than the one carrying them (an OU
///   tagged `policy.x`) are left out, with a warning for each. orgchard never writes such a
///   tag: anyone allowed to tag can, and binding a block to a resource of another kind would
///   plan nonsense. Such a resource is owned by no block: listed as unmanaged and never
///   touched.
pub(super) fn without_foreign_claims<'l>(
    live: &'l LiveOrg,
    scope: Option<&str>,
) -> (Cow<'l, LiveOrg>, Vec<Diagnostic>, OtherScopes) {
    fn foreign(tags: &BTreeMap<String, String>, kind: ResourceKind) -> Option<String> {
        let value = tags.get(OWNERSHIP_TAG)?;
        match value.parse::<Address>() {
            Ok(a) if a.kind == kind => None,
            _ => Some(value.clone()),
        }
    }
    // Another scope's resource: its owner, described.
    let elsewhere = |tags: &BTreeMap<String, String>| -> Option<String> {
        let owner = tags.get(OWNERSHIP_TAG)?;
        let theirs = scope_of(tags);
        (theirs != scope).then(|| format!("{owner} of {}", scope_name(theirs)))
    };
    const STRIPPED: [&str; 3] = [OWNERSHIP_TAG, SCOPE_TAG, PREVENT_DESTROY_TAG];
    let strip = |tags: &mut BTreeMap<String, String>| {
        for k in STRIPPED {
            tags.remove(k);
        }
    };
    let mut others = OtherScopes::default();
    let mut out: Option<LiveOrg> = None;
    for (id, o) in &live.ous {
        if let Some(owner) = elsewhere(&o.tags) {
            others.resources.insert(id.clone(), owner);
            let l = out.get_or_insert_with(|| live.clone());
            strip(&mut l.ous.get_mut(id).expect("same keys").tags);
        }
    }
    for (id, a) in &live.accounts {
        if let Some(owner) = elsewhere(&a.tags) {
            others.resources.insert(id.clone(), owner);
            let l = out.get_or_insert_with(|| live.clone());
            strip(&mut l.accounts.get_mut(id).expect("same keys").tags);
        }
    }
    for (id, p) in &live.policies {
        if let Some(owner) = elsewhere(&p.tags) {
            others.resources.insert(id.clone(), owner);
            let l = out.get_or_insert_with(|| live.clone());
            strip(&mut l.policies.get_mut(id).expect("same keys").tags);
        }
    }
    for (account, roles) in &live.roles {
        for (name, r) in roles {
            if let Some(owner) = elsewhere(&tags_to_map(&r.role.tags)) {
                others.roles.insert((account.clone(), name.clone()), owner);
                let l = out.get_or_insert_with(|| live.clone());
                let role = l
                    .roles
                    .get_mut(account)
                    .and_then(|m| m.get_mut(name))
                    .expect("same keys");
                role.role
                    .tags
                    .retain(|t| !STRIPPED.contains(&t.key.as_str()));
            }
        }
    }
    let scoped: &LiveOrg = out.as_ref().unwrap_or(live);
    let mut warnings = Vec::new();
    let mut note = |what: String, value: String, kind: ResourceKind| {
        warnings.push(Diagnostic::warning(format!(
            "{what} carries {OWNERSHIP_TAG} = {value:?}, which is not the address of a {}; orgchard does not own it and leaves it alone",
            kind.block_type()
        )));
    };
    let mut drop_claims: Vec<(ResourceKind, String, Option<String>)> = Vec::new();
    for (id, o) in &scoped.ous {
        if let Some(v) = foreign(&o.tags, ResourceKind::OrganizationalUnit) {
            note(format!("OU {id}"), v, ResourceKind::OrganizationalUnit);
            drop_claims.push((ResourceKind::OrganizationalUnit, id.clone(), None));
        }
    }
    for (id, a) in &scoped.accounts {
        if let Some(v) = foreign(&a.tags, ResourceKind::Account) {
            note(format!("account {id}"), v, ResourceKind::Account);
            drop_claims.push((ResourceKind::Account, id.clone(), None));
        }
    }
    for (id, p) in &scoped.policies {
        if let Some(v) = foreign(&p.tags, ResourceKind::Policy) {
            note(format!("policy {id}"), v, ResourceKind::Policy);
            drop_claims.push((ResourceKind::Policy, id.clone(), None));
        }
    }
    for (account, roles) in &scoped.roles {
        for (name, r) in roles {
            if let Some(v) = foreign(&tags_to_map(&r.role.tags), ResourceKind::Role) {
                note(
                    format!("role {name:?} in account {account}"),
                    v,
                    ResourceKind::Role,
                );
                drop_claims.push((ResourceKind::Role, account.clone(), Some(name.clone())));
            }
        }
    }
    for (kind, id, name) in drop_claims {
        let l = out.get_or_insert_with(|| live.clone());
        match (kind, name) {
            (ResourceKind::OrganizationalUnit, _) => {
                l.ous
                    .get_mut(&id)
                    .expect("same keys")
                    .tags
                    .remove(OWNERSHIP_TAG);
            }
            (ResourceKind::Account, _) => {
                l.accounts
                    .get_mut(&id)
                    .expect("same keys")
                    .tags
                    .remove(OWNERSHIP_TAG);
            }
            (ResourceKind::Policy, _) => {
                l.policies
                    .get_mut(&id)
                    .expect("same keys")
                    .tags
                    .remove(OWNERSHIP_TAG);
            }
            (_, Some(name)) => {
                let role = l
                    .roles
                    .get_mut(&id)
                    .and_then(|m| m.get_mut(&name))
                    .expect("same keys");
                role.role.tags.retain(|t| t.key != OWNERSHIP_TAG);
            }
            _ => {}
        }
    }
    match out {
        Some(l) => (Cow::Owned(l), warnings, others),
        None => (Cow::Borrowed(live), warnings, others),
    }
}

/// The accounts whose IAM roles the plan needs read, and which role names the configuration
/// declares in each: the accounts are matched as the plan matches them.
///
/// Besides the accounts where roles are declared, the reader enters every active account
/// that carries [`ROLES_TAG`]: orgchard keeps that tag on an account
/// from before it creates a role there until after it deleted the last one, so an owned role
/// whose block is gone is always found, and accounts without roles cost no call.
pub fn role_queries(
    desired: &Desired,
    live: &LiveOrg,
    identities: &Identities,
) -> BTreeMap<String, RoleQuery> {
    let mut out = owned_role_queries(live);
    for r in &desired.roles {
        if let Some(id) = final_account(&identities.accounts, live, &r.account).known() {
            out.entry(id.to_string())
                .or_default()
                .names
                .insert(r.name.clone());
        }
    }
    out
}

/// The accounts that may hold roles orgchard owns, whatever the configuration: every active
/// account carrying [`ROLES_TAG`], the management account included (it is marked like any
/// other, so an organization that manages no roles costs no IAM call). The part of
/// [`role_queries`] that needs no configuration (`snapshot` without one reads these).
pub fn owned_role_queries(live: &LiveOrg) -> BTreeMap<String, RoleQuery> {
    live.accounts
        .values()
        .filter(|a| a.tags.contains_key(ROLES_TAG) && a.account.state.is_usable())
        .map(|a| (a.account.id.clone(), RoleQuery::default()))
        .collect()
}

/// The id an account reference will have after the apply.
fn final_account(accounts: &BTreeMap<Address, Bound>, live: &LiveOrg, r: &AccountRef) -> IdRef {
    match r {
        AccountRef::Account(a) => match accounts.get(a) {
            Some(b) => IdRef::Known(b.id.clone()),
            None => IdRef::After(a.clone()),
        },
        AccountRef::Management => IdRef::Known(live.organization.master_account_id.clone()),
        AccountRef::Id(id) => IdRef::Known(id.clone()),
    }
}

/// Where one `moved` block takes `address`: its `to` when `from` is the address itself; and
/// when `from` names a whole block (no key), each instance of it goes to the same key of `to`,
/// as Terraform moves every instance of a moved resource.
pub(super) fn moved_step(moved: &[model::Moved], address: &Address) -> Option<Address> {
    if let Some(m) = moved.iter().find(|m| m.from == *address) {
        return Some(m.to.clone());
    }
    let key = address.key.as_ref()?;
    let block = address.config_address();
    moved
        .iter()
        .find(|m| m.from.key.is_none() && m.to.key.is_none() && m.from == block)
        .map(|m| Address {
            key: Some(key.clone()),
            ..m.to.clone()
        })
}

impl<'a> Planner<'a> {
    pub(super) fn index_owned(&mut self) {
        let moved = &self.desired.moved;
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
                while let Some(to) = moved_step(moved, &addr) {
                    self.moved_from.insert(id.clone(), addr.clone());
                    addr = to;
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
    pub(super) fn tagged(
        &self,
        address: &Address,
        prefer: impl Fn(&str) -> bool,
    ) -> Option<String> {
        let ids = self.owned.get(address)?;
        ids.iter()
            .filter(|id| !self.claimed.contains(*id))
            .max_by_key(|id| prefer(id))
            .cloned()
    }

    #[allow(clippy::too_many_arguments)] // One matcher for three kinds; each closure is one rule.
    pub(super) fn bind(
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
            if let Some(owner) = self.other_scopes.resources.get(id) {
                self.error(
                    Some(address),
                    Some(origin),
                    format!("the pinned id {id:?} belongs to {owner} (its {OWNERSHIP_TAG} and {SCOPE_TAG} tags); a configuration never takes over another scope's resources"),
                    Some("manage it from the configuration of that scope, or remove `id` here"),
                );
                return None;
            }
            // One live resource, one block: a pin does not take a resource from a block
            // that found it first, nor one whose ownership tag names another block of this
            // configuration (that block would create a second one).
            let owner = self.live.tags_of(id).and_then(owner_of);
            let other = owner
                .filter(|o| o != address && !self.moved_from.contains_key(id) && self.declares(o));
            if self.claimed.contains(id) || other.is_some() {
                let by = other.map_or("another block of this configuration".to_string(), |o| {
                    format!("{o} (its {OWNERSHIP_TAG} tag)")
                });
                self.error(
                    Some(address),
                    Some(origin),
                    format!("the pinned id {id:?} is already managed by {by}"),
                    Some("pin each live resource in one block only: remove `id` here or from the other block, or add a `moved` block"),
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
        // Another scope's namesake is not this block's to adopt, and creating a second one
        // would fail (or, for an account, make a duplicate): say so now.
        if let Some((id, owner)) = candidates.iter().find_map(|id| {
            self.other_scopes
                .resources
                .get(id)
                .filter(|_| natural(id))
                .map(|o| (id.clone(), o.clone()))
        }) {
            self.error(
                Some(address),
                Some(origin),
                format!(
                    "the {} {id} that this block matches by its {} belongs to {owner} (its {OWNERSHIP_TAG} and {SCOPE_TAG} tags); a configuration never takes over another scope's resources",
                    kind.block_type(),
                    match kind {
                        ResourceKind::Account => "email",
                        ResourceKind::Policy => "type and name",
                        _ => "parent and name",
                    }
                ),
                Some("manage it from the configuration of that scope, or give this block another name (or email)"),
            );
            return None;
        }
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

    pub(super) fn match_policies(&mut self) {
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
    pub(super) fn ous_parent_first(&self) -> Vec<&'a model::OrganizationalUnit> {
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
    pub(super) fn matched_parent(&self, parent: &ParentRef) -> Option<String> {
        match parent {
            ParentRef::Root => Some(self.live.root.id.clone()),
            ParentRef::OrganizationalUnit(a) => self.ous.get(a).map(|b| b.id.clone()),
            ParentRef::Id(id) => Some(id.clone()),
        }
    }

    /// The id the parent will have after the apply.
    pub(super) fn final_parent(&self, parent: &ParentRef) -> IdRef {
        match parent {
            ParentRef::Root => IdRef::Known(self.live.root.id.clone()),
            ParentRef::OrganizationalUnit(a) => self.final_ou(a),
            ParentRef::Id(id) => IdRef::Known(id.clone()),
        }
    }

    pub(super) fn final_ou(&self, a: &Address) -> IdRef {
        match self.ous.get(a) {
            Some(b) if !self.new_ous.contains(a) => IdRef::Known(b.id.clone()),
            _ => IdRef::After(a.clone()),
        }
    }

    pub(super) fn match_ous(&mut self) {
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

    /// Whether the configuration declares a block at `address` (exactly).
    pub(super) fn declares(&self, address: &Address) -> bool {
        let d = self.desired;
        d.organizational_units
            .iter()
            .map(|o| &o.common.address)
            .chain(d.accounts.iter().map(|a| &a.common.address))
            .chain(d.policies.iter().map(|p| &p.common.address))
            .chain(d.roles.iter().map(|r| &r.common.address))
            .any(|a| a == address)
    }

    /// Two accounts carrying one declared address's ownership tag: orgchard never tags two
    /// (emails are unique and every creation is tagged for its block), so someone copied a
    /// tag. Binding one and treating the other as a removed block's (closed or removed with
    /// `account_removal`) would act on a guess: it is an error.
    fn check_account_claims(&mut self) {
        let live = self.live;
        let mut errors = Vec::new();
        for a in &self.desired.accounts {
            let addr = &a.common.address;
            let ids: Vec<&String> = self
                .owned
                .get(addr)
                .into_iter()
                .flatten()
                .filter(|id| live.accounts.contains_key(*id))
                .collect();
            if ids.len() > 1 {
                let shown: Vec<String> = ids
                    .iter()
                    .map(|id| format!("{id} ({})", live.accounts[*id].account.email))
                    .collect();
                errors.push((addr.clone(), a.common.origin.clone(), shown.join(", ")));
            }
        }
        for (addr, origin, shown) in errors {
            self.error(
                Some(&addr),
                Some(&origin),
                format!("the accounts {shown} all carry the ownership tag {OWNERSHIP_TAG} = {addr:?}; one block manages one account"),
                Some("remove the tag from the accounts this block does not manage, or pin the block with `id`"),
            );
        }
    }

    pub(super) fn match_accounts(&mut self) {
        self.check_account_claims();
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

    pub(super) fn final_account(&self, r: &AccountRef) -> IdRef {
        final_account(&self.accounts, self.live, r)
    }

    /// Takes over a binding made by [`bind_identities`], with its errors.
    pub(super) fn adopt_identities(&mut self, identities: Identities) {
        self.ous = identities.ous;
        self.accounts = identities.accounts;
        self.policies = identities.policies;
        self.new_ous = identities.new_ous;
        self.claimed = identities.claimed;
        self.owned = identities.owned;
        self.moved_from = identities.moved_from;
        self.other_scopes = identities.other_scopes;
        self.errors.extend(identities.errors);
    }

    pub(super) fn bindings(&self) -> BTreeMap<Address, String> {
        self.ous
            .iter()
            .filter(|(a, _)| !self.new_ous.contains(*a))
            .chain(self.accounts.iter())
            .chain(self.policies.iter())
            .map(|(a, b)| (a.clone(), b.id.clone()))
            .collect()
    }
}
