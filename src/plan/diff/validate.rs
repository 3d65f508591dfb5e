//! Checks that look across kinds once the changes are known: the management account guard,
//! names AWS keeps unique, AWS Organizations' quotas, and `lifecycle.prevent_destroy`.

use super::*;

impl<'a> Planner<'a> {
    pub(super) fn guard_management_account(&mut self) {
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

    /// AWS keeps an OU's name unique under its parent, a policy's name within its type and
    /// an account's email across accounts. A create or rename onto a name that a live
    /// resource still holds would fail at apply (DuplicateOrganizationalUnitException,
    /// DuplicatePolicyException, EMAIL_ALREADY_EXISTS): when this plan frees the name (deletes
    /// the holder or renames it away) the freeing runs first; otherwise it is a plan error.
    /// A holder the configuration could adopt was adopted when matching, so what is left here
    /// is a name held by something the block did not match.
    pub(super) fn check_unique_names(&mut self) {
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
    pub(super) fn check_quotas(&mut self) {
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
                format!("the resource would carry {n} tags (orgchard's own included: {OWNERSHIP_TAG}, and {ROLES_TAG} or {PREVENT_DESTROY_TAG} where they apply), over AWS's quota of {max} tags per resource"),
                Some("remove tags from the block: orgchard needs up to three of the 50 for its own tags"),
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
    pub(super) fn final_depths(&self) -> BTreeMap<Address, usize> {
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
    pub(super) fn ous_named(
        &self,
        parent: &str,
        name: &str,
        except: Option<&String>,
    ) -> Vec<String> {
        self.live
            .ous
            .iter()
            .filter(|(id, o)| o.parent_id == parent && o.ou.name == name && Some(*id) != except)
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// Live policies of `policy_type` named `name`, other than `except`.
    pub(super) fn policies_named(
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
    pub(super) fn holder_status(&self, id: &str) -> String {
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
    pub(super) fn origin_of(&self, address: &Address) -> Option<SourceSpan> {
        let d = self.desired;
        d.organizational_units
            .iter()
            .map(|o| &o.common)
            .chain(d.accounts.iter().map(|a| &a.common))
            .chain(d.policies.iter().map(|p| &p.common))
            .find(|c| &c.address == address)
            .map(|c| c.origin.clone())
    }

    pub(super) fn check_prevent_destroy(&mut self) {
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
}

/// Whether `op` renames the live OU or policy `holder`, freeing its name.
pub(super) fn renames_away(op: &Op, holder: &str) -> bool {
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
