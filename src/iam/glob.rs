//! Wildcard patterns as IAM uses them: `*` matches any run of characters (including none),
//! `?` exactly one character, everything else itself. Patterns are compiled once, when a policy
//! is parsed, into the cheapest matcher that fits (everything, exact, prefix, general), because
//! evaluation runs them on every request.
//!
//! Case folding is the caller's business: action patterns are compiled lower-cased and matched
//! against a lower-cased action; ARN segments are matched as written.

/// One element of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    /// Literal text (which may contain `*` or `?` when it came from an escape or a variable).
    Lit(String),
    Star,
    Quest,
}

/// A compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Glob {
    /// `*`: matches anything.
    Any,
    Exact(String),
    /// `abc*`
    Prefix(String),
    /// Anything else: the literal parts between stars, each a list of pieces.
    General {
        parts: Vec<Part>,
        anchored_start: bool,
        anchored_end: bool,
    },
}

/// The pieces between two stars; `text` is their concatenation when none is a `?`, so that the
/// part can be found with a substring search instead of position by position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    pieces: Vec<Piece>,
    text: Option<String>,
}

impl Part {
    fn new(pieces: Vec<Piece>) -> Part {
        let text = pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => Some(t.as_str()),
                Piece::AnyChar => None,
            })
            .collect::<Option<String>>();
        Part { pieces, text }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    Text(String),
    AnyChar,
}

impl Glob {
    /// Compiles a pattern written with `*` and `?` wildcards.
    pub(crate) fn new(pattern: &str) -> Glob {
        Glob::from_toks(tokenize(pattern))
    }

    pub(crate) fn from_toks(toks: Vec<Tok>) -> Glob {
        let toks = merge(toks);
        match toks.as_slice() {
            [] => return Glob::Exact(String::new()),
            [Tok::Star] => return Glob::Any,
            [Tok::Lit(s)] => return Glob::Exact(s.clone()),
            [Tok::Lit(s), Tok::Star] => return Glob::Prefix(s.clone()),
            _ => {}
        }
        let anchored_start = !matches!(toks.first(), Some(Tok::Star));
        let anchored_end = !matches!(toks.last(), Some(Tok::Star));
        let mut parts: Vec<Part> = Vec::new();
        let mut current: Vec<Piece> = Vec::new();
        for tok in toks {
            match tok {
                Tok::Star => {
                    if !current.is_empty() {
                        parts.push(Part::new(std::mem::take(&mut current)));
                    }
                }
                Tok::Lit(s) => current.push(Piece::Text(s)),
                Tok::Quest => current.push(Piece::AnyChar),
            }
        }
        if !current.is_empty() {
            parts.push(Part::new(current));
        }
        Glob::General {
            parts,
            anchored_start,
            anchored_end,
        }
    }

    #[inline]
    pub(crate) fn is_match(&self, s: &str) -> bool {
        match self {
            Glob::Any => true,
            Glob::Exact(e) => e == s,
            Glob::Prefix(p) => s.starts_with(p.as_str()),
            Glob::General {
                parts,
                anchored_start,
                anchored_end,
            } => general_match(parts, *anchored_start, *anchored_end, s),
        }
    }
}

/// Splits `*` and `?` out of a pattern.
pub(crate) fn tokenize(pattern: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut lit = String::new();
    for c in pattern.chars() {
        match c {
            '*' | '?' => {
                if !lit.is_empty() {
                    toks.push(Tok::Lit(std::mem::take(&mut lit)));
                }
                toks.push(if c == '*' { Tok::Star } else { Tok::Quest });
            }
            _ => lit.push(c),
        }
    }
    if !lit.is_empty() {
        toks.push(Tok::Lit(lit));
    }
    toks
}

/// Joins adjacent literals and collapses runs of stars.
fn merge(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    for tok in toks {
        match (out.last_mut(), tok) {
            (Some(Tok::Lit(prev)), Tok::Lit(s)) => prev.push_str(&s),
            (Some(Tok::Star), Tok::Star) => {}
            (_, Tok::Lit(s)) if s.is_empty() => {}
            (_, t) => out.push(t),
        }
    }
    out
}

/// Matches `text` against a pattern written with `*` and `?` wildcards without compiling it:
/// for patterns built per request (policy variables), where compiling would cost more than
/// matching.
pub(crate) fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (p, s) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut si) = (0, 0);
    // Where the last star is in the pattern (just after it) and in the text: on a mismatch it
    // absorbs one more character. Earlier stars never need to: the last one covers them.
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match p.get(pi) {
            Some(b'*') => {
                pi += 1;
                star = Some((pi, si));
                continue;
            }
            Some(b'?') => {
                pi += 1;
                si += char_len(s[si]);
                continue;
            }
            Some(&b) if b == s[si] => {
                pi += 1;
                si += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, ss)) => {
                let next = ss + char_len(s[ss]);
                star = Some((sp, next));
                pi = sp;
                si = next;
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&b| b == b'*') && si == s.len()
}

/// Length in bytes of the UTF-8 character starting with this byte.
fn char_len(b: u8) -> usize {
    match b {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// Matches the pieces of one part at `pos`; returns the end position.
fn part_at(part: &[Piece], s: &[u8], mut pos: usize) -> Option<usize> {
    for piece in part {
        match piece {
            Piece::Text(t) => {
                let t = t.as_bytes();
                if s.len() < pos + t.len() || &s[pos..pos + t.len()] != t {
                    return None;
                }
                pos += t.len();
            }
            Piece::AnyChar => {
                if pos >= s.len() {
                    return None;
                }
                pos += char_len(s[pos]);
            }
        }
    }
    Some(pos.min(s.len()))
}

#[inline(never)]
fn general_match(parts: &[Part], anchored_start: bool, anchored_end: bool, text: &str) -> bool {
    let s = text.as_bytes();
    if parts.is_empty() {
        // Only stars (anchored both ways means the empty pattern, handled as Exact).
        return true;
    }
    let mut pos = 0;
    let last = parts.len() - 1;
    for (i, part) in parts.iter().enumerate() {
        let first_anchored = i == 0 && anchored_start;
        let last_anchored = i == last && anchored_end;
        if first_anchored && last_anchored {
            return part_at(&part.pieces, s, 0) == Some(s.len());
        }
        if last_anchored {
            if let Some(t) = &part.text {
                return s.len() >= pos + t.len() && s.ends_with(t.as_bytes());
            }
            // The last part must end at the end of the string: try every char-aligned start
            // from the right.
            let mut start = s.len();
            loop {
                if start >= pos && part_at(&part.pieces, s, start) == Some(s.len()) {
                    return true;
                }
                if start == pos || start == 0 {
                    return false;
                }
                start -= 1;
                while start > pos && (s[start] & 0xc0) == 0x80 {
                    start -= 1;
                }
            }
        }
        if first_anchored {
            match part_at(&part.pieces, s, 0) {
                Some(end) => pos = end,
                None => return false,
            }
            continue;
        }
        // A floating part: the leftmost occurrence is always the best choice.
        if let Some(t) = &part.text {
            // `pos` always sits on a character boundary: it only ever advances over whole
            // literal texts and whole characters.
            match text.get(pos..).and_then(|rest| rest.find(t.as_str())) {
                Some(at) => {
                    pos += at + t.len();
                    continue;
                }
                None => return false,
            }
        }
        let mut start = pos;
        loop {
            if let Some(end) = part_at(&part.pieces, s, start) {
                pos = end;
                break;
            }
            if start >= s.len() {
                return false;
            }
            start += char_len(s[start]);
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        Glob::new(p).is_match(s)
    }

    #[test]
    fn wildcards() {
        assert!(m("*", ""));
        assert!(m("*", "anything"));
        assert!(m("abc", "abc"));
        assert!(!m("abc", "abcd"));
        assert!(m("ab*", "abcd"));
        assert!(!m("ab*", "a"));
        assert!(m("*cd", "abcd"));
        assert!(!m("*cd", "abcde"));
        assert!(m("a*d", "abcd"));
        assert!(m("a*d", "ad"));
        assert!(!m("a*d", "adx"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "ac"));
        assert!(m("a*b*c", "axxbyyc"));
        assert!(!m("a*b*c", "axxbyy"));
        assert!(m("*b*", "abc"));
        assert!(m("??", "éx"));
        assert!(!m("???", "éx"));
        assert!(m("*a", "aaa"));
        assert!(m("a*a", "aa"));
        assert!(!m("a*a", "a"));
        assert!(m("s3:*object", "s3:getobject"));
        assert!(m("*:list*", "iam:listroles"));
        // substring search and tail checks respect what earlier parts consumed
        assert!(!m("ab*b", "ab"));
        assert!(m("ab*b", "abb"));
        assert!(m("*é*", "xéy"));
        assert!(m("a*é?", "abéz"));
        assert!(!m("a*é?", "abé"));
        assert!(m("x*y*z", "xyyz"));
        assert!(!m("x*yy*z", "xyz"));
    }

    #[test]
    fn uncompiled_matching_agrees_with_compiled() {
        let patterns = [
            "*", "", "abc", "ab*", "*cd", "a*d", "a?c", "a*b*c", "*b*", "??", "???", "*a", "a*a",
            "ab*b", "*é*", "a*é?", "x*y*z", "x*yy*z", "*?", "?*?", "**a**",
        ];
        let texts = [
            "", "a", "aa", "aaa", "ab", "abb", "abc", "abcd", "abcde", "ad", "adx", "axxbyyc",
            "axxbyy", "éx", "xéy", "abéz", "abé", "xyyz", "xyz",
        ];
        for p in patterns {
            for t in texts {
                assert_eq!(wildcard_match(p, t), m(p, t), "{p:?} against {t:?}");
            }
        }
    }

    #[test]
    fn literal_tokens_are_not_wildcards() {
        let g = Glob::from_toks(vec![Tok::Lit("a*".into()), Tok::Star]);
        assert!(g.is_match("a*bc"));
        assert!(!g.is_match("abc"));
        assert!(!Glob::from_toks(vec![Tok::Lit("a?".into())]).is_match("ab"));
    }
}
