//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'none'}` and the escapes
//! `${*}`, `${?}`, `${$}`. A string with variables is kept as a template and resolved per
//! request; everything else is compiled once. Variables are only substituted in policies of
//! language version `2012-10-17` (AWS treats them as literal text in older policies).

use super::glob::{Tok, tokenize};

/// A string that contains at least one variable or escape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// Text in which `*` and `?` are wildcards (when the consumer uses wildcards).
    Text(String),
    /// A character that stands for itself, never a wildcard.
    Escaped(char),
    Var {
        /// Lower-cased key, as condition keys are looked up.
        key: String,
        default: Option<String>,
    },
}

/// How [`Template::resolve_wildcard_text`] went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// The text is complete.
    Text,
    /// A variable has neither a value nor a default.
    Unresolved,
    /// A substituted value or an escape brings a literal `*` or `?`, which text cannot tell
    /// from a wildcard: use [`Template::resolve_toks`].
    NeedsTokens,
}

/// Why a `${...}` could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VarSyntaxError(pub String);

impl Template {
    /// Parses `text`; `Ok(None)` when it has no `${`, so the caller can compile it directly.
    pub(crate) fn parse(text: &str) -> Result<Option<Template>, VarSyntaxError> {
        if !text.contains("${") {
            return Ok(None);
        }
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            if start > 0 {
                parts.push(Part::Text(rest[..start].to_string()));
            }
            let after = &rest[start + 2..];
            let end = after.find('}').ok_or_else(|| {
                VarSyntaxError(format!("unterminated policy variable in {text:?}"))
            })?;
            let inner = &after[..end];
            parts.push(parse_var(inner, text)?);
            rest = &after[end + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(Some(Template { parts }))
    }

    /// Resolves into pattern tokens (wildcards in the policy text stay wildcards, substituted
    /// values and escapes are literal). `None` when a variable has neither a value nor a
    /// default: AWS then treats the element as matching nothing.
    pub(crate) fn resolve_toks(&self, lookup: &dyn Fn(&str) -> Option<String>) -> Option<Vec<Tok>> {
        let mut toks = Vec::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => toks.extend(tokenize(t)),
                Part::Escaped(c) => toks.push(Tok::Lit(c.to_string())),
                Part::Var { key, default } => match lookup(key).or_else(|| default.clone()) {
                    Some(v) => toks.push(Tok::Lit(v)),
                    None => return None,
                },
            }
        }
        Some(toks)
    }

    /// Resolves into `out` as text in which `*` and `?` are wildcards: the form that matches
    /// without compiling a pattern, for the common case where no substituted value or escape
    /// brings a literal wildcard character.
    pub(crate) fn resolve_wildcard_text(
        &self,
        lookup: &dyn Fn(&str) -> Option<String>,
        out: &mut String,
    ) -> Resolved {
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Escaped('*' | '?') => return Resolved::NeedsTokens,
                Part::Escaped(c) => out.push(*c),
                Part::Var { key, default } => {
                    let found = lookup(key);
                    let Some(v) = found.as_deref().or(default.as_deref()) else {
                        return Resolved::Unresolved;
                    };
                    if v.contains(['*', '?']) {
                        return Resolved::NeedsTokens;
                    }
                    out.push_str(v);
                }
            }
        }
        Resolved::Text
    }

    /// Resolves into plain text (for operators without wildcards).
    pub(crate) fn resolve_text(&self, lookup: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Escaped(c) => out.push(*c),
                Part::Var { key, default } => {
                    out.push_str(&lookup(key).or_else(|| default.clone())?)
                }
            }
        }
        Some(out)
    }
}

fn parse_var(inner: &str, whole: &str) -> Result<Part, VarSyntaxError> {
    match inner {
        "*" => return Ok(Part::Escaped('*')),
        "?" => return Ok(Part::Escaped('?')),
        "$" => return Ok(Part::Escaped('$')),
        _ => {}
    }
    let (key, default) = match inner.split_once(',') {
        Some((key, default)) => {
            let d = default.trim();
            let d = d
                .strip_prefix('\'')
                .and_then(|d| d.strip_suffix('\''))
                .ok_or_else(|| {
                    VarSyntaxError(format!(
                        "the default of a policy variable must be in single quotes: {whole:?}"
                    ))
                })?;
            (key.trim(), Some(d.to_string()))
        }
        None => (inner.trim(), None),
    };
    if key.is_empty() || key.contains(char::is_whitespace) {
        return Err(VarSyntaxError(format!(
            "invalid policy variable ${{{inner}}} in {whole:?}"
        )));
    }
    Ok(Part::Var {
        key: key.to_ascii_lowercase(),
        default,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(k: &str) -> Option<String> {
        match k {
            "aws:username" => Some("alice".into()),
            "aws:principaltag/team" => Some("a*b".into()),
            _ => None,
        }
    }

    #[test]
    fn plain_text_is_not_a_template() {
        assert_eq!(Template::parse("arn:aws:iam::1:role/*").unwrap(), None);
    }

    #[test]
    fn resolves_variables_defaults_and_escapes() {
        let t = Template::parse("home/${aws:UserName}/${x:missing, 'none'}${*}")
            .unwrap()
            .unwrap();
        assert_eq!(t.resolve_text(&lookup).unwrap(), "home/alice/none*");
        let toks = t.resolve_toks(&lookup).unwrap();
        assert_eq!(toks.last(), Some(&Tok::Lit("*".into())));
        let t = Template::parse("${aws:PrincipalTag/team}")
            .unwrap()
            .unwrap();
        assert_eq!(
            t.resolve_toks(&lookup).unwrap(),
            vec![Tok::Lit("a*b".into())]
        );
    }

    #[test]
    fn wildcard_text_only_when_unambiguous() {
        let resolve = |text: &str| {
            let mut out = String::new();
            let r = Template::parse(text)
                .unwrap()
                .unwrap()
                .resolve_wildcard_text(&lookup, &mut out);
            (r, out)
        };
        assert_eq!(
            resolve("home/${aws:UserName}/*"),
            (Resolved::Text, "home/alice/*".to_string())
        );
        assert_eq!(
            resolve("x/${aws:PrincipalTag/team}").0,
            Resolved::NeedsTokens
        );
        assert_eq!(resolve("x${*}").0, Resolved::NeedsTokens);
        assert_eq!(resolve("x/${aws:userid}").0, Resolved::Unresolved);
        assert_eq!(
            resolve("${aws:userid, 'none'}${$}"),
            (Resolved::Text, "none$".to_string())
        );
    }

    #[test]
    fn unresolved_without_default_is_none() {
        let t = Template::parse("x/${aws:userid}").unwrap().unwrap();
        assert_eq!(t.resolve_text(&lookup), None);
    }

    #[test]
    fn syntax_errors() {
        assert!(Template::parse("${aws:username").is_err());
        assert!(Template::parse("${}").is_err());
        assert!(Template::parse("${a, none}").is_err());
    }
}
