//! Organizational units: create, rename, replace (AWS cannot move an OU, so a new parent
//! means a new OU and the old one deleted), and the OUs whose block is gone, deleted
//! bottom-up.

use super::*;

impl<'a> Planner<'a> {
    /// A parent as the plan shows it: `root`, the OU's address, or its id.
    pub(super) fn show_parent(&self, parent: &ParentRef) -> String {
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

    pub(super) fn show_live_parent(&self, id: &str) -> String {
        if id == self.live.root.id {
            return "root".into();
        }
        match self.ous.iter().find(|(_, b)| b.id == id) {
            Some((a, _)) if self.new_ous.contains(a) => format!("{a} ({id:?}, to be replaced)"),
            Some((a, _)) => a.to_string(),
            None => format!("{id:?}"),
        }
    }

    pub(super) fn plan_ous(&mut self) {
        for o in self.ous_parent_first() {
            let addr = &o.common.address;
            let bound = self.ous.get(addr).cloned();
            let replaced = bound.is_some() && self.new_ous.contains(addr);
            let tags = if replaced {
                tags_with_owner(&o.tags, addr, self.scope())
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
                        bound
                            .as_ref()
                            .map(|b| AttrValue::String(self.live.ous[&b.id].ou.name.clone())),
                        AttrValue::String(o.name.clone()),
                    ),
                    attr(
                        "parent",
                        before_parent.map(|id| AttrValue::Reference(self.show_live_parent(&id))),
                        AttrValue::Reference(self.show_parent(&o.parent)),
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
                    before: Some(AttrValue::String(lo.ou.name.clone())),
                    after: Some(AttrValue::String(o.name.clone())),
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
                Some(Reason::new(
                    ReasonCode::ParentChanged,
                    "parent changed: AWS cannot move an OU, so a new one is created under the new parent with the same policies and tags, the accounts and child OUs move to it, and the old one is deleted",
                ))
            } else {
                bound.as_ref().filter(|b| b.how == How::Adopted).map(|_| {
                    Reason::new(
                        ReasonCode::MatchedByNaturalKey,
                        format!(
                            "matched by parent and name {:?}; it will be tagged {OWNERSHIP_TAG}",
                            o.name
                        ),
                    )
                })
            };
            self.push_change(addr, action, reason, bound.map(|b| b.id), attrs, ops);
        }
    }

    /// What the replacement of an OU whose block has no `policies` list gets attached: the
    /// old OU's policies, except those this plan deletes (attaching one would race its
    /// deletion). When that would leave no SCP, the old list is kept unchanged and
    /// `plan_orphans` reports the deleted policy as the OU's last SCP.
    pub(super) fn kept_on_replacement(&self, old: &str) -> Vec<PolicyRef> {
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

    /// The old half of an OU replacement: accounts nobody manages are carried to the new OU,
    /// then the old OU is deleted (the graph orders it after every move out and every
    /// child deletion).
    pub(super) fn replace_old_ou(
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

    /// OUs are deleted bottom-up: a deletion waits for the deletions of the OUs below it.
    pub(super) fn order_ou_deletions(&mut self) {
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

    /// OUs whose block is gone, deepest first; an OU that still holds what the
    /// configuration does not move elsewhere is an error. Returns the OUs deleted.
    pub(super) fn plan_orphan_ous(&mut self, bound_ids: &BTreeSet<String>) -> BTreeSet<String> {
        let live = self.live;
        let mut orphan_ous: Vec<(usize, String, Address)> = live
            .ous
            .iter()
            .filter(|(id, _)| !bound_ids.contains(*id) && !self.forgotten.contains(*id))
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
                .filter(|(aid, a)| {
                    owner_of(&a.tags).is_none()
                        || self.desired.organization.account_removal
                            != model::AccountRemoval::Remove
                        || self.forgotten.contains(*aid)
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
                Some(Reason::new(
                    ReasonCode::BlockRemoved,
                    "its block was removed from the configuration",
                )),
                Some(id.clone()),
                vec![],
                vec![op],
            );
        }
        deleted_ous
    }
}
