//! `lifecycle.prevent_destroy` kept on the live resource, and `removed` blocks.
//!
//! orgchard keeps no state, so a flag that lived only in the block would vanish with it
//! (Terraform's long-standing trap). Every taggable resource whose block sets the flag carries
//! [`PREVENT_DESTROY_TAG`]; the tag goes when an apply runs with the flag off. A plan that
//! would delete, close or remove a live resource carrying the tag and whose block is gone is an
//! error, with the two ways out: turn the flag off in an apply first, or forget the resource
//! with `removed { from = ADDRESS  lifecycle { destroy = false } }`.
//!
//! Forgetting removes the ownership and prevent-destroy tags and leaves the resource where it
//! is (a later plan lists it as unmanaged). `destroy = true` is the same as removing the block
//! without a `removed` block: it never lifts the protection, since the point of keeping the
//! flag on the resource is that only an apply with the flag off does.

use super::*;
use crate::model::live::{PREVENT_DESTROY_TAG, prevents_destroy};

/// The tags forgetting a resource removes: orgchard's claim on it (with its scope) and its
/// protection. The roles tag of an account stays: it says where owned roles are, and those
/// roles are still orgchard's.
pub(super) fn forget_keys(tags: &BTreeMap<String, String>) -> BTreeSet<String> {
    [OWNERSHIP_TAG, SCOPE_TAG, PREVENT_DESTROY_TAG]
        .into_iter()
        .filter(|k| tags.contains_key(*k))
        .map(str::to_string)
        .collect()
}

impl<'a> Planner<'a> {
    /// Live OUs, accounts and policies that carry the ownership tag, that no block is bound
    /// to and that a `removed { ... destroy = false }` block covers (by the address the tag
    /// names, or the one `moved` blocks lead it to): forgotten. Runs before the diff, so
    /// that nothing counts them as deleted (an OU's replacement keeps a forgotten policy).
    pub(super) fn plan_forgotten(&mut self) {
        if self.desired.removed.iter().all(|r| r.destroy) {
            return;
        }
        let bound: BTreeSet<String> = self
            .ous
            .values()
            .chain(self.accounts.values())
            .chain(self.policies.values())
            .map(|b| b.id.clone())
            .collect();
        let live = self.live;
        let tagged = live
            .ous
            .iter()
            .map(|(id, o)| (id, &o.tags))
            .chain(live.accounts.iter().map(|(id, a)| (id, &a.tags)))
            .chain(
                live.policies
                    .iter()
                    .filter(|(_, p)| !p.summary.aws_managed)
                    .map(|(id, p)| (id, &p.tags)),
            );
        let mut forgotten = Vec::new();
        for (id, tags) in tagged {
            let Some(owner) = owner_of(tags) else {
                continue;
            };
            if bound.contains(id) || !self.forgets(&owner) {
                continue;
            }
            forgotten.push((owner, id.clone(), forget_keys(tags)));
        }
        for (owner, id, keys) in forgotten {
            let op = self.push_op(
                &owner,
                Op::UntagResource {
                    resource: IdRef::Known(id.clone()),
                    keys,
                },
            );
            self.push_change(
                &owner,
                Action::Forget,
                Some(Reason::new(ReasonCode::ForgottenByRemovedBlock, "a `removed` block with destroy = false: its ownership tags are removed and it stays where it is")),
                Some(id.clone()),
                vec![],
                vec![op],
            );
            self.forgotten.insert(id);
        }
        // Roles: those no role block names in their account.
        let configured = self.declared_roles();
        let mut roles = Vec::new();
        for (account, by_name) in &live.roles {
            for (name, l) in by_name {
                let tags = tags_to_map(&l.role.tags);
                let Some(owner) = owner_of(&tags) else {
                    continue;
                };
                let key = (account.clone(), name.clone());
                if configured.contains(&key) || !self.forgets(&owner) {
                    continue;
                }
                roles.push((owner, key, l.role.arn.clone(), forget_keys(&tags)));
            }
        }
        for (owner, (account, name), arn, keys) in roles {
            let op = self.push_op(
                &owner,
                Op::UntagRole {
                    account: IdRef::Known(account.clone()),
                    role: name.clone(),
                    keys,
                },
            );
            self.push_change(
                &owner,
                Action::Forget,
                Some(Reason::new(ReasonCode::ForgottenByRemovedBlock, "a `removed` block with destroy = false: its ownership tags are removed and it stays where it is")),
                Some(arn),
                vec![],
                vec![op],
            );
            self.forgotten_roles.insert((account, name));
        }
    }

    /// Whether a `removed { ... destroy = false }` block covers the resource tagged `owner`,
    /// by that address or the one `moved` blocks lead it to.
    fn forgets(&self, owner: &Address) -> bool {
        let mut at = owner.clone();
        for _ in 0..=self.desired.moved.len() {
            if let Some(r) = self.desired.removed_for(&at) {
                return !r.destroy;
            }
            match super::identity::moved_step(&self.desired.moved, &at) {
                Some(to) => at = to,
                None => return false,
            }
        }
        false
    }

    /// Whether a block declares exactly `address` (an instance of a `for_each` block whose key
    /// is gone is not declared). The stale half of an interrupted OU or policy replacement is
    /// keyed `stale ID` under the address of a block that is still declared.
    fn declared(&self, address: &Address) -> bool {
        if address
            .key
            .as_ref()
            .is_some_and(|k| k.0.starts_with("stale "))
        {
            return true;
        }
        let d = self.desired;
        d.organizational_units
            .iter()
            .map(|o| &o.common.address)
            .chain(d.accounts.iter().map(|a| &a.common.address))
            .chain(d.policies.iter().map(|p| &p.common.address))
            .chain(d.roles.iter().map(|r| &r.common.address))
            .any(|a| a == address)
    }

    /// The live resource an operation destroys, what it does to it, and whether it carries
    /// [`PREVENT_DESTROY_TAG`].
    fn destroys(&self, op: &Op) -> Option<(String, &'static str, bool)> {
        let live = self.live;
        let tagged = |id: &str| live.tags_of(id).is_some_and(prevents_destroy);
        match op {
            Op::DeleteOu { ou } => Some((format!("OU {ou}"), "delete", tagged(ou))),
            Op::DeletePolicy { policy } => {
                Some((format!("policy {policy}"), "delete", tagged(policy)))
            }
            Op::CloseAccount { account } => {
                Some((format!("account {account}"), "close", tagged(account)))
            }
            Op::RemoveAccount { account } => Some((
                format!("account {account}"),
                "remove from the organization",
                tagged(account),
            )),
            Op::DeleteRole {
                account: IdRef::Known(account),
                role,
            } => {
                let protected = live
                    .roles
                    .get(account)
                    .and_then(|m| m.get(role))
                    .is_some_and(|l| prevents_destroy(&tags_to_map(&l.role.tags)));
                Some((
                    format!("role {role:?} in account {account}"),
                    "delete",
                    protected,
                ))
            }
            _ => None,
        }
    }

    /// A plan that would destroy a live resource carrying [`PREVENT_DESTROY_TAG`] whose block
    /// is gone is an error: the flag outlives its block. (While the block is there, the
    /// block's own flag decides, so turning it off and replacing in one plan works as in
    /// Terraform.)
    pub(super) fn check_remembered_prevent_destroy(&mut self) {
        let mut hits: Vec<(Address, String, &'static str)> = Vec::new();
        for p in &self.ops {
            if let Some((what, verb, true)) = self.destroys(&p.op)
                && !self.declared(&p.address)
                && !hits.iter().any(|(a, w, _)| *a == p.address && *w == what)
            {
                hits.push((p.address.clone(), what, verb));
            }
        }
        for (address, what, verb) in hits {
            let removed = self.desired.removed_for(&address).cloned();
            let how = match &removed {
                Some(r) => format!(
                    "the `removed` block at {}:{} says destroy = true, which does not lift the protection",
                    r.origin.file, r.origin.line
                ),
                None => "its block is gone".to_string(),
            };
            self.error(
                Some(&address),
                removed.as_ref().map(|r| &r.origin),
                format!(
                    "the plan would {verb} the {what}, but it carries {PREVENT_DESTROY_TAG} (its block had lifecycle.prevent_destroy = true when it was last applied) and {how}"
                ),
                Some(&format!(
                    "to destroy it, put the block back with prevent_destroy = false and apply, then remove the block; to stop managing it and leave it in place, add removed {{ from = {}  lifecycle {{ destroy = false }} }}",
                    address
                )),
            );
        }
    }
}
