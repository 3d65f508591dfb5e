//! IAM (roles, the caller's user and groups, managed policies) and STS as the emulator performs
//! them, in the account the call's scope names, with IAM's error codes (NoSuchEntity,
//! EntityAlreadyExists, DeleteConflict, LimitExceeded, MalformedPolicyDocument).

use std::collections::BTreeMap;

use crate::backend::*;

use crate::vocab;

use super::Core;
use super::org::{err, paginate, valid_role_name};
use super::state::*;

/// IAM lists answer 100 items per page unless asked otherwise, at most 1000.
const IAM_PAGE: usize = 100;

fn no_such(op: Operation, what: &str, name: &str) -> ApiError {
    err(
        op,
        "NoSuchEntity",
        format!("The {what} with name {name} cannot be found."),
    )
}

fn iam_page<T>(
    op: Operation,
    items: impl IntoIterator<Item = T>,
    token: Option<&str>,
    max: Option<i32>,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    if let Some(m) = max
        && !(1..=1000).contains(&m)
    {
        return Err(err(
            op,
            "ValidationError",
            format!("MaxItems {m} must be from 1 to 1000."),
        ));
    }
    paginate(op, items, token, max.or(Some(IAM_PAGE as i32)), 1000)
}

fn check_document(op: Operation, doc: &str) -> Result<(), ApiError> {
    let value: serde_json::Value = serde_json::from_str(doc).map_err(|e| {
        err(
            op,
            "MalformedPolicyDocument",
            format!("The policy document is not valid JSON: {e}"),
        )
    })?;
    let ok = value
        .get("Statement")
        .is_some_and(|s| s.is_array() || s.is_object());
    if !ok {
        return Err(err(
            op,
            "MalformedPolicyDocument",
            "The policy document has no Statement.",
        ));
    }
    Ok(())
}

fn managed_name(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_string()
}

impl Core {
    /// The account a scope's IAM calls act in.
    pub(super) fn iam_account(&self, scope: &Scope) -> String {
        match scope {
            Scope::Management => self.state.management_account_id().to_string(),
            Scope::Account(id) => id.clone(),
        }
    }

    fn role_out(&self, account: &str, name: &str, r: &RoleState) -> Role {
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

    fn role<'a>(
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

    fn role_mut(&mut self, account: &str, name: &str) -> &mut RoleState {
        self.state
            .iam
            .get_mut(account)
            .and_then(|i| i.roles.get_mut(name))
            .expect("checked by role()")
    }

    fn managed_policy_known(
        &self,
        op: Operation,
        account: &str,
        arn: &str,
    ) -> Result<(), ApiError> {
        let own = vocab::arn::iam_policy_prefix("aws", account);
        if self.state.aws_managed_iam_policies.contains_key(arn) || arn.starts_with(&own) {
            Ok(())
        } else {
            Err(err(
                op,
                "NoSuchEntity",
                format!("Policy {arn} does not exist or is not attachable."),
            ))
        }
    }

    fn check_role_tags(
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

    /// The user or group named in a request, in the management account.
    fn principal<'a>(
        &'a self,
        op: Operation,
        account: &str,
        group: bool,
        name: &str,
    ) -> Result<&'a PrincipalState, ApiError> {
        let iam = self.state.iam.get(account);
        let found = if group {
            iam.and_then(|i| i.groups.get(name))
        } else {
            iam.and_then(|i| i.users.get(name))
        };
        found.ok_or_else(|| no_such(op, if group { "group" } else { "user" }, name))
    }

    /// Performs one IAM or STS request in the scope's account.
    pub(super) fn iam_call(
        &mut self,
        scope: &Scope,
        request: Request,
        now: u64,
    ) -> Result<(Response, bool), ApiError> {
        let op = request.operation();
        let account = self.iam_account(scope);
        let read = |r: Response| Ok((r, false));
        match request {
            Request::GetRole(i) => {
                let r = self.role(op, &account, &i.role_name)?;
                read(Response::GetRole(GetRoleOutput {
                    role: self.role_out(&account, &i.role_name, r),
                }))
            }
            Request::ListRoles(i) => {
                let prefix = i.path_prefix.clone().unwrap_or_else(|| "/".into());
                let roles = self
                    .state
                    .iam
                    .get(&account)
                    .into_iter()
                    .flat_map(|iam| iam.roles.iter())
                    .filter(|(_, r)| r.path.starts_with(&prefix));
                let (page, next_token) =
                    iam_page(op, roles, i.next_token.as_deref(), i.max_results)?;
                read(Response::ListRoles(ListRolesOutput {
                    roles: page
                        .into_iter()
                        .map(|(n, r)| self.role_out(&account, n, r))
                        .collect(),
                    next_token,
                }))
            }
            Request::CreateRole(i) => {
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
                if existing.map_or(0, |iam| iam.roles.len()) as u64
                    >= self.state.quota("roles_per_account")
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
            Request::UpdateRole(i) => {
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
            Request::UpdateAssumeRolePolicy(i) => {
                self.role(op, &account, &i.role_name)?;
                check_document(op, &i.policy_document)?;
                self.role_mut(&account, &i.role_name).trust_policy = i.policy_document;
                Ok((Response::UpdateAssumeRolePolicy(Empty {}), true))
            }
            Request::DeleteRole(i) => {
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
            Request::ListAttachedRolePolicies(i) => {
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
            Request::AttachRolePolicy(i) => {
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
            Request::DetachRolePolicy(i) => {
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
            Request::ListRolePolicies(i) => {
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
            Request::GetRolePolicy(i) => {
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
            Request::PutRolePolicy(i) => {
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
            Request::DeleteRolePolicy(i) => {
                let r = self.role(op, &account, &i.role_name)?;
                if !r.inline_policies.contains_key(&i.policy_name) {
                    return Err(no_such(op, "role policy", &i.policy_name));
                }
                self.role_mut(&account, &i.role_name)
                    .inline_policies
                    .remove(&i.policy_name);
                Ok((Response::DeleteRolePolicy(Empty {}), true))
            }
            Request::ListRoleTags(i) => {
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
            Request::TagRole(i) => {
                let r = self.role(op, &account, &i.role_name)?;
                let merged = self.check_role_tags(op, &r.tags, &i.tags)?;
                self.role_mut(&account, &i.role_name).tags = merged;
                Ok((Response::TagRole(Empty {}), true))
            }
            Request::UntagRole(i) => {
                self.role(op, &account, &i.role_name)?;
                let r = self.role_mut(&account, &i.role_name);
                for k in &i.tag_keys {
                    r.tags.remove(k);
                }
                Ok((Response::UntagRole(Empty {}), true))
            }
            Request::GetUser(i) => {
                let name = match (&i.user_name, scope) {
                    (Some(n), _) => n.clone(),
                    (None, Scope::Management) => self.state.caller.user_name.clone(),
                    (None, Scope::Account(_)) => {
                        return Err(err(
                            op,
                            "ValidationError",
                            "Must specify userName when calling with non-User credentials",
                        ));
                    }
                };
                let u = self.principal(op, &account, false, &name)?;
                read(Response::GetUser(GetUserOutput {
                    user: User {
                        user_name: name.clone(),
                        user_id: u.id.clone(),
                        arn: vocab::arn::user_with_path("aws", &account, Some(&u.path), &name),
                        path: u.path.clone(),
                        permissions_boundary: u.permissions_boundary.clone(),
                    },
                }))
            }
            Request::ListAttachedUserPolicies(i) => self.list_attached(
                op,
                &account,
                false,
                &i.user_name,
                i.next_token.as_deref(),
                i.max_results,
            ),
            Request::ListAttachedGroupPolicies(i) => self.list_attached(
                op,
                &account,
                true,
                &i.group_name,
                i.next_token.as_deref(),
                i.max_results,
            ),
            Request::ListUserPolicies(i) => {
                let p = self.principal(op, &account, false, &i.user_name)?;
                let (policy_names, next_token) = iam_page(
                    op,
                    p.inline_policies.keys().cloned(),
                    i.next_token.as_deref(),
                    i.max_results,
                )?;
                read(Response::ListUserPolicies(ListUserPoliciesOutput {
                    policy_names,
                    next_token,
                }))
            }
            Request::ListGroupPolicies(i) => {
                let p = self.principal(op, &account, true, &i.group_name)?;
                let (policy_names, next_token) = iam_page(
                    op,
                    p.inline_policies.keys().cloned(),
                    i.next_token.as_deref(),
                    i.max_results,
                )?;
                read(Response::ListGroupPolicies(ListGroupPoliciesOutput {
                    policy_names,
                    next_token,
                }))
            }
            Request::GetUserPolicy(i) => {
                let p = self.principal(op, &account, false, &i.user_name)?;
                let doc = p
                    .inline_policies
                    .get(&i.policy_name)
                    .ok_or_else(|| no_such(op, "user policy", &i.policy_name))?;
                read(Response::GetUserPolicy(GetUserPolicyOutput {
                    user_name: i.user_name.clone(),
                    policy_name: i.policy_name.clone(),
                    policy_document: doc.clone(),
                }))
            }
            Request::GetGroupPolicy(i) => {
                let p = self.principal(op, &account, true, &i.group_name)?;
                let doc = p
                    .inline_policies
                    .get(&i.policy_name)
                    .ok_or_else(|| no_such(op, "group policy", &i.policy_name))?;
                read(Response::GetGroupPolicy(GetGroupPolicyOutput {
                    group_name: i.group_name.clone(),
                    policy_name: i.policy_name.clone(),
                    policy_document: doc.clone(),
                }))
            }
            Request::ListGroupsForUser(i) => {
                let p = self.principal(op, &account, false, &i.user_name)?;
                let (group_names, next_token) = iam_page(
                    op,
                    p.groups.iter().cloned(),
                    i.next_token.as_deref(),
                    i.max_results,
                )?;
                read(Response::ListGroupsForUser(ListGroupsForUserOutput {
                    group_names,
                    next_token,
                }))
            }
            Request::GetPolicy(i) => {
                if !self
                    .state
                    .aws_managed_iam_policies
                    .contains_key(&i.policy_arn)
                {
                    return Err(err(
                        op,
                        "NoSuchEntity",
                        format!(
                            "Policy {} does not exist or is not attachable.",
                            i.policy_arn
                        ),
                    ));
                }
                read(Response::GetPolicy(GetPolicyOutput {
                    policy: ManagedPolicy {
                        policy_name: managed_name(&i.policy_arn),
                        arn: i.policy_arn.clone(),
                        default_version_id: "v1".into(),
                    },
                }))
            }
            Request::GetPolicyVersion(i) => {
                let doc = self
                    .state
                    .aws_managed_iam_policies
                    .get(&i.policy_arn)
                    .ok_or_else(|| {
                        err(
                            op,
                            "NoSuchEntity",
                            format!("Policy {} does not exist.", i.policy_arn),
                        )
                    })?;
                if i.version_id != "v1" {
                    return Err(err(
                        op,
                        "NoSuchEntity",
                        format!(
                            "Policy {} version {} does not exist.",
                            i.policy_arn, i.version_id
                        ),
                    ));
                }
                read(Response::GetPolicyVersion(GetPolicyVersionOutput {
                    document: doc.clone(),
                }))
            }
            Request::SimulatePrincipalPolicy(i) => {
                let results = self.simulate(op, &i)?;
                read(Response::SimulatePrincipalPolicy(
                    SimulatePrincipalPolicyOutput {
                        evaluation_results: results,
                        next_token: None,
                    },
                ))
            }
            Request::GetCallerIdentity(_) => {
                let (arn, user_id) = match scope {
                    Scope::Management => {
                        let name = &self.state.caller.user_name;
                        let u = self.principal(op, &account, false, name)?;
                        (
                            vocab::arn::user_with_path("aws", &account, Some(&u.path), name),
                            u.id.clone(),
                        )
                    }
                    Scope::Account(id) => {
                        let role = self.member_role.clone();
                        let r = self.role(op, id, &role)?;
                        (
                            vocab::arn::assumed_role("aws", id, &role, "orgchard"),
                            format!("{}:orgchard", r.role_id),
                        )
                    }
                };
                read(Response::GetCallerIdentity(GetCallerIdentityOutput {
                    account,
                    arn,
                    user_id,
                }))
            }
            Request::AssumeRole(i) => self.assume_role(op, scope, &i, now),
            other => Err(err(
                op,
                "OrgchardEndpointError",
                format!("{} is not an IAM or STS operation", other.operation()),
            )),
        }
    }

    fn list_attached(
        &self,
        op: Operation,
        account: &str,
        group: bool,
        name: &str,
        token: Option<&str>,
        max: Option<i32>,
    ) -> Result<(Response, bool), ApiError> {
        let p = self.principal(op, account, group, name)?;
        let (page, next_token) = iam_page(op, p.managed_policies.iter(), token, max)?;
        let attached_policies = page
            .into_iter()
            .map(|arn| AttachedPolicy {
                policy_name: managed_name(arn),
                policy_arn: arn.clone(),
            })
            .collect();
        let r = if group {
            Response::ListAttachedGroupPolicies(ListAttachedGroupPoliciesOutput {
                attached_policies,
                next_token,
            })
        } else {
            Response::ListAttachedUserPolicies(ListAttachedUserPoliciesOutput {
                attached_policies,
                next_token,
            })
        };
        Ok((r, false))
    }

    fn assume_role(
        &self,
        op: Operation,
        scope: &Scope,
        i: &AssumeRoleInput,
        now: u64,
    ) -> Result<(Response, bool), ApiError> {
        let denied = || {
            err(
                op,
                "AccessDenied",
                format!(
                    "User: {} is not authorized to perform: sts:AssumeRole on resource: {}",
                    self.caller_arn(scope),
                    i.role_arn
                ),
            )
        };
        let (account, name) = parse_role_arn(&i.role_arn).ok_or_else(|| {
            err(
                op,
                "ValidationError",
                format!("{:?} is not a role ARN.", i.role_arn),
            )
        })?;
        if i.role_session_name.is_empty() || i.role_session_name.len() > 64 {
            return Err(err(
                op,
                "ValidationError",
                "RoleSessionName must be 2 to 64 characters.",
            ));
        }
        let role = self
            .state
            .iam
            .get(account)
            .and_then(|iam| iam.roles.get(name))
            .ok_or_else(denied)?;
        let duration = i.duration_seconds.unwrap_or(3600);
        if duration < 900 || duration > role.max_session_duration {
            return Err(err(
                op,
                "ValidationError",
                format!(
                    "DurationSeconds must be from 900 to the role's MaxSessionDuration ({}).",
                    role.max_session_duration
                ),
            ));
        }
        if !self.trust_allows(scope, &i.role_arn, &role.trust_policy) {
            return Err(denied());
        }
        let (access_key_id, secret_access_key, session_token) = super::session_credentials(
            &self.state.organization.id,
            &role.role_id,
            &i.role_session_name,
        );
        Ok((
            Response::AssumeRole(AssumeRoleOutput {
                credentials: Credentials {
                    access_key_id,
                    secret_access_key,
                    session_token,
                    expiration: self.ts(now + duration as u64 * 1000),
                },
                assumed_role_arn: vocab::arn::assumed_role(
                    "aws",
                    account,
                    name,
                    &i.role_session_name,
                ),
            }),
            false,
        ))
    }
}

/// `arn:aws:iam::ACCOUNT:role/PATH/NAME` to (account, name).
pub(super) fn parse_role_arn(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (account, resource) = rest.split_once(':')?;
    let path_name = resource.strip_prefix("role/")?;
    let name = path_name.rsplit('/').next()?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty())
        .then_some((account, name))
}
