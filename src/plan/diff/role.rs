//! IAM roles in member accounts (reached through the member-access role): create, update,
//! delete with their inline and attached policies, and the owned roles whose block is gone.

use super::*;

/// IAM's default session duration of a role, in seconds, when `max_session_duration` is
/// not set (CreateRole's MaxSessionDuration: 3,600 to 43,200, default 3,600).
const DEFAULT_MAX_SESSION_DURATION: u32 = 3600;

impl<'a> Planner<'a> {
    pub(super) fn plan_roles(&mut self) {
        let management = self.live.organization.master_account_id.clone();
        // Accounts without a block of their own (the management account, an account named by
        // id) get the roles tag from their first role; a block's account gets it from
        // `plan_accounts`.
        let mut tagged: BTreeSet<String> = self.accounts.values().map(|b| b.id.clone()).collect();
        for r in &self.desired.roles {
            let addr = &r.common.address;
            let account = self.final_account(&r.account);
            if let Some(id) = account.known()
                && let Some(la) = self.live.accounts.get(id)
            {
                let state = &la.account.state;
                if state.is_closed() {
                    self.error(
                        Some(addr),
                        Some(&r.common.origin),
                        format!("role {:?} is in account {id}, which is {state}: orgchard cannot enter a closed account", r.name),
                        Some("remove the role block, or give it an active account"),
                    );
                    continue;
                }
                if !state.accepts_changes() {
                    self.warn(Some(addr), format!(
                        "account {id} is {state}; orgchard does not enter it until AWS reports it ACTIVE, so the role is left as it is"
                    ));
                    let reason = Reason::new(
                        ReasonCode::AccountNotActive,
                        format!("account {id} is {state}"),
                    );
                    self.push_change(addr, Action::Read, Some(reason), None, vec![], vec![]);
                    continue;
                }
            }
            let mut ops = Vec::new();
            if let Some(id) = account.known()
                && let Some(la) = self.live.accounts.get(id)
                && !la.tags.contains_key(ROLES_TAG)
                && tagged.insert(id.to_string())
            {
                ops.push(self.push_op(
                    addr,
                    Op::TagResource {
                        resource: IdRef::Known(id.to_string()),
                        tags: [(ROLES_TAG.to_string(), ROLES_TAG_VALUE.to_string())].into(),
                    },
                ));
            }
            let tags = self.owned_tags(&r.tags, addr);
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
            if live_role.is_some()
                && let Some(id) = account.known()
                && let Some(owner) = self
                    .other_scopes
                    .roles
                    .get(&(id.to_string(), r.name.clone()))
            {
                let message = format!(
                    "role {:?} in account {account} belongs to {owner} (its {OWNERSHIP_TAG} and {SCOPE_TAG} tags); a configuration never takes over another scope's resources",
                    r.name
                );
                self.error(
                    Some(addr),
                    Some(&r.common.origin),
                    message,
                    Some("manage it from the configuration of that scope, or choose another role name"),
                );
                continue;
            }
            if let Some(l) = &live_role
                && let Some(owner) = owner_of(&tags_to_map(&l.role.tags))
                && !self.moves_to(&owner, addr)
            {
                // A role's name is unique in its account, but the name alone does not make
                // it this block's: another address owns it.
                self.error(
                    Some(addr),
                    Some(&r.common.origin),
                    format!(
                        "role {:?} in account {account} belongs to {owner} (its {OWNERSHIP_TAG} tag); orgchard does not take it over",
                        r.name
                    ),
                    Some("add a `moved` block from that address if this block replaces it, or choose another role name"),
                );
                continue;
            }
            let read = account
                .known()
                .is_some_and(|id| self.live.roles_read_in.contains(id));
            if account.known().is_some() && !read {
                self.warn(Some(addr), format!("the roles of account {account} were not read; the role is planned as if absent"));
            }
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
                        after: Some(AttrValue::Reference(account.to_string())),
                        document: false,
                    });
                    attrs.push(AttrChange {
                        name: "name".into(),
                        before: None,
                        after: Some(AttrValue::String(r.name.clone())),
                        document: false,
                    });
                    attrs.push(AttrChange {
                        name: "assume_role_policy".into(),
                        before: None,
                        after: Some(
                            value_text(&trust)
                                .map(|t| AttrValue::document(&t))
                                .unwrap_or_else(|| AttrValue::Unknown),
                        ),
                        document: true,
                    });
                    attrs.push(AttrChange {
                        name: "managed_policy_arns".into(),
                        before: None,
                        after: Some(AttrValue::List(r.managed_policy_arns.clone())),
                        document: false,
                    });
                    // Everything the role will be created with, as a reviewer must see it.
                    attrs.push(attr("path", None, AttrValue::String(r.path.clone())));
                    if let Some(d) = &r.description {
                        attrs.push(attr("description", None, AttrValue::String(d.clone())));
                    }
                    attrs.push(attr(
                        "max_session_duration",
                        None,
                        AttrValue::Number(
                            r.max_session_duration
                                .unwrap_or(DEFAULT_MAX_SESSION_DURATION)
                                .into(),
                        ),
                    ));
                    if let Some(b) = &r.permissions_boundary {
                        attrs.push(attr(
                            "permissions_boundary",
                            None,
                            AttrValue::String(b.clone()),
                        ));
                    }
                    attrs.push(attr("tags", None, show_map(&tags)));
                    for (name, doc) in &inline {
                        attrs.push(AttrChange {
                            name: format!("inline_policy.{name}"),
                            before: None,
                            after: Some(
                                value_text(doc)
                                    .map(|t| AttrValue::document(&t))
                                    .unwrap_or_else(|| AttrValue::Unknown),
                            ),
                            document: true,
                        });
                    }
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
                        before: Some(AttrValue::document(&live_trust)),
                        after: Some(
                            trust_text
                                .map(|t| AttrValue::document(&t))
                                .unwrap_or_else(|| AttrValue::Unknown),
                        ),
                        document: true,
                    });
                    let want_session =
                        r.max_session_duration
                            .unwrap_or(DEFAULT_MAX_SESSION_DURATION) as i32;
                    // A block without a description leaves the role's own alone.
                    let want_description = r.description.clone().or(l.role.description.clone());
                    attrs.push(attr(
                        "path",
                        Some(AttrValue::String(l.role.path.clone())),
                        AttrValue::String(r.path.clone()),
                    ));
                    if let Some(d) = &want_description {
                        // Quoted by push_change, as every description is.
                        attrs.push(attr(
                            "description",
                            l.role.description.clone().map(AttrValue::String),
                            AttrValue::String(d.clone()),
                        ));
                    }
                    attrs.push(attr(
                        "max_session_duration",
                        Some(AttrValue::Number(l.role.max_session_duration.into())),
                        AttrValue::Number(want_session.into()),
                    ));
                    if want_description != l.role.description
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
                        before: Some(AttrValue::List(
                            l.managed_policy_arns.iter().cloned().collect(),
                        )),
                        after: Some(AttrValue::List(want.iter().cloned().collect())),
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
                                before: l.inline_policies.get(name).map(|t| AttrValue::document(t)),
                                after: Some(
                                    text.map(|t| AttrValue::document(&t))
                                        .unwrap_or_else(|| AttrValue::Unknown),
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
                            before: Some(AttrValue::document(&l.inline_policies[name])),
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
                Some(Reason::new(
                    ReasonCode::PathChanged,
                    "path changed: IAM cannot change a role's path",
                ))
            } else if adopted {
                Some(Reason::new(
                    ReasonCode::MatchedByNaturalKey,
                    format!(
                        "matched by account and name {:?}; it will be tagged {OWNERSHIP_TAG}",
                        r.name
                    ),
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

    pub(super) fn delete_role_ops(
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

    /// Owned roles whose block is gone, in the accounts that were read.
    /// Whether the resource tagged `owner` is, after following `moved` blocks, at `to`.
    fn moves_to(&self, owner: &Address, to: &Address) -> bool {
        let mut at = owner.clone();
        for _ in 0..=self.desired.moved.len() {
            if at == *to {
                return true;
            }
            match identity::moved_step(&self.desired.moved, &at) {
                Some(to) => at = to,
                None => return false,
            }
        }
        false
    }

    /// The (account id, role name) of every role block whose account is known.
    pub(super) fn declared_roles(&self) -> BTreeSet<(String, String)> {
        self.desired
            .roles
            .iter()
            .filter_map(|r| {
                self.final_account(&r.account)
                    .known()
                    .map(|a| (a.to_string(), r.name.clone()))
            })
            .collect()
    }

    pub(super) fn plan_orphan_roles(&mut self) {
        let live = self.live;
        let configured = self.declared_roles();
        let with_block: BTreeSet<String> = self.accounts.values().map(|b| b.id.clone()).collect();
        let holding: BTreeSet<String> = configured.iter().map(|(a, _)| a.clone()).collect();
        for (account, roles) in &live.roles {
            let mut deleted = false;
            for (name, l) in roles {
                let Some(owner) = owner_of(&tags_to_map(&l.role.tags)) else {
                    continue;
                };
                let key = (account.clone(), name.clone());
                if configured.contains(&key) || self.forgotten_roles.contains(&key) {
                    continue;
                }
                let ops = self.delete_role_ops(&owner, &IdRef::Known(account.clone()), l);
                self.push_change(
                    &owner,
                    Action::Delete,
                    Some(Reason::new(
                        ReasonCode::BlockRemoved,
                        "its block was removed from the configuration",
                    )),
                    Some(l.role.arn.clone()),
                    vec![],
                    ops,
                );
                deleted = true;
            }
            // An account without a block of its own loses the roles tag with its last owned
            // role (a block's account loses it in `plan_accounts`).
            if deleted
                && !with_block.contains(account)
                && !holding.contains(account)
                && !self.other_scopes.holds_roles(account)
                && live
                    .accounts
                    .get(account)
                    .is_some_and(|a| a.tags.contains_key(ROLES_TAG))
            {
                let last = self.changes.last().map(|c| c.address.clone());
                let last = last.expect("a role deletion was pushed");
                let i = self.push_op(
                    &last,
                    Op::UntagResource {
                        resource: IdRef::Known(account.clone()),
                        keys: [ROLES_TAG.to_string()].into(),
                    },
                );
                if let Some(c) = self.changes.last_mut() {
                    c.operations.push(i);
                }
            }
        }
    }
}
