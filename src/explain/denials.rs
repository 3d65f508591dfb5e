//! What the organization's SCPs deny in one account, grouped by service: every action of the
//! services in the action tables (`data/iam-actions`) is matched against the chain's deny
//! statements (the first that matches, root first, decides: it is the one AWS reports), and
//! evaluated for a missing allow; for the other services, the deny statements' own action
//! patterns are listed as written, and a level that allows only some actions (an allow-list
//! strategy) is reported with what it allows.

use serde::Serialize;

use super::{ExplainError, chain_policies, scp_exemption};
use crate::iam::{
    AuthzRequest, Effect, NamedPolicy, Outcome, Policy, PolicyKind, PolicySet, StatementRef,
    actions, evaluate,
};
use crate::orgtree::OrgTree;
use crate::vocab;

/// How a group of actions is denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum How {
    /// A deny statement applies (under its conditions, if any).
    Denied,
    /// No statement of a level allows them.
    NotAllowed,
}

/// Actions of one service denied by the same statement under the same conditions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DenialGroup {
    /// The service prefix (`iam`), or `*` for a statement that spans services.
    pub service: String,
    /// Action names in AWS's spelling, or patterns as the statement writes them.
    pub actions: Vec<String>,
    /// Whether `actions` is every action of the service the tables know.
    pub whole_service: bool,
    pub how: How,
    /// The level (0 = the root) and node of the deciding policy.
    pub level: usize,
    pub node: String,
    /// The deny statement (for [`How::Denied`]).
    pub statement: Option<StatementRef>,
    /// The level's policies (for [`How::NotAllowed`]).
    pub policies: Vec<String>,
    /// When it applies, in words; empty: always.
    pub conditions: String,
}

/// A level that allows only some actions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AllowList {
    pub level: usize,
    pub node: String,
    pub allowed: Vec<String>,
}

/// What the organization denies in one account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Denials {
    pub account: String,
    /// Why nothing is denied (the management account, SCPs disabled), when so.
    pub exempt: Option<String>,
    pub groups: Vec<DenialGroup>,
    pub allow_lists: Vec<AllowList>,
    pub warnings: Vec<String>,
}

fn resources_text(st: &crate::iam::policy::Statement) -> String {
    match &st.resource {
        Some(r) if !r.patterns.iter().any(|p| p.text == "*") => {
            let list = r
                .patterns
                .iter()
                .map(|p| p.text.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            if r.negated {
                format!("except on {list}")
            } else {
                format!("on {list}")
            }
        }
        Some(r) if r.negated => "on no resource".to_string(),
        _ => String::new(),
    }
}

fn when(st: &crate::iam::policy::Statement) -> String {
    let mut parts = Vec::new();
    let r = resources_text(st);
    if !r.is_empty() {
        parts.push(r);
    }
    let c = super::conditions::describe(&st.conditions);
    if !c.is_empty() {
        parts.push(c);
    }
    parts.join(" and ")
}

fn stmt_ref(np: &NamedPolicy, st: &crate::iam::policy::Statement) -> StatementRef {
    StatementRef {
        policy_id: np.id.clone(),
        sid: st.sid.clone(),
        index: st.index,
    }
}

/// Lists what the SCPs deny in the account at `account` (an index into the tree).
pub fn denials(tree: &OrgTree, account: usize) -> Result<Denials, ExplainError> {
    let mut out = Denials {
        account: tree.describe(account),
        exempt: scp_exemption(tree, account),
        groups: Vec::new(),
        allow_lists: Vec::new(),
        warnings: Vec::new(),
    };
    if out.exempt.is_some() {
        return Ok(out);
    }
    let chain = tree.chain(account);
    let levels = chain_policies(tree, &chain, vocab::SCP, &mut out.warnings)?;
    let id = super::account_id(tree, account);
    let principal = vocab::arn::role("aws", &id, None, super::DEFAULT_ROLE);
    // Missing allows are what the chain decides with its deny statements left out.
    let allows_only: Vec<Vec<NamedPolicy>> = levels
        .iter()
        .map(|level| {
            level
                .iter()
                .map(|np| {
                    let mut p: Policy = (*np.policy).clone();
                    p.statements.retain(|s| s.effect == Effect::Allow);
                    NamedPolicy::new(np.id.clone(), p)
                })
                .collect()
        })
        .collect();
    let allow_all =
        NamedPolicy::parse("(identity)", super::ALLOW_ALL, PolicyKind::Identity).expect("valid");
    let allow_set = PolicySet {
        identity: vec![allow_all],
        scp_chain: Some(allows_only),
        ..Default::default()
    };
    let node_of = |level: usize| tree.describe(chain[level]);
    let mut groups: Vec<DenialGroup> = Vec::new();
    let mut add = |g: DenialGroup, action: String| match groups.iter_mut().find(|x| {
        x.service == g.service
            && x.how == g.how
            && x.level == g.level
            && x.statement == g.statement
            && x.conditions == g.conditions
    }) {
        Some(x) => x.actions.push(action),
        None => groups.push(DenialGroup {
            actions: vec![action],
            ..g
        }),
    };
    for service in actions::services() {
        let mut names: Vec<&str> = service.actions.values().map(|a| a.name.as_str()).collect();
        names.sort_unstable();
        for name in names {
            let action = format!("{}:{name}", service.service);
            let lower = action.to_ascii_lowercase();
            let deny = levels.iter().enumerate().find_map(|(i, level)| {
                level.iter().find_map(|np| {
                    np.policy
                        .statements
                        .iter()
                        .find(|st| st.effect == Effect::Deny && st.action.matches_lower(&lower))
                        .map(|st| (i, np, st))
                })
            });
            let base = DenialGroup {
                service: service.service.clone(),
                actions: Vec::new(),
                whole_service: false,
                how: How::Denied,
                level: 0,
                node: String::new(),
                statement: None,
                policies: Vec::new(),
                conditions: String::new(),
            };
            if let Some((i, np, st)) = deny {
                add(
                    DenialGroup {
                        level: i,
                        node: node_of(i),
                        statement: Some(stmt_ref(np, st)),
                        conditions: when(st),
                        ..base
                    },
                    name.to_string(),
                );
                continue;
            }
            let req = AuthzRequest::new(&principal, &id, &action, "*");
            let d = evaluate(&req, &allow_set);
            if matches!(d.outcome, Outcome::ImplicitDeny | Outcome::Indeterminate)
                && let Some(i) = d.level
            {
                let conditions = if d.outcome == Outcome::Indeterminate {
                    format!("unless {} allow it", d.unknown_keys.join(", "))
                } else {
                    String::new()
                };
                add(
                    DenialGroup {
                        how: How::NotAllowed,
                        level: i,
                        node: node_of(i),
                        policies: d.level_policies.clone(),
                        conditions,
                        ..base
                    },
                    name.to_string(),
                );
            }
        }
    }
    for g in &mut groups {
        let total = actions::service(&g.service).map_or(0, |s| s.actions.len());
        g.whole_service = total > 0 && g.actions.len() == total;
    }
    // Services the tables do not cover: the deny statements' own patterns.
    for (i, level) in levels.iter().enumerate() {
        for np in level {
            for st in np
                .policy
                .statements
                .iter()
                .filter(|s| s.effect == Effect::Deny)
            {
                let patterns: Vec<&str> =
                    st.action.patterns.iter().map(|p| p.text.as_str()).collect();
                let base = DenialGroup {
                    service: String::new(),
                    actions: Vec::new(),
                    whole_service: false,
                    how: How::Denied,
                    level: i,
                    node: node_of(i),
                    statement: Some(stmt_ref(np, st)),
                    policies: Vec::new(),
                    conditions: when(st),
                };
                if st.action.negated {
                    groups.push(DenialGroup {
                        service: "*".into(),
                        actions: vec![format!("every action except {}", patterns.join(", "))],
                        ..base
                    });
                    continue;
                }
                for p in patterns {
                    let service = p.split_once(':').map_or("*", |(s, _)| s);
                    if actions::is_covered_service(service) {
                        continue;
                    }
                    match groups.iter_mut().find(|g| {
                        g.service == service
                            && g.statement == base.statement
                            && g.conditions == base.conditions
                    }) {
                        Some(g) => g.actions.push(p.to_string()),
                        None => groups.push(DenialGroup {
                            service: service.to_string(),
                            actions: vec![p.to_string()],
                            ..base.clone()
                        }),
                    }
                }
            }
        }
    }
    for (i, level) in levels.iter().enumerate() {
        let mut allowed = Vec::new();
        let mut everything = false;
        for np in level {
            for st in np
                .policy
                .statements
                .iter()
                .filter(|s| s.effect == Effect::Allow)
            {
                if st.action.negated || st.action.patterns.iter().any(|p| p.text == "*") {
                    everything |= st.conditions.is_empty();
                    if !everything {
                        allowed.push(format!(
                            "{} ({})",
                            if st.action.negated {
                                "every action but some"
                            } else {
                                "*"
                            },
                            super::conditions::describe(&st.conditions)
                        ));
                    }
                } else {
                    allowed.extend(st.action.patterns.iter().map(|p| p.text.clone()));
                }
            }
        }
        if !everything {
            out.allow_lists.push(AllowList {
                level: i,
                node: node_of(i),
                allowed,
            });
        }
    }
    groups.sort_by(|a, b| {
        let key = |g: &DenialGroup| (g.service == "*", g.service.clone());
        key(a).cmp(&key(b))
    });
    out.groups = groups;
    Ok(out)
}
