//! A statement's conditions in words, for the list of what an organization denies: "outside
//! eu-west-1, eu-central-1" for a region lock, "unless aws:PrincipalArn is like
//! arn:aws:iam::*:role/BreakGlass" for a break-glass exemption. The words describe when the
//! statement applies, which for a deny statement is when the action is denied.

use crate::iam::Condition;

/// The operator without its set prefix and `IfExists` suffix, whether it negates, and the
/// verb it reads as.
fn verb(base: &str) -> (bool, &'static str) {
    match base {
        "StringEquals" | "ArnEquals" | "BinaryEquals" => (false, "is"),
        "StringEqualsIgnoreCase" => (false, "is (any case)"),
        "StringNotEquals" | "ArnNotEquals" => (true, "is"),
        "StringNotEqualsIgnoreCase" => (true, "is (any case)"),
        "StringLike" | "ArnLike" => (false, "is like"),
        "StringNotLike" | "ArnNotLike" => (true, "is like"),
        "NumericEquals" => (false, "="),
        "NumericNotEquals" => (true, "="),
        "NumericLessThan" => (false, "<"),
        "NumericLessThanEquals" => (false, "≤"),
        "NumericGreaterThan" => (false, ">"),
        "NumericGreaterThanEquals" => (false, "≥"),
        "DateEquals" => (false, "is"),
        "DateNotEquals" => (true, "is"),
        "DateLessThan" => (false, "is before"),
        "DateLessThanEquals" => (false, "is at or before"),
        "DateGreaterThan" => (false, "is after"),
        "DateGreaterThanEquals" => (false, "is at or after"),
        "IpAddress" => (false, "is in"),
        "NotIpAddress" => (true, "is in"),
        _ => (false, "matches"),
    }
}

/// One condition in words.
fn one(c: &Condition) -> String {
    let op = c.operator.as_str();
    let (set, op) = match op.split_once(':') {
        Some((set, rest)) => (Some(set), rest),
        None => (None, op),
    };
    let (if_exists, base) = match op.strip_suffix("IfExists") {
        Some(b) => (true, b),
        None => (false, op),
    };
    let values = c.raw_values.join(", ");
    let key = c.key.as_str();
    if base == "Null" {
        let absent = c.raw_values.iter().any(|v| v.eq_ignore_ascii_case("true"));
        return format!(
            "when {key} is {}",
            if absent { "absent" } else { "present" }
        );
    }
    if base == "Bool" {
        return format!("when {key} is {values}");
    }
    let (negated, verb) = verb(base);
    let region = key.eq_ignore_ascii_case("aws:RequestedRegion")
        && matches!(verb, "is" | "is (any case)" | "is like");
    let mut text = match (negated, region) {
        (true, true) => format!("outside {values}"),
        (false, true) => format!("in {values}"),
        (true, false) => format!("unless {key} {verb} {values}"),
        (false, false) => format!("when {key} {verb} {values}"),
    };
    match set {
        Some(s) if s.eq_ignore_ascii_case("ForAnyValue") => text.push_str(" (any value)"),
        Some(s) if s.eq_ignore_ascii_case("ForAllValues") => text.push_str(" (all values)"),
        _ => {}
    }
    if if_exists {
        text.push_str(if negated {
            " (when present)"
        } else {
            " (or absent)"
        });
    }
    text
}

/// Every condition of a statement in words, joined by "and"; empty for none.
pub fn describe(conditions: &[Condition]) -> String {
    conditions.iter().map(one).collect::<Vec<_>>().join(" and ")
}
