//! `import`: HCL that describes a live organization, every block pinned to its live id, so
//! that planning it shows no changes. Customer policy documents go to `policies/*.json`
//! next to the HCL, read back with `file()`. The ownership tag is not written (it is
//! orgchard's, not the user's), and the management account is left to the `management`
//! reference.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::model::live::{LiveOrg, OWNERSHIP_TAG, RESERVED_TAG_PREFIX};

/// One generated file: a path relative to the output directory and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub text: String,
}

/// An HCL string literal.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Template sequences must not start: `${` and `%{` are escaped by doubling.
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Block labels from names: lower-case identifiers, unique within a kind.
struct Labels {
    used: BTreeSet<String>,
}

impl Labels {
    fn new() -> Self {
        Labels {
            used: BTreeSet::new(),
        }
    }

    /// The label of the root-module address a resource's ownership tag names, when it is a
    /// plain `kind.label` of the expected kind: importing what orgchard manages keeps its
    /// addresses, so the plan does not retag it.
    fn owned_or_make(&mut self, kind: &str, tags: &BTreeMap<String, String>, name: &str) -> String {
        if let Some(addr) = tags.get(OWNERSHIP_TAG)
            && let Some(label) = addr.strip_prefix(&format!("{kind}."))
        {
            let plain = !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                && !label.starts_with(|c: char| c.is_ascii_digit());
            if plain && self.used.insert(label.to_string()) {
                return label.to_string();
            }
        }
        self.make(name)
    }

    fn make(&mut self, name: &str) -> String {
        let mut base: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        base = base.trim_matches('_').to_string();
        while base.contains("__") {
            base = base.replace("__", "_");
        }
        if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
            base = format!("r_{base}");
        }
        let mut label = base.clone();
        let mut n = 2;
        while !self.used.insert(label.clone()) {
            label = format!("{base}_{n}");
            n += 1;
        }
        label
    }
}

fn tags_attr(out: &mut String, tags: &BTreeMap<String, String>) {
    let tags: Vec<(&String, &String)> = tags
        .iter()
        .filter(|(k, _)| !k.starts_with(RESERVED_TAG_PREFIX))
        .collect();
    if tags.is_empty() {
        return;
    }
    out.push_str("  tags = {\n");
    for (k, v) in tags {
        let _ = writeln!(out, "    {} = {}", quote(k), quote(v));
    }
    out.push_str("  }\n");
}

/// Generates the files that describe `live`.
pub fn generate(live: &LiveOrg) -> Vec<GeneratedFile> {
    let mgmt = &live.organization.master_account_id;
    let mut main = String::new();
    let mut policies_hcl = String::new();
    let mut files = Vec::new();

    // Policy references by id.
    let mut policy_labels = Labels::new();
    let mut policy_ref: BTreeMap<String, String> = BTreeMap::new();
    for (id, p) in &live.policies {
        if p.summary.aws_managed {
            policy_ref.insert(id.clone(), format!("aws_policy.{}", p.summary.name));
            continue;
        }
        let label = policy_labels.owned_or_make("policy", &p.tags, &p.summary.name);
        policy_ref.insert(id.clone(), format!("policy.{label}"));
        let document = p
            .content
            .as_deref()
            .and_then(|c| serde_json::from_str::<serde_json::Value>(c).ok())
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| p.content.clone().unwrap_or_default());
        files.push(GeneratedFile {
            path: format!("policies/{label}.json"),
            text: format!("{document}\n"),
        });
        let _ = writeln!(policies_hcl, "policy {} {{", quote(&label));
        let _ = writeln!(policies_hcl, "  id          = {}", quote(id));
        let _ = writeln!(policies_hcl, "  type        = {}", quote(&p.summary.r#type));
        let _ = writeln!(policies_hcl, "  name        = {}", quote(&p.summary.name));
        let _ = writeln!(
            policies_hcl,
            "  description = {}",
            quote(&p.summary.description)
        );
        let _ = writeln!(
            policies_hcl,
            "  content     = file(\"policies/{label}.json\")"
        );
        tags_attr(&mut policies_hcl, &p.tags);
        policies_hcl.push_str("}\n\n");
    }
    let policies_of = |target: &str| -> String {
        let refs: Vec<String> = live
            .attached_to(target)
            .iter()
            .filter_map(|p| policy_ref.get(p).cloned())
            .collect();
        format!("[{}]", refs.join(", "))
    };

    // The organization.
    let types: Vec<String> = live
        .enabled_policy_types()
        .iter()
        .map(|t| quote(t))
        .collect();
    let access: Vec<String> = live.service_access.iter().map(|s| quote(s)).collect();
    main.push_str("organization {\n");
    let _ = writeln!(
        main,
        "  feature_set               = {}",
        quote(&live.organization.feature_set)
    );
    let _ = writeln!(main, "  enabled_policy_types      = [{}]", types.join(", "));
    let _ = writeln!(
        main,
        "  service_access_principals = [{}]",
        access.join(", ")
    );
    let _ = writeln!(main, "  management_account_id     = {}", quote(mgmt));
    main.push_str("}\n\n");

    main.push_str("root {\n");
    let _ = writeln!(main, "  policies = {}", policies_of(&live.root.id));
    tags_attr(&mut main, &live.root_tags);
    main.push_str("}\n\n");

    // OUs, parents first.
    let mut ou_labels = Labels::new();
    let mut ou_ref: BTreeMap<String, String> = BTreeMap::new();
    let mut ous: Vec<(&String, usize)> = live
        .ous
        .keys()
        .map(|id| (id, live.ancestors(id).len()))
        .collect();
    ous.sort_by(|a, b| {
        a.1.cmp(&b.1)
            .then(live.ous[a.0].ou.name.cmp(&live.ous[b.0].ou.name))
    });
    let parent_ref = |ou_ref: &BTreeMap<String, String>, parent: &str| -> String {
        if parent == live.root.id {
            "root".to_string()
        } else {
            ou_ref.get(parent).cloned().unwrap_or_else(|| quote(parent))
        }
    };
    for (id, _) in ous {
        let o = &live.ous[id];
        let label = ou_labels.owned_or_make("organizational_unit", &o.tags, &o.ou.name);
        let _ = writeln!(main, "organizational_unit {} {{", quote(&label));
        let _ = writeln!(main, "  id       = {}", quote(id));
        let _ = writeln!(main, "  name     = {}", quote(&o.ou.name));
        let _ = writeln!(main, "  parent   = {}", parent_ref(&ou_ref, &o.parent_id));
        let _ = writeln!(main, "  policies = {}", policies_of(id));
        tags_attr(&mut main, &o.tags);
        main.push_str("}\n\n");
        ou_ref.insert(id.clone(), format!("organizational_unit.{label}"));
    }

    // Member accounts.
    let mut account_labels = Labels::new();
    let mut account_ref: BTreeMap<String, String> = BTreeMap::new();
    for (id, a) in &live.accounts {
        if id == mgmt {
            continue;
        }
        let label = account_labels.owned_or_make("account", &a.tags, &a.account.name);
        let _ = writeln!(main, "account {} {{", quote(&label));
        let _ = writeln!(main, "  id       = {}", quote(id));
        let _ = writeln!(main, "  name     = {}", quote(&a.account.name));
        let _ = writeln!(main, "  email    = {}", quote(&a.account.email));
        let _ = writeln!(main, "  parent   = {}", parent_ref(&ou_ref, &a.parent_id));
        let _ = writeln!(main, "  policies = {}", policies_of(id));
        tags_attr(&mut main, &a.tags);
        main.push_str("}\n\n");
        account_ref.insert(id.clone(), format!("account.{label}"));
    }

    let mut admin_labels = Labels::new();
    for (account, principal) in &live.delegated_administrators {
        let label = admin_labels.make(principal.split('.').next().unwrap_or(principal));
        let _ = writeln!(main, "delegated_administrator {} {{", quote(&label));
        let account = account_ref
            .get(account)
            .cloned()
            .unwrap_or_else(|| quote(account));
        let _ = writeln!(main, "  account           = {account}");
        let _ = writeln!(main, "  service_principal = {}", quote(principal));
        main.push_str("}\n\n");
    }

    let format = |text: String| crate::config::fmt::format_source(&text).unwrap_or(text);
    files.insert(
        0,
        GeneratedFile {
            path: "main.hcl".into(),
            text: format(main),
        },
    );
    if !policies_hcl.is_empty() {
        files.insert(
            1,
            GeneratedFile {
                path: "policies.hcl".into(),
                text: format(policies_hcl),
            },
        );
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_as_hcl_literals() {
        assert_eq!(quote("a\"b"), r#""a\"b""#);
        assert_eq!(quote("${x} %{y} $z"), r#""$${x} %%{y} $z""#);
        assert_eq!(quote("line\nnext"), r#""line\nnext""#);
    }

    #[test]
    fn no_orgchard_tag_is_written_since_validate_refuses_them() {
        let tags: BTreeMap<String, String> = [
            (OWNERSHIP_TAG, "account.audit"),
            ("orgchard:roles", "managed"),
            ("orgchard:set-by-hand", "x"),
            ("team", "security"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let mut out = String::new();
        tags_attr(&mut out, &tags);
        assert!(out.contains("team"), "{out}");
        assert!(!out.contains("orgchard:"), "{out}");
        let mut tags_only_ours = tags.clone();
        tags_only_ours.remove("team");
        let mut out = String::new();
        tags_attr(&mut out, &tags_only_ours);
        assert_eq!(out, "");
    }

    #[test]
    fn labels_are_identifiers_and_unique() {
        let mut l = Labels::new();
        assert_eq!(l.make("Log Archive"), "log_archive");
        assert_eq!(l.make("Log-Archive"), "log_archive_2");
        assert_eq!(l.make("2024 Sandbox"), "r_2024_sandbox");
        assert_eq!(l.make("!!!"), "r_");
    }
}
