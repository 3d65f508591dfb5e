//! The caller's user and groups, read only: who the user is, its groups, and their managed and
//! inline policies (what the pre-check and the simulator read).

use super::*;

impl Core {
    pub(super) fn get_user(
        &self,
        op: Operation,
        scope: &Scope,
        account: String,
        i: GetUserInput,
    ) -> Outcome {
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

    pub(super) fn list_attached_user_policies(
        &self,
        op: Operation,
        account: String,
        i: ListAttachedUserPoliciesInput,
    ) -> Outcome {
        self.list_attached(
            op,
            &account,
            false,
            &i.user_name,
            i.next_token.as_deref(),
            i.max_results,
        )
    }

    pub(super) fn list_attached_group_policies(
        &self,
        op: Operation,
        account: String,
        i: ListAttachedGroupPoliciesInput,
    ) -> Outcome {
        self.list_attached(
            op,
            &account,
            true,
            &i.group_name,
            i.next_token.as_deref(),
            i.max_results,
        )
    }

    pub(super) fn list_user_policies(
        &self,
        op: Operation,
        account: String,
        i: ListUserPoliciesInput,
    ) -> Outcome {
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

    pub(super) fn list_group_policies(
        &self,
        op: Operation,
        account: String,
        i: ListGroupPoliciesInput,
    ) -> Outcome {
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

    pub(super) fn get_user_policy(
        &self,
        op: Operation,
        account: String,
        i: GetUserPolicyInput,
    ) -> Outcome {
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

    pub(super) fn get_group_policy(
        &self,
        op: Operation,
        account: String,
        i: GetGroupPolicyInput,
    ) -> Outcome {
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

    pub(super) fn list_groups_for_user(
        &self,
        op: Operation,
        account: String,
        i: ListGroupsForUserInput,
    ) -> Outcome {
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

    pub(super) fn list_attached(
        &self,
        op: Operation,
        account: &str,
        group: bool,
        name: &str,
        token: Option<&str>,
        max: Option<i32>,
    ) -> Outcome {
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
}
