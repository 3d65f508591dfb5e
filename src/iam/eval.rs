//! AWS's policy evaluation logic for one request against the layered policies that govern it:
//! an explicit deny in any policy wins; then every level of the RCP chain (for services RCPs
//! apply to) and of the SCP chain (root first, account last) must allow; then an identity
//! policy (or, where AWS allows it, the resource policy) must allow; then the permissions
//! boundary and the session policy, where present, must allow too.
//!
//! Context keys that only exist at request time and that the caller did not supply (the
//! source IP, the current time, …) make a condition *unknown*. Allow statements are monotone
//! in their matching and deny statements anti-monotone, so the engine evaluates the best and the
//! worst case; when they differ the decision is [`Outcome::Indeterminate`] and names the keys.
//!
//! Reading of AWS's documentation where it leaves room (see the README's policy section):
//! - a resource policy (e.g. a role's trust policy for `sts:AssumeRole`) allows on its own when
//!   it names the principal itself (its ARN, or `*`) and the principal is in the resource's
//!   account; naming the account only delegates to the account's identity policies; across
//!   accounts both sides must allow;
//! - the permissions boundary and the session policy limit every allow, including one that
//!   comes from a resource policy (the conservative reading).

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::actions;
use super::condition::Tri;
use super::pattern::SplitArn;
use super::policy::{Effect, Policy, PolicyKind, PrincipalId, Statement};

/// A request context value: one string, or a list for multi-valued keys (`aws:TagKeys`).
/// Booleans, numbers and dates are written as AWS sends them (`"true"`, `"42"`,
/// `"2026-01-01T00:00:00Z"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ContextValue {
    Single(String),
    Multi(Vec<String>),
}

impl ContextValue {
    pub fn string(s: impl Into<String>) -> ContextValue {
        ContextValue::Single(s.into())
    }

    pub fn list<I, S>(items: I) -> ContextValue
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ContextValue::Multi(items.into_iter().map(Into::into).collect())
    }

    pub fn bool(b: bool) -> ContextValue {
        ContextValue::Single(b.to_string())
    }

    pub fn number(n: i64) -> ContextValue {
        ContextValue::Single(n.to_string())
    }

    pub fn values(&self) -> &[String] {
        match self {
            ContextValue::Single(s) => std::slice::from_ref(s),
            ContextValue::Multi(v) => v,
        }
    }
}

impl From<&str> for ContextValue {
    fn from(s: &str) -> Self {
        ContextValue::string(s)
    }
}

impl From<String> for ContextValue {
    fn from(s: String) -> Self {
        ContextValue::Single(s)
    }
}

impl From<bool> for ContextValue {
    fn from(b: bool) -> Self {
        ContextValue::bool(b)
    }
}

/// One authorization request: who, what, on which resource, in which context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthzRequest {
    /// The calling principal: a role, assumed-role session or user ARN.
    pub principal_arn: String,
    pub principal_account: String,
    /// `service:Action`, any case.
    pub action: String,
    /// One resource ARN, or `*` for actions without a resource type.
    pub resource: String,
    /// Context keys, stored lower-cased (keys are case-insensitive; use
    /// [`AuthzRequest::with_context`]).
    #[serde(default)]
    pub context: BTreeMap<String, ContextValue>,
}

impl AuthzRequest {
    pub fn new(
        principal_arn: impl Into<String>,
        principal_account: impl Into<String>,
        action: impl Into<String>,
        resource: impl Into<String>,
    ) -> AuthzRequest {
        AuthzRequest {
            principal_arn: principal_arn.into(),
            principal_account: principal_account.into(),
            action: action.into(),
            resource: resource.into(),
            context: BTreeMap::new(),
        }
    }

    /// Adds a context key (case-insensitive; a later value for the same key replaces it).
    pub fn with_context(
        mut self,
        key: impl AsRef<str>,
        value: impl Into<ContextValue>,
    ) -> AuthzRequest {
        self.context
            .insert(key.as_ref().to_ascii_lowercase(), value.into());
        self
    }

    /// A context value by key, any case.
    pub fn context_value(&self, key: &str) -> Option<&ContextValue> {
        self.context.get(&key.to_ascii_lowercase()).or_else(|| {
            self.context
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v)
        })
    }
}

/// A policy with the name explanations show for it (an ARN, or a file name).
#[derive(Debug, Clone)]
pub struct NamedPolicy {
    pub id: String,
    pub policy: Arc<Policy>,
}

impl NamedPolicy {
    pub fn new(id: impl Into<String>, policy: impl Into<Arc<Policy>>) -> NamedPolicy {
        NamedPolicy {
            id: id.into(),
            policy: policy.into(),
        }
    }

    /// Parses a document into a named policy.
    pub fn parse(
        id: impl Into<String>,
        json: &str,
        kind: PolicyKind,
    ) -> Result<NamedPolicy, super::PolicyError> {
        Ok(NamedPolicy::new(id, Policy::parse(json, kind)?))
    }
}

/// Every policy that governs one request, by layer.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    /// The principal's identity policies (inline and managed, the groups' too).
    pub identity: Vec<NamedPolicy>,
    /// `None`: no permissions boundary is set.
    pub permissions_boundary: Option<Vec<NamedPolicy>>,
    /// `None`: not a session with session policies.
    pub session: Option<Vec<NamedPolicy>>,
    /// `None`: the principal is not subject to SCPs (the management account). Otherwise one
    /// entry per level, root first, the account last; each level needs an allow.
    pub scp_chain: Option<Vec<Vec<NamedPolicy>>>,
    /// `None`: the resource is not subject to RCPs. Same shape as `scp_chain`.
    pub rcp_chain: Option<Vec<Vec<NamedPolicy>>>,
    /// The resource's own policy, e.g. a role's trust policy for `sts:AssumeRole`.
    pub resource_policy: Option<NamedPolicy>,
}

/// The decision's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
    /// The decision depends on context keys the offline engine cannot know.
    Indeterminate,
}

impl Outcome {
    pub fn is_allowed(self) -> bool {
        self == Outcome::Allow
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Allow => "allowed",
            Outcome::ExplicitDeny => "explicitly denied",
            Outcome::ImplicitDeny => "implicitly denied",
            Outcome::Indeterminate => "indeterminate",
        })
    }
}

/// The kind of policy that decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    Identity,
    PermissionsBoundary,
    Session,
    Scp,
    Rcp,
    ResourcePolicy,
}

impl Layer {
    /// The layer's policies, for "no statement in the … allows it".
    pub fn plural(self) -> &'static str {
        match self {
            Layer::Identity => "identity policies",
            Layer::PermissionsBoundary => "permissions boundary",
            Layer::Session => "session policies",
            Layer::Scp => "service control policies",
            Layer::Rcp => "resource control policies",
            Layer::ResourcePolicy => "resource policy",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layer::Identity => "identity policy",
            Layer::PermissionsBoundary => "permissions boundary",
            Layer::Session => "session policy",
            Layer::Scp => "service control policy",
            Layer::Rcp => "resource control policy",
            Layer::ResourcePolicy => "resource policy",
        })
    }
}

/// The statement that decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementRef {
    pub policy_id: String,
    pub sid: Option<String>,
    /// Position in the policy's statement list.
    pub index: usize,
}

impl fmt::Display for StatementRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.sid {
            Some(sid) => write!(
                f,
                "statement {} (Sid {sid:?}) of {}",
                self.index, self.policy_id
            ),
            None => write!(f, "statement {} of {}", self.index, self.policy_id),
        }
    }
}

/// The result of [`evaluate`], with what it takes to explain it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub outcome: Outcome,
    /// The layer that decided: of the deny or the missing allow; of the allowing identity (or
    /// resource) policy for an allow.
    pub layer: Option<Layer>,
    /// For SCP and RCP layers: the level (0 = root) that decided.
    pub level: Option<usize>,
    /// The policies at that level, for an implicit deny by an SCP or RCP level.
    pub level_policies: Vec<String>,
    pub statement: Option<StatementRef>,
    /// Context keys the decision depends on but the request did not supply.
    pub unknown_keys: Vec<String>,
    pub action: String,
    pub resource: String,
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = format!("{} on {}", self.action, self.resource);
        let level = |f: &mut fmt::Formatter<'_>| -> fmt::Result {
            if let Some(l) = self.level {
                write!(f, " (level {l} of the chain, root = 0)")?;
            }
            Ok(())
        };
        match self.outcome {
            Outcome::Allow => {
                write!(f, "Allowed: {what}")?;
                if let (Some(layer), Some(st)) = (self.layer, &self.statement) {
                    write!(f, " is allowed by {st} ({layer})")?;
                }
                write!(
                    f,
                    "; no policy denies it and every applicable layer allows it."
                )
            }
            Outcome::ExplicitDeny => {
                write!(f, "Explicitly denied: {what}")?;
                if let (Some(layer), Some(st)) = (self.layer, &self.statement) {
                    write!(f, " is denied by {st} ({layer}")?;
                    level(f)?;
                    write!(f, ")")?;
                }
                write!(f, "; an explicit deny overrides every allow.")
            }
            Outcome::ImplicitDeny => {
                write!(f, "Implicitly denied: no statement allows {what}")?;
                match self.layer {
                    Some(layer @ (Layer::Scp | Layer::Rcp)) => {
                        write!(f, " in the {}", layer.plural())?;
                        level(f)?;
                        if !self.level_policies.is_empty() {
                            write!(f, " [{}]", self.level_policies.join(", "))?;
                        } else {
                            write!(f, " [no policy attached]")?;
                        }
                        write!(f, "; every level of the chain must allow the action.")?;
                    }
                    Some(layer) => write!(f, " in the {}.", layer.plural())?,
                    None => write!(f, ".")?,
                }
                if !self.unknown_keys.is_empty() {
                    write!(
                        f,
                        " (Unknown context keys, which could only add denials: {}.)",
                        self.unknown_keys.join(", ")
                    )?;
                }
                Ok(())
            }
            Outcome::Indeterminate => write!(
                f,
                "Indeterminate: whether {what} is allowed depends on context keys that are not known offline: {}. Supply them (e.g. --context KEY=VALUE) to decide.",
                self.unknown_keys.join(", ")
            ),
        }
    }
}

/// Keys that exist in every real request (or depend on how it travels) but that an offline
/// evaluation only knows when the caller supplies them: missing means unknown, not absent.
const REQUEST_TIME_KEYS: &[&str] = &[
    "aws:sourceip",
    "aws:currenttime",
    "aws:epochtime",
    "aws:securetransport",
    "aws:useragent",
    "aws:referer",
    "aws:requestedregion",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:vpcsourceip",
    "aws:multifactorauthpresent",
    "aws:multifactorauthage",
    "aws:tokenissuetime",
    "aws:userid",
    "aws:viaawsservice",
    "aws:calledvia",
    "aws:calledviafirst",
    "aws:calledvialast",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalisawsservice",
    "aws:principalservicename",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Unknown conditions count as matching in allows and not matching in denies.
    Best,
    /// The reverse.
    Worst,
}

/// What every statement looks at, prepared once per request rather than once per statement.
struct Prepared<'a> {
    req: &'a AuthzRequest,
    action_lower: &'a str,
    resource: SplitArn<'a>,
    /// The role's ARN when the caller is an assumed-role session, derived on first use.
    session_role: OnceCell<Option<String>>,
}

/// Calls `f` with `s` lower-cased, without allocating for strings of ordinary length.
fn with_lower<R>(s: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 128];
    match buf.get_mut(..s.len()) {
        Some(b) => {
            b.copy_from_slice(s.as_bytes());
            b.make_ascii_lowercase();
            f(std::str::from_utf8(b).expect("ASCII lower-casing keeps UTF-8 valid"))
        }
        None => f(&s.to_ascii_lowercase()),
    }
}

struct Env<'a> {
    prep: &'a Prepared<'a>,
    mode: Mode,
    unknown: Vec<String>,
}

impl<'a> Env<'a> {
    fn lookup(&self, key_lower: &str) -> Option<Cow<'a, [String]>> {
        let req = self.prep.req;
        if let Some(v) = req.context.get(key_lower) {
            return Some(Cow::Borrowed(v.values()));
        }
        if let Some(v) = req
            .context
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key_lower))
        {
            return Some(Cow::Borrowed(v.1.values()));
        }
        let one = |s: String| Some(Cow::Owned(vec![s]));
        match key_lower {
            "aws:principalarn" => {
                let role = self.prep.session_role.get_or_init(|| {
                    match principal_arn(&req.principal_arn) {
                        Cow::Owned(role) => Some(role),
                        Cow::Borrowed(_) => None,
                    }
                });
                let arn = role.as_ref().unwrap_or(&req.principal_arn);
                Some(Cow::Borrowed(std::slice::from_ref(arn)))
            }
            "aws:principalaccount" => {
                Some(Cow::Borrowed(std::slice::from_ref(&req.principal_account)))
            }
            "aws:username" => user_name(&req.principal_arn).and_then(|u| one(u.to_string())),
            "aws:principaltype" => {
                principal_type(&req.principal_arn).and_then(|t| one(t.to_string()))
            }
            "aws:resourceaccount" => resource_account(req).and_then(|a| one(a.to_string())),
            _ => None,
        }
    }

    fn known_absent(&self, key_lower: &str) -> bool {
        !REQUEST_TIME_KEYS.contains(&key_lower)
    }

    fn var(&self, key_lower: &str) -> Option<String> {
        match self.lookup(key_lower) {
            Some(v) if v.len() == 1 => Some(v[0].clone()),
            _ => None,
        }
    }

    /// Evaluates one statement; `principal_match` receives whether the Principal matched the
    /// caller directly (ARN or `*`) rather than through its account.
    fn statement(&mut self, st: &Statement, direct: &mut bool) -> Tri {
        let prep = self.prep;
        if !st.action.matches_lower(prep.action_lower) {
            return Tri::False;
        }
        if let Some(res) = &st.resource {
            let lookup = |k: &str| self.var(k);
            let hit = res
                .patterns
                .iter()
                .any(|p| p.matches_split(&prep.resource, &lookup).unwrap_or(false));
            if hit == res.negated {
                return Tri::False;
            }
        }
        if let Some(pr) = &st.principal {
            // Every entry is looked at until one names the caller directly: an account entry
            // listed first must not hide the caller's own ARN listed after it.
            let (mut hit, mut d) = (false, false);
            for id in &pr.ids {
                let (m, is_direct) = principal_matches(id, prep.req);
                hit |= m;
                if m && is_direct {
                    d = true;
                    break;
                }
            }
            if hit == pr.negated {
                return Tri::False;
            }
            *direct = d && !pr.negated;
        }
        let mut result = Tri::True;
        for c in &st.conditions {
            let values = self.lookup(&c.key_lower);
            let known = values.is_some() || self.known_absent(&c.key_lower);
            let lookup = |k: &str| self.var(k);
            match c.eval(values.as_deref(), known, &lookup) {
                Tri::False => return Tri::False,
                Tri::Unknown => {
                    if !self.unknown.contains(&c.key) {
                        self.unknown.push(c.key.clone());
                    }
                    result = Tri::Unknown;
                }
                Tri::True => {}
            }
        }
        result
    }
}

fn user_name(arn: &str) -> Option<&str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    let name = resource.strip_prefix("user/")?;
    Some(name.rsplit('/').next().unwrap_or(name))
}

fn principal_type(arn: &str) -> Option<&'static str> {
    let mut parts = arn.splitn(6, ':');
    let service = parts.nth(2)?;
    let resource = parts.nth(2)?;
    Some(match (service, resource) {
        (_, "root") => "Account",
        ("iam", r) if r.starts_with("user/") => "User",
        ("iam", r) if r.starts_with("role/") => "AssumedRole",
        ("sts", r) if r.starts_with("assumed-role/") => "AssumedRole",
        ("sts", r) if r.starts_with("federated-user/") => "FederatedUser",
        _ => return None,
    })
}

fn resource_account(req: &AuthzRequest) -> Option<&str> {
    let acct = req.resource.split(':').nth(4)?;
    (!acct.is_empty()).then_some(acct)
}

/// Whether a Principal entry names the caller, and whether it does so directly.
fn principal_matches(id: &PrincipalId, req: &AuthzRequest) -> (bool, bool) {
    match id {
        PrincipalId::Any => (true, true),
        PrincipalId::Account(a) => (*a == req.principal_account, false),
        PrincipalId::Arn(arn) => {
            if *arn == req.principal_arn {
                return (true, true);
            }
            // A role ARN also names the sessions of that role.
            let m = role_of_session(&req.principal_arn).is_some_and(|(acct, name)| {
                let mut parts = arn.splitn(6, ':');
                let (Some(_), Some(_), Some(svc), Some(_), Some(a), Some(res)) = (
                    parts.next(),
                    parts.next(),
                    parts.next(),
                    parts.next(),
                    parts.next(),
                    parts.next(),
                ) else {
                    return false;
                };
                svc == "iam"
                    && a == acct
                    && res
                        .strip_prefix("role/")
                        .is_some_and(|r| r.rsplit('/').next() == Some(name))
            });
            (m, m)
        }
        PrincipalId::Service(s) | PrincipalId::Federated(s) | PrincipalId::CanonicalUser(s) => {
            let m = *s == req.principal_arn;
            (m, m)
        }
    }
}

/// The value of `aws:PrincipalArn` for a caller, when the request does not supply it: the
/// caller's ARN, except for an assumed-role session (`arn:aws:sts::ACCT:assumed-role/NAME/S`),
/// for which AWS gives the role's ARN (`arn:aws:iam::ACCT:role/NAME`). A session ARN does not
/// carry the role's path: a caller that knows it supplies the key itself.
pub fn principal_arn(caller_arn: &str) -> Cow<'_, str> {
    match role_of_session(caller_arn) {
        Some((account, name)) => {
            let partition = caller_arn.split(':').nth(1).unwrap_or("aws");
            Cow::Owned(crate::vocab::arn::role(partition, account, None, name))
        }
        None => Cow::Borrowed(caller_arn),
    }
}

/// `(account, role name)` of an assumed-role session ARN.
fn role_of_session(arn: &str) -> Option<(&str, &str)> {
    // The service (third segment) first: most callers are not STS sessions, and a few bytes
    // tell.
    let (second_colon, _) = arn.bytes().enumerate().filter(|&(_, b)| b == b':').nth(1)?;
    if !arn[second_colon + 1..].starts_with("sts:") {
        return None;
    }
    let mut parts = arn.splitn(6, ':');
    let account = parts.nth(4)?;
    let rest = parts.next()?.strip_prefix("assumed-role/")?;
    Some((account, rest.split('/').next()?))
}

/// What one layer's policies say: the first matching deny and the first matching allow.
struct Scan<'p> {
    deny: Option<Hit<'p>>,
    allow: Option<Hit<'p>>,
    /// Whether the allow named the principal directly (resource policies).
    allow_direct: bool,
}

/// A matching statement, turned into a [`StatementRef`] only if it ends up deciding.
type Hit<'p> = (&'p NamedPolicy, &'p Statement);

fn stmt_ref((np, st): Hit<'_>) -> StatementRef {
    StatementRef {
        policy_id: np.id.clone(),
        sid: st.sid.clone(),
        index: st.index,
    }
}

fn scan<'p>(env: &mut Env<'_>, policies: &'p [NamedPolicy]) -> Scan<'p> {
    let mut out = Scan {
        deny: None,
        allow: None,
        allow_direct: false,
    };
    for np in policies {
        for st in &np.policy.statements {
            let is_deny = st.effect == Effect::Deny;
            // Skip what cannot change the scan's answer any more.
            if is_deny && out.deny.is_some() {
                continue;
            }
            // Once an allow is found, another can only matter if it names the principal
            // directly where the first did not (resource policies).
            if !is_deny && out.allow.is_some() && (out.allow_direct || st.principal.is_none()) {
                continue;
            }
            let mut direct = false;
            let t = env.statement(st, &mut direct);
            let counts = match (t, env.mode, is_deny) {
                (Tri::True, _, _) => true,
                (Tri::False, _, _) => false,
                (Tri::Unknown, Mode::Best, deny) => !deny,
                (Tri::Unknown, Mode::Worst, deny) => deny,
            };
            if counts {
                if is_deny {
                    out.deny = Some((np, st));
                } else if out.allow.is_none() || (direct && !out.allow_direct) {
                    out.allow = Some((np, st));
                    out.allow_direct = direct;
                }
            }
        }
    }
    out
}

/// A decision before it is explained: what decided, by reference, so that the strings of a
/// [`Decision`] are built once, for the verdict that is returned.
struct Verdict<'p> {
    outcome: Outcome,
    layer: Option<Layer>,
    level: Option<usize>,
    /// The policies of the SCP or RCP level that lacks an allow.
    level_policies: &'p [NamedPolicy],
    statement: Option<Hit<'p>>,
}

impl<'p> Verdict<'p> {
    fn new(outcome: Outcome, layer: Option<Layer>) -> Verdict<'p> {
        Verdict {
            outcome,
            layer,
            level: None,
            level_policies: &[],
            statement: None,
        }
    }

    fn deny(layer: Layer, level: Option<usize>, hit: Hit<'p>) -> Verdict<'p> {
        Verdict {
            level,
            statement: Some(hit),
            ..Verdict::new(Outcome::ExplicitDeny, Some(layer))
        }
    }

    fn explain(&self, req: &AuthzRequest, unknown_keys: Vec<String>) -> Decision {
        Decision {
            outcome: self.outcome,
            layer: self.layer,
            level: self.level,
            level_policies: self.level_policies.iter().map(|p| p.id.clone()).collect(),
            statement: self.statement.map(stmt_ref),
            unknown_keys,
            action: req.action.clone(),
            resource: req.resource.clone(),
        }
    }
}

/// One pass of AWS's logic in one mode. Layers are scanned in the order their explicit denies
/// are reported in (RCPs root first, SCPs root first, resource policy, identity, boundary,
/// session), so the first deny found decides and the rest need not be read. The unknown keys
/// returned are complete only when no deny was found.
fn decide<'p>(prep: &Prepared<'_>, set: &'p PolicySet, mode: Mode) -> (Verdict<'p>, Vec<String>) {
    let req = prep.req;
    let mut env = Env {
        prep,
        mode,
        unknown: Vec::new(),
    };

    // 1. An explicit deny anywhere wins; meanwhile, note the first chain level without an
    // allow (RCPs before SCPs).
    let rcp_chain = set
        .rcp_chain
        .as_deref()
        .filter(|_| actions::rcp_supported(&req.action));
    let mut missing: Option<(Layer, usize, &'p [NamedPolicy])> = None;
    for (layer, chain) in [
        (Layer::Rcp, rcp_chain),
        (Layer::Scp, set.scp_chain.as_deref()),
    ] {
        for (i, level) in chain.into_iter().flatten().enumerate() {
            let s = scan(&mut env, level);
            if let Some(hit) = s.deny {
                return (Verdict::deny(layer, Some(i), hit), env.unknown);
            }
            if s.allow.is_none() && missing.is_none() {
                missing = Some((layer, i, level));
            }
        }
    }
    let resource = set
        .resource_policy
        .as_ref()
        .map(|np| scan(&mut env, std::slice::from_ref(np)));
    if let Some(hit) = resource.as_ref().and_then(|s| s.deny) {
        return (Verdict::deny(Layer::ResourcePolicy, None, hit), env.unknown);
    }
    let identity = scan(&mut env, &set.identity);
    if let Some(hit) = identity.deny {
        return (Verdict::deny(Layer::Identity, None, hit), env.unknown);
    }
    let limits = [
        (
            Layer::PermissionsBoundary,
            set.permissions_boundary.as_deref(),
        ),
        (Layer::Session, set.session.as_deref()),
    ]
    .map(|(layer, policies)| (layer, policies.map(|p| scan(&mut env, p))));
    for (layer, s) in &limits {
        if let Some(hit) = s.as_ref().and_then(|s| s.deny) {
            return (Verdict::deny(*layer, None, hit), env.unknown);
        }
    }
    let unknown = env.unknown;

    // 2. Every level of the RCP chain, then of the SCP chain, must allow.
    if let Some((layer, i, level)) = missing {
        let v = Verdict {
            level: Some(i),
            level_policies: level,
            ..Verdict::new(Outcome::ImplicitDeny, Some(layer))
        };
        return (v, unknown);
    }

    // 3. An identity allow, or a resource-policy allow where AWS accepts one on its own.
    let same_account = prep
        .resource
        .segment(4)
        .filter(|a| !a.is_empty())
        .is_none_or(|a| a == req.principal_account);
    let by_resource = resource
        .as_ref()
        .filter(|r| r.allow.is_some() && r.allow_direct && same_account);
    let (layer, allowing) = if let Some(r) = by_resource {
        (Layer::ResourcePolicy, r.allow)
    } else {
        if identity.allow.is_none() {
            return (
                Verdict::new(Outcome::ImplicitDeny, Some(Layer::Identity)),
                unknown,
            );
        }
        if !same_account
            && let Some(r) = &resource
            && r.allow.is_none()
        {
            return (
                Verdict::new(Outcome::ImplicitDeny, Some(Layer::ResourcePolicy)),
                unknown,
            );
        }
        (Layer::Identity, identity.allow)
    };

    // 4. The permissions boundary and the session policy limit whatever was allowed.
    for (limit, s) in &limits {
        if s.as_ref().is_some_and(|s| s.allow.is_none()) {
            return (Verdict::new(Outcome::ImplicitDeny, Some(*limit)), unknown);
        }
    }

    let v = Verdict {
        statement: allowing,
        ..Verdict::new(Outcome::Allow, Some(layer))
    };
    (v, unknown)
}

/// Settles a decision from its best- and worst-case passes: the best case alone when no key
/// was unknown (or it already denies explicitly), otherwise both, and
/// [`Outcome::Indeterminate`] when they differ. `T` is what a pass adds to its verdict; an
/// indeterminate decision gets its default.
fn settle<'p, T: Default>(
    request: &AuthzRequest,
    mut pass: impl FnMut(Mode) -> (Verdict<'p>, Vec<String>, T),
) -> (Decision, T) {
    let (best, unknown, extra) = pass(Mode::Best);
    // A deny in the best case is a deny in every case (denies only grow in the worst).
    if unknown.is_empty() || best.outcome == Outcome::ExplicitDeny {
        return (best.explain(request, Vec::new()), extra);
    }
    let (worst, _, worst_extra) = pass(Mode::Worst);
    if best.outcome == worst.outcome {
        // Report what holds for certain: the worst case's allow rests on statements that
        // match whatever the unknown keys are, the best case's deny likewise.
        return if best.outcome == Outcome::Allow {
            (worst.explain(request, Vec::new()), worst_extra)
        } else {
            (best.explain(request, Vec::new()), extra)
        };
    }
    let mut d = best.explain(request, unknown);
    if d.outcome == Outcome::Allow {
        d.outcome = Outcome::Indeterminate;
        d.layer = None;
        d.level = None;
        d.statement = None;
    }
    (d, T::default())
}

fn prepare<R>(request: &AuthzRequest, f: impl FnOnce(&Prepared<'_>) -> R) -> R {
    with_lower(&request.action, |action_lower| {
        f(&Prepared {
            req: request,
            action_lower,
            resource: SplitArn::new(&request.resource),
            session_role: OnceCell::new(),
        })
    })
}

/// Evaluates one request against its policies, as AWS would.
pub fn evaluate(request: &AuthzRequest, policies: &PolicySet) -> Decision {
    prepare(request, |prep| {
        settle(request, |mode| {
            let (v, unknown) = decide(prep, policies, mode);
            (v, unknown, ())
        })
        .0
    })
}

/// The result of [`evaluate_resource_policy`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourcePolicyDecision {
    /// Allowed, explicitly denied, implicitly denied or indeterminate, by the resource policy
    /// alone ([`Layer::ResourcePolicy`]).
    pub decision: Decision,
    /// Whether the allowing statement names the principal itself (its ARN, the role of an
    /// assumed-role session, or `*`) rather than only its account. Within the resource's
    /// account such an allow suffices on its own, while naming the account delegates to the
    /// account's identity policies; across accounts the caller's identity policies must allow
    /// in both cases.
    pub names_principal: bool,
}

/// Evaluates a resource policy on its own, e.g. whether a role's trust policy lets a caller
/// make `sts:AssumeRole`: the `Principal` of each statement (an account id or
/// `arn:aws:iam::ID:root` names every principal of that account; an IAM ARN names that
/// principal, a role ARN also the role's sessions; `*` and `{"AWS": "*"}` everyone; `Service`
/// principals the service itself), its actions and its conditions, an explicit deny overriding
/// every allow. Trust policies cannot use `NotPrincipal`: [`Policy::parse`] refuses it.
pub fn evaluate_resource_policy(
    request: &AuthzRequest,
    policy: &NamedPolicy,
) -> ResourcePolicyDecision {
    prepare(request, |prep| {
        let (decision, names_principal) = settle(request, |mode| {
            let mut env = Env {
                prep,
                mode,
                unknown: Vec::new(),
            };
            let s = scan(&mut env, std::slice::from_ref(policy));
            let layer = Some(Layer::ResourcePolicy);
            let (v, direct) = match (s.deny, s.allow) {
                (Some(hit), _) => (Verdict::deny(Layer::ResourcePolicy, None, hit), false),
                (None, Some(hit)) => (
                    Verdict {
                        statement: Some(hit),
                        ..Verdict::new(Outcome::Allow, layer)
                    },
                    s.allow_direct,
                ),
                (None, None) => (Verdict::new(Outcome::ImplicitDeny, layer), false),
            };
            (v, env.unknown, direct)
        });
        ResourcePolicyDecision {
            decision,
            names_principal,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pol(json: &str, kind: PolicyKind) -> NamedPolicy {
        NamedPolicy::parse("p", json, kind).unwrap()
    }

    fn allow_all() -> NamedPolicy {
        pol(
            r#"{"Version":"2012-10-17","Statement":{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}}"#,
            PolicyKind::Identity,
        )
    }

    fn req(action: &str) -> AuthzRequest {
        AuthzRequest::new(
            "arn:aws:iam::111111111111:role/Admin",
            "111111111111",
            action,
            "*",
        )
    }

    #[test]
    fn identity_allow_and_implicit_deny() {
        let set = PolicySet {
            identity: vec![allow_all()],
            ..Default::default()
        };
        let d = evaluate(&req("organizations:ListRoots"), &set);
        assert_eq!(d.outcome, Outcome::Allow);
        assert_eq!(d.statement.unwrap().sid.as_deref(), Some("All"));
        let d = evaluate(&req("organizations:ListRoots"), &PolicySet::default());
        assert_eq!(d.outcome, Outcome::ImplicitDeny);
        assert_eq!(d.layer, Some(Layer::Identity));
    }

    #[test]
    fn scp_levels_each_need_an_allow() {
        let deny_nothing = pol(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}}"#,
            PolicyKind::Scp,
        );
        let set = PolicySet {
            identity: vec![allow_all()],
            scp_chain: Some(vec![vec![allow_all()], vec![deny_nothing]]),
            ..Default::default()
        };
        assert_eq!(evaluate(&req("iam:GetRole"), &set).outcome, Outcome::Allow);
        let d = evaluate(&req("sts:GetCallerIdentity"), &set);
        assert_eq!(d.outcome, Outcome::ImplicitDeny);
        assert_eq!((d.layer, d.level), (Some(Layer::Scp), Some(1)));
    }

    #[test]
    fn unknown_keys_make_an_allow_indeterminate() {
        let p = pol(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}"#,
            PolicyKind::Identity,
        );
        let set = PolicySet {
            identity: vec![p],
            ..Default::default()
        };
        let d = evaluate(&req("iam:GetRole"), &set);
        assert_eq!(d.outcome, Outcome::Indeterminate);
        assert_eq!(d.unknown_keys, ["aws:SourceIp"]);
        let d = evaluate(
            &req("iam:GetRole").with_context("AWS:SOURCEIP", "10.1.1.1"),
            &set,
        );
        assert_eq!(d.outcome, Outcome::Allow);
    }

    #[test]
    fn principal_arn_of_a_session_is_its_role() {
        assert_eq!(
            principal_arn("arn:aws:sts::111111111111:assumed-role/Admin/alice"),
            "arn:aws:iam::111111111111:role/Admin"
        );
        assert_eq!(
            principal_arn("arn:aws-cn:sts::111111111111:assumed-role/Admin/alice"),
            "arn:aws-cn:iam::111111111111:role/Admin"
        );
        let user = "arn:aws:iam::111111111111:user/alice";
        assert_eq!(principal_arn(user), user);
        let guard = pol(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"OnlyAdmin","Effect":"Deny","Action":"*","Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Admin"}}}]}"#,
            PolicyKind::Scp,
        );
        let set = PolicySet {
            identity: vec![allow_all()],
            scp_chain: Some(vec![vec![guard]]),
            ..Default::default()
        };
        let session = |who: &str| {
            AuthzRequest::new(
                format!("arn:aws:sts::111111111111:assumed-role/{who}/s"),
                "111111111111",
                "iam:GetRole",
                "*",
            )
        };
        assert_eq!(evaluate(&session("Admin"), &set).outcome, Outcome::Allow);
        assert_eq!(
            evaluate(&session("Other"), &set).outcome,
            Outcome::ExplicitDeny
        );
        // A value the caller supplies (e.g. with the role's path) is used as given.
        let supplied = session("Admin").with_context("aws:PrincipalArn", "arn:aws:iam::1:user/x");
        assert_eq!(evaluate(&supplied, &set).outcome, Outcome::ExplicitDeny);
    }

    #[test]
    fn display_explains() {
        let d = evaluate(&req("iam:GetRole"), &PolicySet::default());
        let text = d.to_string();
        assert!(
            text.contains("no statement allows iam:GetRole on * in the identity policies."),
            "{text}"
        );
    }
}
