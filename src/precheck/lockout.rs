//! Lockout protection at plan time: no account may end up with SCPs that deny every action,
//! and no SCP change this plan makes may deny the member-access role what later operations
//! in that account need. (The management account is exempt from SCPs, so the Organizations
//! and STS calls of the management workflow cannot be locked out by an SCP.)

use crate::iam::{self, AuthzRequest, NamedPolicy, Policy, PolicyKind, PolicySet};

use super::{FULL_AWS_ACCESS, Model};
use crate::model::live::LiveOrg;
use crate::plan::Plan;

/// Representative requests: an account none of which is allowed is locked out.
const REPRESENTATIVE: &[&str] = &[
    "sts:GetCallerIdentity",
    "iam:CreateRole",
    "s3:ListAllMyBuckets",
];

/// One lockout the plan would cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("lockout: {target}: {reason}")]
pub struct Lockout {
    /// The account (and its address when the plan creates it).
    pub target: String,
    pub reason: String,
}

/// Every lockout `plan` would cause, from the SCP chains as they stand after the apply.
pub fn check(plan: &Plan, live: &LiveOrg) -> Vec<Lockout> {
    let model = Model::new(plan, live);
    let after = model.shape(None);
    let before = model.shape(Some(&Default::default()));
    let admin = NamedPolicy::new(
        "any identity policy",
        Policy::parse(FULL_AWS_ACCESS, PolicyKind::Identity).expect("valid"),
    );
    let mut accounts: Vec<String> = live.accounts.keys().cloned().collect();
    accounts.extend(
        plan.operations
            .iter()
            .filter_map(|o| o.op.produces())
            .filter(|a| a.kind == crate::addr::ResourceKind::Account)
            .map(|a| model.ph.id(&crate::plan::IdRef::After(a.clone()))),
    );
    let mut out = Vec::new();
    for account in accounts {
        let Some(chain) = model.chain(&after, &account) else {
            continue;
        };
        let denied: Vec<_> = REPRESENTATIVE
            .iter()
            .map(|a| {
                let req = AuthzRequest::new(
                    format!("arn:aws:iam::{account}:role/any"),
                    account.clone(),
                    *a,
                    "*",
                );
                iam::evaluate(
                    &req,
                    &PolicySet {
                        identity: vec![admin.clone()],
                        scp_chain: Some(chain.clone()),
                        ..PolicySet::default()
                    },
                )
            })
            .filter(|d| !d.outcome.is_allowed())
            .collect();
        if denied.len() == REPRESENTATIVE.len() {
            let was_locked = model
                .chain(&before, &account)
                .map(|c| {
                    REPRESENTATIVE.iter().all(|a| {
                        let req =
                            AuthzRequest::new("arn:aws:iam::1:role/any", account.clone(), *a, "*");
                        !iam::evaluate(
                            &req,
                            &PolicySet {
                                identity: vec![admin.clone()],
                                scp_chain: Some(c.clone()),
                                ..PolicySet::default()
                            },
                        )
                        .outcome
                        .is_allowed()
                    })
                })
                .unwrap_or(false);
            if was_locked {
                continue; // Not this plan's doing.
            }
            let d = &denied[0];
            let why = match (&d.statement, d.level) {
                (Some(st), _) => format!("{st} denies it"),
                (None, Some(level)) => format!(
                    "at level {level} of its chain (root = 0) no SCP allows anything: attached are [{}]",
                    d.level_policies.join(", ")
                ),
                _ => d.to_string(),
            };
            out.push(Lockout {
                target: name_of(live, plan, &account),
                reason: format!(
                    "after this apply its SCPs would deny every action (e.g. FullAWSAccess detached with nothing allowing in its place): {why}"
                ),
            });
        }
    }
    out
}

fn name_of(live: &LiveOrg, plan: &Plan, id: &str) -> String {
    if let Some(a) = live.accounts.get(id) {
        return format!("account {} ({id})", a.account.name);
    }
    let ph = super::Placeholders::new(plan);
    for op in &plan.operations {
        if let Some(a) = op.op.produces() {
            if ph.id(&crate::plan::IdRef::After(a.clone())) == id {
                return format!("account {a}");
            }
        }
    }
    format!("account {id}")
}
