//! Authorization of every call, in one place: who the caller is in a scope (the emulated
//! caller in the management account, or the member-access role's session in a member
//! account), which policies govern it (identity policies, permissions boundary, and for member
//! accounts the SCP chain from the root down to the account), and whether a role's trust policy
//! lets the caller in.
//!
//! The policy decision itself belongs to the IAM engine (`crate::iam`); [`Core::authorize`]
//! gathers the policy set the engine needs and is the single call site for it.

use serde_json::Value;

use crate::backend::*;

use super::Core;
use super::org::err;
use super::state::*;

/// One policy document with the id the engine reports when a statement of it decides.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedDocument {
    pub id: String,
    pub document: String,
}

/// Every policy that governs a call, as plain documents.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallPolicies {
    pub principal_arn: String,
    pub principal_account: String,
    pub identity: Vec<NamedDocument>,
    pub permissions_boundary: Option<NamedDocument>,
    /// For calls inside member accounts: the SCPs of the root, each OU down, and the account.
    pub scp_chain: Option<Vec<Vec<NamedDocument>>>,
}

impl Core {
    /// The ARN the caller has in a scope.
    pub(super) fn caller_arn(&self, scope: &Scope) -> String {
        match scope {
            Scope::Management => {
                let mgmt = self.state.management_account_id();
                let name = &self.state.caller.user_name;
                let path = self
                    .state
                    .iam
                    .get(mgmt)
                    .and_then(|i| i.users.get(name))
                    .map(|u| u.path.as_str())
                    .unwrap_or("/");
                format!("arn:aws:iam::{mgmt}:user{path}{name}")
            }
            Scope::Account(id) => {
                format!(
                    "arn:aws:sts::{id}:assumed-role/{}/orgchard",
                    self.member_role
                )
            }
        }
    }

    fn managed_document(&self, account: &str, arn: &str) -> Option<String> {
        self.state
            .aws_managed_iam_policies
            .get(arn)
            .cloned()
            .or_else(|| {
                // Customer-managed policies are not modelled beyond their ARN.
                let _ = account;
                None
            })
    }

    /// The policies that govern a call in `scope`. Fails with AccessDenied when the scope is
    /// a member account whose member-access role is missing or does not trust the caller.
    pub fn call_policies(&self, op: Operation, scope: &Scope) -> Result<CallPolicies, ApiError> {
        let s = &self.state;
        match scope {
            Scope::Management => {
                let mgmt = s.management_account_id().to_string();
                let iam = s.iam.get(&mgmt);
                let user = iam.and_then(|i| i.users.get(&s.caller.user_name));
                let mut identity = Vec::new();
                if let Some(u) = user {
                    self.principal_documents(
                        &mgmt,
                        &format!("user/{}", s.caller.user_name),
                        u,
                        &mut identity,
                    );
                    for g in &u.groups {
                        if let Some(group) = iam.and_then(|i| i.groups.get(g)) {
                            self.principal_documents(
                                &mgmt,
                                &format!("group/{g}"),
                                group,
                                &mut identity,
                            );
                        }
                    }
                }
                let permissions_boundary = user
                    .and_then(|u| u.permissions_boundary.as_ref())
                    .and_then(|arn| {
                        self.managed_document(&mgmt, arn)
                            .map(|document| NamedDocument {
                                id: arn.clone(),
                                document,
                            })
                    });
                Ok(CallPolicies {
                    principal_arn: self.caller_arn(scope),
                    principal_account: mgmt,
                    identity,
                    permissions_boundary,
                    // The management account is not subject to SCPs.
                    scp_chain: None,
                })
            }
            Scope::Account(id) => {
                let denied = |why: &str| {
                    err(
                        op,
                        "AccessDenied",
                        format!(
                            "User: {} is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::{id}:role/{} ({why})",
                            self.caller_arn(&Scope::Management),
                            self.member_role
                        ),
                    )
                };
                let account = s
                    .accounts
                    .get(id)
                    .ok_or_else(|| denied("no such account in the organization"))?;
                if account.status != "ACTIVE" {
                    return Err(denied("the account is not active"));
                }
                let role = s
                    .iam
                    .get(id)
                    .and_then(|i| i.roles.get(&self.member_role))
                    .ok_or_else(|| denied("the role does not exist"))?;
                if !self.trust_allows(&Scope::Management, &role.trust_policy) {
                    return Err(denied("the role's trust policy does not allow the caller"));
                }
                let mut identity = Vec::new();
                for (name, doc) in &role.inline_policies {
                    identity.push(NamedDocument {
                        id: format!("role/{}/{name}", self.member_role),
                        document: doc.clone(),
                    });
                }
                for arn in &role.managed_policies {
                    if let Some(document) = self.managed_document(id, arn) {
                        identity.push(NamedDocument {
                            id: arn.clone(),
                            document,
                        });
                    }
                }
                let permissions_boundary = role.permissions_boundary.as_ref().and_then(|arn| {
                    self.managed_document(id, arn)
                        .map(|document| NamedDocument {
                            id: arn.clone(),
                            document,
                        })
                });
                let scp_chain = (s.enabled_policy_types.contains(SCP)
                    && id != s.management_account_id())
                .then(|| {
                    s.chain(id)
                        .iter()
                        .map(|target| {
                            self.index
                                .policies_of_type(s, target, SCP)
                                .map(|p| NamedDocument {
                                    id: p.clone(),
                                    document: s.policies[p].content.clone(),
                                })
                                .collect()
                        })
                        .collect()
                });
                Ok(CallPolicies {
                    principal_arn: self.caller_arn(scope),
                    principal_account: id.clone(),
                    identity,
                    permissions_boundary,
                    scp_chain,
                })
            }
        }
    }

    fn principal_documents(
        &self,
        account: &str,
        prefix: &str,
        p: &PrincipalState,
        out: &mut Vec<NamedDocument>,
    ) {
        for (name, doc) in &p.inline_policies {
            out.push(NamedDocument {
                id: format!("{prefix}/{name}"),
                document: doc.clone(),
            });
        }
        for arn in &p.managed_policies {
            if let Some(document) = self.managed_document(account, arn) {
                out.push(NamedDocument {
                    id: arn.clone(),
                    document,
                });
            }
        }
    }

    /// Authorizes one call: the scope must be reachable, and the call must be allowed by the
    /// policies that govern it. This is the one place the IAM engine is consulted.
    pub(super) fn authorize(&self, scope: &Scope, request: &Request) -> Result<(), ApiError> {
        let policies = self.call_policies(request.operation(), scope)?;
        self.evaluate(scope, request, &policies)
    }

    /// The policy decision. The IAM engine (crate::iam) is not on this branch yet: until it
    /// is, every call that reaches a valid scope is allowed.
    fn evaluate(
        &self,
        _scope: &Scope,
        _request: &Request,
        _policies: &CallPolicies,
    ) -> Result<(), ApiError> {
        Ok(())
    }

    /// `iam:SimulatePrincipalPolicy` needs the IAM engine.
    pub(super) fn simulate(
        &self,
        op: Operation,
        _input: &SimulatePrincipalPolicyInput,
    ) -> Result<Vec<SimulationResult>, ApiError> {
        Err(err(
            op,
            "OrgchardEndpointError",
            "the emulator answers SimulatePrincipalPolicy once the IAM engine is built in",
        ))
    }

    /// Whether a role's trust policy lets the caller of `scope` assume the role: an Allow
    /// statement for `sts:AssumeRole` naming the caller (its ARN, its account's root, or its
    /// account id, or `*`), and no Deny statement naming it.
    pub(super) fn trust_allows(&self, scope: &Scope, trust_policy: &str) -> bool {
        let caller = self.caller_arn(scope);
        let account = match scope {
            Scope::Management => self.state.management_account_id().to_string(),
            Scope::Account(id) => id.clone(),
        };
        let names = [caller, format!("arn:aws:iam::{account}:root"), account];
        let Ok(doc) = serde_json::from_str::<Value>(trust_policy) else {
            return false;
        };
        let statements: Vec<&Value> = match doc.get("Statement") {
            Some(Value::Array(a)) => a.iter().collect(),
            Some(v @ Value::Object(_)) => vec![v],
            _ => return false,
        };
        let mut allowed = false;
        for st in statements {
            let acts = strings(st.get("Action"));
            let action_ok = acts.iter().any(|a| {
                matches!(
                    a.to_ascii_lowercase().as_str(),
                    "sts:assumerole" | "sts:*" | "*"
                )
            });
            let principal_ok = match st.get("Principal") {
                Some(Value::String(s)) => s == "*",
                Some(Value::Object(m)) => strings(m.get("AWS"))
                    .iter()
                    .any(|p| p == "*" || names.iter().any(|n| n == p)),
                _ => false,
            };
            if !(action_ok && principal_ok) {
                continue;
            }
            match st.get("Effect").and_then(Value::as_str) {
                Some("Deny") => return false,
                Some("Allow") => allowed = true,
                _ => {}
            }
        }
        allowed
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}
