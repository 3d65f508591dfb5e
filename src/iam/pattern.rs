//! The two kinds of pattern a statement matches a request with. Actions: case-insensitive,
//! wildcards anywhere, including across the colon (`iam:*`, `*:List*`, `*`). ARNs: split into
//! partition, service, region, account and resource; each segment matched case-sensitively
//! with its own wildcards; the resource segment keeps its colons, and a pattern with fewer than
//! six segments whose last segment ends in `*` lets that star run over the rest of the ARN
//! (`arn:aws:iam::*` matches every IAM ARN).

use super::glob::{Glob, Tok, wildcard_match};
use super::vars::{Resolved, Template};

/// A compiled `Action`/`NotAction` entry.
#[derive(Debug, Clone)]
pub struct ActionPattern {
    /// As written.
    pub text: String,
    pub(crate) glob: Glob,
    /// The pattern's first character when it is not a wildcard: most actions a pattern does
    /// not match differ from it there (another service), which is cheaper to see than a glob.
    lead: Option<u8>,
}

impl ActionPattern {
    pub(crate) fn new(text: &str) -> ActionPattern {
        let lower = text.to_ascii_lowercase();
        ActionPattern {
            text: text.to_string(),
            lead: lower.bytes().next().filter(|b| !matches!(b, b'*' | b'?')),
            glob: Glob::new(&lower),
        }
    }

    /// Matches an already lower-cased action.
    #[inline]
    pub(crate) fn matches_lower(&self, action_lower: &str) -> bool {
        if let Some(lead) = self.lead
            && action_lower.as_bytes().first() != Some(&lead)
        {
            return false;
        }
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
    /// The leading segments without wildcards are folded into `prefix` (each followed by its
    /// colon), so that most patterns are one prefix comparison and one glob: `skip` of the
    /// `segs` are covered by it.
    Segments {
        segs: Vec<Glob>,
        tail: bool,
        prefix: String,
        skip: usize,
    },
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
        let segs: Vec<Glob> = segs.into_iter().map(Glob::from_toks).collect();
        let mut prefix = String::new();
        let mut skip = 0;
        for seg in &segs[..segs.len() - 1] {
            let Glob::Exact(text) = seg else { break };
            prefix.push_str(text);
            prefix.push(':');
            skip += 1;
        }
        ArnGlob::Segments {
            segs,
            tail,
            prefix,
            skip,
        }
    }

    pub(crate) fn is_match_split(&self, arn: &SplitArn<'_>) -> bool {
        match self {
            ArnGlob::Whole(g) => g.is_match(arn.text),
            ArnGlob::Segments {
                segs,
                tail,
                prefix,
                skip,
            } => {
                if !arn.is_arn || (!*tail && segs.len() != 6) {
                    return false;
                }
                // As `splitn(segs.len(), ':')`: the last segment takes the rest of the ARN.
                let n = segs.len();
                if arn.colons < n - 1 || !arn.text.starts_with(prefix.as_str()) {
                    return false;
                }
                // The prefix holds `skip` colons, so the ARN's segments line up after it.
                (*skip..n).all(|i| segs[i].is_match(arn.piece(i, n)))
            }
        }
    }
}

/// As `ArnGlob::from_toks(tokenize(pattern)).is_match_split(arn)`, without compiling the
/// pattern: split into segments the same way, each matched as a wildcard text.
fn text_matches(pattern: &str, arn: &SplitArn<'_>) -> bool {
    let pat = SplitArn::new(pattern);
    let n = pat.colons + 1;
    if n == 1 || pat.segment(0) != Some("arn") {
        return wildcard_match(pattern, arn.text);
    }
    let tail = n < 6 && pattern.ends_with('*');
    if !arn.is_arn || (!tail && n != 6) || arn.colons < n - 1 {
        return false;
    }
    (0..n).all(|i| wildcard_match(pat.piece(i, n), arn.piece(i, n)))
}

/// A request's ARN with the positions of its first five colons, found once per request so that
/// every ARN pattern can match segment by segment without splitting it again.
pub(crate) struct SplitArn<'a> {
    pub(crate) text: &'a str,
    is_arn: bool,
    /// Positions of the first `colons` colons.
    ends: [usize; 5],
    colons: usize,
}

impl<'a> SplitArn<'a> {
    pub(crate) fn new(text: &'a str) -> SplitArn<'a> {
        let mut ends = [0; 5];
        let mut colons = 0;
        for (i, b) in text.bytes().enumerate() {
            if b == b':' {
                ends[colons] = i;
                colons += 1;
                if colons == ends.len() {
                    break;
                }
            }
        }
        SplitArn {
            text,
            is_arn: text.starts_with("arn:"),
            ends,
            colons,
        }
    }

    #[inline]
    fn start(&self, i: usize) -> usize {
        if i == 0 { 0 } else { self.ends[i - 1] + 1 }
    }

    #[inline]
    /// Piece `i` of `splitn(n, ':')`, for `i < n <= 6` and at least `n - 1` colons.
    fn piece(&self, i: usize, n: usize) -> &'a str {
        let end = if i == n - 1 {
            self.text.len()
        } else {
            self.ends[i]
        };
        &self.text[self.start(i)..end]
    }

    /// Segment `i` (0 = `arn`, 4 = the account) as `split(':').nth(i)` gives it, for `i < 5`.
    pub(crate) fn segment(&self, i: usize) -> Option<&'a str> {
        if i > self.colons {
            return None;
        }
        let end = if i < self.colons {
            self.ends[i]
        } else {
            self.text.len()
        };
        Some(&self.text[self.start(i)..end])
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
        self.matches_split(&SplitArn::new(arn), lookup)
    }

    /// As [`ArnPattern::matches`], for an ARN already split.
    pub(crate) fn matches_split(
        &self,
        arn: &SplitArn<'_>,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Option<bool> {
        match &self.compiled {
            Compiled::Static(g) => Some(g.is_match_split(arn)),
            Compiled::Template(t) => {
                let mut text = String::with_capacity(self.text.len() + 32);
                match t.resolve_wildcard_text(lookup, &mut text) {
                    Resolved::Text => Some(text_matches(&text, arn)),
                    Resolved::Unresolved => None,
                    Resolved::NeedsTokens => t
                        .resolve_toks(lookup)
                        .map(|toks| ArnGlob::from_toks(toks).is_match_split(arn)),
                }
            }
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
    fn variables_match_as_compiled_patterns_do() {
        let lookup = |k: &str| match k {
            "aws:username" => Some("alice".to_string()),
            "aws:principaltag/team" => Some("a*b".to_string()),
            _ => None,
        };
        let cases = [
            (
                "arn:aws:iam::*:user/${aws:username}",
                "arn:aws:iam::1:user/alice",
                true,
            ),
            (
                "arn:aws:iam::*:user/${aws:username}",
                "arn:aws:iam::1:user/bob",
                false,
            ),
            (
                "arn:aws:iam::${aws:username}*",
                "arn:aws:iam::alice1:role/x",
                true,
            ),
            (
                "arn:aws:iam::1:role/${aws:principaltag/team}",
                "arn:aws:iam::1:role/a*b",
                true,
            ),
            (
                "arn:aws:iam::1:role/${aws:principaltag/team}",
                "arn:aws:iam::1:role/axb",
                false,
            ),
            (
                "arn:aws:iam::1:role/${x, 'd'}-*",
                "arn:aws:iam::1:role/d-1",
                true,
            ),
            (
                "arn:aws:iam::1:role/${x, 'd'}-*",
                "arn:aws:iam::1:role/e-1",
                false,
            ),
            (
                "arn:aws:iam:*:role/${x, 'd'}",
                "arn:aws:iam::1:role/d",
                false,
            ),
            (
                "arn:aws:logs:*:*:${x, 'log-group'}:*",
                "arn:aws:logs:eu:1:log-group:g:s",
                true,
            ),
            ("${x, '*'}", "anything", false),
            ("${x, '*'}", "*", true),
            ("${x, 'ar'}*", "arn:aws:iam::1:role/x", true),
            ("arn:aws:iam::1:role/${x}", "arn:aws:iam::1:role/x", false),
        ];
        for (p, arn, want) in cases {
            let got = ArnPattern::new(p, true).unwrap().matches(arn, &lookup);
            assert_eq!(got.unwrap_or(false), want, "{p} against {arn}");
        }
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
