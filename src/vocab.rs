//! AWS's vocabulary, typed, in one place and with no I/O: the organization policy types and
//! their limits (one table; adding a type is one line), the states AWS reports for accounts,
//! account creations and policy types, the AWS-managed policies AWS attaches by itself, the
//! quotas orgchard checks before calling AWS, and the builders of every Organizations and IAM
//! ARN. Everything else in orgchard compares these values, never AWS's strings.
//!
//! The enums serialize as AWS spells the value (`"ACTIVE"`, `"SUCCEEDED"`, `"ENABLED"`), so
//! state files, saved plans and `--json` output keep AWS's words, and a value AWS adds later
//! reads as `Unknown` with its text instead of failing.

use std::fmt;

use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------------------------
// Policy types

/// One organization policy type and AWS's limits for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyType {
    /// The type's name in the Organizations API (`SERVICE_CONTROL_POLICY`).
    pub name: &'static str,
    /// The short name used for the type's quota keys in the configuration and the emulator
    /// (`scp` → `scp_per_target`).
    pub short: &'static str,
    /// Policies of the type attached directly to one root, OU or account.
    pub per_target: usize,
    /// The largest document of the type, in characters.
    pub max_size: usize,
    /// Customer-managed policies of the type one organization may hold.
    pub per_organization: u64,
    /// Whether the type is a management policy, whose effective policy AWS computes with the
    /// inheritance operators (`@@assign`, …); the others (SCPs, RCPs) are authorization
    /// policies in IAM's policy grammar.
    pub inherited: bool,
}

impl PolicyType {
    /// The name of the quota of this type's attachments per target (`scp_per_target`).
    pub fn per_target_quota(&self) -> String {
        format!("{}_per_target", self.short)
    }

    /// The name of the quota of this type's document size (`scp_max_size`).
    pub fn max_size_quota(&self) -> String {
        format!("{}_max_size", self.short)
    }
}

const fn authz(
    name: &'static str,
    short: &'static str,
    per_target: usize,
    max_size: usize,
    per_organization: u64,
) -> PolicyType {
    PolicyType {
        name,
        short,
        per_target,
        max_size,
        per_organization,
        inherited: false,
    }
}

const fn managed(
    name: &'static str,
    short: &'static str,
    per_target: usize,
    max_size: usize,
    per_organization: u64,
) -> PolicyType {
    PolicyType {
        inherited: true,
        ..authz(name, short, per_target, max_size, per_organization)
    }
}

/// The service control policy type.
pub const SCP: &str = "SERVICE_CONTROL_POLICY";
/// The resource control policy type.
pub const RCP: &str = "RESOURCE_CONTROL_POLICY";

/// Every policy type Organizations knows: (name, short name, attachments per target, document
/// size in characters, customer policies per organization).
///
/// Sources, as read on 2026-12-06: AWS Organizations User Guide, "Quotas and service limits
/// for AWS Organizations" and "Managing organization policies" (the per-target and size
/// columns), and the `PolicyType` enum of aws-sdk-organizations 1.137 for the names. SCPs
/// went from 5 to 10 per target and from 5,120 to 10,240 characters on 2026-05-15 (AWS's
/// announcement of that date; the stored copies of the quotas page predate it). Rows marked
/// "unconfirmed" are types the quotas page did not list when read: their figures are those of
/// the other management policies, to be checked when AWS publishes them.
pub const POLICY_TYPES: &[PolicyType] = &[
    authz(SCP, "scp", 10, 10_240, 10_000), // 10 / 10,240 since 2026-05-15
    authz(RCP, "rcp", 5, 5_120, 1_000),
    managed("TAG_POLICY", "tag", 10, 10_000, 1_000),
    managed("BACKUP_POLICY", "backup", 10, 10_000, 1_000),
    managed(
        "AISERVICES_OPT_OUT_POLICY",
        "aiservices_opt_out",
        5,
        2_500,
        1_000,
    ),
    managed("CHATBOT_POLICY", "chatbot", 5, 10_000, 1_000),
    managed(
        "DECLARATIVE_POLICY_EC2",
        "declarative_ec2",
        10,
        10_000,
        1_000,
    ),
    managed("SECURITYHUB_POLICY", "securityhub", 10, 10_000, 1_000),
    managed("INSPECTOR_POLICY", "inspector", 10, 10_000, 1_000), // unconfirmed
    managed("BEDROCK_POLICY", "bedrock", 10, 10_000, 1_000),     // unconfirmed
    managed("GUARDDUTY_POLICY", "guardduty", 10, 10_000, 1_000), // unconfirmed
    managed(
        "NETWORK_SECURITY_DIRECTOR_POLICY",
        "network_security_director",
        10,
        10_000,
        1_000,
    ), // unconfirmed
    managed(
        "UPGRADE_ROLLOUT_POLICY",
        "upgrade_rollout",
        10,
        10_000,
        1_000,
    ), // unconfirmed
    managed("S3_POLICY", "s3", 10, 10_000, 1_000),               // unconfirmed
];

/// The type named `name` in the Organizations API, or None for a type orgchard does not know.
pub fn policy_type(name: &str) -> Option<&'static PolicyType> {
    POLICY_TYPES.iter().find(|t| t.name == name)
}

/// Whether `name` is the SCP type.
pub fn is_scp(name: &str) -> bool {
    name == SCP
}

/// Whether `name` is the RCP type.
pub fn is_rcp(name: &str) -> bool {
    name == RCP
}

// ---------------------------------------------------------------------------------------------
// AWS-managed policies

/// A policy AWS owns and attaches by itself to every target while its type is enabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwsManagedPolicy {
    /// Its name (`aws_policy.NAME` in the configuration).
    pub name: &'static str,
    /// Its fixed id, the same in every organization.
    pub id: &'static str,
    pub policy_type: &'static str,
}

/// `FullAWSAccess`, the SCP that allows everything.
pub const FULL_AWS_ACCESS: AwsManagedPolicy = AwsManagedPolicy {
    name: "FullAWSAccess",
    id: "p-FullAWSAccess",
    policy_type: SCP,
};

/// `RCPFullAWSAccess`, the RCP that allows everything.
pub const RCP_FULL_AWS_ACCESS: AwsManagedPolicy = AwsManagedPolicy {
    name: "RCPFullAWSAccess",
    id: "p-RCPFullAWSAccess",
    policy_type: RCP,
};

/// The AWS-managed policies orgchard knows without reading them.
pub const AWS_MANAGED_POLICIES: &[AwsManagedPolicy] = &[FULL_AWS_ACCESS, RCP_FULL_AWS_ACCESS];

/// The document of `FullAWSAccess` (and of `RCPFullAWSAccess`): AWS never changes it, so the
/// reader does not fetch it.
pub const FULL_ACCESS_DOCUMENT: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// The AWS-managed policy named `name`, if orgchard knows it.
pub fn aws_managed_by_name(name: &str) -> Option<&'static AwsManagedPolicy> {
    AWS_MANAGED_POLICIES.iter().find(|p| p.name == name)
}

/// The AWS-managed policy with id `id`, if orgchard knows it.
pub fn aws_managed_by_id(id: &str) -> Option<&'static AwsManagedPolicy> {
    AWS_MANAGED_POLICIES.iter().find(|p| p.id == id)
}

/// The AWS-managed policy AWS attaches to every target while `policy_type` is enabled.
pub fn default_policy_of(policy_type: &str) -> Option<&'static AwsManagedPolicy> {
    AWS_MANAGED_POLICIES
        .iter()
        .find(|p| p.policy_type == policy_type)
}

// ---------------------------------------------------------------------------------------------
// States

/// Defines an enum of AWS's words with an `Unknown(String)` fallback, serialized as the word.
macro_rules! aws_words {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
            /// A value AWS added after this version of orgchard, kept as AWS spelled it.
            Unknown(String),
        }

        impl $name {
            /// The value as AWS spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Unknown(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($text => $name::$variant,)*
                    other => $name::Unknown(other.to_string()),
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name::from(s.as_str())
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.as_str().to_string()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

aws_words! {
    /// The lifecycle state of an account in an organization (AWS's `State`, which replaced
    /// the `Status` field on 2026-09-09).
    AccountState {
        /// Created or invited, not yet usable.
        PendingActivation = "PENDING_ACTIVATION",
        Active = "ACTIVE",
        /// Suspended by AWS (or closed, within the post-closure period).
        Suspended = "SUSPENDED",
        /// CloseAccount was called; AWS is closing it.
        PendingClosure = "PENDING_CLOSURE",
        /// Closed for good.
        Closed = "CLOSED",
    }
}

impl AccountState {
    /// Whether orgchard may enter the account (assume a role in it) and move it: only an
    /// active account answers and accepts changes.
    pub fn is_usable(&self) -> bool {
        matches!(self, AccountState::Active)
    }

    /// Whether orgchard may change the account through Organizations (move it, tag it,
    /// attach policies to it): an active account, or one AWS is still activating.
    pub fn accepts_changes(&self) -> bool {
        matches!(self, AccountState::Active | AccountState::PendingActivation)
    }

    /// Whether CloseAccount was called on the account (it is closing or closed): no block
    /// can manage it any more.
    pub fn is_closed(&self) -> bool {
        matches!(self, AccountState::PendingClosure | AccountState::Closed)
    }

    /// Whether the account is being closed or is closed: what `account_removal = "close"`
    /// asks for is done.
    pub fn is_closing_or_closed(&self) -> bool {
        matches!(
            self,
            AccountState::PendingClosure | AccountState::Suspended | AccountState::Closed
        )
    }

    /// The state of an account as the retired `Status` field spelled it, for state files
    /// written before AWS's change (`ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`).
    pub fn from_status(status: &str) -> AccountState {
        AccountState::from(status)
    }
}

aws_words! {
    /// The state of a CreateAccount request.
    CreateAccountState {
        InProgress = "IN_PROGRESS",
        Succeeded = "SUCCEEDED",
        Failed = "FAILED",
    }
}

aws_words! {
    /// The status of a policy type in a root.
    PolicyTypeStatus {
        Enabled = "ENABLED",
        PendingEnable = "PENDING_ENABLE",
        PendingDisable = "PENDING_DISABLE",
    }
}

aws_words! {
    /// Why a CreateAccount request failed (its `FailureReason`); the ones orgchard acts on.
    CreateAccountFailureReason {
        /// Another account already uses the email address.
        EmailAlreadyExists = "EMAIL_ALREADY_EXISTS",
        /// The organization holds as many accounts as its quota allows.
        AccountLimitExceeded = "ACCOUNT_LIMIT_EXCEEDED",
    }
}

aws_words! {
    /// The feature set of an organization.
    FeatureSet {
        All = "ALL",
        ConsolidatedBilling = "CONSOLIDATED_BILLING",
    }
}

aws_words! {
    /// How an account joined its organization.
    JoinedMethod {
        Created = "CREATED",
        Invited = "INVITED",
    }
}

aws_words! {
    /// What a policy is attached to, or what a child's parent is (AWS's `TargetType` and
    /// `ParentType`; a parent is never an account).
    TargetType {
        Root = "ROOT",
        OrganizationalUnit = "ORGANIZATIONAL_UNIT",
        Account = "ACCOUNT",
    }
}

aws_words! {
    /// Whether IAM users of a new account may see its billing (CreateAccount's
    /// `IamUserAccessToBilling`).
    IamUserAccessToBilling {
        Allow = "ALLOW",
        Deny = "DENY",
    }
}

// ---------------------------------------------------------------------------------------------
// Quotas

/// AWS Organizations' default quotas that orgchard checks before calling AWS, and the quotas
/// an organization has had raised. Per-type figures live in [`POLICY_TYPES`]. Source: AWS
/// Organizations User Guide, "Quotas and service limits for AWS Organizations", and IAM User
/// Guide, "IAM and AWS STS quotas", read 2026-12-06.
///
/// Every quota is named once, in [`quotas::SETTABLE`] or as `<type>_per_target` /
/// `<type>_max_size` of a policy type's short name: the configuration
/// (`organization { quotas = { … } }`), the emulator (`emulator init --quota NAME=N`), the
/// planner and validate all read one [`quotas::Quotas`] value.
pub mod quotas {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Serialize};

    use super::{POLICY_TYPES, policy_type};

    /// OUs in one organization.
    pub const OUS_PER_ORGANIZATION: u64 = 2_000;

    /// Levels of OUs below the root (not adjustable).
    pub const MAX_OU_DEPTH: usize = 5;

    /// Tags on one Organizations resource (root, OU, account, policy) or IAM role.
    pub const TAGS_PER_RESOURCE: u64 = 50;

    /// Customer-managed policies of a type orgchard does not know, per organization.
    pub const POLICIES_PER_TYPE: u64 = 1_000;

    /// Customer-managed SCPs in an organization.
    pub const SCPS_PER_ORGANIZATION: u64 = 10_000;

    // CloseAccount: "10% of member accounts, between 10 and 1000, within a rolling 30 day
    // period" (AWS Organizations API Reference, CloseAccount, read 2026-12-06).
    /// CloseAccount: at most this percent of the member accounts per rolling window…
    pub const CLOSE_ACCOUNT_PERCENT: u64 = 10;
    /// …but never fewer than this many…
    pub const CLOSE_ACCOUNT_MIN: u64 = 10;
    /// …nor more than this many.
    pub const CLOSE_ACCOUNT_MAX: u64 = 1_000;
    /// The window of the CloseAccount quota, in days.
    pub const CLOSE_ACCOUNT_WINDOW_DAYS: u64 = 30;

    /// The organization-wide quotas that can be set: (name, AWS's default, what it limits).
    pub const SETTABLE: &[(&str, u64, &str)] = &[
        // AWS's default is 10 for a new organization; AWS raises it on request.
        ("accounts", 10, "accounts in the organization"),
        (
            "organizational_units",
            OUS_PER_ORGANIZATION,
            "OUs in the organization",
        ),
        (
            "policies_per_type",
            POLICIES_PER_TYPE,
            "customer-managed policies of a type without its own figure",
        ),
        (
            "service_control_policies",
            SCPS_PER_ORGANIZATION,
            "customer-managed SCPs",
        ),
        (
            "concurrent_account_creations",
            5,
            "CreateAccount requests in progress at once",
        ),
        (
            "tags_per_resource",
            TAGS_PER_RESOURCE,
            "tags on one Organizations resource or IAM role",
        ),
        // IAM: roles per account 1,000 (adjustable to 5,000), managed policies per role 10
        // (adjustable to 20).
        ("roles_per_account", 1_000, "IAM roles in one account"),
        (
            "managed_policies_per_role",
            10,
            "managed policies attached to one IAM role",
        ),
        (
            "close_account_percent",
            CLOSE_ACCOUNT_PERCENT,
            "percent of member accounts closable per 30 days (at least 10, at most 1,000)",
        ),
    ];

    /// Every settable quota: (name, AWS's default, what it limits), the organization-wide
    /// ones and two per policy type.
    pub fn settable() -> Vec<(String, u64, String)> {
        let mut out: Vec<(String, u64, String)> = SETTABLE
            .iter()
            .map(|(n, d, w)| (n.to_string(), *d, w.to_string()))
            .collect();
        for t in POLICY_TYPES {
            out.push((
                t.per_target_quota(),
                t.per_target as u64,
                format!(
                    "{} policies attached directly to one root, OU or account",
                    t.name
                ),
            ));
            out.push((
                t.max_size_quota(),
                t.max_size as u64,
                format!("characters in one {} document", t.name),
            ));
        }
        out
    }

    /// AWS's default for the quota `name`, or None if no quota has that name.
    pub fn default_of(name: &str) -> Option<u64> {
        if let Some((_, d, _)) = SETTABLE.iter().find(|(n, _, _)| *n == name) {
            return Some(*d);
        }
        POLICY_TYPES.iter().find_map(|t| {
            if name == t.per_target_quota() {
                Some(t.per_target as u64)
            } else if name == t.max_size_quota() {
                Some(t.max_size as u64)
            } else {
                None
            }
        })
    }

    /// The names of the settable quotas, for messages.
    pub fn names() -> String {
        settable()
            .into_iter()
            .map(|(n, _, _)| n)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// How many accounts an organization with `members` member accounts may close in the
    /// rolling window when AWS allows `percent` of them.
    pub fn closable_accounts_at(members: u64, percent: u64) -> u64 {
        (members.saturating_mul(percent) / 100).clamp(CLOSE_ACCOUNT_MIN, CLOSE_ACCOUNT_MAX)
    }

    /// An organization's quotas: AWS's defaults, except the ones it had raised.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(transparent)]
    pub struct Quotas {
        raised: BTreeMap<String, u64>,
    }

    impl Quotas {
        /// The quotas with `raised` in place of AWS's defaults; the first unknown name is
        /// the error.
        pub fn new(raised: BTreeMap<String, u64>) -> Result<Quotas, String> {
            if let Some(name) = raised.keys().find(|n| default_of(n).is_none()) {
                return Err(name.clone());
            }
            Ok(Quotas { raised })
        }

        /// The quota `name` (u64::MAX for a name no quota has).
        pub fn get(&self, name: &str) -> u64 {
            self.raised
                .get(name)
                .copied()
                .or_else(|| default_of(name))
                .unwrap_or(u64::MAX)
        }

        /// The quotas set above AWS's defaults.
        pub fn raised(&self) -> &BTreeMap<String, u64> {
            &self.raised
        }

        /// Policies of `policy_type` attached directly to one root, OU or account (5 for a
        /// type orgchard does not know, the smallest figure of any type).
        pub fn attachments_per_target(&self, policy_type_name: &str) -> usize {
            match policy_type(policy_type_name) {
                Some(t) => self.get(&t.per_target_quota()) as usize,
                None => 5,
            }
        }

        /// The largest document of `policy_type`, in characters (5,120 for a type orgchard
        /// does not know, the smallest figure of any authorization policy).
        pub fn max_size(&self, policy_type_name: &str) -> usize {
            match policy_type(policy_type_name) {
                Some(t) => self.get(&t.max_size_quota()) as usize,
                None => 5_120,
            }
        }

        /// Customer-managed policies of `policy_type` one organization may hold.
        pub fn policies_per_organization(&self, policy_type_name: &str) -> u64 {
            if super::is_scp(policy_type_name) {
                self.get("service_control_policies")
            } else {
                match (
                    policy_type(policy_type_name),
                    self.raised.get("policies_per_type"),
                ) {
                    (_, Some(raised)) => *raised,
                    (Some(t), None) => t.per_organization,
                    (None, None) => POLICIES_PER_TYPE,
                }
            }
        }

        /// How many accounts an organization with `members` member accounts may close in
        /// the rolling window.
        pub fn closable_accounts(&self, members: u64) -> u64 {
            closable_accounts_at(members, self.get("close_account_percent"))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// ARNs

/// Builders for the ARNs of Organizations and IAM resources, after the templates of AWS's
/// Service Authorization Reference (a test in `iam::operations` checks them against it).
pub mod arn {
    /// `arn:aws:organizations::<mgmt>:organization/o-…`
    pub fn organization(partition: &str, management_account: &str, org_id: &str) -> String {
        format!("arn:{partition}:organizations::{management_account}:organization/{org_id}")
    }

    /// `arn:aws:organizations::<mgmt>:root/o-…/r-…`
    pub fn root(partition: &str, management_account: &str, org_id: &str, root_id: &str) -> String {
        format!("arn:{partition}:organizations::{management_account}:root/{org_id}/{root_id}")
    }

    /// `arn:aws:organizations::<mgmt>:ou/o-…/ou-…`
    pub fn ou(partition: &str, management_account: &str, org_id: &str, ou_id: &str) -> String {
        format!("arn:{partition}:organizations::{management_account}:ou/{org_id}/{ou_id}")
    }

    /// `arn:aws:organizations::<mgmt>:account/o-…/<account id>`
    pub fn account(
        partition: &str,
        management_account: &str,
        org_id: &str,
        account_id: &str,
    ) -> String {
        format!("arn:{partition}:organizations::{management_account}:account/{org_id}/{account_id}")
    }

    /// Whether a policy id is one of AWS's managed policies (`p-FullAWSAccess`): customer
    /// policy ids are lower-case.
    pub fn is_aws_managed_policy_id(policy_id: &str) -> bool {
        policy_id.chars().any(|c| c.is_ascii_uppercase())
    }

    /// An Organizations policy; AWS-managed ones live under account `aws`
    /// (`arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess`).
    /// `policy_type` as the API spells it (`SERVICE_CONTROL_POLICY`).
    pub fn policy(
        partition: &str,
        management_account: &str,
        org_id: &str,
        policy_type: &str,
        policy_id: &str,
    ) -> String {
        let ty = policy_type.to_ascii_lowercase();
        if is_aws_managed_policy_id(policy_id) {
            format!("arn:{partition}:organizations::aws:policy/{ty}/{policy_id}")
        } else {
            format!(
                "arn:{partition}:organizations::{management_account}:policy/{org_id}/{ty}/{policy_id}"
            )
        }
    }

    /// A role; `path` like `/` or `/team/` (default `/`).
    pub fn role(partition: &str, account: &str, path: Option<&str>, name: &str) -> String {
        format!(
            "arn:{partition}:iam::{account}:role{}{name}",
            normalize_path(path)
        )
    }

    pub fn user(partition: &str, account: &str, name: &str) -> String {
        user_with_path(partition, account, None, name)
    }

    /// A user; `path` like `/` or `/team/` (default `/`).
    pub fn user_with_path(
        partition: &str,
        account: &str,
        path: Option<&str>,
        name: &str,
    ) -> String {
        format!(
            "arn:{partition}:iam::{account}:user{}{name}",
            normalize_path(path)
        )
    }

    /// The session of an assumed role, as STS names it.
    pub fn assumed_role(partition: &str, account: &str, role: &str, session: &str) -> String {
        format!("arn:{partition}:sts::{account}:assumed-role/{role}/{session}")
    }

    /// The prefix of every customer-managed IAM policy of an account.
    pub fn iam_policy_prefix(partition: &str, account: &str) -> String {
        format!("arn:{partition}:iam::{account}:policy/")
    }

    pub fn group(partition: &str, account: &str, name: &str) -> String {
        format!("arn:{partition}:iam::{account}:group/{name}")
    }

    /// The Account service's ARN of a member account, named from the management account
    /// (`arn:aws:account::<mgmt>:account/o-…/<account id>`).
    pub fn account_service_member(
        partition: &str,
        management_account: &str,
        org_id: &str,
        account_id: &str,
    ) -> String {
        format!("arn:{partition}:account::{management_account}:account/{org_id}/{account_id}")
    }

    /// The Account service's ARN of the caller's own account.
    pub fn account_service(partition: &str, account: &str) -> String {
        format!("arn:{partition}:account::{account}:account")
    }

    /// The root user of an account.
    pub fn account_root(partition: &str, account: &str) -> String {
        format!("arn:{partition}:iam::{account}:root")
    }

    /// An AWS-managed IAM policy (`arn:aws:iam::aws:policy/AdministratorAccess`).
    pub fn aws_managed_iam_policy(partition: &str, name: &str) -> String {
        format!("arn:{partition}:iam::aws:policy/{name}")
    }

    /// `AdministratorAccess`, the AWS-managed IAM policy Organizations attaches to the
    /// member-access role of an account it creates (in the `aws` partition).
    pub const ADMINISTRATOR_ACCESS: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

    /// The text before and after the account id in [`account_root`], for a template that
    /// fills the id in later (`arn:aws:iam::` and `:root`).
    pub fn account_root_around(partition: &str) -> (String, &'static str) {
        (format!("arn:{partition}:iam::"), ":root")
    }

    /// A role's ARN in `partition` (`arn:aws:iam::ACCOUNT:role/PATH/NAME`) to its account and
    /// name; None for any other ARN.
    pub fn parse_role<'a>(partition: &str, arn: &'a str) -> Option<(&'a str, &'a str)> {
        let rest = arn
            .strip_prefix("arn:")?
            .strip_prefix(partition)?
            .strip_prefix(":iam::")?;
        let (account, resource) = rest.split_once(':')?;
        let path_name = resource.strip_prefix("role/")?;
        let name = path_name.rsplit('/').next()?;
        (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty())
            .then_some((account, name))
    }

    fn normalize_path(path: Option<&str>) -> String {
        let p = path.unwrap_or("/");
        let mut p = p.to_string();
        if !p.starts_with('/') {
            p.insert(0, '/');
        }
        if !p.ends_with('/') {
            p.push('/');
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_once_with_its_figures() {
        let mut names: Vec<_> = POLICY_TYPES.iter().map(|t| t.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), POLICY_TYPES.len());
        let mut shorts: Vec<_> = POLICY_TYPES.iter().map(|t| t.short).collect();
        shorts.sort();
        shorts.dedup();
        assert_eq!(shorts.len(), POLICY_TYPES.len());
        let q = quotas::Quotas::default();
        assert_eq!(q.attachments_per_target(SCP), 10);
        assert_eq!(q.attachments_per_target("AISERVICES_OPT_OUT_POLICY"), 5);
        assert_eq!(q.attachments_per_target("BACKUP_POLICY"), 10);
        assert_eq!(q.policies_per_organization(SCP), 10_000);
        assert_eq!(q.policies_per_organization("TAG_POLICY"), 1_000);
        assert_eq!(q.max_size(SCP), 10_240);
        assert_eq!(
            policy_type("AISERVICES_OPT_OUT_POLICY").unwrap().max_size,
            2500
        );
        assert!(policy_type("NOT_A_TYPE").is_none());
        assert!(!policy_type(SCP).unwrap().inherited);
        assert!(policy_type("INSPECTOR_POLICY").unwrap().inherited);
    }

    #[test]
    fn states_read_and_write_as_aws_spells_them() {
        for s in [
            "PENDING_ACTIVATION",
            "ACTIVE",
            "SUSPENDED",
            "PENDING_CLOSURE",
            "CLOSED",
        ] {
            let state = AccountState::from(s);
            assert!(!matches!(state, AccountState::Unknown(_)), "{s}");
            assert_eq!(serde_json::to_string(&state).unwrap(), format!("\"{s}\""));
            let back: AccountState = serde_json::from_str(&format!("\"{s}\"")).unwrap();
            assert_eq!(back, state);
        }
        assert_eq!(
            AccountState::from("HIBERNATING"),
            AccountState::Unknown("HIBERNATING".into())
        );
        assert_eq!(AccountState::from("HIBERNATING").to_string(), "HIBERNATING");
        assert_eq!(
            CreateAccountState::from("SUCCEEDED"),
            CreateAccountState::Succeeded
        );
        assert_eq!(PolicyTypeStatus::from("ENABLED"), PolicyTypeStatus::Enabled);
    }

    #[test]
    fn role_arns_parse_back_and_other_arns_do_not() {
        let arn = arn::role("aws", "111122223333", Some("/team/"), "Deploy");
        assert_eq!(
            arn::parse_role("aws", &arn),
            Some(("111122223333", "Deploy"))
        );
        assert_eq!(arn::parse_role("aws-cn", &arn), None);
        assert_eq!(
            arn::parse_role("aws", &arn::user("aws", "111122223333", "alice")),
            None
        );
        assert_eq!(
            arn::parse_role("aws", "arn:aws:iam::12345:role/short-account"),
            None
        );
        assert_eq!(
            arn::ADMINISTRATOR_ACCESS,
            arn::aws_managed_iam_policy("aws", "AdministratorAccess")
        );
        let (before, after) = arn::account_root_around("aws");
        assert_eq!(
            format!("{before}111122223333{after}"),
            arn::account_root("aws", "111122223333")
        );
    }

    #[test]
    fn closure_quota_bounds() {
        let q = quotas::Quotas::default();
        assert_eq!(q.closable_accounts(0), 10);
        assert_eq!(q.closable_accounts(99), 10);
        assert_eq!(q.closable_accounts(500), 50);
        assert_eq!(q.closable_accounts(50_000), 1_000);
        let raised =
            quotas::Quotas::new([("close_account_percent".to_string(), 20)].into()).unwrap();
        assert_eq!(raised.closable_accounts(500), 100);
    }

    #[test]
    fn raised_quotas_replace_defaults_and_unknown_names_are_refused() {
        let q = quotas::Quotas::new(
            [
                ("scp_per_target".to_string(), 15),
                ("tag_max_size".to_string(), 20_000),
            ]
            .into(),
        )
        .unwrap();
        assert_eq!(q.attachments_per_target(SCP), 15);
        assert_eq!(q.attachments_per_target(RCP), 5);
        assert_eq!(q.max_size("TAG_POLICY"), 20_000);
        assert_eq!(q.max_size(SCP), 10_240);
        assert_eq!(
            quotas::Quotas::new([("scp_per_targett".to_string(), 1)].into()),
            Err("scp_per_targett".to_string())
        );
        // Every policy type has its two settable quotas, and every name has a default.
        let names = quotas::settable();
        assert_eq!(names.len(), quotas::SETTABLE.len() + 2 * POLICY_TYPES.len());
        for (n, d, _) in &names {
            assert_eq!(quotas::default_of(n), Some(*d), "{n}");
        }
    }

    #[test]
    fn managed_policies_by_name_id_and_type() {
        assert_eq!(
            aws_managed_by_name("FullAWSAccess").unwrap().id,
            "p-FullAWSAccess"
        );
        assert_eq!(
            aws_managed_by_id("p-RCPFullAWSAccess").unwrap().policy_type,
            RCP
        );
        assert_eq!(default_policy_of(SCP), Some(&FULL_AWS_ACCESS));
        assert!(default_policy_of("TAG_POLICY").is_none());
    }
}
