//! The built-in functions and operators of the language, as pure functions over [`Value`]s.
//!
//! They are kept pure (no file access: `file` and `templatefile` live in the evaluator) so
//! that a call whose arguments are not yet known can be stored as a [`crate::model::Deferred`]
//! and run again by [`Value::resolve`] once they are. A function that meets an unknown where
//! it needs a known value answers [`FnError::Unknown`], and the caller defers the call.

use std::collections::BTreeMap;

use crate::model::Value;
use crate::model::value::format_number;

/// Every function name the language knows, for "did you mean" suggestions.
pub const FUNCTIONS: &[&str] = &[
    "file",
    "templatefile",
    "jsonencode",
    "jsondecode",
    "merge",
    "concat",
    "flatten",
    "distinct",
    "toset",
    "tolist",
    "tomap",
    "tostring",
    "tonumber",
    "keys",
    "values",
    "lookup",
    "length",
    "contains",
    "lower",
    "upper",
    "format",
    "join",
    "split",
    "replace",
    "coalesce",
    "compact",
    "element",
    "trimspace",
    "trimprefix",
    "trimsuffix",
    "startswith",
    "endswith",
    "zipmap",
];

/// Why a call gave no value.
#[derive(Debug, Clone, PartialEq)]
pub enum FnError {
    /// An argument the function needs is only known after apply: defer the call.
    Unknown,
    /// The arguments are wrong; the message says what was expected.
    Invalid(String),
}

type R = Result<Value, FnError>;

fn invalid<T>(msg: impl Into<String>) -> Result<T, FnError> {
    Err(FnError::Invalid(msg.into()))
}

fn string_arg(v: &Value, what: &str) -> Result<String, FnError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(format_number(*n)),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Unknown(_) => Err(FnError::Unknown),
        other => invalid(format!(
            "{what} must be a string, got {}",
            other.type_name()
        )),
    }
}

fn list_arg<'a>(v: &'a Value, what: &str) -> Result<&'a [Value], FnError> {
    match v {
        Value::List(items) => Ok(items),
        Value::Unknown(_) => Err(FnError::Unknown),
        other => invalid(format!("{what} must be a list, got {}", other.type_name())),
    }
}

fn map_arg(v: &Value, what: &str) -> Result<BTreeMap<String, Value>, FnError> {
    match v {
        Value::Map(m) => Ok(m.clone()),
        Value::Ref(r) => Ok(r.attrs.clone()),
        Value::Unknown(_) => Err(FnError::Unknown),
        other => invalid(format!("{what} must be a map, got {}", other.type_name())),
    }
}

fn arity(name: &str, args: &[Value], min: usize, max: usize) -> Result<(), FnError> {
    if args.len() < min || args.len() > max {
        let expected = if min == max {
            format!("{min}")
        } else if max == usize::MAX {
            format!("at least {min}")
        } else {
            format!("{min} to {max}")
        };
        return invalid(format!(
            "{name}() takes {expected} argument(s), got {}",
            args.len()
        ));
    }
    Ok(())
}

/// A sorted, duplicate-free list of known values.
fn to_set(items: &[Value]) -> R {
    if items.iter().any(Value::contains_unknown) {
        return Err(FnError::Unknown);
    }
    let mut out: Vec<Value> = Vec::new();
    for item in items {
        if !out.contains(item) {
            out.push(item.clone());
        }
    }
    out.sort_by_key(|a| a.to_string());
    Ok(Value::List(out))
}

fn flatten_into(items: &[Value], out: &mut Vec<Value>) -> Result<(), FnError> {
    for item in items {
        match item {
            Value::List(inner) => flatten_into(inner, out)?,
            Value::Unknown(_) => return Err(FnError::Unknown),
            other => out.push(other.clone()),
        }
    }
    Ok(())
}

fn format_fn(args: &[Value]) -> R {
    let spec = string_arg(&args[0], "the format string")?;
    let mut out = String::new();
    let mut rest = args[1..].iter();
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = String::new();
        let verb = loop {
            match chars.next() {
                Some(c) if c.is_ascii_digit() || "-+ .".contains(c) => flags.push(c),
                Some(c) => break c,
                None => return invalid("format string ends inside a % verb"),
            }
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let arg = rest.next().ok_or_else(|| {
            FnError::Invalid(format!("not enough arguments for the format verb %{verb}"))
        })?;
        let text = match verb {
            's' | 'v' => string_arg(arg, "a %s argument")?,
            'd' => match arg {
                Value::Number(n) => format_number(n.trunc()),
                Value::Unknown(_) => return Err(FnError::Unknown),
                other => return invalid(format!("%d needs a number, got {}", other.type_name())),
            },
            'q' => format!("{:?}", string_arg(arg, "a %q argument")?),
            other => {
                return invalid(format!(
                    "unsupported format verb %{other} (accepted: %s, %v, %d, %q, %% with an optional width such as %03d)"
                ));
            }
        };
        let left = flags.starts_with('-');
        let zero = flags.starts_with('0');
        let width: usize = flags
            .trim_start_matches(['-', '0', '+', ' '])
            .split('.')
            .next()
            .and_then(|w| w.parse().ok())
            .unwrap_or(0);
        let pad = width.saturating_sub(text.chars().count());
        if left {
            out.push_str(&text);
            out.push_str(&" ".repeat(pad));
        } else if zero && verb == 'd' {
            let (sign, digits) = text
                .strip_prefix('-')
                .map_or(("", text.as_str()), |d| ("-", d));
            out.push_str(sign);
            out.push_str(&"0".repeat(pad));
            out.push_str(digits);
        } else {
            out.push_str(&" ".repeat(pad));
            out.push_str(&text);
        }
    }
    if rest.next().is_some() {
        return invalid("too many arguments for the format string");
    }
    Ok(Value::String(out))
}

fn compare_numbers(a: &Value, b: &Value, op: &str) -> R {
    let (Value::Number(x), Value::Number(y)) = (a, b) else {
        return invalid(format!(
            "`{op}` needs two numbers, got {} and {}",
            a.type_name(),
            b.type_name()
        ));
    };
    Ok(match op {
        "<" => Value::Bool(x < y),
        "<=" => Value::Bool(x <= y),
        ">" => Value::Bool(x > y),
        ">=" => Value::Bool(x >= y),
        "+" => Value::Number(x + y),
        "-" => Value::Number(x - y),
        "*" => Value::Number(x * y),
        "/" if *y == 0.0 => return invalid("division by zero"),
        "/" => Value::Number(x / y),
        "%" if *y == 0.0 => return invalid("modulo by zero"),
        "%" => Value::Number(x % y),
        _ => return invalid(format!("unknown operator {op}")),
    })
}

fn truthy(v: &Value, op: &str) -> Result<bool, FnError> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Unknown(_) => Err(FnError::Unknown),
        other => invalid(format!("`{op}` needs a bool, got {}", other.type_name())),
    }
}

/// Indexes a list by number or a map / reference by key.
pub fn index(collection: &Value, key: &Value) -> R {
    match (collection, key) {
        (Value::Unknown(_), _) | (_, Value::Unknown(_)) => Err(FnError::Unknown),
        (Value::List(items), Value::Number(n)) => {
            if *n < 0.0 || n.fract() != 0.0 || *n as usize >= items.len() {
                return invalid(format!(
                    "index {} is out of range for a list of {} element(s)",
                    format_number(*n),
                    items.len()
                ));
            }
            Ok(items[*n as usize].clone())
        }
        (Value::Map(map), key) => {
            let k = string_arg(key, "a map key")?;
            map.get(&k).cloned().ok_or_else(|| {
                let known: Vec<&str> = map.keys().map(String::as_str).collect();
                FnError::Invalid(format!(
                    "no key {k:?} in this map (keys: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ))
            })
        }
        (Value::Ref(r), key) => {
            let k = string_arg(key, "an attribute name")?;
            r.attrs
                .get(&k)
                .cloned()
                .ok_or_else(|| FnError::Invalid(format!("{} has no attribute {k:?}", r.target)))
        }
        (other, key) => invalid(format!(
            "cannot index a {} with a {}",
            other.type_name(),
            key.type_name()
        )),
    }
}

/// Calls a pure built-in function or operator.
pub fn call_pure(name: &str, args: Vec<Value>) -> R {
    let a = &args[..];
    // Operators come from the evaluator with their fixed arity, but a saved plan is outside
    // input: check it rather than index out of bounds.
    match name {
        "!" | "neg" => arity(name, a, 1, 1)?,
        "==" | "!=" | "&&" | "||" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/" | "%" => {
            arity(name, a, 2, 2)?
        }
        _ => {}
    }
    match name {
        "(template)" => {
            let mut out = String::new();
            for part in a {
                out.push_str(&string_arg(part, "an interpolated value")?);
            }
            Ok(Value::String(out))
        }
        "(index)" => {
            arity(name, a, 2, 2)?;
            index(&a[0], &a[1])
        }
        "(cond)" => {
            arity(name, a, 3, 3)?;
            Ok(if truthy(&a[0], "condition")? {
                a[1].clone()
            } else {
                a[2].clone()
            })
        }
        "!" => Ok(Value::Bool(!truthy(&a[0], "!")?)),
        "neg" => match &a[0] {
            Value::Number(n) => Ok(Value::Number(-n)),
            Value::Unknown(_) => Err(FnError::Unknown),
            other => invalid(format!("`-` needs a number, got {}", other.type_name())),
        },
        "==" | "!=" => {
            if a.iter().any(Value::contains_unknown) {
                return Err(FnError::Unknown);
            }
            let eq = a[0] == a[1];
            Ok(Value::Bool(if name == "==" { eq } else { !eq }))
        }
        "&&" => Ok(Value::Bool(truthy(&a[0], name)? && truthy(&a[1], name)?)),
        "||" => Ok(Value::Bool(truthy(&a[0], name)? || truthy(&a[1], name)?)),
        "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/" | "%" => {
            if a.iter().any(Value::is_unknown) {
                return Err(FnError::Unknown);
            }
            compare_numbers(&a[0], &a[1], name)
        }
        "jsonencode" => {
            arity(name, a, 1, 1)?;
            let json = a[0].to_json().ok_or(FnError::Unknown)?;
            Ok(Value::String(json.to_string()))
        }
        "jsondecode" => {
            arity(name, a, 1, 1)?;
            let text = string_arg(&a[0], "the argument")?;
            let json: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| FnError::Invalid(format!("the argument is not valid JSON: {e}")))?;
            Ok(Value::from_json(&json))
        }
        "merge" => {
            let mut out = BTreeMap::new();
            for (i, m) in a.iter().enumerate() {
                if matches!(m, Value::Null) {
                    continue;
                }
                out.extend(map_arg(m, &format!("argument {}", i + 1))?);
            }
            Ok(Value::Map(out))
        }
        "concat" => {
            let mut out = Vec::new();
            for (i, l) in a.iter().enumerate() {
                out.extend_from_slice(list_arg(l, &format!("argument {}", i + 1))?);
            }
            Ok(Value::List(out))
        }
        "flatten" => {
            arity(name, a, 1, 1)?;
            let mut out = Vec::new();
            flatten_into(list_arg(&a[0], "the argument")?, &mut out)?;
            Ok(Value::List(out))
        }
        "distinct" => {
            arity(name, a, 1, 1)?;
            let items = list_arg(&a[0], "the argument")?;
            if items.iter().any(Value::contains_unknown) {
                return Err(FnError::Unknown);
            }
            let mut out: Vec<Value> = Vec::new();
            for item in items {
                if !out.contains(item) {
                    out.push(item.clone());
                }
            }
            Ok(Value::List(out))
        }
        "toset" => {
            arity(name, a, 1, 1)?;
            to_set(list_arg(&a[0], "the argument")?)
        }
        "tolist" => {
            arity(name, a, 1, 1)?;
            Ok(Value::List(list_arg(&a[0], "the argument")?.to_vec()))
        }
        "tomap" => {
            arity(name, a, 1, 1)?;
            Ok(Value::Map(map_arg(&a[0], "the argument")?))
        }
        "tostring" => {
            arity(name, a, 1, 1)?;
            Ok(Value::String(string_arg(&a[0], "the argument")?))
        }
        "tonumber" => {
            arity(name, a, 1, 1)?;
            match &a[0] {
                Value::Number(n) => Ok(Value::Number(*n)),
                other => {
                    let s = string_arg(other, "the argument")?;
                    s.trim()
                        .parse::<f64>()
                        .map(Value::Number)
                        .map_err(|_| FnError::Invalid(format!("{s:?} is not a number")))
                }
            }
        }
        "keys" => {
            arity(name, a, 1, 1)?;
            Ok(Value::List(
                map_arg(&a[0], "the argument")?
                    .into_keys()
                    .map(Value::String)
                    .collect(),
            ))
        }
        "values" => {
            arity(name, a, 1, 1)?;
            Ok(Value::List(
                map_arg(&a[0], "the argument")?.into_values().collect(),
            ))
        }
        "lookup" => {
            arity(name, a, 2, 3)?;
            let map = map_arg(&a[0], "the first argument")?;
            let key = string_arg(&a[1], "the key")?;
            match map.get(&key) {
                Some(v) => Ok(v.clone()),
                None if a.len() == 3 => Ok(a[2].clone()),
                None => invalid(format!("no key {key:?} in the map and no default given")),
            }
        }
        "length" => {
            arity(name, a, 1, 1)?;
            Ok(Value::Number(match &a[0] {
                Value::List(l) => l.len() as f64,
                Value::Map(m) => m.len() as f64,
                Value::String(s) => s.chars().count() as f64,
                Value::Unknown(_) => return Err(FnError::Unknown),
                other => {
                    return invalid(format!(
                        "length() needs a list, map or string, got {}",
                        other.type_name()
                    ));
                }
            }))
        }
        "contains" => {
            arity(name, a, 2, 2)?;
            let items = list_arg(&a[0], "the first argument")?;
            if items.iter().any(Value::contains_unknown) || a[1].contains_unknown() {
                return Err(FnError::Unknown);
            }
            Ok(Value::Bool(items.contains(&a[1])))
        }
        "lower" | "upper" | "trimspace" => {
            arity(name, a, 1, 1)?;
            let s = string_arg(&a[0], "the argument")?;
            Ok(Value::String(match name {
                "lower" => s.to_lowercase(),
                "upper" => s.to_uppercase(),
                _ => s.trim().to_string(),
            }))
        }
        "trimprefix" | "trimsuffix" | "startswith" | "endswith" => {
            arity(name, a, 2, 2)?;
            let s = string_arg(&a[0], "the first argument")?;
            let p = string_arg(&a[1], "the second argument")?;
            Ok(match name {
                "trimprefix" => Value::String(s.strip_prefix(&p).unwrap_or(&s).to_string()),
                "trimsuffix" => Value::String(s.strip_suffix(&p).unwrap_or(&s).to_string()),
                "startswith" => Value::Bool(s.starts_with(&p)),
                _ => Value::Bool(s.ends_with(&p)),
            })
        }
        "format" => {
            arity(name, a, 1, usize::MAX)?;
            format_fn(a)
        }
        "join" => {
            arity(name, a, 2, 2)?;
            let sep = string_arg(&a[0], "the separator")?;
            let parts = list_arg(&a[1], "the second argument")?
                .iter()
                .map(|v| string_arg(v, "each element"))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::String(parts.join(&sep)))
        }
        "split" => {
            arity(name, a, 2, 2)?;
            let sep = string_arg(&a[0], "the separator")?;
            let s = string_arg(&a[1], "the string")?;
            if sep.is_empty() {
                return invalid("the separator must not be empty");
            }
            Ok(Value::List(
                s.split(sep.as_str())
                    .map(|p| Value::String(p.to_string()))
                    .collect(),
            ))
        }
        "replace" => {
            arity(name, a, 3, 3)?;
            let s = string_arg(&a[0], "the string")?;
            let from = string_arg(&a[1], "the substring")?;
            let to = string_arg(&a[2], "the replacement")?;
            if from.is_empty() {
                return invalid("the substring to replace must not be empty");
            }
            Ok(Value::String(s.replace(&from, &to)))
        }
        "coalesce" => {
            arity(name, a, 1, usize::MAX)?;
            for v in a {
                match v {
                    Value::Unknown(_) => return Err(FnError::Unknown),
                    Value::Null => continue,
                    Value::String(s) if s.is_empty() => continue,
                    other => return Ok(other.clone()),
                }
            }
            invalid("every argument is null or an empty string")
        }
        "compact" => {
            arity(name, a, 1, 1)?;
            let items = list_arg(&a[0], "the argument")?;
            let mut out = Vec::new();
            for v in items {
                match v {
                    Value::Null => {}
                    Value::String(s) if s.is_empty() => {}
                    Value::Unknown(_) => return Err(FnError::Unknown),
                    other => out.push(other.clone()),
                }
            }
            Ok(Value::List(out))
        }
        "element" => {
            arity(name, a, 2, 2)?;
            let items = list_arg(&a[0], "the first argument")?;
            match &a[1] {
                Value::Number(n) if *n >= 0.0 && !items.is_empty() => {
                    Ok(items[(*n as usize) % items.len()].clone())
                }
                Value::Unknown(_) => Err(FnError::Unknown),
                _ => invalid("element() needs a non-empty list and a non-negative index"),
            }
        }
        "zipmap" => {
            arity(name, a, 2, 2)?;
            let ks = list_arg(&a[0], "the keys")?;
            let vs = list_arg(&a[1], "the values")?;
            if ks.len() != vs.len() {
                return invalid("the key and value lists must have the same length");
            }
            let mut out = BTreeMap::new();
            for (k, v) in ks.iter().zip(vs) {
                out.insert(string_arg(k, "each key")?, v.clone());
            }
            Ok(Value::Map(out))
        }
        other => invalid(format!("unknown function {other}()")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RefTarget;

    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn list(items: &[&str]) -> Value {
        Value::List(items.iter().map(|x| s(x)).collect())
    }
    fn unknown() -> Value {
        Value::unknown_attr(RefTarget::Resource("account.a".parse().unwrap()), "id")
    }

    #[test]
    fn collection_functions() {
        assert_eq!(
            call_pure("toset", vec![list(&["b", "a", "b"])]).unwrap(),
            list(&["a", "b"])
        );
        assert_eq!(
            call_pure("distinct", vec![list(&["b", "a", "b"])]).unwrap(),
            list(&["b", "a"])
        );
        assert_eq!(
            call_pure(
                "flatten",
                vec![Value::List(vec![
                    list(&["a"]),
                    Value::List(vec![list(&["b"])])
                ])]
            )
            .unwrap(),
            list(&["a", "b"])
        );
        assert_eq!(
            call_pure("concat", vec![list(&["a"]), list(&["b", "c"])]).unwrap(),
            list(&["a", "b", "c"])
        );
        assert_eq!(
            call_pure("length", vec![list(&["a", "b"])]).unwrap(),
            Value::Number(2.0)
        );
        assert_eq!(
            call_pure("contains", vec![list(&["a", "b"]), s("b")]).unwrap(),
            Value::Bool(true)
        );
    }

    #[test]
    fn string_functions() {
        assert_eq!(
            call_pure("format", vec![s("%s-%d%%"), s("x"), Value::Number(7.0)]).unwrap(),
            s("x-7%")
        );
        assert_eq!(
            call_pure(
                "format",
                vec![s("%03d|%-3s|%3s"), Value::Number(7.0), s("a"), s("b")]
            )
            .unwrap(),
            s("007|a  |  b")
        );
        assert_eq!(
            call_pure("join", vec![s(","), list(&["a", "b"])]).unwrap(),
            s("a,b")
        );
        assert_eq!(
            call_pure("split", vec![s(","), s("a,b")]).unwrap(),
            list(&["a", "b"])
        );
        assert_eq!(
            call_pure("replace", vec![s("a-b-c"), s("-"), s("_")]).unwrap(),
            s("a_b_c")
        );
        assert_eq!(call_pure("upper", vec![s("ab")]).unwrap(), s("AB"));
        assert_eq!(
            call_pure("coalesce", vec![Value::Null, s(""), s("x")]).unwrap(),
            s("x")
        );
    }

    #[test]
    fn json_round_trip() {
        let v = call_pure("jsondecode", vec![s(r#"{"a":[1,"x"]}"#)]).unwrap();
        assert_eq!(
            call_pure("jsonencode", vec![v]).unwrap(),
            s(r#"{"a":[1,"x"]}"#)
        );
        assert!(matches!(
            call_pure("jsondecode", vec![s("{")]),
            Err(FnError::Invalid(_))
        ));
    }

    #[test]
    fn maps() {
        let mut m = BTreeMap::new();
        m.insert("k".to_string(), s("v"));
        let m = Value::Map(m);
        assert_eq!(call_pure("keys", vec![m.clone()]).unwrap(), list(&["k"]));
        assert_eq!(call_pure("values", vec![m.clone()]).unwrap(), list(&["v"]));
        assert_eq!(
            call_pure("lookup", vec![m.clone(), s("z"), s("d")]).unwrap(),
            s("d")
        );
        assert!(matches!(
            call_pure("lookup", vec![m, s("z")]),
            Err(FnError::Invalid(_))
        ));
    }

    #[test]
    fn unknowns_ask_for_deferral_only_where_needed() {
        assert_eq!(call_pure("upper", vec![unknown()]), Err(FnError::Unknown));
        assert_eq!(
            call_pure("jsonencode", vec![Value::List(vec![unknown()])]),
            Err(FnError::Unknown)
        );
        // Structure is known even when elements are not.
        assert_eq!(
            call_pure("length", vec![Value::List(vec![unknown()])]).unwrap(),
            Value::Number(1.0)
        );
        assert_eq!(
            call_pure("concat", vec![Value::List(vec![unknown()]), list(&["a"])]).unwrap(),
            Value::List(vec![unknown(), s("a")])
        );
    }

    #[test]
    fn bad_arguments_are_errors_not_panics() {
        assert!(matches!(
            call_pure("format", vec![s("%d"), s("x")]),
            Err(FnError::Invalid(_))
        ));
        assert!(matches!(
            call_pure("upper", vec![]),
            Err(FnError::Invalid(_))
        ));
        assert!(matches!(
            call_pure("(index)", vec![list(&["a"]), Value::Number(3.0)]),
            Err(FnError::Invalid(_))
        ));
        assert!(matches!(
            call_pure("/", vec![Value::Number(1.0), Value::Number(0.0)]),
            Err(FnError::Invalid(_))
        ));
    }
}
