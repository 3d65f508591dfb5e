//! AWS's requests and responses, in AWS's own words: one input and one output struct per
//! operation orgchard calls (Organizations, Account, IAM, STS), an [`Operation`] name for each,
//! and the [`Request`] / [`Response`] enums that travel through [`super::Api::call`].
//!
//! Field names follow the AWS API in snake_case. Pagination is uniform: every list input has
//! `next_token` / `max_results` and every list output `next_token` (IAM's `Marker` is mapped
//! onto it by the AWS backend). Policy documents are plain JSON text (IAM's URL encoding is
//! the AWS backend's business). Timestamps are seconds since the Unix epoch.

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{Api, ApiError, Scope};
pub use crate::vocab::{AccountState, CreateAccountState, PolicyTypeStatus};

/// The AWS service an operation belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    Organizations,
    Account,
    Iam,
    Sts,
}

impl Service {
    /// The IAM action prefix (`organizations`, `account`, `iam`, `sts`).
    pub fn prefix(self) -> &'static str {
        match self {
            Service::Organizations => "organizations",
            Service::Account => "account",
            Service::Iam => "iam",
            Service::Sts => "sts",
        }
    }
}

/// A key/value tag as Organizations and IAM carry them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// Tags as a map, the way orgchard compares them.
pub fn tags_to_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect()
}

pub fn tags_from_map(map: &BTreeMap<String, String>) -> Vec<Tag> {
    map.iter()
        .map(|(k, v)| Tag {
            key: k.clone(),
            value: v.clone(),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Organizations shapes

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    pub id: String,
    pub arn: String,
    /// `ALL` or `CONSOLIDATED_BILLING`.
    pub feature_set: String,
    pub master_account_id: String,
    pub master_account_arn: String,
    pub master_account_email: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyTypeSummary {
    /// The type's name in the API (see [`crate::vocab::POLICY_TYPES`]); kept as text so that
    /// a type orgchard does not know yet still reads.
    pub r#type: String,
    pub status: PolicyTypeStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Root {
    pub id: String,
    pub arn: String,
    pub name: String,
    pub policy_types: Vec<PolicyTypeSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationalUnit {
    pub id: String,
    pub arn: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub arn: String,
    pub email: String,
    pub name: String,
    /// AWS's `State` (which replaced the retired `Status`). Saved plans and snapshots written
    /// before carry `status`, read as the state of the same name.
    #[serde(alias = "status")]
    pub state: AccountState,
    /// `INVITED` or `CREATED`.
    pub joined_method: String,
    pub joined_timestamp: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicySummary {
    pub id: String,
    pub arn: String,
    pub name: String,
    pub description: String,
    pub r#type: String,
    pub aws_managed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub policy_summary: PolicySummary,
    /// The policy document, as stored.
    pub content: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyTargetSummary {
    pub target_id: String,
    pub arn: String,
    pub name: String,
    /// `ROOT`, `ORGANIZATIONAL_UNIT` or `ACCOUNT`.
    pub r#type: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parent {
    pub id: String,
    /// `ROOT` or `ORGANIZATIONAL_UNIT`.
    pub r#type: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateAccountStatus {
    /// The request id (`car-…`).
    pub id: String,
    pub account_name: String,
    pub state: CreateAccountState,
    pub requested_timestamp: f64,
    pub completed_timestamp: Option<f64>,
    pub account_id: Option<String>,
    /// AWS's FailureReason, e.g. `EMAIL_ALREADY_EXISTS`.
    pub failure_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnabledServicePrincipal {
    pub service_principal: String,
    pub date_enabled: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DelegatedAdministrator {
    pub id: String,
    pub arn: String,
    pub email: String,
    pub name: String,
    #[serde(alias = "status")]
    pub state: AccountState,
    pub joined_method: String,
    pub delegation_enabled_date: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DelegatedService {
    pub service_principal: String,
    pub delegation_enabled_date: f64,
}

// ---------------------------------------------------------------------------------------------
// IAM and STS shapes

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Role {
    pub role_name: String,
    pub role_id: String,
    pub arn: String,
    pub path: String,
    /// The trust policy, as plain JSON text.
    pub assume_role_policy_document: String,
    pub description: Option<String>,
    pub max_session_duration: i32,
    /// The ARN of the permissions boundary policy, if any.
    pub permissions_boundary: Option<String>,
    pub tags: Vec<Tag>,
    pub create_date: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub user_name: String,
    pub user_id: String,
    pub arn: String,
    pub path: String,
    pub permissions_boundary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttachedPolicy {
    pub policy_name: String,
    pub policy_arn: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManagedPolicy {
    pub policy_name: String,
    pub arn: String,
    pub default_version_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub expiration: f64,
}

/// One result of `iam:SimulatePrincipalPolicy`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulationResult {
    pub eval_action_name: String,
    pub eval_resource_name: String,
    /// `allowed`, `explicitDeny` or `implicitDeny`.
    pub eval_decision: String,
    /// Ids of the statements that matched, as IAM reports them.
    pub matched_statements: Vec<String>,
}

/// A context entry for `iam:SimulatePrincipalPolicy`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContextEntry {
    pub key: String,
    pub values: Vec<String>,
    /// `string`, `stringList`, `boolean`, `numeric`, `date`, `ip`, `binary`, `arn`.
    pub r#type: String,
}

// ---------------------------------------------------------------------------------------------
// Inputs and outputs

macro_rules! shape {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        // A member a request leaves out takes its empty value, as AWS treats an absent one.
        #[serde(default)]
        pub struct $name { $($(#[$fm])* pub $field: $ty,)* }
    };
}

/// Organizations: DescribeOrganization.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DescribeOrganizationInput {}
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DescribeOrganizationOutput {
    pub organization: Organization,
}

shape!(CreateOrganizationInput {
    /// `ALL` or `CONSOLIDATED_BILLING`.
    feature_set: String,
});
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateOrganizationOutput {
    pub organization: Organization,
}
shape!(ListRootsInput { next_token: Option<String>, max_results: Option<i32> });
shape!(ListRootsOutput { roots: Vec<Root>, next_token: Option<String> });
shape!(ListOrganizationalUnitsForParentInput { parent_id: String, next_token: Option<String>, max_results: Option<i32> });
shape!(ListOrganizationalUnitsForParentOutput { organizational_units: Vec<OrganizationalUnit>, next_token: Option<String> });
shape!(ListAccountsForParentInput { parent_id: String, next_token: Option<String>, max_results: Option<i32> });
shape!(ListAccountsForParentOutput { accounts: Vec<Account>, next_token: Option<String> });
shape!(ListAccountsInput { next_token: Option<String>, max_results: Option<i32> });
shape!(ListAccountsOutput { accounts: Vec<Account>, next_token: Option<String> });
shape!(DescribeAccountInput { account_id: String });
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DescribeAccountOutput {
    pub account: Account,
}
shape!(ListParentsInput { child_id: String, next_token: Option<String>, max_results: Option<i32> });
shape!(ListParentsOutput { parents: Vec<Parent>, next_token: Option<String> });
shape!(ListPoliciesInput {
    /// The policy type to list (AWS's `Filter`).
    filter: String,
    next_token: Option<String>,
    max_results: Option<i32>,
});
shape!(ListPoliciesOutput { policies: Vec<PolicySummary>, next_token: Option<String> });
shape!(DescribePolicyInput { policy_id: String });
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DescribePolicyOutput {
    pub policy: Policy,
}
shape!(ListTargetsForPolicyInput { policy_id: String, next_token: Option<String>, max_results: Option<i32> });
shape!(ListTargetsForPolicyOutput { targets: Vec<PolicyTargetSummary>, next_token: Option<String> });
shape!(ListPoliciesForTargetInput { target_id: String, filter: String, next_token: Option<String>, max_results: Option<i32> });
shape!(ListPoliciesForTargetOutput { policies: Vec<PolicySummary>, next_token: Option<String> });
shape!(ListTagsForResourceInput { resource_id: String, next_token: Option<String> });
shape!(ListTagsForResourceOutput { tags: Vec<Tag>, next_token: Option<String> });
shape!(ListAwsServiceAccessForOrganizationInput { next_token: Option<String>, max_results: Option<i32> });
shape!(ListAwsServiceAccessForOrganizationOutput { enabled_service_principals: Vec<EnabledServicePrincipal>, next_token: Option<String> });
shape!(ListDelegatedAdministratorsInput { service_principal: Option<String>, next_token: Option<String>, max_results: Option<i32> });
shape!(ListDelegatedAdministratorsOutput { delegated_administrators: Vec<DelegatedAdministrator>, next_token: Option<String> });
shape!(ListDelegatedServicesForAccountInput { account_id: String, next_token: Option<String>, max_results: Option<i32> });
shape!(ListDelegatedServicesForAccountOutput { delegated_services: Vec<DelegatedService>, next_token: Option<String> });
shape!(ListCreateAccountStatusInput {
    /// Empty: every state.
    states: Vec<CreateAccountState>,
    next_token: Option<String>,
    max_results: Option<i32>,
});
shape!(ListCreateAccountStatusOutput { create_account_statuses: Vec<CreateAccountStatus>, next_token: Option<String> });
shape!(DescribeCreateAccountStatusInput {
    create_account_request_id: String
});
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DescribeCreateAccountStatusOutput {
    pub create_account_status: CreateAccountStatus,
}
shape!(CreateOrganizationalUnitInput { parent_id: String, name: String, tags: Vec<Tag> });
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateOrganizationalUnitOutput {
    pub organizational_unit: OrganizationalUnit,
}
shape!(UpdateOrganizationalUnitInput { organizational_unit_id: String, name: Option<String> });
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateOrganizationalUnitOutput {
    pub organizational_unit: OrganizationalUnit,
}
shape!(DeleteOrganizationalUnitInput {
    organizational_unit_id: String
});
shape!(CreateAccountInput {
    email: String,
    account_name: String,
    role_name: Option<String>,
    /// `ALLOW` or `DENY`.
    iam_user_access_to_billing: Option<String>,
    tags: Vec<Tag>,
});
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateAccountOutput {
    pub create_account_status: CreateAccountStatus,
}
shape!(MoveAccountInput {
    account_id: String,
    source_parent_id: String,
    destination_parent_id: String
});
shape!(CloseAccountInput { account_id: String });
shape!(RemoveAccountFromOrganizationInput { account_id: String });
shape!(CreatePolicyInput { name: String, description: String, content: String, r#type: String, tags: Vec<Tag> });
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatePolicyOutput {
    pub policy: Policy,
}
shape!(UpdatePolicyInput { policy_id: String, name: Option<String>, description: Option<String>, content: Option<String> });
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdatePolicyOutput {
    pub policy: Policy,
}
shape!(DeletePolicyInput { policy_id: String });
shape!(AttachPolicyInput {
    policy_id: String,
    target_id: String
});
shape!(DetachPolicyInput {
    policy_id: String,
    target_id: String
});
shape!(EnablePolicyTypeInput {
    root_id: String,
    policy_type: String
});
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnablePolicyTypeOutput {
    pub root: Root,
}
shape!(DisablePolicyTypeInput {
    root_id: String,
    policy_type: String
});
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisablePolicyTypeOutput {
    pub root: Root,
}
shape!(EnableAwsServiceAccessInput {
    service_principal: String
});
shape!(DisableAwsServiceAccessInput {
    service_principal: String
});
shape!(RegisterDelegatedAdministratorInput {
    account_id: String,
    service_principal: String
});
shape!(DeregisterDelegatedAdministratorInput {
    account_id: String,
    service_principal: String
});
shape!(TagResourceInput { resource_id: String, tags: Vec<Tag> });
shape!(UntagResourceInput { resource_id: String, tag_keys: Vec<String> });

// Account
shape!(PutAccountNameInput {
    /// None: the caller's own account.
    account_id: Option<String>,
    account_name: String,
});

// IAM
shape!(GetRoleInput { role_name: String });
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GetRoleOutput {
    pub role: Role,
}
shape!(ListRolesInput { path_prefix: Option<String>, next_token: Option<String>, max_results: Option<i32> });
shape!(ListRolesOutput { roles: Vec<Role>, next_token: Option<String> });
shape!(CreateRoleInput {
    role_name: String,
    path: Option<String>,
    assume_role_policy_document: String,
    description: Option<String>,
    max_session_duration: Option<i32>,
    permissions_boundary: Option<String>,
    tags: Vec<Tag>,
});
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateRoleOutput {
    pub role: Role,
}
shape!(UpdateRoleInput { role_name: String, description: Option<String>, max_session_duration: Option<i32> });
shape!(UpdateAssumeRolePolicyInput {
    role_name: String,
    policy_document: String
});
shape!(DeleteRoleInput { role_name: String });
shape!(ListAttachedRolePoliciesInput { role_name: String, next_token: Option<String>, max_results: Option<i32> });
shape!(ListAttachedRolePoliciesOutput { attached_policies: Vec<AttachedPolicy>, next_token: Option<String> });
shape!(AttachRolePolicyInput {
    role_name: String,
    policy_arn: String
});
shape!(DetachRolePolicyInput {
    role_name: String,
    policy_arn: String
});
shape!(ListRolePoliciesInput { role_name: String, next_token: Option<String>, max_results: Option<i32> });
shape!(ListRolePoliciesOutput { policy_names: Vec<String>, next_token: Option<String> });
shape!(GetRolePolicyInput {
    role_name: String,
    policy_name: String
});
shape!(GetRolePolicyOutput {
    role_name: String,
    policy_name: String,
    policy_document: String
});
shape!(PutRolePolicyInput {
    role_name: String,
    policy_name: String,
    policy_document: String
});
shape!(DeleteRolePolicyInput {
    role_name: String,
    policy_name: String
});
shape!(ListRoleTagsInput { role_name: String, next_token: Option<String>, max_results: Option<i32> });
shape!(ListRoleTagsOutput { tags: Vec<Tag>, next_token: Option<String> });
shape!(TagRoleInput { role_name: String, tags: Vec<Tag> });
shape!(UntagRoleInput { role_name: String, tag_keys: Vec<String> });
shape!(GetUserInput {
    /// None: the calling user.
    user_name: Option<String>,
});
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GetUserOutput {
    pub user: User,
}
shape!(ListAttachedUserPoliciesInput { user_name: String, next_token: Option<String>, max_results: Option<i32> });
shape!(ListAttachedUserPoliciesOutput { attached_policies: Vec<AttachedPolicy>, next_token: Option<String> });
shape!(ListUserPoliciesInput { user_name: String, next_token: Option<String>, max_results: Option<i32> });
shape!(ListUserPoliciesOutput { policy_names: Vec<String>, next_token: Option<String> });
shape!(GetUserPolicyInput {
    user_name: String,
    policy_name: String
});
shape!(GetUserPolicyOutput {
    user_name: String,
    policy_name: String,
    policy_document: String
});
shape!(ListGroupsForUserInput { user_name: String, next_token: Option<String>, max_results: Option<i32> });
shape!(ListGroupsForUserOutput { group_names: Vec<String>, next_token: Option<String> });
shape!(ListAttachedGroupPoliciesInput { group_name: String, next_token: Option<String>, max_results: Option<i32> });
shape!(ListAttachedGroupPoliciesOutput { attached_policies: Vec<AttachedPolicy>, next_token: Option<String> });
shape!(ListGroupPoliciesInput { group_name: String, next_token: Option<String>, max_results: Option<i32> });
shape!(ListGroupPoliciesOutput { policy_names: Vec<String>, next_token: Option<String> });
shape!(GetGroupPolicyInput {
    group_name: String,
    policy_name: String
});
shape!(GetGroupPolicyOutput {
    group_name: String,
    policy_name: String,
    policy_document: String
});
shape!(GetPolicyInput { policy_arn: String });
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GetPolicyOutput {
    pub policy: ManagedPolicy,
}
shape!(GetPolicyVersionInput {
    policy_arn: String,
    version_id: String
});
shape!(GetPolicyVersionOutput { document: String });
shape!(SimulatePrincipalPolicyInput {
    policy_source_arn: String,
    action_names: Vec<String>,
    resource_arns: Vec<String>,
    context_entries: Vec<ContextEntry>,
    next_token: Option<String>,
});
shape!(SimulatePrincipalPolicyOutput { evaluation_results: Vec<SimulationResult>, next_token: Option<String> });

// STS
shape!(GetCallerIdentityInput {});
shape!(GetCallerIdentityOutput {
    account: String,
    arn: String,
    user_id: String
});
shape!(AssumeRoleInput { role_arn: String, role_session_name: String, duration_seconds: Option<i32> });
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssumeRoleOutput {
    pub credentials: Credentials,
    /// The ARN of the assumed-role session.
    pub assumed_role_arn: String,
}

// Outputs of the operations that return nothing.
shape!(Empty {});

// ---------------------------------------------------------------------------------------------
// The operation table

/// Whether an operation changes anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    Read,
    Write,
}

macro_rules! operations {
    ($($service:ident $access:ident $name:ident $method:ident($input:ty) -> $output:ty;)*) => {
        /// Every AWS API operation orgchard calls.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum Operation { $($name,)* }

        impl Operation {
            pub const ALL: &'static [Operation] = &[$(Operation::$name,)*];

            /// AWS's name of the operation, e.g. `ListRoots`.
            pub fn name(self) -> &'static str {
                match self { $(Operation::$name => stringify!($name),)* }
            }

            pub fn service(self) -> Service {
                match self { $(Operation::$name => Service::$service,)* }
            }

            pub fn access(self) -> Access {
                match self { $(Operation::$name => Access::$access,)* }
            }

            pub fn is_mutating(self) -> bool {
                self.access() == Access::Write
            }

            /// The IAM action of the same name, e.g. `organizations:ListRoots`. (The IAM
            /// engine's operation table says which actions and resources a call is really
            /// authorized against.)
            pub fn action(self) -> String {
                format!("{}:{}", self.service().prefix(), self.aws_name())
            }

            /// The name in AWS's API reference where it differs from the Rust spelling.
            pub fn aws_name(self) -> &'static str {
                match self {
                    Operation::ListAwsServiceAccessForOrganization => "ListAWSServiceAccessForOrganization",
                    Operation::EnableAwsServiceAccess => "EnableAWSServiceAccess",
                    Operation::DisableAwsServiceAccess => "DisableAWSServiceAccess",
                    other => other.name(),
                }
            }

            pub fn from_name(name: &str) -> Option<Operation> {
                Operation::ALL.iter().copied().find(|o| o.name() == name || o.aws_name() == name)
            }
        }

        impl std::fmt::Display for Operation {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.aws_name())
            }
        }

        /// One request to a backend.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "operation", content = "input")]
        pub enum Request { $($name($input),)* }

        /// A backend's answer to a [`Request`] of the same variant.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "operation", content = "output")]
        pub enum Response { $($name($output),)* }

        impl Request {
            pub fn operation(&self) -> Operation {
                match self { $(Request::$name(_) => Operation::$name,)* }
            }
        }

        impl Response {
            pub fn operation(&self) -> Operation {
                match self { $(Response::$name(_) => Operation::$name,)* }
            }
        }

        /// Typed calls over [`Api::call`]: `api.list_roots(&scope, input).await`.
        #[async_trait]
        pub trait ApiExt: Api {
            $(
                async fn $method(&self, scope: &Scope, input: $input) -> Result<$output, ApiError> {
                    match self.call(scope, Request::$name(input)).await? {
                        Response::$name(out) => Ok(out),
                        other => Err(ApiError::new(
                            Operation::$name,
                            "OrgchardEndpointError",
                            format!("backend answered {} with a {} response", stringify!($name), other.operation()),
                        )),
                    }
                }
            )*
        }

        impl<T: Api + ?Sized> ApiExt for T {}
    };
}

operations! {
    Organizations Read DescribeOrganization describe_organization(DescribeOrganizationInput) -> DescribeOrganizationOutput;
    Organizations Write CreateOrganization create_organization(CreateOrganizationInput) -> CreateOrganizationOutput;
    Organizations Read ListRoots list_roots(ListRootsInput) -> ListRootsOutput;
    Organizations Read ListOrganizationalUnitsForParent list_organizational_units_for_parent(ListOrganizationalUnitsForParentInput) -> ListOrganizationalUnitsForParentOutput;
    Organizations Read ListAccountsForParent list_accounts_for_parent(ListAccountsForParentInput) -> ListAccountsForParentOutput;
    Organizations Read ListAccounts list_accounts(ListAccountsInput) -> ListAccountsOutput;
    Organizations Read DescribeAccount describe_account(DescribeAccountInput) -> DescribeAccountOutput;
    Organizations Read ListParents list_parents(ListParentsInput) -> ListParentsOutput;
    Organizations Read ListPolicies list_policies(ListPoliciesInput) -> ListPoliciesOutput;
    Organizations Read DescribePolicy describe_policy(DescribePolicyInput) -> DescribePolicyOutput;
    Organizations Read ListTargetsForPolicy list_targets_for_policy(ListTargetsForPolicyInput) -> ListTargetsForPolicyOutput;
    Organizations Read ListPoliciesForTarget list_policies_for_target(ListPoliciesForTargetInput) -> ListPoliciesForTargetOutput;
    Organizations Read ListTagsForResource list_tags_for_resource(ListTagsForResourceInput) -> ListTagsForResourceOutput;
    Organizations Read ListAwsServiceAccessForOrganization list_aws_service_access_for_organization(ListAwsServiceAccessForOrganizationInput) -> ListAwsServiceAccessForOrganizationOutput;
    Organizations Read ListDelegatedAdministrators list_delegated_administrators(ListDelegatedAdministratorsInput) -> ListDelegatedAdministratorsOutput;
    Organizations Read ListDelegatedServicesForAccount list_delegated_services_for_account(ListDelegatedServicesForAccountInput) -> ListDelegatedServicesForAccountOutput;
    Organizations Read ListCreateAccountStatus list_create_account_status(ListCreateAccountStatusInput) -> ListCreateAccountStatusOutput;
    Organizations Read DescribeCreateAccountStatus describe_create_account_status(DescribeCreateAccountStatusInput) -> DescribeCreateAccountStatusOutput;
    Organizations Write CreateOrganizationalUnit create_organizational_unit(CreateOrganizationalUnitInput) -> CreateOrganizationalUnitOutput;
    Organizations Write UpdateOrganizationalUnit update_organizational_unit(UpdateOrganizationalUnitInput) -> UpdateOrganizationalUnitOutput;
    Organizations Write DeleteOrganizationalUnit delete_organizational_unit(DeleteOrganizationalUnitInput) -> Empty;
    Organizations Write CreateAccount create_account(CreateAccountInput) -> CreateAccountOutput;
    Organizations Write MoveAccount move_account(MoveAccountInput) -> Empty;
    Organizations Write CloseAccount close_account(CloseAccountInput) -> Empty;
    Organizations Write RemoveAccountFromOrganization remove_account_from_organization(RemoveAccountFromOrganizationInput) -> Empty;
    Organizations Write CreatePolicy create_policy(CreatePolicyInput) -> CreatePolicyOutput;
    Organizations Write UpdatePolicy update_policy(UpdatePolicyInput) -> UpdatePolicyOutput;
    Organizations Write DeletePolicy delete_policy(DeletePolicyInput) -> Empty;
    Organizations Write AttachPolicy attach_policy(AttachPolicyInput) -> Empty;
    Organizations Write DetachPolicy detach_policy(DetachPolicyInput) -> Empty;
    Organizations Write EnablePolicyType enable_policy_type(EnablePolicyTypeInput) -> EnablePolicyTypeOutput;
    Organizations Write DisablePolicyType disable_policy_type(DisablePolicyTypeInput) -> DisablePolicyTypeOutput;
    Organizations Write EnableAwsServiceAccess enable_aws_service_access(EnableAwsServiceAccessInput) -> Empty;
    Organizations Write DisableAwsServiceAccess disable_aws_service_access(DisableAwsServiceAccessInput) -> Empty;
    Organizations Write RegisterDelegatedAdministrator register_delegated_administrator(RegisterDelegatedAdministratorInput) -> Empty;
    Organizations Write DeregisterDelegatedAdministrator deregister_delegated_administrator(DeregisterDelegatedAdministratorInput) -> Empty;
    Organizations Write TagResource tag_resource(TagResourceInput) -> Empty;
    Organizations Write UntagResource untag_resource(UntagResourceInput) -> Empty;
    Account Write PutAccountName put_account_name(PutAccountNameInput) -> Empty;
    Iam Read GetRole get_role(GetRoleInput) -> GetRoleOutput;
    Iam Read ListRoles list_roles(ListRolesInput) -> ListRolesOutput;
    Iam Write CreateRole create_role(CreateRoleInput) -> CreateRoleOutput;
    Iam Write UpdateRole update_role(UpdateRoleInput) -> Empty;
    Iam Write UpdateAssumeRolePolicy update_assume_role_policy(UpdateAssumeRolePolicyInput) -> Empty;
    Iam Write DeleteRole delete_role(DeleteRoleInput) -> Empty;
    Iam Read ListAttachedRolePolicies list_attached_role_policies(ListAttachedRolePoliciesInput) -> ListAttachedRolePoliciesOutput;
    Iam Write AttachRolePolicy attach_role_policy(AttachRolePolicyInput) -> Empty;
    Iam Write DetachRolePolicy detach_role_policy(DetachRolePolicyInput) -> Empty;
    Iam Read ListRolePolicies list_role_policies(ListRolePoliciesInput) -> ListRolePoliciesOutput;
    Iam Read GetRolePolicy get_role_policy(GetRolePolicyInput) -> GetRolePolicyOutput;
    Iam Write PutRolePolicy put_role_policy(PutRolePolicyInput) -> Empty;
    Iam Write DeleteRolePolicy delete_role_policy(DeleteRolePolicyInput) -> Empty;
    Iam Read ListRoleTags list_role_tags(ListRoleTagsInput) -> ListRoleTagsOutput;
    Iam Write TagRole tag_role(TagRoleInput) -> Empty;
    Iam Write UntagRole untag_role(UntagRoleInput) -> Empty;
    Iam Read GetUser get_user(GetUserInput) -> GetUserOutput;
    Iam Read ListAttachedUserPolicies list_attached_user_policies(ListAttachedUserPoliciesInput) -> ListAttachedUserPoliciesOutput;
    Iam Read ListUserPolicies list_user_policies(ListUserPoliciesInput) -> ListUserPoliciesOutput;
    Iam Read GetUserPolicy get_user_policy(GetUserPolicyInput) -> GetUserPolicyOutput;
    Iam Read ListGroupsForUser list_groups_for_user(ListGroupsForUserInput) -> ListGroupsForUserOutput;
    Iam Read ListAttachedGroupPolicies list_attached_group_policies(ListAttachedGroupPoliciesInput) -> ListAttachedGroupPoliciesOutput;
    Iam Read ListGroupPolicies list_group_policies(ListGroupPoliciesInput) -> ListGroupPoliciesOutput;
    Iam Read GetGroupPolicy get_group_policy(GetGroupPolicyInput) -> GetGroupPolicyOutput;
    Iam Read GetPolicy get_policy(GetPolicyInput) -> GetPolicyOutput;
    Iam Read GetPolicyVersion get_policy_version(GetPolicyVersionInput) -> GetPolicyVersionOutput;
    Iam Read SimulatePrincipalPolicy simulate_principal_policy(SimulatePrincipalPolicyInput) -> SimulatePrincipalPolicyOutput;
    Sts Read GetCallerIdentity get_caller_identity(GetCallerIdentityInput) -> GetCallerIdentityOutput;
    Sts Read AssumeRole assume_role(AssumeRoleInput) -> AssumeRoleOutput;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_and_actions() {
        assert_eq!(Operation::ListRoots.action(), "organizations:ListRoots");
        assert_eq!(
            Operation::EnableAwsServiceAccess.action(),
            "organizations:EnableAWSServiceAccess"
        );
        assert_eq!(Operation::PutAccountName.action(), "account:PutAccountName");
        assert!(Operation::AttachPolicy.is_mutating());
        assert!(!Operation::AssumeRole.is_mutating());
        assert_eq!(
            Operation::from_name("ListAWSServiceAccessForOrganization"),
            Some(Operation::ListAwsServiceAccessForOrganization)
        );
    }

    #[test]
    fn requests_serialize_with_their_operation() {
        let r = Request::AttachPolicy(AttachPolicyInput {
            policy_id: "p-1".into(),
            target_id: "r-1".into(),
        });
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(
            json,
            r#"{"operation":"AttachPolicy","input":{"policy_id":"p-1","target_id":"r-1"}}"#
        );
        let back: Request = serde_json::from_str(&json).unwrap();
        assert_eq!(back.operation(), Operation::AttachPolicy);
    }
}
