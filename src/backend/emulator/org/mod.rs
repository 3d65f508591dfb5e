//! AWS Organizations (and Account's PutAccountName) as the emulator performs them: the rules,
//! quotas, error codes and reasons AWS applies, checked before anything changes so that a
//! rejected call leaves the state exactly as it was.
//!
//! [`Core::org_call`] only routes: each operation has its own handler, named for it
//! (`create_account`), in the file of its concept: the organization and its root, OUs,
//! accounts, account creation, policies, attachments, service integrations and tags. This file
//! holds what they share: errors, pagination, tag and name checks, existence checks, and the
//! clock moving account creations and closures on.

use std::collections::{BTreeMap, BTreeSet};

use crate::api::*;

use crate::vocab;

use super::Core;
use super::state::AccountState;
use super::state::*;

mod account_creation;
mod accounts;
mod attachments;
mod organization;
mod ous;
mod policies;
mod services;
mod tags;

/// What a handler returns: the response, and whether the state changed.
pub(super) type Outcome = Result<(Response, bool), ApiError>;

/// The outcome of a call that only reads.
pub(super) fn read(response: Response) -> Outcome {
    Ok((response, false))
}

pub(super) fn err(op: Operation, code: &str, msg: impl Into<String>) -> ApiError {
    ApiError::new(op, code, msg)
}

pub(super) fn cv(op: Operation, reason: &str, msg: impl Into<String>) -> ApiError {
    ApiError::new(op, "ConstraintViolationException", msg).with_reason(reason)
}

pub(super) fn invalid(op: Operation, reason: &str, msg: impl Into<String>) -> ApiError {
    ApiError::new(op, "InvalidInputException", msg).with_reason(reason)
}

/// A page of `items` after `token`, with the token of the next page. Tokens are opaque to
/// callers and tied to the operation that issued them.
pub(super) fn paginate<T>(
    op: Operation,
    items: impl IntoIterator<Item = T>,
    token: Option<&str>,
    max_results: Option<i32>,
    default_max: usize,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let limit = match max_results {
        None => default_max,
        Some(n) if n < 1 => {
            return Err(invalid(
                op,
                "MIN_VALUE_EXCEEDED",
                format!("MaxResults {n} is below the minimum of 1"),
            ));
        }
        Some(n) if n as usize > default_max.max(20) => {
            return Err(invalid(
                op,
                "MAX_VALUE_EXCEEDED",
                format!(
                    "MaxResults {n} exceeds the maximum of {}",
                    default_max.max(20)
                ),
            ));
        }
        Some(n) => n as usize,
    };
    let offset = match token {
        None => 0,
        Some(t) => decode_token(op, t).ok_or_else(|| {
            invalid(
                op,
                "INVALID_NEXT_TOKEN",
                "The specified pagination token isn't valid.",
            )
        })?,
    };
    let mut iter = items.into_iter().skip(offset);
    let page: Vec<T> = iter.by_ref().take(limit).collect();
    let next = if iter.next().is_some() {
        Some(encode_token(op, offset + page.len()))
    } else {
        None
    };
    Ok((page, next))
}

fn token_key(op: Operation) -> u64 {
    op.name().bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn encode_token(op: Operation, offset: usize) -> String {
    format!(
        "{:016x}{:016x}",
        token_key(op),
        (offset as u64) ^ token_key(op)
    )
}

fn decode_token(op: Operation, token: &str) -> Option<usize> {
    if token.len() != 32 || !token.is_ascii() {
        return None;
    }
    let key = u64::from_str_radix(&token[..16], 16).ok()?;
    let off = u64::from_str_radix(&token[16..], 16).ok()?;
    (key == token_key(op)).then_some((off ^ key) as usize)
}

/// Organizations lists answer at most 20 items per page.
const ORG_PAGE: usize = 20;

/// Checks tags given to a create or TagResource call and returns the merged set.
pub(super) fn merge_tags(
    op: Operation,
    existing: &BTreeMap<String, String>,
    tags: &[Tag],
    max: u64,
) -> Result<BTreeMap<String, String>, ApiError> {
    let mut seen = BTreeSet::new();
    for t in tags {
        if !seen.insert(&t.key) {
            return Err(invalid(
                op,
                "DUPLICATE_TAG_KEY",
                format!("Tag key {:?} appears more than once.", t.key),
            ));
        }
        if t.key.is_empty() || t.key.chars().count() > 128 {
            return Err(invalid(
                op,
                if t.key.is_empty() {
                    "MIN_LENGTH_EXCEEDED"
                } else {
                    "MAX_LENGTH_EXCEEDED"
                },
                format!("Tag key {:?} must be 1 to 128 characters.", t.key),
            ));
        }
        if t.value.chars().count() > 256 {
            return Err(invalid(
                op,
                "MAX_LENGTH_EXCEEDED",
                format!(
                    "The value of tag {:?} is longer than 256 characters.",
                    t.key
                ),
            ));
        }
        if t.key.to_lowercase().starts_with("aws:") {
            return Err(invalid(
                op,
                "INVALID_SYSTEM_TAGS_PARAMETER",
                format!("Tag key {:?} uses the reserved prefix aws:.", t.key),
            ));
        }
    }
    let mut merged = existing.clone();
    for t in tags {
        merged.insert(t.key.clone(), t.value.clone());
    }
    if merged.len() as u64 > max {
        return Err(cv(
            op,
            "MAX_TAG_LIMIT_EXCEEDED",
            format!("A resource can have at most {max} tags."),
        ));
    }
    Ok(merged)
}

fn check_name(op: Operation, what: &str, name: &str, max: usize) -> Result<(), ApiError> {
    if name.is_empty() {
        return Err(invalid(
            op,
            "INPUT_REQUIRED",
            format!("{what} is required."),
        ));
    }
    if name.chars().count() > max {
        return Err(invalid(
            op,
            "MAX_LENGTH_EXCEEDED",
            format!("{what} must be at most {max} characters."),
        ));
    }
    Ok(())
}

fn type_not_enabled(op: Operation) -> ApiError {
    err(
        op,
        "PolicyTypeNotEnabledException",
        "The specified policy type isn't currently enabled in this root. You can't attach policies of the specified type to entities in a root until you enable that type in the root.",
    )
}

pub(super) fn valid_role_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
}

/// The trust policy Organizations gives the member-access role: the management account may
/// assume it.
pub fn trust_policy_for(account_id: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": vocab::arn::account_root("aws", account_id)},
            "Action": "sts:AssumeRole"
        }]
    })
    .to_string()
}

impl Core {
    pub(super) fn ts(&self, ms: u64) -> f64 {
        self.state.clock.epoch_s as f64 + ms as f64 / 1000.0
    }

    fn account_exists(&self, op: Operation, id: &str) -> Result<(), ApiError> {
        if self.state.accounts.contains_key(id) {
            Ok(())
        } else {
            Err(err(
                op,
                "AccountNotFoundException",
                format!("You specified an account ({id}) that doesn't exist."),
            ))
        }
    }

    fn policy_exists(&self, op: Operation, id: &str) -> Result<&PolicyState, ApiError> {
        self.state.policies.get(id).ok_or_else(|| {
            err(
                op,
                "PolicyNotFoundException",
                format!("We can't find a policy with the PolicyId ({id}) that you specified."),
            )
        })
    }

    fn check_policy_type(op: Operation, policy_type: &str) -> Result<(), ApiError> {
        vocab::policy_type(policy_type).map(|_| ()).ok_or_else(|| {
            invalid(
                op,
                "INVALID_ENUM_POLICY_TYPE",
                format!("{policy_type:?} is not a policy type."),
            )
        })
    }

    fn parent_exists(&self, op: Operation, id: &str) -> Result<(), ApiError> {
        if self.state.is_parent(id) {
            Ok(())
        } else {
            Err(err(
                op,
                "ParentNotFoundException",
                format!("We can't find a root or OU with the ParentId ({id}) that you specified."),
            ))
        }
    }

    fn root_exists(&self, op: Operation, id: &str) -> Result<(), ApiError> {
        if id == self.state.organization.root_id {
            Ok(())
        } else {
            Err(err(
                op,
                "RootNotFoundException",
                format!("We can't find a root with the RootId ({id}) that you specified."),
            ))
        }
    }

    fn target_exists(&self, op: Operation, id: &str) -> Result<TargetKind, ApiError> {
        self.state.target_kind(id).ok_or_else(|| {
            err(
                op,
                "TargetNotFoundException",
                format!("We can't find a root, OU, account, or policy with the TargetId ({id}) that you specified."),
            )
        })
    }

    /// Moves time-driven processes forward: account creations that finished, closures that
    /// completed. Returns whether anything changed.
    pub(super) fn advance(&mut self, now: u64) -> bool {
        if !self.index.time_pending {
            return false;
        }
        let mut due: Vec<(u64, String)> = self
            .state
            .create_requests
            .iter()
            .filter(|(_, r)| {
                r.state == vocab::CreateAccountState::InProgress && r.completes_ms <= now
            })
            .map(|(id, r)| (r.completes_ms, id.clone()))
            .collect();
        due.sort();
        let mut changed = !due.is_empty();
        for (_, id) in due {
            self.finish_create(&id);
        }
        for a in self.state.accounts.values_mut() {
            if a.state == vocab::AccountState::PendingClosure
                && a.suspends_at_ms.is_some_and(|t| t <= now)
            {
                a.state = vocab::AccountState::Suspended;
                a.suspends_at_ms = None;
                changed = true;
            }
        }
        if changed {
            self.index.refresh_time_pending(&self.state);
            debug_assert!(self.index == super::state::Index::build(&self.state));
        }
        changed
    }

    fn require_management(&self, op: Operation, scope: &Scope) -> Result<(), ApiError> {
        match scope {
            Scope::Management => Ok(()),
            Scope::Account(id) if op == Operation::DescribeOrganization => {
                self.account_exists(op, id)
            }
            Scope::Account(_) => Err(err(
                op,
                "AccessDeniedException",
                "You don't have permissions to access this resource. This operation can be called \
                 only from the organization's management account.",
            )),
        }
    }

    /// Performs one Organizations or Account request. Returns the response and whether the
    /// state changed.
    pub(super) fn org_call(&mut self, scope: &Scope, request: Request, now: u64) -> Outcome {
        let op = request.operation();
        if op != Operation::PutAccountName {
            self.require_management(op, scope)?;
        }
        match request {
            Request::DescribeOrganization(_) => self.describe_organization(),
            Request::CreateOrganization(_) => self.create_organization(op),
            Request::ListRoots(i) => self.list_roots(op, i),
            Request::ListOrganizationalUnitsForParent(i) => {
                self.list_organizational_units_for_parent(op, i)
            }
            Request::ListAccountsForParent(i) => self.list_accounts_for_parent(op, i),
            Request::ListAccounts(i) => self.list_accounts(op, i),
            Request::DescribeAccount(i) => self.describe_account(op, i),
            Request::ListParents(i) => self.list_parents(op, i),
            Request::ListPolicies(i) => self.list_policies(op, i),
            Request::DescribePolicy(i) => self.describe_policy(op, i),
            Request::ListTargetsForPolicy(i) => self.list_targets_for_policy(op, i),
            Request::ListPoliciesForTarget(i) => self.list_policies_for_target(op, i),
            Request::ListTagsForResource(i) => self.list_tags_for_resource(op, i),
            Request::ListAwsServiceAccessForOrganization(i) => {
                self.list_aws_service_access_for_organization(op, i)
            }
            Request::ListDelegatedAdministrators(i) => self.list_delegated_administrators(op, i),
            Request::ListDelegatedServicesForAccount(i) => {
                self.list_delegated_services_for_account(op, i)
            }
            Request::ListCreateAccountStatus(i) => self.list_create_account_status(op, i),
            Request::DescribeCreateAccountStatus(i) => self.describe_create_account_status(op, i),
            Request::CreateOrganizationalUnit(i) => self.create_organizational_unit(op, i),
            Request::UpdateOrganizationalUnit(i) => self.update_organizational_unit(op, i),
            Request::DeleteOrganizationalUnit(i) => self.delete_organizational_unit(op, i),
            Request::CreateAccount(i) => self.create_account(op, i, now),
            Request::MoveAccount(i) => self.move_account(op, i),
            Request::CloseAccount(i) => self.close_account(op, i, now),
            Request::RemoveAccountFromOrganization(i) => {
                self.remove_account_from_organization(op, i)
            }
            Request::CreatePolicy(i) => self.create_policy(op, i),
            Request::UpdatePolicy(i) => self.update_policy(op, i),
            Request::DeletePolicy(i) => self.delete_policy(op, i),
            Request::AttachPolicy(i) => self.attach_policy(op, i),
            Request::DetachPolicy(i) => self.detach_policy(op, i),
            Request::EnablePolicyType(i) => self.enable_policy_type(op, i),
            Request::DisablePolicyType(i) => self.disable_policy_type(op, i),
            Request::EnableAwsServiceAccess(i) => self.enable_aws_service_access(op, i, now),
            Request::DisableAwsServiceAccess(i) => self.disable_aws_service_access(op, i),
            Request::RegisterDelegatedAdministrator(i) => {
                self.register_delegated_administrator(op, i, now)
            }
            Request::DeregisterDelegatedAdministrator(i) => {
                self.deregister_delegated_administrator(op, i)
            }
            Request::TagResource(i) => self.tag_resource(op, i),
            Request::UntagResource(i) => self.untag_resource(op, i),
            Request::PutAccountName(i) => self.put_account_name(op, scope, i),
            other => Err(err(
                op,
                "OrgchardEndpointError",
                format!("{} is not an Organizations operation", other.operation()),
            )),
        }
    }
}
