//! The two kinds of pattern a statement matches a request with. Actions: case-insensitive,
//! wildcards anywhere, including across the colon (`iam:*`, `*:List*`, `*`). ARNs: split into
//! partition, service, region, account and resource; each segment matched case-sensitively
//! with its own wildcards; the resource segment keeps its colons, and a pattern with fewer than
//! six segments whose last segment ends in `*` lets that star run over the rest of the ARN
//! (`arn:aws:iam::*` matches every IAM ARN).

use super::glob::{Glob, Tok};
use super::vars::Template;

/// A compiled `Action`/`NotAction` entry.
#[derive(Debug, Clone)]
pub struct ActionPattern {
    /// As written.
    pub text: String,
    pub(crate) glob: Glob,
}

impl ActionPattern {
    pub(crate) fn new(text: &str) -> ActionPattern {
        ActionPattern {
            text: text.to_string(),
            glob: Glob::new(&text.to_ascii_lowercase()),
        }
    }

    /// Matches an already lower-cased action.
    pub(crate) fn matches_lower(&self, action_lower: &str) -> bool {
        self.glob.is_match(action_lower)
    }

    /// Matches an action in any case.
    pub fn matches(&self, action: &str) -> bool {
        self.matches_lower(&action.to_ascii_lowercase())
    }
}

/// A compiled ARN pattern without variables.
#[derive(Debug, Clone)]
pub(crate) enum ArnGlob {
    /// Not an ARN (`*`, or anything without the `arn:` form): matched against the whole text.
    Whole(Glob),
    /// Up to six segments; `tail` when the last one may run over the remaining segments.
    Segments { segs: Vec<Glob>, tail: bool },
}

impl ArnGlob {
    pub(crate) fn from_toks(toks: Vec<Tok>) -> ArnGlob {
        // Split the token stream on ':' found in wildcard-bearing text; literal tokens that came
        // from variables are split too, as AWS substitutes before it parses the ARN.
        let mut segs: Vec<Vec<Tok>> = vec![Vec::new()];
        for tok in toks {
            match tok {
                Tok::Lit(s) => {
                    let mut first = true;
                    for piece in s.split(':') {
                        if !first {
                            if segs.len() < 6 {
                                segs.push(Vec::new());
                            } else {
                                segs.last_mut()
                                    .expect("non-empty")
                                    .push(Tok::Lit(":".into()));
                            }
                        }
                        first = false;
                        if !piece.is_empty() {
                            segs.last_mut()
                                .expect("non-empty")
                                .push(Tok::Lit(piece.into()));
                        }
                    }
                }
                t => segs.last_mut().expect("non-empty").push(t),
            }
        }
        let is_arn = segs.len() > 1 && matches!(segs[0].as_slice(), [Tok::Lit(s)] if s == "arn");
        if !is_arn {
            let whole = segs
                .into_iter()
                .enumerate()
                .flat_map(|(i, s)| {
                    let sep = (i > 0).then(|| Tok::Lit(":".into()));
                    sep.into_iter().chain(s)
                })
                .collect();
            return ArnGlob::Whole(Glob::from_toks(whole));
        }
        let tail = segs.len() < 6 && matches!(segs.last().and_then(|s| s.last()), Some(Tok::Star));
        ArnGlob::Segments {
            segs: segs.into_iter().map(Glob::from_toks).collect(),
            tail,
        }
    }

    pub(crate) fn is_match(&self, arn: &str) -> bool {
        match self {
            ArnGlob::Whole(g) => g.is_match(arn),
            ArnGlob::Segments { segs, tail } => {
                if !arn.starts_with("arn:") {
                    return false;
                }
                let n = segs.len();
                if *tail {
                    let mut it = arn.splitn(n, ':');
                    for seg in segs {
                        match it.next() {
                            Some(part) if seg.is_match(part) => {}
                            _ => return false,
                        }
                    }
                    true
                } else {
                    if n != 6 {
                        return false;
                    }
                    let mut it = arn.splitn(6, ':');
                    for seg in segs {
                        match it.next() {
                            Some(part) if seg.is_match(part) => {}
                            _ => return false,
                        }
                    }
                    true
                }
            }
        }
    }
}

/// A `Resource`/`NotResource` entry, or an ARN condition value.
#[derive(Debug, Clone)]
pub struct ArnPattern {
    /// As written.
    pub text: String,
    pub(crate) compiled: Compiled,
}

#[derive(Debug, Clone)]
pub(crate) enum Compiled {
    Static(ArnGlob),
    Template(Template),
}

impl ArnPattern {
    /// `vars`: whether policy variables are substituted (policy version 2012-10-17).
    pub(crate) fn new(text: &str, vars: bool) -> Result<ArnPattern, String> {
        let compiled = match vars.then(|| Template::parse(text)).transpose() {
            Err(e) => return Err(e.0),
            Ok(Some(Some(t))) => Compiled::Template(t),
            Ok(_) => Compiled::Static(ArnGlob::from_toks(super::glob::tokenize(text))),
        };
        Ok(ArnPattern {
            text: text.to_string(),
            compiled,
        })
    }

    /// `None` when a variable cannot be resolved.
    pub(crate) fn matches(
        &self,
        arn: &str,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Option<bool> {
        match &self.compiled {
            Compiled::Static(g) => Some(g.is_match(arn)),
            Compiled::Template(t) => t
                .resolve_toks(lookup)
                .map(|toks| ArnGlob::from_toks(toks).is_match(arn)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, arn: &str) -> bool {
        ArnPattern::new(p, true)
            .unwrap()
            .matches(arn, &|_| None)
            .unwrap()
    }

    #[test]
    fn actions_ignore_case_and_cross_colons() {
        let p = ActionPattern::new("IAM:Get*");
        assert!(p.matches("iam:GetRole"));
        assert!(!p.matches("iam:ListRoles"));
        assert!(ActionPattern::new("*:List*").matches("organizations:ListRoots"));
        assert!(ActionPattern::new("organ*Roots").matches("organizations:ListRoots"));
        assert!(ActionPattern::new("*").matches("sts:AssumeRole"));
    }

    #[test]
    fn arns_per_segment_case_sensitive() {
        assert!(m("*", "arn:aws:iam::111111111111:role/x"));
        assert!(m(
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::111111111111:role/a/b"
        ));
        assert!(!m(
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::111111111111:user/a"
        ));
        assert!(!m(
            "arn:aws:iam::*:role/Admin",
            "arn:aws:iam::111111111111:role/admin"
        ));
        assert!(!m("arn:AWS:iam::*:role/x", "arn:aws:iam::1:role/x"));
        // the region segment's star does not run into the account
        assert!(!m("arn:aws:iam:*:role/x", "arn:aws:iam::1:role/x"));
        // resource segment keeps its colons
        assert!(m(
            "arn:aws:logs:*:*:log-group:*",
            "arn:aws:logs:eu:1:log-group:g:log-stream:s"
        ));
        // trailing star over the rest
        assert!(m("arn:aws:iam::*", "arn:aws:iam::1:role/x"));
        assert!(m("arn:aws:*", "arn:aws:sts::1:assumed-role/r/s"));
        assert!(!m("arn:aws:iam::1", "arn:aws:iam::1:role/x"));
        assert!(m("arn:aws:iam::?:role/x", "arn:aws:iam::1:role/x"));
        assert!(!m("arn:aws:iam::1:role/x", "*"));
    }
}
