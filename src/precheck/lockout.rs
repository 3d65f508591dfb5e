//! Lockout protection at plan time: SCP changes that would leave orgchard unable to manage the
//! organization afterwards, found from the SCP chains as they stand once every attachment,
//! detachment and content update of the plan has run. Four kinds:
//!
//! - [`Kind::DenyAll`]: an account whose SCPs deny every action (FullAWSAccess detached with
//!   nothing allowing in its place, or an SCP that denies `*`).
//! - [`Kind::PlanOperation`]: an SCP denies orgchard's member-access role an operation this
//!   plan makes inside that account (the next plan that touches the same role fails too).
//! - [`Kind::FutureNeeds`]: an SCP this plan attaches or changes denies the member-access role
//!   what later plans need in an account where the configuration manages roles: the role
//!   reads of the planner, the pre-check's reads of the member-access role, and every role
//!   write of the operation table.
//! - [`Kind::Caller`]: the caller is itself in a member account (a delegated administrator)
//!   and the SCPs over that account would deny the Organizations and STS calls of the plan or
//!   of the reader.
//!
//! The management account is exempt from SCPs: a caller there cannot be locked out by one.
//! Only the SCP layer decides here (any identity policy is assumed to allow): the caller's and
//! the role's own permissions are the pre-check's business.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{FULL_AWS_ACCESS, Model, READ_ACTIONS, decided_by, follow_up_calls};
use crate::api::{Operation, Scope, Service};
use crate::diag::{Diagnostic, Severity};
use crate::iam::{
    self, AuthzRequest, Decision, NamedPolicy, Outcome, Policy, PolicyKind, PolicySet,
};
use crate::model::live::LiveOrg;
use crate::plan::{IdRef, Op, Plan};

/// Representative requests: an account none of which is allowed is locked out.
const REPRESENTATIVE: &[&str] = &[
    "sts:GetCallerIdentity",
    "iam:CreateRole",
    "s3:ListAllMyBuckets",
];

/// The IAM reads the planner makes in an account whose roles the configuration declares
/// (`plan::read::read_roles`; a unit test below checks the list against the calls it makes).
pub const PLANNER_ROLE_READS: &[Operation] = &[
    Operation::ListRoles,
    Operation::ListRoleTags,
    Operation::ListAttachedRolePolicies,
    Operation::ListRolePolicies,
    Operation::GetRolePolicy,
];

/// The IAM reads the pre-check makes on the member-access role of each account it enters
/// (`collect::role_policies`, for an inline-only role).
pub const PRECHECK_ROLE_READS: &[Operation] = &[
    Operation::GetRole,
    Operation::ListAttachedRolePolicies,
    Operation::ListRolePolicies,
    Operation::GetRolePolicy,
];

/// Which lockout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An account's SCPs would deny every action.
    DenyAll,
    /// The member-access role would be denied an operation of this plan in the account.
    PlanOperation,
    /// The member-access role would be denied what later plans need in the account.
    FutureNeeds,
    /// A caller in a member account would be denied Organizations or STS calls.
    Caller,
}

/// One lockout the plan would cause. An error refuses the plan (`plan` and `apply` exit 1);
/// a warning is shown among the plan's warnings. Both are reported as [`Diagnostic`]s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}: {target}: {reason}", match .severity { Severity::Error => "lockout", Severity::Warning => "possible lockout" })]
pub struct Lockout {
    pub kind: Kind,
    pub severity: Severity,
    /// The account (and its address when the plan creates it).
    pub target: String,
    /// What would be denied, to whom, and the SCP and statement that deny it.
    pub reason: String,
}

impl Lockout {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The lockout as the one diagnostic type every problem is reported as.
    pub fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic {
            severity: self.severity,
            ..Diagnostic::error(self.to_string())
        }
    }
}

/// Who runs orgchard, for [`Kind::Caller`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub principal_arn: String,
    pub account: String,
}

/// One request to evaluate against a chain.
#[derive(Debug, Clone)]
struct Need {
    action: String,
    resource: String,
    context: BTreeMap<String, iam::ContextValue>,
}

impl Need {
    fn plain(action: impl Into<String>, resource: impl Into<String>) -> Need {
        Need {
            action: action.into(),
            resource: resource.into(),
            context: BTreeMap::new(),
        }
    }
}

/// A principal evaluated against SCPs only.
struct Principal {
    /// The ARN the request is made as (an assumed-role session for the member-access role).
    arn: String,
    account: String,
}

fn any_identity() -> NamedPolicy {
    NamedPolicy::new(
        "any identity policy",
        Policy::parse(FULL_AWS_ACCESS, PolicyKind::Identity).expect("valid"),
    )
}

fn decide(who: &Principal, need: &Need, chain: &[Vec<NamedPolicy>]) -> Decision {
    let mut req = AuthzRequest::new(
        who.arn.clone(),
        who.account.clone(),
        &need.action,
        &need.resource,
    );
    for (k, v) in &need.context {
        req = req.with_context(k, v.clone());
    }
    iam::evaluate(
        &req,
        &PolicySet {
            identity: vec![any_identity()],
            scp_chain: Some(chain.to_vec()),
            ..PolicySet::default()
        },
    )
}

/// Denied, as opposed to allowed or undecidable offline (an undecidable condition is the
/// pre-check's to report, not a lockout).
fn denied(d: &Decision) -> bool {
    matches!(d.outcome, Outcome::ExplicitDeny | Outcome::ImplicitDeny)
}

/// The member-access role of an account, as a principal.
fn member_role(account: &str, role: &str) -> Principal {
    Principal {
        arn: crate::vocab::arn::assumed_role("aws", account, role, "orgchard"),
        account: account.to_string(),
    }
}

/// The operations of the table that create, change or delete a role: every IAM write the
/// backend seam knows is one (orgchard manages no other IAM resource).
fn role_write_operations() -> impl Iterator<Item = Operation> {
    Operation::ALL
        .iter()
        .copied()
        .filter(|o| o.service() == Service::Iam && o.is_mutating())
}

/// Whether the reference names a role as a resource of this action (else it takes `*`).
fn on_role(action: &str) -> bool {
    iam::actions::action(action).is_some_and(|a| a.resource_types.iter().any(|r| r.name == "role"))
}

/// What later plans need from the member-access role in an account whose roles `roles` (ARNs)
/// the configuration manages, with why.
fn future_needs(
    account: &str,
    member_role_name: &str,
    roles: &BTreeSet<String>,
) -> Vec<(Need, &'static str)> {
    let mut out: Vec<(Need, &'static str)> = Vec::new();
    let mut add = |ops: &mut dyn Iterator<Item = Operation>, arns: &[String], why| {
        let mut seen = BTreeSet::new();
        for op in ops {
            for action in iam::operations::actions_of(op) {
                if !seen.insert(action.clone()) {
                    continue;
                }
                if on_role(&action) {
                    for arn in arns {
                        out.push((Need::plain(&action, arn), why));
                    }
                } else {
                    out.push((Need::plain(&action, "*"), why));
                }
            }
        }
    };
    let managed: Vec<String> = roles.iter().cloned().collect();
    add(
        &mut PLANNER_ROLE_READS.iter().copied(),
        &managed,
        "planner reads",
    );
    add(&mut role_write_operations(), &managed, "role writes");
    let own = vec![iam::arns::role("aws", account, None, member_role_name)];
    add(
        &mut PRECHECK_ROLE_READS.iter().copied(),
        &own,
        "pre-check reads",
    );
    out
}

/// Denied requests grouped by the statement (or missing allow) that decides them, each group
/// as one line: `(decided by, "A, B on RESOURCE (why); C on * (why)")`.
fn grouped(denials: Vec<(Decision, &'static str)>) -> Vec<(String, String)> {
    type Items = Vec<((&'static str, String), Vec<String>)>;
    let mut by: BTreeMap<String, Items> = BTreeMap::new();
    for (d, why) in denials {
        let items = by.entry(decided_by(&d)).or_default();
        let key = (why, d.resource.clone());
        let actions = match items.iter_mut().find(|(k, _)| *k == key) {
            Some((_, actions)) => actions,
            None => {
                items.push((key, Vec::new()));
                &mut items.last_mut().expect("just pushed").1
            }
        };
        if !actions.contains(&d.action) {
            actions.push(d.action.clone());
        }
    }
    by.into_iter()
        .map(|(decided, items)| {
            let text = items
                .into_iter()
                .map(|((why, resource), actions)| {
                    let on = format!("{} on {resource}", actions.join(", "));
                    if why.is_empty() {
                        on
                    } else {
                        format!("{on} ({why})")
                    }
                })
                .collect::<Vec<_>>()
                .join("; ");
            (decided, text)
        })
        .collect()
}

/// Every lockout `plan` would cause. `caller` enables the [`Kind::Caller`] check.
pub fn check(plan: &Plan, live: &LiveOrg, caller: Option<&Caller>) -> Vec<Lockout> {
    let model = Model::new(plan, live);
    let after = model.shape(None);
    // The chains before this plan: the live attachments and the live documents.
    let mut before_model = Model::new(plan, live);
    for (id, p) in &live.policies {
        if let Some(pol) = super::live_scp(p) {
            before_model.scps.insert(id.clone(), pol.into());
        }
    }
    let before = before_model.shape(Some(&BTreeSet::new()));
    let before_chain = |account: &str| {
        live.accounts
            .contains_key(account)
            .then(|| before_model.chain(&before, account))
            .flatten()
    };
    let mgmt = plan.context.management_account_id.clone();
    let role_name = plan.context.member_access_role.clone();
    let leaving: BTreeSet<String> = plan
        .operations
        .iter()
        .filter_map(|o| match &o.op {
            Op::CloseAccount { account } | Op::RemoveAccount { account } => Some(account.clone()),
            _ => None,
        })
        .collect();
    let mut accounts: Vec<String> = live
        .accounts
        .keys()
        .filter(|a| !leaving.contains(*a))
        .cloned()
        .collect();
    accounts.extend(
        plan.operations
            .iter()
            .filter_map(|o| o.op.produces())
            .filter(|a| a.kind == crate::addr::ResourceKind::Account)
            .map(|a| model.ph.id(&IdRef::After(a.clone()))),
    );
    let org = model.org();
    let info = model.info();
    // This plan's requests inside each member account, with the change they belong to.
    let mut inside: BTreeMap<String, Vec<(String, Need)>> = BTreeMap::new();
    // The accounts whose roles the configuration manages, and those roles' ARNs.
    let mut managed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    // The reader also reads accounts where no role is declared (to find owned roles whose
    // block is gone): those are not accounts where roles are managed.
    for (account, names) in plan
        .context
        .role_queries
        .iter()
        .filter(|(_, n)| !n.is_empty())
    {
        let set = managed.entry(account.clone()).or_default();
        for name in names {
            let path = live
                .roles
                .get(account)
                .and_then(|r| r.get(name))
                .map(|r| r.role.path.clone());
            set.insert(iam::arns::role("aws", account, path.as_deref(), name));
        }
    }
    // Owned roles the configuration no longer declares are still deleted by later plans.
    for (account, roles) in &live.roles {
        for r in roles.values() {
            managed
                .entry(account.clone())
                .or_default()
                .insert(r.role.arn.clone());
        }
    }
    let mut management_scope: Vec<Need> = Vec::new();
    for pop in &plan.operations {
        let Ok((scope, request)) = pop.op.to_request(&model.ph, &mgmt) else {
            continue; // The pre-check reports what cannot be built before apply.
        };
        let mut auths = iam::authorizations(&request, &scope, &org, &info);
        auths.extend(follow_up_calls(&request));
        for auth in auths {
            for resource in auth.resources {
                let need = Need {
                    action: auth.action.clone(),
                    resource,
                    context: auth.context.clone(),
                };
                match &scope {
                    Scope::Management => management_scope.push(need),
                    Scope::Account(account) => {
                        if need.resource.contains(":role/") {
                            managed
                                .entry(account.clone())
                                .or_default()
                                .insert(need.resource.clone());
                        }
                        inside
                            .entry(account.clone())
                            .or_default()
                            .push((format!("{}: {}", pop.address, pop.op.describe()), need));
                    }
                }
            }
        }
    }

    let mut out = Vec::new();
    for account in &accounts {
        let Some(chain) = model.chain(&after, account) else {
            continue;
        };
        let target = name_of(live, plan, account);
        if let Some(l) = deny_all(account, &chain, before_chain(account).as_deref(), &target) {
            out.push(l);
            continue; // Everything else there is denied too: one error says it.
        }
        let role = member_role(account, &role_name);
        let role_arn = iam::principal_arn(&role.arn).into_owned();
        // (a) This plan's own operations in the account, one error per change and deciding
        // statement.
        let mut checked = BTreeSet::new();
        let mut by_change: Vec<(&str, Vec<(Decision, &'static str)>)> = Vec::new();
        for (change, need) in inside.get(account).into_iter().flatten() {
            checked.insert((need.action.to_ascii_lowercase(), need.resource.clone()));
            let d = decide(&role, need, &chain);
            if !denied(&d) {
                continue;
            }
            match by_change.iter_mut().find(|(c, _)| c == change) {
                Some((_, list)) => list.push((d, "")),
                None => by_change.push((change, vec![(d, "")])),
            }
        }
        for (change, list) in by_change {
            for (by, items) in grouped(list) {
                out.push(Lockout {
                    kind: Kind::PlanOperation,
                    severity: Severity::Error,
                    target: target.clone(),
                    reason: format!(
                        "{change}: after this apply its SCPs would deny orgchard's member-access role {role_arn} {items}, which this plan needs: {by}"
                    ),
                });
            }
        }
        // (b) What later plans need there. An error where the configuration manages roles and
        // this plan brings the denial; a warning where it was already denied (not this plan's
        // doing), or where no roles are managed yet but this plan's SCPs would deny it.
        let roles = managed.get(account);
        let is_managed = roles.is_some();
        let representative: BTreeSet<String> =
            [iam::arns::role("aws", account, None, "any-role")].into();
        let needs = future_needs(account, &role_name, roles.unwrap_or(&representative));
        let bchain = before_chain(account);
        let (mut new, mut old) = (Vec::new(), Vec::new());
        for (need, why) in needs {
            if checked.contains(&(need.action.to_ascii_lowercase(), need.resource.clone())) {
                continue;
            }
            let d = decide(&role, &need, &chain);
            if !denied(&d) {
                continue;
            }
            let was = bchain
                .as_ref()
                .is_some_and(|c| denied(&decide(&role, &need, c)));
            if was {
                old.push((d, why))
            } else {
                new.push((d, why))
            }
        }
        let what = if is_managed {
            "which later plans need to manage the roles the configuration declares there"
        } else {
            "which a later plan would need to manage roles there (the configuration declares none yet)"
        };
        for (severity, when, list) in [
            (
                if is_managed {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                "after this apply its SCPs would deny",
                new,
            ),
            (
                Severity::Warning,
                "its SCPs already deny (before this plan)",
                if is_managed { old } else { Vec::new() },
            ),
        ] {
            for (by, items) in grouped(list) {
                out.push(Lockout {
                    kind: Kind::FutureNeeds,
                    severity,
                    target: target.clone(),
                    reason: format!(
                        "{when} orgchard's member-access role {role_arn} {items}, {what}: {by}"
                    ),
                });
            }
        }
    }
    // (c) A caller in a member account.
    if let Some(caller) = caller.filter(|c| c.account != mgmt)
        && let Some(chain) = model.chain(&after, &caller.account)
    {
        out.extend(caller_lockouts(
            &model,
            caller,
            &chain,
            management_scope,
            &role_name,
            &name_of(live, plan, &caller.account),
        ));
    }
    out
}

/// [`Kind::Caller`]: the Organizations and STS calls of the plan and of the reader, made by
/// a caller in a member account, against the SCPs over that account after the apply.
fn caller_lockouts(
    model: &Model<'_>,
    caller: &Caller,
    chain: &[Vec<NamedPolicy>],
    plan_calls: Vec<Need>,
    role_name: &str,
    target: &str,
) -> Vec<Lockout> {
    let who = Principal {
        arn: caller.principal_arn.clone(),
        account: caller.account.clone(),
    };
    let mut needs: Vec<(Need, &'static str)> = READ_ACTIONS
        .iter()
        .map(|a| (Need::plain(*a, "*"), "planner reads"))
        .collect();
    for account in model.entered_accounts() {
        needs.push((
            Need::plain(
                "sts:AssumeRole",
                iam::arns::role("aws", &account, None, role_name),
            ),
            "entering the account",
        ));
    }
    needs.extend(
        plan_calls
            .into_iter()
            .filter(|n| n.action.starts_with("organizations:") || n.action.starts_with("sts:"))
            .map(|n| (n, "this plan's calls")),
    );
    let mut seen = BTreeSet::new();
    let denials = needs
        .into_iter()
        .filter(|(n, _)| {
            seen.insert((
                n.action.clone(),
                n.resource.clone(),
                format!("{:?}", n.context),
            ))
        })
        .map(|(n, why)| (decide(&who, &n, chain), why))
        .filter(|(d, _)| denied(d))
        .collect();
    grouped(denials)
        .into_iter()
        .map(|(by, items)| Lockout {
            kind: Kind::Caller,
            severity: Severity::Error,
            target: format!("the caller's {target}"),
            reason: format!(
                "the caller {} is in a member account, and after this apply its SCPs would deny it {items}, which the management workflow needs: {by}",
                caller.principal_arn,
            ),
        })
        .collect()
}

/// [`Kind::DenyAll`], unless the account was already locked before this plan.
fn deny_all(
    account: &str,
    chain: &[Vec<NamedPolicy>],
    before: Option<&[Vec<NamedPolicy>]>,
    target: &str,
) -> Option<Lockout> {
    let who = Principal {
        arn: crate::vocab::arn::role("aws", account, None, "any"),
        account: account.to_string(),
    };
    let all_denied = |c: &[Vec<NamedPolicy>]| -> Option<Decision> {
        let ds: Vec<Decision> = REPRESENTATIVE
            .iter()
            .map(|a| decide(&who, &Need::plain(*a, "*"), c))
            .collect();
        ds.iter()
            .all(|d| !d.outcome.is_allowed())
            .then(|| ds.into_iter().next())
            .flatten()
    };
    let d = all_denied(chain)?;
    if before.is_some_and(|c| all_denied(c).is_some()) {
        return None; // Not this plan's doing.
    }
    let why = match (&d.statement, d.level) {
        (Some(st), _) => format!("{st} denies it"),
        (None, Some(level)) => format!(
            "at level {level} of its chain (root = 0) no SCP allows anything: attached are [{}]",
            d.level_policies.join(", ")
        ),
        _ => d.to_string(),
    };
    Some(Lockout {
        kind: Kind::DenyAll,
        severity: Severity::Error,
        target: target.to_string(),
        reason: format!(
            "after this apply its SCPs would deny every action (e.g. FullAWSAccess detached with nothing allowing in its place): {why}"
        ),
    })
}

fn name_of(live: &LiveOrg, plan: &Plan, id: &str) -> String {
    if let Some(a) = live.accounts.get(id) {
        return format!("account {} ({id})", a.account.name);
    }
    let ph = super::Placeholders::new(plan);
    for op in &plan.operations {
        if let Some(a) = op.op.produces()
            && ph.id(&IdRef::After(a.clone())) == id
        {
            return format!("{a} (a new account)");
        }
    }
    format!("account {id}")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::api::Api;
    use crate::backend::ConnectOptions;
    use crate::backend::client::{Client, RetryPolicy};
    use crate::backend::emulator::{Emulator, InitOptions, fresh_state};
    use crate::config::{self, VarInputs};
    use crate::plan::diff::PlanOptions;

    struct Org {
        emu: Arc<Emulator>,
        client: Arc<Client>,
    }

    fn desired(hcl: &str) -> crate::model::Desired {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.hcl"), hcl).unwrap();
        config::load(dir.path(), &VarInputs::default())
            .unwrap_or_else(|d| panic!("{}", d.render(false)))
    }

    impl Org {
        fn new() -> Org {
            let state = fresh_state(&InitOptions {
                rate_limits: false,
                ..InitOptions::default()
            })
            .unwrap();
            let emu = Arc::new(Emulator::in_memory(state, &ConnectOptions::default()));
            let api: Arc<dyn Api> = emu.clone();
            Org {
                emu,
                client: Arc::new(Client::new(api, |_| None, RetryPolicy::default())),
            }
        }

        async fn plan(&self, hcl: &str) -> (Plan, LiveOrg) {
            crate::plan::make(&desired(hcl), &self.client, &PlanOptions::default())
                .await
                .expect("plan")
        }

        async fn apply(&self, hcl: &str) {
            let (plan, _) = self.plan(hcl).await;
            let order = crate::plan::graph::random_order(&plan, 0);
            crate::apply::apply_in_order(&plan, self.client.clone(), &order)
                .await
                .unwrap_or_else(|(i, e)| panic!("{}: {e}", plan.operations[i].op.describe()));
        }

        async fn lockouts(&self, hcl: &str, caller: Option<&Caller>) -> Vec<Lockout> {
            let (plan, live) = self.plan(hcl).await;
            check(&plan, &live, caller)
        }
    }

    fn errors(l: &[Lockout]) -> Vec<&Lockout> {
        l.iter().filter(|l| l.is_error()).collect()
    }

    fn scp(label: &str, name: &str, statement: &str) -> String {
        format!(
            "policy \"{label}\" {{\n  type = \"SERVICE_CONTROL_POLICY\"\n  name = \"{name}\"\n  content = jsonencode({{ Version = \"2012-10-17\", Statement = [{statement}] }})\n}}\n"
        )
    }

    const BASE: &str = "organization {\n  enabled_policy_types = [\"SERVICE_CONTROL_POLICY\"]\n}\norganizational_unit \"w\" {\n  name = \"W\"\n  POLICIES\n}\naccount \"x\" {\n  name  = \"X\"\n  email = \"x@example.com\"\n  parent = organizational_unit.w\n}\naccount \"y\" {\n  name  = \"Y\"\n  email = \"y@example.com\"\n}\n";

    const ROLE_X: &str = "role \"r\" {\n  account = account.x\n  name = \"Reader\"\n  trusted_accounts = [management.id]\n  inline_policy \"read\" {\n    policy = jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Action = \"s3:GetObject\", Resource = \"*\" }] })\n  }\n}\n";

    const NO_ROLE_CHANGES: &str = "{ Sid = \"NoRoleChanges\", Effect = \"Deny\", Action = [\"iam:UpdateRole\", \"iam:PutRolePolicy\"], Resource = \"*\" }";

    fn base(policies: &str) -> String {
        BASE.replace("POLICIES", policies)
    }

    #[tokio::test(start_paused = true)]
    async fn planner_role_reads_are_the_readers_calls() {
        let org = Org::new();
        org.apply(&(base("") + ROLE_X)).await;
        let (_, live) = org.plan(&(base("") + ROLE_X)).await;
        let x = live
            .accounts
            .values()
            .find(|a| a.account.name == "X")
            .unwrap()
            .account
            .id
            .clone();
        let before = org.emu.stats().calls;
        let mut l2 = live.clone();
        let query = crate::plan::read::RoleQuery {
            names: ["Reader".to_string()].into(),
        };
        crate::plan::read::read_roles(&org.client, &mut l2, &[(x, query)].into())
            .await
            .unwrap();
        let after = org.emu.stats().calls;
        let made: BTreeSet<String> = after
            .iter()
            .filter(|(op, c)| before.get(*op).map(|b| b.calls) != Some(c.calls))
            .map(|(op, _)| op.clone())
            .collect();
        let listed: BTreeSet<String> = PLANNER_ROLE_READS
            .iter()
            .map(|o| o.name().to_string())
            .collect();
        assert_eq!(made, listed);
    }

    #[tokio::test(start_paused = true)]
    async fn attaching_an_scp_that_denies_role_writes_where_roles_are_managed_is_an_error() {
        let org = Org::new();
        org.apply(&(base("") + ROLE_X)).await;
        let hcl = base("policies = [aws_policy.FullAWSAccess, policy.guard]")
            + ROLE_X
            + &scp("guard", "Guard", NO_ROLE_CHANGES);
        let found = org.lockouts(&hcl, None).await;
        let errs = errors(&found);
        assert_eq!(errs.len(), 1, "{found:#?}");
        let e = errs[0];
        assert_eq!(e.kind, Kind::FutureNeeds);
        assert!(e.target.contains("account X"), "{e}");
        for text in [
            "iam:UpdateRole",
            "iam:PutRolePolicy",
            "role/Reader",
            "Guard (policy.guard)",
            "NoRoleChanges",
            "role/OrganizationAccountAccessRole",
        ] {
            assert!(e.reason.contains(text), "missing {text} in {e}");
        }
        assert!(!e.reason.contains("iam:CreateRole"), "{e}");
        // Y has no managed roles and is not under the OU: nothing about it.
        assert!(
            found.iter().all(|l| !l.target.contains("account Y")),
            "{found:#?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_same_scp_where_no_roles_are_managed_is_a_warning() {
        let org = Org::new();
        org.apply(&base("")).await;
        let hcl = base("policies = [aws_policy.FullAWSAccess, policy.guard]")
            + &scp("guard", "Guard", NO_ROLE_CHANGES);
        let found = org.lockouts(&hcl, None).await;
        assert!(errors(&found).is_empty(), "{found:#?}");
        let w = found
            .iter()
            .find(|l| {
                l.kind == Kind::FutureNeeds
                    && l.severity == Severity::Warning
                    && l.target.contains("account X")
            })
            .unwrap_or_else(|| panic!("{found:#?}"));
        assert!(w.reason.contains("NoRoleChanges"), "{w}");
        assert!(w.to_string().starts_with("possible lockout: "), "{w}");
    }

    #[tokio::test(start_paused = true)]
    async fn updating_an_attached_scps_content_is_checked_with_the_new_document() {
        let org = Org::new();
        let harmless = "{ Sid = \"NoLeaving\", Effect = \"Deny\", Action = \"organizations:LeaveOrganization\", Resource = \"*\" }";
        let attached = base("policies = [aws_policy.FullAWSAccess, policy.guard]") + ROLE_X;
        org.apply(&(attached.clone() + &scp("guard", "Guard", harmless)))
            .await;
        let found = org
            .lockouts(
                &(attached.clone() + &scp("guard", "Guard", NO_ROLE_CHANGES)),
                None,
            )
            .await;
        let errs = errors(&found);
        assert_eq!(errs.len(), 1, "{found:#?}");
        assert!(errs[0].reason.contains("NoRoleChanges"), "{}", errs[0]);
        // Once applied, the denial is no longer this plan's doing: a warning on every plan.
        let (plan, _) = org
            .plan(&(attached.clone() + &scp("guard", "Guard", NO_ROLE_CHANGES)))
            .await;
        let order = crate::plan::graph::random_order(&plan, 0);
        crate::apply::apply_in_order(&plan, org.client.clone(), &order)
            .await
            .unwrap();
        let found = org
            .lockouts(&(attached + &scp("guard", "Guard", NO_ROLE_CHANGES)), None)
            .await;
        assert!(errors(&found).is_empty(), "{found:#?}");
        assert!(
            found
                .iter()
                .any(|l| l.reason.contains("already deny") && l.reason.contains("NoRoleChanges")),
            "{found:#?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn detaching_full_aws_access_for_an_allow_list_without_iam_is_an_error() {
        let org = Org::new();
        org.apply(&(base("") + ROLE_X)).await;
        let allow_list = "{ Sid = \"OnlyS3\", Effect = \"Allow\", Action = [\"s3:*\", \"sts:*\"], Resource = \"*\" }";
        let hcl = base("policies = [policy.only]") + ROLE_X + &scp("only", "OnlyS3", allow_list);
        let found = org.lockouts(&hcl, None).await;
        let errs = errors(&found);
        assert!(!errs.is_empty(), "{found:#?}");
        // Not every action is denied (s3 is allowed): the role's needs are what is named.
        assert!(
            errs.iter().all(|e| e.kind == Kind::FutureNeeds),
            "{found:#?}"
        );
        assert!(
            errs.iter().any(|e| e.reason.contains("iam:ListRoles")
                && e.reason.contains("no statement allows it")
                && e.reason.contains("OnlyS3")),
            "{found:#?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_exception_for_the_member_access_role_by_principal_arn_is_honoured() {
        let org = Org::new();
        org.apply(&(base("") + ROLE_X)).await;
        let guard = "{ Sid = \"OnlyOrgchard\", Effect = \"Deny\", Action = \"iam:*\", Resource = \"*\", Condition = { ArnNotLike = { \"aws:PrincipalArn\" = \"arn:aws:iam::*:role/OrganizationAccountAccessRole\" } } }";
        let hcl = base("policies = [aws_policy.FullAWSAccess, policy.guard]")
            + ROLE_X
            + &scp("guard", "Guard", guard);
        let found = org.lockouts(&hcl, None).await;
        assert!(found.is_empty(), "{found:#?}");
        // The same guard excepting another role locks orgchard out.
        let other = guard.replace("OrganizationAccountAccessRole", "Admin");
        let hcl = base("policies = [aws_policy.FullAWSAccess, policy.guard]")
            + ROLE_X
            + &scp("guard", "Guard", &other);
        let found = org.lockouts(&hcl, None).await;
        assert!(
            errors(&found)
                .iter()
                .any(|e| e.reason.contains("OnlyOrgchard")),
            "{found:#?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_operation_of_this_plan_denied_in_the_final_chain_names_the_change() {
        let org = Org::new();
        let deny = "{ Sid = \"NoRoles\", Effect = \"Deny\", Action = \"iam:CreateRole\", Resource = \"*\" }";
        let setup = base("policies = [aws_policy.FullAWSAccess, policy.guard]")
            + &scp("guard", "NoRoles", deny);
        org.apply(&setup).await;
        let found = org.lockouts(&(setup + ROLE_X), None).await;
        let errs = errors(&found);
        let e = errs
            .iter()
            .find(|e| e.kind == Kind::PlanOperation)
            .unwrap_or_else(|| panic!("{found:#?}"));
        for text in [
            "role.r",
            "CreateRole Reader",
            "iam:CreateRole",
            "NoRoles",
            "account X",
        ] {
            assert!(e.to_string().contains(text), "missing {text} in {e}");
        }
        // Reported once: the future-needs check does not repeat the plan's own request.
        assert_eq!(
            errs.iter()
                .filter(|e| e.reason.contains("iam:CreateRole on arn:aws:iam::")
                    && e.reason.contains("role/Reader"))
                .count(),
            1,
            "{found:#?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_caller_in_a_member_account_is_checked_against_its_own_scps() {
        let org = Org::new();
        org.apply(&base("")).await;
        let (_, live) = org.plan(&base("")).await;
        let x = live
            .accounts
            .values()
            .find(|a| a.account.name == "X")
            .unwrap()
            .account
            .id
            .clone();
        let caller = Caller {
            principal_arn: format!("arn:aws:sts::{x}:assumed-role/Delegated/ci"),
            account: x.clone(),
        };
        let guard = "{ Sid = \"NoOrgReads\", Effect = \"Deny\", Action = \"organizations:List*\", Resource = \"*\" }";
        let hcl = base("policies = [aws_policy.FullAWSAccess, policy.guard]")
            + &scp("guard", "Guard", guard);
        let found = org.lockouts(&hcl, Some(&caller)).await;
        let e = found
            .iter()
            .find(|l| l.kind == Kind::Caller)
            .unwrap_or_else(|| panic!("{found:#?}"));
        assert!(e.is_error());
        for text in [
            "organizations:ListRoots",
            "NoOrgReads",
            "Guard",
            "Delegated",
            &x,
        ] {
            assert!(e.to_string().contains(text), "missing {text} in {e}");
        }
        // The same caller in the management account is exempt from SCPs.
        let mgmt = Caller {
            principal_arn: "arn:aws:iam::1:user/u".into(),
            account: live.organization.master_account_id.clone(),
        };
        let found = org.lockouts(&hcl, Some(&mgmt)).await;
        assert!(found.iter().all(|l| l.kind != Kind::Caller), "{found:#?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_new_account_under_a_deny_all_ou_is_a_lockout() {
        let org = Org::new();
        let deny_only = "{ Sid = \"NoLeaving\", Effect = \"Deny\", Action = \"organizations:LeaveOrganization\", Resource = \"*\" }";
        let hcl = base("policies = [policy.deny_only]") + &scp("deny_only", "DenyOnly", deny_only);
        let found = org.lockouts(&hcl, None).await;
        assert!(
            found
                .iter()
                .any(|l| l.kind == Kind::DenyAll && l.target == "account.x (a new account)"),
            "{found:#?}"
        );
    }
}
