//! The offline policy simulator behind `orgchard policy simulate`: policy documents in, one
//! explained decision per resource out. The command line only reads files and prints.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::eval::{
    AuthzRequest, ContextValue, Decision, NamedPolicy, Outcome, PolicySet, evaluate,
};
use super::policy::{Policy, PolicyError, PolicyKind};

/// The principal `simulate` evaluates as when none is given: a role in a member account
/// (`arn:aws:iam::111111111111:role/SimulatedRole`).
pub fn default_principal() -> String {
    crate::vocab::arn::role("aws", "111111111111", None, "SimulatedRole")
}

/// A policy document with the name it is reported under (usually its file name).
#[derive(Debug, Clone)]
pub struct Document {
    pub name: String,
    pub json: String,
}

/// What to simulate.
#[derive(Debug, Clone, Default)]
pub struct SimulateOptions {
    pub identity: Vec<Document>,
    /// SCP levels, root first; empty: the principal is not subject to SCPs.
    pub scp_levels: Vec<Vec<Document>>,
    pub permissions_boundary: Vec<Document>,
    pub resource_policy: Option<Document>,
    /// Default [`default_principal`].
    pub principal: Option<String>,
    pub action: String,
    pub resources: Vec<String>,
    /// `KEY=VALUE` pairs already split; a repeated key makes a multi-valued key.
    pub context: Vec<(String, String)>,
}

/// Why a simulation could not run.
#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    /// A document is not a valid policy of its kind.
    #[error("{name}: {source}")]
    Policy {
        name: String,
        #[source]
        source: PolicyError,
    },
    /// The principal is not an IAM or STS ARN with an account.
    #[error("--principal {0:?} is not an IAM or STS ARN with an account id")]
    Principal(String),
}

/// The decisions, one per resource.
#[derive(Debug, Clone, Serialize)]
pub struct SimulateReport {
    /// Whether every resource is allowed.
    pub allowed: bool,
    pub principal: String,
    pub decisions: Vec<ExplainedDecision>,
    /// Lint warnings of the documents, prefixed with their names.
    pub warnings: Vec<String>,
}

/// A decision with its one-paragraph explanation.
#[derive(Debug, Clone, Serialize)]
pub struct ExplainedDecision {
    #[serde(flatten)]
    pub decision: Decision,
    pub explanation: String,
}

fn parse(
    doc: &Document,
    kind: PolicyKind,
    warnings: &mut Vec<String>,
) -> Result<NamedPolicy, SimulateError> {
    let policy = Policy::parse(&doc.json, kind).map_err(|source| SimulateError::Policy {
        name: doc.name.clone(),
        source,
    })?;
    warnings.extend(
        policy
            .lint()
            .into_iter()
            .map(|w| format!("{}: {w}", doc.name)),
    );
    Ok(NamedPolicy {
        id: doc.name.clone(),
        policy: Arc::new(policy),
    })
}

/// Parses every document and evaluates the request once per resource.
pub fn simulate(opts: &SimulateOptions) -> Result<SimulateReport, SimulateError> {
    let principal = opts.principal.clone().unwrap_or_else(default_principal);
    let account = principal
        .split(':')
        .nth(4)
        .filter(|a| principal.starts_with("arn:") && !a.is_empty())
        .ok_or_else(|| SimulateError::Principal(principal.clone()))?
        .to_string();
    let mut warnings = Vec::new();
    let mut set = PolicySet::default();
    for d in &opts.identity {
        set.identity
            .push(parse(d, PolicyKind::Identity, &mut warnings)?);
    }
    if !opts.scp_levels.is_empty() {
        let mut chain = Vec::new();
        for level in &opts.scp_levels {
            chain.push(
                level
                    .iter()
                    .map(|d| parse(d, PolicyKind::Scp, &mut warnings))
                    .collect::<Result<Vec<_>, _>>()?,
            );
        }
        set.scp_chain = Some(chain);
    }
    if !opts.permissions_boundary.is_empty() {
        set.permissions_boundary = Some(
            opts.permissions_boundary
                .iter()
                .map(|d| parse(d, PolicyKind::PermissionsBoundary, &mut warnings))
                .collect::<Result<_, _>>()?,
        );
    }
    if let Some(d) = &opts.resource_policy {
        set.resource_policy = Some(parse(d, PolicyKind::Trust, &mut warnings)?);
    }
    let mut context: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in &opts.context {
        context
            .entry(k.to_ascii_lowercase())
            .or_default()
            .push(v.clone());
    }
    let mut decisions = Vec::new();
    for resource in &opts.resources {
        let mut req = AuthzRequest::new(&principal, &account, &opts.action, resource);
        for (k, vs) in &context {
            let value = if vs.len() == 1 {
                ContextValue::string(vs[0].clone())
            } else {
                ContextValue::list(vs.clone())
            };
            req = req.with_context(k, value);
        }
        let decision = evaluate(&req, &set);
        decisions.push(ExplainedDecision {
            explanation: decision.to_string(),
            decision,
        });
    }
    Ok(SimulateReport {
        allowed: decisions
            .iter()
            .all(|d| d.decision.outcome == Outcome::Allow),
        principal,
        decisions,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(name: &str, json: &str) -> Document {
        Document {
            name: name.into(),
            json: json.into(),
        }
    }

    #[test]
    fn bad_documents_are_named() {
        let opts = SimulateOptions {
            identity: vec![doc("id.json", r#"{"Statement":{"Effect":"Allow"}}"#)],
            action: "iam:GetRole".into(),
            resources: vec!["*".into()],
            ..Default::default()
        };
        let err = simulate(&opts).unwrap_err().to_string();
        assert!(err.starts_with("id.json: Statement:"), "{err}");
    }

    #[test]
    fn multi_valued_context_and_scp_levels() {
        let opts = SimulateOptions {
            identity: vec![doc(
                "id.json",
                r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}}}"#,
            )],
            scp_levels: vec![vec![doc(
                "root.json",
                r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
            )]],
            action: "organizations:TagResource".into(),
            resources: vec!["*".into()],
            context: vec![
                ("aws:TagKeys".into(), "a".into()),
                ("aws:TagKeys".into(), "b".into()),
            ],
            ..Default::default()
        };
        assert!(simulate(&opts).unwrap().allowed);
        let mut opts = opts;
        opts.context.push(("aws:TagKeys".into(), "c".into()));
        assert!(!simulate(&opts).unwrap().allowed);
    }
}
