//! Which policies are attached to which roots, OUs and accounts: attaching and detaching (with
//! the per-target minimum and maximum), the listings both ways, and the AWS-managed defaults
//! a new target receives.

use super::*;

impl Core {
    pub(super) fn list_targets_for_policy(
        &self,
        op: Operation,
        i: ListTargetsForPolicyInput,
    ) -> Outcome {
        let s = &self.state;
        self.policy_exists(op, &i.policy_id)?;
        let targets = s.attachments.get(&i.policy_id).into_iter().flatten();
        let (page, next_token) = paginate(
            op,
            targets,
            i.next_token.as_deref(),
            i.max_results,
            ORG_PAGE,
        )?;
        read(Response::ListTargetsForPolicy(ListTargetsForPolicyOutput {
            targets: page.into_iter().map(|t| self.target_summary(t)).collect(),
            next_token,
        }))
    }

    pub(super) fn list_policies_for_target(
        &self,
        op: Operation,
        i: ListPoliciesForTargetInput,
    ) -> Outcome {
        let s = &self.state;
        self.target_exists(op, &i.target_id)?;
        Self::check_policy_type(op, &i.filter)?;
        let ids = self.index.policies_of_type(s, &i.target_id, &i.filter);
        let (page, next_token) =
            paginate(op, ids, i.next_token.as_deref(), i.max_results, ORG_PAGE)?;
        read(Response::ListPoliciesForTarget(
            ListPoliciesForTargetOutput {
                policies: page.into_iter().map(|id| self.policy_summary(id)).collect(),
                next_token,
            },
        ))
    }

    pub(super) fn target_summary(&self, id: &str) -> PolicyTargetSummary {
        let s = &self.state;
        let (name, kind) = match s.target_kind(id) {
            Some(TargetKind::Root) => (s.organization.root_name.clone(), TargetKind::Root),
            Some(TargetKind::Ou) => (s.ous[id].name.clone(), TargetKind::Ou),
            _ => (
                s.accounts
                    .get(id)
                    .map(|a| a.name.clone())
                    .unwrap_or_default(),
                TargetKind::Account,
            ),
        };
        PolicyTargetSummary {
            target_id: id.to_string(),
            arn: s.target_arn(id),
            name,
            r#type: kind.aws_type().to_string(),
        }
    }

    /// Attaches the full-access policy of each enabled authorization type to a new target.
    pub(super) fn attach_defaults(&mut self, target: &str) {
        for default in vocab::AWS_MANAGED_POLICIES {
            let (ty, policy) = (default.policy_type, default.id);
            if self.state.enabled_policy_types.contains(ty) {
                self.state
                    .attachments
                    .entry(policy.to_string())
                    .or_default()
                    .insert(target.to_string());
            }
        }
    }

    /// Removes every attachment on a target that is going away.
    pub(super) fn detach_all(&mut self, target: &str) {
        for targets in self.state.attachments.values_mut() {
            targets.remove(target);
        }
        self.state.attachments.retain(|_, t| !t.is_empty());
    }

    pub(super) fn attach_policy(&mut self, op: Operation, i: AttachPolicyInput) -> Outcome {
        let ty = self.policy_exists(op, &i.policy_id)?.r#type.clone();
        self.target_exists(op, &i.target_id)?;
        if !self.state.enabled_policy_types.contains(&ty) {
            return Err(type_not_enabled(op));
        }
        if self
            .state
            .attachments
            .get(&i.policy_id)
            .is_some_and(|t| t.contains(&i.target_id))
        {
            return Err(err(
                op,
                "DuplicatePolicyAttachmentException",
                "The selected policy is already attached to the specified target.",
            ));
        }
        let max = self.state.attachments_per_target(&ty).unwrap_or(5);
        if self
            .index
            .policies_of_type(&self.state, &i.target_id, &ty)
            .count()
            >= max
        {
            return Err(cv(
                op,
                "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
                format!(
                    "You attempted to exceed the number of policies of type {ty} that can be attached to an entity (the maximum is {max})."
                ),
            ));
        }
        self.state
            .attachments
            .entry(i.policy_id)
            .or_default()
            .insert(i.target_id);
        Ok((Response::AttachPolicy(Empty {}), true))
    }

    pub(super) fn detach_policy(&mut self, op: Operation, i: DetachPolicyInput) -> Outcome {
        let ty = self.policy_exists(op, &i.policy_id)?.r#type.clone();
        self.target_exists(op, &i.target_id)?;
        if !self.state.enabled_policy_types.contains(&ty) {
            return Err(type_not_enabled(op));
        }
        if !self
            .state
            .attachments
            .get(&i.policy_id)
            .is_some_and(|t| t.contains(&i.target_id))
        {
            return Err(err(
                op,
                "PolicyNotAttachedException",
                "The policy isn't attached to the specified target in the specified root.",
            ));
        }
        if i.policy_id == RCP_FULL_AWS_ACCESS {
            return Err(cv(
                op,
                "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
                "You can't detach the RCPFullAWSAccess policy: it is attached to every root, OU and account while resource control policies are enabled.",
            ));
        }
        if ty == SCP
            && self
                .index
                .policies_of_type(&self.state, &i.target_id, &ty)
                .count()
                <= 1
        {
            return Err(cv(
                op,
                "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
                "You attempted to detach a policy from an entity that would leave the entity with fewer than the minimum number of policies of that type required (1).",
            ));
        }
        let targets = self
            .state
            .attachments
            .get_mut(&i.policy_id)
            .expect("checked");
        targets.remove(&i.target_id);
        if targets.is_empty() {
            self.state.attachments.remove(&i.policy_id);
        }
        Ok((Response::DetachPolicy(Empty {}), true))
    }
}
