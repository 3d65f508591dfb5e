//! Accounts: create, adopt, move between parents, update, and the accounts whose block is
//! gone (forgotten, removed or closed as `account_removal` says).

use super::*;

impl<'a> Planner<'a> {
    pub(super) fn plan_accounts(&mut self) {
        let hold_roles: BTreeSet<&Address> = self
            .desired
            .roles
            .iter()
            .filter_map(|r| match &r.account {
                AccountRef::Account(a) => Some(a),
                _ => None,
            })
            .collect();
        // A role may name its account by id (an imported module does): that account holds
        // roles too, or its roles tag would be removed.
        let hold_roles_by_id: BTreeSet<&String> = self
            .desired
            .roles
            .iter()
            .filter_map(|r| match &r.account {
                AccountRef::Id(id) => Some(id),
                _ => None,
            })
            .collect();
        for a in &self.desired.accounts {
            let addr = &a.common.address;
            let bound = self.accounts.get(addr).cloned();
            let mut tags = self.wanted_tags(&a.tags, addr, bound.as_ref());
            // Another scope's roles in this account keep its roles tag too: without it, that
            // scope's plans would no longer find them.
            if hold_roles.contains(addr)
                || bound.as_ref().is_some_and(|b| {
                    hold_roles_by_id.contains(&b.id) || self.other_scopes.holds_roles(&b.id)
                })
            {
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
                        attr("name", None, AttrValue::String(a.name.clone())),
                        attr("email", None, AttrValue::String(a.email.clone())),
                        attr(
                            "parent",
                            None,
                            AttrValue::Reference(self.show_parent(&a.parent)),
                        ),
                    ];
                    attrs = creation_attrs(leading, attrs, &tags, true);
                    // A creation's status names the account but not its email, and names
                    // are not unique: the apply can only tell whose it is once it finished.
                    let pending: Vec<&str> = self
                        .live
                        .pending_account_creations
                        .iter()
                        .filter(|c| c.account_name == a.name)
                        .map(|c| c.id.as_str())
                        .collect();
                    if !pending.is_empty() {
                        self.warn(Some(addr), format!(
                            "a creation of an account named {:?} is still in progress (request {}); apply waits for it, adopts its account only if it has the email {} and this block's ownership tag, and otherwise creates this one",
                            a.name,
                            pending.join(", "),
                            a.email
                        ));
                    }
                }
                Some(b) => {
                    let la = self.live.accounts[&b.id].clone();
                    let state = &la.account.state;
                    if state.is_closed() {
                        self.error(
                            Some(addr),
                            Some(&a.common.origin),
                            format!(
                                "{addr} is account {} ({:?}), which is {state}: it was closed and no block can manage it any more",
                                b.id, la.account.name
                            ),
                            Some(
                                "remove the block (AWS removes a closed account from the organization by itself), or give the block a new email to create a new account",
                            ),
                        );
                        continue;
                    }
                    if !state.accepts_changes() {
                        // AWS refuses moves and AssumeRole into a suspended account: plan
                        // nothing for it rather than fail half-way through the apply.
                        self.warn(Some(addr), format!(
                            "account {} is {state}; orgchard makes no change to it (no move, tag, policy or role) until AWS reports it ACTIVE",
                            b.id
                        ));
                        let reason = Reason::new(
                            ReasonCode::AccountNotActive,
                            format!("account {} is {state}", b.id),
                        );
                        self.push_change(
                            addr,
                            Action::Read,
                            Some(reason),
                            Some(b.id.clone()),
                            vec![],
                            vec![],
                        );
                        continue;
                    }
                    if !state.is_usable() {
                        self.warn(Some(addr), format!(
                            "account {} is {state}; its roles are read and changed once AWS reports it ACTIVE",
                            b.id
                        ));
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
                        before: Some(AttrValue::Reference(self.show_live_parent(&la.parent_id))),
                        after: Some(AttrValue::Reference(self.show_parent(&a.parent))),
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
                        before: Some(AttrValue::String(la.account.name.clone())),
                        after: Some(AttrValue::String(a.name.clone())),
                        document: false,
                    });
                    if !la.account.email.eq_ignore_ascii_case(&a.email)
                        && !ignore.iter().any(|i| i == "email")
                    {
                        self.warn(Some(addr), format!(
                            "the account's email is {} and the configuration says {}; AWS lets only the account's root user change it, so orgchard leaves it",
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
                Reason::new(
                    ReasonCode::MatchedByNaturalKey,
                    format!(
                        "matched by email {:?}; it will be tagged {OWNERSHIP_TAG}",
                        a.email
                    ),
                )
            });
            self.push_change(addr, action, reason, bound.map(|b| b.id), attrs, ops);
        }
    }

    /// Accounts whose block is gone: forgotten, removed or closed as
    /// `organization.account_removal` says.
    pub(super) fn plan_orphan_accounts(&mut self, bound_ids: &BTreeSet<String>) {
        let live = self.live;
        for (id, la) in &live.accounts {
            let Some(owner) = owner_of(&la.tags) else {
                continue;
            };
            if bound_ids.contains(id) {
                continue;
            }
            let state = &la.account.state;
            if state.is_closing_or_closed() {
                // Closing is what `close` asks for; the other removals are refused by AWS
                // for an account that is closing, closed or suspended, and AWS removes a
                // closed account from the organization by itself.
                if self.desired.organization.account_removal != model::AccountRemoval::Close {
                    self.warn(Some(&owner), format!(
                        "its block was removed, and account {id} is {state}; orgchard leaves it as it is"
                    ));
                }
                continue;
            }
            let (action, op) = match self.desired.organization.account_removal {
                // Forgetting removes the ownership tag: otherwise every later plan would
                // find the account again and plan to forget it again, never converging.
                model::AccountRemoval::Ignore => (
                    Action::Forget,
                    Some(Op::UntagResource {
                        resource: IdRef::Known(id.clone()),
                        keys: removed::forget_keys(&la.tags),
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
                Some(Reason::new(
                    ReasonCode::BlockRemoved,
                    format!(
                        "its block was removed; organization.account_removal = {:?}",
                        format!("{:?}", self.desired.organization.account_removal).to_lowercase()
                    ),
                )),
                Some(id.clone()),
                vec![],
                ops,
            );
        }
    }
}
