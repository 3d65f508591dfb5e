//! The `Condition` element: operators, their values compiled at parse time, and their
//! evaluation against a request's context with AWS's rules: AND across operators and keys, OR
//! across a key's values; `...IfExists`; `ForAllValues:` / `ForAnyValue:`; negated operators
//! match a missing key; keys are case-insensitive, values case-sensitive unless the operator
//! says `IgnoreCase`. A key the offline engine cannot know yields [`Tri::Unknown`].

use std::net::IpAddr;

use ipnet::IpNet;
use serde_json::Value;

use super::glob::Glob;
use super::pattern::{ArnGlob, ArnPattern};
use super::vars::Template;

/// Three-valued truth: a condition on a key the engine cannot know offline is `Unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tri {
    True,
    False,
    Unknown,
}

impl Tri {
    pub(crate) fn from_bool(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    Numeric(NumCmp),
    Date(NumCmp),
    Bool,
    BinaryEquals,
    IpAddress,
    Arn,
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumCmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetOp {
    Single,
    ForAllValues,
    ForAnyValue,
}

/// A condition operator as parsed: family, negation, set qualifier, IfExists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Operator {
    pub(crate) family: Family,
    pub(crate) negated: bool,
    pub(crate) set: SetOp,
    pub(crate) if_exists: bool,
}

const OPERATORS: &[(&str, Family, bool)] = &[
    ("StringEquals", Family::StringEquals, false),
    ("StringNotEquals", Family::StringEquals, true),
    (
        "StringEqualsIgnoreCase",
        Family::StringEqualsIgnoreCase,
        false,
    ),
    (
        "StringNotEqualsIgnoreCase",
        Family::StringEqualsIgnoreCase,
        true,
    ),
    ("StringLike", Family::StringLike, false),
    ("StringNotLike", Family::StringLike, true),
    ("NumericEquals", Family::Numeric(NumCmp::Eq), false),
    ("NumericNotEquals", Family::Numeric(NumCmp::Eq), true),
    ("NumericLessThan", Family::Numeric(NumCmp::Lt), false),
    ("NumericLessThanEquals", Family::Numeric(NumCmp::Le), false),
    ("NumericGreaterThan", Family::Numeric(NumCmp::Gt), false),
    (
        "NumericGreaterThanEquals",
        Family::Numeric(NumCmp::Ge),
        false,
    ),
    ("DateEquals", Family::Date(NumCmp::Eq), false),
    ("DateNotEquals", Family::Date(NumCmp::Eq), true),
    ("DateLessThan", Family::Date(NumCmp::Lt), false),
    ("DateLessThanEquals", Family::Date(NumCmp::Le), false),
    ("DateGreaterThan", Family::Date(NumCmp::Gt), false),
    ("DateGreaterThanEquals", Family::Date(NumCmp::Ge), false),
    ("Bool", Family::Bool, false),
    ("BinaryEquals", Family::BinaryEquals, false),
    ("IpAddress", Family::IpAddress, false),
    ("NotIpAddress", Family::IpAddress, true),
    ("ArnEquals", Family::Arn, false),
    ("ArnLike", Family::Arn, false),
    ("ArnNotEquals", Family::Arn, true),
    ("ArnNotLike", Family::Arn, true),
    ("Null", Family::Null, false),
];

impl Operator {
    /// Parses an operator name such as `ForAnyValue:StringNotLikeIfExists`. Operator names are
    /// matched case-insensitively.
    pub(crate) fn parse(name: &str) -> Option<Operator> {
        let lower = name.to_ascii_lowercase();
        let (set, rest) = if let Some(r) = lower.strip_prefix("forallvalues:") {
            (SetOp::ForAllValues, r)
        } else if let Some(r) = lower.strip_prefix("foranyvalue:") {
            (SetOp::ForAnyValue, r)
        } else {
            (SetOp::Single, lower.as_str())
        };
        let (if_exists, base) = match rest.strip_suffix("ifexists") {
            Some(b) => (true, b),
            None => (false, rest),
        };
        let (_, family, negated) = OPERATORS
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(base))?;
        if *family == Family::Null && (if_exists || set != SetOp::Single) {
            return None;
        }
        Some(Operator {
            family: *family,
            negated: *negated,
            set,
            if_exists,
        })
    }
}

/// A compiled condition value.
#[derive(Debug, Clone)]
pub(crate) enum CValue {
    Str(String),
    Glob(Glob),
    Num(f64),
    Date(f64),
    Bool(bool),
    Ip(IpNet),
    Arn(ArnPattern),
    /// A value with policy variables, compiled per request.
    Template(Template),
}

/// One key of one operator, with its values.
#[derive(Debug, Clone)]
pub struct Condition {
    /// The operator as written, e.g. `StringLikeIfExists`.
    pub operator: String,
    /// The key as written, e.g. `aws:PrincipalTag/team`.
    pub key: String,
    pub(crate) key_lower: String,
    pub(crate) op: Operator,
    pub(crate) values: Vec<CValue>,
    /// The values as written (for explanations).
    pub raw_values: Vec<String>,
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Parses a date as AWS accepts it in Date conditions: ISO 8601 (date, date-time, with or
/// without offset; UTC when absent) or seconds since the epoch. Returns epoch seconds.
pub(crate) fn parse_date(s: &str) -> Option<f64> {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    use time::macros::format_description;
    let s = s.trim();
    if let Ok(n) = s.parse::<f64>() {
        return n.is_finite().then_some(n);
    }
    let to_f = |t: time::OffsetDateTime| t.unix_timestamp_nanos() as f64 / 1e9;
    if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
        return Some(to_f(t));
    }
    if let Ok(t) = time::OffsetDateTime::parse(s, &Iso8601::DEFAULT) {
        return Some(to_f(t));
    }
    if let Ok(t) = time::PrimitiveDateTime::parse(s, &Iso8601::DEFAULT) {
        return Some(to_f(t.assume_utc()));
    }
    let date_only = format_description!("[year]-[month]-[day]");
    if let Ok(d) = time::Date::parse(s, date_only) {
        return Some(to_f(d.midnight().assume_utc()));
    }
    None
}

/// Parses an IP address or CIDR block.
pub(crate) fn parse_ip_net(s: &str) -> Option<IpNet> {
    let s = s.trim();
    if let Ok(n) = s.parse::<IpNet>() {
        return Some(n.trunc());
    }
    s.parse::<IpAddr>().ok().map(IpNet::from)
}

fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

impl Condition {
    /// Compiles one key's values; `Err` holds a message for the grammar error.
    pub(crate) fn new(
        operator: &str,
        op: Operator,
        key: &str,
        value: &Value,
        vars: bool,
    ) -> Result<Condition, String> {
        let raw: Vec<String> = match value {
            Value::Array(items) => items
                .iter()
                .map(|v| {
                    scalar_text(v).ok_or("condition values must be strings, numbers or booleans")
                })
                .collect::<Result<_, _>>()?,
            v => vec![
                scalar_text(v).ok_or("condition values must be strings, numbers or booleans")?,
            ],
        };
        if key.is_empty() {
            return Err("empty condition key".into());
        }
        let mut values = Vec::with_capacity(raw.len());
        for text in &raw {
            values.push(compile_value(op.family, text, vars)?);
        }
        Ok(Condition {
            operator: operator.to_string(),
            key: key.to_string(),
            key_lower: key.to_ascii_lowercase(),
            op,
            values,
            raw_values: raw,
        })
    }

    /// Evaluates against the context values of the key (`None`: key absent). `known`: whether
    /// the engine can trust an absent key to be absent.
    pub(crate) fn eval(
        &self,
        ctx: Option<&[String]>,
        known: bool,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Tri {
        let op = self.op;
        let Some(ctx_values) = ctx else {
            if !known {
                return Tri::Unknown;
            }
            return Tri::from_bool(match op.family {
                Family::Null => self.null_expects_absent(),
                _ if op.if_exists => true,
                _ => match op.set {
                    SetOp::ForAllValues => true,
                    SetOp::ForAnyValue => false,
                    SetOp::Single => op.negated,
                },
            });
        };
        if op.family == Family::Null {
            return Tri::from_bool(!self.null_expects_absent());
        }
        let resolved;
        let values: &[CValue] = if self.values.iter().any(|v| matches!(v, CValue::Template(_))) {
            resolved = self.resolve(lookup);
            &resolved
        } else {
            &self.values
        };
        // One context value against the policy values: OR across values, then negation.
        let one = |c: &String| -> bool {
            let hit = values.iter().any(|v| value_matches(op.family, v, c));
            hit != op.negated
        };
        Tri::from_bool(match op.set {
            SetOp::ForAllValues => ctx_values.iter().all(one),
            SetOp::ForAnyValue => ctx_values.iter().any(one),
            SetOp::Single => {
                if op.negated {
                    // Not (any context value matches any policy value).
                    !ctx_values
                        .iter()
                        .any(|c| values.iter().any(|v| value_matches(op.family, v, c)))
                } else {
                    ctx_values.iter().any(one)
                }
            }
        })
    }

    fn null_expects_absent(&self) -> bool {
        // Several values are ORed: "true" expects absence, "false" presence.
        self.values.iter().any(|v| matches!(v, CValue::Bool(true)))
    }

    fn resolve(&self, lookup: &dyn Fn(&str) -> Option<String>) -> Vec<CValue> {
        self.values
            .iter()
            .filter_map(|v| match v {
                CValue::Template(t) => {
                    let value = if matches!(self.op.family, Family::StringLike) {
                        t.resolve_toks(lookup)
                            .map(Glob::from_toks)
                            .map(CValue::Glob)
                    } else if self.op.family == Family::Arn {
                        t.resolve_toks(lookup).map(|toks| {
                            CValue::Arn(ArnPattern {
                                text: String::new(),
                                compiled: super::pattern::Compiled::Static(ArnGlob::from_toks(
                                    toks,
                                )),
                            })
                        })
                    } else {
                        t.resolve_text(lookup)
                            .and_then(|text| compile_value(self.op.family, &text, false).ok())
                    };
                    // An unresolved variable leaves a value that nothing equals.
                    value
                }
                other => Some(other.clone()),
            })
            .collect()
    }
}

fn compile_value(family: Family, text: &str, vars: bool) -> Result<CValue, String> {
    let vars_allowed = matches!(
        family,
        Family::StringEquals | Family::StringEqualsIgnoreCase | Family::StringLike | Family::Arn
    );
    if vars
        && vars_allowed
        && let Some(t) = Template::parse(text).map_err(|e| e.0)?
    {
        return Ok(CValue::Template(t));
    }
    Ok(match family {
        Family::StringEquals | Family::BinaryEquals => CValue::Str(text.to_string()),
        Family::StringEqualsIgnoreCase => CValue::Str(text.to_lowercase()),
        Family::StringLike => CValue::Glob(Glob::new(text)),
        Family::Numeric(_) => CValue::Num(
            text.trim()
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .ok_or_else(|| format!("{text:?} is not a number"))?,
        ),
        Family::Date(_) => CValue::Date(
            parse_date(text)
                .ok_or_else(|| format!("{text:?} is not an ISO 8601 date or epoch time"))?,
        ),
        Family::Bool | Family::Null => {
            CValue::Bool(parse_bool(text).ok_or_else(|| format!("{text:?} is not true or false"))?)
        }
        Family::IpAddress => CValue::Ip(
            parse_ip_net(text)
                .ok_or_else(|| format!("{text:?} is not an IP address or CIDR block"))?,
        ),
        Family::Arn => CValue::Arn(ArnPattern::new(text, false)?),
    })
}

fn cmp(c: NumCmp, a: f64, b: f64) -> bool {
    match c {
        NumCmp::Eq => a == b,
        NumCmp::Lt => a < b,
        NumCmp::Le => a <= b,
        NumCmp::Gt => a > b,
        NumCmp::Ge => a >= b,
    }
}

/// Whether one context value matches one policy value (before negation).
fn value_matches(family: Family, policy: &CValue, ctx: &str) -> bool {
    match (family, policy) {
        (Family::StringEquals | Family::BinaryEquals, CValue::Str(s)) => s == ctx,
        (Family::StringEqualsIgnoreCase, CValue::Str(s)) => *s == ctx.to_lowercase(),
        (Family::StringLike, CValue::Glob(g)) => g.is_match(ctx),
        (Family::Numeric(c), CValue::Num(n)) => {
            ctx.trim().parse::<f64>().is_ok_and(|v| cmp(c, v, *n))
        }
        (Family::Date(c), CValue::Date(d)) => parse_date(ctx).is_some_and(|v| cmp(c, v, *d)),
        (Family::Bool, CValue::Bool(b)) => parse_bool(ctx) == Some(*b),
        (Family::IpAddress, CValue::Ip(net)) => ctx
            .trim()
            .parse::<IpAddr>()
            .is_ok_and(|ip| net.contains(&ip)),
        (Family::Arn, CValue::Arn(p)) => p.matches(ctx, &|_| None).unwrap_or(false),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cond(op: &str, key: &str, v: Value) -> Condition {
        Condition::new(op, Operator::parse(op).unwrap(), key, &v, true).unwrap()
    }

    fn ev(c: &Condition, ctx: Option<&[&str]>) -> Tri {
        let owned: Option<Vec<String>> = ctx.map(|c| c.iter().map(|s| s.to_string()).collect());
        c.eval(owned.as_deref(), true, &|_| None)
    }

    #[test]
    fn operator_names() {
        let o = Operator::parse("ForAnyValue:StringNotLikeIfExists").unwrap();
        assert_eq!(o.set, SetOp::ForAnyValue);
        assert!(o.negated && o.if_exists);
        assert!(Operator::parse("NullIfExists").is_none());
        assert!(Operator::parse("StringSortOf").is_none());
    }

    #[test]
    fn missing_keys() {
        let c = cond("StringNotEquals", "k", json!("a"));
        assert_eq!(ev(&c, None), Tri::True);
        let c = cond("StringEquals", "k", json!("a"));
        assert_eq!(ev(&c, None), Tri::False);
        let c = cond("StringEqualsIfExists", "k", json!("a"));
        assert_eq!(ev(&c, None), Tri::True);
        let c = cond("ForAllValues:StringEquals", "k", json!("a"));
        assert_eq!(ev(&c, None), Tri::True);
        assert_eq!(ev(&c, Some(&[])), Tri::True);
        let c = cond("ForAnyValue:StringEquals", "k", json!("a"));
        assert_eq!(ev(&c, None), Tri::False);
        assert_eq!(c.eval(None, false, &|_| None), Tri::Unknown);
    }

    #[test]
    fn families() {
        assert_eq!(
            ev(&cond("NumericLessThan", "k", json!(10)), Some(&["9"])),
            Tri::True
        );
        assert_eq!(
            ev(
                &cond("DateGreaterThan", "k", json!("2020-01-01T00:00:00Z")),
                Some(&["1600000000"])
            ),
            Tri::True
        );
        assert_eq!(
            ev(
                &cond("IpAddress", "k", json!("10.0.0.0/8")),
                Some(&["10.1.2.3"])
            ),
            Tri::True
        );
        assert_eq!(
            ev(
                &cond("IpAddress", "k", json!("2001:db8::/32")),
                Some(&["2001:db8::1"])
            ),
            Tri::True
        );
        assert_eq!(
            ev(
                &cond("NotIpAddress", "k", json!("10.0.0.0/8")),
                Some(&["11.1.2.3"])
            ),
            Tri::True
        );
        assert_eq!(
            ev(&cond("Bool", "k", json!(true)), Some(&["true"])),
            Tri::True
        );
        assert_eq!(
            ev(
                &cond("StringEqualsIgnoreCase", "k", json!("ABC")),
                Some(&["abc"])
            ),
            Tri::True
        );
        assert_eq!(
            ev(&cond("StringEquals", "k", json!("ABC")), Some(&["abc"])),
            Tri::False
        );
        assert_eq!(
            ev(
                &cond("ArnLike", "k", json!("arn:aws:iam::*:role/*")),
                Some(&["arn:aws:iam::1:role/x"])
            ),
            Tri::True
        );
        assert_eq!(ev(&cond("Null", "k", json!("true")), None), Tri::True);
        assert_eq!(ev(&cond("Null", "k", json!("false")), None), Tri::False);
    }

    #[test]
    fn bad_values_are_errors() {
        let op = Operator::parse("NumericEquals").unwrap();
        assert!(Condition::new("NumericEquals", op, "k", &json!("ten"), true).is_err());
        let op = Operator::parse("IpAddress").unwrap();
        assert!(Condition::new("IpAddress", op, "k", &json!("10.0.0.300"), true).is_err());
    }
}
