//! The checks against AWS rules that need no live state: formats and lengths of names,
//! emails, tags and ids, policy documents (JSON, size per type, SCP/RCP grammar), and the
//! rules that compare resources with each other: OU depth, attachments per target and type,
//! a `policies` list without an SCP, duplicate natural keys, references to policy types or
//! services the organization does not enable, and `moved` blocks.
//!
//! The single-value validators return the message and what is accepted, so the decoder can
//! report them at the attribute they came from.

use std::collections::{BTreeMap, HashMap};

use super::schema::Decoded;
use super::suggest::suggest;
use crate::addr::{Address, ResourceKind};
use crate::diag::{Diagnostic, Diagnostics, SourceSpan};
use crate::model::*;
use crate::vocab;

/// A rejected value: what is wrong, and what is accepted.
pub type Reject = (String, String);
type Check = Result<(), Reject>;

/// The type of an AWS-managed policy, for the ones whose type the name tells.
pub fn aws_managed_type(name: &str) -> Option<&'static str> {
    vocab::aws_managed_by_name(name).map(|p| p.policy_type)
}

fn reject(msg: impl Into<String>, help: impl Into<String>) -> Check {
    Err((msg.into(), help.into()))
}

fn len_between(what: &str, s: &str, min: usize, max: usize) -> Check {
    let n = s.chars().count();
    if n < min || n > max {
        return reject(
            format!("{what} {s:?} is {n} characters long"),
            format!("{what} must be {min} to {max} characters long"),
        );
    }
    Ok(())
}

pub fn check_ou_name(s: &str) -> Check {
    len_between("an OU name", s, 1, 128)
}

pub fn check_account_name(s: &str) -> Check {
    len_between("an account name", s, 1, 50)?;
    if !s.chars().all(|c| (' '..='~').contains(&c)) {
        return reject(
            format!("account name {s:?} contains characters AWS does not accept"),
            "account names use printable ASCII characters (space to ~)",
        );
    }
    Ok(())
}

pub fn check_email(s: &str) -> Check {
    let help = "an email address of 6 to 64 characters, like aws+log-archive@example.com";
    if s.chars().count() < 6 || s.chars().count() > 64 {
        return reject(
            format!("email {s:?} is {} characters long", s.chars().count()),
            help,
        );
    }
    let Some((local, domain)) = s.split_once('@') else {
        return reject(format!("{s:?} is not an email address (no @)"), help);
    };
    let ok = !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace);
    if !ok {
        return reject(format!("{s:?} is not a valid email address"), help);
    }
    Ok(())
}

pub fn check_policy_name(s: &str) -> Check {
    len_between("a policy name", s, 1, 128)?;
    if s == crate::model::lock::LOCK_POLICY_NAME {
        return reject(
            format!("the policy name {s:?} is reserved for orgchard's apply lock"),
            "choose another name",
        );
    }
    Ok(())
}

pub fn check_policy_description(s: &str) -> Check {
    len_between("a policy description", s, 0, 512)
}

pub fn check_policy_type(s: &str) -> Check {
    if vocab::policy_type(s).is_some() {
        return Ok(());
    }
    let names: Vec<&str> = vocab::POLICY_TYPES.iter().map(|t| t.name).collect();
    let help = match suggest(s, &names) {
        Some(n) => format!("did you mean {n}? accepted: {}", names.join(", ")),
        None => format!("accepted: {}", names.join(", ")),
    };
    reject(format!("unknown policy type {s:?}"), help)
}

fn iam_name_chars(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
}

pub fn check_role_name(s: &str) -> Check {
    len_between("a role name", s, 1, 64)?;
    if !iam_name_chars(s) {
        return reject(
            format!("role name {s:?} contains characters IAM does not accept"),
            "role names use letters, digits and _+=,.@-",
        );
    }
    Ok(())
}

pub fn check_role_path(s: &str) -> Check {
    let ok = s.starts_with('/')
        && s.ends_with('/')
        && s.len() <= 512
        && s.chars().all(|c| ('!'..='~').contains(&c));
    if !ok {
        return reject(
            format!("invalid role path {s:?}"),
            "a path starts and ends with / (e.g. \"/\" or \"/audit/\"), up to 512 printable characters",
        );
    }
    Ok(())
}

pub fn check_role_description(s: &str) -> Check {
    len_between("a role description", s, 0, 1000)
}

pub fn check_arn(s: &str) -> Check {
    if s.starts_with("arn:") && s.split(':').count() >= 6 {
        return Ok(());
    }
    reject(
        format!("{s:?} is not an ARN"),
        "write a policy ARN like arn:aws:iam::aws:policy/ReadOnlyAccess",
    )
}

pub fn check_billing(s: &str) -> Check {
    if !matches!(
        vocab::IamUserAccessToBilling::from(s),
        vocab::IamUserAccessToBilling::Unknown(_)
    ) {
        return Ok(());
    }
    reject(
        format!("invalid iam_user_access_to_billing {s:?}"),
        "accepted: \"ALLOW\", \"DENY\"",
    )
}

pub fn check_feature_set(s: &str) -> Check {
    if !matches!(vocab::FeatureSet::from(s), vocab::FeatureSet::Unknown(_)) {
        return Ok(());
    }
    reject(
        format!("invalid feature_set {s:?}"),
        "accepted: \"ALL\", \"CONSOLIDATED_BILLING\"",
    )
}

pub fn check_account_removal(s: &str) -> Check {
    if matches!(s, "ignore" | "remove" | "close") {
        return Ok(());
    }
    let help = match suggest(s, &["ignore", "remove", "close"]) {
        Some(x) => format!("did you mean \"{x}\"? accepted: \"ignore\", \"remove\", \"close\""),
        None => "accepted: \"ignore\", \"remove\", \"close\"".into(),
    };
    reject(format!("invalid account_removal {s:?}"), help)
}

/// An ownership scope: a short identifier, since it is written into a tag on every owned
/// resource and compared as it is.
pub fn check_scope(s: &str) -> Check {
    let help = "a scope is 1 to 32 characters: lowercase letters, digits, `-` and `_`, starting with a letter (e.g. \"security\"); leave `scope` out for the default scope";
    let shape = s.len() <= 32
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !shape {
        return reject(format!("invalid scope {s:?}"), help);
    }
    if s == "default" {
        return reject(
            "the scope \"default\" is reserved".to_string(),
            "leave `scope` out for the default scope",
        );
    }
    Ok(())
}

pub fn check_service_principal(s: &str) -> Check {
    len_between("a service principal", s, 1, 128)?;
    if !iam_name_chars(s) || !s.contains('.') {
        return reject(
            format!("invalid service principal {s:?}"),
            "a service principal looks like guardduty.amazonaws.com",
        );
    }
    Ok(())
}

/// Tags: at most 50; keys 1-128 characters without the reserved `aws:` prefix (AWS's) or
/// `orgchard:` prefix (ours); values up to 256 characters.
pub fn check_tags(tags: &BTreeMap<String, String>) -> Check {
    if tags.len() > 50 {
        return reject(
            format!("{} tags; AWS accepts at most 50 per resource", tags.len()),
            "keep at most 50 tags",
        );
    }
    for (k, v) in tags {
        if k.is_empty() || k.chars().count() > 128 {
            return reject(
                format!("tag key {k:?} is {} characters long", k.chars().count()),
                "tag keys are 1 to 128 characters long",
            );
        }
        if k.to_ascii_lowercase().starts_with("aws:") {
            return reject(
                format!("tag key {k:?} uses the reserved prefix aws:"),
                "tag keys may not start with aws:",
            );
        }
        if k.starts_with(crate::model::live::RESERVED_TAG_PREFIX) {
            return reject(
                format!(
                    "tag key {k:?} uses the prefix orgchard:, which orgchard keeps for its own tags"
                ),
                "remove the tag or rename its key: orgchard sets orgchard:address, orgchard:roles and orgchard:prevent-destroy itself (the last from lifecycle.prevent_destroy)",
            );
        }
        if v.chars().count() > 256 {
            return reject(
                format!(
                    "the value of tag {k:?} is {} characters long",
                    v.chars().count()
                ),
                "tag values are 0 to 256 characters long",
            );
        }
    }
    Ok(())
}

fn all(s: &str, f: impl Fn(char) -> bool) -> bool {
    s.chars().all(f)
}

fn lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && all(s, |c| c.is_ascii_digit())
}

pub fn is_root_id(s: &str) -> bool {
    s.strip_prefix("r-")
        .is_some_and(|r| (4..=32).contains(&r.len()) && all(r, lower_alnum))
}

pub fn is_ou_id(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("ou-") else {
        return false;
    };
    let Some((a, b)) = rest.split_once('-') else {
        return false;
    };
    (4..=32).contains(&a.len())
        && all(a, lower_alnum)
        && (8..=32).contains(&b.len())
        && all(b, lower_alnum)
}

pub fn is_policy_id(s: &str) -> bool {
    s.strip_prefix("p-").is_some_and(|r| {
        (8..=128).contains(&r.len()) && all(r, |c| c.is_ascii_alphanumeric() || c == '_')
    })
}

fn id_check(ok: bool, what: &str, s: &str, example: &str) -> Check {
    if ok {
        return Ok(());
    }
    reject(
        format!("{s:?} is not a valid {what} id"),
        format!("a {what} id looks like {example}"),
    )
}

pub fn check_account_id(s: &str) -> Check {
    id_check(
        is_account_id(s),
        "account",
        s,
        "\"123456789012\" (12 digits)",
    )
}

pub fn check_ou_id(s: &str) -> Check {
    id_check(
        is_ou_id(s),
        "organizational unit",
        s,
        "\"ou-ab12-34cd5678\"",
    )
}

pub fn check_root_id(s: &str) -> Check {
    id_check(is_root_id(s), "root", s, "\"r-ab12\"")
}

pub fn check_policy_id(s: &str) -> Check {
    id_check(is_policy_id(s), "policy", s, "\"p-abcd1234\"")
}

pub fn check_org_id(s: &str) -> Check {
    let ok = s
        .strip_prefix("o-")
        .is_some_and(|r| (10..=32).contains(&r.len()) && all(r, lower_alnum));
    id_check(ok, "organization", s, "\"o-abcde12345\"")
}

pub fn check_role_id(s: &str) -> Check {
    let ok = s
        .strip_prefix("AROA")
        .is_some_and(|r| r.len() >= 16 && all(r, |c| c.is_ascii_uppercase() || c.is_ascii_digit()));
    id_check(ok, "role", s, "\"AROAEXAMPLEID1234567\"")
}

/// The document is one JSON object.
pub fn check_json_document(s: &str, what: &str) -> Check {
    match serde_json::from_str::<serde_json::Value>(s) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        Ok(_) => reject(
            format!("the {what} is JSON but not an object"),
            "a policy document is one JSON object { ... }",
        ),
        Err(e) => reject(
            format!("the {what} is not valid JSON: {e}"),
            "write the document as JSON, e.g. with jsonencode({ ... }) or file(\"policy.json\")",
        ),
    }
}

/// A policy document: JSON, within the size limit of its type (as the organization's
/// `quotas` say), and for SCPs and RCPs well-formed policy grammar.
pub fn check_policy_content(s: &str, policy_type: &str, quotas: &vocab::quotas::Quotas) -> Check {
    let json: serde_json::Value = serde_json::from_str(s).map_err(|e| {
        (
            format!("policy content is not valid JSON: {e}"),
            "write the document as JSON, e.g. with jsonencode({ ... }) or file(\"policy.json\")"
                .to_string(),
        )
    })?;
    if vocab::policy_type(policy_type).is_none() {
        return Ok(());
    }
    let max = quotas.max_size(policy_type);
    let size = s.chars().count();
    if size > max {
        return reject(
            format!("policy content is {size} characters; a {policy_type} may have at most {max}"),
            "shorten the document (jsonencode() writes it without whitespace) or split it into two policies",
        );
    }
    match policy_type {
        vocab::SCP => check_policy_grammar(&json, crate::iam::PolicyKind::Scp),
        vocab::RCP => check_policy_grammar(&json, crate::iam::PolicyKind::Rcp),
        _ => {
            if json.is_object() {
                Ok(())
            } else {
                reject(
                    "policy content is JSON but not an object",
                    "a policy document is one JSON object { ... }",
                )
            }
        }
    }
}

/// The grammar of SCPs and RCPs, checked by the IAM policy engine ([`crate::iam::Policy`]),
/// which knows every element, operator and rule of AWS's policy language.
pub fn check_policy_grammar(json: &serde_json::Value, kind: crate::iam::PolicyKind) -> Check {
    crate::iam::Policy::from_value(json, kind)
        .map(|_| ())
        .map_err(|e| {
            (
                format!("the {kind} is not a valid policy: {e}"),
                format!(
                    "see AWS's {kind} syntax: {{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": ..., \"Action\": ..., \"Resource\": ...}}]}}"
                ),
            )
        })
}

/// The checks that compare resources with each other.
pub(crate) fn check(decoded: &Decoded, diags: &mut Diagnostics) {
    let d = &decoded.desired;
    let mut push = |span: SourceSpan, msg: String, help: String| {
        diags.push(Diagnostic::error(msg).at(Some(span)).help(help));
    };

    // Duplicate natural keys.
    let mut emails: HashMap<String, &Account> = HashMap::new();
    for a in &d.accounts {
        if let Some(first) = emails.insert(a.email.to_ascii_lowercase(), a) {
            let span = decoded.span_of(&a.common.address, "email", &a.common.origin);
            push(
                span,
                format!(
                    "two accounts with the email {:?}: {} and {}",
                    a.email, first.common.address, a.common.address
                ),
                format!(
                    "an email identifies one account; {} is declared at {}",
                    first.common.address, first.common.origin
                ),
            );
        }
    }
    let mut ou_keys: HashMap<(String, String), &OrganizationalUnit> = HashMap::new();
    for ou in &d.organizational_units {
        let parent = parent_key(&ou.parent);
        if let Some(first) = ou_keys.insert((parent.clone(), ou.name.clone()), ou) {
            let span = decoded.span_of(&ou.common.address, "name", &ou.common.origin);
            push(
                span,
                format!(
                    "two organizational units named {:?} under {parent}: {} and {}",
                    ou.name, first.common.address, ou.common.address
                ),
                format!(
                    "OU names are unique under one parent; {} is declared at {}",
                    first.common.address, first.common.origin
                ),
            );
        }
    }
    let mut policy_keys: HashMap<(String, String), &Policy> = HashMap::new();
    for p in &d.policies {
        if let Some(first) = policy_keys.insert((p.policy_type.clone(), p.name.clone()), p) {
            let span = decoded.span_of(&p.common.address, "name", &p.common.origin);
            push(
                span,
                format!(
                    "two {} policies named {:?}: {} and {}",
                    p.policy_type, p.name, first.common.address, p.common.address
                ),
                format!(
                    "policy names are unique per type; {} is declared at {}",
                    first.common.address, first.common.origin
                ),
            );
        }
    }
    let mut role_keys: HashMap<(String, String), &Role> = HashMap::new();
    for r in &d.roles {
        let account = match &r.account {
            AccountRef::Account(a) => a.to_string(),
            AccountRef::Management => "management".into(),
            AccountRef::Id(id) => id.clone(),
        };
        if let Some(first) = role_keys.insert((account.clone(), r.name.to_ascii_lowercase()), r) {
            let span = decoded.span_of(&r.common.address, "name", &r.common.origin);
            push(
                span,
                format!(
                    "two roles named {:?} in {account}: {} and {}",
                    r.name, first.common.address, r.common.address
                ),
                format!(
                    "role names are unique within an account; {} is declared at {}",
                    first.common.address, first.common.origin
                ),
            );
        }
    }

    // OU depth: at most five levels below the root.
    let ous: HashMap<&Address, &OrganizationalUnit> = d
        .organizational_units
        .iter()
        .map(|o| (&o.common.address, o))
        .collect();
    for ou in &d.organizational_units {
        let mut depth = 1;
        let mut cur = &ou.parent;
        while let ParentRef::OrganizationalUnit(a) = cur {
            depth += 1;
            match ous.get(a) {
                Some(p) if depth <= 7 => cur = &p.parent,
                _ => break,
            }
        }
        if let ParentRef::Id(id) = cur
            && is_ou_id(id)
        {
            depth += 1;
        }
        if depth > 5 {
            let span = decoded.span_of(&ou.common.address, "parent", &ou.common.origin);
            push(
                span,
                format!(
                    "{} would be nested {depth} levels below the root",
                    ou.common.address
                ),
                "AWS allows organizational units at most 5 levels deep below the root".into(),
            );
        }
    }

    // Attachments per target and type, and the SCP that every target must keep.
    let policy_types: HashMap<&Address, &str> = d
        .policies
        .iter()
        .map(|p| (&p.common.address, p.policy_type.as_str()))
        .collect();
    let mut targets: Vec<(&Address, &SourceSpan, &Vec<PolicyRef>)> = Vec::new();
    let root_addr = Address::root();
    if let Some(root) = &d.root
        && let Some(p) = &root.policies
    {
        targets.push((&root_addr, &root.origin, p));
    }
    for ou in &d.organizational_units {
        if let Some(p) = &ou.policies {
            targets.push((&ou.common.address, &ou.common.origin, p));
        }
    }
    for a in &d.accounts {
        if let Some(p) = &a.policies {
            targets.push((&a.common.address, &a.common.origin, p));
        }
    }
    let enabled = d.organization.enabled_policy_types.as_ref();
    for (addr, origin, list) in targets {
        let span = decoded.span_of(addr, "policies", origin);
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        let mut unknown_type = false;
        for r in list {
            let t = match r {
                PolicyRef::Policy(a) => policy_types.get(a).copied(),
                PolicyRef::AwsManaged(n) => aws_managed_type(n),
                PolicyRef::Id(_) => None,
            };
            match t {
                Some(t) => *counts.entry(t).or_default() += 1,
                None => unknown_type = true,
            }
        }
        for (t, n) in &counts {
            let max = d.organization.quotas.attachments_per_target(t);
            if vocab::policy_type(t).is_some() && *n > max {
                push(
                    span.clone(),
                    format!(
                        "{addr} has {n} policies of type {t} attached; AWS allows at most {max}"
                    ),
                    format!(
                        "attach at most {max} {t}s directly to one root, OU or account; if AWS raised this quota for the organization, set organization {{ quotas = {{ {}_per_target = N }} }}",
                        vocab::policy_type(t).map_or("", |t| t.short)
                    ),
                );
            }
            if let Some(enabled) = enabled
                && !enabled.iter().any(|e| e == t)
            {
                push(
                    span.clone(),
                    format!(
                        "{addr} attaches a {t}, but that policy type is not in organization.enabled_policy_types"
                    ),
                    format!("add \"{t}\" to enabled_policy_types, or remove the attachment"),
                );
            }
        }
        if d.scps_enabled() && !unknown_type && !counts.contains_key(vocab::SCP) {
            push(span, format!("`policies` of {addr} has no service control policy"),
                "while SCPs are enabled every target must keep at least one SCP: add aws_policy.FullAWSAccess (or another SCP), or remove `policies` to keep what is attached".into());
        }
    }

    // Policies and delegated administrators of types / services the organization disables.
    if let Some(enabled) = enabled {
        for p in &d.policies {
            if !enabled.iter().any(|e| e == &p.policy_type) {
                let span = decoded.span_of(&p.common.address, "type", &p.common.origin);
                push(
                    span,
                    format!(
                        "policy type {} of {} is not in organization.enabled_policy_types",
                        p.policy_type, p.common.address
                    ),
                    format!("add \"{}\" to enabled_policy_types", p.policy_type),
                );
            }
        }
    }
    if let Some(services) = &d.organization.service_access_principals {
        for da in &d.delegated_administrators {
            if !services.contains(&da.service_principal) {
                let span =
                    decoded.span_of(&da.common.address, "service_principal", &da.common.origin);
                push(
                    span,
                    format!(
                        "{} delegates {}, which is not in organization.service_access_principals",
                        da.common.address, da.service_principal
                    ),
                    format!(
                        "add \"{}\" to service_access_principals: trusted access must be enabled before a delegated administrator",
                        da.service_principal
                    ),
                );
            }
        }
    }

    // moved: `to` must be declared, `from` must not be.
    let declared = |a: &Address| -> bool {
        let all = d
            .organizational_units
            .iter()
            .map(|x| &x.common.address)
            .chain(d.accounts.iter().map(|x| &x.common.address))
            .chain(d.policies.iter().map(|x| &x.common.address))
            .chain(d.delegated_administrators.iter().map(|x| &x.common.address))
            .chain(d.roles.iter().map(|x| &x.common.address))
            .collect::<Vec<_>>();
        all.iter().any(|x| a.contains(x) || *x == a)
    };
    for m in &d.moved {
        if !declared(&m.to) {
            push(
                m.origin.clone(),
                format!("`moved` target {} is not declared", m.to),
                "`to` must be the new address of a resource in the configuration".into(),
            );
        }
        if declared(&m.from) {
            push(
                m.origin.clone(),
                format!("`moved` source {} is still declared", m.from),
                "remove or rename the old block; `from` is the address it had before".into(),
            );
        }
    }
    // removed: `from` must no longer be declared, nor be a `moved` block's source, and two
    // `removed` blocks must not disagree about one resource.
    for (i, r) in d.removed.iter().enumerate() {
        if declared(&r.from) {
            push(
                r.origin.clone(),
                format!("`removed` names {}, which is still declared", r.from),
                "remove its block (the `removed` block says what happens to the live resource once it is gone), or remove the `removed` block".into(),
            );
        }
        if let Some(m) = d
            .moved
            .iter()
            .find(|m| r.from.contains(&m.from) || m.from.contains(&r.from))
        {
            push(
                r.origin.clone(),
                format!("`removed` names {}, which a `moved` block (line {}) moves to {}", r.from, m.origin.line, m.to),
                "keep one of the two: `moved` keeps managing the resource at its new address, `removed` stops managing it".into(),
            );
        }
        if let Some(other) = d.removed[..i].iter().find(|o| {
            (o.from.contains(&r.from) || r.from.contains(&o.from)) && o.destroy != r.destroy
        }) {
            push(
                r.origin.clone(),
                format!(
                    "`removed` says destroy = {} for {}, but the `removed` block at line {} says destroy = {} for {}",
                    r.destroy, r.from, other.origin.line, other.destroy, other.from
                ),
                "keep one `removed` block per resource".into(),
            );
        }
    }
    let _ = ResourceKind::ALL;
}

fn parent_key(p: &ParentRef) -> String {
    match p {
        ParentRef::Root => "root".into(),
        ParentRef::OrganizationalUnit(a) => a.to_string(),
        ParentRef::Id(id) => id.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_catch_typos_only() {
        assert_eq!(suggest("emial", &["email", "name"]), Some("email"));
        assert_eq!(
            suggest("organisational_unit", &["organizational_unit", "account"]),
            Some("organizational_unit")
        );
        assert_eq!(suggest("zzz", &["email", "name"]), None);
    }

    #[test]
    fn emails() {
        assert!(check_email("aws+log@example.com").is_ok());
        assert!(check_email("a@b.c").is_err()); // too short
        assert!(check_email("no-at-sign.example.com").is_err());
        assert!(check_email("a b@example.com").is_err());
        assert!(check_email(&format!("{}@example.com", "x".repeat(60))).is_err());
    }

    #[test]
    fn ids() {
        assert!(is_ou_id("ou-ab12-34cd5678"));
        assert!(!is_ou_id("ou-ab12"));
        assert!(is_root_id("r-ab12"));
        assert!(is_policy_id("p-FullAWSAccess"));
        assert!(is_policy_id("p-abcd1234"));
        assert!(!is_policy_id("p-x"));
        assert!(is_account_id("123456789012"));
        assert!(!is_account_id("12345678901"));
    }

    #[test]
    fn tags() {
        let mut t = BTreeMap::new();
        t.insert("owner".to_string(), "x".to_string());
        assert!(check_tags(&t).is_ok());
        t.insert("aws:foo".to_string(), "x".to_string());
        assert!(check_tags(&t).unwrap_err().0.contains("reserved prefix"));
    }

    #[test]
    fn scp_grammar() {
        let ok = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}"#;
        assert!(check_policy_content(ok, "SERVICE_CONTROL_POLICY", &Default::default()).is_ok());
        let bad_effect = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:*","Resource":"*"}]}"#;
        assert!(
            check_policy_content(bad_effect, "SERVICE_CONTROL_POLICY", &Default::default())
                .is_err()
        );
        let principal = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
        assert!(
            check_policy_content(principal, "SERVICE_CONTROL_POLICY", &Default::default()).is_err()
        );
        assert!(
            check_policy_content(principal, "RESOURCE_CONTROL_POLICY", &Default::default()).is_ok()
        );
        let big = format!(r#"{{"a":"{}"}}"#, "x".repeat(3000));
        assert!(
            check_policy_content(&big, "AISERVICES_OPT_OUT_POLICY", &Default::default()).is_err()
        );
        assert!(check_policy_content(&big, "TAG_POLICY", &Default::default()).is_ok());
    }
}
