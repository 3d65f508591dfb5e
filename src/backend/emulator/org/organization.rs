//! The organization and its root: describing them, and enabling or disabling a policy type in
//! the root (which attaches or detaches the type's AWS-managed policy everywhere).

use super::*;

impl Core {
    pub(super) fn describe_organization(&self) -> Outcome {
        read(Response::DescribeOrganization(DescribeOrganizationOutput {
            organization: self.organization_out(),
        }))
    }

    pub(super) fn create_organization(&self, op: Operation) -> Outcome {
        Err(err(
            op,
            "AlreadyInOrganizationException",
            "This account is already a member of an organization.",
        ))
    }

    pub(super) fn list_roots(&self, op: Operation, i: ListRootsInput) -> Outcome {
        let (roots, next_token) = paginate(
            op,
            [self.root_out()],
            i.next_token.as_deref(),
            i.max_results,
            ORG_PAGE,
        )?;
        read(Response::ListRoots(ListRootsOutput { roots, next_token }))
    }

    pub(super) fn enable_policy_type(
        &mut self,
        op: Operation,
        i: EnablePolicyTypeInput,
    ) -> Outcome {
        let s = &self.state;
        self.root_exists(op, &i.root_id)?;
        Self::check_policy_type(op, &i.policy_type)?;
        if s.enabled_policy_types.contains(&i.policy_type) {
            return Err(err(
                op,
                "PolicyTypeAlreadyEnabledException",
                "The specified policy type is already enabled.",
            ));
        }
        if s.organization.feature_set != vocab::FeatureSet::All {
            return Err(err(
                op,
                "PolicyTypeNotAvailableForOrganizationException",
                "You can't use the specified policy type with the feature set currently enabled for this organization.",
            ));
        }
        let default = vocab::default_policy_of(&i.policy_type).map(|p| p.id);
        let all: BTreeSet<String> = std::iter::once(s.organization.root_id.clone())
            .chain(s.ous.keys().cloned())
            .chain(s.accounts.keys().cloned())
            .collect();
        self.state
            .enabled_policy_types
            .insert(i.policy_type.clone());
        if let Some(policy) = default {
            self.state
                .attachments
                .entry(policy.to_string())
                .or_default()
                .extend(all);
        }
        Ok((
            Response::EnablePolicyType(EnablePolicyTypeOutput {
                root: self.root_out(),
            }),
            true,
        ))
    }

    pub(super) fn disable_policy_type(
        &mut self,
        op: Operation,
        i: DisablePolicyTypeInput,
    ) -> Outcome {
        let s = &self.state;
        self.root_exists(op, &i.root_id)?;
        Self::check_policy_type(op, &i.policy_type)?;
        if !s.enabled_policy_types.contains(&i.policy_type) {
            return Err(type_not_enabled(op));
        }
        self.state.enabled_policy_types.remove(&i.policy_type);
        let of_type: Vec<String> = self
            .index
            .policies_by_type
            .get(&i.policy_type)
            .cloned()
            .unwrap_or_default();
        for p in of_type {
            self.state.attachments.remove(&p);
        }
        Ok((
            Response::DisablePolicyType(DisablePolicyTypeOutput {
                root: self.root_out(),
            }),
            true,
        ))
    }

    pub(super) fn organization_out(&self) -> Organization {
        let s = &self.state;
        let mgmt = s.management_account_id();
        Organization {
            id: s.organization.id.clone(),
            arn: s.org_arn(),
            feature_set: s.organization.feature_set.to_string(),
            master_account_id: mgmt.to_string(),
            master_account_arn: s.target_arn(mgmt),
            master_account_email: s
                .accounts
                .get(mgmt)
                .map(|a| a.email.clone())
                .unwrap_or_default(),
        }
    }

    pub(super) fn root_out(&self) -> Root {
        let s = &self.state;
        Root {
            id: s.organization.root_id.clone(),
            arn: s.target_arn(&s.organization.root_id),
            name: s.organization.root_name.clone(),
            policy_types: s
                .enabled_policy_types
                .iter()
                .map(|t| PolicyTypeSummary {
                    r#type: t.clone(),
                    status: vocab::PolicyTypeStatus::Enabled,
                })
                .collect(),
        }
    }
}
