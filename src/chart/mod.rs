//! `orgchard chart`: draws an [`OrgTree`] (the OU tree, its accounts, and the policies
//! attached directly to each node, with a plan's changes marked) as Mermaid, Graphviz DOT or
//! a self-contained SVG. The three renderers share what is drawn ([`Item`]s: nodes, with the
//! accounts of a crowded OU collapsed into one) and differ only in syntax and layout.

mod dot;
mod mermaid;
mod svg;

use serde::Serialize;

use crate::orgtree::{Mark, NodeKind, OrgTree};
use crate::vocab;

/// An OU with more accounts than this shows them as one "N accounts" item (the accounts a
/// plan changes, and the management account, are always shown).
pub const DEFAULT_COLLAPSE: usize = 20;

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Mermaid,
    Dot,
    Svg,
}

/// How to draw.
#[derive(Debug, Clone, Copy)]
pub struct ChartOptions {
    pub format: Format,
    /// See [`DEFAULT_COLLAPSE`]; 0 never collapses.
    pub collapse_accounts: usize,
    /// Draw only what a plan changes and the path from the root to it; each parent's
    /// unchanged children become one "N unchanged" box (for a pull-request comment).
    pub changed_only: bool,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            format: Format::Svg,
            collapse_accounts: DEFAULT_COLLAPSE,
            changed_only: false,
        }
    }
}

/// Draws the tree.
pub fn render(tree: &OrgTree, options: &ChartOptions) -> String {
    let keep = options.changed_only.then(|| changed_paths(tree));
    let items = items(tree, options.collapse_accounts, keep.as_deref());
    match options.format {
        Format::Mermaid => mermaid::render(&items),
        Format::Dot => dot::render(&items),
        Format::Svg => svg::render(&items),
    }
}

/// One box of the chart.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Item {
    pub kind: ItemKind,
    /// The node's name (or "N accounts").
    pub title: String,
    /// A second line: the id or address, "management account", "moved from X".
    pub subtitle: Option<String>,
    /// One line per policy type: `SCP: FullAWSAccess, +DenyRootUser`.
    pub policies: Vec<PolicyLine>,
    pub mark: Mark,
    /// Index of the parent item; None for the root.
    pub parent: Option<usize>,
    pub children: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemKind {
    Root,
    Ou,
    Account,
    /// Several accounts shown as one.
    Collapsed,
}

/// The policies of one type attached to a node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PolicyLine {
    /// `SCP`, `RCP`, `TAG`, …
    pub label: String,
    /// Each policy's name with its mark.
    pub policies: Vec<(String, Mark)>,
}

impl PolicyLine {
    /// `SCP: FullAWSAccess, +DenyRootUser, -Old`.
    pub fn text(&self) -> String {
        let names: Vec<String> = self
            .policies
            .iter()
            .map(|(n, m)| format!("{}{n}", m.symbol()))
            .collect();
        format!("{}: {}", self.label, names.join(", "))
    }
}

impl Item {
    /// Every line of the box: title (with the mark's symbol), subtitle, policies.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![match self.mark {
            Mark::Unchanged => self.title.clone(),
            m => format!("{} {}", m.symbol(), self.title),
        }];
        lines.extend(self.subtitle.clone());
        lines.extend(self.policies.iter().map(PolicyLine::text));
        lines
    }
}

fn type_label(policy_type: &str) -> String {
    match vocab::policy_type(policy_type) {
        Some(t) => t.short.to_ascii_uppercase(),
        None if policy_type.is_empty() => "POLICY".to_string(),
        None => policy_type.to_string(),
    }
}

fn policy_lines(tree: &OrgTree, node: usize) -> Vec<PolicyLine> {
    let mut lines: Vec<PolicyLine> = Vec::new();
    for a in &tree.nodes[node].policies {
        let (label, name) = match tree.policies.get(&a.policy) {
            Some(p) => (type_label(&p.policy_type), p.name.clone()),
            None => (type_label(""), a.policy.clone()),
        };
        match lines.iter_mut().find(|l| l.label == label) {
            Some(l) => l.policies.push((name, a.mark)),
            None => lines.push(PolicyLine {
                label,
                policies: vec![(name, a.mark)],
            }),
        }
    }
    lines
}

fn subtitle(tree: &OrgTree, node: usize) -> Option<String> {
    let n = &tree.nodes[node];
    let mut parts = Vec::new();
    if n.management {
        parts.push("management account".to_string());
    }
    if n.unmanaged {
        parts.push("not in the configuration".to_string());
    }
    match n.mark {
        Mark::Moved => {
            if let Some(w) = &n.was {
                parts.push(format!("moved from {w}"));
            }
        }
        Mark::Changed => {
            if let Some(w) = &n.was {
                parts.push(format!("was {w}"));
            }
        }
        _ => {}
    }
    if let Some(id) = &n.id
        && n.kind != NodeKind::Root
        && !n.unmanaged
    {
        parts.push(id.clone());
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// Whether a plan changes the node or one of its attachments.
fn is_changed(tree: &OrgTree, node: usize) -> bool {
    let n = &tree.nodes[node];
    n.mark != Mark::Unchanged || n.policies.iter().any(|a| a.mark != Mark::Unchanged)
}

/// For each node: whether it is changed or an ancestor of a changed node.
fn changed_paths(tree: &OrgTree) -> Vec<bool> {
    let mut keep = vec![false; tree.nodes.len()];
    keep[0] = true;
    for i in 0..tree.nodes.len() {
        if is_changed(tree, i) {
            for k in tree.chain(i) {
                keep[k] = true;
            }
        }
    }
    keep
}

/// What is drawn: every node (or, with `keep`, the nodes it marks), except that an OU's
/// unchanged, unremarkable accounts past the threshold (or the children `keep` leaves out)
/// become one collapsed item.
pub(crate) fn items(tree: &OrgTree, collapse: usize, keep: Option<&[bool]>) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::with_capacity(tree.nodes.len());
    // Depth first from the root, children in the tree's order.
    let mut stack: Vec<(usize, Option<usize>)> = vec![(0, None)];
    while let Some((node, parent)) = stack.pop() {
        let n = &tree.nodes[node];
        let idx = items.len();
        let policies = policy_lines(tree, node);
        // A node whose attachments change is a changed node.
        let mark = match n.mark {
            Mark::Unchanged
                if policies
                    .iter()
                    .any(|l| l.policies.iter().any(|(_, m)| *m != Mark::Unchanged)) =>
            {
                Mark::Changed
            }
            m => m,
        };
        items.push(Item {
            kind: match n.kind {
                NodeKind::Root => ItemKind::Root,
                NodeKind::Ou => ItemKind::Ou,
                NodeKind::Account => ItemKind::Account,
            },
            title: n.name.clone(),
            subtitle: subtitle(tree, node),
            policies,
            mark,
            parent,
            children: Vec::new(),
        });
        if let Some(p) = parent {
            items[p].children.push(idx);
        }
        let accounts: Vec<usize> = n
            .children
            .iter()
            .copied()
            .filter(|&c| tree.nodes[c].kind == NodeKind::Account)
            .collect();
        let plain = |c: usize| {
            let a = &tree.nodes[c];
            a.mark == Mark::Unchanged
                && !a.management
                && a.policies.iter().all(|p| p.mark == Mark::Unchanged)
        };
        let collapsed: std::collections::BTreeSet<usize> = match keep {
            Some(keep) => n.children.iter().copied().filter(|&c| !keep[c]).collect(),
            None if collapse > 0 && accounts.len() > collapse => {
                accounts.iter().copied().filter(|&c| plain(c)).collect()
            }
            None => Default::default(),
        };
        // Pushed in reverse so that they pop in order; the collapsed item comes last.
        if !collapsed.is_empty() {
            let c = items.len();
            items.push(Item {
                kind: ItemKind::Collapsed,
                title: if keep.is_some() {
                    format!("{} unchanged", collapsed.len())
                } else {
                    format!(
                        "{} account{}",
                        collapsed.len(),
                        if collapsed.len() == 1 { "" } else { "s" }
                    )
                },
                subtitle: None,
                policies: Vec::new(),
                mark: Mark::Unchanged,
                parent: Some(idx),
                children: Vec::new(),
            });
            items[idx].children.push(c);
        }
        for &c in n.children.iter().rev() {
            if !collapsed.contains(&c) {
                stack.push((c, Some(idx)));
            }
        }
    }
    // The collapsed items were pushed before their siblings: put them last among them.
    let kinds: Vec<ItemKind> = items.iter().map(|i| i.kind).collect();
    for it in &mut items {
        it.children
            .sort_by_key(|&c| (kinds[c] == ItemKind::Collapsed, c));
    }
    items
}

#[cfg(test)]
mod tests;
