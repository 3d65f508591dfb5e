//! Organization policies themselves: listing, describing, creating, updating and deleting them,
//! with the per-type size and count quotas.

use super::*;

impl Core {
    pub(super) fn list_policies(&self, op: Operation, i: ListPoliciesInput) -> Outcome {
        Self::check_policy_type(op, &i.filter)?;
        let ids = self
            .index
            .policies_by_type
            .get(&i.filter)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let (page, next_token) =
            paginate(op, ids, i.next_token.as_deref(), i.max_results, ORG_PAGE)?;
        read(Response::ListPolicies(ListPoliciesOutput {
            policies: page.into_iter().map(|id| self.policy_summary(id)).collect(),
            next_token,
        }))
    }

    pub(super) fn describe_policy(&self, op: Operation, i: DescribePolicyInput) -> Outcome {
        self.policy_exists(op, &i.policy_id)?;
        read(Response::DescribePolicy(DescribePolicyOutput {
            policy: self.policy_out(&i.policy_id),
        }))
    }

    pub(super) fn update_policy(&mut self, op: Operation, i: UpdatePolicyInput) -> Outcome {
        let s = &self.state;
        let p = self.policy_exists(op, &i.policy_id)?;
        if p.aws_managed {
            return Err(invalid(
                op,
                "IMMUTABLE_POLICY",
                "You specified a policy that is managed by AWS and can't be modified.",
            ));
        }
        let ty = p.r#type.clone();
        if let Some(name) = &i.name {
            check_name(op, "Name", name, 128)?;
            let dup = self
                .index
                .policies_by_type
                .get(&ty)
                .into_iter()
                .flatten()
                .any(|id| *id != i.policy_id && s.policies[id].name == *name);
            if dup {
                return Err(err(
                    op,
                    "DuplicatePolicyException",
                    "A policy with the same name already exists.",
                ));
            }
        }
        if let Some(d) = &i.description {
            check_name(op, "Description", d, 512)
                .or_else(|e| if d.is_empty() { Ok(()) } else { Err(e) })?;
        }
        if let Some(c) = &i.content {
            check_content(op, &ty, c, self.state.max_policy_size(&ty))?;
        }
        let p = self.state.policies.get_mut(&i.policy_id).expect("checked");
        let changed = i.name.is_some() || i.description.is_some() || i.content.is_some();
        if let Some(n) = i.name {
            p.name = n;
        }
        if let Some(d) = i.description {
            p.description = d;
        }
        if let Some(c) = i.content {
            p.content = c;
        }
        Ok((
            Response::UpdatePolicy(UpdatePolicyOutput {
                policy: self.policy_out(&i.policy_id),
            }),
            changed,
        ))
    }

    pub(super) fn delete_policy(&mut self, op: Operation, i: DeletePolicyInput) -> Outcome {
        let s = &self.state;
        let p = self.policy_exists(op, &i.policy_id)?;
        if p.aws_managed {
            return Err(invalid(
                op,
                "IMMUTABLE_POLICY",
                "You specified a policy that is managed by AWS and can't be modified.",
            ));
        }
        if s.attachments
            .get(&i.policy_id)
            .is_some_and(|t| !t.is_empty())
        {
            return Err(err(
                op,
                "PolicyInUseException",
                "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.",
            ));
        }
        self.state.policies.remove(&i.policy_id);
        self.state.attachments.remove(&i.policy_id);
        Ok((Response::DeletePolicy(Empty {}), true))
    }

    pub(super) fn policy_summary(&self, id: &str) -> PolicySummary {
        let p = &self.state.policies[id];
        PolicySummary {
            id: id.to_string(),
            arn: self.state.policy_arn(id),
            name: p.name.clone(),
            description: p.description.clone(),
            r#type: p.r#type.clone(),
            aws_managed: p.aws_managed,
        }
    }

    pub(super) fn policy_out(&self, id: &str) -> Policy {
        Policy {
            policy_summary: self.policy_summary(id),
            content: self.state.policies[id].content.clone(),
        }
    }

    pub(super) fn create_policy(&mut self, op: Operation, i: CreatePolicyInput) -> Outcome {
        Self::check_policy_type(op, &i.r#type)?;
        check_name(op, "Name", &i.name, 128)?;
        if i.description.chars().count() > 512 {
            return Err(invalid(
                op,
                "MAX_LENGTH_EXCEEDED",
                "Description must be at most 512 characters.",
            ));
        }
        check_content(
            op,
            &i.r#type,
            &i.content,
            self.state.max_policy_size(&i.r#type),
        )?;
        let of_type = self.index.policies_by_type.get(&i.r#type);
        if of_type
            .into_iter()
            .flatten()
            .any(|id| self.state.policies[id].name == i.name)
        {
            return Err(err(
                op,
                "DuplicatePolicyException",
                "A policy with the same name already exists.",
            ));
        }
        let customer = of_type
            .into_iter()
            .flatten()
            .filter(|id| !self.state.policies[*id].aws_managed)
            .count() as u64;
        let quota = if i.r#type == SCP {
            "service_control_policies"
        } else {
            "policies_per_type"
        };
        if customer >= self.state.quota(quota) {
            return Err(cv(
                op,
                "POLICY_NUMBER_LIMIT_EXCEEDED",
                "You attempted to exceed the number of policies that you can have in an organization.",
            ));
        }
        let tags = merge_tags(
            op,
            &BTreeMap::new(),
            &i.tags,
            self.state.quota("tags_per_resource"),
        )?;
        let id = self.state.new_policy_id();
        self.state.policies.insert(
            id.clone(),
            PolicyState {
                name: i.name,
                description: i.description,
                r#type: i.r#type,
                content: i.content,
                aws_managed: false,
                tags,
            },
        );
        Ok((
            Response::CreatePolicy(CreatePolicyOutput {
                policy: self.policy_out(&id),
            }),
            true,
        ))
    }
}

fn check_content(
    op: Operation,
    policy_type: &str,
    content: &str,
    max_size: Option<usize>,
) -> Result<(), ApiError> {
    let max_size = max_size.unwrap_or(5_120);
    if content.chars().count() > max_size {
        return Err(cv(
            op,
            "POLICY_CONTENT_LIMIT_EXCEEDED",
            format!(
                "You attempted to create a policy larger than the maximum size ({max_size} characters) for {policy_type}."
            ),
        ));
    }
    match serde_json::from_str::<serde_json::Value>(content) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        _ => Err(err(
            op,
            "MalformedPolicyDocumentException",
            "The provided policy document doesn't meet the requirements of the specified policy type.",
        )),
    }
}
