//! IAM (roles, the caller's user and groups, managed policies) and STS as the emulator performs
//! them, in the account the call's scope names, with IAM's error codes (NoSuchEntity,
//! EntityAlreadyExists, DeleteConflict, LimitExceeded, MalformedPolicyDocument).
//!
//! [`Core::iam_call`] only routes: each operation has its own handler, named for it
//! (`create_role`), in the file of its concept: roles, role policies, the caller's users and
//! groups, managed policies, simulation and STS.

use std::collections::BTreeMap;

use crate::api::*;

use crate::vocab;

use super::Core;
use super::org::{Outcome, err, paginate, read, valid_role_name};
use super::state::*;

mod managed_policies;
mod role_policies;
mod roles;
mod simulation;
mod sts;
mod users;

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
    pub(super) fn iam_call(&mut self, scope: &Scope, request: Request, now: u64) -> Outcome {
        let op = request.operation();
        let account = self.iam_account(scope);
        match request {
            Request::GetRole(i) => self.get_role(op, account, i),
            Request::ListRoles(i) => self.list_roles(op, account, i),
            Request::CreateRole(i) => self.create_role(op, account, i, now),
            Request::UpdateRole(i) => self.update_role(op, account, i),
            Request::UpdateAssumeRolePolicy(i) => self.update_assume_role_policy(op, account, i),
            Request::DeleteRole(i) => self.delete_role(op, account, i),
            Request::ListAttachedRolePolicies(i) => {
                self.list_attached_role_policies(op, account, i)
            }
            Request::AttachRolePolicy(i) => self.attach_role_policy(op, account, i),
            Request::DetachRolePolicy(i) => self.detach_role_policy(op, account, i),
            Request::ListRolePolicies(i) => self.list_role_policies(op, account, i),
            Request::GetRolePolicy(i) => self.get_role_policy(op, account, i),
            Request::PutRolePolicy(i) => self.put_role_policy(op, account, i),
            Request::DeleteRolePolicy(i) => self.delete_role_policy(op, account, i),
            Request::ListRoleTags(i) => self.list_role_tags(op, account, i),
            Request::TagRole(i) => self.tag_role(op, account, i),
            Request::UntagRole(i) => self.untag_role(op, account, i),
            Request::GetUser(i) => self.get_user(op, scope, account, i),
            Request::ListAttachedUserPolicies(i) => {
                self.list_attached_user_policies(op, account, i)
            }
            Request::ListAttachedGroupPolicies(i) => {
                self.list_attached_group_policies(op, account, i)
            }
            Request::ListUserPolicies(i) => self.list_user_policies(op, account, i),
            Request::ListGroupPolicies(i) => self.list_group_policies(op, account, i),
            Request::GetUserPolicy(i) => self.get_user_policy(op, account, i),
            Request::GetGroupPolicy(i) => self.get_group_policy(op, account, i),
            Request::ListGroupsForUser(i) => self.list_groups_for_user(op, account, i),
            Request::GetPolicy(i) => self.get_policy(op, i),
            Request::GetPolicyVersion(i) => self.get_policy_version(op, i),
            Request::SimulatePrincipalPolicy(i) => self.simulate_principal_policy(op, i),
            Request::GetCallerIdentity(_) => self.get_caller_identity(op, scope, account),
            Request::AssumeRole(i) => self.assume_role(op, scope, &i, now),
            other => Err(err(
                op,
                "OrgchardEndpointError",
                format!("{} is not an IAM or STS operation", other.operation()),
            )),
        }
    }
}
