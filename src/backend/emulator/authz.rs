//! Authorization of every call, in one place: who the caller is in a scope (the emulated
//! caller in the management account, the member-access role's session in a member account,
//! or, for `emulator serve`, the session of any role a client assumed), which policies govern
//! it (identity policies, permissions boundary, and for member
//! accounts the SCP chain from the root down to the account), and whether a role's trust policy
//! lets the caller in.
//!
//! The policy decision itself belongs to the IAM engine (`crate::iam`): [`Core::authorize`]
//! asks the engine's operation table which authorization requests a call makes and evaluates
//! each against the policy set gathered here.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::api::*;
use crate::iam;

use crate::vocab;

use super::Core;
use super::org::err;
use super::state::*;

/// A session of a role, as `emulator serve` attributes the calls made with the temporary
/// keys an AssumeRole returned: the role's own policies, and in a member account its SCP
/// chain, govern them. Where the calls act follows from `account` (see [`RoleSession::scope`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoleSession {
    pub account: String,
    pub role: String,
    pub session: String,
}

impl RoleSession {
    /// The scope the session's calls act in: a session in the management account acts there
    /// as the configured caller does (Organizations calls included), one in a member account
    /// inside that account.
    pub fn scope(&self, management_account: &str) -> Scope {
        if self.account == management_account {
            Scope::Management
        } else {
            Scope::Account(self.account.clone())
        }
    }

    pub fn arn(&self) -> String {
        vocab::arn::assumed_role("aws", &self.account, &self.role, &self.session)
    }
}

/// The temporary credentials AssumeRole issues for a session of the role with `role_id`:
/// the access key id, the secret and the session token. They are derived from the
/// organization, the role and the session name rather than drawn at random, so that a served
/// emulator recognizes them (and checks signatures made with them) after a restart without
/// storing them; the access key names the role, the token the session.
pub fn session_credentials(org_id: &str, role_id: &str, session: &str) -> (String, String, String) {
    let key = format!(
        "ASIA{}",
        role_id
            .get(4..)
            .unwrap_or_default()
            .chars()
            .take(16)
            .collect::<String>()
    );
    let secret = session_secret(org_id, &key, session);
    (key, secret, format!("{SESSION_TOKEN_PREFIX}{session}"))
}

/// The secret of a session's temporary access key.
pub fn session_secret(org_id: &str, access_key_id: &str, session: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{org_id}:{access_key_id}:{session}"));
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex[..40].to_string()
}

/// What every session token the emulator issues starts with; the session name follows.
pub const SESSION_TOKEN_PREFIX: &str = "orgchard-emulator-session-";

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
        if let Some(session) = &self.session {
            return session.arn();
        }
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
                vocab::arn::user_with_path("aws", mgmt, Some(path), name)
            }
            Scope::Account(id) => {
                vocab::arn::assumed_role("aws", id, &self.member_role, "orgchard")
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
        if let Some(session) = &self.session {
            return self.session_policies(op, session);
        }
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
                            "User: {} is not authorized to perform: sts:AssumeRole on resource: {} ({why})",
                            self.caller_arn(&Scope::Management),
                            vocab::arn::role("aws", id, None, &self.member_role)
                        ),
                    )
                };
                let account = s
                    .accounts
                    .get(id)
                    .ok_or_else(|| denied("no such account in the organization"))?;
                if !account.state.is_usable() {
                    return Err(denied("the account is not active"));
                }
                let role = s
                    .iam
                    .get(id)
                    .and_then(|i| i.roles.get(&self.member_role))
                    .ok_or_else(|| denied("the role does not exist"))?;
                let role_arn = vocab::arn::role("aws", id, Some(&role.path), &self.member_role);
                if !self.trust_allows(&Scope::Management, &role_arn, &role.trust_policy) {
                    return Err(denied("the role's trust policy does not allow the caller"));
                }
                Ok(self.role_policies(id, &self.member_role, role, self.caller_arn(scope)))
            }
        }
    }

    /// The policies of a session of any role: the role's own, and its account's SCP chain.
    /// Fails with AccessDenied when the role or its account is gone since the session began.
    fn session_policies(
        &self,
        op: Operation,
        session: &RoleSession,
    ) -> Result<CallPolicies, ApiError> {
        let s = &self.state;
        let denied = |why: &str| {
            err(
                op,
                denied_code(op),
                format!(
                    "User: {} is not authorized to perform this call: {why}.",
                    session.arn()
                ),
            )
        };
        if session.account != s.management_account_id()
            && !s
                .accounts
                .get(&session.account)
                .is_some_and(|a| a.state.is_usable())
        {
            return Err(denied(
                "the session's account is not an active member account",
            ));
        }
        let role = s
            .iam
            .get(&session.account)
            .and_then(|i| i.roles.get(&session.role))
            .ok_or_else(|| denied("the session's role no longer exists"))?;
        Ok(self.role_policies(&session.account, &session.role, role, session.arn()))
    }

    /// The policies that govern a session of `role` in `account`: its inline and managed
    /// policies, its permissions boundary, and (in a member account, SCPs enabled) the SCPs
    /// of the root, each OU down, and the account.
    fn role_policies(
        &self,
        account: &str,
        name: &str,
        role: &RoleState,
        principal_arn: String,
    ) -> CallPolicies {
        let s = &self.state;
        let mut identity = Vec::new();
        for (policy, doc) in &role.inline_policies {
            identity.push(NamedDocument {
                id: format!("role/{name}/{policy}"),
                document: doc.clone(),
            });
        }
        for arn in &role.managed_policies {
            if let Some(document) = self.managed_document(account, arn) {
                identity.push(NamedDocument {
                    id: arn.clone(),
                    document,
                });
            }
        }
        let permissions_boundary = role.permissions_boundary.as_ref().and_then(|arn| {
            self.managed_document(account, arn)
                .map(|document| NamedDocument {
                    id: arn.clone(),
                    document,
                })
        });
        let scp_chain = (s.enabled_policy_types.contains(SCP)
            && account != s.management_account_id())
        .then(|| {
            s.chain(account)
                .iter()
                .map(|target| {
                    self.index
                        .policies_of_type(s, target, SCP)
                        .map(|p| NamedDocument {
                            // The policy's ARN: AWS names the denying SCP by it.
                            id: vocab::arn::policy(
                                "aws",
                                s.management_account_id(),
                                &s.organization.id,
                                SCP,
                                p,
                            ),
                            document: s.policies[p].content.clone(),
                        })
                        .collect()
                })
                .collect()
        });
        CallPolicies {
            principal_arn,
            principal_account: account.to_string(),
            identity,
            permissions_boundary,
            scp_chain,
        }
    }

    /// The answers that depend on who calls rather than where, for a call by a role session:
    /// who the caller is, and IAM's refusal to name "the caller's user" for role credentials.
    /// None for every other call, and for the configured caller.
    pub(super) fn session_answer(&self, request: &Request) -> Result<Option<Response>, ApiError> {
        let Some(session) = &self.session else {
            return Ok(None);
        };
        let op = request.operation();
        match request {
            Request::GetCallerIdentity(_) => {
                let role_id = self
                    .state
                    .iam
                    .get(&session.account)
                    .and_then(|i| i.roles.get(&session.role))
                    .map(|r| r.role_id.clone())
                    .unwrap_or_default();
                Ok(Some(Response::GetCallerIdentity(GetCallerIdentityOutput {
                    account: session.account.clone(),
                    arn: session.arn(),
                    user_id: format!("{role_id}:{}", session.session),
                })))
            }
            Request::GetUser(i) if i.user_name.is_none() => Err(err(
                op,
                "ValidationError",
                "Must specify userName when calling with non-User credentials",
            )),
            _ => Ok(None),
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

    /// Authorizes one call: the scope must be reachable, and every authorization request the
    /// call makes must be allowed by the policies that govern it. This is the one place the
    /// IAM engine is consulted.
    pub(super) fn authorize(&mut self, scope: &Scope, request: &Request) -> Result<(), ApiError> {
        let op = request.operation();
        let policies = self.call_policies(op, scope)?;
        // Anyone may ask who they are.
        if op == Operation::GetCallerIdentity {
            return Ok(());
        }
        let set = self.policy_set(op, &policies)?;
        let org = self.org_context();
        for auth in iam::authorizations(request, scope, &org, &*self) {
            for resource in &auth.resources {
                let mut req = iam::AuthzRequest::new(
                    policies.principal_arn.clone(),
                    policies.principal_account.clone(),
                    auth.action.clone(),
                    resource.clone(),
                );
                for (key, value) in &auth.context {
                    req = req.with_context(key.clone(), value.clone());
                }
                let decision = iam::evaluate(&req, &set);
                if !decision.outcome.is_allowed() {
                    return Err(access_denied(op, &policies.principal_arn, &decision));
                }
            }
        }
        Ok(())
    }

    fn org_context(&self) -> iam::OrgContext {
        iam::OrgContext {
            partition: "aws".into(),
            organization_id: self.state.organization.id.clone(),
            management_account_id: self.state.management_account_id().to_string(),
        }
    }

    /// Parses (once; parsed documents are cached) the documents of a call into the engine's
    /// policy set.
    fn policy_set(&mut self, op: Operation, p: &CallPolicies) -> Result<iam::PolicySet, ApiError> {
        let identity = p
            .identity
            .iter()
            .map(|d| self.parsed(op, d, iam::PolicyKind::Identity))
            .collect::<Result<Vec<_>, _>>()?;
        let permissions_boundary = match &p.permissions_boundary {
            Some(d) => Some(vec![self.parsed(
                op,
                d,
                iam::PolicyKind::PermissionsBoundary,
            )?]),
            None => None,
        };
        let scp_chain = match &p.scp_chain {
            Some(levels) => Some(
                levels
                    .iter()
                    .map(|level| {
                        level
                            .iter()
                            .map(|d| self.parsed(op, d, iam::PolicyKind::Scp))
                            .collect::<Result<Vec<_>, _>>()
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            None => None,
        };
        Ok(iam::PolicySet {
            identity,
            permissions_boundary,
            session: None,
            scp_chain,
            rcp_chain: None,
            resource_policy: None,
        })
    }

    fn parsed(
        &mut self,
        op: Operation,
        doc: &NamedDocument,
        kind: iam::PolicyKind,
    ) -> Result<iam::NamedPolicy, ApiError> {
        let key = (format!("{kind:?}"), doc.document.clone());
        if let Some(policy) = self.parsed_policies.get(&key) {
            return Ok(iam::NamedPolicy {
                id: doc.id.clone(),
                policy: policy.clone(),
            });
        }
        // AWS-managed documents are larger than a customer policy may be; the engine's size
        // limit is for what users write, so a known AWS document is parsed as inline.
        let policy = iam::Policy::parse(&doc.document, kind)
            .or_else(|_| iam::Policy::parse(&doc.document, iam::PolicyKind::Identity))
            .map_err(|e| {
                err(
                    op,
                    denied_code(op),
                    format!(
                        "the policy {} that governs this call cannot be evaluated: {e}",
                        doc.id
                    ),
                )
            })?;
        let policy = Arc::new(policy);
        self.parsed_policies.insert(key, policy.clone());
        Ok(iam::NamedPolicy {
            id: doc.id.clone(),
            policy,
        })
    }

    /// `iam:SimulatePrincipalPolicy` for the caller or a role of the caller's account,
    /// answered with the IAM engine.
    pub(super) fn simulate(
        &mut self,
        op: Operation,
        input: &SimulatePrincipalPolicyInput,
    ) -> Result<Vec<SimulationResult>, ApiError> {
        let mgmt = self.state.management_account_id().to_string();
        let caller = self.caller_arn(&Scope::Management);
        let policies = if input.policy_source_arn == caller {
            self.call_policies(op, &Scope::Management)?
        } else if let Some((account, name)) =
            vocab::arn::parse_role("aws", &input.policy_source_arn)
                .filter(|(account, _)| *account == mgmt)
        {
            let role = self
                .state
                .iam
                .get(account)
                .and_then(|i| i.roles.get(name))
                .ok_or_else(|| {
                    err(
                        op,
                        "NoSuchEntity",
                        format!("The role with name {name} cannot be found."),
                    )
                })?;
            let mut identity: Vec<NamedDocument> = role
                .inline_policies
                .iter()
                .map(|(n, d)| NamedDocument {
                    id: format!("role/{name}/{n}"),
                    document: d.clone(),
                })
                .collect();
            for arn in &role.managed_policies {
                if let Some(document) = self.managed_document(account, arn) {
                    identity.push(NamedDocument {
                        id: arn.clone(),
                        document,
                    });
                }
            }
            CallPolicies {
                principal_arn: input.policy_source_arn.clone(),
                principal_account: account.to_string(),
                identity,
                permissions_boundary: None,
                scp_chain: None,
            }
        } else {
            return Err(err(
                op,
                "NoSuchEntity",
                format!(
                    "The emulator simulates the caller and roles of account {mgmt}; {} is neither.",
                    input.policy_source_arn
                ),
            ));
        };
        let set = self.policy_set(op, &policies)?;
        let resources = if input.resource_arns.is_empty() {
            vec!["*".to_string()]
        } else {
            input.resource_arns.clone()
        };
        let mut results = Vec::new();
        for action in &input.action_names {
            for resource in &resources {
                let mut req = iam::AuthzRequest::new(
                    policies.principal_arn.clone(),
                    policies.principal_account.clone(),
                    action.clone(),
                    resource.clone(),
                );
                for entry in &input.context_entries {
                    let value = if entry.r#type.ends_with("List") {
                        iam::ContextValue::list(entry.values.clone())
                    } else {
                        iam::ContextValue::string(entry.values.first().cloned().unwrap_or_default())
                    };
                    req = req.with_context(entry.key.clone(), value);
                }
                let d = iam::evaluate(&req, &set);
                results.push(SimulationResult {
                    eval_action_name: action.clone(),
                    eval_resource_name: resource.clone(),
                    eval_decision: match d.outcome {
                        iam::Outcome::Allow => "allowed",
                        iam::Outcome::ExplicitDeny => "explicitDeny",
                        _ => "implicitDeny",
                    }
                    .into(),
                    matched_statements: d.statement.map(|s| s.policy_id).into_iter().collect(),
                });
            }
        }
        Ok(results)
    }

    /// Whether a role's trust policy lets the caller of `scope` assume the role, as the IAM
    /// engine evaluates it (principals, conditions, explicit denies); the caller's organization
    /// is known here, so conditions on `aws:PrincipalOrgID` decide rather than stay unknown.
    pub(super) fn trust_allows(&self, scope: &Scope, role_arn: &str, trust_policy: &str) -> bool {
        let Ok(policy) = iam::Policy::parse(trust_policy, iam::PolicyKind::Trust) else {
            return false;
        };
        let account = match scope {
            Scope::Management => self.state.management_account_id().to_string(),
            Scope::Account(id) => id.clone(),
        };
        let mut req =
            iam::AuthzRequest::new(self.caller_arn(scope), account, "sts:AssumeRole", role_arn);
        let org = &self.state.organization.id;
        if !org.is_empty() {
            req = req.with_context("aws:PrincipalOrgID", org.clone());
        }
        let trust = iam::NamedPolicy::new(format!("trust policy of {role_arn}"), policy);
        iam::evaluate_resource_policy(&req, &trust)
            .decision
            .outcome
            .is_allowed()
    }
}

/// The code AWS uses for a denial: Organizations and Account say `AccessDeniedException`,
/// IAM and STS `AccessDenied`.
fn denied_code(op: Operation) -> &'static str {
    match op.service() {
        Service::Organizations | Service::Account => "AccessDeniedException",
        Service::Iam | Service::Sts => "AccessDenied",
    }
}

fn access_denied(op: Operation, principal: &str, d: &iam::Decision) -> ApiError {
    // The phrasing of AWS's access denied messages, naming the denying policy by its ARN
    // after a colon (IAM User Guide, "Troubleshooting access denied error messages"; AWS
    // Security Blog, "Enhanced access denied error messages with policy ARNs"; checked
    // 2026-12-06).
    let kind = |layer: iam::Layer| match layer {
        iam::Layer::Identity => "an identity-based policy".to_string(),
        other => format!("a {other}"),
    };
    let why = match (d.outcome, d.layer) {
        (iam::Outcome::ExplicitDeny, Some(layer)) => format!(
            "with an explicit deny in {}{}",
            kind(layer),
            d.statement
                .as_ref()
                .map(|s| format!(": {}", s.policy_id))
                .unwrap_or_default()
        ),
        (iam::Outcome::Indeterminate, _) => format!(
            "because the decision depends on context keys the emulator does not know ({})",
            d.unknown_keys.join(", ")
        ),
        (_, Some(layer)) => format!(
            "because no {} allows the {} action",
            kind(layer).split_once(' ').map_or("", |(_, k)| k),
            d.action
        ),
        _ => format!(
            "because no identity-based policy allows the {} action",
            d.action
        ),
    };
    err(
        op,
        denied_code(op),
        format!(
            "User: {principal} is not authorized to perform: {} on resource: {} {why}",
            d.action, d.resource
        ),
    )
}

impl iam::ResourceInfo for Core {
    fn policy_type(&self, policy_id: &str) -> Option<String> {
        self.state.policies.get(policy_id).map(|p| p.r#type.clone())
    }

    fn tags(&self, resource_id: &str) -> Option<BTreeMap<String, String>> {
        let s = &self.state;
        if resource_id == s.organization.root_id {
            return Some(s.root_tags.clone());
        }
        if let Some((account, name)) = vocab::arn::parse_role("aws", resource_id) {
            return s.iam.get(account)?.roles.get(name).map(|r| r.tags.clone());
        }
        s.ous
            .get(resource_id)
            .map(|o| o.tags.clone())
            .or_else(|| s.accounts.get(resource_id).map(|a| a.tags.clone()))
            .or_else(|| s.policies.get(resource_id).map(|p| p.tags.clone()))
    }

    fn role_path(&self, account_id: &str, role_name: &str) -> Option<String> {
        self.state
            .iam
            .get(account_id)?
            .roles
            .get(role_name)
            .map(|r| r.path.clone())
    }
}
