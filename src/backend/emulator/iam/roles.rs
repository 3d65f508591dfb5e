//! IAM roles: reading, creating, updating and deleting them (within the account's role quota),
//! their trust policies and their tags.

use super::*;

impl Core {
    pub(super) fn get_role(&self, op: Operation, account: String, i: GetRoleInput) -> Outcome {
        let r = self.role(op, &account, &i.role_name)?;
        read(Response::GetRole(GetRoleOutput {
            role: self.role_out(&account, &i.role_name, r),
        }))
    }

    pub(super) fn list_roles(&self, op: Operation, account: String, i: ListRolesInput) -> Outcome {
        let prefix = i.path_prefix.clone().unwrap_or_else(|| "/".into());
        let roles = self
            .state
            .iam
            .get(&account)
            .into_iter()
            .flat_map(|iam| iam.roles.iter())
            .filter(|(_, r)| r.path.starts_with(&prefix));
        let (page, next_token) = iam_page(op, roles, i.next_token.as_deref(), i.max_results)?;
        read(Response::ListRoles(ListRolesOutput {
            roles: page
                .into_iter()
                .map(|(n, r)| self.role_out(&account, n, r))
                .collect(),
            next_token,
        }))
    }

    pub(super) fn create_role(
        &mut self,
        op: Operation,
        account: String,
        i: CreateRoleInput,
        now: u64,
    ) -> Outcome {
        if !valid_role_name(&i.role_name) {
            return Err(err(
                op,
                "ValidationError",
                format!("{:?} is not a valid role name.", i.role_name),
            ));
        }
        let path = i.path.clone().unwrap_or_else(|| "/".into());
        if !path.starts_with('/') || !path.ends_with('/') || path.len() > 512 {
            return Err(err(
                op,
                "ValidationError",
                format!("{path:?} is not a valid path."),
            ));
        }
        let existing = self.state.iam.get(&account);
        if existing.is_some_and(|iam| iam.roles.contains_key(&i.role_name)) {
            return Err(err(
                op,
                "EntityAlreadyExists",
                format!("Role with name {} already exists.", i.role_name),
            ));
        }
        if existing.map_or(0, |iam| iam.roles.len()) as u64 >= self.state.quota("roles_per_account")
        {
            return Err(err(
                op,
                "LimitExceeded",
                "Cannot exceed quota for RolesPerAccount.",
            ));
        }
        check_document(op, &i.assume_role_policy_document)?;
        let msd = i.max_session_duration.unwrap_or(3600);
        if !(3600..=43200).contains(&msd) {
            return Err(err(
                op,
                "ValidationError",
                "MaxSessionDuration must be from 3600 to 43200.",
            ));
        }
        if let Some(b) = &i.permissions_boundary {
            self.managed_policy_known(op, &account, b)?;
        }
        let tags = self.check_role_tags(op, &BTreeMap::new(), &i.tags)?;
        let role_id = format!("AROA{}", self.state.draw(UPPER_DIGITS, 17));
        let role = RoleState {
            role_id,
            path,
            trust_policy: i.assume_role_policy_document,
            description: i.description,
            max_session_duration: msd,
            permissions_boundary: i.permissions_boundary,
            inline_policies: BTreeMap::new(),
            managed_policies: Default::default(),
            tags,
            created_ms: now,
        };
        self.state
            .iam
            .entry(account.clone())
            .or_default()
            .roles
            .insert(i.role_name.clone(), role);
        let r = self.role(op, &account, &i.role_name)?;
        Ok((
            Response::CreateRole(CreateRoleOutput {
                role: self.role_out(&account, &i.role_name, r),
            }),
            true,
        ))
    }

    pub(super) fn update_role(
        &mut self,
        op: Operation,
        account: String,
        i: UpdateRoleInput,
    ) -> Outcome {
        self.role(op, &account, &i.role_name)?;
        if let Some(m) = i.max_session_duration
            && !(3600..=43200).contains(&m)
        {
            return Err(err(
                op,
                "ValidationError",
                "MaxSessionDuration must be from 3600 to 43200.",
            ));
        }
        let r = self.role_mut(&account, &i.role_name);
        if let Some(d) = i.description {
            r.description = Some(d);
        }
        if let Some(m) = i.max_session_duration {
            r.max_session_duration = m;
        }
        Ok((Response::UpdateRole(Empty {}), true))
    }

    pub(super) fn update_assume_role_policy(
        &mut self,
        op: Operation,
        account: String,
        i: UpdateAssumeRolePolicyInput,
    ) -> Outcome {
        self.role(op, &account, &i.role_name)?;
        check_document(op, &i.policy_document)?;
        self.role_mut(&account, &i.role_name).trust_policy = i.policy_document;
        Ok((Response::UpdateAssumeRolePolicy(Empty {}), true))
    }

    pub(super) fn delete_role(
        &mut self,
        op: Operation,
        account: String,
        i: DeleteRoleInput,
    ) -> Outcome {
        let r = self.role(op, &account, &i.role_name)?;
        if !r.inline_policies.is_empty() || !r.managed_policies.is_empty() {
            return Err(err(
                op,
                "DeleteConflict",
                "Cannot delete entity, must remove policies first.",
            ));
        }
        self.state
            .iam
            .get_mut(&account)
            .expect("checked")
            .roles
            .remove(&i.role_name);
        Ok((Response::DeleteRole(Empty {}), true))
    }

    pub(super) fn list_role_tags(
        &self,
        op: Operation,
        account: String,
        i: ListRoleTagsInput,
    ) -> Outcome {
        let r = self.role(op, &account, &i.role_name)?;
        let (tags, next_token) = iam_page(
            op,
            tags_from_map(&r.tags),
            i.next_token.as_deref(),
            i.max_results,
        )?;
        read(Response::ListRoleTags(ListRoleTagsOutput {
            tags,
            next_token,
        }))
    }

    pub(super) fn tag_role(&mut self, op: Operation, account: String, i: TagRoleInput) -> Outcome {
        let r = self.role(op, &account, &i.role_name)?;
        let merged = self.check_role_tags(op, &r.tags, &i.tags)?;
        self.role_mut(&account, &i.role_name).tags = merged;
        Ok((Response::TagRole(Empty {}), true))
    }

    pub(super) fn untag_role(
        &mut self,
        op: Operation,
        account: String,
        i: UntagRoleInput,
    ) -> Outcome {
        self.role(op, &account, &i.role_name)?;
        let r = self.role_mut(&account, &i.role_name);
        for k in &i.tag_keys {
            r.tags.remove(k);
        }
        Ok((Response::UntagRole(Empty {}), true))
    }

    pub(super) fn role_out(&self, account: &str, name: &str, r: &RoleState) -> Role {
        Role {
            role_name: name.to_string(),
            role_id: r.role_id.clone(),
            arn: vocab::arn::role("aws", account, Some(&r.path), name),
            path: r.path.clone(),
            assume_role_policy_document: r.trust_policy.clone(),
            description: r.description.clone(),
            max_session_duration: r.max_session_duration,
            permissions_boundary: r.permissions_boundary.clone(),
            tags: tags_from_map(&r.tags),
            create_date: self.ts(r.created_ms),
        }
    }

    pub(super) fn role<'a>(
        &'a self,
        op: Operation,
        account: &str,
        name: &str,
    ) -> Result<&'a RoleState, ApiError> {
        self.state
            .iam
            .get(account)
            .and_then(|i| i.roles.get(name))
            .ok_or_else(|| no_such(op, "role", name))
    }

    pub(super) fn role_mut(&mut self, account: &str, name: &str) -> &mut RoleState {
        self.state
            .iam
            .get_mut(account)
            .and_then(|i| i.roles.get_mut(name))
            .expect("checked by role()")
    }

    pub(super) fn check_role_tags(
        &self,
        op: Operation,
        existing: &BTreeMap<String, String>,
        tags: &[Tag],
    ) -> Result<BTreeMap<String, String>, ApiError> {
        let max = self.state.quota("tags_per_resource");
        let mut merged = existing.clone();
        for t in tags {
            if t.key.is_empty() || t.key.chars().count() > 128 || t.value.chars().count() > 256 {
                return Err(err(
                    op,
                    "InvalidInput",
                    format!(
                        "Tag {:?} must have a key of 1 to 128 and a value of at most 256 characters.",
                        t.key
                    ),
                ));
            }
            merged.insert(t.key.clone(), t.value.clone());
        }
        if merged.len() as u64 > max {
            return Err(err(
                op,
                "LimitExceeded",
                format!("A role can have at most {max} tags."),
            ));
        }
        Ok(merged)
    }
}
