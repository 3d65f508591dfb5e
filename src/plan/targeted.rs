//! What a targeted plan (`plan --target ADDR`) needs to read. The targets, and every block
//! they refer to (parent OUs up to the root, attached policies, the account of a role or a
//! delegated administrator, `depends_on`, references inside documents), form the *closure*;
//! the reader lists the children of the root and of the live OUs that may hold a closure OU,
//! reads the tags of what it lists, and leaves the rest of the tree alone. Policies, trusted
//! services, delegated administrators and creations in progress are always read whole: they
//! are few, and attachment counts and identity need all of them.
//!
//! A narrow read is only trusted when it cannot change the plan: every closure OU and account
//! was found by its pinned id or its ownership tag, and the plan neither creates nor adopts
//! anything and has no errors. Otherwise (a target that is not declared, such as an orphan or
//! a `removed` block; a block the narrow read did not find, whose tag may be anywhere in the
//! organization) the plan reads the whole organization, exactly as an untargeted plan does.

use std::collections::{BTreeMap, BTreeSet};

use crate::addr::{Address, ResourceKind};
use crate::api::OrganizationalUnit;
use crate::model::live::OWNERSHIP_TAG;
use crate::model::{AccountRef, Desired, ParentRef, PolicyRef, RefTarget, Value};

/// The blocks a set of targets needs, and what the reader follows to find them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Closure {
    /// Every address in the closure.
    pub addresses: BTreeSet<Address>,
    /// The closure's OU and account blocks: each must be found by a narrow read.
    pub located: BTreeSet<Address>,
    /// Ownership-tag values (the closure OUs' addresses and the `moved` addresses they had)
    /// and names of closure OUs: a live OU carrying one is descended into.
    ou_tags: BTreeSet<String>,
    ou_names: BTreeSet<String>,
    /// Live ids the closure names (pinned ids, `parent = "ou-…"`, account ids).
    pub ids: BTreeSet<String>,
    /// The closure's accounts' emails, lowercased: their tags are read wherever they are.
    emails: BTreeSet<String>,
    /// Whether the closure reaches the management account.
    pub management: bool,
    /// A target matches no block (an orphan, a `removed` block, the organization): only a
    /// whole read can find what it names.
    pub needs_whole: bool,
}

impl Closure {
    /// The closure of `targets` in `desired`.
    pub fn of(desired: &Desired, targets: &[Address]) -> Closure {
        let refs = references(desired);
        let mut c = Closure::default();
        let mut work: Vec<Address> = Vec::new();
        for t in targets {
            let hits: Vec<&Address> = refs.keys().filter(|a| t.contains(a) || *a == t).collect();
            let declared = matches!(
                t.kind,
                ResourceKind::OrganizationalUnit
                    | ResourceKind::Account
                    | ResourceKind::Policy
                    | ResourceKind::DelegatedAdministrator
                    | ResourceKind::Role
            );
            if hits.is_empty() || !declared {
                c.needs_whole = true;
            }
            work.extend(hits.into_iter().cloned());
        }
        while let Some(a) = work.pop() {
            if !c.addresses.insert(a.clone()) {
                continue;
            }
            if let Some(r) = refs.get(&a) {
                work.extend(r.addresses.iter().cloned());
                c.ids.extend(r.ids.iter().cloned());
                c.management |= r.management;
            }
        }
        for o in &desired.organizational_units {
            if c.addresses.contains(&o.common.address) {
                c.ou_tags.insert(o.common.address.to_string());
                c.ou_names.insert(o.name.clone());
                c.located.insert(o.common.address.clone());
            }
        }
        for a in &desired.accounts {
            if c.addresses.contains(&a.common.address) {
                c.located.insert(a.common.address.clone());
                c.emails.insert(a.email.to_ascii_lowercase());
            }
        }
        // An OU found through a `moved` block still carries its old address.
        for m in &desired.moved {
            if c.ou_tags.contains(&m.to.to_string()) {
                c.ou_tags.insert(m.from.to_string());
            }
        }
        c
    }

    /// Whether the reader reads this listed account's tags: one the closure may manage, by
    /// its email or its id. The others are seen untagged; their blocks are not selected.
    pub fn names_account(&self, account: &crate::api::Account) -> bool {
        self.ids.contains(&account.id) || self.emails.contains(&account.email.to_ascii_lowercase())
    }

    /// Whether the reader lists the children of this live OU.
    pub fn descends_into(&self, ou: &OrganizationalUnit, tags: &BTreeMap<String, String>) -> bool {
        self.ids.contains(&ou.id)
            || self.ou_names.contains(&ou.name)
            || tags
                .get(OWNERSHIP_TAG)
                .is_some_and(|t| self.ou_tags.contains(t))
    }
}

/// What one block refers to.
#[derive(Debug, Default)]
struct Refs {
    addresses: Vec<Address>,
    ids: Vec<String>,
    management: bool,
}

impl Refs {
    fn parent(&mut self, p: &ParentRef) {
        match p {
            ParentRef::Root => {}
            ParentRef::OrganizationalUnit(a) => self.addresses.push(a.clone()),
            ParentRef::Id(id) => self.ids.push(id.clone()),
        }
    }

    fn policies(&mut self, list: &Option<Vec<PolicyRef>>) {
        for p in list.iter().flatten() {
            if let PolicyRef::Policy(a) = p {
                self.addresses.push(a.clone());
            }
        }
    }

    fn account(&mut self, a: &AccountRef) {
        match a {
            AccountRef::Account(a) => self.addresses.push(a.clone()),
            AccountRef::Management => self.management = true,
            AccountRef::Id(id) => self.ids.push(id.clone()),
        }
    }

    fn value(&mut self, v: &Value) {
        for (target, _) in v.unknown_refs() {
            match target {
                RefTarget::Resource(a) => self.addresses.push(a),
                RefTarget::Management => self.management = true,
                RefTarget::AwsPolicy(_) => {}
            }
        }
    }

    fn common(&mut self, c: &crate::model::Common) {
        self.addresses.extend(c.depends_on.iter().cloned());
        self.ids.extend(c.pinned_id.iter().cloned());
    }
}

/// Every block's references, by address.
fn references(desired: &Desired) -> BTreeMap<Address, Refs> {
    let mut out: BTreeMap<Address, Refs> = BTreeMap::new();
    for o in &desired.organizational_units {
        let r = out.entry(o.common.address.clone()).or_default();
        r.common(&o.common);
        r.parent(&o.parent);
        r.policies(&o.policies);
    }
    for a in &desired.accounts {
        let r = out.entry(a.common.address.clone()).or_default();
        r.common(&a.common);
        r.parent(&a.parent);
        r.policies(&a.policies);
    }
    for p in &desired.policies {
        let r = out.entry(p.common.address.clone()).or_default();
        r.common(&p.common);
        r.value(&p.content);
    }
    for d in &desired.delegated_administrators {
        let r = out.entry(d.common.address.clone()).or_default();
        r.common(&d.common);
        r.account(&d.account);
    }
    for role in &desired.roles {
        let r = out.entry(role.common.address.clone()).or_default();
        r.common(&role.common);
        r.account(&role.account);
        r.value(role.trust.document());
        if let crate::model::TrustPolicy::TrustedAccounts { accounts, .. } = &role.trust {
            for a in accounts {
                r.value(a);
            }
        }
        for v in role.inline_policies.values() {
            r.value(v);
        }
    }
    out
}
