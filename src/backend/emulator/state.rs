//! The emulator's persistent state: everything an emulated organization is made of (the
//! organization, its tree, policies and attachments, per-account IAM, the caller, quotas, the
//! virtual clock, fault settings and call counters), as one serializable value, plus the
//! in-memory [`Index`] derived from it for fast reads and the invariant checks every state
//! must pass.
//!
//! The state stores each fact once (an account's parent is a field of the account; a policy's
//! targets are a set under the policy); lookups the other way round live only in the index,
//! which is rebuilt after each change, so the file can never disagree with itself.

use std::collections::{BTreeMap, BTreeSet};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::vocab;

/// The version of the state file layout. Bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 1;

/// The deepest an OU may sit below the root (AWS: five levels).
pub const MAX_OU_DEPTH: usize = vocab::quotas::MAX_OU_DEPTH;

pub use crate::vocab::{RCP, SCP};
pub const FULL_AWS_ACCESS: &str = vocab::FULL_AWS_ACCESS.id;
pub const RCP_FULL_AWS_ACCESS: &str = vocab::RCP_FULL_AWS_ACCESS.id;

/// The emulator's defaults where they differ from AWS's (see [`vocab::quotas`] for the
/// others): a fresh emulated organization holds orgchard's benchmark size (5,000 accounts),
/// as an organization that had its account quota raised does.
pub const EMULATOR_DEFAULTS: &[(&str, u64)] = &[("accounts", 10_000)];

/// The default of the quota `name` in a fresh emulated organization.
pub fn default_quota(name: &str) -> Option<u64> {
    EMULATOR_DEFAULTS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, d)| *d)
        .or_else(|| vocab::quotas::default_of(name))
}

/// Everything the emulator knows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub format_version: u32,
    pub organization: OrgInfo,
    pub enabled_policy_types: BTreeSet<String>,
    pub root_tags: BTreeMap<String, String>,
    pub ous: BTreeMap<String, OuState>,
    pub accounts: BTreeMap<String, AccountState>,
    pub create_requests: BTreeMap<String, CreateRequest>,
    pub policies: BTreeMap<String, PolicyState>,
    /// Policy id to the ids of the targets it is attached to.
    pub attachments: BTreeMap<String, BTreeSet<String>>,
    /// Service principal to the virtual time (ms) trusted access was enabled.
    pub service_access: BTreeMap<String, u64>,
    /// Account id to service principal to the virtual time (ms) of registration.
    pub delegated_admins: BTreeMap<String, BTreeMap<String, u64>>,
    /// Account id to the IAM entities in it.
    pub iam: BTreeMap<String, AccountIam>,
    /// AWS-managed IAM policies: ARN to document.
    pub aws_managed_iam_policies: BTreeMap<String, String>,
    pub caller: Caller,
    pub quotas: BTreeMap<String, u64>,
    pub clock: Clock,
    pub settings: Settings,
    pub faults: Faults,
    /// Virtual times (ms) of CloseAccount requests, for the rolling 30-day closure quota.
    pub closures: Vec<u64>,
    /// Operation name to its counters.
    pub counters: BTreeMap<String, CallCounter>,
    /// Draws made from the id generator so far (ids are reproducible for a seed).
    pub id_draws: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgInfo {
    pub id: String,
    pub feature_set: vocab::FeatureSet,
    pub management_account_id: String,
    pub root_id: String,
    pub root_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OuState {
    pub name: String,
    pub parent_id: String,
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountState {
    pub name: String,
    pub email: String,
    /// AWS's `State`. State files written before AWS retired `Status` carry `status` with
    /// the same words; they load as the state and are saved as `state` from then on.
    #[serde(alias = "status")]
    pub state: vocab::AccountState,
    /// `CREATED` or `INVITED`.
    pub joined_method: vocab::JoinedMethod,
    pub joined_ms: u64,
    pub parent_id: String,
    pub tags: BTreeMap<String, String>,
    /// When a PENDING_CLOSURE account becomes SUSPENDED.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspends_at_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateRequest {
    pub account_name: String,
    pub email: String,
    pub role_name: String,
    pub tags: BTreeMap<String, String>,
    pub requested_ms: u64,
    /// When the request leaves IN_PROGRESS.
    pub completes_ms: u64,
    pub state: vocab::CreateAccountState,
    /// The id the account gets (drawn at request time so the outcome is reproducible).
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyState {
    pub name: String,
    pub description: String,
    pub r#type: String,
    pub content: String,
    pub aws_managed: bool,
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountIam {
    pub roles: BTreeMap<String, RoleState>,
    pub users: BTreeMap<String, PrincipalState>,
    pub groups: BTreeMap<String, PrincipalState>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleState {
    pub role_id: String,
    pub path: String,
    pub trust_policy: String,
    pub description: Option<String>,
    pub max_session_duration: i32,
    pub permissions_boundary: Option<String>,
    pub inline_policies: BTreeMap<String, String>,
    pub managed_policies: BTreeSet<String>,
    pub tags: BTreeMap<String, String>,
    pub created_ms: u64,
}

/// An IAM user or group: its policies (and, for a user, its groups).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PrincipalState {
    pub id: String,
    pub path: String,
    pub inline_policies: BTreeMap<String, String>,
    pub managed_policies: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub groups: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
}

/// Who calls the emulator: an IAM user of the management account. Its identity policies are
/// the user's own (inline, attached, and those of its groups), so there is one source of truth
/// that IAM reads and the authorization agree on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Caller {
    pub user_name: String,
}

/// The virtual clock: `epoch_s` is the wall-clock second the organization was created at;
/// `elapsed_ms` the virtual time that has passed since, accumulated over every run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clock {
    pub epoch_s: u64,
    pub elapsed_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Virtual latency added to each call.
    pub latency_ms: u64,
    /// Whether AWS's per-API request rates apply.
    pub rate_limits: bool,
    /// Seed of ids, CreateAccount durations and faults.
    pub seed: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Faults {
    /// Probability per call of TooManyRequestsException.
    pub throttle: f64,
    /// Probability per call of ConcurrentModificationException.
    pub concurrent: f64,
    /// Probability per call of ServiceException.
    pub server: f64,
    /// One-shot: simulate a crash right after this many more mutating calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crash_after: Option<u64>,
    /// Mutating calls completed since `crash_after` was set.
    #[serde(default)]
    pub mutating_since_set: u64,
    /// Fault draws made so far (each call draws from its own stream, so a seed gives the same
    /// faults for the same sequence of calls across runs).
    #[serde(default)]
    pub draws: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallCounter {
    pub calls: u64,
    pub errors: u64,
    pub mutating: bool,
}

/// What a target id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    Root,
    Ou,
    Account,
}

impl TargetKind {
    /// The target's type as AWS names it.
    pub fn aws_type(self) -> vocab::TargetType {
        match self {
            TargetKind::Root => vocab::TargetType::Root,
            TargetKind::Ou => vocab::TargetType::OrganizationalUnit,
            TargetKind::Account => vocab::TargetType::Account,
        }
    }
}

impl State {
    pub fn management_account_id(&self) -> &str {
        &self.organization.management_account_id
    }

    pub fn quota(&self, name: &str) -> u64 {
        self.quotas
            .get(name)
            .copied()
            .or_else(|| default_quota(name))
            .unwrap_or(u64::MAX)
    }

    /// Policies of `policy_type` attachable directly to one target, or None for a type
    /// Organizations does not know.
    pub fn attachments_per_target(&self, policy_type: &str) -> Option<usize> {
        let t = vocab::policy_type(policy_type)?;
        Some(self.quota(&t.per_target_quota()) as usize)
    }

    /// The largest document of `policy_type`, in characters, or None for a type
    /// Organizations does not know.
    pub fn max_policy_size(&self, policy_type: &str) -> Option<usize> {
        let t = vocab::policy_type(policy_type)?;
        Some(self.quota(&t.max_size_quota()) as usize)
    }

    /// What `id` names, if it exists.
    pub fn target_kind(&self, id: &str) -> Option<TargetKind> {
        if id == self.organization.root_id {
            Some(TargetKind::Root)
        } else if self.ous.contains_key(id) {
            Some(TargetKind::Ou)
        } else if self.accounts.contains_key(id) {
            Some(TargetKind::Account)
        } else {
            None
        }
    }

    /// Whether `id` is the root or an OU.
    pub fn is_parent(&self, id: &str) -> bool {
        id == self.organization.root_id || self.ous.contains_key(id)
    }

    /// Depth below the root of a parent (root 0, a top-level OU 1).
    pub fn depth(&self, parent_id: &str) -> usize {
        let mut depth = 0;
        let mut cur = parent_id;
        while let Some(ou) = self.ous.get(cur) {
            depth += 1;
            cur = &ou.parent_id;
            if depth > self.ous.len() {
                break; // a cycle; reported by check_invariants
            }
        }
        depth
    }

    /// The chain of parents from the root down to `target` inclusive.
    pub fn chain(&self, target: &str) -> Vec<String> {
        let mut chain = vec![target.to_string()];
        let mut cur = match self.accounts.get(target) {
            Some(a) => a.parent_id.clone(),
            None => match self.ous.get(target) {
                Some(o) => o.parent_id.clone(),
                None => return chain,
            },
        };
        loop {
            chain.push(cur.clone());
            match self.ous.get(&cur) {
                Some(ou) if chain.len() <= self.ous.len() + 2 => cur = ou.parent_id.clone(),
                _ => break,
            }
        }
        chain.reverse();
        chain
    }

    pub fn org_arn(&self) -> String {
        vocab::arn::organization("aws", self.management_account_id(), &self.organization.id)
    }

    pub fn target_arn(&self, id: &str) -> String {
        let (mgmt, org) = (self.management_account_id(), &self.organization.id);
        match self.target_kind(id) {
            Some(TargetKind::Root) => vocab::arn::root("aws", mgmt, org, id),
            Some(TargetKind::Ou) => vocab::arn::ou("aws", mgmt, org, id),
            _ => vocab::arn::account("aws", mgmt, org, id),
        }
    }

    pub fn policy_arn(&self, id: &str) -> String {
        let Some(p) = self.policies.get(id) else {
            return String::new();
        };
        vocab::arn::policy(
            "aws",
            self.management_account_id(),
            &self.organization.id,
            &p.r#type,
            id,
        )
    }

    /// A fresh pseudo-random string from the state's seed; reproducible for a seed and
    /// sequence of calls.
    pub fn draw(&mut self, alphabet: &[u8], len: usize) -> String {
        let mut rng = ChaCha8Rng::seed_from_u64(self.settings.seed);
        rng.set_stream(self.id_draws);
        self.id_draws += 1;
        (0..len)
            .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
            .collect()
    }

    /// A draw in `[lo, hi]` from the id stream.
    pub fn draw_range(&mut self, lo: u64, hi: u64) -> u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(self.settings.seed);
        rng.set_stream(self.id_draws);
        self.id_draws += 1;
        rng.random_range(lo..=hi)
    }

    pub fn new_ou_id(&mut self) -> String {
        let root_suffix = self
            .organization
            .root_id
            .trim_start_matches("r-")
            .to_string();
        loop {
            let id = format!("ou-{root_suffix}-{}", self.draw(LOWER_DIGITS, 8));
            if !self.ous.contains_key(&id) {
                return id;
            }
        }
    }

    pub fn new_account_id(&mut self) -> String {
        loop {
            let id = self.draw(DIGITS, 12);
            if !id.starts_with('0')
                && !self.accounts.contains_key(&id)
                && !self.create_requests.values().any(|r| r.account_id == id)
            {
                return id;
            }
        }
    }

    pub fn new_policy_id(&mut self) -> String {
        loop {
            let id = format!("p-{}", self.draw(LOWER_DIGITS, 8));
            if !self.policies.contains_key(&id) {
                return id;
            }
        }
    }

    /// Checks the invariants every state must keep; returns what is violated.
    pub fn check_invariants(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let root = &self.organization.root_id;
        for (id, ou) in &self.ous {
            if !self.is_parent(&ou.parent_id) {
                problems.push(format!("OU {id} has a missing parent {}", ou.parent_id));
            }
            let depth = self.depth(id);
            if depth > MAX_OU_DEPTH {
                problems.push(format!("OU {id} is {depth} levels deep"));
            }
            // Walking up must reach the root: no cycles.
            let chain = self.chain(id);
            if chain.first() != Some(root) {
                problems.push(format!("OU {id} does not descend from the root"));
            }
        }
        for (id, account) in &self.accounts {
            if !self.is_parent(&account.parent_id) {
                problems.push(format!(
                    "account {id} has a missing parent {}",
                    account.parent_id
                ));
            }
        }
        for (policy, targets) in &self.attachments {
            if !self.policies.contains_key(policy) {
                problems.push(format!("attachments of a missing policy {policy}"));
            }
            for t in targets {
                if self.target_kind(t).is_none() {
                    problems.push(format!("policy {policy} attached to a missing target {t}"));
                }
            }
        }
        if self.enabled_policy_types.contains(SCP) {
            let with_scp: BTreeSet<&String> = self
                .attachments
                .iter()
                .filter(|(p, _)| self.policies.get(*p).is_some_and(|p| p.r#type == SCP))
                .flat_map(|(_, ts)| ts)
                .collect();
            let targets = std::iter::once(root)
                .chain(self.ous.keys())
                .chain(self.accounts.keys());
            for t in targets {
                if !with_scp.contains(t) {
                    problems.push(format!("target {t} has no SCP while SCPs are enabled"));
                }
            }
        }
        problems
    }
}

pub const LOWER_DIGITS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
pub const DIGITS: &[u8] = b"0123456789";
pub const UPPER_DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Lookups the state does not store directly: built when a state is opened, then kept up to
/// date by each change (the calls an apply makes by the thousand change one entry each, and
/// rebuilding the whole index after each would make a call cost more the larger the
/// organization); calls that change many things at once rebuild it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Index {
    /// Parent id to its child OUs, in id order.
    pub child_ous: BTreeMap<String, Vec<String>>,
    /// Parent id to its accounts, in id order.
    pub child_accounts: BTreeMap<String, Vec<String>>,
    /// Target id to the policies attached to it.
    pub target_policies: BTreeMap<String, BTreeSet<String>>,
    /// Policy type to its policies, in id order.
    pub policies_by_type: BTreeMap<String, Vec<String>>,
    /// Whether any account creation or closure is waiting for time to pass (so that calls
    /// need not scan every account when none is).
    pub time_pending: bool,
}

/// Inserts `id` into an id-ordered list, once.
fn insert_sorted(list: &mut Vec<String>, id: &str) {
    if let Err(at) = list.binary_search_by(|c| c.as_str().cmp(id)) {
        list.insert(at, id.to_string());
    }
}

impl Index {
    pub fn build(state: &State) -> Index {
        let mut index = Index::default();
        for (id, ou) in &state.ous {
            index
                .child_ous
                .entry(ou.parent_id.clone())
                .or_default()
                .push(id.clone());
        }
        for (id, a) in &state.accounts {
            index
                .child_accounts
                .entry(a.parent_id.clone())
                .or_default()
                .push(id.clone());
        }
        for (p, targets) in &state.attachments {
            for t in targets {
                index
                    .target_policies
                    .entry(t.clone())
                    .or_default()
                    .insert(p.clone());
            }
        }
        index.time_pending = state
            .create_requests
            .values()
            .any(|r| r.state == vocab::CreateAccountState::InProgress)
            || state.accounts.values().any(|a| a.suspends_at_ms.is_some());
        for (id, p) in &state.policies {
            index
                .policies_by_type
                .entry(p.r#type.clone())
                .or_default()
                .push(id.clone());
        }
        index
    }

    /// Whether anything waits for time to pass, looked up again (after time moved something).
    pub fn refresh_time_pending(&mut self, state: &State) {
        self.time_pending = state
            .create_requests
            .values()
            .any(|r| r.state == vocab::CreateAccountState::InProgress)
            || state.accounts.values().any(|a| a.suspends_at_ms.is_some());
    }

    /// A new OU or account `id` under `parent`, with the attachments it got.
    pub fn add_target(&mut self, state: &State, id: &str, parent: &str, ou: bool) {
        let children = if ou {
            &mut self.child_ous
        } else {
            &mut self.child_accounts
        };
        insert_sorted(children.entry(parent.to_string()).or_default(), id);
        let attached: BTreeSet<String> = state
            .attachments
            .iter()
            .filter(|(_, targets)| targets.contains(id))
            .map(|(p, _)| p.clone())
            .collect();
        if !attached.is_empty() {
            self.target_policies.insert(id.to_string(), attached);
        }
    }

    /// An account moved from one parent to another.
    pub fn move_account(&mut self, id: &str, from: &str, to: &str) {
        if let Some(children) = self.child_accounts.get_mut(from) {
            children.retain(|c| c != id);
            if children.is_empty() {
                self.child_accounts.remove(from);
            }
        }
        insert_sorted(self.child_accounts.entry(to.to_string()).or_default(), id);
    }

    /// A policy attached to a target, or detached from it.
    pub fn set_attached(&mut self, policy: &str, target: &str, attached: bool) {
        if attached {
            self.target_policies
                .entry(target.to_string())
                .or_default()
                .insert(policy.to_string());
        } else if let Some(policies) = self.target_policies.get_mut(target) {
            policies.remove(policy);
            if policies.is_empty() {
                self.target_policies.remove(target);
            }
        }
    }

    /// A new policy.
    pub fn add_policy(&mut self, id: &str, policy_type: &str) {
        insert_sorted(
            self.policies_by_type
                .entry(policy_type.to_string())
                .or_default(),
            id,
        );
    }

    /// The policies of one type attached to a target.
    pub fn policies_of_type<'a>(
        &'a self,
        state: &'a State,
        target: &str,
        policy_type: &'a str,
    ) -> impl Iterator<Item = &'a String> + 'a {
        self.target_policies
            .get(target)
            .into_iter()
            .flatten()
            .filter(move |p| {
                state
                    .policies
                    .get(*p)
                    .is_some_and(|p| p.r#type == policy_type)
            })
    }
}
