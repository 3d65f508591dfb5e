//! Policies and their attachments: a `policy` block's diff (create, update, adopt), the
//! `policies` list of a root, OU or account, and the customer policies whose block is gone.

use super::*;

/// Policy documents compare as parsed JSON, not as text.
pub(super) fn same_document(live: &str, desired: &str) -> bool {
    match (
        serde_json::from_str::<serde_json::Value>(live),
        serde_json::from_str::<serde_json::Value>(desired),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => live == desired,
    }
}

impl<'a> Planner<'a> {
    /// A policy reference's final id and type.
    pub(super) fn policy_ref(
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
                match vocab::aws_managed_by_name(name) {
                    Some(p) => Some((IdRef::Known(p.id.into()), p.policy_type.into())),
                    None => {
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

    pub(super) fn policy_name(&self, id: &IdRef) -> String {
        match id {
            IdRef::Known(id) => {
                if let Some((a, _)) = self.policies.iter().find(|(_, b)| &b.id == id) {
                    return a.to_string();
                }
                match self.live.policies.get(id) {
                    Some(p) if p.summary.aws_managed => format!("aws_policy.{}", p.summary.name),
                    _ => match vocab::aws_managed_by_id(id) {
                        Some(p) => format!("aws_policy.{}", p.name),
                        None => format!("{id:?}"),
                    },
                }
            }
            IdRef::After(a) => a.to_string(),
        }
    }

    /// The attach/detach operations that turn the target's attachments into `desired`,
    /// ordered so the target never has zero SCPs nor more than AWS's maximum.
    pub(super) fn plan_attachments(
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
        for p in vocab::AWS_MANAGED_POLICIES {
            let (t, pid) = (p.policy_type, p.id);
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
            if want.is_empty() && vocab::policy_type(&t).is_none() {
                // Policies of a type orgchard does not know stay attached: the
                // configuration cannot name them.
                after.extend(
                    cur.iter()
                        .map(|id| self.policy_name(&IdRef::Known(id.clone()))),
                );
                continue;
            }
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
                after.push(vocab::RCP_FULL_AWS_ACCESS.name.into());
            }
            let max = self.desired.organization.quotas.attachments_per_target(&t);
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
            before: live_target.map(|_| AttrValue::References(before)),
            after: Some(AttrValue::References(after)),
            document: false,
        };
        (ops, Some(attr))
    }

    pub(super) fn plan_policies(&mut self) {
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
                        after: Some(AttrValue::String(p.policy_type.clone())),
                        document: false,
                    });
                    attrs.push(AttrChange {
                        name: "name".into(),
                        before: None,
                        after: Some(AttrValue::String(p.name.clone())),
                        document: false,
                    });
                    attrs.push(AttrChange {
                        name: "description".into(),
                        before: None,
                        after: Some(AttrValue::String(p.description.clone())),
                        document: false,
                    });
                    attrs.push(AttrChange {
                        name: "content".into(),
                        before: None,
                        after: Some(
                            desired_text
                                .as_deref()
                                .map(AttrValue::document)
                                .unwrap_or_else(|| AttrValue::Unknown),
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
                        after: Some(AttrValue::Unknown),
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
                        before: Some(AttrValue::String(lp.summary.name.clone())),
                        after: Some(AttrValue::String(p.name.clone())),
                        document: false,
                    });
                    attrs.push(AttrChange {
                        name: "description".into(),
                        before: Some(AttrValue::String(lp.summary.description.clone())),
                        after: Some(AttrValue::String(p.description.clone())),
                        document: false,
                    });
                    attrs.push(AttrChange {
                        name: "content".into(),
                        before: Some(AttrValue::document(&live_text)),
                        after: Some(match (&desired_text, content_changed) {
                            (Some(t), true) => AttrValue::document(t),
                            (Some(_), false) => AttrValue::document(&live_text),
                            (None, _) => AttrValue::Unknown,
                        }),
                        document: true,
                    });
                    let own_differ = OWN_TAGS.iter().any(|k| lp.tags.get(*k) != tags.get(*k));
                    if !ignore.iter().any(|i| i == "tags") || b.retag || own_differ {
                        let wanted = if ignore.iter().any(|i| i == "tags") {
                            // The user's tags are left alone; orgchard's own are kept.
                            let mut t = lp.tags.clone();
                            if let Some(owner) = tags.get(OWNERSHIP_TAG) {
                                t.insert(OWNERSHIP_TAG.into(), owner.clone());
                            }
                            for k in OWN_TAGS {
                                match tags.get(*k) {
                                    Some(v) => t.insert(k.to_string(), v.clone()),
                                    None => t.remove(*k),
                                };
                            }
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
                Reason::new(
                    ReasonCode::MatchedByNaturalKey,
                    format!(
                        "matched by type and name {:?}; it will be tagged {OWNERSHIP_TAG}",
                        p.name
                    ),
                )
            });
            self.push_change(addr, action, reason, bound.map(|b| b.id), attrs, ops);
        }
    }

    /// Customer policies that carry the ownership tag but that no block is bound to: the
    /// plan deletes them.
    pub(super) fn policies_to_delete(&self) -> BTreeSet<String> {
        let bound: BTreeSet<&String> = self.policies.values().map(|b| &b.id).collect();
        self.live
            .policies
            .iter()
            .filter(|(id, p)| {
                !p.summary.aws_managed
                    && !bound.contains(id)
                    && !self.forgotten.contains(*id)
                    && owner_of(&p.tags).is_some()
            })
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// Live ids of targets whose `policies` the configuration sets.
    pub(super) fn attachment_managed_targets(&self) -> BTreeSet<String> {
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
            if o.policies.is_some()
                && let Some(b) = self.ous.get(&o.common.address)
            {
                out.insert(b.id.clone());
            }
        }
        for a in &self.desired.accounts {
            if a.policies.is_some()
                && let Some(b) = self.accounts.get(&a.common.address)
            {
                out.insert(b.id.clone());
            }
        }
        out
    }

    /// Customer policies whose block is gone: detached where no `policies` list manages
    /// the target, then deleted.
    pub(super) fn plan_orphan_policies(
        &mut self,
        bound_ids: &BTreeSet<String>,
        deleted_ous: &BTreeSet<String>,
    ) {
        let live = self.live;
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
                Some(Reason::new(
                    ReasonCode::BlockRemoved,
                    "its block was removed from the configuration",
                )),
                Some(id.clone()),
                vec![],
                ops,
            );
        }
    }
}
