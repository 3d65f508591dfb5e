//! The policies of a role: managed policies attached to it (within the per-role quota) and its
//! inline policies.

use super::*;

impl Core {
    pub(super) fn list_attached_role_policies(
        &self,
        op: Operation,
        account: String,
        i: ListAttachedRolePoliciesInput,
    ) -> Outcome {
        let r = self.role(op, &account, &i.role_name)?;
        let (page, next_token) = iam_page(
            op,
            r.managed_policies.iter(),
            i.next_token.as_deref(),
            i.max_results,
        )?;
        read(Response::ListAttachedRolePolicies(
            ListAttachedRolePoliciesOutput {
                attached_policies: page
                    .into_iter()
                    .map(|arn| AttachedPolicy {
                        policy_name: managed_name(arn),
                        policy_arn: arn.clone(),
                    })
                    .collect(),
                next_token,
            },
        ))
    }

    pub(super) fn attach_role_policy(
        &mut self,
        op: Operation,
        account: String,
        i: AttachRolePolicyInput,
    ) -> Outcome {
        let r = self.role(op, &account, &i.role_name)?;
        let already = r.managed_policies.contains(&i.policy_arn);
        let count = r.managed_policies.len() as u64;
        self.managed_policy_known(op, &account, &i.policy_arn)?;
        if already {
            return Ok((Response::AttachRolePolicy(Empty {}), false));
        }
        if count >= self.state.quota("managed_policies_per_role") {
            return Err(err(
                op,
                "LimitExceeded",
                format!(
                    "Cannot exceed quota for PoliciesPerRole: {}",
                    self.state.quota("managed_policies_per_role")
                ),
            ));
        }
        self.role_mut(&account, &i.role_name)
            .managed_policies
            .insert(i.policy_arn);
        Ok((Response::AttachRolePolicy(Empty {}), true))
    }

    pub(super) fn detach_role_policy(
        &mut self,
        op: Operation,
        account: String,
        i: DetachRolePolicyInput,
    ) -> Outcome {
        let r = self.role(op, &account, &i.role_name)?;
        if !r.managed_policies.contains(&i.policy_arn) {
            return Err(err(
                op,
                "NoSuchEntity",
                format!("Policy {} was not found.", i.policy_arn),
            ));
        }
        self.role_mut(&account, &i.role_name)
            .managed_policies
            .remove(&i.policy_arn);
        Ok((Response::DetachRolePolicy(Empty {}), true))
    }

    pub(super) fn list_role_policies(
        &self,
        op: Operation,
        account: String,
        i: ListRolePoliciesInput,
    ) -> Outcome {
        let r = self.role(op, &account, &i.role_name)?;
        let (policy_names, next_token) = iam_page(
            op,
            r.inline_policies.keys().cloned(),
            i.next_token.as_deref(),
            i.max_results,
        )?;
        read(Response::ListRolePolicies(ListRolePoliciesOutput {
            policy_names,
            next_token,
        }))
    }

    pub(super) fn get_role_policy(
        &self,
        op: Operation,
        account: String,
        i: GetRolePolicyInput,
    ) -> Outcome {
        let r = self.role(op, &account, &i.role_name)?;
        let doc = r
            .inline_policies
            .get(&i.policy_name)
            .ok_or_else(|| no_such(op, "role policy", &i.policy_name))?;
        read(Response::GetRolePolicy(GetRolePolicyOutput {
            role_name: i.role_name.clone(),
            policy_name: i.policy_name.clone(),
            policy_document: doc.clone(),
        }))
    }

    pub(super) fn put_role_policy(
        &mut self,
        op: Operation,
        account: String,
        i: PutRolePolicyInput,
    ) -> Outcome {
        self.role(op, &account, &i.role_name)?;
        if !valid_role_name(&i.policy_name) || i.policy_name.len() > 128 {
            return Err(err(
                op,
                "ValidationError",
                format!("{:?} is not a valid policy name.", i.policy_name),
            ));
        }
        check_document(op, &i.policy_document)?;
        if i.policy_document
            .chars()
            .filter(|c| !c.is_whitespace())
            .count()
            > 10_240
        {
            return Err(err(
                op,
                "LimitExceeded",
                "Maximum policy size of 10240 bytes exceeded for role.",
            ));
        }
        self.role_mut(&account, &i.role_name)
            .inline_policies
            .insert(i.policy_name, i.policy_document);
        Ok((Response::PutRolePolicy(Empty {}), true))
    }

    pub(super) fn delete_role_policy(
        &mut self,
        op: Operation,
        account: String,
        i: DeleteRolePolicyInput,
    ) -> Outcome {
        let r = self.role(op, &account, &i.role_name)?;
        if !r.inline_policies.contains_key(&i.policy_name) {
            return Err(no_such(op, "role policy", &i.policy_name));
        }
        self.role_mut(&account, &i.role_name)
            .inline_policies
            .remove(&i.policy_name);
        Ok((Response::DeleteRolePolicy(Empty {}), true))
    }
}
