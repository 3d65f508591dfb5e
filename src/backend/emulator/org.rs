//! AWS Organizations (and Account's PutAccountName) as the emulator performs them: the rules,
//! quotas, error codes and reasons AWS applies, checked before anything changes so that a
//! rejected call leaves the state exactly as it was.

use std::collections::{BTreeMap, BTreeSet};

use crate::backend::*;

use crate::vocab;

use super::Core;
use super::state::AccountState;
use super::state::*;

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

fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    (6..=64).contains(&email.len())
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

impl Core {
    pub(super) fn ts(&self, ms: u64) -> f64 {
        self.state.clock.epoch_s as f64 + ms as f64 / 1000.0
    }

    fn root_out(&self) -> Root {
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

    fn ou_out(&self, id: &str) -> OrganizationalUnit {
        OrganizationalUnit {
            id: id.to_string(),
            arn: self.state.target_arn(id),
            name: self.state.ous[id].name.clone(),
        }
    }

    pub(super) fn account_out(&self, id: &str) -> Account {
        let a = &self.state.accounts[id];
        Account {
            id: id.to_string(),
            arn: self.state.target_arn(id),
            email: a.email.clone(),
            name: a.name.clone(),
            state: a.state.clone(),
            joined_method: a.joined_method.clone(),
            joined_timestamp: self.ts(a.joined_ms),
        }
    }

    fn policy_summary(&self, id: &str) -> PolicySummary {
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

    fn policy_out(&self, id: &str) -> Policy {
        Policy {
            policy_summary: self.policy_summary(id),
            content: self.state.policies[id].content.clone(),
        }
    }

    fn create_status_out(&self, id: &str) -> CreateAccountStatus {
        let r = &self.state.create_requests[id];
        let done = r.state != vocab::CreateAccountState::InProgress;
        CreateAccountStatus {
            id: id.to_string(),
            account_name: r.account_name.clone(),
            state: r.state.clone(),
            requested_timestamp: self.ts(r.requested_ms),
            completed_timestamp: done.then(|| self.ts(r.completes_ms)),
            account_id: (r.state == vocab::CreateAccountState::Succeeded)
                .then(|| r.account_id.clone()),
            failure_reason: r.failure_reason.clone(),
        }
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

    /// Attaches the full-access policy of each enabled authorization type to a new target.
    fn attach_defaults(&mut self, target: &str) {
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
    fn detach_all(&mut self, target: &str) {
        for targets in self.state.attachments.values_mut() {
            targets.remove(target);
        }
        self.state.attachments.retain(|_, t| !t.is_empty());
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

    fn finish_create(&mut self, request_id: &str) {
        let r = self.state.create_requests[request_id].clone();
        let email_taken = self
            .state
            .accounts
            .values()
            .any(|a| a.email.eq_ignore_ascii_case(&r.email));
        let full = self.state.accounts.len() as u64 >= self.state.quota("accounts");
        let failure = if email_taken {
            Some("EMAIL_ALREADY_EXISTS")
        } else if full {
            Some("ACCOUNT_LIMIT_EXCEEDED")
        } else {
            None
        };
        let req = self
            .state
            .create_requests
            .get_mut(request_id)
            .expect("request exists");
        if let Some(reason) = failure {
            req.state = vocab::CreateAccountState::Failed;
            req.failure_reason = Some(reason.into());
            return;
        }
        req.state = vocab::CreateAccountState::Succeeded;
        let root = self.state.organization.root_id.clone();
        self.state.accounts.insert(
            r.account_id.clone(),
            AccountState {
                name: r.account_name.clone(),
                email: r.email.clone(),
                state: vocab::AccountState::Active,
                joined_method: "CREATED".into(),
                joined_ms: r.completes_ms,
                parent_id: root,
                tags: r.tags.clone(),
                suspends_at_ms: None,
            },
        );
        self.attach_defaults(&r.account_id);
        let root = &self.state.organization.root_id;
        self.index
            .add_target(&self.state, &r.account_id, root, false);
        let mgmt = self.state.management_account_id().to_string();
        let role_id = format!("AROA{}", self.state.draw(UPPER_DIGITS, 17));
        self.state
            .iam
            .entry(r.account_id.clone())
            .or_default()
            .roles
            .insert(
                r.role_name.clone(),
                RoleState {
                    role_id,
                    path: "/".into(),
                    trust_policy: trust_policy_for(&mgmt),
                    description: None,
                    max_session_duration: 3600,
                    permissions_boundary: None,
                    inline_policies: BTreeMap::new(),
                    managed_policies: [ADMINISTRATOR_ACCESS.to_string()].into(),
                    tags: BTreeMap::new(),
                    created_ms: r.completes_ms,
                },
            );
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
    pub(super) fn org_call(
        &mut self,
        scope: &Scope,
        request: Request,
        now: u64,
    ) -> Result<(Response, bool), ApiError> {
        let op = request.operation();
        if op != Operation::PutAccountName {
            self.require_management(op, scope)?;
        }
        let s = &self.state;
        let read = |r: Response| Ok((r, false));
        match request {
            Request::DescribeOrganization(_) => {
                read(Response::DescribeOrganization(DescribeOrganizationOutput {
                    organization: self.organization_out(),
                }))
            }
            Request::CreateOrganization(_) => Err(err(
                op,
                "AlreadyInOrganizationException",
                "This account is already a member of an organization.",
            )),
            Request::ListRoots(i) => {
                let (roots, next_token) = paginate(
                    op,
                    [self.root_out()],
                    i.next_token.as_deref(),
                    i.max_results,
                    ORG_PAGE,
                )?;
                read(Response::ListRoots(ListRootsOutput { roots, next_token }))
            }
            Request::ListOrganizationalUnitsForParent(i) => {
                self.parent_exists(op, &i.parent_id)?;
                let ids = self
                    .index
                    .child_ous
                    .get(&i.parent_id)
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                let (page, next_token) =
                    paginate(op, ids, i.next_token.as_deref(), i.max_results, ORG_PAGE)?;
                read(Response::ListOrganizationalUnitsForParent(
                    ListOrganizationalUnitsForParentOutput {
                        organizational_units: page.into_iter().map(|id| self.ou_out(id)).collect(),
                        next_token,
                    },
                ))
            }
            Request::ListAccountsForParent(i) => {
                self.parent_exists(op, &i.parent_id)?;
                let ids = self
                    .index
                    .child_accounts
                    .get(&i.parent_id)
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                let (page, next_token) =
                    paginate(op, ids, i.next_token.as_deref(), i.max_results, ORG_PAGE)?;
                read(Response::ListAccountsForParent(
                    ListAccountsForParentOutput {
                        accounts: page.into_iter().map(|id| self.account_out(id)).collect(),
                        next_token,
                    },
                ))
            }
            Request::ListAccounts(i) => {
                let (page, next_token) = paginate(
                    op,
                    s.accounts.keys(),
                    i.next_token.as_deref(),
                    i.max_results,
                    ORG_PAGE,
                )?;
                read(Response::ListAccounts(ListAccountsOutput {
                    accounts: page.into_iter().map(|id| self.account_out(id)).collect(),
                    next_token,
                }))
            }
            Request::DescribeAccount(i) => {
                self.account_exists(op, &i.account_id)?;
                read(Response::DescribeAccount(DescribeAccountOutput {
                    account: self.account_out(&i.account_id),
                }))
            }
            Request::ListParents(i) => {
                let parent = s
                    .accounts
                    .get(&i.child_id)
                    .map(|a| &a.parent_id)
                    .or_else(|| s.ous.get(&i.child_id).map(|o| &o.parent_id))
                    .ok_or_else(|| {
                        err(
                            op,
                            "ChildNotFoundException",
                            format!("We can't find an organizational unit (OU) or AWS account with the ChildId ({}) that you specified.", i.child_id),
                        )
                    })?;
                let parents = vec![Parent {
                    id: parent.clone(),
                    r#type: if s.ous.contains_key(parent) {
                        "ORGANIZATIONAL_UNIT".into()
                    } else {
                        "ROOT".into()
                    },
                }];
                let (parents, next_token) = paginate(
                    op,
                    parents,
                    i.next_token.as_deref(),
                    i.max_results,
                    ORG_PAGE,
                )?;
                read(Response::ListParents(ListParentsOutput {
                    parents,
                    next_token,
                }))
            }
            Request::ListPolicies(i) => {
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
            Request::DescribePolicy(i) => {
                self.policy_exists(op, &i.policy_id)?;
                read(Response::DescribePolicy(DescribePolicyOutput {
                    policy: self.policy_out(&i.policy_id),
                }))
            }
            Request::ListTargetsForPolicy(i) => {
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
            Request::ListPoliciesForTarget(i) => {
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
            Request::ListTagsForResource(i) => {
                let tags = self.tags_of(op, &i.resource_id)?;
                let (tags, next_token) = paginate(
                    op,
                    tags_from_map(tags),
                    i.next_token.as_deref(),
                    None,
                    ORG_PAGE,
                )?;
                read(Response::ListTagsForResource(ListTagsForResourceOutput {
                    tags,
                    next_token,
                }))
            }
            Request::ListAwsServiceAccessForOrganization(i) => {
                let all: Vec<_> = s
                    .service_access
                    .iter()
                    .map(|(p, ms)| EnabledServicePrincipal {
                        service_principal: p.clone(),
                        date_enabled: self.ts(*ms),
                    })
                    .collect();
                let (enabled_service_principals, next_token) =
                    paginate(op, all, i.next_token.as_deref(), i.max_results, ORG_PAGE)?;
                read(Response::ListAwsServiceAccessForOrganization(
                    ListAwsServiceAccessForOrganizationOutput {
                        enabled_service_principals,
                        next_token,
                    },
                ))
            }
            Request::ListDelegatedAdministrators(i) => {
                let all: Vec<_> = s
                    .delegated_admins
                    .iter()
                    .filter_map(|(acct, services)| {
                        let dates: Vec<u64> = services
                            .iter()
                            .filter(|(sp, _)| i.service_principal.as_ref().is_none_or(|f| f == *sp))
                            .map(|(_, ms)| *ms)
                            .collect();
                        let first = dates.into_iter().min()?;
                        let a = self.account_out(acct);
                        Some(DelegatedAdministrator {
                            id: a.id,
                            arn: a.arn,
                            email: a.email,
                            name: a.name,
                            state: a.state,
                            joined_method: a.joined_method,
                            delegation_enabled_date: self.ts(first),
                        })
                    })
                    .collect();
                let (delegated_administrators, next_token) =
                    paginate(op, all, i.next_token.as_deref(), i.max_results, ORG_PAGE)?;
                read(Response::ListDelegatedAdministrators(
                    ListDelegatedAdministratorsOutput {
                        delegated_administrators,
                        next_token,
                    },
                ))
            }
            Request::ListDelegatedServicesForAccount(i) => {
                self.account_exists(op, &i.account_id)?;
                let services = s.delegated_admins.get(&i.account_id).ok_or_else(|| {
                    err(
                        op,
                        "AccountNotRegisteredException",
                        "The specified account is not a delegated administrator for this AWS service.",
                    )
                })?;
                let all: Vec<_> = services
                    .iter()
                    .map(|(sp, ms)| DelegatedService {
                        service_principal: sp.clone(),
                        delegation_enabled_date: self.ts(*ms),
                    })
                    .collect();
                let (delegated_services, next_token) =
                    paginate(op, all, i.next_token.as_deref(), i.max_results, ORG_PAGE)?;
                read(Response::ListDelegatedServicesForAccount(
                    ListDelegatedServicesForAccountOutput {
                        delegated_services,
                        next_token,
                    },
                ))
            }
            Request::ListCreateAccountStatus(i) => {
                let ids = s
                    .create_requests
                    .iter()
                    .filter(|(_, r)| i.states.is_empty() || i.states.contains(&r.state))
                    .map(|(id, _)| id);
                let (page, next_token) =
                    paginate(op, ids, i.next_token.as_deref(), i.max_results, ORG_PAGE)?;
                read(Response::ListCreateAccountStatus(
                    ListCreateAccountStatusOutput {
                        create_account_statuses: page
                            .into_iter()
                            .map(|id| self.create_status_out(id))
                            .collect(),
                        next_token,
                    },
                ))
            }
            Request::DescribeCreateAccountStatus(i) => {
                if !s.create_requests.contains_key(&i.create_account_request_id) {
                    return Err(err(
                        op,
                        "CreateAccountStatusNotFoundException",
                        format!(
                            "We can't find a create account request with the CreateAccountRequestId ({}) that you specified.",
                            i.create_account_request_id
                        ),
                    ));
                }
                read(Response::DescribeCreateAccountStatus(
                    DescribeCreateAccountStatusOutput {
                        create_account_status: self.create_status_out(&i.create_account_request_id),
                    },
                ))
            }
            Request::CreateOrganizationalUnit(i) => self.create_ou(op, i),
            Request::UpdateOrganizationalUnit(i) => {
                let ou = s
                    .ous
                    .get(&i.organizational_unit_id)
                    .ok_or_else(|| ou_not_found(op, &i.organizational_unit_id))?;
                if let Some(name) = &i.name {
                    check_name(op, "Name", name, 128)?;
                    let parent = ou.parent_id.clone();
                    self.no_duplicate_ou(op, &parent, name, Some(&i.organizational_unit_id))?;
                    self.state
                        .ous
                        .get_mut(&i.organizational_unit_id)
                        .expect("checked")
                        .name = name.clone();
                }
                Ok((
                    Response::UpdateOrganizationalUnit(UpdateOrganizationalUnitOutput {
                        organizational_unit: self.ou_out(&i.organizational_unit_id),
                    }),
                    i.name.is_some(),
                ))
            }
            Request::DeleteOrganizationalUnit(i) => {
                let id = &i.organizational_unit_id;
                if !s.ous.contains_key(id) {
                    return Err(ou_not_found(op, id));
                }
                let has_children = self.index.child_ous.get(id).is_some_and(|c| !c.is_empty())
                    || self
                        .index
                        .child_accounts
                        .get(id)
                        .is_some_and(|c| !c.is_empty());
                if has_children {
                    return Err(err(
                        op,
                        "OrganizationalUnitNotEmptyException",
                        "The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.",
                    ));
                }
                self.state.ous.remove(id);
                self.detach_all(id);
                Ok((Response::DeleteOrganizationalUnit(Empty {}), true))
            }
            Request::CreateAccount(i) => self.create_account(op, i, now),
            Request::MoveAccount(i) => {
                self.account_exists(op, &i.account_id)?;
                if !s.is_parent(&i.source_parent_id) {
                    return Err(err(
                        op,
                        "SourceParentNotFoundException",
                        format!(
                            "We can't find a source root or OU with the ParentId ({}) that you specified.",
                            i.source_parent_id
                        ),
                    ));
                }
                if !s.is_parent(&i.destination_parent_id) {
                    return Err(err(
                        op,
                        "DestinationParentNotFoundException",
                        format!(
                            "We can't find the destination container (a root or OU) with the ParentId ({}) that you specified.",
                            i.destination_parent_id
                        ),
                    ));
                }
                let current = &s.accounts[&i.account_id].parent_id;
                if *current != i.source_parent_id {
                    return Err(err(
                        op,
                        "AccountNotFoundException",
                        format!(
                            "The account {} is not in the source parent {}.",
                            i.account_id, i.source_parent_id
                        ),
                    ));
                }
                if *current == i.destination_parent_id {
                    return Err(err(
                        op,
                        "DuplicateAccountException",
                        "That account is already present in the specified destination.",
                    ));
                }
                self.state
                    .accounts
                    .get_mut(&i.account_id)
                    .expect("checked")
                    .parent_id = i.destination_parent_id;
                Ok((Response::MoveAccount(Empty {}), true))
            }
            Request::CloseAccount(i) => self.close_account(op, i, now),
            Request::RemoveAccountFromOrganization(i) => {
                self.account_exists(op, &i.account_id)?;
                if i.account_id == s.management_account_id() {
                    return Err(cv(
                        op,
                        "ACCOUNT_CANNOT_LEAVE_ORGANIZATION",
                        "You can't remove the management account from the organization.",
                    ));
                }
                if s.delegated_admins.contains_key(&i.account_id) {
                    return Err(cv(
                        op,
                        "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
                        "You must deregister this account as a delegated administrator before removing it from the organization.",
                    ));
                }
                self.state.accounts.remove(&i.account_id);
                self.detach_all(&i.account_id);
                self.state.iam.remove(&i.account_id);
                Ok((Response::RemoveAccountFromOrganization(Empty {}), true))
            }
            Request::CreatePolicy(i) => self.create_policy(op, i),
            Request::UpdatePolicy(i) => {
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
            Request::DeletePolicy(i) => {
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
            Request::AttachPolicy(i) => self.attach(op, i),
            Request::DetachPolicy(i) => self.detach(op, i),
            Request::EnablePolicyType(i) => {
                self.root_exists(op, &i.root_id)?;
                Self::check_policy_type(op, &i.policy_type)?;
                if s.enabled_policy_types.contains(&i.policy_type) {
                    return Err(err(
                        op,
                        "PolicyTypeAlreadyEnabledException",
                        "The specified policy type is already enabled.",
                    ));
                }
                if s.organization.feature_set != "ALL" {
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
            Request::DisablePolicyType(i) => {
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
            Request::EnableAwsServiceAccess(i) => {
                check_principal(op, &i.service_principal)?;
                let changed = !s.service_access.contains_key(&i.service_principal);
                self.state
                    .service_access
                    .entry(i.service_principal)
                    .or_insert(now);
                Ok((Response::EnableAwsServiceAccess(Empty {}), changed))
            }
            Request::DisableAwsServiceAccess(i) => {
                check_principal(op, &i.service_principal)?;
                let changed = self
                    .state
                    .service_access
                    .remove(&i.service_principal)
                    .is_some();
                Ok((Response::DisableAwsServiceAccess(Empty {}), changed))
            }
            Request::RegisterDelegatedAdministrator(i) => {
                self.account_exists(op, &i.account_id)?;
                check_principal(op, &i.service_principal)?;
                if i.account_id == s.management_account_id() {
                    return Err(cv(
                        op,
                        "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
                        "You can't register the management account of your organization as a delegated administrator for an AWS service integrated with Organizations.",
                    ));
                }
                if !s.accounts[&i.account_id].state.is_usable() {
                    return Err(cv(
                        op,
                        "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR",
                        "You can't register a suspended account as a delegated administrator.",
                    ));
                }
                if !s.service_access.contains_key(&i.service_principal) {
                    return Err(cv(
                        op,
                        "SERVICE_ACCESS_NOT_ENABLED",
                        format!(
                            "You must enable trusted access for {} (EnableAWSServiceAccess) before registering a delegated administrator for it.",
                            i.service_principal
                        ),
                    ));
                }
                if s.delegated_admins
                    .get(&i.account_id)
                    .is_some_and(|m| m.contains_key(&i.service_principal))
                {
                    return Err(err(
                        op,
                        "AccountAlreadyRegisteredException",
                        "The specified account is already a delegated administrator for this AWS service.",
                    ));
                }
                self.state
                    .delegated_admins
                    .entry(i.account_id)
                    .or_default()
                    .insert(i.service_principal, now);
                Ok((Response::RegisterDelegatedAdministrator(Empty {}), true))
            }
            Request::DeregisterDelegatedAdministrator(i) => {
                self.account_exists(op, &i.account_id)?;
                check_principal(op, &i.service_principal)?;
                if !s
                    .delegated_admins
                    .get(&i.account_id)
                    .is_some_and(|m| m.contains_key(&i.service_principal))
                {
                    return Err(err(
                        op,
                        "AccountNotRegisteredException",
                        "The specified account is not a delegated administrator for this AWS service.",
                    ));
                }
                let services = self
                    .state
                    .delegated_admins
                    .get_mut(&i.account_id)
                    .expect("checked");
                services.remove(&i.service_principal);
                if services.is_empty() {
                    self.state.delegated_admins.remove(&i.account_id);
                }
                Ok((Response::DeregisterDelegatedAdministrator(Empty {}), true))
            }
            Request::TagResource(i) => {
                let max = s.quota("tags_per_resource");
                let merged = merge_tags(op, self.tags_of(op, &i.resource_id)?, &i.tags, max)?;
                *self.tags_of_mut(&i.resource_id) = merged;
                Ok((Response::TagResource(Empty {}), true))
            }
            Request::UntagResource(i) => {
                self.tags_of(op, &i.resource_id)?;
                let tags = self.tags_of_mut(&i.resource_id);
                for k in &i.tag_keys {
                    tags.remove(k);
                }
                Ok((Response::UntagResource(Empty {}), true))
            }
            Request::PutAccountName(i) => {
                let target = match (&i.account_id, scope) {
                    (Some(id), Scope::Management) => id.clone(),
                    (Some(id), Scope::Account(own)) if id == own => id.clone(),
                    (Some(_), Scope::Account(_)) => {
                        return Err(err(
                            op,
                            "AccessDeniedException",
                            "A member account can only name itself.",
                        ));
                    }
                    (None, Scope::Management) => s.management_account_id().to_string(),
                    (None, Scope::Account(own)) => own.clone(),
                };
                if !s.accounts.contains_key(&target) {
                    return Err(err(
                        op,
                        "ResourceNotFoundException",
                        format!("The account {target} was not found."),
                    ));
                }
                if i.account_name.is_empty() || i.account_name.chars().count() > 50 {
                    return Err(err(
                        op,
                        "ValidationException",
                        "AccountName must be 1 to 50 characters.",
                    ));
                }
                self.state.accounts.get_mut(&target).expect("checked").name = i.account_name;
                Ok((Response::PutAccountName(Empty {}), true))
            }
            other => Err(err(
                op,
                "OrgchardEndpointError",
                format!("{} is not an Organizations operation", other.operation()),
            )),
        }
    }

    pub(super) fn organization_out(&self) -> Organization {
        let s = &self.state;
        let mgmt = s.management_account_id();
        Organization {
            id: s.organization.id.clone(),
            arn: s.org_arn(),
            feature_set: s.organization.feature_set.clone(),
            master_account_id: mgmt.to_string(),
            master_account_arn: s.target_arn(mgmt),
            master_account_email: s
                .accounts
                .get(mgmt)
                .map(|a| a.email.clone())
                .unwrap_or_default(),
        }
    }

    fn target_summary(&self, id: &str) -> PolicyTargetSummary {
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
            r#type: kind.aws_name().into(),
        }
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

    fn tags_of(&self, op: Operation, id: &str) -> Result<&BTreeMap<String, String>, ApiError> {
        let s = &self.state;
        if id == s.organization.root_id {
            return Ok(&s.root_tags);
        }
        s.ous
            .get(id)
            .map(|o| &o.tags)
            .or_else(|| s.accounts.get(id).map(|a| &a.tags))
            .or_else(|| s.policies.get(id).filter(|p| !p.aws_managed).map(|p| &p.tags))
            .ok_or_else(|| {
                err(
                    op,
                    "TargetNotFoundException",
                    format!("We can't find a root, OU, account, or policy with the TargetId ({id}) that you specified."),
                )
            })
    }

    fn tags_of_mut(&mut self, id: &str) -> &mut BTreeMap<String, String> {
        let s = &mut self.state;
        if id == s.organization.root_id {
            return &mut s.root_tags;
        }
        if let Some(o) = s.ous.get_mut(id) {
            return &mut o.tags;
        }
        if let Some(a) = s.accounts.get_mut(id) {
            return &mut a.tags;
        }
        &mut s.policies.get_mut(id).expect("checked by tags_of").tags
    }

    fn no_duplicate_ou(
        &self,
        op: Operation,
        parent: &str,
        name: &str,
        except: Option<&str>,
    ) -> Result<(), ApiError> {
        let dup = self
            .index
            .child_ous
            .get(parent)
            .into_iter()
            .flatten()
            .any(|id| Some(id.as_str()) != except && self.state.ous[id].name == name);
        if dup {
            Err(err(
                op,
                "DuplicateOrganizationalUnitException",
                "An OU with the same name already exists.",
            ))
        } else {
            Ok(())
        }
    }

    fn create_ou(
        &mut self,
        op: Operation,
        i: CreateOrganizationalUnitInput,
    ) -> Result<(Response, bool), ApiError> {
        self.parent_exists(op, &i.parent_id)?;
        check_name(op, "Name", &i.name, 128)?;
        self.no_duplicate_ou(op, &i.parent_id, &i.name, None)?;
        if self.state.depth(&i.parent_id) + 1 > MAX_OU_DEPTH {
            return Err(cv(
                op,
                "OU_DEPTH_LIMIT_EXCEEDED",
                format!(
                    "You attempted to create an OU tree that is too many levels deep (the maximum is {MAX_OU_DEPTH})."
                ),
            ));
        }
        if self.state.ous.len() as u64 >= self.state.quota("organizational_units") {
            return Err(cv(
                op,
                "OU_NUMBER_LIMIT_EXCEEDED",
                "You attempted to exceed the number of OUs that you can have in an organization.",
            ));
        }
        let tags = merge_tags(
            op,
            &BTreeMap::new(),
            &i.tags,
            self.state.quota("tags_per_resource"),
        )?;
        let id = self.state.new_ou_id();
        self.state.ous.insert(
            id.clone(),
            OuState {
                name: i.name,
                parent_id: i.parent_id,
                tags,
            },
        );
        self.attach_defaults(&id);
        Ok((
            Response::CreateOrganizationalUnit(CreateOrganizationalUnitOutput {
                organizational_unit: self.ou_out(&id),
            }),
            true,
        ))
    }

    fn create_account(
        &mut self,
        op: Operation,
        i: CreateAccountInput,
        now: u64,
    ) -> Result<(Response, bool), ApiError> {
        if !valid_email(&i.email) {
            return Err(invalid(
                op,
                "INVALID_EMAIL_ADDRESS_TARGET",
                format!("{:?} is not a valid email address.", i.email),
            ));
        }
        if i.account_name.is_empty() || i.account_name.chars().count() > 50 {
            return Err(invalid(
                op,
                "INVALID_FULL_NAME_TARGET",
                "AccountName must be 1 to 50 characters.",
            ));
        }
        let role_name = i
            .role_name
            .clone()
            .unwrap_or_else(|| "OrganizationAccountAccessRole".into());
        if !valid_role_name(&role_name) {
            return Err(invalid(
                op,
                "INVALID_ROLE_NAME",
                format!("{role_name:?} is not a valid IAM role name."),
            ));
        }
        if let Some(b) = &i.iam_user_access_to_billing
            && b != "ALLOW"
            && b != "DENY"
        {
            return Err(invalid(
                op,
                "INVALID_ENUM",
                "IamUserAccessToBilling must be ALLOW or DENY.",
            ));
        }
        let in_progress = self
            .state
            .create_requests
            .values()
            .filter(|r| r.state == vocab::CreateAccountState::InProgress)
            .count() as u64;
        if self.state.accounts.len() as u64 + in_progress >= self.state.quota("accounts") {
            return Err(cv(
                op,
                "ACCOUNT_NUMBER_LIMIT_EXCEEDED",
                "You attempted to exceed the limit on the number of accounts in an organization.",
            ));
        }
        if in_progress >= self.state.quota("concurrent_account_creations") {
            return Err(err(
                op,
                "ConcurrentModificationException",
                "The target of the operation is currently being modified by a different request. \
                 Too many account creations are in progress; try again later.",
            ));
        }
        let tags = merge_tags(
            op,
            &BTreeMap::new(),
            &i.tags,
            self.state.quota("tags_per_resource"),
        )?;
        let request_id = format!("car-{}", self.state.draw(LOWER_DIGITS, 32));
        let account_id = self.state.new_account_id();
        let duration = self.state.draw_range(30_000, 90_000);
        self.state.create_requests.insert(
            request_id.clone(),
            CreateRequest {
                account_name: i.account_name,
                email: i.email,
                role_name,
                tags,
                requested_ms: now,
                completes_ms: now + duration,
                state: vocab::CreateAccountState::InProgress,
                account_id,
                failure_reason: None,
            },
        );
        Ok((
            Response::CreateAccount(CreateAccountOutput {
                create_account_status: self.create_status_out(&request_id),
            }),
            true,
        ))
    }

    fn close_account(
        &mut self,
        op: Operation,
        i: CloseAccountInput,
        now: u64,
    ) -> Result<(Response, bool), ApiError> {
        self.account_exists(op, &i.account_id)?;
        let s = &self.state;
        if i.account_id == s.management_account_id() {
            return Err(cv(
                op,
                "CANNOT_CLOSE_MANAGEMENT_ACCOUNT",
                "You attempted to close the management account. To close the management account \
                 for the organization, you must first either remove or close all member accounts \
                 in the organization.",
            ));
        }
        if !s.accounts[&i.account_id].state.is_usable() {
            return Err(err(
                op,
                "AccountAlreadyClosedException",
                "You attempted to close an account that is already closed.",
            ));
        }
        const THIRTY_DAYS_MS: u64 = vocab::quotas::CLOSE_ACCOUNT_WINDOW_DAYS * 24 * 3600 * 1000;
        let recent = s
            .closures
            .iter()
            .filter(|t| now.saturating_sub(**t) < THIRTY_DAYS_MS)
            .count() as u64;
        let members = s.accounts.len().saturating_sub(1) as u64;
        let allowed =
            vocab::quotas::closable_accounts_at(members, s.quota("close_account_percent"));
        if recent >= allowed {
            return Err(cv(
                op,
                "CLOSE_ACCOUNT_QUOTA_EXCEEDED",
                "You have exceeded close account quota for the past 30 days.",
            ));
        }
        self.state
            .closures
            .retain(|t| now.saturating_sub(*t) < THIRTY_DAYS_MS);
        self.state.closures.push(now);
        let suspend_in = self.state.draw_range(60_000, 300_000);
        let a = self.state.accounts.get_mut(&i.account_id).expect("checked");
        a.state = vocab::AccountState::PendingClosure;
        a.suspends_at_ms = Some(now + suspend_in);
        Ok((Response::CloseAccount(Empty {}), true))
    }

    fn create_policy(
        &mut self,
        op: Operation,
        i: CreatePolicyInput,
    ) -> Result<(Response, bool), ApiError> {
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

    fn attach(
        &mut self,
        op: Operation,
        i: AttachPolicyInput,
    ) -> Result<(Response, bool), ApiError> {
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

    fn detach(
        &mut self,
        op: Operation,
        i: DetachPolicyInput,
    ) -> Result<(Response, bool), ApiError> {
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

fn ou_not_found(op: Operation, id: &str) -> ApiError {
    err(
        op,
        "OrganizationalUnitNotFoundException",
        format!("We can't find an OU with the OrganizationalUnitId ({id}) that you specified."),
    )
}

fn type_not_enabled(op: Operation) -> ApiError {
    err(
        op,
        "PolicyTypeNotEnabledException",
        "The specified policy type isn't currently enabled in this root. You can't attach policies of the specified type to entities in a root until you enable that type in the root.",
    )
}

fn check_principal(op: Operation, principal: &str) -> Result<(), ApiError> {
    if principal.is_empty() || principal.len() > 128 || !principal.ends_with(".amazonaws.com") {
        return Err(invalid(
            op,
            "INVALID_PATTERN",
            format!("{principal:?} is not a service principal (NAME.amazonaws.com)."),
        ));
    }
    Ok(())
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

pub(super) fn valid_role_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
}

/// The ARN of the AWS-managed administrator policy.
pub const ADMINISTRATOR_ACCESS: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

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
