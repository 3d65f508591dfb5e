//! CreateAccount as AWS runs it: a request that is accepted at once and completes (or fails)
//! later on the virtual clock, creating the account and its member-access role.

use super::*;

impl Core {
    pub(super) fn list_create_account_status(
        &self,
        op: Operation,
        i: ListCreateAccountStatusInput,
    ) -> Outcome {
        let s = &self.state;
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

    pub(super) fn describe_create_account_status(
        &self,
        op: Operation,
        i: DescribeCreateAccountStatusInput,
    ) -> Outcome {
        let s = &self.state;
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

    pub(super) fn create_status_out(&self, id: &str) -> CreateAccountStatus {
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

    pub(super) fn finish_create(&mut self, request_id: &str) {
        let r = self.state.create_requests[request_id].clone();
        let email_taken = self
            .state
            .accounts
            .values()
            .any(|a| a.email.eq_ignore_ascii_case(&r.email));
        let full = self.state.accounts.len() as u64 >= self.state.quota("accounts");
        let failure = if email_taken {
            Some(vocab::CreateAccountFailureReason::EmailAlreadyExists)
        } else if full {
            Some(vocab::CreateAccountFailureReason::AccountLimitExceeded)
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
                joined_method: vocab::JoinedMethod::Created,
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
                    managed_policies: [vocab::arn::ADMINISTRATOR_ACCESS.to_string()].into(),
                    tags: BTreeMap::new(),
                    created_ms: r.completes_ms,
                },
            );
    }

    pub(super) fn create_account(
        &mut self,
        op: Operation,
        i: CreateAccountInput,
        now: u64,
    ) -> Outcome {
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
            && let vocab::IamUserAccessToBilling::Unknown(_) =
                vocab::IamUserAccessToBilling::from(b.as_str())
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
