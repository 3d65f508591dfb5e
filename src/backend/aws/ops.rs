//! One seam [`Request`] sent through the SDK and its output mapped back to the seam's
//! [`Response`]: AWS's shapes in, AWS's shapes out. IAM's differences are smoothed here: its
//! `Marker` / `IsTruncated` pagination becomes `next_token`, and its URL-encoded policy
//! documents are decoded to plain JSON.
//!
//! [`dispatch`] only routes: each operation has its own handler below, named for it
//! (`create_account`), so one operation's mapping is read and changed alone.

use aws_sdk_iam::types as iam;
use aws_sdk_organizations::primitives::DateTime;
use aws_sdk_organizations::types as org;

use super::errors::{self, Endpoint};
use crate::api::{self as seam, Empty, Request, Response};
use crate::api::{ApiError, Operation};

/// The service clients of one set of credentials (the caller's, or a member account session).
#[derive(Clone, Debug)]
pub(crate) struct Clients {
    pub organizations: aws_sdk_organizations::Client,
    pub account: aws_sdk_account::Client,
    pub iam: aws_sdk_iam::Client,
    pub sts: aws_sdk_sts::Client,
}

impl Clients {
    pub fn new(config: &aws_config::SdkConfig) -> Clients {
        Clients {
            organizations: aws_sdk_organizations::Client::new(config),
            account: aws_sdk_account::Client::new(config),
            iam: aws_sdk_iam::Client::new(config),
            sts: aws_sdk_sts::Client::new(config),
        }
    }
}

/// Sends a fluent builder and maps its error.
macro_rules! send {
    ($op:expr, $endpoint:expr, $builder:expr) => {
        $builder
            .send()
            .await
            .map_err(|e| errors::from_sdk($op, $endpoint, e))?
    };
}

/// Sends one page of a listing and maps it: `|out| Variant(seam::Output { fields, })`, to
/// which the page's next token is added.
macro_rules! page {
    ($op:expr, $ep:expr, $builder:expr, $out:ident, $next:expr,
     $variant:ident(seam::$output:ident { $($fields:tt)* })) => {{
        let $out = send!($op, $ep, $builder);
        Response::$variant(seam::$output {
            $($fields)*
            next_token: $next,
        })
    }};
}

/// [`page!`] for Organizations: a `NextToken` and `MaxResults`.
macro_rules! org_page {
    ($op:expr, $ep:expr, $input:ident, $builder:expr, |$out:ident| $($mapping:tt)*) => {
        page!(
            $op,
            $ep,
            $builder
                .set_next_token($input.next_token)
                .set_max_results($input.max_results),
            $out,
            $out.next_token().map(str::to_string),
            $($mapping)*
        )
    };
}

/// [`page!`] for IAM: a `Marker`, `MaxItems`, and a next marker only while `IsTruncated`.
macro_rules! iam_page {
    ($op:expr, $ep:expr, $input:ident, $builder:expr, |$out:ident| $($mapping:tt)*) => {
        page!(
            $op,
            $ep,
            $builder
                .set_marker($input.next_token)
                .set_max_items($input.max_results),
            $out,
            iam_next($out.is_truncated(), $out.marker()),
            $($mapping)*
        )
    };
}

fn secs(t: &DateTime) -> f64 {
    t.as_secs_f64()
}

fn opt_secs(t: Option<&DateTime>) -> f64 {
    t.map(secs).unwrap_or_default()
}

fn text(s: Option<&str>) -> String {
    s.unwrap_or_default().to_string()
}

/// The string of an SDK enum (they all have `as_str`), empty when absent.
macro_rules! name_of {
    ($e:expr) => {
        $e.map(|v| v.as_str().to_string()).unwrap_or_default()
    };
}

/// IAM returns policy documents URL-encoded (RFC 3986); moto and others sometimes plain.
/// A JSON document starts with `{`, an encoded one with `%7B`, so only the latter is decoded
/// (a plain document may legitimately contain `%`).
pub(crate) fn decode_policy_document(doc: &str) -> String {
    if doc.trim_start().starts_with('{') {
        return doc.to_string();
    }
    match percent_encoding::percent_decode_str(doc).decode_utf8() {
        Ok(decoded) => decoded.into_owned(),
        Err(_) => doc.to_string(),
    }
}

/// IAM's pagination: a marker only while the listing is truncated.
fn iam_next(is_truncated: bool, marker: Option<&str>) -> Option<String> {
    if is_truncated {
        marker.map(str::to_string)
    } else {
        None
    }
}

fn org_tags(op: Operation, tags: &[seam::Tag]) -> Result<Option<Vec<org::Tag>>, ApiError> {
    if tags.is_empty() {
        return Ok(None);
    }
    tags.iter()
        .map(|t| {
            org::Tag::builder()
                .key(&t.key)
                .value(&t.value)
                .build()
                .map_err(|e| errors::invalid_request(op, e))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn iam_tags(op: Operation, tags: &[seam::Tag]) -> Result<Option<Vec<iam::Tag>>, ApiError> {
    if tags.is_empty() {
        return Ok(None);
    }
    tags.iter()
        .map(|t| {
            iam::Tag::builder()
                .key(&t.key)
                .value(&t.value)
                .build()
                .map_err(|e| errors::invalid_request(op, e))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn from_org_tags(tags: &[org::Tag]) -> Vec<seam::Tag> {
    tags.iter()
        .map(|t| seam::Tag {
            key: t.key().to_string(),
            value: t.value().to_string(),
        })
        .collect()
}

fn from_iam_tags(tags: &[iam::Tag]) -> Vec<seam::Tag> {
    tags.iter()
        .map(|t| seam::Tag {
            key: t.key().to_string(),
            value: t.value().to_string(),
        })
        .collect()
}

fn organization(o: Option<&org::Organization>) -> seam::Organization {
    seam::Organization {
        id: text(o.and_then(|o| o.id())),
        arn: text(o.and_then(|o| o.arn())),
        feature_set: name_of!(o.and_then(|o| o.feature_set())),
        master_account_id: text(o.and_then(|o| o.master_account_id())),
        master_account_arn: text(o.and_then(|o| o.master_account_arn())),
        master_account_email: text(o.and_then(|o| o.master_account_email())),
    }
}

fn root(r: &org::Root) -> seam::Root {
    seam::Root {
        id: text(r.id()),
        arn: text(r.arn()),
        name: text(r.name()),
        policy_types: r
            .policy_types()
            .iter()
            .map(|p| seam::PolicyTypeSummary {
                r#type: name_of!(p.r#type()),
                status: seam::PolicyTypeStatus::from(name_of!(p.status())),
            })
            .collect(),
    }
}

fn ou(o: Option<&org::OrganizationalUnit>) -> seam::OrganizationalUnit {
    seam::OrganizationalUnit {
        id: text(o.and_then(|o| o.id())),
        arn: text(o.and_then(|o| o.arn())),
        name: text(o.and_then(|o| o.name())),
    }
}

/// An account's `State`. AWS retired `Status` on 2026-09-09 and no longer sends it; an
/// endpoint that still sends only `Status` (older emulators) is read through it, since each of
/// its values names the state of the same name.
#[allow(deprecated)] // reading the retired `Status` only when `State` is absent
fn account_state(
    state: Option<&org::AccountState>,
    status: Option<&org::AccountStatus>,
) -> seam::AccountState {
    match (state, status) {
        (Some(state), _) => seam::AccountState::from(state.as_str()),
        (None, Some(status)) => seam::AccountState::from_status(status.as_str()),
        (None, None) => seam::AccountState::Unknown(String::new()),
    }
}

#[allow(deprecated)] // `status()` only as the fallback of `account_state`
fn account(a: &org::Account) -> seam::Account {
    seam::Account {
        id: text(a.id()),
        arn: text(a.arn()),
        email: text(a.email()),
        name: text(a.name()),
        state: account_state(a.state(), a.status()),
        joined_method: name_of!(a.joined_method()),
        joined_timestamp: opt_secs(a.joined_timestamp()),
    }
}

fn policy_summary(p: Option<&org::PolicySummary>) -> seam::PolicySummary {
    seam::PolicySummary {
        id: text(p.and_then(|p| p.id())),
        arn: text(p.and_then(|p| p.arn())),
        name: text(p.and_then(|p| p.name())),
        description: text(p.and_then(|p| p.description())),
        r#type: name_of!(p.and_then(|p| p.r#type())),
        aws_managed: p.map(|p| p.aws_managed()).unwrap_or(false),
    }
}

fn policy(p: Option<&org::Policy>) -> seam::Policy {
    seam::Policy {
        policy_summary: policy_summary(p.and_then(|p| p.policy_summary())),
        content: text(p.and_then(|p| p.content())),
    }
}

fn create_account_status(s: Option<&org::CreateAccountStatus>) -> seam::CreateAccountStatus {
    seam::CreateAccountStatus {
        id: text(s.and_then(|s| s.id())),
        account_name: text(s.and_then(|s| s.account_name())),
        state: seam::CreateAccountState::from(name_of!(s.and_then(|s| s.state()))),
        requested_timestamp: opt_secs(s.and_then(|s| s.requested_timestamp())),
        completed_timestamp: s.and_then(|s| s.completed_timestamp()).map(secs),
        account_id: s.and_then(|s| s.account_id()).map(str::to_string),
        failure_reason: s
            .and_then(|s| s.failure_reason())
            .map(|r| r.as_str().to_string()),
    }
}

fn role(r: &iam::Role) -> seam::Role {
    seam::Role {
        role_name: r.role_name().to_string(),
        role_id: r.role_id().to_string(),
        arn: r.arn().to_string(),
        path: r.path().to_string(),
        assume_role_policy_document: decode_policy_document(
            r.assume_role_policy_document().unwrap_or_default(),
        ),
        description: r.description().map(str::to_string),
        max_session_duration: r.max_session_duration().unwrap_or(3600),
        permissions_boundary: r
            .permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn())
            .map(str::to_string),
        tags: from_iam_tags(r.tags()),
        create_date: secs(r.create_date()),
    }
}

fn attached(p: &[iam::AttachedPolicy]) -> Vec<seam::AttachedPolicy> {
    p.iter()
        .map(|p| seam::AttachedPolicy {
            policy_name: text(p.policy_name()),
            policy_arn: text(p.policy_arn()),
        })
        .collect()
}

fn missing(op: Operation, what: &str, endpoint: &Endpoint) -> ApiError {
    ApiError::new(
        op,
        errors::ENDPOINT_ERROR,
        format!(
            "{} answered {} without {what}",
            endpoint.plain_label(),
            op.action()
        ),
    )
}

/// What every handler needs: the operation (for its errors), the endpoint, the clients.
#[derive(Clone, Copy)]
struct Cx<'a> {
    op: Operation,
    ep: &'a Endpoint,
    clients: &'a Clients,
}

/// Sends `request` with `clients` and maps the answer: one handler per operation below.
pub(crate) async fn dispatch(
    clients: &Clients,
    endpoint: &Endpoint,
    request: Request,
) -> Result<Response, ApiError> {
    let cx = Cx {
        op: request.operation(),
        ep: endpoint,
        clients,
    };
    match request {
        Request::DescribeOrganization(input) => describe_organization(&cx, input).await,
        Request::CreateOrganization(input) => create_organization(&cx, input).await,
        Request::ListRoots(input) => list_roots(&cx, input).await,
        Request::ListOrganizationalUnitsForParent(input) => {
            list_organizational_units_for_parent(&cx, input).await
        }
        Request::ListAccountsForParent(input) => list_accounts_for_parent(&cx, input).await,
        Request::ListAccounts(input) => list_accounts(&cx, input).await,
        Request::DescribeAccount(input) => describe_account(&cx, input).await,
        Request::ListParents(input) => list_parents(&cx, input).await,
        Request::ListPolicies(input) => list_policies(&cx, input).await,
        Request::DescribePolicy(input) => describe_policy(&cx, input).await,
        Request::ListTargetsForPolicy(input) => list_targets_for_policy(&cx, input).await,
        Request::ListPoliciesForTarget(input) => list_policies_for_target(&cx, input).await,
        Request::ListTagsForResource(input) => list_tags_for_resource(&cx, input).await,
        Request::ListAwsServiceAccessForOrganization(input) => {
            list_aws_service_access_for_organization(&cx, input).await
        }
        Request::ListDelegatedAdministrators(input) => {
            list_delegated_administrators(&cx, input).await
        }
        Request::ListDelegatedServicesForAccount(input) => {
            list_delegated_services_for_account(&cx, input).await
        }
        Request::ListCreateAccountStatus(input) => list_create_account_status(&cx, input).await,
        Request::DescribeCreateAccountStatus(input) => {
            describe_create_account_status(&cx, input).await
        }
        Request::CreateOrganizationalUnit(input) => create_organizational_unit(&cx, input).await,
        Request::UpdateOrganizationalUnit(input) => update_organizational_unit(&cx, input).await,
        Request::DeleteOrganizationalUnit(input) => delete_organizational_unit(&cx, input).await,
        Request::CreateAccount(input) => create_account(&cx, input).await,
        Request::MoveAccount(input) => move_account(&cx, input).await,
        Request::CloseAccount(input) => close_account(&cx, input).await,
        Request::RemoveAccountFromOrganization(input) => {
            remove_account_from_organization(&cx, input).await
        }
        Request::CreatePolicy(input) => create_policy(&cx, input).await,
        Request::UpdatePolicy(input) => update_policy(&cx, input).await,
        Request::DeletePolicy(input) => delete_policy(&cx, input).await,
        Request::AttachPolicy(input) => attach_policy(&cx, input).await,
        Request::DetachPolicy(input) => detach_policy(&cx, input).await,
        Request::EnablePolicyType(input) => enable_policy_type(&cx, input).await,
        Request::DisablePolicyType(input) => disable_policy_type(&cx, input).await,
        Request::EnableAwsServiceAccess(input) => enable_aws_service_access(&cx, input).await,
        Request::DisableAwsServiceAccess(input) => disable_aws_service_access(&cx, input).await,
        Request::RegisterDelegatedAdministrator(input) => {
            register_delegated_administrator(&cx, input).await
        }
        Request::DeregisterDelegatedAdministrator(input) => {
            deregister_delegated_administrator(&cx, input).await
        }
        Request::TagResource(input) => tag_resource(&cx, input).await,
        Request::UntagResource(input) => untag_resource(&cx, input).await,
        Request::PutAccountName(input) => put_account_name(&cx, input).await,
        Request::GetRole(input) => get_role(&cx, input).await,
        Request::ListRoles(input) => list_roles(&cx, input).await,
        Request::CreateRole(input) => create_role(&cx, input).await,
        Request::UpdateRole(input) => update_role(&cx, input).await,
        Request::UpdateAssumeRolePolicy(input) => update_assume_role_policy(&cx, input).await,
        Request::DeleteRole(input) => delete_role(&cx, input).await,
        Request::ListAttachedRolePolicies(input) => list_attached_role_policies(&cx, input).await,
        Request::AttachRolePolicy(input) => attach_role_policy(&cx, input).await,
        Request::DetachRolePolicy(input) => detach_role_policy(&cx, input).await,
        Request::ListRolePolicies(input) => list_role_policies(&cx, input).await,
        Request::GetRolePolicy(input) => get_role_policy(&cx, input).await,
        Request::PutRolePolicy(input) => put_role_policy(&cx, input).await,
        Request::DeleteRolePolicy(input) => delete_role_policy(&cx, input).await,
        Request::ListRoleTags(input) => list_role_tags(&cx, input).await,
        Request::TagRole(input) => tag_role(&cx, input).await,
        Request::UntagRole(input) => untag_role(&cx, input).await,
        Request::GetUser(input) => get_user(&cx, input).await,
        Request::ListAttachedUserPolicies(input) => list_attached_user_policies(&cx, input).await,
        Request::ListUserPolicies(input) => list_user_policies(&cx, input).await,
        Request::GetUserPolicy(input) => get_user_policy(&cx, input).await,
        Request::ListGroupsForUser(input) => list_groups_for_user(&cx, input).await,
        Request::ListAttachedGroupPolicies(input) => list_attached_group_policies(&cx, input).await,
        Request::ListGroupPolicies(input) => list_group_policies(&cx, input).await,
        Request::GetGroupPolicy(input) => get_group_policy(&cx, input).await,
        Request::GetPolicy(input) => get_policy(&cx, input).await,
        Request::GetPolicyVersion(input) => get_policy_version(&cx, input).await,
        Request::SimulatePrincipalPolicy(input) => simulate_principal_policy(&cx, input).await,
        Request::GetCallerIdentity(input) => get_caller_identity(&cx, input).await,
        Request::AssumeRole(input) => assume_role(&cx, input).await,
    }
}

// ---- Organizations: one handler per operation, in the seam's order.

async fn describe_organization(
    cx: &Cx<'_>,
    _: seam::DescribeOrganizationInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        let out = send!(op, ep, o.describe_organization());
        Response::DescribeOrganization(seam::DescribeOrganizationOutput {
            organization: organization(out.organization()),
        })
    })
}

async fn create_organization(
    cx: &Cx<'_>,
    input: seam::CreateOrganizationInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        let mut b = o.create_organization();
        if !input.feature_set.is_empty() {
            b = b.feature_set(org::OrganizationFeatureSet::from(
                input.feature_set.as_str(),
            ));
        }
        let out = send!(op, ep, b);
        Response::CreateOrganization(seam::CreateOrganizationOutput {
            organization: organization(out.organization()),
        })
    })
}

async fn list_roots(cx: &Cx<'_>, input: seam::ListRootsInput) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        org_page!(op, ep, input, o.list_roots(), |out| ListRoots(
            seam::ListRootsOutput {
                roots: out.roots().iter().map(root).collect(),
            }
        ))
    })
}

async fn list_organizational_units_for_parent(
    cx: &Cx<'_>,
    input: seam::ListOrganizationalUnitsForParentInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        let out = send!(
            op,
            ep,
            o.list_organizational_units_for_parent()
                .parent_id(input.parent_id)
                .set_next_token(input.next_token)
                .set_max_results(input.max_results)
        );
        Response::ListOrganizationalUnitsForParent(seam::ListOrganizationalUnitsForParentOutput {
            organizational_units: out
                .organizational_units()
                .iter()
                .map(|u| ou(Some(u)))
                .collect(),
            next_token: out.next_token().map(str::to_string),
        })
    })
}

async fn list_accounts_for_parent(
    cx: &Cx<'_>,
    input: seam::ListAccountsForParentInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        org_page!(
            op,
            ep,
            input,
            o.list_accounts_for_parent().parent_id(input.parent_id),
            |out| ListAccountsForParent(seam::ListAccountsForParentOutput {
                accounts: out.accounts().iter().map(account).collect(),
            })
        )
    })
}

async fn list_accounts(cx: &Cx<'_>, input: seam::ListAccountsInput) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        org_page!(op, ep, input, o.list_accounts(), |out| ListAccounts(
            seam::ListAccountsOutput {
                accounts: out.accounts().iter().map(account).collect(),
            }
        ))
    })
}

async fn describe_account(
    cx: &Cx<'_>,
    input: seam::DescribeAccountInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        let out = send!(op, ep, o.describe_account().account_id(input.account_id));
        let a = out.account().ok_or_else(|| missing(op, "an account", ep))?;
        Response::DescribeAccount(seam::DescribeAccountOutput {
            account: account(a),
        })
    })
}

async fn list_parents(cx: &Cx<'_>, input: seam::ListParentsInput) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        org_page!(
            op,
            ep,
            input,
            o.list_parents().child_id(input.child_id),
            |out| ListParents(seam::ListParentsOutput {
                parents: out
                    .parents()
                    .iter()
                    .map(|p| seam::Parent {
                        id: text(p.id()),
                        r#type: name_of!(p.r#type()),
                    })
                    .collect(),
            })
        )
    })
}

async fn list_policies(cx: &Cx<'_>, input: seam::ListPoliciesInput) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        org_page!(
            op,
            ep,
            input,
            o.list_policies()
                .filter(org::PolicyType::from(input.filter.as_str())),
            |out| ListPolicies(seam::ListPoliciesOutput {
                policies: out
                    .policies()
                    .iter()
                    .map(|p| policy_summary(Some(p)))
                    .collect(),
            })
        )
    })
}

async fn describe_policy(
    cx: &Cx<'_>,
    input: seam::DescribePolicyInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        let out = send!(op, ep, o.describe_policy().policy_id(input.policy_id));
        Response::DescribePolicy(seam::DescribePolicyOutput {
            policy: policy(out.policy()),
        })
    })
}

async fn list_targets_for_policy(
    cx: &Cx<'_>,
    input: seam::ListTargetsForPolicyInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        org_page!(
            op,
            ep,
            input,
            o.list_targets_for_policy().policy_id(input.policy_id),
            |out| ListTargetsForPolicy(seam::ListTargetsForPolicyOutput {
                targets: out
                    .targets()
                    .iter()
                    .map(|t| seam::PolicyTargetSummary {
                        target_id: text(t.target_id()),
                        arn: text(t.arn()),
                        name: text(t.name()),
                        r#type: name_of!(t.r#type()),
                    })
                    .collect(),
            })
        )
    })
}

async fn list_policies_for_target(
    cx: &Cx<'_>,
    input: seam::ListPoliciesForTargetInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        org_page!(
            op,
            ep,
            input,
            o.list_policies_for_target()
                .target_id(input.target_id)
                .filter(org::PolicyType::from(input.filter.as_str())),
            |out| ListPoliciesForTarget(seam::ListPoliciesForTargetOutput {
                policies: out
                    .policies()
                    .iter()
                    .map(|p| policy_summary(Some(p)))
                    .collect(),
            })
        )
    })
}

async fn list_tags_for_resource(
    cx: &Cx<'_>,
    input: seam::ListTagsForResourceInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        let out = send!(
            op,
            ep,
            o.list_tags_for_resource()
                .resource_id(input.resource_id)
                .set_next_token(input.next_token)
        );
        Response::ListTagsForResource(seam::ListTagsForResourceOutput {
            tags: from_org_tags(out.tags()),
            next_token: out.next_token().map(str::to_string),
        })
    })
}

async fn list_aws_service_access_for_organization(
    cx: &Cx<'_>,
    input: seam::ListAwsServiceAccessForOrganizationInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        let out = send!(
            op,
            ep,
            o.list_aws_service_access_for_organization()
                .set_next_token(input.next_token)
                .set_max_results(input.max_results)
        );
        Response::ListAwsServiceAccessForOrganization(
            seam::ListAwsServiceAccessForOrganizationOutput {
                enabled_service_principals: out
                    .enabled_service_principals()
                    .iter()
                    .map(|p| seam::EnabledServicePrincipal {
                        service_principal: text(p.service_principal()),
                        date_enabled: opt_secs(p.date_enabled()),
                    })
                    .collect(),
                next_token: out.next_token().map(str::to_string),
            },
        )
    })
}

async fn list_delegated_administrators(
    cx: &Cx<'_>,
    input: seam::ListDelegatedAdministratorsInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        let out = send!(
            op,
            ep,
            o.list_delegated_administrators()
                .set_service_principal(input.service_principal)
                .set_next_token(input.next_token)
                .set_max_results(input.max_results)
        );
        #[allow(deprecated)] // `status()` only as the fallback of `account_state`
        let delegated_administrators = out
            .delegated_administrators()
            .iter()
            .map(|d| seam::DelegatedAdministrator {
                id: text(d.id()),
                arn: text(d.arn()),
                email: text(d.email()),
                name: text(d.name()),
                state: account_state(d.state(), d.status()),
                joined_method: name_of!(d.joined_method()),
                delegation_enabled_date: opt_secs(d.delegation_enabled_date()),
            })
            .collect();
        Response::ListDelegatedAdministrators(seam::ListDelegatedAdministratorsOutput {
            delegated_administrators,
            next_token: out.next_token().map(str::to_string),
        })
    })
}

async fn list_delegated_services_for_account(
    cx: &Cx<'_>,
    input: seam::ListDelegatedServicesForAccountInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        org_page!(
            op,
            ep,
            input,
            o.list_delegated_services_for_account()
                .account_id(input.account_id),
            |out| ListDelegatedServicesForAccount(seam::ListDelegatedServicesForAccountOutput {
                delegated_services: out
                    .delegated_services()
                    .iter()
                    .map(|s| seam::DelegatedService {
                        service_principal: text(s.service_principal()),
                        delegation_enabled_date: opt_secs(s.delegation_enabled_date()),
                    })
                    .collect(),
            })
        )
    })
}

async fn list_create_account_status(
    cx: &Cx<'_>,
    input: seam::ListCreateAccountStatusInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        let states = if input.states.is_empty() {
            None
        } else {
            Some(
                input
                    .states
                    .iter()
                    .map(|s| org::CreateAccountState::from(s.as_str()))
                    .collect(),
            )
        };
        org_page!(
            op,
            ep,
            input,
            o.list_create_account_status().set_states(states),
            |out| ListCreateAccountStatus(seam::ListCreateAccountStatusOutput {
                create_account_statuses: out
                    .create_account_statuses()
                    .iter()
                    .map(|s| create_account_status(Some(s)))
                    .collect(),
            })
        )
    })
}

async fn describe_create_account_status(
    cx: &Cx<'_>,
    input: seam::DescribeCreateAccountStatusInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        let out = send!(
            op,
            ep,
            o.describe_create_account_status()
                .create_account_request_id(input.create_account_request_id)
        );
        Response::DescribeCreateAccountStatus(seam::DescribeCreateAccountStatusOutput {
            create_account_status: create_account_status(out.create_account_status()),
        })
    })
}

async fn create_organizational_unit(
    cx: &Cx<'_>,
    input: seam::CreateOrganizationalUnitInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        let out = send!(
            op,
            ep,
            o.create_organizational_unit()
                .parent_id(input.parent_id)
                .name(input.name)
                .set_tags(org_tags(op, &input.tags)?)
        );
        Response::CreateOrganizationalUnit(seam::CreateOrganizationalUnitOutput {
            organizational_unit: ou(out.organizational_unit()),
        })
    })
}

async fn update_organizational_unit(
    cx: &Cx<'_>,
    input: seam::UpdateOrganizationalUnitInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        let out = send!(
            op,
            ep,
            o.update_organizational_unit()
                .organizational_unit_id(input.organizational_unit_id)
                .set_name(input.name)
        );
        Response::UpdateOrganizationalUnit(seam::UpdateOrganizationalUnitOutput {
            organizational_unit: ou(out.organizational_unit()),
        })
    })
}

async fn delete_organizational_unit(
    cx: &Cx<'_>,
    input: seam::DeleteOrganizationalUnitInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        send!(
            op,
            ep,
            o.delete_organizational_unit()
                .organizational_unit_id(input.organizational_unit_id)
        );
        Response::DeleteOrganizationalUnit(Empty {})
    })
}

async fn create_account(
    cx: &Cx<'_>,
    input: seam::CreateAccountInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        let out = send!(
            op,
            ep,
            o.create_account()
                .email(input.email)
                .account_name(input.account_name)
                .set_role_name(input.role_name)
                .set_iam_user_access_to_billing(
                    input
                        .iam_user_access_to_billing
                        .map(|b| org::IamUserAccessToBilling::from(b.as_str()))
                )
                .set_tags(org_tags(op, &input.tags)?)
        );
        Response::CreateAccount(seam::CreateAccountOutput {
            create_account_status: create_account_status(out.create_account_status()),
        })
    })
}

async fn move_account(cx: &Cx<'_>, input: seam::MoveAccountInput) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        send!(
            op,
            ep,
            o.move_account()
                .account_id(input.account_id)
                .source_parent_id(input.source_parent_id)
                .destination_parent_id(input.destination_parent_id)
        );
        Response::MoveAccount(Empty {})
    })
}

async fn close_account(cx: &Cx<'_>, input: seam::CloseAccountInput) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        send!(op, ep, o.close_account().account_id(input.account_id));
        Response::CloseAccount(Empty {})
    })
}

async fn remove_account_from_organization(
    cx: &Cx<'_>,
    input: seam::RemoveAccountFromOrganizationInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        send!(
            op,
            ep,
            o.remove_account_from_organization()
                .account_id(input.account_id)
        );
        Response::RemoveAccountFromOrganization(Empty {})
    })
}

async fn create_policy(cx: &Cx<'_>, input: seam::CreatePolicyInput) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        let out = send!(
            op,
            ep,
            o.create_policy()
                .name(input.name)
                .description(input.description)
                .content(input.content)
                .r#type(org::PolicyType::from(input.r#type.as_str()))
                .set_tags(org_tags(op, &input.tags)?)
        );
        Response::CreatePolicy(seam::CreatePolicyOutput {
            policy: policy(out.policy()),
        })
    })
}

async fn update_policy(cx: &Cx<'_>, input: seam::UpdatePolicyInput) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        let out = send!(
            op,
            ep,
            o.update_policy()
                .policy_id(input.policy_id)
                .set_name(input.name)
                .set_description(input.description)
                .set_content(input.content)
        );
        Response::UpdatePolicy(seam::UpdatePolicyOutput {
            policy: policy(out.policy()),
        })
    })
}

async fn delete_policy(cx: &Cx<'_>, input: seam::DeletePolicyInput) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        send!(op, ep, o.delete_policy().policy_id(input.policy_id));
        Response::DeletePolicy(Empty {})
    })
}

async fn attach_policy(cx: &Cx<'_>, input: seam::AttachPolicyInput) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        send!(
            op,
            ep,
            o.attach_policy()
                .policy_id(input.policy_id)
                .target_id(input.target_id)
        );
        Response::AttachPolicy(Empty {})
    })
}

async fn detach_policy(cx: &Cx<'_>, input: seam::DetachPolicyInput) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        send!(
            op,
            ep,
            o.detach_policy()
                .policy_id(input.policy_id)
                .target_id(input.target_id)
        );
        Response::DetachPolicy(Empty {})
    })
}

async fn enable_policy_type(
    cx: &Cx<'_>,
    input: seam::EnablePolicyTypeInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        let out = send!(
            op,
            ep,
            o.enable_policy_type()
                .root_id(input.root_id)
                .policy_type(org::PolicyType::from(input.policy_type.as_str()))
        );
        let r = out.root().ok_or_else(|| missing(op, "a root", ep))?;
        Response::EnablePolicyType(seam::EnablePolicyTypeOutput { root: root(r) })
    })
}

async fn disable_policy_type(
    cx: &Cx<'_>,
    input: seam::DisablePolicyTypeInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        let out = send!(
            op,
            ep,
            o.disable_policy_type()
                .root_id(input.root_id)
                .policy_type(org::PolicyType::from(input.policy_type.as_str()))
        );
        let r = out.root().ok_or_else(|| missing(op, "a root", ep))?;
        Response::DisablePolicyType(seam::DisablePolicyTypeOutput { root: root(r) })
    })
}

async fn enable_aws_service_access(
    cx: &Cx<'_>,
    input: seam::EnableAwsServiceAccessInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        send!(
            op,
            ep,
            o.enable_aws_service_access()
                .service_principal(input.service_principal)
        );
        Response::EnableAwsServiceAccess(Empty {})
    })
}

async fn disable_aws_service_access(
    cx: &Cx<'_>,
    input: seam::DisableAwsServiceAccessInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        send!(
            op,
            ep,
            o.disable_aws_service_access()
                .service_principal(input.service_principal)
        );
        Response::DisableAwsServiceAccess(Empty {})
    })
}

async fn register_delegated_administrator(
    cx: &Cx<'_>,
    input: seam::RegisterDelegatedAdministratorInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        send!(
            op,
            ep,
            o.register_delegated_administrator()
                .account_id(input.account_id)
                .service_principal(input.service_principal)
        );
        Response::RegisterDelegatedAdministrator(Empty {})
    })
}

async fn deregister_delegated_administrator(
    cx: &Cx<'_>,
    input: seam::DeregisterDelegatedAdministratorInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        send!(
            op,
            ep,
            o.deregister_delegated_administrator()
                .account_id(input.account_id)
                .service_principal(input.service_principal)
        );
        Response::DeregisterDelegatedAdministrator(Empty {})
    })
}

async fn tag_resource(cx: &Cx<'_>, input: seam::TagResourceInput) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        send!(
            op,
            ep,
            o.tag_resource()
                .resource_id(input.resource_id)
                .set_tags(org_tags(op, &input.tags)?)
        );
        Response::TagResource(Empty {})
    })
}

async fn untag_resource(
    cx: &Cx<'_>,
    input: seam::UntagResourceInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let o = &cx.clients.organizations;
    Ok({
        send!(
            op,
            ep,
            o.untag_resource()
                .resource_id(input.resource_id)
                .set_tag_keys(Some(input.tag_keys))
        );
        Response::UntagResource(Empty {})
    })
}

// ---- Account: one handler per operation, in the seam's order.

async fn put_account_name(
    cx: &Cx<'_>,
    input: seam::PutAccountNameInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let clients = cx.clients;
    Ok({
        send!(
            op,
            ep,
            clients
                .account
                .put_account_name()
                .set_account_id(input.account_id)
                .account_name(input.account_name)
        );
        Response::PutAccountName(Empty {})
    })
}

// ---- IAM: one handler per operation, in the seam's order.

async fn get_role(cx: &Cx<'_>, input: seam::GetRoleInput) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        let out = send!(op, ep, i.get_role().role_name(input.role_name));
        let r = out.role().ok_or_else(|| missing(op, "a role", ep))?;
        Response::GetRole(seam::GetRoleOutput { role: role(r) })
    })
}

async fn list_roles(cx: &Cx<'_>, input: seam::ListRolesInput) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        iam_page!(
            op,
            ep,
            input,
            i.list_roles().set_path_prefix(input.path_prefix),
            |out| ListRoles(seam::ListRolesOutput {
                roles: out.roles().iter().map(role).collect(),
            })
        )
    })
}

async fn create_role(cx: &Cx<'_>, input: seam::CreateRoleInput) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        let out = send!(
            op,
            ep,
            i.create_role()
                .role_name(input.role_name)
                .set_path(input.path)
                .assume_role_policy_document(input.assume_role_policy_document)
                .set_description(input.description)
                .set_max_session_duration(input.max_session_duration)
                .set_permissions_boundary(input.permissions_boundary)
                .set_tags(iam_tags(op, &input.tags)?)
        );
        let r = out.role().ok_or_else(|| missing(op, "a role", ep))?;
        Response::CreateRole(seam::CreateRoleOutput { role: role(r) })
    })
}

async fn update_role(cx: &Cx<'_>, input: seam::UpdateRoleInput) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        send!(
            op,
            ep,
            i.update_role()
                .role_name(input.role_name)
                .set_description(input.description)
                .set_max_session_duration(input.max_session_duration)
        );
        Response::UpdateRole(Empty {})
    })
}

async fn update_assume_role_policy(
    cx: &Cx<'_>,
    input: seam::UpdateAssumeRolePolicyInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        send!(
            op,
            ep,
            i.update_assume_role_policy()
                .role_name(input.role_name)
                .policy_document(input.policy_document)
        );
        Response::UpdateAssumeRolePolicy(Empty {})
    })
}

async fn delete_role(cx: &Cx<'_>, input: seam::DeleteRoleInput) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        send!(op, ep, i.delete_role().role_name(input.role_name));
        Response::DeleteRole(Empty {})
    })
}

async fn list_attached_role_policies(
    cx: &Cx<'_>,
    input: seam::ListAttachedRolePoliciesInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        iam_page!(
            op,
            ep,
            input,
            i.list_attached_role_policies().role_name(input.role_name),
            |out| ListAttachedRolePolicies(seam::ListAttachedRolePoliciesOutput {
                attached_policies: attached(out.attached_policies()),
            })
        )
    })
}

async fn attach_role_policy(
    cx: &Cx<'_>,
    input: seam::AttachRolePolicyInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        send!(
            op,
            ep,
            i.attach_role_policy()
                .role_name(input.role_name)
                .policy_arn(input.policy_arn)
        );
        Response::AttachRolePolicy(Empty {})
    })
}

async fn detach_role_policy(
    cx: &Cx<'_>,
    input: seam::DetachRolePolicyInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        send!(
            op,
            ep,
            i.detach_role_policy()
                .role_name(input.role_name)
                .policy_arn(input.policy_arn)
        );
        Response::DetachRolePolicy(Empty {})
    })
}

async fn list_role_policies(
    cx: &Cx<'_>,
    input: seam::ListRolePoliciesInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        iam_page!(
            op,
            ep,
            input,
            i.list_role_policies().role_name(input.role_name),
            |out| ListRolePolicies(seam::ListRolePoliciesOutput {
                policy_names: out.policy_names().to_vec(),
            })
        )
    })
}

async fn get_role_policy(
    cx: &Cx<'_>,
    input: seam::GetRolePolicyInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        let out = send!(
            op,
            ep,
            i.get_role_policy()
                .role_name(input.role_name)
                .policy_name(input.policy_name)
        );
        Response::GetRolePolicy(seam::GetRolePolicyOutput {
            role_name: out.role_name().to_string(),
            policy_name: out.policy_name().to_string(),
            policy_document: decode_policy_document(out.policy_document()),
        })
    })
}

async fn put_role_policy(
    cx: &Cx<'_>,
    input: seam::PutRolePolicyInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        send!(
            op,
            ep,
            i.put_role_policy()
                .role_name(input.role_name)
                .policy_name(input.policy_name)
                .policy_document(input.policy_document)
        );
        Response::PutRolePolicy(Empty {})
    })
}

async fn delete_role_policy(
    cx: &Cx<'_>,
    input: seam::DeleteRolePolicyInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        send!(
            op,
            ep,
            i.delete_role_policy()
                .role_name(input.role_name)
                .policy_name(input.policy_name)
        );
        Response::DeleteRolePolicy(Empty {})
    })
}

async fn list_role_tags(cx: &Cx<'_>, input: seam::ListRoleTagsInput) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        iam_page!(
            op,
            ep,
            input,
            i.list_role_tags().role_name(input.role_name),
            |out| ListRoleTags(seam::ListRoleTagsOutput {
                tags: from_iam_tags(out.tags()),
            })
        )
    })
}

async fn tag_role(cx: &Cx<'_>, input: seam::TagRoleInput) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        send!(
            op,
            ep,
            i.tag_role()
                .role_name(input.role_name)
                .set_tags(iam_tags(op, &input.tags)?)
        );
        Response::TagRole(Empty {})
    })
}

async fn untag_role(cx: &Cx<'_>, input: seam::UntagRoleInput) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        send!(
            op,
            ep,
            i.untag_role()
                .role_name(input.role_name)
                .set_tag_keys(Some(input.tag_keys))
        );
        Response::UntagRole(Empty {})
    })
}

async fn get_user(cx: &Cx<'_>, input: seam::GetUserInput) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        let out = send!(op, ep, i.get_user().set_user_name(input.user_name));
        let u = out.user().ok_or_else(|| missing(op, "a user", ep))?;
        Response::GetUser(seam::GetUserOutput {
            user: seam::User {
                user_name: u.user_name().to_string(),
                user_id: u.user_id().to_string(),
                arn: u.arn().to_string(),
                path: u.path().to_string(),
                permissions_boundary: u
                    .permissions_boundary()
                    .and_then(|b| b.permissions_boundary_arn())
                    .map(str::to_string),
            },
        })
    })
}

async fn list_attached_user_policies(
    cx: &Cx<'_>,
    input: seam::ListAttachedUserPoliciesInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        iam_page!(
            op,
            ep,
            input,
            i.list_attached_user_policies().user_name(input.user_name),
            |out| ListAttachedUserPolicies(seam::ListAttachedUserPoliciesOutput {
                attached_policies: attached(out.attached_policies()),
            })
        )
    })
}

async fn list_user_policies(
    cx: &Cx<'_>,
    input: seam::ListUserPoliciesInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        iam_page!(
            op,
            ep,
            input,
            i.list_user_policies().user_name(input.user_name),
            |out| ListUserPolicies(seam::ListUserPoliciesOutput {
                policy_names: out.policy_names().to_vec(),
            })
        )
    })
}

async fn get_user_policy(
    cx: &Cx<'_>,
    input: seam::GetUserPolicyInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        let out = send!(
            op,
            ep,
            i.get_user_policy()
                .user_name(input.user_name)
                .policy_name(input.policy_name)
        );
        Response::GetUserPolicy(seam::GetUserPolicyOutput {
            user_name: out.user_name().to_string(),
            policy_name: out.policy_name().to_string(),
            policy_document: decode_policy_document(out.policy_document()),
        })
    })
}

async fn list_groups_for_user(
    cx: &Cx<'_>,
    input: seam::ListGroupsForUserInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        iam_page!(
            op,
            ep,
            input,
            i.list_groups_for_user().user_name(input.user_name),
            |out| ListGroupsForUser(seam::ListGroupsForUserOutput {
                group_names: out
                    .groups()
                    .iter()
                    .map(|g| g.group_name().to_string())
                    .collect(),
            })
        )
    })
}

async fn list_attached_group_policies(
    cx: &Cx<'_>,
    input: seam::ListAttachedGroupPoliciesInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        iam_page!(
            op,
            ep,
            input,
            i.list_attached_group_policies()
                .group_name(input.group_name),
            |out| ListAttachedGroupPolicies(seam::ListAttachedGroupPoliciesOutput {
                attached_policies: attached(out.attached_policies()),
            })
        )
    })
}

async fn list_group_policies(
    cx: &Cx<'_>,
    input: seam::ListGroupPoliciesInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        iam_page!(
            op,
            ep,
            input,
            i.list_group_policies().group_name(input.group_name),
            |out| ListGroupPolicies(seam::ListGroupPoliciesOutput {
                policy_names: out.policy_names().to_vec(),
            })
        )
    })
}

async fn get_group_policy(
    cx: &Cx<'_>,
    input: seam::GetGroupPolicyInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        let out = send!(
            op,
            ep,
            i.get_group_policy()
                .group_name(input.group_name)
                .policy_name(input.policy_name)
        );
        Response::GetGroupPolicy(seam::GetGroupPolicyOutput {
            group_name: out.group_name().to_string(),
            policy_name: out.policy_name().to_string(),
            policy_document: decode_policy_document(out.policy_document()),
        })
    })
}

async fn get_policy(cx: &Cx<'_>, input: seam::GetPolicyInput) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        let out = send!(op, ep, i.get_policy().policy_arn(input.policy_arn));
        let p = out.policy().ok_or_else(|| missing(op, "a policy", ep))?;
        Response::GetPolicy(seam::GetPolicyOutput {
            policy: seam::ManagedPolicy {
                policy_name: text(p.policy_name()),
                arn: text(p.arn()),
                default_version_id: text(p.default_version_id()),
            },
        })
    })
}

async fn get_policy_version(
    cx: &Cx<'_>,
    input: seam::GetPolicyVersionInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        let out = send!(
            op,
            ep,
            i.get_policy_version()
                .policy_arn(input.policy_arn)
                .version_id(input.version_id)
        );
        Response::GetPolicyVersion(seam::GetPolicyVersionOutput {
            document: decode_policy_document(
                out.policy_version()
                    .and_then(|v| v.document())
                    .unwrap_or_default(),
            ),
        })
    })
}

async fn simulate_principal_policy(
    cx: &Cx<'_>,
    input: seam::SimulatePrincipalPolicyInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let i = &cx.clients.iam;
    Ok({
        let entries = input
            .context_entries
            .iter()
            .map(|c| {
                iam::ContextEntry::builder()
                    .context_key_name(&c.key)
                    .set_context_key_values(Some(c.values.clone()))
                    .context_key_type(iam::ContextKeyTypeEnum::from(c.r#type.as_str()))
                    .build()
            })
            .collect::<Vec<_>>();
        let out = send!(
            op,
            ep,
            i.simulate_principal_policy()
                .policy_source_arn(input.policy_source_arn)
                .set_action_names(Some(input.action_names))
                .set_resource_arns(if input.resource_arns.is_empty() {
                    None
                } else {
                    Some(input.resource_arns)
                })
                .set_context_entries(if entries.is_empty() {
                    None
                } else {
                    Some(entries)
                })
                .set_marker(input.next_token)
        );
        Response::SimulatePrincipalPolicy(seam::SimulatePrincipalPolicyOutput {
            evaluation_results: out
                .evaluation_results()
                .iter()
                .map(|r| seam::SimulationResult {
                    eval_action_name: r.eval_action_name().to_string(),
                    eval_resource_name: text(r.eval_resource_name()),
                    eval_decision: r.eval_decision().as_str().to_string(),
                    matched_statements: r
                        .matched_statements()
                        .iter()
                        .filter_map(|s| s.source_policy_id().map(str::to_string))
                        .collect(),
                })
                .collect(),
            next_token: iam_next(out.is_truncated(), out.marker()),
        })
    })
}

// ---- STS: one handler per operation, in the seam's order.

async fn get_caller_identity(
    cx: &Cx<'_>,
    _: seam::GetCallerIdentityInput,
) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let clients = cx.clients;
    Ok({
        let out = send!(op, ep, clients.sts.get_caller_identity());
        Response::GetCallerIdentity(seam::GetCallerIdentityOutput {
            account: text(out.account()),
            arn: text(out.arn()),
            user_id: text(out.user_id()),
        })
    })
}

async fn assume_role(cx: &Cx<'_>, input: seam::AssumeRoleInput) -> Result<Response, ApiError> {
    let op = cx.op;
    let ep = cx.ep;
    let clients = cx.clients;
    Ok({
        let out = send!(
            op,
            ep,
            clients
                .sts
                .assume_role()
                .role_arn(input.role_arn)
                .role_session_name(input.role_session_name)
                .set_duration_seconds(input.duration_seconds)
        );
        let c = out
            .credentials()
            .ok_or_else(|| missing(op, "credentials", ep))?;
        Response::AssumeRole(seam::AssumeRoleOutput {
            credentials: seam::Credentials {
                access_key_id: c.access_key_id().to_string(),
                secret_access_key: c.secret_access_key().to_string(),
                session_token: c.session_token().to_string(),
                expiration: secs(c.expiration()),
            },
            assumed_role_arn: out
                .assumed_role_user()
                .map(|u| u.arn().to_string())
                .unwrap_or_default(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_documents_are_decoded_only_when_encoded() {
        assert_eq!(
            decode_policy_document("%7B%22Version%22%3A%222012-10-17%22%7D"),
            r#"{"Version":"2012-10-17"}"#
        );
        // A plain document keeps a literal percent sign.
        let plain = r#"{"Condition":{"StringLike":{"k":"100%25"}}}"#;
        assert_eq!(decode_policy_document(plain), plain);
    }

    #[test]
    fn iam_pagination_only_while_truncated() {
        assert_eq!(iam_next(true, Some("m1")), Some("m1".to_string()));
        assert_eq!(iam_next(false, Some("m1")), None);
        assert_eq!(iam_next(true, None), None);
    }
}
