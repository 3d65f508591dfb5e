//! The plan as the versioned JSON document of `plan --json` and `show --json`: the stable
//! machine interface, documented in the README. It is built from the internal
//! [`Plan`] but is its own type, so the planner and the saved-plan file can change without
//! changing it; a change that would break a reader bumps [`FORMAT_VERSION`].
//!
//! Attribute values are JSON values (strings, numbers, arrays, objects; policy documents as
//! the JSON they hold), not HCL text; a value only the apply will know is `null` with
//! `after_unknown: true`. Change reasons carry a `code` from a closed set.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value as Json;

use crate::diag::{Diagnostic, Severity};
use crate::plan::{Action, AttrChange, AttrValue, Change, Plan, ReasonCode, Summary, Unmanaged};

/// The version of the `--json` plan document. 1.0 was the saved plan itself, with attribute
/// values as HCL text and reasons as free text.
pub const FORMAT_VERSION: &str = "2.0";

/// The whole document.
#[derive(Debug, Serialize)]
pub struct PlanDocument {
    pub format_version: &'static str,
    pub context: Context,
    pub summary: Summary,
    pub changes: Vec<ChangeDoc>,
    pub operations: Vec<OperationDoc>,
    pub edges: Vec<EdgeDoc>,
    pub unmanaged: Vec<Unmanaged>,
    pub warnings: Vec<DiagnosticDoc>,
    /// The configuration's addresses and the live ids they are bound to.
    pub bindings: BTreeMap<String, String>,
    /// The pre-check's result, for the run that printed it (`plan --json` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precheck: Option<Json>,
}

/// What the plan was made against.
#[derive(Debug, Serialize)]
pub struct Context {
    pub organization_id: String,
    pub management_account_id: String,
    pub root_id: String,
    pub member_access_role: String,
    /// The digest of the live state the plan was made from.
    pub fingerprint: String,
}

#[derive(Debug, Serialize)]
pub struct ChangeDoc {
    pub address: String,
    pub action: Action,
    pub reason: Option<ReasonDoc>,
    /// The live id, when there is one.
    pub id: Option<String>,
    pub attributes: Vec<AttributeDoc>,
    /// Indexes into `operations`.
    pub operations: Vec<usize>,
}

#[derive(Debug, Serialize)]
pub struct ReasonDoc {
    pub code: ReasonCode,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct AttributeDoc {
    pub name: String,
    /// `null` when the attribute does not exist before (a creation).
    pub before: Json,
    /// `null` when it does not exist after (a deletion) or is not known yet.
    pub after: Json,
    /// The value is only known once the apply has run.
    pub after_unknown: bool,
    /// A policy document: `before` and `after` are the JSON it holds.
    pub document: bool,
}

#[derive(Debug, Serialize)]
pub struct OperationDoc {
    pub address: String,
    /// The API operation (`op`, snake_case) and its arguments.
    pub op: Json,
    /// The API call it makes, as the human plan lists it.
    pub description: String,
}

#[derive(Debug, Serialize)]
pub struct EdgeDoc {
    pub from: usize,
    pub to: usize,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct DiagnosticDoc {
    pub severity: Severity,
    pub message: String,
    pub address: Option<String>,
    /// Where the configuration says it, when it does.
    pub file: Option<String>,
    pub line: Option<usize>,
    pub help: Option<String>,
}

impl PlanDocument {
    pub fn new(plan: &Plan) -> PlanDocument {
        let c = &plan.context;
        PlanDocument {
            format_version: FORMAT_VERSION,
            context: Context {
                organization_id: c.organization_id.clone(),
                management_account_id: c.management_account_id.clone(),
                root_id: c.root_id.clone(),
                member_access_role: c.member_access_role.clone(),
                fingerprint: c.fingerprint.clone(),
            },
            summary: plan.summary(),
            changes: plan.changes.iter().map(change).collect(),
            operations: plan
                .operations
                .iter()
                .map(|o| OperationDoc {
                    address: o.address.to_string(),
                    op: serde_json::to_value(&o.op).expect("operations serialize"),
                    description: o.op.describe(),
                })
                .collect(),
            edges: plan
                .edges
                .iter()
                .map(|e| EdgeDoc {
                    from: e.from,
                    to: e.to,
                    reason: e.reason.clone(),
                })
                .collect(),
            unmanaged: plan.unmanaged.clone(),
            warnings: plan.warnings.iter().map(diagnostic).collect(),
            bindings: plan
                .bindings
                .iter()
                .map(|(a, id)| (a.to_string(), id.clone()))
                .collect(),
            precheck: None,
        }
    }

    /// With the pre-check's result (`null` when it did not run).
    pub fn with_precheck(mut self, report: Option<&crate::precheck::Report>) -> PlanDocument {
        self.precheck = Some(serde_json::to_value(report).expect("reports serialize"));
        self
    }

    pub fn to_string_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("plan documents serialize")
    }
}

/// The plan's document as pretty JSON, without a pre-check.
pub fn to_string(plan: &Plan) -> String {
    PlanDocument::new(plan).to_string_pretty()
}

fn change(c: &Change) -> ChangeDoc {
    ChangeDoc {
        address: c.address.to_string(),
        action: c.action,
        reason: c.reason.as_ref().map(|r| ReasonDoc {
            code: r.code,
            message: r.message.clone(),
        }),
        id: c.id.clone(),
        attributes: c.attributes.iter().map(attribute).collect(),
        operations: c.operations.clone(),
    }
}

fn attribute(a: &AttrChange) -> AttributeDoc {
    AttributeDoc {
        name: a.name.clone(),
        before: a.before.as_ref().map_or(Json::Null, value),
        after: a.after.as_ref().map_or(Json::Null, value),
        after_unknown: a.after == Some(AttrValue::Unknown),
        document: a.document,
    }
}

/// An attribute's value as JSON: a policy document as the JSON it holds (its text when it
/// is not JSON), an unknown value as `null`.
pub fn value(v: &AttrValue) -> Json {
    match v {
        AttrValue::String(s) | AttrValue::Reference(s) => Json::String(s.clone()),
        AttrValue::Number(n) => Json::from(*n),
        AttrValue::List(items) | AttrValue::References(items) => {
            Json::Array(items.iter().cloned().map(Json::String).collect())
        }
        AttrValue::Map(m) => Json::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), Json::String(v.clone())))
                .collect(),
        ),
        AttrValue::Document(text) => {
            serde_json::from_str(text).unwrap_or_else(|_| Json::String(text.clone()))
        }
        AttrValue::Unknown => Json::Null,
    }
}

fn diagnostic(d: &Diagnostic) -> DiagnosticDoc {
    DiagnosticDoc {
        severity: d.severity,
        message: d.message.clone(),
        address: d.address.as_ref().map(|a| a.to_string()),
        file: d.span.as_ref().map(|s| s.file.clone()),
        line: d.span.as_ref().map(|s| s.line),
        help: d.help.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_json_not_hcl() {
        let tags = AttrValue::Map(BTreeMap::from([("owner".into(), "platform".into())]));
        assert_eq!(value(&tags), serde_json::json!({"owner": "platform"}));
        let doc = AttrValue::document(r#"{"Version":"2012-10-17","Statement":[]}"#);
        assert_eq!(
            value(&doc),
            serde_json::json!({"Version": "2012-10-17", "Statement": []})
        );
        assert_eq!(value(&AttrValue::Number(3600)), serde_json::json!(3600));
        assert_eq!(
            value(&AttrValue::References(vec![
                "aws_policy.FullAWSAccess".into()
            ])),
            serde_json::json!(["aws_policy.FullAWSAccess"])
        );
        assert_eq!(value(&AttrValue::Unknown), Json::Null);
    }
}
