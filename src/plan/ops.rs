//! The operations of a plan: each one AWS API call (or, for `CreateAccount`, a call and the
//! waiting that goes with it) with the ids it needs written as [`IdRef`]s, because an id may
//! belong to a resource that this very apply creates. A plan is saved to a file, so
//! operations are plain serializable data; [`Op::to_request`] turns one into the seam's
//! [`Request`] once every id it needs is known.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::addr::Address;
use crate::api::{self, Request, Scope, Tag};
use crate::model::Value;

/// An id that is either known now or produced by the operation that creates `Address`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdRef {
    Known(String),
    /// The id of the resource this apply creates for the address.
    After(Address),
}

impl IdRef {
    pub fn known(&self) -> Option<&str> {
        match self {
            IdRef::Known(id) => Some(id),
            IdRef::After(_) => None,
        }
    }

    pub fn waits_for(&self) -> Option<&Address> {
        match self {
            IdRef::After(a) => Some(a),
            IdRef::Known(_) => None,
        }
    }
}

impl fmt::Display for IdRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdRef::Known(id) => f.write_str(id),
            IdRef::After(a) => write!(f, "{a}.id"),
        }
    }
}

/// One planned API operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "op")]
pub enum Op {
    EnablePolicyType {
        root: String,
        policy_type: String,
    },
    DisablePolicyType {
        root: String,
        policy_type: String,
    },
    EnableServiceAccess {
        principal: String,
    },
    DisableServiceAccess {
        principal: String,
    },
    CreateOu {
        address: Address,
        parent: IdRef,
        name: String,
        tags: BTreeMap<String, String>,
    },
    RenameOu {
        ou: IdRef,
        name: String,
    },
    DeleteOu {
        ou: String,
    },
    /// CreateAccount, polled to completion; the account's member-access role must be assumable
    /// before anything runs inside it.
    CreateAccount {
        address: Address,
        email: String,
        name: String,
        role_name: Option<String>,
        iam_user_access_to_billing: Option<String>,
        tags: BTreeMap<String, String>,
    },
    MoveAccount {
        account: IdRef,
        from: IdRef,
        to: IdRef,
    },
    RenameAccount {
        account: String,
        name: String,
    },
    CloseAccount {
        account: String,
    },
    RemoveAccount {
        account: String,
    },
    CreatePolicy {
        address: Address,
        policy_type: String,
        name: String,
        description: String,
        content: Value,
        tags: BTreeMap<String, String>,
    },
    UpdatePolicy {
        policy: String,
        name: Option<String>,
        description: Option<String>,
        content: Option<Value>,
    },
    DeletePolicy {
        policy: String,
    },
    AttachPolicy {
        policy: IdRef,
        target: IdRef,
        policy_type: String,
    },
    DetachPolicy {
        policy: IdRef,
        target: IdRef,
        policy_type: String,
    },
    TagResource {
        resource: IdRef,
        tags: BTreeMap<String, String>,
    },
    UntagResource {
        resource: IdRef,
        keys: BTreeSet<String>,
    },
    RegisterDelegatedAdministrator {
        account: IdRef,
        principal: String,
    },
    DeregisterDelegatedAdministrator {
        account: String,
        principal: String,
    },
    CreateRole {
        account: IdRef,
        name: String,
        path: String,
        trust: Value,
        description: Option<String>,
        max_session_duration: Option<u32>,
        permissions_boundary: Option<String>,
        tags: BTreeMap<String, String>,
    },
    UpdateRole {
        account: IdRef,
        name: String,
        description: Option<String>,
        max_session_duration: Option<u32>,
    },
    UpdateAssumeRolePolicy {
        account: IdRef,
        name: String,
        trust: Value,
    },
    AttachRolePolicy {
        account: IdRef,
        role: String,
        policy_arn: String,
    },
    DetachRolePolicy {
        account: IdRef,
        role: String,
        policy_arn: String,
    },
    PutRolePolicy {
        account: IdRef,
        role: String,
        policy_name: String,
        document: Value,
    },
    DeleteRolePolicy {
        account: IdRef,
        role: String,
        policy_name: String,
    },
    TagRole {
        account: IdRef,
        role: String,
        tags: BTreeMap<String, String>,
    },
    UntagRole {
        account: IdRef,
        role: String,
        keys: BTreeSet<String>,
    },
    DeleteRole {
        account: IdRef,
        role: String,
    },
}

/// Why an operation could not be turned into a request yet.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ResolveOpError {
    #[error("the id of {0} is not known yet")]
    Id(Address),
    #[error("a value is not known yet: {0}")]
    Value(String),
}

/// What the applier knows while it runs: the ids of resources created so far, and every
/// resolved attribute by address.
pub trait Known {
    fn id_of(&self, address: &Address) -> Option<String>;
    /// Resolves the unknowns left in `value`.
    fn resolve(&self, value: &Value) -> Result<Value, String>;
}

impl Op {
    /// The address whose live id this operation produces, if it creates something.
    pub fn produces(&self) -> Option<&Address> {
        match self {
            Op::CreateOu { address, .. }
            | Op::CreateAccount { address, .. }
            | Op::CreatePolicy { address, .. } => Some(address),
            _ => None,
        }
    }

    /// Every address whose id this operation waits for.
    pub fn waits_for(&self) -> Vec<&Address> {
        self.id_refs()
            .into_iter()
            .filter_map(IdRef::waits_for)
            .collect()
    }

    /// The values this operation sends, which may still hold unknowns.
    pub fn values(&self) -> Vec<&Value> {
        match self {
            Op::CreatePolicy { content, .. } => vec![content],
            Op::UpdatePolicy {
                content: Some(c), ..
            } => vec![c],
            Op::CreateRole { trust, .. } | Op::UpdateAssumeRolePolicy { trust, .. } => {
                vec![trust]
            }
            Op::PutRolePolicy { document, .. } => vec![document],
            _ => vec![],
        }
    }

    fn id_refs(&self) -> Vec<&IdRef> {
        match self {
            Op::CreateOu { parent, .. } => vec![parent],
            Op::RenameOu { ou, .. } => vec![ou],
            Op::MoveAccount { account, from, to } => vec![account, from, to],
            Op::AttachPolicy { policy, target, .. } | Op::DetachPolicy { policy, target, .. } => {
                vec![policy, target]
            }
            Op::TagResource { resource, .. } | Op::UntagResource { resource, .. } => {
                vec![resource]
            }
            Op::RegisterDelegatedAdministrator { account, .. }
            | Op::CreateRole { account, .. }
            | Op::UpdateRole { account, .. }
            | Op::UpdateAssumeRolePolicy { account, .. }
            | Op::AttachRolePolicy { account, .. }
            | Op::DetachRolePolicy { account, .. }
            | Op::PutRolePolicy { account, .. }
            | Op::DeleteRolePolicy { account, .. }
            | Op::TagRole { account, .. }
            | Op::UntagRole { account, .. }
            | Op::DeleteRole { account, .. } => vec![account],
            _ => vec![],
        }
    }

    /// The resources this operation changes; two operations that share one never run at once.
    pub fn locks(&self) -> Vec<String> {
        let r = |id: &IdRef| match id {
            IdRef::Known(id) => id.clone(),
            IdRef::After(a) => a.to_string(),
        };
        match self {
            Op::EnablePolicyType { root, .. } | Op::DisablePolicyType { root, .. } => {
                vec![root.clone()]
            }
            Op::EnableServiceAccess { principal } | Op::DisableServiceAccess { principal } => {
                vec![format!("service:{principal}")]
            }
            Op::CreateOu {
                address, parent, ..
            } => vec![address.to_string(), r(parent)],
            Op::RenameOu { ou, .. } => vec![r(ou)],
            Op::DeleteOu { ou } => vec![ou.clone()],
            Op::CreateAccount { address, .. } => vec![address.to_string()],
            Op::MoveAccount { account, .. } => vec![r(account)],
            Op::RenameAccount { account, .. }
            | Op::CloseAccount { account }
            | Op::RemoveAccount { account } => vec![account.clone()],
            Op::CreatePolicy { address, .. } => vec![address.to_string()],
            Op::UpdatePolicy { policy, .. } | Op::DeletePolicy { policy } => vec![policy.clone()],
            Op::AttachPolicy { target, .. } | Op::DetachPolicy { target, .. } => {
                vec![format!("attachments:{}", r(target))]
            }
            Op::TagResource { resource, .. } | Op::UntagResource { resource, .. } => {
                vec![format!("tags:{}", r(resource))]
            }
            Op::RegisterDelegatedAdministrator { principal, .. }
            | Op::DeregisterDelegatedAdministrator { principal, .. } => {
                vec![format!("delegated:{principal}")]
            }
            Op::CreateRole { account, name, .. }
            | Op::UpdateRole { account, name, .. }
            | Op::UpdateAssumeRolePolicy { account, name, .. } => {
                vec![format!("role:{}:{name}", r(account))]
            }
            Op::AttachRolePolicy { account, role, .. }
            | Op::DetachRolePolicy { account, role, .. }
            | Op::PutRolePolicy { account, role, .. }
            | Op::DeleteRolePolicy { account, role, .. }
            | Op::TagRole { account, role, .. }
            | Op::UntagRole { account, role, .. }
            | Op::DeleteRole { account, role } => vec![format!("role:{}:{role}", r(account))],
        }
    }

    /// True for operations inside a member account (IAM on its roles).
    pub fn account_scope(&self) -> Option<&IdRef> {
        match self {
            Op::CreateRole { account, .. }
            | Op::UpdateRole { account, .. }
            | Op::UpdateAssumeRolePolicy { account, .. }
            | Op::AttachRolePolicy { account, .. }
            | Op::DetachRolePolicy { account, .. }
            | Op::PutRolePolicy { account, .. }
            | Op::DeleteRolePolicy { account, .. }
            | Op::TagRole { account, .. }
            | Op::UntagRole { account, .. }
            | Op::DeleteRole { account, .. } => Some(account),
            _ => None,
        }
    }

    /// A short human description: `AttachPolicy p-123 → ou-ab12-34cd5678`.
    pub fn describe(&self) -> String {
        match self {
            Op::EnablePolicyType { policy_type, .. } => format!("EnablePolicyType {policy_type}"),
            Op::DisablePolicyType { policy_type, .. } => format!("DisablePolicyType {policy_type}"),
            Op::EnableServiceAccess { principal } => format!("EnableAWSServiceAccess {principal}"),
            Op::DisableServiceAccess { principal } => {
                format!("DisableAWSServiceAccess {principal}")
            }
            Op::CreateOu { name, parent, .. } => {
                format!("CreateOrganizationalUnit {name:?} under {parent}")
            }
            Op::RenameOu { ou, name } => format!("UpdateOrganizationalUnit {ou} name={name:?}"),
            Op::DeleteOu { ou } => format!("DeleteOrganizationalUnit {ou}"),
            Op::CreateAccount { email, .. } => format!("CreateAccount {email}"),
            Op::MoveAccount { account, from, to } => {
                format!("MoveAccount {account} from {from} to {to}")
            }
            Op::RenameAccount { account, name } => format!("PutAccountName {account} {name:?}"),
            Op::CloseAccount { account } => format!("CloseAccount {account}"),
            Op::RemoveAccount { account } => format!("RemoveAccountFromOrganization {account}"),
            Op::CreatePolicy { name, .. } => format!("CreatePolicy {name:?}"),
            Op::UpdatePolicy { policy, .. } => format!("UpdatePolicy {policy}"),
            Op::DeletePolicy { policy } => format!("DeletePolicy {policy}"),
            Op::AttachPolicy { policy, target, .. } => format!("AttachPolicy {policy} to {target}"),
            Op::DetachPolicy { policy, target, .. } => {
                format!("DetachPolicy {policy} from {target}")
            }
            Op::TagResource { resource, tags } => {
                format!(
                    "TagResource {resource} {}",
                    tags.keys().cloned().collect::<Vec<_>>().join(",")
                )
            }
            Op::UntagResource { resource, keys } => {
                format!(
                    "UntagResource {resource} {}",
                    keys.iter().cloned().collect::<Vec<_>>().join(",")
                )
            }
            Op::RegisterDelegatedAdministrator { account, principal } => {
                format!("RegisterDelegatedAdministrator {account} {principal}")
            }
            Op::DeregisterDelegatedAdministrator { account, principal } => {
                format!("DeregisterDelegatedAdministrator {account} {principal}")
            }
            Op::CreateRole { account, name, .. } => format!("CreateRole {name} in {account}"),
            Op::UpdateRole { account, name, .. } => format!("UpdateRole {name} in {account}"),
            Op::UpdateAssumeRolePolicy { account, name, .. } => {
                format!("UpdateAssumeRolePolicy {name} in {account}")
            }
            Op::AttachRolePolicy {
                account,
                role,
                policy_arn,
            } => format!("AttachRolePolicy {policy_arn} to {role} in {account}"),
            Op::DetachRolePolicy {
                account,
                role,
                policy_arn,
            } => format!("DetachRolePolicy {policy_arn} from {role} in {account}"),
            Op::PutRolePolicy {
                account,
                role,
                policy_name,
                ..
            } => format!("PutRolePolicy {policy_name} on {role} in {account}"),
            Op::DeleteRolePolicy {
                account,
                role,
                policy_name,
            } => format!("DeleteRolePolicy {policy_name} on {role} in {account}"),
            Op::TagRole { account, role, .. } => format!("TagRole {role} in {account}"),
            Op::UntagRole { account, role, .. } => format!("UntagRole {role} in {account}"),
            Op::DeleteRole { account, role } => format!("DeleteRole {role} in {account}"),
        }
    }

    /// The scope and seam request of this operation, with every id and value resolved.
    /// `management` is the management account id: roles there are managed with the caller's
    /// own credentials.
    pub fn to_request(
        &self,
        known: &dyn Known,
        management: &str,
    ) -> Result<(Scope, Request), ResolveOpError> {
        let id = |r: &IdRef| -> Result<String, ResolveOpError> {
            match r {
                IdRef::Known(id) => Ok(id.clone()),
                IdRef::After(a) => known.id_of(a).ok_or_else(|| ResolveOpError::Id(a.clone())),
            }
        };
        let text = |v: &Value| -> Result<String, ResolveOpError> {
            let v = known.resolve(v).map_err(ResolveOpError::Value)?;
            value_text(&v).ok_or_else(|| ResolveOpError::Value(v.to_string()))
        };
        let tags = |t: &BTreeMap<String, String>| -> Vec<Tag> { api::tags_from_map(t) };
        let scope = match self.account_scope() {
            Some(account) => {
                let account = id(account)?;
                if account == management {
                    Scope::Management
                } else {
                    Scope::Account(account)
                }
            }
            None => Scope::Management,
        };
        let request = match self {
            Op::EnablePolicyType { root, policy_type } => {
                Request::EnablePolicyType(api::EnablePolicyTypeInput {
                    root_id: root.clone(),
                    policy_type: policy_type.clone(),
                })
            }
            Op::DisablePolicyType { root, policy_type } => {
                Request::DisablePolicyType(api::DisablePolicyTypeInput {
                    root_id: root.clone(),
                    policy_type: policy_type.clone(),
                })
            }
            Op::EnableServiceAccess { principal } => {
                Request::EnableAwsServiceAccess(api::EnableAwsServiceAccessInput {
                    service_principal: principal.clone(),
                })
            }
            Op::DisableServiceAccess { principal } => {
                Request::DisableAwsServiceAccess(api::DisableAwsServiceAccessInput {
                    service_principal: principal.clone(),
                })
            }
            Op::CreateOu {
                parent,
                name,
                tags: t,
                ..
            } => Request::CreateOrganizationalUnit(api::CreateOrganizationalUnitInput {
                parent_id: id(parent)?,
                name: name.clone(),
                tags: tags(t),
            }),
            Op::RenameOu { ou, name } => {
                Request::UpdateOrganizationalUnit(api::UpdateOrganizationalUnitInput {
                    organizational_unit_id: id(ou)?,
                    name: Some(name.clone()),
                })
            }
            Op::DeleteOu { ou } => {
                Request::DeleteOrganizationalUnit(api::DeleteOrganizationalUnitInput {
                    organizational_unit_id: ou.clone(),
                })
            }
            Op::CreateAccount {
                email,
                name,
                role_name,
                iam_user_access_to_billing,
                tags: t,
                ..
            } => Request::CreateAccount(api::CreateAccountInput {
                email: email.clone(),
                account_name: name.clone(),
                role_name: role_name.clone(),
                iam_user_access_to_billing: iam_user_access_to_billing.clone(),
                tags: tags(t),
            }),
            Op::MoveAccount { account, from, to } => Request::MoveAccount(api::MoveAccountInput {
                account_id: id(account)?,
                source_parent_id: id(from)?,
                destination_parent_id: id(to)?,
            }),
            Op::RenameAccount { account, name } => {
                Request::PutAccountName(api::PutAccountNameInput {
                    account_id: Some(account.clone()),
                    account_name: name.clone(),
                })
            }
            Op::CloseAccount { account } => Request::CloseAccount(api::CloseAccountInput {
                account_id: account.clone(),
            }),
            Op::RemoveAccount { account } => {
                Request::RemoveAccountFromOrganization(api::RemoveAccountFromOrganizationInput {
                    account_id: account.clone(),
                })
            }
            Op::CreatePolicy {
                policy_type,
                name,
                description,
                content,
                tags: t,
                ..
            } => Request::CreatePolicy(api::CreatePolicyInput {
                name: name.clone(),
                description: description.clone(),
                content: text(content)?,
                r#type: policy_type.clone(),
                tags: tags(t),
            }),
            Op::UpdatePolicy {
                policy,
                name,
                description,
                content,
            } => Request::UpdatePolicy(api::UpdatePolicyInput {
                policy_id: policy.clone(),
                name: name.clone(),
                description: description.clone(),
                content: content.as_ref().map(text).transpose()?,
            }),
            Op::DeletePolicy { policy } => Request::DeletePolicy(api::DeletePolicyInput {
                policy_id: policy.clone(),
            }),
            Op::AttachPolicy { policy, target, .. } => {
                Request::AttachPolicy(api::AttachPolicyInput {
                    policy_id: id(policy)?,
                    target_id: id(target)?,
                })
            }
            Op::DetachPolicy { policy, target, .. } => {
                Request::DetachPolicy(api::DetachPolicyInput {
                    policy_id: id(policy)?,
                    target_id: id(target)?,
                })
            }
            Op::TagResource { resource, tags: t } => Request::TagResource(api::TagResourceInput {
                resource_id: id(resource)?,
                tags: tags(t),
            }),
            Op::UntagResource { resource, keys } => {
                Request::UntagResource(api::UntagResourceInput {
                    resource_id: id(resource)?,
                    tag_keys: keys.iter().cloned().collect(),
                })
            }
            Op::RegisterDelegatedAdministrator { account, principal } => {
                Request::RegisterDelegatedAdministrator(api::RegisterDelegatedAdministratorInput {
                    account_id: id(account)?,
                    service_principal: principal.clone(),
                })
            }
            Op::DeregisterDelegatedAdministrator { account, principal } => {
                Request::DeregisterDelegatedAdministrator(
                    api::DeregisterDelegatedAdministratorInput {
                        account_id: account.clone(),
                        service_principal: principal.clone(),
                    },
                )
            }
            Op::CreateRole {
                name,
                path,
                trust,
                description,
                max_session_duration,
                permissions_boundary,
                tags: t,
                ..
            } => Request::CreateRole(api::CreateRoleInput {
                role_name: name.clone(),
                path: Some(path.clone()),
                assume_role_policy_document: text(trust)?,
                description: description.clone(),
                max_session_duration: max_session_duration.map(|d| d as i32),
                permissions_boundary: permissions_boundary.clone(),
                tags: tags(t),
            }),
            Op::UpdateRole {
                name,
                description,
                max_session_duration,
                ..
            } => Request::UpdateRole(api::UpdateRoleInput {
                role_name: name.clone(),
                description: description.clone(),
                max_session_duration: max_session_duration.map(|d| d as i32),
            }),
            Op::UpdateAssumeRolePolicy { name, trust, .. } => {
                Request::UpdateAssumeRolePolicy(api::UpdateAssumeRolePolicyInput {
                    role_name: name.clone(),
                    policy_document: text(trust)?,
                })
            }
            Op::AttachRolePolicy {
                role, policy_arn, ..
            } => Request::AttachRolePolicy(api::AttachRolePolicyInput {
                role_name: role.clone(),
                policy_arn: policy_arn.clone(),
            }),
            Op::DetachRolePolicy {
                role, policy_arn, ..
            } => Request::DetachRolePolicy(api::DetachRolePolicyInput {
                role_name: role.clone(),
                policy_arn: policy_arn.clone(),
            }),
            Op::PutRolePolicy {
                role,
                policy_name,
                document,
                ..
            } => Request::PutRolePolicy(api::PutRolePolicyInput {
                role_name: role.clone(),
                policy_name: policy_name.clone(),
                policy_document: text(document)?,
            }),
            Op::DeleteRolePolicy {
                role, policy_name, ..
            } => Request::DeleteRolePolicy(api::DeleteRolePolicyInput {
                role_name: role.clone(),
                policy_name: policy_name.clone(),
            }),
            Op::TagRole { role, tags: t, .. } => Request::TagRole(api::TagRoleInput {
                role_name: role.clone(),
                tags: tags(t),
            }),
            Op::UntagRole { role, keys, .. } => Request::UntagRole(api::UntagRoleInput {
                role_name: role.clone(),
                tag_keys: keys.iter().cloned().collect(),
            }),
            Op::DeleteRole { role, .. } => Request::DeleteRole(api::DeleteRoleInput {
                role_name: role.clone(),
            }),
        };
        Ok((scope, request))
    }
}

/// The text a value sends as a document: a string as is, anything else as compact JSON.
/// None while anything in it is unknown.
pub fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        other => other.to_json().map(|j| j.to_string()),
    }
}
