//! Values of the configuration language, including values that are only known after apply.
//!
//! The id of an account still to be created, or a trust policy built with `jsonencode` around
//! that id, cannot be computed at plan time. Rather than a placeholder string that could leak
//! into a request, such a value is an explicit [`Value::Unknown`] holding a [`Deferred`]
//! computation: a reference to a resource attribute, or a pure function call (or template,
//! operator, index) whose arguments contain unknowns. [`Value::resolve`] (in [`super::resolve`]) substitutes what has
//! become known (a new account's id, after `CreateAccount`) and re-runs the deferred calls, so
//! the applier gets the final document. Values are serde-serializable because plans are saved
//! to files.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::addr::Address;

/// What a reference expression points at, when it points at a resource rather than data.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum RefTarget {
    /// A resource block instance of the configuration (`account.x`, `organizational_unit.y["k"]`).
    Resource(Address),
    /// The management account (`management`).
    Management,
    /// An AWS-managed organization policy, by name (`aws_policy.FullAWSAccess`).
    AwsPolicy(String),
}

impl fmt::Display for RefTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefTarget::Resource(a) => write!(f, "{a}"),
            RefTarget::Management => f.write_str("management"),
            RefTarget::AwsPolicy(n) => write!(f, "aws_policy.{n}"),
        }
    }
}

/// A bare reference to a resource (`parent = organizational_unit.security`): it keeps the
/// target, so the model knows *which* resource is meant, and the attributes known at plan time
/// (`id` and `arn` are unknown unless pinned), so `.id` or `.name` work on it, also after it
/// has been passed through a module variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefValue {
    pub target: RefTarget,
    pub attrs: BTreeMap<String, Value>,
}

/// A computation that waits for values only known after apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Deferred {
    /// An attribute of a resource that the apply produces (`account.x.id`, `policy.p.arn`).
    Attr {
        target: RefTarget,
        attribute: String,
    },
    /// A pure function of other values, some of them unknown. `function` is a built-in
    /// function name (`jsonencode`) or one of the operators of [`super::functions`]:
    /// `(template)` (string interpolation), `(index)`, `(cond)`, and the binary / unary
    /// operators (`==`, `+`, `!`, …).
    Call { function: String, args: Vec<Value> },
}

impl fmt::Display for Deferred {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Deferred::Attr { target, attribute } => write!(f, "{target}.{attribute}"),
            Deferred::Call { function, .. } => write!(f, "{function}(…)"),
        }
    }
}

/// One value of the language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    /// Lists, tuples and sets (a set is a sorted list without duplicates).
    List(Vec<Value>),
    /// Maps and objects, keys sorted.
    Map(BTreeMap<String, Value>),
    /// A reference to a resource (see [`RefValue`]).
    Ref(Arc<RefValue>),
    /// Only known after apply.
    Unknown(Box<Deferred>),
}

/// Why a deferred computation failed once its inputs became known.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ResolveError(pub String);

impl Value {
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn unknown_attr(target: RefTarget, attribute: &str) -> Value {
        Value::Unknown(Box::new(Deferred::Attr {
            target,
            attribute: attribute.to_string(),
        }))
    }

    pub fn deferred_call(function: &str, args: Vec<Value>) -> Value {
        Value::Unknown(Box::new(Deferred::Call {
            function: function.to_string(),
            args,
        }))
    }

    /// The language's name of this value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Map(_) => "map",
            Value::Ref(_) => "resource reference",
            Value::Unknown(_) => "value known after apply",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }

    /// True when the value or anything inside it is unknown.
    pub fn contains_unknown(&self) -> bool {
        match self {
            Value::Unknown(_) => true,
            Value::List(items) => items.iter().any(Value::contains_unknown),
            Value::Map(map) => map.values().any(Value::contains_unknown),
            Value::Ref(r) => r.attrs.values().any(Value::contains_unknown),
            _ => false,
        }
    }

    /// Every resource attribute this value waits for, in order of first appearance.
    pub fn unknown_refs(&self) -> Vec<(RefTarget, String)> {
        let mut out = Vec::new();
        self.collect_unknown_refs(&mut out);
        out
    }

    fn collect_unknown_refs(&self, out: &mut Vec<(RefTarget, String)>) {
        match self {
            Value::Unknown(d) => match &**d {
                Deferred::Attr { target, attribute } => {
                    let item = (target.clone(), attribute.clone());
                    if !out.contains(&item) {
                        out.push(item);
                    }
                }
                Deferred::Call { args, .. } => {
                    args.iter().for_each(|a| a.collect_unknown_refs(out))
                }
            },
            Value::List(items) => items.iter().for_each(|v| v.collect_unknown_refs(out)),
            Value::Map(map) => map.values().for_each(|v| v.collect_unknown_refs(out)),
            Value::Ref(r) => r.attrs.values().for_each(|v| v.collect_unknown_refs(out)),
            _ => {}
        }
    }

    /// Converts to JSON; `None` when something is still unknown.
    pub fn to_json(&self) -> Option<serde_json::Value> {
        Some(match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => number_to_json(*n),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::List(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_json).collect::<Option<_>>()?)
            }
            Value::Map(map) => serde_json::Value::Object(
                map.iter()
                    .map(|(k, v)| Some((k.clone(), v.to_json()?)))
                    .collect::<Option<_>>()?,
            ),
            Value::Ref(r) => serde_json::Value::Object(
                r.attrs
                    .iter()
                    .map(|(k, v)| Some((k.clone(), v.to_json()?)))
                    .collect::<Option<_>>()?,
            ),
            Value::Unknown(_) => return None,
        })
    }

    pub fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0)),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(a) => Value::List(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }
}

fn number_to_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        serde_json::Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null)
    }
}

/// Formats a number the way HCL prints it: integers without a fraction.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => f.write_str(&format_number(*n)),
            Value::String(s) => write!(f, "{s:?}"),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Value::Map(map) => {
                f.write_str("{")?;
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k:?} = {v}")?;
                }
                f.write_str("}")
            }
            Value::Ref(r) => write!(f, "{}", r.target),
            Value::Unknown(_) => f.write_str("(known after apply)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acct() -> RefTarget {
        RefTarget::Resource("account.security".parse().unwrap())
    }

    #[test]
    fn resolve_fills_a_reference_and_reruns_the_calls_around_it() {
        // jsonencode({ Principal = { AWS = "arn:aws:iam::${account.security.id}:root" } })
        let arn = Value::deferred_call(
            "(template)",
            vec![
                Value::string("arn:aws:iam::"),
                Value::unknown_attr(acct(), "id"),
                Value::string(":root"),
            ],
        );
        let mut principal = BTreeMap::new();
        principal.insert("AWS".to_string(), arn);
        let doc = Value::deferred_call("jsonencode", vec![Value::Map(principal)]);
        assert!(doc.contains_unknown());
        assert_eq!(doc.unknown_refs(), vec![(acct(), "id".to_string())]);

        let nothing_known = doc.resolve(&|_, _| None).unwrap();
        assert!(nothing_known.is_unknown());

        let resolved = doc
            .resolve(&|t, a| (t == &acct() && a == "id").then(|| Value::string("111122223333")))
            .unwrap();
        assert_eq!(
            resolved,
            Value::string(r#"{"AWS":"arn:aws:iam::111122223333:root"}"#)
        );
    }

    #[test]
    fn resolve_fills_bare_references() {
        let mut attrs = BTreeMap::new();
        attrs.insert("id".to_string(), Value::unknown_attr(acct(), "id"));
        let r = Value::Ref(Arc::new(RefValue {
            target: acct(),
            attrs,
        }));
        let out = r.resolve(&|_, _| Some(Value::string("1"))).unwrap();
        match out {
            Value::Ref(r) => assert_eq!(r.attrs["id"], Value::string("1")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn values_survive_a_serde_round_trip() {
        let v = Value::List(vec![
            Value::Number(3.0),
            Value::deferred_call("upper", vec![Value::unknown_attr(acct(), "arn")]),
        ]);
        let text = serde_json::to_string(&v).unwrap();
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn numbers_print_like_hcl() {
        assert_eq!(Value::Number(3600.0).to_string(), "3600");
        assert_eq!(Value::Number(1.5).to_string(), "1.5");
        assert_eq!(
            Value::Number(12.0).to_json(),
            Some(serde_json::Value::from(12))
        );
    }
}
