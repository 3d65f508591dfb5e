//! The operation graph: which operation must finish before which, built from the plan's
//! operations by a list of small named rules (as Terraform's transformers), then checked for
//! cycles with petgraph. The applier walks this graph and nothing else.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use rand::SeedableRng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

use crate::addr::Address;
use crate::model::RefTarget;
use crate::model::live::ROLES_TAG;

use super::ops::{IdRef, Op};
use super::{Edge, Plan};

/// The operations that form a cycle, described.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the operations depend on each other in a cycle: {}", .0.join(" -> "))]
pub struct CycleError(pub Vec<String>);

struct Edges {
    set: HashSet<(usize, usize)>,
    list: Vec<Edge>,
}

impl Edges {
    fn add(&mut self, from: usize, to: usize, reason: impl Into<String>) {
        if from != to && self.set.insert((from, to)) {
            self.list.push(Edge {
                from,
                to,
                reason: reason.into(),
            });
        }
    }
}

/// One ordering rule: its name, and what adds its edges.
type Rule = (&'static str, fn(&Context<'_>, &mut Edges));

/// The ordering rules, in the order they add edges (the first rule to add an edge gives its
/// reason). Each is a function below; a new rule is one function and one line here.
const RULES: &[Rule] = &[
    ("needs ids", needs_ids),
    ("policy types", policy_types),
    ("service access", service_access),
    ("roles tag", roles_tag),
    ("policy deletion", policy_deletion),
    ("OU deletion", ou_deletion),
    ("guardrails first", guardrails_first),
    ("depends_on", depends_on_rule),
];

/// What the rules read: the plan's operations, the operation that yields each new
/// resource's id, and the configuration's `depends_on` pairs.
struct Context<'p> {
    plan: &'p Plan,
    ops: Vec<&'p Op>,
    producer: BTreeMap<Address, usize>,
    depends_on: &'p [(Address, Address)],
}

/// Computes `plan.edges` from the ordering rules, the planner's own `extra` edges and the
/// configuration's `depends_on` pairs (dependent, dependency), and checks for cycles.
pub fn order(
    plan: &mut Plan,
    extra: &[(usize, usize, String)],
    depends_on: &[(Address, Address)],
) -> Result<(), CycleError> {
    let mut e = Edges {
        set: HashSet::new(),
        list: Vec::new(),
    };
    for (from, to, why) in extra {
        e.add(*from, *to, why.clone());
    }
    {
        let ops: Vec<&Op> = plan.operations.iter().map(|p| &p.op).collect();
        // Producers: the operation that yields each new resource's id.
        let mut producer: BTreeMap<Address, usize> = BTreeMap::new();
        for (i, op) in ops.iter().enumerate() {
            if let Some(a) = op.produces() {
                producer.insert(a.clone(), i);
            }
            if let Op::CreateRole { .. } = op {
                producer.insert(plan.operations[i].address.clone(), i);
            }
        }
        let context = Context {
            plan,
            ops,
            producer,
            depends_on,
        };
        for (_, rule) in RULES {
            rule(&context, &mut e);
        }
    }
    let mut edges = e.list;
    edges.sort_by_key(|e| (e.from, e.to));
    plan.edges = edges;
    check_acyclic(plan)
}

/// An operation runs after the one that yields an id or value it uses.
fn needs_ids(c: &Context<'_>, e: &mut Edges) {
    let ops = &c.ops;
    for (i, op) in ops.iter().enumerate() {
        for a in op.waits_for() {
            if let Some(&p) = c.producer.get(a) {
                e.add(p, i, format!("needs the id of {a}"));
            }
        }
        for v in op.values() {
            for (target, attr) in v.unknown_refs() {
                if let RefTarget::Resource(a) = &target
                    && let Some(&p) = c.producer.get(a)
                {
                    e.add(p, i, format!("needs {a}.{attr}"));
                }
            }
        }
    }
}

/// A policy type is enabled before policies of it are created or attached, and
/// disabled after they are detached and deleted.
fn policy_types(c: &Context<'_>, e: &mut Edges) {
    let ops = &c.ops;
    for (i, op) in ops.iter().enumerate() {
        match op {
            Op::EnablePolicyType { policy_type, .. } => {
                for (j, other) in ops.iter().enumerate() {
                    if op_policy_type(other) == Some(policy_type) {
                        e.add(i, j, format!("{policy_type} is enabled first"));
                    }
                }
            }
            Op::DisablePolicyType { policy_type, .. } => {
                for (j, other) in ops.iter().enumerate() {
                    if op_policy_type(other) == Some(policy_type) {
                        e.add(j, i, format!("{policy_type} is disabled last"));
                    }
                }
            }
            _ => {}
        }
    }
}

/// Trusted access before a delegated administrator for the service; deregistering
/// before registering another (many services allow only one) and before disabling access.
fn service_access(c: &Context<'_>, e: &mut Edges) {
    let ops = &c.ops;
    for (i, op) in ops.iter().enumerate() {
        match op {
            Op::EnableServiceAccess { principal } => {
                for (j, other) in ops.iter().enumerate() {
                    if matches!(other, Op::RegisterDelegatedAdministrator { principal: p, .. } if p == principal)
                    {
                        e.add(i, j, format!("trusted access for {principal} first"));
                    }
                }
            }
            Op::DeregisterDelegatedAdministrator { principal, .. } => {
                for (j, other) in ops.iter().enumerate() {
                    match other {
                        Op::RegisterDelegatedAdministrator { principal: p, .. } if p == principal => {
                            e.add(i, j, format!("the old delegated administrator for {principal} goes first"))
                        }
                        Op::DisableServiceAccess { principal: p } if p == principal => {
                            e.add(i, j, format!("delegated administrators for {principal} go before its trusted access"))
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

/// An account gets the roles tag before any operation on the roles inside it, and
/// loses it after all of them: every account holding a role orgchard owns carries the tag,
/// and the reader looks for owned roles only there (an interrupted apply leaves the tag).
fn roles_tag(c: &Context<'_>, e: &mut Edges) {
    let ops = &c.ops;
    for (i, op) in ops.iter().enumerate() {
        let (account, first) = match op {
            Op::TagResource { resource, tags } if tags.contains_key(ROLES_TAG) => (resource, true),
            Op::UntagResource { resource, keys } if keys.contains(ROLES_TAG) => (resource, false),
            _ => continue,
        };
        for (j, other) in ops.iter().enumerate() {
            if other.account_scope() == Some(account) {
                if first {
                    e.add(i, j, format!("the account is tagged {ROLES_TAG} first"));
                } else {
                    e.add(j, i, format!("{ROLES_TAG} is removed after its roles"));
                }
            }
        }
    }
}

/// A policy is detached everywhere, and the OUs it was attached to deleted, before
/// it is deleted.
fn policy_deletion(c: &Context<'_>, e: &mut Edges) {
    let ops = &c.ops;
    for (i, op) in ops.iter().enumerate() {
        if let Op::DeletePolicy { policy } = op {
            for (j, other) in ops.iter().enumerate() {
                match other {
                    Op::DetachPolicy {
                        policy: IdRef::Known(p),
                        ..
                    } if p == policy => e.add(j, i, "detached before it is deleted"),
                    Op::DeleteOu { .. } => {
                        e.add(j, i, "OUs are deleted before the policies on them")
                    }
                    _ => {}
                }
            }
        }
    }
}

/// An OU is emptied (accounts moved out) before it is deleted.
fn ou_deletion(c: &Context<'_>, e: &mut Edges) {
    let ops = &c.ops;
    for (i, op) in ops.iter().enumerate() {
        if let Op::DeleteOu { ou } = op {
            for (j, other) in ops.iter().enumerate() {
                if matches!(other, Op::MoveAccount { from: IdRef::Known(f), .. } if f == ou) {
                    e.add(j, i, "accounts move out before the OU is deleted");
                }
            }
        }
    }
}

/// A target's guardrails are in place before accounts move in or child OUs are
/// created under it, so that no account is ever without them.
fn guardrails_first(c: &Context<'_>, e: &mut Edges) {
    let ops = &c.ops;
    let mut attachments_on: BTreeMap<IdRef, Vec<usize>> = BTreeMap::new();
    for (i, op) in ops.iter().enumerate() {
        if let Op::AttachPolicy { target, .. } | Op::DetachPolicy { target, .. } = op {
            attachments_on.entry(target.clone()).or_default().push(i);
        }
    }
    for (j, op) in ops.iter().enumerate() {
        let into = match op {
            Op::MoveAccount { to, .. } => Some(to),
            Op::CreateOu { parent, .. } => Some(parent),
            _ => None,
        };
        if let Some(target) = into {
            for &i in attachments_on.get(target).into_iter().flatten() {
                e.add(
                    i,
                    j,
                    format!("policies on {target} are in place before anything moves in"),
                );
            }
        }
    }
}

/// `depends_on`: every operation of the dependent (or of what it contains) waits for every
/// operation of the dependency.
fn depends_on_rule(c: &Context<'_>, e: &mut Edges) {
    let mut by_address: BTreeMap<&Address, Vec<usize>> = BTreeMap::new();
    for (i, p) in c.plan.operations.iter().enumerate() {
        by_address.entry(&p.address).or_default().push(i);
    }
    for (dependent, dependency) in c.depends_on {
        let froms: Vec<usize> = by_address
            .iter()
            .filter(|(a, _)| dependency.contains(a))
            .flat_map(|(_, v)| v.clone())
            .collect();
        let tos: Vec<usize> = by_address
            .iter()
            .filter(|(a, _)| dependent.contains(a) || **a == dependent)
            .flat_map(|(_, v)| v.clone())
            .collect();
        for &f in &froms {
            for &t in &tos {
                e.add(f, t, format!("{dependent} depends_on {dependency}"));
            }
        }
    }
}

fn op_policy_type(op: &Op) -> Option<&String> {
    match op {
        Op::CreatePolicy { policy_type, .. }
        | Op::AttachPolicy { policy_type, .. }
        | Op::DetachPolicy { policy_type, .. } => Some(policy_type),
        _ => None,
    }
}

/// The plan's operation graph as petgraph.
pub fn to_graph(plan: &Plan) -> DiGraph<usize, ()> {
    let mut g = DiGraph::with_capacity(plan.operations.len(), plan.edges.len());
    let nodes: Vec<NodeIndex> = (0..plan.operations.len()).map(|i| g.add_node(i)).collect();
    for e in &plan.edges {
        g.add_edge(nodes[e.from], nodes[e.to], ());
    }
    g
}

fn check_acyclic(plan: &Plan) -> Result<(), CycleError> {
    let g = to_graph(plan);
    if toposort(&g, None).is_ok() {
        return Ok(());
    }
    let scc = tarjan_scc(&g)
        .into_iter()
        .find(|c| c.len() > 1)
        .unwrap_or_default();
    let mut names: Vec<String> = scc
        .iter()
        .map(|n| {
            let p = &plan.operations[g[*n]];
            format!("{} ({})", p.address, p.op.describe())
        })
        .collect();
    names.sort();
    if let Some(first) = names.first().cloned() {
        names.push(first);
    }
    Err(CycleError(names))
}

/// A topological order of the operations, choosing at random among the ready ones: tests
/// apply plans in many such orders to prove the edges are enough.
pub fn random_order(plan: &Plan, seed: u64) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = plan.operations.len();
    let mut indegree = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in &plan.edges {
        indegree[e.to] += 1;
        out[e.from].push(e.to);
    }
    let mut ready: Vec<usize> = (0..n).filter(|&i| indegree[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while !ready.is_empty() {
        let &pick = ready.choose(&mut rng).expect("non-empty");
        ready.retain(|&r| r != pick);
        order.push(pick);
        for &next in &out[pick] {
            indegree[next] -= 1;
            if indegree[next] == 0 {
                ready.push(next);
            }
        }
    }
    order
}

/// Keeps only the changes `--target` selects and the operations they need.
pub fn select_targets(plan: &mut Plan, targets: &[Address]) {
    let n = plan.operations.len();
    let mut keep: BTreeSet<usize> = (0..n)
        .filter(|&i| {
            let a = &plan.operations[i].address;
            targets.iter().any(|t| t.contains(a) || t == a)
        })
        .collect();
    // Everything a kept operation waits for is kept too.
    let mut stack: Vec<usize> = keep.iter().copied().collect();
    while let Some(i) = stack.pop() {
        for e in plan.edges.iter().filter(|e| e.to == i) {
            if keep.insert(e.from) {
                stack.push(e.from);
            }
        }
    }
    let remap: BTreeMap<usize, usize> = keep
        .iter()
        .enumerate()
        .map(|(new, &old)| (old, new))
        .collect();
    plan.operations = keep.iter().map(|&i| plan.operations[i].clone()).collect();
    plan.edges = plan
        .edges
        .iter()
        .filter_map(|e| {
            Some(Edge {
                from: *remap.get(&e.from)?,
                to: *remap.get(&e.to)?,
                reason: e.reason.clone(),
            })
        })
        .collect();
    plan.changes.retain_mut(|c| {
        let selected = targets
            .iter()
            .any(|t| t.contains(&c.address) || *t == c.address);
        c.operations = c
            .operations
            .iter()
            .filter_map(|i| remap.get(i).copied())
            .collect();
        selected || !c.operations.is_empty()
    });
}

/// The operation graph in Graphviz DOT.
pub fn to_dot(plan: &Plan) -> String {
    let mut out = String::from(
        "digraph orgchard {\n  rankdir = LR;\n  node [shape = box, fontname = \"monospace\"];\n",
    );
    for (i, p) in plan.operations.iter().enumerate() {
        let label = format!(
            "{}\\n{}",
            dot_escape(&p.address.to_string()),
            dot_escape(&p.op.describe())
        );
        out.push_str(&format!("  op{i} [label = \"{label}\"];\n"));
    }
    for e in &plan.edges {
        out.push_str(&format!(
            "  op{} -> op{} [tooltip = \"{}\"];\n",
            e.from,
            e.to,
            dot_escape(&e.reason)
        ));
    }
    out.push_str("}\n");
    out
}

/// Text for inside a DOT double-quoted string: a backslash there starts an escape (`\"`,
/// `\n`, `\l`), so names holding `\` or `"` are escaped rather than ending the string.
fn dot_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}
