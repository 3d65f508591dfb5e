//! Input variables: where their values come from (`-var`, `-var-file`, `ORGCHARD_VAR_<name>`,
//! then the declared default: the first source that sets a name wins) and the type
//! constraints of `variable` blocks (`type = list(string)`), which convert and check values.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use hcl_edit::expr::{Expression, ObjectKey};

use crate::model::Value;
use crate::model::value::format_number;

/// Environment variables with this prefix set root module variables.
pub const ENV_PREFIX: &str = "ORGCHARD_VAR_";

/// The variable values given on the command line and in the environment.
#[derive(Debug, Clone, Default)]
pub struct VarInputs {
    /// `-var NAME=VALUE`, in command-line order.
    pub vars: Vec<String>,
    /// `-var-file FILE`, in command-line order; the first file that sets a name wins.
    pub var_files: Vec<PathBuf>,
    /// `ORGCHARD_VAR_<name>` values, by name.
    pub env: Vec<(String, String)>,
}

impl VarInputs {
    /// The given flags plus the `ORGCHARD_VAR_*` variables of this process's environment.
    pub fn from_env(vars: Vec<String>, var_files: Vec<PathBuf>) -> Self {
        let mut env: Vec<(String, String)> = std::env::vars()
            .filter_map(|(k, v)| k.strip_prefix(ENV_PREFIX).map(|n| (n.to_string(), v)))
            .filter(|(n, _)| !n.is_empty())
            .collect();
        env.sort();
        VarInputs {
            vars,
            var_files,
            env,
        }
    }
}

/// A variable's type constraint.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeSpec {
    Any,
    String,
    Number,
    Bool,
    List(Box<TypeSpec>),
    Set(Box<TypeSpec>),
    Map(Box<TypeSpec>),
    Object(BTreeMap<String, TypeSpec>),
    Tuple(Vec<TypeSpec>),
}

impl fmt::Display for TypeSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeSpec::Any => f.write_str("any"),
            TypeSpec::String => f.write_str("string"),
            TypeSpec::Number => f.write_str("number"),
            TypeSpec::Bool => f.write_str("bool"),
            TypeSpec::List(t) => write!(f, "list({t})"),
            TypeSpec::Set(t) => write!(f, "set({t})"),
            TypeSpec::Map(t) => write!(f, "map({t})"),
            TypeSpec::Object(fields) => {
                f.write_str("object({")?;
                for (i, (k, t)) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k} = {t}")?;
                }
                f.write_str("})")
            }
            TypeSpec::Tuple(items) => {
                f.write_str("tuple([")?;
                for (i, t) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                f.write_str("])")
            }
        }
    }
}

/// Reads a type expression (`string`, `list(string)`, `object({ a = number })`).
pub fn parse_type(expr: &Expression) -> Result<TypeSpec, String> {
    match expr {
        Expression::Variable(v) => match v.as_str() {
            "any" => Ok(TypeSpec::Any),
            "string" => Ok(TypeSpec::String),
            "number" => Ok(TypeSpec::Number),
            "bool" => Ok(TypeSpec::Bool),
            other => Err(format!("unknown type `{other}`")),
        },
        Expression::FuncCall(f) => {
            let name = f.name.name.as_str();
            let args: Vec<&Expression> = f.args.iter().collect();
            if args.len() != 1 {
                return Err(format!("`{name}(...)` takes exactly one argument"));
            }
            let arg = args[0];
            match name {
                "list" => Ok(TypeSpec::List(Box::new(parse_type(arg)?))),
                "set" => Ok(TypeSpec::Set(Box::new(parse_type(arg)?))),
                "map" => Ok(TypeSpec::Map(Box::new(parse_type(arg)?))),
                "object" => {
                    let Expression::Object(o) = arg else {
                        return Err("object(...) takes `{ name = type, ... }`".into());
                    };
                    let mut fields = BTreeMap::new();
                    for (k, v) in o.iter() {
                        let key = match k {
                            ObjectKey::Ident(i) => i.as_str().to_string(),
                            ObjectKey::Expression(Expression::String(s)) => s.as_str().to_string(),
                            _ => return Err("object attribute names must be identifiers".into()),
                        };
                        fields.insert(key, parse_type(v.expr())?);
                    }
                    Ok(TypeSpec::Object(fields))
                }
                "tuple" => {
                    let Expression::Array(a) = arg else {
                        return Err("tuple(...) takes `[type, ...]`".into());
                    };
                    Ok(TypeSpec::Tuple(
                        a.iter().map(parse_type).collect::<Result<_, _>>()?,
                    ))
                }
                other => Err(format!("unknown type constructor `{other}`")),
            }
        }
        _ => Err("not a type expression".into()),
    }
}

impl TypeSpec {
    /// Converts a value to this type the way HCL does (numbers and bools to strings and
    /// back), or says why it does not fit. Unknown values pass: they are checked at apply.
    pub fn convert(&self, value: Value) -> Result<Value, String> {
        if matches!(value, Value::Unknown(_) | Value::Null) {
            return Ok(value);
        }
        match self {
            TypeSpec::Any => Ok(value),
            TypeSpec::String => match value {
                Value::String(_) => Ok(value),
                Value::Number(n) => Ok(Value::String(format_number(n))),
                Value::Bool(b) => Ok(Value::String(b.to_string())),
                other => Err(format!("expected string, got {}", other.type_name())),
            },
            TypeSpec::Number => match &value {
                Value::Number(_) => Ok(value),
                Value::String(s) => s
                    .trim()
                    .parse::<f64>()
                    .map(Value::Number)
                    .map_err(|_| format!("expected number, got string {s:?}")),
                other => Err(format!("expected number, got {}", other.type_name())),
            },
            TypeSpec::Bool => match &value {
                Value::Bool(_) => Ok(value),
                Value::String(s) if s == "true" => Ok(Value::Bool(true)),
                Value::String(s) if s == "false" => Ok(Value::Bool(false)),
                other => Err(format!("expected bool, got {}", describe(other))),
            },
            TypeSpec::List(t) | TypeSpec::Set(t) => match value {
                Value::List(items) => {
                    let mut out = Vec::with_capacity(items.len());
                    for (i, item) in items.into_iter().enumerate() {
                        out.push(t.convert(item).map_err(|e| format!("element {i}: {e}"))?);
                    }
                    if matches!(self, TypeSpec::Set(_)) {
                        let mut dedup: Vec<Value> = Vec::new();
                        for v in out {
                            if !dedup.contains(&v) {
                                dedup.push(v);
                            }
                        }
                        return Ok(Value::List(dedup));
                    }
                    Ok(Value::List(out))
                }
                other => Err(format!("expected {self}, got {}", describe(&other))),
            },
            TypeSpec::Map(t) => match value {
                Value::Map(m) => {
                    let mut out = BTreeMap::new();
                    for (k, v) in m {
                        let v = t.convert(v).map_err(|e| format!("key {k:?}: {e}"))?;
                        out.insert(k, v);
                    }
                    Ok(Value::Map(out))
                }
                other => Err(format!("expected {self}, got {}", describe(&other))),
            },
            TypeSpec::Object(fields) => match value {
                Value::Map(mut m) => {
                    let mut out = BTreeMap::new();
                    for (k, t) in fields {
                        // HCL's object types have no optional attributes here: a missing one
                        // is a mistake to report, not a null to pass on.
                        let v = m.remove(k).ok_or_else(|| {
                            format!("attribute {k:?} is required by {self} but missing")
                        })?;
                        out.insert(
                            k.clone(),
                            t.convert(v).map_err(|e| format!("attribute {k:?}: {e}"))?,
                        );
                    }
                    Ok(Value::Map(out))
                }
                other => Err(format!("expected {self}, got {}", describe(&other))),
            },
            TypeSpec::Tuple(types) => match value {
                Value::List(items) if items.len() == types.len() => Ok(Value::List(
                    items
                        .into_iter()
                        .zip(types)
                        .enumerate()
                        .map(|(i, (v, t))| t.convert(v).map_err(|e| format!("element {i}: {e}")))
                        .collect::<Result<_, _>>()?,
                )),
                other => Err(format!("expected {self}, got {}", describe(&other))),
            },
        }
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("string {s:?}"),
        other => other.type_name().to_string(),
    }
}

/// Reads a `-var` or environment value: for `string` (and untyped values that do not look
/// like a list or map) the text itself; otherwise the text as an HCL literal.
pub fn parse_text(text: &str, ty: &TypeSpec) -> Result<Value, String> {
    let trimmed = text.trim_start();
    let literal = match ty {
        TypeSpec::String => false,
        TypeSpec::Any => trimmed.starts_with('[') || trimmed.starts_with('{'),
        _ => true,
    };
    if !literal {
        return Ok(Value::String(text.to_string()));
    }
    let expr = hcl_edit::parser::parse_expr(text)
        .map_err(|e| format!("not a valid value: {}", e.message()))?;
    let value = literal_value(&expr).ok_or_else(|| {
        "only literal values are allowed here (strings, numbers, bools, lists, maps)".to_string()
    })?;
    ty.convert(value)
}

/// The value of a literal expression without references or calls.
fn literal_value(expr: &Expression) -> Option<Value> {
    Some(match expr {
        Expression::Null(_) => Value::Null,
        Expression::Bool(b) => Value::Bool(**b),
        Expression::Number(n) => Value::Number(n.as_f64()?),
        Expression::String(s) => Value::String(s.as_str().to_string()),
        Expression::Array(a) => Value::List(a.iter().map(literal_value).collect::<Option<_>>()?),
        Expression::Object(o) => Value::Map(
            o.iter()
                .map(|(k, v)| {
                    let key = match k {
                        ObjectKey::Ident(i) => i.as_str().to_string(),
                        ObjectKey::Expression(Expression::String(s)) => s.as_str().to_string(),
                        _ => return None,
                    };
                    Some((key, literal_value(v.expr())?))
                })
                .collect::<Option<_>>()?,
        ),
        Expression::Variable(v) => Value::String(v.as_str().to_string()),
        Expression::Parenthesis(p) => literal_value(p.inner())?,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(s: &str) -> TypeSpec {
        parse_type(&hcl_edit::parser::parse_expr(s).unwrap()).unwrap()
    }

    #[test]
    fn parses_types() {
        assert_eq!(ty("list(string)").to_string(), "list(string)");
        assert_eq!(ty("map(map(string))").to_string(), "map(map(string))");
        assert_eq!(
            ty("object({ a = number, b = bool })").to_string(),
            "object({a = number, b = bool})"
        );
        assert!(parse_type(&hcl_edit::parser::parse_expr("strng").unwrap()).is_err());
    }

    #[test]
    fn reads_command_line_text_by_type() {
        assert_eq!(
            parse_text("eu-west-1", &TypeSpec::String).unwrap(),
            Value::string("eu-west-1")
        );
        assert_eq!(
            parse_text("[\"a\", \"b\"]", &ty("list(string)")).unwrap(),
            Value::List(vec![Value::string("a"), Value::string("b")])
        );
        assert_eq!(
            parse_text("42", &TypeSpec::Number).unwrap(),
            Value::Number(42.0)
        );
        assert!(parse_text("x", &TypeSpec::Number).is_err());
        assert!(parse_text("[", &ty("list(string)")).is_err());
    }

    #[test]
    fn converts_like_hcl() {
        assert_eq!(
            TypeSpec::String.convert(Value::Number(3.0)).unwrap(),
            Value::string("3")
        );
        assert!(
            ty("list(string)")
                .convert(Value::string("x"))
                .unwrap_err()
                .contains("expected list(string)")
        );
        assert_eq!(
            ty("set(string)")
                .convert(Value::List(vec![Value::string("a"), Value::string("a")]))
                .unwrap(),
            Value::List(vec![Value::string("a")])
        );
    }
}
