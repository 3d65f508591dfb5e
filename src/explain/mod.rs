//! `orgchard explain`: whether the organization's policies let a principal in an account do
//! something, and why, level by level; and, without an action, what they deny there.
//!
//! The chains are read off an [`OrgTree`] (the root, each OU, the account; SCPs, and RCPs for
//! a resource in the organization) and evaluated by the same engine as `policy simulate`, with
//! an identity policy that allows everything, so that the answer is the organization's alone.
//! Each level is then also evaluated on its own for the report: within one level, an explicit
//! deny wins and otherwise one statement must allow, which is how the engine decides an
//! identity layer, so a level's verdict is the engine's verdict with the level's policies as
//! the only (identity) policies.

mod conditions;
pub mod denials;

use std::sync::Arc;

use serde::Serialize;

use crate::iam::{
    AuthzRequest, ContextValue, Decision, NamedPolicy, Outcome, Policy, PolicyKind, PolicySet,
    StatementRef, evaluate,
};
use crate::orgtree::{NodeKind, OrgTree};
use crate::vocab;

pub use conditions::describe as describe_conditions;
pub use denials::{DenialGroup, Denials, denials};

/// The role name a principal is given when none is: any role of the account would do, as
/// the organization's policies see it.
pub const DEFAULT_ROLE: &str = "OrgchardExplain";

/// The account id used for an account the configuration gives no id (one still to create).
pub const PLACEHOLDER_ACCOUNT_ID: &str = "000000000000";

/// What to explain.
#[derive(Debug, Clone, Default)]
pub struct Question {
    /// The account's index in the tree.
    pub account: usize,
    pub action: String,
    /// Default `*`.
    pub resource: Option<String>,
    /// Default a role of the account ([`DEFAULT_ROLE`]).
    pub principal: Option<String>,
    /// `KEY=VALUE` pairs already split; a repeated key makes a multi-valued key.
    pub context: Vec<(String, String)>,
}

/// Why a question cannot be answered.
#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    /// A policy of the chain is not a valid policy.
    #[error("policy {name}: {source}")]
    Policy {
        name: String,
        #[source]
        source: crate::iam::PolicyError,
    },
    /// The principal is not an IAM or STS ARN.
    #[error("--principal {0:?} is not an IAM or STS ARN with an account id")]
    Principal(String),
}

/// What one level of a chain says.
#[derive(Debug, Clone, Serialize)]
pub struct Level {
    /// 0 = the root.
    pub level: usize,
    pub kind: NodeKind,
    /// The node, as [`OrgTree::describe`] names it.
    pub node: String,
    /// The policies attached there, by name.
    pub policies: Vec<String>,
    pub outcome: Outcome,
    /// The statement that allowed or denied at this level.
    pub statement: Option<StatementRef>,
    pub unknown_keys: Vec<String>,
}

/// A chain, or why there is none.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "applies")]
pub enum Chain {
    /// The chain applies: one entry per level, root first.
    Yes { levels: Vec<Level> },
    /// It does not, and why.
    No { reason: String },
}

/// The answer.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub account: String,
    pub account_id: String,
    pub principal: String,
    pub action: String,
    pub resource: String,
    pub allowed: bool,
    /// The engine's decision over every chain, as `policy simulate` gives it.
    pub decision: Decision,
    pub explanation: String,
    pub scp: Chain,
    pub rcp: Chain,
    pub warnings: Vec<String>,
}

/// The identity policy that lets the organization's policies decide alone.
const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// The policies of one type attached at each node of a chain, parsed; policies whose
/// document is not known are left out with a warning.
fn chain_policies(
    tree: &OrgTree,
    chain: &[usize],
    policy_type: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<Vec<NamedPolicy>>, ExplainError> {
    let kind = if vocab::is_rcp(policy_type) {
        PolicyKind::Rcp
    } else {
        PolicyKind::Scp
    };
    let mut levels = Vec::new();
    for &n in chain {
        let mut level = Vec::new();
        for a in &tree.nodes[n].policies {
            if a.mark == crate::orgtree::Mark::Deleted {
                continue;
            }
            let Some(p) = tree.policies.get(&a.policy) else {
                continue;
            };
            if p.policy_type != policy_type {
                continue;
            }
            let Some(content) = &p.content else {
                warnings.push(format!(
                    "the document of {} (attached to {}) is not known until apply; it is left out",
                    p.name, tree.nodes[n].name
                ));
                continue;
            };
            let parsed = Policy::parse(content, kind).map_err(|source| ExplainError::Policy {
                name: p.name.clone(),
                source,
            })?;
            level.push(NamedPolicy::new(p.name.clone(), Arc::new(parsed)));
        }
        levels.push(level);
    }
    Ok(levels)
}

fn level_report(
    tree: &OrgTree,
    chain: &[usize],
    levels: &[Vec<NamedPolicy>],
    request: &AuthzRequest,
) -> Vec<Level> {
    chain
        .iter()
        .zip(levels)
        .enumerate()
        .map(|(i, (&n, policies))| {
            let set = PolicySet {
                identity: policies.clone(),
                ..Default::default()
            };
            let d = evaluate(request, &set);
            Level {
                level: i,
                kind: tree.nodes[n].kind,
                node: tree.describe(n),
                policies: policies.iter().map(|p| p.id.clone()).collect(),
                outcome: d.outcome,
                statement: d.statement,
                unknown_keys: d.unknown_keys,
            }
        })
        .collect()
}

/// The 12-digit id of a node, or the placeholder for one not created yet.
pub fn account_id(tree: &OrgTree, account: usize) -> String {
    tree.nodes[account]
        .id
        .clone()
        .unwrap_or_else(|| PLACEHOLDER_ACCOUNT_ID.to_string())
}

/// Whether SCPs apply to principals of this account, and why not.
fn scp_exemption(tree: &OrgTree, account: usize) -> Option<String> {
    let n = &tree.nodes[account];
    if n.management {
        return Some(
            "the management account is not subject to SCPs (AWS Organizations User Guide, \"Service control policies\")".into(),
        );
    }
    if !tree.scps_enabled {
        return Some("SCPs are not enabled in the organization".into());
    }
    None
}

/// Answers one question against the tree.
pub fn explain(tree: &OrgTree, q: &Question) -> Result<Explanation, ExplainError> {
    let account_id = account_id(tree, q.account);
    let principal = q
        .principal
        .clone()
        .unwrap_or_else(|| vocab::arn::role("aws", &account_id, None, DEFAULT_ROLE));
    let principal_account = principal
        .split(':')
        .nth(4)
        .filter(|a| principal.starts_with("arn:") && !a.is_empty())
        .ok_or_else(|| ExplainError::Principal(principal.clone()))?
        .to_string();
    let mut warnings = Vec::new();
    if principal_account != account_id {
        warnings.push(format!(
            "the principal {principal} is not in account {account_id}; the account's chain is evaluated all the same"
        ));
    }
    let resource = q.resource.clone().unwrap_or_else(|| "*".to_string());
    let mut request = AuthzRequest::new(&principal, &principal_account, &q.action, &resource);
    let mut context: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (k, v) in &q.context {
        context
            .entry(k.to_ascii_lowercase())
            .or_default()
            .push(v.clone());
    }
    for (k, vs) in context {
        let value = if vs.len() == 1 {
            ContextValue::string(vs[0].clone())
        } else {
            ContextValue::list(vs)
        };
        request = request.with_context(k, value);
    }

    let chain = tree.chain(q.account);
    let mut set = PolicySet {
        identity: vec![NamedPolicy::new(
            "(identity: allow everything)",
            Arc::new(Policy::parse(ALLOW_ALL, PolicyKind::Identity).expect("valid")),
        )],
        ..Default::default()
    };
    let scp = match scp_exemption(tree, q.account) {
        Some(reason) => Chain::No { reason },
        None => {
            let levels = chain_policies(tree, &chain, vocab::SCP, &mut warnings)?;
            let report = level_report(tree, &chain, &levels, &request);
            set.scp_chain = Some(levels);
            Chain::Yes { levels: report }
        }
    };
    let rcp = match rcp_chain(tree, &resource, &q.action) {
        Err(reason) => Chain::No { reason },
        Ok(owner) => {
            let chain = tree.chain(owner);
            let levels = chain_policies(tree, &chain, vocab::RCP, &mut warnings)?;
            let report = level_report(tree, &chain, &levels, &request);
            set.rcp_chain = Some(levels);
            Chain::Yes { levels: report }
        }
    };
    let decision = evaluate(&request, &set);
    Ok(Explanation {
        account: tree.describe(q.account),
        account_id,
        principal,
        action: q.action.clone(),
        resource,
        allowed: decision.outcome == Outcome::Allow,
        explanation: decision.to_string(),
        decision,
        scp,
        rcp,
        warnings,
    })
}

/// The account whose RCP chain governs the resource, or why none does.
fn rcp_chain(tree: &OrgTree, resource: &str, action: &str) -> Result<usize, String> {
    if !tree.rcps_enabled {
        return Err("RCPs are not enabled in the organization".into());
    }
    if !crate::iam::actions::rcp_supported(action) {
        return Err(format!(
            "RCPs are not applied to {action}: the action tables do not list its service as one RCPs apply to"
        ));
    }
    let owner = resource
        .split(':')
        .nth(4)
        .filter(|a| resource.starts_with("arn:") && !a.is_empty())
        .ok_or_else(|| "the resource names no account (give --resource ARN)".to_string())?;
    let i = tree
        .nodes
        .iter()
        .position(|n| n.kind == NodeKind::Account && n.id.as_deref() == Some(owner))
        .ok_or_else(|| format!("the resource's account {owner} is not in the organization"))?;
    // AWS Organizations User Guide, "Resource control policies (RCPs)", read 2026-12-06:
    // RCPs do not restrict resources in the management account.
    if tree.nodes[i].management {
        return Err("RCPs do not apply to resources in the management account".into());
    }
    Ok(i)
}

#[cfg(test)]
mod tests;
