//! The organization as one tree of named nodes (the root, OUs, accounts) with the policies
//! attached directly to each, built from the desired model or from the live organization, and
//! optionally carried forward through a plan's operations with what changes marked. It is the
//! common ground of `chart`, which draws it, and `explain`, which walks a node's chain of
//! attached policies; neither needs to know where the tree came from.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::addr::Address;
use crate::model::live::{LiveOrg, OWNERSHIP_TAG};
use crate::model::{Desired, ParentRef, PolicyRef, Value};
use crate::plan::{IdRef, Op, Plan};
use crate::vocab;

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    Root,
    Ou,
    Account,
}

/// What a plan does to a node or an attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    #[default]
    Unchanged,
    Created,
    Deleted,
    /// An account to another parent.
    Moved,
    /// Renamed, retagged, or (for an attachment) the policy's document changes.
    Changed,
}

impl Mark {
    /// The plan symbol of the mark, as the plan output uses it.
    pub fn symbol(self) -> &'static str {
        match self {
            Mark::Unchanged => "",
            Mark::Created => "+",
            Mark::Deleted => "-",
            Mark::Moved => "→",
            Mark::Changed => "~",
        }
    }

    /// `created`, for legends and labels.
    pub fn word(self) -> &'static str {
        match self {
            Mark::Unchanged => "unchanged",
            Mark::Created => "created",
            Mark::Deleted => "deleted",
            Mark::Moved => "moved",
            Mark::Changed => "changed",
        }
    }

    /// A node already created or deleted stays so whatever else the plan does to it.
    fn upgrade(&mut self, to: Mark) {
        if matches!(self, Mark::Unchanged | Mark::Changed) {
            *self = to;
        }
    }
}

/// One policy directly attached to a node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attachment {
    /// Key into [`OrgTree::policies`].
    pub policy: String,
    pub mark: Mark,
}

/// The root, an OU or an account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    /// Stable within the tree: the live id, or the address of what has no id yet.
    pub key: String,
    pub kind: NodeKind,
    pub name: String,
    pub id: Option<String>,
    pub address: Option<Address>,
    /// Index of the parent in [`OrgTree::nodes`]; None for the root.
    pub parent: Option<usize>,
    /// OUs first, then accounts, each by name.
    pub children: Vec<usize>,
    /// SCPs first, then the other types, each by name.
    pub policies: Vec<Attachment>,
    /// The configuration does not list this node's policies (`policies` absent): the
    /// attachments shown are what AWS attaches by itself.
    pub policies_assumed: bool,
    /// The organization's management account (not subject to SCPs).
    pub management: bool,
    /// Referenced by id in the configuration but not declared in it.
    pub unmanaged: bool,
    pub mark: Mark,
    /// For a moved node: the name of its parent before; for a renamed one: its name before.
    pub was: Option<String>,
}

/// A policy some node has attached.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyInfo {
    pub name: String,
    /// `SERVICE_CONTROL_POLICY`, …; empty when not known (a policy named by id only).
    pub policy_type: String,
    pub id: Option<String>,
    pub address: Option<Address>,
    /// The JSON document, when known.
    pub content: Option<String>,
    pub aws_managed: bool,
    pub mark: Mark,
}

/// The whole tree. Node 0 is the root.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgTree {
    pub nodes: Vec<Node>,
    pub policies: BTreeMap<String, PolicyInfo>,
    pub management_account_id: Option<String>,
    pub organization_id: Option<String>,
    /// Whether SCPs are (to be) enabled.
    pub scps_enabled: bool,
    /// Whether RCPs are (to be) enabled.
    pub rcps_enabled: bool,
}

/// Why a tree cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum TreeError {
    /// A parent chain loops (only a broken backend or state file can make one).
    #[error("the parent chain of {0} loops")]
    Cycle(String),
}

fn policy_order(tree: &OrgTree, a: &Attachment) -> (u8, String, String) {
    let p = tree.policies.get(&a.policy);
    let ty = p.map(|p| p.policy_type.as_str()).unwrap_or("");
    let rank = if vocab::is_scp(ty) {
        0
    } else if vocab::is_rcp(ty) {
        1
    } else {
        2
    };
    (
        rank,
        ty.to_string(),
        p.map(|p| p.name.clone()).unwrap_or_default(),
    )
}

/// The document of `RCPFullAWSAccess`: an RCP statement must name its principals, so it is
/// `FullAWSAccess` with `"Principal": "*"` (AWS Organizations User Guide, "Resource control
/// policies", read 2026-12-06).
pub const RCP_FULL_ACCESS_DOCUMENT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

/// The document of an AWS-managed policy, which the reader does not fetch.
fn managed_document(p: &vocab::AwsManagedPolicy) -> String {
    if vocab::is_rcp(p.policy_type) {
        RCP_FULL_ACCESS_DOCUMENT.to_string()
    } else {
        vocab::FULL_ACCESS_DOCUMENT.to_string()
    }
}

fn content_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        v if v.contains_unknown() => None,
        v => serde_json::to_string(&v.to_json()?).ok(),
    }
}

impl OrgTree {
    fn empty(root_name: &str, root_id: Option<String>) -> OrgTree {
        OrgTree {
            nodes: vec![Node {
                key: root_id.clone().unwrap_or_else(|| "root".to_string()),
                kind: NodeKind::Root,
                name: root_name.to_string(),
                id: root_id,
                address: Some(Address::root()),
                parent: None,
                children: Vec::new(),
                policies: Vec::new(),
                policies_assumed: false,
                management: false,
                unmanaged: false,
                mark: Mark::Unchanged,
                was: None,
            }],
            policies: BTreeMap::new(),
            management_account_id: None,
            organization_id: None,
            scps_enabled: false,
            rcps_enabled: false,
        }
    }

    fn push(&mut self, node: Node) -> usize {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    fn new_node(key: String, kind: NodeKind, name: String) -> Node {
        Node {
            key,
            kind,
            name,
            id: None,
            address: None,
            parent: None,
            children: Vec::new(),
            policies: Vec::new(),
            policies_assumed: false,
            management: false,
            unmanaged: false,
            mark: Mark::Unchanged,
            was: None,
        }
    }

    /// The index of the node with this key.
    pub fn index_of(&self, key: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.key == key)
    }

    /// The nodes from the root down to `index`, inclusive.
    pub fn chain(&self, index: usize) -> Vec<usize> {
        let mut chain = vec![index];
        let mut cur = self.nodes[index].parent;
        while let Some(p) = cur {
            if chain.len() > self.nodes.len() {
                break;
            }
            chain.push(p);
            cur = self.nodes[p].parent;
        }
        chain.reverse();
        chain
    }

    /// Depth of every node (root 0).
    pub fn depths(&self) -> Vec<usize> {
        let mut depth = vec![0; self.nodes.len()];
        let mut stack = vec![0usize];
        while let Some(i) = stack.pop() {
            for &c in &self.nodes[i].children {
                depth[c] = depth[i] + 1;
                stack.push(c);
            }
        }
        depth
    }

    /// Builds the tree the configuration describes. Nodes the configuration names by id only
    /// (a parent it does not manage) appear under the root, marked unmanaged.
    pub fn from_desired(desired: &Desired) -> OrgTree {
        let mut tree = OrgTree::empty(
            "Root",
            desired.root.as_ref().and_then(|r| r.pinned_id.clone()),
        );
        tree.management_account_id = desired.organization.management_account_id.clone();
        tree.scps_enabled = desired.scps_enabled();
        tree.rcps_enabled = match &desired.organization.enabled_policy_types {
            Some(types) => types.iter().any(|t| vocab::is_rcp(t)),
            None => desired
                .policies
                .iter()
                .any(|p| vocab::is_rcp(&p.policy_type)),
        };
        for p in &desired.policies {
            tree.policies.insert(
                p.common.address.to_string(),
                PolicyInfo {
                    name: p.name.clone(),
                    policy_type: p.policy_type.clone(),
                    id: p.common.pinned_id.clone(),
                    address: Some(p.common.address.clone()),
                    content: content_text(&p.content),
                    aws_managed: false,
                    mark: Mark::Unchanged,
                },
            );
        }
        let enabled = (tree.scps_enabled, tree.rcps_enabled);
        let mut by_address: BTreeMap<String, usize> = BTreeMap::new();
        for ou in &desired.organizational_units {
            let mut n =
                Self::new_node(ou.common.address.to_string(), NodeKind::Ou, ou.name.clone());
            n.id = ou.common.pinned_id.clone();
            n.address = Some(ou.common.address.clone());
            let i = tree.push(n);
            by_address.insert(ou.common.address.to_string(), i);
        }
        let mut accounts = Vec::new();
        for a in &desired.accounts {
            let mut n = Self::new_node(
                a.common.address.to_string(),
                NodeKind::Account,
                a.name.clone(),
            );
            n.id = a.common.pinned_id.clone();
            n.address = Some(a.common.address.clone());
            n.management = n.id.is_some() && n.id == tree.management_account_id;
            accounts.push(tree.push(n));
        }
        let parents: Vec<(usize, &ParentRef, Option<&Vec<PolicyRef>>)> = desired
            .organizational_units
            .iter()
            .enumerate()
            .map(|(k, ou)| (k + 1, &ou.parent, ou.policies.as_ref()))
            .chain(
                desired
                    .accounts
                    .iter()
                    .zip(&accounts)
                    .map(|(a, &i)| (i, &a.parent, a.policies.as_ref())),
            )
            .collect();
        let root_policies = desired.root.as_ref().and_then(|r| r.policies.as_ref());
        tree.attach_refs(0, root_policies, enabled);
        for (i, parent, policies) in parents {
            let p = match parent {
                ParentRef::Root => 0,
                ParentRef::OrganizationalUnit(a) => {
                    by_address.get(&a.to_string()).copied().unwrap_or(0)
                }
                ParentRef::Id(id) => match tree.index_of(id) {
                    Some(p) => p,
                    None => {
                        let mut n = Self::new_node(id.clone(), NodeKind::Ou, id.clone());
                        n.id = Some(id.clone());
                        n.unmanaged = true;
                        n.parent = Some(0);
                        let p = tree.push(n);
                        tree.nodes[0].children.push(p);
                        p
                    }
                },
            };
            tree.nodes[i].parent = Some(p);
            tree.nodes[p].children.push(i);
            tree.attach_refs(i, policies, enabled);
        }
        if let Some(m) = tree.management_account_id.clone()
            && !tree.nodes.iter().any(|n| n.management)
        {
            let mut n = Self::new_node(m.clone(), NodeKind::Account, "management account".into());
            n.id = Some(m);
            n.management = true;
            n.parent = Some(0);
            let i = tree.push(n);
            tree.nodes[0].children.push(i);
        }
        tree.finish();
        tree
    }

    /// `enabled`: whether SCPs and RCPs are enabled.
    fn attach_refs(&mut self, node: usize, refs: Option<&Vec<PolicyRef>>, enabled: (bool, bool)) {
        let Some(refs) = refs else {
            // AWS attaches FullAWSAccess (RCPFullAWSAccess) to every new node while SCPs
            // (RCPs) are enabled.
            for (on, p) in [
                (enabled.0, &vocab::FULL_AWS_ACCESS),
                (enabled.1, &vocab::RCP_FULL_AWS_ACCESS),
            ] {
                if on {
                    let key = self.aws_managed(p);
                    self.nodes[node].policies.push(Attachment {
                        policy: key,
                        mark: Mark::Unchanged,
                    });
                    self.nodes[node].policies_assumed = true;
                }
            }
            return;
        };
        for r in refs {
            let key = match r {
                PolicyRef::Policy(a) => a.to_string(),
                PolicyRef::AwsManaged(name) => match vocab::aws_managed_by_name(name) {
                    Some(p) => self.aws_managed(p),
                    None => self.unknown_policy(name),
                },
                PolicyRef::Id(id) => match vocab::aws_managed_by_id(id) {
                    Some(p) => self.aws_managed(p),
                    None => self.unknown_policy(id),
                },
            };
            self.nodes[node].policies.push(Attachment {
                policy: key,
                mark: Mark::Unchanged,
            });
        }
    }

    fn aws_managed(&mut self, p: &vocab::AwsManagedPolicy) -> String {
        self.policies
            .entry(p.id.to_string())
            .or_insert_with(|| PolicyInfo {
                name: p.name.to_string(),
                policy_type: p.policy_type.to_string(),
                id: Some(p.id.to_string()),
                address: None,
                content: Some(managed_document(p)),
                aws_managed: true,
                mark: Mark::Unchanged,
            });
        p.id.to_string()
    }

    fn unknown_policy(&mut self, id: &str) -> String {
        self.policies
            .entry(id.to_string())
            .or_insert_with(|| PolicyInfo {
                name: id.to_string(),
                policy_type: String::new(),
                id: Some(id.to_string()),
                address: None,
                content: None,
                aws_managed: false,
                mark: Mark::Unchanged,
            });
        id.to_string()
    }

    /// Builds the tree of the live organization.
    pub fn from_live(live: &LiveOrg) -> Result<OrgTree, TreeError> {
        let mut tree = OrgTree::empty(&live.root.name, Some(live.root.id.clone()));
        tree.management_account_id = Some(live.organization.master_account_id.clone());
        tree.organization_id = Some(live.organization.id.clone());
        let enabled = live.enabled_policy_types();
        tree.scps_enabled = enabled.iter().any(|t| vocab::is_scp(t));
        tree.rcps_enabled = enabled.iter().any(|t| vocab::is_rcp(t));
        let address = |tags: &BTreeMap<String, String>| {
            tags.get(OWNERSHIP_TAG)
                .and_then(|a| a.parse::<Address>().ok())
        };
        for (id, ou) in &live.ous {
            let mut n = Self::new_node(id.clone(), NodeKind::Ou, ou.ou.name.clone());
            n.id = Some(id.clone());
            n.address = address(&ou.tags);
            tree.push(n);
        }
        for (id, a) in &live.accounts {
            let mut n = Self::new_node(id.clone(), NodeKind::Account, a.account.name.clone());
            n.id = Some(id.clone());
            n.address = address(&a.tags);
            n.management = *id == live.organization.master_account_id;
            tree.push(n);
        }
        let index: BTreeMap<String, usize> = tree
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.key.clone(), i))
            .collect();
        for i in 1..tree.nodes.len() {
            let key = &tree.nodes[i].key;
            let parent = live
                .parent_of(key)
                .and_then(|p| index.get(p))
                .copied()
                .unwrap_or(0);
            tree.nodes[i].parent = Some(parent);
            tree.nodes[parent].children.push(i);
        }
        // A loop would leave nodes unreachable from the root.
        let mut seen = vec![false; tree.nodes.len()];
        let mut stack = vec![0];
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            stack.extend(tree.nodes[i].children.iter().copied());
        }
        if let Some(i) = seen.iter().position(|s| !s) {
            return Err(TreeError::Cycle(tree.nodes[i].key.clone()));
        }
        for (id, p) in &live.policies {
            let managed = vocab::aws_managed_by_id(id);
            tree.policies.insert(
                id.clone(),
                PolicyInfo {
                    name: p.summary.name.clone(),
                    policy_type: p.summary.r#type.clone(),
                    id: Some(id.clone()),
                    address: address(&p.tags),
                    content: p.content.clone().or_else(|| managed.map(managed_document)),
                    aws_managed: p.summary.aws_managed,
                    mark: Mark::Unchanged,
                },
            );
            for t in &p.targets {
                if let Some(&i) = index.get(t) {
                    tree.nodes[i].policies.push(Attachment {
                        policy: id.clone(),
                        mark: Mark::Unchanged,
                    });
                }
            }
        }
        tree.finish();
        Ok(tree)
    }

    fn key_of(r: &IdRef) -> String {
        match r {
            IdRef::Known(id) => id.clone(),
            IdRef::After(a) => a.to_string(),
        }
    }

    fn reparent(&mut self, i: usize, to: usize) {
        if let Some(old) = self.nodes[i].parent {
            self.nodes[old].children.retain(|&c| c != i);
        }
        self.nodes[i].parent = Some(to);
        self.nodes[to].children.push(i);
    }

    /// Carries the tree through a plan's operations: what the plan creates appears, what it
    /// deletes stays in place marked deleted, and moves, renames, retags, attachments and
    /// policy updates are marked. Operations on roles, delegated administrators and service
    /// access do not change the tree.
    pub fn apply_plan(&mut self, plan: &Plan) {
        // Looked up once per operation: a map, not a scan, at thousands of operations.
        let mut index: std::collections::HashMap<String, usize> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.key.clone(), i))
            .collect();
        for op in &plan.operations {
            match &op.op {
                Op::CreateOu {
                    address,
                    parent,
                    name,
                    ..
                } => {
                    let mut n = Self::new_node(address.to_string(), NodeKind::Ou, name.clone());
                    n.address = Some(address.clone());
                    n.mark = Mark::Created;
                    let p = index.get(&Self::key_of(parent)).copied().unwrap_or(0);
                    let i = self.push(n);
                    index.insert(self.nodes[i].key.clone(), i);
                    self.reparent(i, p);
                }
                Op::CreateAccount { address, name, .. } => {
                    let mut n =
                        Self::new_node(address.to_string(), NodeKind::Account, name.clone());
                    n.address = Some(address.clone());
                    n.mark = Mark::Created;
                    // AWS creates every account in the root; a MoveAccount follows.
                    let i = self.push(n);
                    index.insert(self.nodes[i].key.clone(), i);
                    self.reparent(i, 0);
                }
                Op::DeleteOu { ou: id }
                | Op::CloseAccount { account: id }
                | Op::RemoveAccount { account: id } => {
                    if let Some(i) = index.get(id).copied() {
                        self.nodes[i].mark = Mark::Deleted;
                    }
                }
                Op::MoveAccount { account, to, .. } => {
                    let (Some(i), Some(to)) = (
                        index.get(&Self::key_of(account)).copied(),
                        index.get(&Self::key_of(to)).copied(),
                    ) else {
                        continue;
                    };
                    if self.nodes[i].mark != Mark::Created {
                        let from = self.nodes[i].parent.map(|p| self.nodes[p].name.clone());
                        self.nodes[i].was = from;
                        self.nodes[i].mark = Mark::Moved;
                    }
                    self.reparent(i, to);
                }
                Op::RenameOu { ou, name } => {
                    if let Some(i) = index.get(&Self::key_of(ou)).copied() {
                        let old = std::mem::replace(&mut self.nodes[i].name, name.clone());
                        self.nodes[i].was = Some(old);
                        self.nodes[i].mark.upgrade(Mark::Changed);
                    }
                }
                Op::RenameAccount { account, name } => {
                    if let Some(i) = index.get(account).copied() {
                        let old = std::mem::replace(&mut self.nodes[i].name, name.clone());
                        if self.nodes[i].mark != Mark::Moved {
                            self.nodes[i].was = Some(old);
                        }
                        self.nodes[i].mark.upgrade(Mark::Changed);
                    }
                }
                Op::TagResource { resource, .. } | Op::UntagResource { resource, .. } => {
                    if let Some(i) = index.get(&Self::key_of(resource)).copied() {
                        self.nodes[i].mark.upgrade(Mark::Changed);
                    } else if let Some(p) = self.policies.get_mut(&Self::key_of(resource)) {
                        p.mark.upgrade(Mark::Changed);
                    }
                }
                Op::CreatePolicy {
                    address,
                    policy_type,
                    name,
                    content,
                    ..
                } => {
                    self.policies.insert(
                        address.to_string(),
                        PolicyInfo {
                            name: name.clone(),
                            policy_type: policy_type.clone(),
                            id: None,
                            address: Some(address.clone()),
                            content: content_text(content),
                            aws_managed: false,
                            mark: Mark::Created,
                        },
                    );
                }
                Op::UpdatePolicy {
                    policy,
                    name,
                    content,
                    ..
                } => {
                    if let Some(p) = self.policies.get_mut(policy) {
                        if let Some(n) = name {
                            p.name = n.clone();
                        }
                        if let Some(c) = content {
                            p.content = content_text(c);
                        }
                        p.mark.upgrade(Mark::Changed);
                    }
                    if content.is_some() {
                        for n in &mut self.nodes {
                            for a in &mut n.policies {
                                if a.policy == *policy {
                                    a.mark.upgrade(Mark::Changed);
                                }
                            }
                        }
                    }
                }
                Op::DeletePolicy { policy } => {
                    if let Some(p) = self.policies.get_mut(policy) {
                        p.mark = Mark::Deleted;
                    }
                }
                Op::AttachPolicy { policy, target, .. } => {
                    let key = Self::key_of(policy);
                    if let Some(i) = index.get(&Self::key_of(target)).copied() {
                        let atts = &mut self.nodes[i].policies;
                        match atts.iter_mut().find(|a| a.policy == key) {
                            Some(a) => a.mark = Mark::Changed,
                            None => atts.push(Attachment {
                                policy: key,
                                mark: Mark::Created,
                            }),
                        }
                    }
                }
                Op::DetachPolicy { policy, target, .. } => {
                    let key = Self::key_of(policy);
                    if let Some(i) = index.get(&Self::key_of(target)).copied()
                        && let Some(a) = self.nodes[i].policies.iter_mut().find(|a| a.policy == key)
                    {
                        a.mark = Mark::Deleted;
                    }
                }
                Op::EnablePolicyType { policy_type, .. } => {
                    self.scps_enabled |= vocab::is_scp(policy_type);
                    self.rcps_enabled |= vocab::is_rcp(policy_type);
                }
                Op::DisablePolicyType { policy_type, .. } => {
                    self.scps_enabled &= !vocab::is_scp(policy_type);
                    self.rcps_enabled &= !vocab::is_rcp(policy_type);
                }
                _ => {}
            }
        }
        self.finish();
    }

    #[cfg(test)]
    pub(crate) fn finish_for_tests(&mut self) {
        self.finish();
    }

    /// Sorts children and attachments into their display order.
    fn finish(&mut self) {
        for i in 0..self.nodes.len() {
            let mut children = std::mem::take(&mut self.nodes[i].children);
            children.sort_by(|&a, &b| {
                let (a, b) = (&self.nodes[a], &self.nodes[b]);
                (a.kind, &a.name, &a.key).cmp(&(b.kind, &b.name, &b.key))
            });
            self.nodes[i].children = children;
            let mut atts = std::mem::take(&mut self.nodes[i].policies);
            atts.sort_by_cached_key(|a| policy_order(self, a));
            atts.dedup_by(|a, b| a.policy == b.policy);
            self.nodes[i].policies = atts;
        }
    }

    /// Finds an account (or any node) by address, name or id. Names may be ambiguous: the
    /// error lists the candidates.
    pub fn find_account(&self, query: &str) -> Result<usize, FindError> {
        let accounts = || {
            self.nodes
                .iter()
                .enumerate()
                .filter(|(_, n)| n.kind == NodeKind::Account)
        };
        if let Some((i, _)) = accounts().find(|(_, n)| {
            n.id.as_deref() == Some(query)
                || n.key == query
                || n.address.as_ref().is_some_and(|a| a.to_string() == query)
        }) {
            return Ok(i);
        }
        let named: Vec<usize> = accounts()
            .filter(|(_, n)| n.name == query)
            .map(|(i, _)| i)
            .collect();
        match named.as_slice() {
            [i] => Ok(*i),
            [] => {
                let mut near: Vec<String> = accounts()
                    .filter(|(_, n)| strsim::jaro_winkler(&n.name, query) > 0.8)
                    .map(|(_, n)| n.name.clone())
                    .collect();
                near.truncate(5);
                Err(FindError::NotFound {
                    query: query.to_string(),
                    near,
                })
            }
            many => Err(FindError::Ambiguous {
                query: query.to_string(),
                candidates: many.iter().map(|&i| self.describe(i)).collect(),
            }),
        }
    }

    /// `Production (account.prod, 111111111111)`.
    pub fn describe(&self, i: usize) -> String {
        let n = &self.nodes[i];
        let mut extra = Vec::new();
        if let Some(a) = n.address.as_ref().filter(|_| n.kind != NodeKind::Root) {
            extra.push(a.to_string());
        }
        if let Some(id) = &n.id {
            extra.push(id.clone());
        }
        if extra.is_empty() {
            n.name.clone()
        } else {
            format!("{} ({})", n.name, extra.join(", "))
        }
    }
}

/// Why an account could not be found.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FindError {
    #[error("no account has the address, id or name {query:?}{}", if near.is_empty() { String::new() } else { format!("; did you mean {}?", near.join(", ")) })]
    NotFound { query: String, near: Vec<String> },
    #[error("{query:?} names several accounts: {}; give its address or id", candidates.join(", "))]
    Ambiguous {
        query: String,
        candidates: Vec<String>,
    },
}
