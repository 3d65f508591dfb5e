//! The permission pre-check: every authorization request of every planned operation evaluated
//! offline, before the first call, against the caller's policies and the SCPs over member
//! accounts.
//!
//! Ids of resources the apply creates are not known when the check runs; they are replaced
//! by wildcard-free placeholders (`ou-new-1`, `new-account-1`, `p-new-1`), so a statement
//! that names a specific id does not match them while one with a pattern (`ou/o-…/*`) does.
//! The emitted policy turns the placeholders back into those patterns.

pub mod collect;
pub mod emit;
pub mod lockout;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;

use crate::addr::{Address, ResourceKind};
use crate::api::*;
use crate::iam::{
    self, AuthzRequest, Decision, NamedPolicy, OrgContext, Outcome, Policy, PolicyKind, PolicySet,
};
use crate::model::Value;
use crate::model::live::LiveOrg;
use crate::model::lock::{LOCK_POLICY_NAME, LOCK_POLICY_TYPE};
use crate::plan::{IdRef, Op, Plan};
use crate::vocab;
pub use collect::{CallerPolicies, Source};

/// The document of the AWS-managed `FullAWSAccess` SCP (AWS never changes it, so the reader
/// does not fetch it).
pub const FULL_AWS_ACCESS: &str = vocab::FULL_ACCESS_DOCUMENT;

/// The id of the AWS-managed `FullAWSAccess` SCP.
pub const FULL_ACCESS_ID: &str = vocab::FULL_AWS_ACCESS.id;

/// What the member-access role of an account this apply creates is given by AWS:
/// `AdministratorAccess`, trusting the management account.
const ADMINISTRATOR_ACCESS: &str = FULL_AWS_ACCESS;

/// The reads the planner makes on every plan (checked and emitted with `Resource: *`).
pub const READ_ACTIONS: &[&str] = &[
    "organizations:DescribeOrganization",
    "organizations:ListRoots",
    "organizations:ListOrganizationalUnitsForParent",
    "organizations:ListAccountsForParent",
    "organizations:ListPolicies",
    "organizations:DescribePolicy",
    "organizations:ListTargetsForPolicy",
    "organizations:ListTagsForResource",
    "organizations:ListAWSServiceAccessForOrganization",
    "organizations:ListDelegatedAdministrators",
    "organizations:ListDelegatedServicesForAccount",
    "organizations:ListCreateAccountStatus",
    // Not sts:GetCallerIdentity: it needs no permission, and an explicit deny does not stop
    // it (AWS STS API Reference, GetCallerIdentity, read 2026-12-06).
];

/// The calls the applier makes around an operation, beyond the operation itself: a
/// CreateAccount is looked for among unfinished creations and existing accounts first, and
/// polled to completion.
fn follow_up_calls(request: &crate::api::Request) -> Vec<iam::Authorization> {
    let all = |action: &str| iam::Authorization {
        action: action.to_string(),
        resources: vec!["*".to_string()],
        context: Default::default(),
    };
    match request {
        crate::api::Request::CreateAccount(_) => vec![
            all("organizations:DescribeCreateAccountStatus"),
            all("organizations:ListCreateAccountStatus"),
            all("organizations:ListAccounts"),
            // An earlier attempt's account is checked (email, owner) before it is adopted.
            all("organizations:DescribeAccount"),
            all("organizations:ListTagsForResource"),
        ],
        _ => Vec::new(),
    }
}

/// One denied (or undecidable) request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Denial {
    /// The change the operation belongs to (`(reader)` for the planner's reads).
    pub address: String,
    pub operation: String,
    pub action: String,
    pub resource: String,
    /// `explicitly denied`, `implicitly denied`, `indeterminate`, `unknown`.
    pub outcome: String,
    /// The deciding policy and statement, or "no statement allows it".
    pub decided_by: String,
    /// The engine's full explanation.
    pub explanation: String,
}

/// The pre-check's result, shown in every plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub principal: String,
    pub source: Source,
    pub allowed: usize,
    pub denials: Vec<Denial>,
    /// Requests nothing could decide (caller's policies unreadable and simulation denied).
    pub unknown: usize,
    /// What to grant so that orgchard can check, when the result is unknown.
    pub note: Option<String>,
    /// Every request checked, for `--emit-policy`.
    #[serde(skip)]
    pub requests: Vec<Checked>,
}

impl Report {
    /// True when nothing was denied and nothing was unknown.
    pub fn passed(&self) -> bool {
        self.denials.is_empty() && self.unknown == 0
    }

    /// The "Pre-check" section of the human plan.
    pub fn render(&self) -> String {
        let mut out = String::from("\nPre-check:\n");
        let src = match &self.source {
            Source::Read => "its IAM policies".to_string(),
            Source::AsPolicy { file } => format!("--as-policy {file}"),
            Source::Simulate { .. } => "iam:SimulatePrincipalPolicy".to_string(),
            Source::Unknown { .. } => "nothing (unreadable)".to_string(),
            Source::RootUser => {
                "none: the root user may make every call in its account".to_string()
            }
        };
        out.push_str(&format!(
            "  caller {} (policies from {src})\n",
            self.principal
        ));
        out.push_str(&format!(
            "  {} request{} allowed, {} denied, {} unknown\n",
            self.allowed,
            if self.allowed == 1 { "" } else { "s" },
            self.denials
                .iter()
                .filter(|d| d.outcome != "unknown")
                .count(),
            self.unknown
        ));
        for d in &self.denials {
            out.push_str(&format!(
                "  ✗ {}: {}\n      {} on {}: {} ({})\n",
                d.address, d.operation, d.action, d.resource, d.outcome, d.decided_by
            ));
        }
        if let Some(n) = &self.note {
            out.push_str(&format!("  {n}\n"));
        }
        out
    }
}

/// One checked request: who made it, and the request itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// True for requests the caller makes in the management account (these make up the
    /// emitted identity policy); false for the member-access role's.
    pub caller: bool,
    pub request: AuthzRequest,
}

/// Why the pre-check could not run.
#[derive(Debug, thiserror::Error)]
pub enum PrecheckError {
    #[error(transparent)]
    Collect(#[from] collect::CollectError),
    #[error("reading the member-access role of account {account}: {error}")]
    MemberRole { account: String, error: String },
}

/// Placeholder ids for the resources this apply creates.
pub struct Placeholders {
    ids: BTreeMap<Address, String>,
}

impl Placeholders {
    pub fn new(plan: &Plan) -> Placeholders {
        let mut ids = BTreeMap::new();
        let mut n = BTreeMap::<ResourceKind, usize>::new();
        for op in &plan.operations {
            if let Some(a) = op.op.produces() {
                let c = n.entry(a.kind).or_default();
                *c += 1;
                let id = match a.kind {
                    ResourceKind::OrganizationalUnit => format!("ou-new-{c}"),
                    ResourceKind::Account => format!("new-account-{c}"),
                    _ => format!("p-new-{c}"),
                };
                ids.insert(a.clone(), id);
            }
        }
        Placeholders { ids }
    }

    pub fn id(&self, r: &IdRef) -> String {
        match r {
            IdRef::Known(id) => id.clone(),
            IdRef::After(a) => self
                .ids
                .get(a)
                .cloned()
                .unwrap_or_else(|| format!("new-{a}")),
        }
    }

    /// The placeholder ids and the pattern each stands for in an emitted policy.
    pub fn patterns(&self) -> Vec<(String, &'static str)> {
        self.ids
            .values()
            .map(|id| {
                let pat = if id.starts_with("ou-") {
                    "ou-*"
                } else if id.starts_with("p-") {
                    "p-*"
                } else {
                    "*"
                };
                (id.clone(), pat)
            })
            .collect()
    }
}

impl crate::plan::ops::Known for Placeholders {
    fn id_of(&self, address: &Address) -> Option<String> {
        self.ids.get(address).cloned()
    }

    fn resolve(&self, value: &Value) -> Result<Value, String> {
        // The documents' contents do not change which requests are made: unknowns become
        // placeholder text.
        value
            .resolve(&|target, attr| match target {
                crate::model::value::RefTarget::Resource(a) => {
                    let id = self.ids.get(a).cloned()?;
                    Some(Value::String(if attr == "id" {
                        id
                    } else {
                        format!("{a}.{attr}")
                    }))
                }
                _ => Some(Value::String(format!("{target}.{attr}"))),
            })
            .or_else(|_| Ok(Value::String("{}".into())))
    }
}

struct ResourceTypes<'a> {
    live: &'a LiveOrg,
    created: BTreeMap<String, String>,
}

impl iam::ResourceInfo for ResourceTypes<'_> {
    fn policy_type(&self, policy_id: &str) -> Option<String> {
        self.live
            .policies
            .get(policy_id)
            .map(|p| p.summary.r#type.clone())
            .or_else(|| self.created.get(policy_id).cloned())
    }
    fn tags(&self, resource_id: &str) -> Option<BTreeMap<String, String>> {
        self.live.tags_of(resource_id).cloned()
    }
}

/// The organization's shape as it stands just before one operation: parents and SCP
/// attachments, the live state plus every operation ordered before it.
pub(crate) struct Shape {
    pub parents: BTreeMap<String, String>,
    pub attachments: BTreeMap<String, BTreeSet<String>>,
    pub scp_enabled: bool,
}

/// Everything the check derives from the plan once.
pub(crate) struct Model<'a> {
    pub plan: &'a Plan,
    pub live: &'a LiveOrg,
    pub ph: Placeholders,
    /// SCP documents by (placeholder) id.
    pub scps: BTreeMap<String, Arc<Policy>>,
    pub scp_names: BTreeMap<String, String>,
    pub policy_types: BTreeMap<String, String>,
    /// For each operation, the operations that run before it (transitively).
    pub before: Vec<BTreeSet<usize>>,
}

impl<'a> Model<'a> {
    pub fn new(plan: &'a Plan, live: &'a LiveOrg) -> Model<'a> {
        let ph = Placeholders::new(plan);
        let mut scps = BTreeMap::new();
        let mut scp_names = BTreeMap::new();
        let mut policy_types = BTreeMap::new();
        for (id, p) in &live.policies {
            policy_types.insert(id.clone(), p.summary.r#type.clone());
            if let Some(pol) = live_scp(p) {
                scps.insert(id.clone(), Arc::new(pol));
                scp_names.insert(id.clone(), format!("{} ({id})", p.summary.name));
            }
        }
        // AWS attaches FullAWSAccess by itself (on enabling SCPs, and to every new OU and
        // account), so it is known whether or not the reader listed it.
        scps.entry(FULL_ACCESS_ID.to_string()).or_insert_with(|| {
            Arc::new(Policy::parse(FULL_AWS_ACCESS, PolicyKind::Scp).expect("valid"))
        });
        scp_names
            .entry(FULL_ACCESS_ID.to_string())
            .or_insert_with(|| format!("{} ({FULL_ACCESS_ID})", vocab::FULL_AWS_ACCESS.name));
        for op in &plan.operations {
            match &op.op {
                Op::CreatePolicy {
                    address,
                    policy_type,
                    name,
                    content,
                    ..
                } => {
                    let id = ph.id(&IdRef::After(address.clone()));
                    policy_types.insert(id.clone(), policy_type.clone());
                    if vocab::is_scp(policy_type) {
                        if let Some(pol) = value_policy(&ph, content) {
                            scps.insert(id.clone(), Arc::new(pol));
                        }
                        scp_names.insert(id, format!("{name} ({address})"));
                    }
                }
                Op::UpdatePolicy {
                    policy,
                    content: Some(content),
                    ..
                } if scps.contains_key(policy) => {
                    // The check evaluates the final document; a stricter interim is not modelled.
                    if let Some(pol) = value_policy(&ph, content) {
                        scps.insert(policy.clone(), Arc::new(pol));
                    }
                }
                _ => {}
            }
        }
        let n = plan.operations.len();
        let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
        for e in &plan.edges {
            if e.to < n && e.from < n {
                preds[e.to].push(e.from);
            }
        }
        let before = (0..n)
            .map(|i| {
                let mut seen = BTreeSet::new();
                let mut stack = preds[i].clone();
                while let Some(j) = stack.pop() {
                    if seen.insert(j) {
                        stack.extend(preds[j].iter().copied());
                    }
                }
                seen
            })
            .collect();
        Model {
            plan,
            live,
            ph,
            scps,
            scp_names,
            policy_types,
            before,
        }
    }

    /// The shape after the operations in `done` (all of them: `None`).
    pub fn shape(&self, done: Option<&BTreeSet<usize>>) -> Shape {
        let mut parents: BTreeMap<String, String> = BTreeMap::new();
        for (id, o) in &self.live.ous {
            parents.insert(id.clone(), o.parent_id.clone());
        }
        for (id, a) in &self.live.accounts {
            parents.insert(id.clone(), a.parent_id.clone());
        }
        let mut attachments: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (id, p) in &self.live.policies {
            if vocab::is_scp(&p.summary.r#type) {
                for t in &p.targets {
                    attachments.entry(t.clone()).or_default().insert(id.clone());
                }
            }
        }
        let mut scp_enabled = self.live.enabled_policy_types().contains(vocab::SCP);
        let root = self.live.root.id.clone();
        for (i, op) in self.plan.operations.iter().enumerate() {
            if done.is_some_and(|d| !d.contains(&i)) {
                continue;
            }
            match &op.op {
                Op::CreateOu {
                    address, parent, ..
                } => {
                    let id = self.ph.id(&IdRef::After(address.clone()));
                    parents.insert(id.clone(), self.ph.id(parent));
                    attachments
                        .entry(id)
                        .or_default()
                        .insert(FULL_ACCESS_ID.into());
                }
                Op::CreateAccount { address, .. } => {
                    let id = self.ph.id(&IdRef::After(address.clone()));
                    parents.entry(id.clone()).or_insert_with(|| root.clone());
                    attachments
                        .entry(id)
                        .or_default()
                        .insert(FULL_ACCESS_ID.into());
                }
                Op::MoveAccount { account, to, .. } => {
                    parents.insert(self.ph.id(account), self.ph.id(to));
                }
                Op::AttachPolicy {
                    policy,
                    target,
                    policy_type,
                } if vocab::is_scp(policy_type) => {
                    attachments
                        .entry(self.ph.id(target))
                        .or_default()
                        .insert(self.ph.id(policy));
                }
                Op::DetachPolicy {
                    policy,
                    target,
                    policy_type,
                } if vocab::is_scp(policy_type) => {
                    attachments
                        .entry(self.ph.id(target))
                        .or_default()
                        .remove(&self.ph.id(policy));
                }
                Op::EnablePolicyType { policy_type, .. } if vocab::is_scp(policy_type) => {
                    if !scp_enabled {
                        for t in parents.keys().chain(std::iter::once(&root)) {
                            attachments
                                .entry(t.clone())
                                .or_default()
                                .insert(FULL_ACCESS_ID.into());
                        }
                    }
                    scp_enabled = true;
                }
                Op::DisablePolicyType { policy_type, .. } if vocab::is_scp(policy_type) => {
                    scp_enabled = false;
                }
                _ => {}
            }
        }
        Shape {
            parents,
            attachments,
            scp_enabled,
        }
    }

    /// The SCP chain of an account in a shape: root first, the account last.
    pub fn chain(&self, shape: &Shape, account: &str) -> Option<Vec<Vec<NamedPolicy>>> {
        if !shape.scp_enabled || account == self.plan.context.management_account_id {
            return None;
        }
        let mut targets = vec![account.to_string()];
        let mut cur = account.to_string();
        while let Some(p) = shape.parents.get(&cur) {
            targets.push(p.clone());
            cur = p.clone();
            if targets.len() > 16 {
                break;
            }
        }
        targets.reverse();
        Some(
            targets
                .iter()
                .map(|t| {
                    shape
                        .attachments
                        .get(t)
                        .into_iter()
                        .flatten()
                        .filter_map(|p| {
                            let doc = self.scps.get(p)?;
                            let name = self.scp_names.get(p).cloned().unwrap_or_else(|| p.clone());
                            Some(NamedPolicy::new(format!("{name} on {t}"), doc.clone()))
                        })
                        .collect()
                })
                .collect(),
        )
    }

    pub fn org(&self) -> OrgContext {
        OrgContext {
            partition: "aws".into(),
            organization_id: self.plan.context.organization_id.clone(),
            management_account_id: self.plan.context.management_account_id.clone(),
        }
    }

    fn info(&self) -> ResourceTypes<'_> {
        ResourceTypes {
            live: self.live,
            created: self.policy_types.clone(),
        }
    }

    /// The accounts the apply enters (member accounts with operations inside them).
    pub fn entered_accounts(&self) -> BTreeSet<String> {
        self.plan
            .operations
            .iter()
            .filter_map(|o| o.op.account_scope())
            .map(|a| self.ph.id(a))
            .filter(|a| *a != self.plan.context.management_account_id)
            .collect()
    }
}

/// The live document of an SCP (`None` for other policy types or an unreadable document); the
/// AWS-managed FullAWSAccess, whose content the reader does not fetch, is known.
pub(crate) fn live_scp(p: &crate::model::live::LivePolicy) -> Option<Policy> {
    if !vocab::is_scp(&p.summary.r#type) {
        return None;
    }
    let doc = p
        .content
        .clone()
        .unwrap_or_else(|| FULL_AWS_ACCESS.to_string());
    Policy::parse(&doc, PolicyKind::Scp).ok()
}

fn value_policy(ph: &Placeholders, content: &Value) -> Option<Policy> {
    use crate::plan::ops::Known;
    let v = ph.resolve(content).ok()?;
    let text = match &v {
        Value::String(s) => s.clone(),
        other => serde_json::to_string(&other.to_json()?).ok()?,
    };
    Policy::parse(&text, PolicyKind::Scp).ok()
}

/// The policies of the member-access role in each entered account, and its trust decision.
struct MemberRole {
    identity: Vec<NamedPolicy>,
    boundary: Option<Vec<NamedPolicy>>,
    /// Why the role cannot be entered, when it cannot.
    refused: Option<(String, String)>,
}

fn decided_by(d: &Decision) -> String {
    match (&d.statement, d.outcome) {
        (Some(st), _) => match d.layer {
            Some(l) => format!("{st} ({l})"),
            None => st.to_string(),
        },
        (None, Outcome::ImplicitDeny) => match (d.layer, d.level) {
            (Some(l @ iam::Layer::Scp), Some(level)) => format!(
                "no statement allows it in the {} at level {level} ({})",
                l.plural(),
                d.level_policies.join(", ")
            ),
            (Some(l), _) if l != iam::Layer::Identity => {
                format!("no statement of the {l} allows it")
            }
            _ => "no statement allows it".into(),
        },
        (None, Outcome::Indeterminate) => format!(
            "depends on unknown context keys {}",
            d.unknown_keys.join(", ")
        ),
        _ => String::new(),
    }
}

struct Checker<'m> {
    caller: &'m CallerPolicies,
    api: &'m dyn Api,
    report: Report,
}

impl Checker<'_> {
    async fn check(
        &mut self,
        address: &str,
        operation: &str,
        req: AuthzRequest,
        set: Option<PolicySet>,
    ) {
        let caller = set.is_none();
        self.report.requests.push(Checked {
            caller,
            request: req.clone(),
        });
        let set = match set {
            Some(s) => s,
            None => {
                if let Source::Simulate { .. } = self.caller.source {
                    return self.simulate(address, operation, req).await;
                }
                if let Source::Unknown { .. } = self.caller.source {
                    self.unknown(address, operation, &req);
                    return;
                }
                if let Source::RootUser = self.caller.source {
                    // No IAM policy applies to the root user, and no SCP to the
                    // management account.
                    self.report.allowed += 1;
                    return;
                }
                PolicySet {
                    identity: self.caller.identity.clone(),
                    permissions_boundary: self.caller.boundary.clone(),
                    ..PolicySet::default()
                }
            }
        };
        let d = iam::evaluate(&req, &set);
        self.record(address, operation, &req, d);
    }

    fn record(&mut self, address: &str, operation: &str, req: &AuthzRequest, d: Decision) {
        if d.outcome.is_allowed() {
            self.report.allowed += 1;
        } else {
            self.report.denials.push(Denial {
                address: address.into(),
                operation: operation.into(),
                action: req.action.clone(),
                resource: req.resource.clone(),
                outcome: d.outcome.to_string(),
                decided_by: decided_by(&d),
                explanation: d.to_string(),
            });
        }
    }

    fn unknown(&mut self, address: &str, operation: &str, req: &AuthzRequest) {
        self.report.unknown += 1;
        self.report.denials.push(Denial {
            address: address.into(),
            operation: operation.into(),
            action: req.action.clone(),
            resource: req.resource.clone(),
            outcome: "unknown".into(),
            decided_by: "the caller's policies could not be read".into(),
            explanation: String::new(),
        });
    }

    async fn simulate(&mut self, address: &str, operation: &str, req: AuthzRequest) {
        let entries = req
            .context
            .iter()
            .map(|(k, v)| ContextEntry {
                key: k.clone(),
                values: v.values().to_vec(),
                r#type: if v.values().len() > 1 {
                    "stringList".into()
                } else {
                    "string".into()
                },
            })
            .collect();
        let input = SimulatePrincipalPolicyInput {
            policy_source_arn: self.caller.source_arn.clone(),
            action_names: vec![req.action.clone()],
            resource_arns: vec![req.resource.clone()],
            context_entries: entries,
            next_token: None,
        };
        match self
            .api
            .simulate_principal_policy(&Scope::Management, input)
            .await
        {
            Ok(out) => {
                let r = out.evaluation_results.first();
                match r.map(|r| r.eval_decision.as_str()) {
                    Some("allowed") => self.report.allowed += 1,
                    Some(other) => self.report.denials.push(Denial {
                        address: address.into(),
                        operation: operation.into(),
                        action: req.action.clone(),
                        resource: req.resource.clone(),
                        outcome: if other == "explicitDeny" {
                            "explicitly denied".into()
                        } else {
                            "implicitly denied".into()
                        },
                        decided_by: r
                            .filter(|r| !r.matched_statements.is_empty())
                            .map(|r| format!("statements {}", r.matched_statements.join(", ")))
                            .unwrap_or_else(|| "no statement allows it".into()),
                        explanation: format!("iam:SimulatePrincipalPolicy answered {other}"),
                    }),
                    None => self.unknown(address, operation, &req),
                }
            }
            Err(e) => {
                self.unknown(address, operation, &req);
                self.report.note = Some(unknown_note(&e.to_string()));
            }
        }
    }
}

fn unknown_note(error: &str) -> String {
    format!(
        "The caller's policies could not be read and iam:SimulatePrincipalPolicy was refused ({error}). \
         To let orgchard check, grant {} on the caller, or iam:SimulatePrincipalPolicy; \
         the pre-check result is unknown.",
        collect::READ_PERMISSIONS.join(", ")
    )
}

/// Runs the pre-check of `plan` for `caller`. Member-access roles are read through `api`
/// in the accounts the apply enters. With `apply_lock`, the calls that take, renew and
/// release the organization's apply lock are checked too, when the plan changes anything.
pub async fn check(
    plan: &Plan,
    live: &LiveOrg,
    api: &dyn Api,
    caller: &CallerPolicies,
    apply_lock: bool,
) -> Result<Report, PrecheckError> {
    let model = Model::new(plan, live);
    let org = model.org();
    let mgmt = plan.context.management_account_id.clone();
    let role_name = plan.context.member_access_role.clone();
    let mut ck = Checker {
        caller,
        api,
        report: Report {
            principal: caller.principal_arn.clone(),
            source: caller.source.clone(),
            allowed: 0,
            denials: Vec::new(),
            unknown: 0,
            note: None,
            requests: Vec::new(),
        },
    };
    if let Source::Simulate { read_error } = &caller.source {
        ck.report.note = Some(format!(
            "The caller's policies could not be read ({read_error}); each request was asked of iam:SimulatePrincipalPolicy (SCPs over member accounts are still evaluated here)."
        ));
    }
    let principal = |req_action: &str, resource: &str| {
        AuthzRequest::new(
            caller.principal_arn.clone(),
            caller.account.clone(),
            req_action,
            resource,
        )
    };
    for a in READ_ACTIONS {
        ck.check("(reader)", "plan reads", principal(a, "*"), None)
            .await;
    }
    // The reader's role reads: with the caller's own credentials in the management account,
    // through the member-access role in the others (whose own policies the lockout check
    // judges).
    for account in plan.context.role_queries.keys() {
        if *account == mgmt {
            let mut actions = BTreeSet::new();
            for op in lockout::PLANNER_ROLE_READS {
                actions.extend(iam::operations::actions_of(*op));
            }
            for a in actions {
                ck.check("(reader)", "plan reads", principal(&a, "*"), None)
                    .await;
            }
        } else {
            let role_arn = iam::arns::role("aws", account, None, &role_name);
            let what = format!("AssumeRole {role_name} in {account} (role reads)");
            ck.check(
                "(reader)",
                &what,
                principal("sts:AssumeRole", &role_arn),
                None,
            )
            .await;
        }
    }
    if apply_lock && plan.has_changes() {
        let info = LockInfo(model.info());
        for request in lock_requests() {
            let operation = format!("{} {}", request.operation(), LOCK_POLICY_NAME);
            for auth in iam::authorizations(&request, &Scope::Management, &org, &info) {
                for resource in &auth.resources {
                    let mut req = principal(&auth.action, resource);
                    for (k, v) in &auth.context {
                        req = req.with_context(k, v.clone());
                    }
                    ck.check("(apply lock)", &operation, req, None).await;
                }
            }
        }
    }
    // Entering each member account: the caller's sts:AssumeRole and the role's trust policy.
    let mut roles: BTreeMap<String, MemberRole> = BTreeMap::new();
    for account in model.entered_accounts() {
        let role_arn = iam::arns::role("aws", &account, None, &role_name);
        let what = format!("AssumeRole {role_name} in {account}");
        ck.check(
            "(member access)",
            &what,
            principal("sts:AssumeRole", &role_arn),
            None,
        )
        .await;
        let role = if live.accounts.contains_key(&account) {
            match collect::role_policies(api, &Scope::Account(account.clone()), &role_name).await {
                Ok(Ok((identity, boundary, trust))) => {
                    let refused = trust_refusal(&trust, caller, &role_arn);
                    MemberRole {
                        identity,
                        boundary,
                        refused,
                    }
                }
                Ok(Err(e)) => {
                    return Err(PrecheckError::MemberRole {
                        account,
                        error: e.to_string(),
                    });
                }
                Err(e) => MemberRole {
                    identity: Vec::new(),
                    boundary: None,
                    refused: Some((role_arn.clone(), e.message.clone())),
                },
            }
        } else {
            // AWS creates the role in a new account with AdministratorAccess, trusting the
            // management account.
            MemberRole {
                identity: vec![NamedPolicy::new(
                    "arn:aws:iam::aws:policy/AdministratorAccess",
                    Policy::parse(ADMINISTRATOR_ACCESS, PolicyKind::Identity).expect("valid"),
                )],
                boundary: None,
                refused: None,
            }
        };
        if let Some((arn, why)) = &role.refused {
            ck.report.denials.push(Denial {
                address: "(member access)".into(),
                operation: what.clone(),
                action: "sts:AssumeRole".into(),
                resource: arn.clone(),
                outcome: "implicitly denied".into(),
                decided_by: format!("the trust policy of {arn}: {why}"),
                explanation: why.clone(),
            });
        }
        roles.insert(account, role);
    }
    for (i, pop) in plan.operations.iter().enumerate() {
        let address = pop.address.to_string();
        let operation = pop.op.describe();
        let (scope, request) = match pop.op.to_request(&model.ph, &mgmt) {
            Ok(x) => x,
            Err(e) => {
                ck.report.denials.push(Denial {
                    address,
                    operation,
                    action: String::new(),
                    resource: String::new(),
                    outcome: "unknown".into(),
                    decided_by: format!("the request cannot be built before apply: {e}"),
                    explanation: String::new(),
                });
                ck.report.unknown += 1;
                continue;
            }
        };
        let mut auths = iam::authorizations(&request, &scope, &org, &model.info());
        auths.extend(follow_up_calls(&request));
        for auth in auths {
            for resource in &auth.resources {
                match &scope {
                    Scope::Management => {
                        let mut req = principal(&auth.action, resource);
                        for (k, v) in &auth.context {
                            req = req.with_context(k, v.clone());
                        }
                        ck.check(&address, &operation, req, None).await;
                    }
                    Scope::Account(account) => {
                        let role = roles.get(account);
                        if role.is_some_and(|r| r.refused.is_some()) {
                            continue; // Reported once, as the AssumeRole denial.
                        }
                        let shape = model.shape(Some(&model.before[i]));
                        let mut req = AuthzRequest::new(
                            vocab::arn::assumed_role("aws", account, &role_name, "orgchard"),
                            account.clone(),
                            &auth.action,
                            resource,
                        );
                        for (k, v) in &auth.context {
                            req = req.with_context(k, v.clone());
                        }
                        let set = PolicySet {
                            identity: role.map(|r| r.identity.clone()).unwrap_or_default(),
                            permissions_boundary: role.and_then(|r| r.boundary.clone()),
                            scp_chain: model.chain(&shape, account),
                            ..PolicySet::default()
                        };
                        ck.check(&address, &operation, req, Some(set)).await;
                    }
                }
            }
        }
    }
    Ok(ck.report)
}

/// What the operation table knows about resources, plus the lock policy's type: its id is
/// not known before it exists (`p-*`), its type is.
struct LockInfo<I>(I);

impl<I: iam::operations::ResourceInfo> iam::operations::ResourceInfo for LockInfo<I> {
    fn policy_type(&self, policy_id: &str) -> Option<String> {
        if policy_id == LOCK_POLICY_ID {
            return Some(LOCK_POLICY_TYPE.to_string());
        }
        self.0.policy_type(policy_id)
    }
    fn tags(&self, resource_id: &str) -> Option<BTreeMap<String, String>> {
        self.0.tags(resource_id)
    }
    fn role_path(&self, account_id: &str, role_name: &str) -> Option<String> {
        self.0.role_path(account_id, role_name)
    }
}

/// The lock policy's id in the pre-check's requests: any policy id.
const LOCK_POLICY_ID: &str = "p-*";

/// The calls `apply` makes on the lock policy ([`crate::apply::lock`]): create, renew (its
/// description), delete. The policy's id is not known before it exists: `p-*`.
fn lock_requests() -> Vec<crate::api::Request> {
    use crate::api::{CreatePolicyInput, DeletePolicyInput, Request, UpdatePolicyInput};
    let policy_id = LOCK_POLICY_ID.to_string();
    vec![
        Request::CreatePolicy(CreatePolicyInput {
            name: LOCK_POLICY_NAME.into(),
            description: String::new(),
            content: vocab::FULL_ACCESS_DOCUMENT.into(),
            r#type: LOCK_POLICY_TYPE.into(),
            tags: Vec::new(),
        }),
        Request::UpdatePolicy(UpdatePolicyInput {
            policy_id: policy_id.clone(),
            description: Some(String::new()),
            ..UpdatePolicyInput::default()
        }),
        Request::DeletePolicy(DeletePolicyInput { policy_id }),
    ]
}

/// Evaluates a member-access role's trust policy for the caller; the reason when it refuses.
fn trust_refusal(trust: &str, caller: &CallerPolicies, role_arn: &str) -> Option<(String, String)> {
    let doc = collect_decode(trust);
    let policy = match Policy::parse(&doc, PolicyKind::Trust) {
        Ok(p) => p,
        Err(e) => {
            return Some((
                role_arn.into(),
                format!("its trust policy cannot be read: {e}"),
            ));
        }
    };
    let req = AuthzRequest::new(
        caller.principal_arn.clone(),
        caller.account.clone(),
        "sts:AssumeRole",
        role_arn,
    );
    // The caller's own sts:AssumeRole permission is checked separately: here only the
    // trust policy decides.
    let trust = NamedPolicy::new(format!("trust policy of {role_arn}"), policy);
    let d = iam::evaluate_resource_policy(&req, &trust).decision;
    (!d.outcome.is_allowed()).then(|| {
        (
            role_arn.to_string(),
            format!(
                "the role's trust policy does not let {} assume it ({})",
                caller.principal_arn,
                decided_by(&d)
            ),
        )
    })
}

fn collect_decode(doc: &str) -> String {
    collect::decode_document(doc)
}
