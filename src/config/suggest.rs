//! "Did you mean": the closest accepted name to a mistyped one, for every diagnostic that
//! lists what is accepted (block types, attributes, functions, quotas).

/// The closest candidate by edit distance, when it is close enough to be a likely typo.
pub fn suggest<'a>(input: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(input, c), *c))
        .filter(|(d, c)| *d > 0 && *d <= (c.len().max(input.len()) / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}
