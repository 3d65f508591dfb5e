//! Running one operation: resolving the ids it needs from what the apply has learnt so far,
//! sending it through the paced, retrying [`Client`], and making it safe to repeat. Every
//! "already done" answer AWS gives for an operation orgchard would repeat (an attachment that
//! exists, an OU created by an earlier attempt whose answer was lost) counts as success, and
//! `CreateAccount` is never sent twice for one account.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use crate::addr::{Address, ResourceKind};
use crate::api::{self, Api, ApiError, ApiExt, ErrorKind, Operation, Request, Response, Scope};
use crate::backend::client::Client;
use crate::model::live::{OWNERSHIP_TAG, SCOPE_TAG, same_owner, scope_name, scope_of};
use crate::model::{RefTarget, Value};
use crate::plan::ops::{IdRef, Known, Op, ResolveOpError};
use crate::plan::read::{all_pages, read_role_tags, read_tags};
use crate::plan::{Plan, PlanContext};
use crate::vocab;

use super::ApplyOptions;
use super::backoff::Attempt;
use super::poller::Poller;

/// The ids known while the apply runs: the plan's bindings plus what creates return.
pub struct KnownIds {
    context: PlanContext,
    ids: Mutex<BTreeMap<Address, String>>,
    created: Mutex<BTreeMap<Address, String>>,
    policy_types: BTreeMap<Address, String>,
}

impl KnownIds {
    pub fn new(plan: &Plan) -> Self {
        let policy_types = plan
            .operations
            .iter()
            .filter_map(|p| match &p.op {
                Op::CreatePolicy {
                    address,
                    policy_type,
                    ..
                } => Some((address.clone(), policy_type.clone())),
                _ => None,
            })
            .collect();
        KnownIds {
            context: plan.context.clone(),
            ids: Mutex::new(plan.bindings.clone()),
            created: Mutex::new(BTreeMap::new()),
            policy_types,
        }
    }

    pub fn set(&self, address: &Address, id: String) {
        self.ids
            .lock()
            .expect("ids lock")
            .insert(address.clone(), id.clone());
        self.created
            .lock()
            .expect("created lock")
            .insert(address.clone(), id);
    }

    pub fn created(&self) -> BTreeMap<Address, String> {
        self.created.lock().expect("created lock").clone()
    }

    fn arn(&self, address: &Address, id: &str) -> Option<String> {
        let c = &self.context;
        let (mgmt, org) = (&c.management_account_id, &c.organization_id);
        Some(match address.kind {
            ResourceKind::Account => vocab::arn::account("aws", mgmt, org, id),
            ResourceKind::OrganizationalUnit => vocab::arn::ou("aws", mgmt, org, id),
            ResourceKind::Root => vocab::arn::root("aws", mgmt, org, id),
            ResourceKind::Policy => {
                vocab::arn::policy("aws", mgmt, org, self.policy_types.get(address)?, id)
            }
            _ => return None,
        })
    }
}

impl Known for KnownIds {
    fn id_of(&self, address: &Address) -> Option<String> {
        self.ids.lock().expect("ids lock").get(address).cloned()
    }

    fn resolve(&self, value: &Value) -> Result<Value, String> {
        value
            .resolve(&|target, attr| match target {
                RefTarget::Resource(a) => {
                    let id = self.id_of(a)?;
                    match attr {
                        "id" => Some(Value::String(id)),
                        "arn" => self.arn(a, &id).map(Value::String),
                        _ => None,
                    }
                }
                RefTarget::Management => {
                    let id = self.context.management_account_id.clone();
                    match attr {
                        "id" => Some(Value::String(id)),
                        _ => None,
                    }
                }
                RefTarget::AwsPolicy(_) => None,
            })
            .map_err(|e| e.to_string())
    }
}

/// What every running operation shares.
pub struct ExecContext {
    plan: Plan,
    client: Arc<Client>,
    options: ApplyOptions,
    known: Arc<KnownIds>,
    /// The one status poller of every creation this apply awaits.
    poller: Poller,
    /// Accounts whose member-access role has been assumed once.
    reachable: Mutex<HashSet<String>>,
    /// CreateAccount requests this apply sent: each belongs to the block that sent it, so
    /// another block never waits for it as a possible earlier attempt of its own.
    sent: Mutex<HashSet<String>>,
}

fn endpoint_error(op: Operation, message: String) -> ApiError {
    ApiError::new(op, "OrgchardEndpointError", message)
}

impl ExecContext {
    pub fn new(
        plan: &Plan,
        client: Arc<Client>,
        options: ApplyOptions,
        known: Arc<KnownIds>,
    ) -> Self {
        ExecContext {
            poller: Poller::new(client.clone(), options.status_poll.clone()),
            plan: plan.clone(),
            client,
            options,
            known,
            reachable: Mutex::new(HashSet::new()),
            sent: Mutex::new(HashSet::new()),
        }
    }

    /// Ends the work this context runs in the background (the status poller), so that
    /// nothing holds the client once the apply has returned.
    pub async fn stop(&self) {
        self.poller.stop().await;
    }

    /// Runs operation `i` to completion.
    pub async fn run(&self, i: usize) -> Result<(), ApiError> {
        let planned = &self.plan.operations[i];
        let op = &planned.op;
        if let Op::CreateAccount { .. } = op {
            return self.create_account(op).await;
        }
        if let Some(IdRef::After(a)) = op.account_scope() {
            // Inside an account this apply created: wait until its role can be assumed.
            if let Some(id) = self.known.id_of(a) {
                self.wait_until_reachable(&id).await?;
            }
        }
        let (scope, request) = op
            .to_request(&*self.known, &self.plan.context.management_account_id)
            .map_err(|e| match e {
                ResolveOpError::Id(_) | ResolveOpError::Value(_) => {
                    ApiError::new(request_op(op), "OrgchardUnresolved", e.to_string())
                }
            })?;
        let operation = request.operation();
        match self.client.call(&scope, request.clone()).await {
            Ok(response) => {
                self.record(op, &response);
                Ok(())
            }
            Err(err) => {
                self.already_done(op, &scope, &request, err, operation)
                    .await
            }
        }
    }

    fn record(&self, op: &Op, response: &Response) {
        let Some(address) = op.produces() else { return };
        let id = match response {
            Response::CreateOrganizationalUnit(o) => o.organizational_unit.id.clone(),
            Response::CreatePolicy(o) => o.policy.policy_summary.id.clone(),
            _ => return,
        };
        self.known.set(address, id);
    }

    /// Turns AWS's "that is already so" answers into success, so that repeating an
    /// operation after a lost answer or a crash is harmless.
    async fn already_done(
        &self,
        op: &Op,
        scope: &Scope,
        request: &Request,
        err: ApiError,
        operation: Operation,
    ) -> Result<(), ApiError> {
        let benign = matches!(
            (op, err.code.as_str()),
            (
                Op::AttachPolicy { .. },
                "DuplicatePolicyAttachmentException"
            ) | (Op::DetachPolicy { .. }, "PolicyNotAttachedException")
                | (Op::DeleteOu { .. }, "OrganizationalUnitNotFoundException")
                | (Op::DeletePolicy { .. }, "PolicyNotFoundException")
                | (
                    Op::EnablePolicyType { .. },
                    "PolicyTypeAlreadyEnabledException"
                )
                | (
                    Op::DisablePolicyType { .. },
                    "PolicyTypeNotEnabledException"
                )
                | (
                    Op::RegisterDelegatedAdministrator { .. },
                    "AccountAlreadyRegisteredException"
                )
                | (
                    Op::DeregisterDelegatedAdministrator { .. },
                    "AccountNotRegisteredException"
                )
                | (Op::MoveAccount { .. }, "DuplicateAccountException")
                | (Op::DeleteRole { .. }, "NoSuchEntity")
                | (Op::DeleteRolePolicy { .. }, "NoSuchEntity")
                | (Op::DetachRolePolicy { .. }, "NoSuchEntity")
        );
        if benign {
            return Ok(());
        }
        match (op, request, err.code.as_str()) {
            (Op::CreateRole { name, tags, .. }, _, "EntityAlreadyExists") => {
                // Our own creation whose answer was lost carries our ownership tag (CreateRole
                // sets it); a namesake created by someone else since the plan is theirs.
                let live =
                    crate::api::tags_to_map(&read_role_tags(&self.client, scope, name).await?);
                if same_owner(&live, tags) {
                    Ok(())
                } else {
                    Err(err)
                }
            }
            (
                Op::CreateOu { address, .. },
                Request::CreateOrganizationalUnit(input),
                "DuplicateOrganizationalUnitException",
            ) => {
                let found = self
                    .find_ou(&input.parent_id, &input.name)
                    .await?
                    .ok_or(err.clone())?;
                self.claim(&found, address, err).await?;
                self.known.set(address, found);
                Ok(())
            }
            (
                Op::CreatePolicy { address, .. },
                Request::CreatePolicy(input),
                "DuplicatePolicyException",
            ) => {
                let found = self
                    .find_policy(&input.r#type, &input.name)
                    .await?
                    .ok_or(err.clone())?;
                self.claim(&found, address, err).await?;
                self.known.set(address, found);
                Ok(())
            }
            _ => {
                let _ = (scope, operation);
                Err(err)
            }
        }
    }

    /// Takes over a resource an earlier attempt of ours created: only when it carries our
    /// ownership tag. orgchard creates OUs and policies with their tags in one call, so an
    /// untagged namesake is someone else's, created since the plan: the original error
    /// stands (a new plan shows it, to adopt or rename).
    async fn claim(&self, id: &str, address: &Address, original: ApiError) -> Result<(), ApiError> {
        let tags = read_tags(&self.client, id).await?;
        if self.ours(&tags, address) {
            Ok(())
        } else {
            Err(original)
        }
    }

    /// Whether live tags name `address` as their owner, in this plan's ownership scope.
    fn ours(&self, tags: &BTreeMap<String, String>, address: &Address) -> bool {
        tags.get(OWNERSHIP_TAG) == Some(&address.to_string())
            && scope_of(tags) == self.plan.context.scope.as_deref()
    }

    async fn find_ou(&self, parent: &str, name: &str) -> Result<Option<String>, ApiError> {
        let ous = all_pages(|t| {
            let parent_id = parent.to_string();
            async move {
                let o = self
                    .client
                    .list_organizational_units_for_parent(
                        &Scope::Management,
                        api::ListOrganizationalUnitsForParentInput {
                            parent_id,
                            next_token: t,
                            max_results: Some(20),
                        },
                    )
                    .await?;
                Ok((o.organizational_units, o.next_token))
            }
        })
        .await?;
        Ok(ous.into_iter().find(|o| o.name == name).map(|o| o.id))
    }

    async fn find_policy(&self, policy_type: &str, name: &str) -> Result<Option<String>, ApiError> {
        let policies = all_pages(|t| {
            let filter = policy_type.to_string();
            async move {
                let o = self
                    .client
                    .list_policies(
                        &Scope::Management,
                        api::ListPoliciesInput {
                            filter,
                            next_token: t,
                            max_results: Some(20),
                        },
                    )
                    .await?;
                Ok((o.policies, o.next_token))
            }
        })
        .await?;
        Ok(policies
            .into_iter()
            .find(|p| p.name == name && !p.aws_managed)
            .map(|p| p.id))
    }

    /// CreateAccount, exactly once per account: an earlier attempt of this block's (from an
    /// interrupted run) is awaited and adopted instead of repeated, and an ambiguous failure
    /// is answered by looking, not by sending again.
    ///
    /// AWS does not keep account names unique and a creation's status does not say its
    /// email, so a creation in progress with the same name is only a candidate: it is awaited,
    /// and adopted only when the account it made has this block's email and ownership tag. Anyone else's creation is left alone and this block's
    /// account is created.
    async fn create_account(&self, op: &Op) -> Result<(), ApiError> {
        let Op::CreateAccount {
            address,
            email,
            name,
            ..
        } = op
        else {
            unreachable!("create_account is only called for CreateAccount");
        };
        let (scope, request) = op
            .to_request(&*self.known, &self.plan.context.management_account_id)
            .map_err(|e| endpoint_error(Operation::CreateAccount, e.to_string()))?;
        let deadline = self
            .options
            .status_poll
            .deadline(Instant::now())
            .unwrap_or_else(far_future);
        if let Some(id) = self
            .earlier_creation(address, email, name, deadline)
            .await?
        {
            self.known.set(address, id);
            return Ok(());
        }
        let sent = self
            .options
            .create_retry
            .retry(|attempt| {
                let request = request.clone();
                let scope = &scope;
                async move {
                    if attempt > 1 {
                        // A server error left it unknown whether the request started: look
                        // before sending it again.
                        match self.started_after_all(address, email, name, deadline).await {
                            Ok(Some(id)) => return Attempt::Done(Ok(Sent::Found(id))),
                            Ok(None) => {}
                            Err(e) => return Attempt::Done(Err(e)),
                        }
                    }
                    match self.client.call_once(scope, request).await {
                        Ok(Response::CreateAccount(o)) => {
                            Attempt::Done(Ok(Sent::Request(o.create_account_status)))
                        }
                        Ok(other) => Attempt::Done(Err(endpoint_error(
                            Operation::CreateAccount,
                            format!("unexpected answer {}", other.operation()),
                        ))),
                        Err(e) if e.kind == ErrorKind::Transient => Attempt::Again(e),
                        Err(e) => Attempt::Done(Err(e)),
                    }
                }
            })
            .await
            .map_err(|gave_up| gave_up.last)??;
        let answered = match sent {
            Sent::Request(status) => status,
            Sent::Found(id) => {
                self.known.set(address, id);
                return Ok(());
            }
        };
        self.sent
            .lock()
            .expect("sent lock")
            .insert(answered.id.clone());
        // AWS answers IN_PROGRESS and the creation is awaited; an endpoint that creates at
        // once (moto) answers with the final status, which is as good as a poll's: the
        // creation's slot is free at once, and no poll is spent on it.
        let status = if answered.state == api::CreateAccountState::InProgress {
            self.await_creation(&answered.id, email, deadline).await?
        } else {
            answered
        };
        match status.state {
            api::CreateAccountState::Succeeded => {
                let id = succeeded_account(status)?;
                self.known.set(address, id);
                Ok(())
            }
            _ => {
                let reason = status
                    .failure_reason
                    .unwrap_or_else(|| "no reason given".into());
                if vocab::CreateAccountFailureReason::from(reason.as_str())
                    == vocab::CreateAccountFailureReason::EmailAlreadyExists
                {
                    // An account with this email appeared after the plan read the accounts:
                    // an earlier attempt of ours that finished meanwhile carries our tag.
                    if let Some(id) = self.existing_account(address, email).await? {
                        self.known.set(address, id);
                        return Ok(());
                    }
                }
                Err(ApiError::new(
                    Operation::CreateAccount,
                    "CreateAccountFailed",
                    format!("CreateAccount for {email} failed: {reason}"),
                )
                .with_reason(&reason))
            }
        }
    }

    /// Awaits a creation through the apply's one [`Poller`] until it is no longer in
    /// progress (its final status), until `deadline`.
    async fn await_creation(
        &self,
        request_id: &str,
        email: &str,
        deadline: Instant,
    ) -> Result<api::CreateAccountStatus, ApiError> {
        match self.poller.wait(request_id, deadline).await {
            Some(status) => status,
            None => Err(ApiError::new(
                Operation::CreateAccount,
                "CreateAccountTimeout",
                format!(
                    "CreateAccount request {request_id} for {email} is still in progress; run apply again to keep waiting"
                ),
            )),
        }
    }

    /// The final status of a creation the latest list of creations in progress does not
    /// show (one the plan saw in progress that finished since): asked for at once, and
    /// awaited only if it is still in progress after all.
    async fn settled(
        &self,
        request_id: &str,
        email: &str,
        deadline: Instant,
    ) -> Result<api::CreateAccountStatus, ApiError> {
        let status = self
            .client
            .describe_create_account_status(
                &Scope::Management,
                api::DescribeCreateAccountStatusInput {
                    create_account_request_id: request_id.to_string(),
                },
            )
            .await?
            .create_account_status;
        if status.state != api::CreateAccountState::InProgress {
            return Ok(status);
        }
        self.await_creation(request_id, email, deadline).await
    }

    /// An earlier attempt of this block's creation, finished and adopted: each creation in
    /// progress with the block's account name that this apply did not send is awaited, and
    /// its account taken when [`Self::take_if_ours`] says it is this block's.
    async fn earlier_creation(
        &self,
        address: &Address,
        email: &str,
        name: &str,
        deadline: Instant,
    ) -> Result<Option<String>, ApiError> {
        // Those the plan saw in progress too: one that finished since is listed no more.
        let seen = self
            .plan
            .context
            .pending_creations
            .iter()
            .filter(|(_, n)| *n == name)
            .map(|(id, _)| id.clone());
        let in_progress: BTreeSet<String> = self
            .in_progress_creations(name)
            .await?
            .into_iter()
            .collect();
        let candidates: BTreeSet<String> = {
            let sent = self.sent.lock().expect("sent lock");
            in_progress
                .iter()
                .cloned()
                .chain(seen)
                .filter(|id| !sent.contains(id))
                .collect()
        };
        for request_id in candidates {
            let status = if in_progress.contains(&request_id) {
                self.await_creation(&request_id, email, deadline).await?
            } else {
                self.settled(&request_id, email, deadline).await?
            };
            if status.state != api::CreateAccountState::Succeeded {
                continue;
            }
            let id = succeeded_account(status)?;
            let account = self
                .client
                .describe_account(
                    &Scope::Management,
                    api::DescribeAccountInput {
                        account_id: id.clone(),
                    },
                )
                .await?
                .account;
            if let Some(id) = self.take_if_ours(&account, address, email).await? {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    /// Takes `account` for the block at `address` when it has the block's email and carries
    /// the block's ownership tag: the proof that an earlier attempt of this apply's block
    /// made it (orgchard tags an account in its CreateAccount). `None` for anyone else's
    /// (another email, or no tag: the next plan shows adopting it for review); an error when
    /// another address owns it, which is never taken over.
    async fn take_if_ours(
        &self,
        account: &api::Account,
        address: &Address,
        email: &str,
    ) -> Result<Option<String>, ApiError> {
        if !account.email.eq_ignore_ascii_case(email) {
            return Ok(None);
        }
        let tags = read_tags(&self.client, &account.id).await?;
        if self.ours(&tags, address) {
            return Ok(Some(account.id.clone()));
        }
        match tags.get(OWNERSHIP_TAG) {
            Some(o) => Err(ApiError::new(
                Operation::CreateAccount,
                "OrgchardOwnedElsewhere",
                format!(
                    "account {} with the email {email} belongs to {o} of {} (its {OWNERSHIP_TAG} and {SCOPE_TAG} tags); orgchard does not take it over for {address}",
                    account.id,
                    scope_name(scope_of(&tags)),
                ),
            )),
            None => Ok(None),
        }
    }

    /// After a server error: the account of a CreateAccount of this block's that started
    /// after all, whether still in progress (awaited) or already finished.
    async fn started_after_all(
        &self,
        address: &Address,
        email: &str,
        name: &str,
        deadline: Instant,
    ) -> Result<Option<String>, ApiError> {
        if let Some(id) = self
            .earlier_creation(address, email, name, deadline)
            .await?
        {
            return Ok(Some(id));
        }
        self.existing_account(address, email).await
    }

    /// The creations in progress with this account name, listed now (by the poller, whose
    /// round serves the creations awaited at the moment too).
    async fn in_progress_creations(&self, name: &str) -> Result<Vec<String>, ApiError> {
        let statuses = self.poller.in_progress().await?;
        Ok(statuses
            .iter()
            .filter(|s| s.account_name == name)
            .map(|s| s.id.clone())
            .collect())
    }

    /// The account with this email, taken as [`Self::take_if_ours`] says.
    async fn existing_account(
        &self,
        address: &Address,
        email: &str,
    ) -> Result<Option<String>, ApiError> {
        let accounts = all_pages(|t| async move {
            let o = self
                .client
                .list_accounts(
                    &Scope::Management,
                    api::ListAccountsInput {
                        next_token: t,
                        max_results: Some(20),
                    },
                )
                .await?;
            Ok((o.accounts, o.next_token))
        })
        .await?;
        match accounts
            .iter()
            .find(|a| a.email.eq_ignore_ascii_case(email))
        {
            Some(a) => self.take_if_ours(a, address, email).await,
            None => Ok(None),
        }
    }

    /// Waits until the member-access role of a new account can be assumed (IAM in a new
    /// account takes a while to accept it).
    async fn wait_until_reachable(&self, account_id: &str) -> Result<(), ApiError> {
        if self
            .reachable
            .lock()
            .expect("reachable lock")
            .contains(account_id)
        {
            return Ok(());
        }
        let role_arn = vocab::arn::role(
            "aws",
            account_id,
            None,
            &self.plan.context.member_access_role,
        );
        self.options
            .role_wait
            .retry(|_| async {
                let answer = self
                    .client
                    .assume_role(
                        &Scope::Management,
                        api::AssumeRoleInput {
                            role_arn: role_arn.clone(),
                            role_session_name: "orgchard".into(),
                            duration_seconds: None,
                        },
                    )
                    .await;
                match answer {
                    Ok(_) => Attempt::Done(Ok(())),
                    // Denied: the role is not assumable yet. A passing failure the client's
                    // retries did not outlast is no reason to give up either.
                    Err(e) if e.kind == ErrorKind::AccessDenied || e.is_retryable() => {
                        Attempt::Again(e)
                    }
                    Err(e) => Attempt::Done(Err(e)),
                }
            })
            .await
            .map_err(|gave_up| gave_up.last)??;
        self.reachable
            .lock()
            .expect("reachable lock")
            .insert(account_id.to_string());
        Ok(())
    }
}

/// What sending a CreateAccount came to.
enum Sent {
    /// AWS took the request: the status it answered with.
    Request(api::CreateAccountStatus),
    /// An earlier attempt had started after all: the account it made.
    Found(String),
}

/// A moment no wait reaches, for a backoff without a time limit.
fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600)
}

/// The id of the account a SUCCEEDED creation made.
fn succeeded_account(status: api::CreateAccountStatus) -> Result<String, ApiError> {
    status.account_id.ok_or_else(|| {
        endpoint_error(
            Operation::DescribeCreateAccountStatus,
            "SUCCEEDED without an account id".into(),
        )
    })
}

/// The seam operation an orgchard operation maps to, for errors raised before sending.
pub fn request_op(op: &Op) -> Operation {
    match op {
        Op::EnablePolicyType { .. } => Operation::EnablePolicyType,
        Op::DisablePolicyType { .. } => Operation::DisablePolicyType,
        Op::EnableServiceAccess { .. } => Operation::EnableAwsServiceAccess,
        Op::DisableServiceAccess { .. } => Operation::DisableAwsServiceAccess,
        Op::CreateOu { .. } => Operation::CreateOrganizationalUnit,
        Op::RenameOu { .. } => Operation::UpdateOrganizationalUnit,
        Op::DeleteOu { .. } => Operation::DeleteOrganizationalUnit,
        Op::CreateAccount { .. } => Operation::CreateAccount,
        Op::MoveAccount { .. } => Operation::MoveAccount,
        Op::RenameAccount { .. } => Operation::PutAccountName,
        Op::CloseAccount { .. } => Operation::CloseAccount,
        Op::RemoveAccount { .. } => Operation::RemoveAccountFromOrganization,
        Op::CreatePolicy { .. } => Operation::CreatePolicy,
        Op::UpdatePolicy { .. } => Operation::UpdatePolicy,
        Op::DeletePolicy { .. } => Operation::DeletePolicy,
        Op::AttachPolicy { .. } => Operation::AttachPolicy,
        Op::DetachPolicy { .. } => Operation::DetachPolicy,
        Op::TagResource { .. } => Operation::TagResource,
        Op::UntagResource { .. } => Operation::UntagResource,
        Op::RegisterDelegatedAdministrator { .. } => Operation::RegisterDelegatedAdministrator,
        Op::DeregisterDelegatedAdministrator { .. } => Operation::DeregisterDelegatedAdministrator,
        Op::CreateRole { .. } => Operation::CreateRole,
        Op::UpdateRole { .. } => Operation::UpdateRole,
        Op::UpdateAssumeRolePolicy { .. } => Operation::UpdateAssumeRolePolicy,
        Op::AttachRolePolicy { .. } => Operation::AttachRolePolicy,
        Op::DetachRolePolicy { .. } => Operation::DetachRolePolicy,
        Op::PutRolePolicy { .. } => Operation::PutRolePolicy,
        Op::DeleteRolePolicy { .. } => Operation::DeleteRolePolicy,
        Op::TagRole { .. } => Operation::TagRole,
        Op::UntagRole { .. } => Operation::UntagRole,
        Op::DeleteRole { .. } => Operation::DeleteRole,
    }
}
