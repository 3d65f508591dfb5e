//! Creating emulator states: a fresh organization (what `orgchard emulator init` writes and
//! what opening a missing file creates), a copy of a snapshot, and the in-memory [`Builder`]
//! that tests and benchmarks use to make large organizations quickly.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::vocab;
use crate::vocab::arn::ADMINISTRATOR_ACCESS;

use super::org::trust_policy_for;
use super::state::*;
use super::store::{self, StoreError};

/// How to create a state file; mirrors the options of `orgchard emulator init`.
#[derive(Debug, Clone, PartialEq)]
pub struct InitOptions {
    /// Start from this snapshot (an emulator state file) instead of a fresh organization.
    pub from: Option<PathBuf>,
    /// The emulated caller's identity policies, as (name, JSON document). Empty: the
    /// AWS-managed AdministratorAccess policy.
    pub caller_policies: Vec<(String, String)>,
    /// Seed of generated ids, CreateAccount durations and faults.
    pub seed: u64,
    pub faults: Faults,
    pub latency_ms: u64,
    pub rate_limits: bool,
    /// Quota overrides by name (see [`vocab::quotas`]).
    pub quotas: BTreeMap<String, u64>,
}

impl Default for InitOptions {
    fn default() -> Self {
        InitOptions {
            from: None,
            caller_policies: Vec::new(),
            seed: 1,
            faults: Faults::default(),
            latency_ms: 0,
            rate_limits: true,
            quotas: BTreeMap::new(),
        }
    }
}

/// Why a state could not be created.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{0} already exists; remove it first or choose another path")]
    Exists(PathBuf),
    #[error("unknown quota {name:?}; accepted quotas: {accepted}")]
    UnknownQuota { name: String, accepted: String },
    #[error("caller policy {name:?} is not a JSON policy document with a Statement")]
    BadCallerPolicy { name: String },
    /// A state that would break the emulator's invariants (e.g. a snapshot of an
    /// organization read only in part).
    #[error("the state is not consistent: {0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The names of the settable quotas, for messages.
pub fn quota_names() -> String {
    vocab::quotas::names()
}

/// The AWS-managed IAM policies the emulator knows, with their documents. AdministratorAccess
/// is AWS's document; the read-only ones are condensed to the action patterns that carry their
/// meaning (AWS's own documents list thousands of actions).
pub fn aws_managed_iam_policies() -> BTreeMap<String, String> {
    let doc = |statements: serde_json::Value| {
        json!({"Version": "2012-10-17", "Statement": statements}).to_string()
    };
    let read_actions = json!(["*:Describe*", "*:Get*", "*:List*", "*:BatchGet*"]);
    [
        (
            "AdministratorAccess",
            doc(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}])),
        ),
        (
            "ReadOnlyAccess",
            doc(json!([{"Effect": "Allow", "Action": read_actions, "Resource": "*"}])),
        ),
        (
            "SecurityAudit",
            doc(json!([{"Effect": "Allow", "Action": ["*:Describe*", "*:Get*", "*:List*"], "Resource": "*"}])),
        ),
        (
            "job-function/ViewOnlyAccess",
            doc(json!([{"Effect": "Allow", "Action": ["*:Describe*", "*:List*"], "Resource": "*"}])),
        ),
        (
            "AWSOrganizationsReadOnlyAccess",
            doc(json!([{"Effect": "Allow", "Action": ["organizations:Describe*", "organizations:List*", "account:GetAccountInformation"], "Resource": "*"}])),
        ),
        (
            "AWSOrganizationsFullAccess",
            doc(json!([{"Effect": "Allow", "Action": ["organizations:*", "account:*"], "Resource": "*"}])),
        ),
        (
            "IAMFullAccess",
            doc(json!([{"Effect": "Allow", "Action": ["iam:*", "organizations:DescribeAccount", "organizations:DescribeOrganization", "organizations:DescribeOrganizationalUnit", "organizations:DescribePolicy", "organizations:ListChildren", "organizations:ListParents", "organizations:ListPoliciesForTarget", "organizations:ListRoots", "organizations:ListPolicies", "organizations:ListTargetsForPolicy"], "Resource": "*"}])),
        ),
    ]
    .into_iter()
    .map(|(name, d)| (vocab::arn::aws_managed_iam_policy("aws", name), d))
    .collect()
}

fn aws_managed_org_policies() -> BTreeMap<String, PolicyState> {
    let p = |name: &str, ty: &str, description: &str, content: serde_json::Value| PolicyState {
        name: name.into(),
        description: description.into(),
        r#type: ty.into(),
        content: content.to_string(),
        aws_managed: true,
        tags: BTreeMap::new(),
    };
    [
        (
            FULL_AWS_ACCESS.to_string(),
            p(
                vocab::FULL_AWS_ACCESS.name,
                SCP,
                "Allows access to every operation",
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
            ),
        ),
        (
            RCP_FULL_AWS_ACCESS.to_string(),
            p(
                vocab::RCP_FULL_AWS_ACCESS.name,
                RCP,
                "Allows access to every operation",
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}),
            ),
        ),
    ]
    .into()
}

/// A fresh organization: a management account (which is also the caller's account), the
/// root, the AWS-managed policies, no policy types enabled (as AWS creates it), and the caller
/// as an IAM user with `options.caller_policies` (default AdministratorAccess).
pub fn fresh_state(options: &InitOptions) -> Result<State, InitError> {
    for name in options.quotas.keys() {
        if default_quota(name).is_none() {
            return Err(InitError::UnknownQuota {
                name: name.clone(),
                accepted: quota_names(),
            });
        }
    }
    let epoch_s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut state = State {
        format_version: FORMAT_VERSION,
        organization: OrgInfo {
            id: String::new(),
            feature_set: vocab::FeatureSet::All,
            management_account_id: String::new(),
            root_id: String::new(),
            root_name: "Root".into(),
        },
        enabled_policy_types: BTreeSet::new(),
        root_tags: BTreeMap::new(),
        ous: BTreeMap::new(),
        accounts: BTreeMap::new(),
        create_requests: BTreeMap::new(),
        policies: aws_managed_org_policies(),
        attachments: BTreeMap::new(),
        service_access: BTreeMap::new(),
        delegated_admins: BTreeMap::new(),
        iam: BTreeMap::new(),
        aws_managed_iam_policies: aws_managed_iam_policies(),
        caller: Caller {
            user_name: "orgchard".into(),
        },
        // Every quota is written out, so that `emulator stats` and the state file show them.
        quotas: vocab::quotas::settable()
            .into_iter()
            .map(|(n, _, _)| {
                let value = options
                    .quotas
                    .get(&n)
                    .copied()
                    .or_else(|| default_quota(&n));
                (n, value.unwrap_or(u64::MAX))
            })
            .collect(),
        clock: Clock {
            epoch_s,
            elapsed_ms: 0,
        },
        settings: Settings {
            latency_ms: options.latency_ms,
            rate_limits: options.rate_limits,
            seed: options.seed,
        },
        faults: options.faults.clone(),
        closures: Vec::new(),
        counters: BTreeMap::new(),
        id_draws: 0,
    };
    state.organization.id = format!("o-{}", state.draw(LOWER_DIGITS, 10));
    state.organization.root_id = format!("r-{}", state.draw(LOWER_DIGITS, 4));
    let mgmt = state.new_account_id();
    state.organization.management_account_id = mgmt.clone();
    state.accounts.insert(
        mgmt.clone(),
        AccountState {
            name: "Management".into(),
            email: "management@example.com".into(),
            state: vocab::AccountState::Active,
            joined_method: vocab::JoinedMethod::Created,
            joined_ms: 0,
            parent_id: state.organization.root_id.clone(),
            tags: BTreeMap::new(),
            suspends_at_ms: None,
        },
    );
    let user_id = format!("AIDA{}", state.draw(UPPER_DIGITS, 17));
    let user = caller_user(user_id, &options.caller_policies)?;
    state
        .iam
        .entry(mgmt)
        .or_default()
        .users
        .insert("orgchard".into(), user);
    Ok(state)
}

fn caller_user(id: String, policies: &[(String, String)]) -> Result<PrincipalState, InitError> {
    let mut user = PrincipalState {
        id,
        path: "/".into(),
        ..Default::default()
    };
    if policies.is_empty() {
        user.managed_policies.insert(ADMINISTRATOR_ACCESS.into());
    }
    for (name, doc) in policies {
        let ok = serde_json::from_str::<serde_json::Value>(doc)
            .ok()
            .is_some_and(|v| v.get("Statement").is_some());
        if !ok {
            return Err(InitError::BadCallerPolicy { name: name.clone() });
        }
        user.inline_policies.insert(name.clone(), doc.clone());
    }
    Ok(user)
}

/// The state `init` would write, without writing it: fresh, or the snapshot in
/// `options.from` with the options applied and its counters reset.
pub fn initial_state(options: &InitOptions) -> Result<State, InitError> {
    let Some(from) = &options.from else {
        return fresh_state(options);
    };
    let mut state = store::load(from)?;
    let defaults = fresh_state(options)?;
    state.settings = defaults.settings;
    state.faults = defaults.faults;
    state.counters.clear();
    for (name, value) in &options.quotas {
        state.quotas.insert(name.clone(), *value);
    }
    if !options.caller_policies.is_empty() {
        let mgmt = state.management_account_id().to_string();
        let user_id = state
            .iam
            .get(&mgmt)
            .and_then(|i| i.users.get(&state.caller.user_name))
            .map(|u| u.id.clone())
            .unwrap_or_else(|| "AIDAORGCHARDCALLER".into());
        let user = caller_user(user_id, &options.caller_policies)?;
        let name = state.caller.user_name.clone();
        state.iam.entry(mgmt).or_default().users.insert(name, user);
    }
    Ok(state)
}

/// Creates a state file at `path` (which must not exist yet).
pub fn init(path: &Path, options: &InitOptions) -> Result<(), InitError> {
    if path.exists() {
        return Err(InitError::Exists(path.to_path_buf()));
    }
    let state = initial_state(options)?;
    // The state file's folders are created, as `apply` creates them for a missing state.
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let _lock = store::lock(path)?;
    store::save(path, &state)?;
    Ok(())
}

/// Builds large organizations in memory, directly on the state (no per-call checks, no
/// saving), for tests and benchmarks. [`Builder::finish`] checks the invariants.
pub struct Builder {
    state: State,
}

impl Builder {
    pub fn new(options: &InitOptions) -> Result<Builder, InitError> {
        Ok(Builder {
            state: fresh_state(options)?,
        })
    }

    pub fn root_id(&self) -> String {
        self.state.organization.root_id.clone()
    }

    pub fn management_account_id(&self) -> String {
        self.state.management_account_id().to_string()
    }

    /// Enables a policy type, attaching its full-access policy everywhere as AWS does.
    pub fn enable_policy_type(&mut self, policy_type: &str) -> &mut Self {
        self.state.enabled_policy_types.insert(policy_type.into());
        let Some(default) = vocab::default_policy_of(policy_type).map(|p| p.id) else {
            return self;
        };
        let all: Vec<String> = std::iter::once(self.root_id())
            .chain(self.state.ous.keys().cloned())
            .chain(self.state.accounts.keys().cloned())
            .collect();
        self.state
            .attachments
            .entry(default.into())
            .or_default()
            .extend(all);
        self
    }

    fn attach_defaults(&mut self, target: &str) {
        for default in vocab::AWS_MANAGED_POLICIES {
            let (ty, p) = (default.policy_type, default.id);
            if self.state.enabled_policy_types.contains(ty) {
                self.state
                    .attachments
                    .entry(p.into())
                    .or_default()
                    .insert(target.into());
            }
        }
    }

    /// Adds an OU under `parent` and returns its id.
    pub fn ou(&mut self, parent: &str, name: &str) -> String {
        let id = self.state.new_ou_id();
        self.state.ous.insert(
            id.clone(),
            OuState {
                name: name.into(),
                parent_id: parent.into(),
                tags: BTreeMap::new(),
            },
        );
        self.attach_defaults(&id);
        id
    }

    /// Adds an active account under `parent`, with the member-access role AWS creates.
    pub fn account(&mut self, parent: &str, name: &str, email: &str) -> String {
        let id = self.state.new_account_id();
        self.state.accounts.insert(
            id.clone(),
            AccountState {
                name: name.into(),
                email: email.into(),
                state: vocab::AccountState::Active,
                joined_method: vocab::JoinedMethod::Created,
                joined_ms: 0,
                parent_id: parent.into(),
                tags: BTreeMap::new(),
                suspends_at_ms: None,
            },
        );
        self.attach_defaults(&id);
        let mgmt = self.management_account_id();
        let role_id = format!("AROA{:017}", self.state.id_draws);
        self.state.id_draws += 1;
        self.state.iam.entry(id.clone()).or_default().roles.insert(
            "OrganizationAccountAccessRole".into(),
            RoleState {
                role_id,
                path: "/".into(),
                trust_policy: trust_policy_for(&mgmt),
                description: None,
                max_session_duration: 3600,
                permissions_boundary: None,
                inline_policies: BTreeMap::new(),
                managed_policies: [ADMINISTRATOR_ACCESS.to_string()].into(),
                tags: BTreeMap::new(),
                created_ms: 0,
            },
        );
        id
    }

    /// Adds a customer-managed policy and returns its id.
    pub fn policy(&mut self, policy_type: &str, name: &str, content: &str) -> String {
        let id = self.state.new_policy_id();
        self.state.policies.insert(
            id.clone(),
            PolicyState {
                name: name.into(),
                description: String::new(),
                r#type: policy_type.into(),
                content: content.into(),
                aws_managed: false,
                tags: BTreeMap::new(),
            },
        );
        id
    }

    pub fn attach(&mut self, policy: &str, target: &str) -> &mut Self {
        self.state
            .attachments
            .entry(policy.into())
            .or_default()
            .insert(target.into());
        self
    }

    /// A balanced organization of the given size: `ous` OUs in a tree at most three deep,
    /// `accounts` accounts spread over the OUs, `policies` SCPs, and about `attachments`
    /// attachments in total (counting FullAWSAccess on every target), with no target over
    /// its SCP maximum.
    pub fn organization(
        options: &InitOptions,
        accounts: usize,
        ous: usize,
        policies: usize,
        attachments: usize,
    ) -> Result<State, InitError> {
        let mut b = Builder::new(options)?;
        b.enable_policy_type(SCP);
        let root = b.root_id();
        let mut ou_ids: Vec<String> = Vec::with_capacity(ous);
        for i in 0..ous {
            // Ten top-level OUs, then each OU's parent an earlier OU: a bushy tree of depth 3.
            let parent = if i < 10 || ou_ids.is_empty() {
                root.clone()
            } else if i < 110 {
                ou_ids[i % 10].clone()
            } else {
                ou_ids[10 + i % 100].clone()
            };
            ou_ids.push(b.ou(&parent, &format!("ou-{i:04}")));
        }
        let mut account_ids = Vec::with_capacity(accounts);
        for i in 0..accounts {
            let parent = if ou_ids.is_empty() {
                root.clone()
            } else {
                ou_ids[i % ou_ids.len()].clone()
            };
            account_ids.push(b.account(
                &parent,
                &format!("account-{i:05}"),
                &format!("aws+{i:05}@example.com"),
            ));
        }
        let content = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}}]}).to_string();
        let policy_ids: Vec<String> = (0..policies)
            .map(|i| b.policy(SCP, &format!("policy-{i:03}"), &content))
            .collect();
        let defaults = 1 + ous + accounts + 1;
        let extra = attachments.saturating_sub(defaults);
        let targets: Vec<String> = ou_ids.iter().chain(account_ids.iter()).cloned().collect();
        if !policy_ids.is_empty() && !targets.is_empty() {
            // Up to four customer SCPs per target (FullAWSAccess is the fifth).
            for k in 0..extra.min(targets.len() * 4) {
                let target = &targets[k % targets.len()];
                let policy = &policy_ids[(k / targets.len() + k) % policy_ids.len()];
                b.attach(policy, target);
            }
        }
        b.finish()
    }

    /// The built state, after checking the invariants.
    pub fn finish(self) -> Result<State, InitError> {
        let problems = self.state.check_invariants();
        if !problems.is_empty() {
            return Err(InitError::Store(StoreError::Invalid {
                path: PathBuf::from("<builder>"),
                message: problems.join("; "),
            }));
        }
        Ok(self.state)
    }
}
