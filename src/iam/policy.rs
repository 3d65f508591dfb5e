//! Policy documents: parsing and validation of identity policies, trust policies, SCPs, RCPs,
//! permissions boundaries and session policies into a compiled [`Policy`], with AWS's grammar
//! rules per kind, its size limits, and grammar errors that carry the JSON path of the
//! offending element (`Statement[1].Condition.StringEquals`). [`Policy::lint`] adds warnings for
//! shapes that are valid but almost certainly not what the author meant.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use super::actions;
use super::condition::{Condition, Operator};
use super::pattern::{ActionPattern, ArnPattern};

/// What a policy document is used as; decides its grammar and its size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// An identity policy inline in a role (the role's inline policies share 10,240
    /// characters).
    Identity,
    /// A customer managed identity policy (6,144 characters).
    Managed,
    /// A role trust policy (2,048 characters by default; the quota can be raised to 4,096).
    Trust,
    /// A service control policy (its size limit is the SCP row of [`crate::vocab::POLICY_TYPES`]).
    Scp,
    /// A resource control policy (its size limit is the RCP row of the same table).
    Rcp,
    /// A managed policy used as a permissions boundary (6,144 characters).
    PermissionsBoundary,
    /// A session policy passed to AssumeRole (2,048 characters).
    Session,
}

/// The document size limit of an Organizations policy type, from the one table.
fn organizations_max_size(policy_type: &str) -> usize {
    crate::vocab::policy_type(policy_type).map_or(5_120, |t| t.max_size)
}

impl PolicyKind {
    /// The maximum size in characters, counted as [`PolicyKind::size_of`] counts.
    pub fn max_size(self) -> usize {
        match self {
            PolicyKind::Identity => 10_240,
            PolicyKind::Managed | PolicyKind::PermissionsBoundary => 6_144,
            PolicyKind::Trust | PolicyKind::Session => 2_048,
            PolicyKind::Scp => organizations_max_size(crate::vocab::SCP),
            PolicyKind::Rcp => organizations_max_size(crate::vocab::RCP),
        }
    }

    /// The size of a document as AWS counts it for this kind: IAM does not count white space
    /// outside strings; Organizations counts every character of the document as sent.
    pub fn size_of(self, json: &str) -> usize {
        match self {
            PolicyKind::Scp | PolicyKind::Rcp => json.chars().count(),
            _ => size_without_whitespace(json),
        }
    }

    fn is_organizations(self) -> bool {
        matches!(self, PolicyKind::Scp | PolicyKind::Rcp)
    }
}

impl fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PolicyKind::Identity => "identity policy",
            PolicyKind::Managed => "managed policy",
            PolicyKind::Trust => "trust policy",
            PolicyKind::Scp => "service control policy",
            PolicyKind::Rcp => "resource control policy",
            PolicyKind::PermissionsBoundary => "permissions boundary",
            PolicyKind::Session => "session policy",
        })
    }
}

/// Characters outside JSON strings that are not white space, plus every character inside
/// strings.
fn size_without_whitespace(json: &str) -> usize {
    let mut n = 0;
    let mut in_str = false;
    let mut escaped = false;
    for c in json.chars() {
        if in_str {
            n += 1;
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
        } else if !c.is_whitespace() {
            n += 1;
            if c == '"' {
                in_str = true;
            }
        }
    }
    n
}

/// Why a policy document was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The text is not JSON.
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    /// The JSON does not follow the policy grammar; `path` points at the offending element.
    #[error("{path}: {message}")]
    Grammar { path: String, message: String },
    /// The document is larger than this kind allows.
    #[error("the {kind} is {size} characters, more than the {limit} AWS allows")]
    TooLarge {
        kind: PolicyKind,
        size: usize,
        limit: usize,
    },
}

impl PolicyError {
    fn at(path: impl Into<String>, message: impl Into<String>) -> PolicyError {
        PolicyError::Grammar {
            path: path.into(),
            message: message.into(),
        }
    }

    /// The JSON path of a grammar error.
    pub fn path(&self) -> Option<&str> {
        match self {
            PolicyError::Grammar { path, .. } => Some(path),
            _ => None,
        }
    }
}

/// A valid but suspicious shape, found by [`Policy::lint`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// JSON path of the element, e.g. `Statement[0].Action[2]`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// `Action` or `NotAction`.
#[derive(Debug, Clone)]
pub struct ActionSpec {
    pub negated: bool,
    pub patterns: Vec<ActionPattern>,
}

impl ActionSpec {
    pub(crate) fn matches_lower(&self, action_lower: &str) -> bool {
        self.patterns.iter().any(|p| p.matches_lower(action_lower)) != self.negated
    }
}

/// `Resource` or `NotResource`.
#[derive(Debug, Clone)]
pub struct ResourceSpec {
    pub negated: bool,
    pub patterns: Vec<ArnPattern>,
}

/// One entry of a `Principal` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalId {
    /// `"*"` or `{"AWS": "*"}`.
    Any,
    /// An account (`123456789012` or `arn:aws:iam::123456789012:root`): any principal in it.
    Account(String),
    /// A specific IAM or STS ARN.
    Arn(String),
    /// A service principal such as `ec2.amazonaws.com`.
    Service(String),
    /// A federated identity provider.
    Federated(String),
    CanonicalUser(String),
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone)]
pub struct PrincipalSpec {
    pub negated: bool,
    pub ids: Vec<PrincipalId>,
}

/// One statement, compiled.
#[derive(Debug, Clone)]
pub struct Statement {
    /// Position in the `Statement` list (0 when `Statement` is a single object).
    pub index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub principal: Option<PrincipalSpec>,
    pub action: ActionSpec,
    /// `None` only in trust policies, which name no resource.
    pub resource: Option<ResourceSpec>,
    pub conditions: Vec<Condition>,
}

/// A parsed and validated policy document.
#[derive(Debug, Clone)]
pub struct Policy {
    pub kind: PolicyKind,
    pub version: Option<String>,
    pub id: Option<String>,
    pub statements: Vec<Statement>,
    /// Whether `Statement` was a list (paths then carry an index).
    listed: bool,
}

const VERSIONS: [&str; 2] = ["2012-10-17", "2008-10-17"];

fn as_list<'a>(value: &'a Value, path: &str) -> Result<Vec<(String, &'a Value)>, PolicyError> {
    match value {
        Value::Array(items) => {
            if items.is_empty() {
                return Err(PolicyError::at(path, "must not be an empty list"));
            }
            Ok(items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("{path}[{i}]"), v))
                .collect())
        }
        v => Ok(vec![(path.to_string(), v)]),
    }
}

fn strings(value: &Value, path: &str) -> Result<Vec<(String, String)>, PolicyError> {
    as_list(value, path)?
        .into_iter()
        .map(|(p, v)| match v {
            Value::String(s) => Ok((p, s.clone())),
            _ => Err(PolicyError::at(p, "must be a string")),
        })
        .collect()
}

fn exactly_one<'a>(
    obj: &'a Map<String, Value>,
    path: &str,
    a: &str,
    b: &str,
) -> Result<Option<(bool, &'a Value)>, PolicyError> {
    match (obj.get(a), obj.get(b)) {
        (Some(_), Some(_)) => Err(PolicyError::at(
            path,
            format!("has both {a} and {b}; a statement takes exactly one of them"),
        )),
        (Some(v), None) => Ok(Some((false, v))),
        (None, Some(v)) => Ok(Some((true, v))),
        (None, None) => Ok(None),
    }
}

impl Policy {
    /// Parses and validates a policy document of the given kind.
    pub fn parse(json: &str, kind: PolicyKind) -> Result<Policy, PolicyError> {
        let size = kind.size_of(json);
        if size > kind.max_size() {
            return Err(PolicyError::TooLarge {
                kind,
                size,
                limit: kind.max_size(),
            });
        }
        let value: Value = serde_json::from_str(json).map_err(|e| PolicyError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        Policy::from_value(&value, kind)
    }

    /// Validates an already parsed document (no size check).
    pub fn from_value(value: &Value, kind: PolicyKind) -> Result<Policy, PolicyError> {
        let Value::Object(top) = value else {
            return Err(PolicyError::at(
                "$",
                "a policy document must be a JSON object",
            ));
        };
        for key in top.keys() {
            if !matches!(key.as_str(), "Version" | "Id" | "Statement") {
                return Err(PolicyError::at(
                    key.clone(),
                    "unknown element; a policy has Version, Id and Statement",
                ));
            }
        }
        let version = match top.get("Version") {
            None => None,
            Some(Value::String(v)) if VERSIONS.contains(&v.as_str()) => Some(v.clone()),
            Some(_) => {
                return Err(PolicyError::at(
                    "Version",
                    "must be \"2012-10-17\" (or the legacy \"2008-10-17\")",
                ));
            }
        };
        if kind == PolicyKind::Rcp && version.as_deref() != Some("2012-10-17") {
            return Err(PolicyError::at(
                "Version",
                "an RCP must have Version \"2012-10-17\"",
            ));
        }
        let id = match top.get("Id") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(PolicyError::at("Id", "must be a string")),
        };
        let vars = version.as_deref() == Some("2012-10-17");
        let statements_value = top.get("Statement").ok_or_else(|| {
            PolicyError::at(
                "Statement",
                "missing; a policy needs at least one statement",
            )
        })?;
        let listed = matches!(statements_value, Value::Array(_));
        let mut statements = Vec::new();
        for (i, (path, st)) in as_list(statements_value, "Statement")?
            .into_iter()
            .enumerate()
        {
            let path = if listed {
                path
            } else {
                "Statement".to_string()
            };
            statements.push(parse_statement(st, &path, i, kind, vars)?);
        }
        let policy = Policy {
            kind,
            version,
            id,
            statements,
            listed,
        };
        if kind == PolicyKind::Rcp {
            policy.check_rcp_allow()?;
        }
        Ok(policy)
    }

    /// Customer RCPs may only deny: AWS allows `Allow` only in its own `RCPFullAWSAccess`,
    /// whose shape (allow everything to everyone) is accepted here so that it can be parsed.
    fn check_rcp_allow(&self) -> Result<(), PolicyError> {
        for st in &self.statements {
            if st.effect == Effect::Allow {
                let full = st.conditions.is_empty()
                    && !st.action.negated
                    && st.action.patterns.iter().any(|p| p.text == "*")
                    && st
                        .resource
                        .as_ref()
                        .is_some_and(|r| !r.negated && r.patterns.iter().any(|p| p.text == "*"));
                if !full {
                    return Err(PolicyError::at(
                        statement_path(self, st) + ".Effect",
                        "RCPs support only Deny statements (Allow is reserved to the AWS-managed RCPFullAWSAccess)",
                    ));
                }
            }
        }
        Ok(())
    }

    /// Warnings for valid but suspicious shapes: Allow with NotAction, actions the reference
    /// does not know (for Organizations, IAM and STS), and specific ARNs on actions that have
    /// no resource type (they can only ever match `"*"`).
    pub fn lint(&self) -> Vec<Warning> {
        let mut out = Vec::new();
        for st in &self.statements {
            let sp = statement_path(self, st);
            let element = if st.action.negated {
                "NotAction"
            } else {
                "Action"
            };
            if let Some(sid) = &st.sid
                && !kind_allows_any_sid(self.kind)
                && !sid.chars().all(|c| c.is_ascii_alphanumeric())
            {
                out.push(Warning {
                    path: format!("{sp}.Sid"),
                    message: "IAM accepts only ASCII letters and digits in a Sid".into(),
                });
            }
            if st.effect == Effect::Allow && st.action.negated {
                out.push(Warning {
                    path: format!("{sp}.NotAction"),
                    message: "Allow with NotAction allows every action not listed, in every service, including ones added later".into(),
                });
            }
            let mut all_without_resource_type = !st.action.negated;
            for (i, p) in st.action.patterns.iter().enumerate() {
                let path = if st.action.patterns.len() > 1 {
                    format!("{sp}.{element}[{i}]")
                } else {
                    format!("{sp}.{element}")
                };
                let Some((prefix, _)) = p.text.split_once(':') else {
                    all_without_resource_type = false;
                    continue;
                };
                let Some(service) =
                    actions::service(prefix).filter(|_| !prefix.contains(['*', '?']))
                else {
                    all_without_resource_type = false;
                    continue;
                };
                let matching: Vec<_> = service
                    .actions
                    .values()
                    .filter(|a| p.matches(&format!("{}:{}", service.service, a.name)))
                    .collect();
                if matching.is_empty() {
                    out.push(Warning {
                        path,
                        message: format!("{} matches no {} action", p.text, service.service_name),
                    });
                    all_without_resource_type = false;
                } else if matching.iter().any(|a| !a.resource_types.is_empty()) {
                    all_without_resource_type = false;
                }
            }
            if all_without_resource_type
                && let Some(res) = &st.resource
                && !res.negated
            {
                for (i, r) in res.patterns.iter().enumerate() {
                    if r.text != "*" {
                        let path = if res.patterns.len() > 1 {
                            format!("{sp}.Resource[{i}]")
                        } else {
                            format!("{sp}.Resource")
                        };
                        out.push(Warning {
                            path,
                            message: format!(
                                "the actions of this statement have no resource type; {} never matches, use \"*\"",
                                r.text
                            ),
                        });
                    }
                }
            }
        }
        out
    }

    /// The statement's path in the document, as used in errors and warnings.
    pub fn statement_path(&self, st: &Statement) -> String {
        statement_path(self, st)
    }
}

fn kind_allows_any_sid(kind: PolicyKind) -> bool {
    kind.is_organizations()
}

fn statement_path(policy: &Policy, st: &Statement) -> String {
    if policy.listed {
        format!("Statement[{}]", st.index)
    } else {
        "Statement".to_string()
    }
}

fn parse_statement(
    value: &Value,
    path: &str,
    index: usize,
    kind: PolicyKind,
    vars: bool,
) -> Result<Statement, PolicyError> {
    let Value::Object(obj) = value else {
        return Err(PolicyError::at(path, "a statement must be a JSON object"));
    };
    for key in obj.keys() {
        if !matches!(
            key.as_str(),
            "Sid"
                | "Effect"
                | "Principal"
                | "NotPrincipal"
                | "Action"
                | "NotAction"
                | "Resource"
                | "NotResource"
                | "Condition"
        ) {
            return Err(PolicyError::at(
                format!("{path}.{key}"),
                "unknown statement element",
            ));
        }
    }
    let sid = match obj.get("Sid") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(PolicyError::at(format!("{path}.Sid"), "must be a string")),
    };
    let effect = match obj.get("Effect") {
        Some(Value::String(s)) if s == "Allow" => Effect::Allow,
        Some(Value::String(s)) if s == "Deny" => Effect::Deny,
        Some(_) => {
            return Err(PolicyError::at(
                format!("{path}.Effect"),
                "must be \"Allow\" or \"Deny\"",
            ));
        }
        None => return Err(PolicyError::at(path, "missing Effect")),
    };

    let principal = match exactly_one(obj, path, "Principal", "NotPrincipal")? {
        Some((negated, v)) => {
            let element = if negated { "NotPrincipal" } else { "Principal" };
            let epath = format!("{path}.{element}");
            match kind {
                PolicyKind::Trust | PolicyKind::Rcp if negated => {
                    return Err(PolicyError::at(
                        epath,
                        format!("a {kind} does not support NotPrincipal"),
                    ));
                }
                PolicyKind::Trust | PolicyKind::Rcp => {}
                _ => {
                    return Err(PolicyError::at(
                        epath,
                        format!("a {kind} has no {element} element"),
                    ));
                }
            }
            let spec = parse_principal(v, &epath, negated)?;
            if kind == PolicyKind::Rcp && spec.ids != [PrincipalId::Any] {
                return Err(PolicyError::at(
                    epath,
                    "an RCP's Principal must be \"*\" (restrict principals with conditions)",
                ));
            }
            Some(spec)
        }
        None if matches!(kind, PolicyKind::Trust | PolicyKind::Rcp) => {
            return Err(PolicyError::at(
                path,
                format!("missing Principal; every statement of a {kind} names one"),
            ));
        }
        None => None,
    };

    let action = match exactly_one(obj, path, "Action", "NotAction")? {
        Some((negated, v)) => {
            let element = if negated { "NotAction" } else { "Action" };
            let epath = format!("{path}.{element}");
            if negated && kind == PolicyKind::Rcp {
                return Err(PolicyError::at(epath, "RCPs do not support NotAction"));
            }
            let mut patterns = Vec::new();
            for (p, s) in strings(v, &epath)? {
                if s != "*" && !s.contains(':') {
                    return Err(PolicyError::at(
                        p,
                        format!("{s:?} is not an action: write service:Action or \"*\""),
                    ));
                }
                patterns.push(ActionPattern::new(&s));
            }
            ActionSpec { negated, patterns }
        }
        None => return Err(PolicyError::at(path, "missing Action or NotAction")),
    };

    let resource = match exactly_one(obj, path, "Resource", "NotResource")? {
        Some((negated, v)) => {
            let element = if negated { "NotResource" } else { "Resource" };
            let epath = format!("{path}.{element}");
            if kind == PolicyKind::Trust {
                return Err(PolicyError::at(
                    epath,
                    format!("a trust policy has no {element} element"),
                ));
            }
            let mut patterns = Vec::new();
            for (p, s) in strings(v, &epath)? {
                if s != "*" && !s.starts_with("arn:") {
                    return Err(PolicyError::at(p, format!("{s:?} must be an ARN or \"*\"")));
                }
                if s.starts_with("arn:") && s.split(':').count() < 6 && !s.ends_with('*') {
                    return Err(PolicyError::at(
                        p,
                        format!(
                            "{s:?} is not a complete ARN (arn:partition:service:region:account:resource)"
                        ),
                    ));
                }
                patterns.push(ArnPattern::new(&s, vars).map_err(|m| PolicyError::at(p, m))?);
            }
            Some(ResourceSpec { negated, patterns })
        }
        None if kind == PolicyKind::Trust => None,
        None => return Err(PolicyError::at(path, "missing Resource or NotResource")),
    };

    let mut conditions = Vec::new();
    if let Some(c) = obj.get("Condition") {
        let cpath = format!("{path}.Condition");
        let Value::Object(ops) = c else {
            return Err(PolicyError::at(cpath, "must be an object of operators"));
        };
        for (op_name, keys) in ops {
            let opath = format!("{cpath}.{op_name}");
            let op = Operator::parse(op_name).ok_or_else(|| {
                PolicyError::at(&opath, format!("unknown condition operator {op_name:?}"))
            })?;
            let Value::Object(keys) = keys else {
                return Err(PolicyError::at(
                    opath,
                    "must be an object of condition keys",
                ));
            };
            if keys.is_empty() {
                return Err(PolicyError::at(opath, "names no condition key"));
            }
            for (key, v) in keys {
                let kpath = format!("{opath}.{key}");
                conditions.push(
                    Condition::new(op_name, op, key, v, vars)
                        .map_err(|m| PolicyError::at(kpath, m))?,
                );
            }
        }
    }

    Ok(Statement {
        index,
        sid,
        effect,
        principal,
        action,
        resource,
        conditions,
    })
}

fn parse_principal(value: &Value, path: &str, negated: bool) -> Result<PrincipalSpec, PolicyError> {
    let mut ids = Vec::new();
    match value {
        Value::String(s) if s == "*" => ids.push(PrincipalId::Any),
        Value::Object(map) => {
            for (ptype, v) in map {
                let tpath = format!("{path}.{ptype}");
                for (p, s) in strings(v, &tpath)? {
                    let id = match ptype.as_str() {
                        "AWS" => parse_aws_principal(&s).ok_or_else(|| {
                            PolicyError::at(
                                &p,
                                format!("{s:?} is not an account id, an IAM or STS ARN, or \"*\""),
                            )
                        })?,
                        "Service" => PrincipalId::Service(s),
                        "Federated" => PrincipalId::Federated(s),
                        "CanonicalUser" => PrincipalId::CanonicalUser(s),
                        _ => {
                            return Err(PolicyError::at(
                                tpath,
                                "unknown principal type; accepted are AWS, Service, Federated, CanonicalUser",
                            ));
                        }
                    };
                    ids.push(id);
                }
            }
            if ids.is_empty() {
                return Err(PolicyError::at(path, "names no principal"));
            }
        }
        _ => {
            return Err(PolicyError::at(
                path,
                "must be \"*\" or an object such as {\"AWS\": ...}",
            ));
        }
    }
    Ok(PrincipalSpec { negated, ids })
}

fn parse_aws_principal(s: &str) -> Option<PrincipalId> {
    if s == "*" {
        return Some(PrincipalId::Any);
    }
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        return Some(PrincipalId::Account(s.to_string()));
    }
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" || !matches!(parts[2], "iam" | "sts") {
        return None;
    }
    if parts[5] == "root" {
        return Some(PrincipalId::Account(parts[4].to_string()));
    }
    Some(PrincipalId::Arn(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_path(json: &str, kind: PolicyKind) -> String {
        match Policy::parse(json, kind) {
            Err(PolicyError::Grammar { path, .. }) => path,
            other => panic!("expected a grammar error, got {other:?}"),
        }
    }

    #[test]
    fn parses_single_and_listed_statements() {
        let p = Policy::parse(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"}}"#,
            PolicyKind::Identity,
        )
        .unwrap();
        assert_eq!(p.statements.len(), 1);
        let p = Policy::parse(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny","NotAction":["iam:*","sts:*"],"NotResource":"arn:aws:iam::*:role/x"}]}"#,
            PolicyKind::Scp,
        )
        .unwrap();
        assert!(p.statements[0].action.negated);
        assert_eq!(p.statements[0].sid.as_deref(), Some("A"));
    }

    #[test]
    fn grammar_errors_name_the_path() {
        let st = |s: &str| {
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"*","Resource":"*"}},{s}]}}"#
            )
        };
        assert_eq!(
            err_path(
                &st(
                    r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqual":{"a":"b"}}}"#
                ),
                PolicyKind::Identity
            ),
            "Statement[1].Condition.StringEqual"
        );
        assert_eq!(
            err_path(
                &st(r#"{"Effect":"Allow","Action":"*","NotAction":"*","Resource":"*"}"#),
                PolicyKind::Identity
            ),
            "Statement[1]"
        );
        assert_eq!(
            err_path(
                &st(r#"{"Effect":"allow","Action":"*","Resource":"*"}"#),
                PolicyKind::Identity
            ),
            "Statement[1].Effect"
        );
        assert_eq!(
            err_path(
                &st(r#"{"Effect":"Allow","Action":["iam:GetRole","GetRole"],"Resource":"*"}"#),
                PolicyKind::Identity
            ),
            "Statement[1].Action[1]"
        );
        assert_eq!(
            err_path(
                &st(r#"{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}"#),
                PolicyKind::Scp
            ),
            "Statement[1].Principal"
        );
        assert_eq!(
            err_path(
                &st(
                    r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericEquals":{"k":"x"}}}"#
                ),
                PolicyKind::Identity
            ),
            "Statement[1].Condition.NumericEquals.k"
        );
        assert_eq!(
            err_path(r#"{"Version":"2012-10-17"}"#, PolicyKind::Identity),
            "Statement"
        );
        assert_eq!(
            err_path(r#"{"Version":"1","Statement":[]}"#, PolicyKind::Identity),
            "Version"
        );
    }

    #[test]
    fn kind_specific_rules() {
        let trust = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}}"#;
        assert!(Policy::parse(trust, PolicyKind::Trust).is_ok());
        assert!(Policy::parse(trust, PolicyKind::Identity).is_err());
        let rcp_allow = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:*","Resource":"*"}}"#;
        assert_eq!(err_path(rcp_allow, PolicyKind::Rcp), "Statement.Effect");
        let rcp_full = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}"#;
        assert!(Policy::parse(rcp_full, PolicyKind::Rcp).is_ok());
    }

    #[test]
    fn size_limits() {
        let filler = "a".repeat(2100);
        let doc = format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Sid":"{filler}","Effect":"Allow","Action":"*","Resource":"*"}}}}"#
        );
        assert!(matches!(
            Policy::parse(&doc, PolicyKind::Session),
            Err(PolicyError::TooLarge { limit: 2048, .. })
        ));
        assert!(Policy::parse(&doc, PolicyKind::Identity).is_ok());
        assert_eq!(PolicyKind::Managed.size_of("{ \"a\" : \"b c\" }"), 11);
        assert_eq!(PolicyKind::Scp.size_of("{ \"a\" : \"b c\" }"), 15);
    }

    #[test]
    fn lint_warnings() {
        let p = Policy::parse(
            r#"{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","NotAction":"iam:*","Resource":"*"},
                {"Effect":"Allow","Action":["organizations:ListRoots","organizations:DescribeNothing"],"Resource":"*"},
                {"Effect":"Allow","Action":"organizations:ListRoots","Resource":"arn:aws:organizations::111111111111:root/o-abc/r-ab12"},
                {"Effect":"Allow","Action":["s3:GetObject","iam:Get*"],"Resource":"arn:aws:s3:::b/*"}
            ]}"#,
            PolicyKind::Identity,
        )
        .unwrap();
        let w = p.lint();
        let paths: Vec<&str> = w.iter().map(|w| w.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "Statement[0].NotAction",
                "Statement[1].Action[1]",
                "Statement[2].Resource"
            ]
        );
    }
}
