//! `import`: HCL that describes a live organization, every block pinned to its live id, so
//! that planning it shows no changes. Customer policy documents go to `policies/*.json`
//! next to the HCL, read back with `file()`. The ownership tag is not written (it is
//! orgchard's, not the user's), and the management account is left to the `management`
//! reference.
//!
//! What orgchard owns keeps its address, because the ownership tag names it and a plan
//! would otherwise rewrite every tag and delete the owned roles: a resource tagged
//! `module.security.account.audit` is written into a generated module (`modules/security`,
//! called as `module "security"`), the instances of a `for_each` block
//! (`account.workload["dev"]`) into one `for_each` block over a literal map. A resource that
//! no generated block can carry (an instance of a module with `for_each`) is written under a
//! new root address with a `moved` block from the address its tag names. Roles orgchard owns
//! are written with their whole content; roles it does not own are left out and listed in a
//! comment (and by [`unowned_roles`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::addr::{Address, ResourceKind};
use crate::model::live::{LiveOrg, OWNERSHIP_TAG, RESERVED_TAG_PREFIX, prevents_destroy};

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

/// The user's tags: orgchard's own (every `orgchard:` key) are left out, since `validate`
/// refuses them in a configuration.
fn user_tags(tags: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    tags.iter()
        .filter(|(k, _)| !k.starts_with(RESERVED_TAG_PREFIX))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// An HCL map literal of strings, on several lines at `indent`.
fn map_literal(m: &BTreeMap<String, String>, indent: &str) -> String {
    if m.is_empty() {
        return "{}".into();
    }
    let mut out = String::from("{\n");
    for (k, v) in m {
        let _ = writeln!(out, "{indent}  {} = {}", quote(k), quote(v));
    }
    out.push_str(indent);
    out.push('}');
    out
}

/// A JSON document, compact (re-serialized when it parses).
fn compact_json(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| serde_json::to_string(&v).ok())
        .unwrap_or_else(|| text.to_string())
}

/// Where a block is written: the module (by call names, from the root) and its address
/// there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Place {
    module: Vec<String>,
    label: String,
    key: Option<String>,
}

/// The place the ownership tag names, when a generated block can carry it: a block of the
/// expected kind, in modules called without `for_each`.
fn owned_place(tags: &BTreeMap<String, String>, kind: ResourceKind) -> Option<Place> {
    let addr: Address = tags.get(OWNERSHIP_TAG)?.parse().ok()?;
    if addr.kind != kind || addr.module.0.iter().any(|s| s.key.is_some()) {
        return None;
    }
    let plain = |l: &str| {
        !l.is_empty()
            && l.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            && !l.starts_with(|c: char| c.is_ascii_digit())
    };
    if !plain(&addr.name) || addr.module.0.iter().any(|s| !plain(&s.name)) {
        return None;
    }
    Some(Place {
        module: addr.module.0.iter().map(|s| s.name.clone()).collect(),
        label: addr.name,
        key: addr.key.map(|k| k.0),
    })
}

/// One live resource to write.
struct Resource {
    kind: ResourceKind,
    /// The live id other blocks refer to (roles: account and name, never referred to).
    id: String,
    /// A name for a new label.
    name: String,
    /// The place its ownership tag names, if any, and that tag.
    owned: Option<Place>,
    owner: Option<String>,
    /// Attributes and nested blocks that differ in presence between resources of a kind
    /// (a role's description, `prevent_destroy`): a `for_each` block needs the same set in
    /// every instance.
    shape: String,
    /// It carries the prevent-destroy tag: its block says `prevent_destroy = true`, or the
    /// plan would remove the tag.
    protected: bool,
}

/// The files of one module directory being generated.
#[derive(Default)]
struct Dir {
    main: String,
    policies: String,
    roles: String,
    files: Vec<GeneratedFile>,
    file_labels: Option<Labels>,
}

/// The instances of each block to write, by module, kind and label.
type Blocks = BTreeMap<(Vec<String>, ResourceKind, String), Vec<(Option<String>, Body)>>;

/// One block's content: attributes (name, HCL expression), `inline_policy` blocks and
/// whether it has `lifecycle { prevent_destroy = true }`.
struct Body {
    attrs: Vec<(&'static str, String)>,
    inline: Vec<(String, String)>,
    protected: bool,
}

/// Generates the files that describe `live`.
pub fn generate(live: &LiveOrg) -> Vec<GeneratedFile> {
    let mgmt = &live.organization.master_account_id;

    // Every resource to write, with the place its ownership tag names.
    let mut resources: Vec<Resource> = Vec::new();
    let mut add = |kind, id: &String, name: &str, tags: &BTreeMap<String, String>, shape| {
        let protected = prevents_destroy(tags);
        resources.push(Resource {
            kind,
            id: id.clone(),
            name: name.to_string(),
            owned: owned_place(tags, kind),
            owner: tags.get(OWNERSHIP_TAG).cloned(),
            shape: format!("{shape} {protected}"),
            protected,
        });
    };
    for (id, p) in live.policies.iter().filter(|(_, p)| !p.summary.aws_managed) {
        add(
            ResourceKind::Policy,
            id,
            &p.summary.name,
            &p.tags,
            String::new(),
        );
    }
    for (id, o) in &live.ous {
        add(
            ResourceKind::OrganizationalUnit,
            id,
            &o.ou.name,
            &o.tags,
            String::new(),
        );
    }
    for (id, a) in live.accounts.iter().filter(|(id, _)| *id != mgmt) {
        add(
            ResourceKind::Account,
            id,
            &a.account.name,
            &a.tags,
            String::new(),
        );
    }
    for (account, roles) in &live.roles {
        for (name, r) in roles {
            let tags = crate::api::tags_to_map(&r.role.tags);
            if !tags.contains_key(OWNERSHIP_TAG) {
                continue;
            }
            let shape = format!(
                "{} {} {:?}",
                r.role.description.is_some(),
                r.role.permissions_boundary.is_some(),
                r.inline_policies.keys().collect::<Vec<_>>()
            );
            add(
                ResourceKind::Role,
                &role_id(account, name),
                name,
                &tags,
                shape,
            );
        }
    }

    // The owned places that generated blocks can carry: one block without a key, or the
    // instances of one `for_each` block (distinct keys, one shape).
    let mut groups: BTreeMap<(ResourceKind, Vec<String>, String), Vec<usize>> = BTreeMap::new();
    for (i, r) in resources.iter().enumerate() {
        if let Some(p) = &r.owned {
            groups
                .entry((r.kind, p.module.clone(), p.label.clone()))
                .or_default()
                .push(i);
        }
    }
    let mut places: BTreeMap<usize, Place> = BTreeMap::new();
    let mut labels: BTreeMap<(ResourceKind, Vec<String>), Labels> = BTreeMap::new();
    for ((kind, module, label), members) in &groups {
        let keys: BTreeSet<Option<&String>> = members
            .iter()
            .map(|i| resources[*i].owned.as_ref().and_then(|p| p.key.as_ref()))
            .collect();
        let shapes: BTreeSet<&String> = members.iter().map(|i| &resources[*i].shape).collect();
        let single = members.len() == 1 && keys.contains(&None);
        let keyed = keys.len() == members.len() && !keys.contains(&None) && shapes.len() == 1;
        if single || keyed {
            labels
                .entry((*kind, module.clone()))
                .or_insert_with(Labels::new)
                .used
                .insert(label.clone());
            for i in members {
                places.insert(*i, resources[*i].owned.clone().expect("grouped"));
            }
        }
    }
    // The rest at the root under new labels; an owned one gets a `moved` block.
    let mut moved: Vec<(String, String)> = Vec::new();
    for (i, r) in resources.iter().enumerate() {
        if places.contains_key(&i) {
            continue;
        }
        let label = labels
            .entry((r.kind, Vec::new()))
            .or_insert_with(Labels::new)
            .make(&r.name);
        if let Some(owner) = &r.owner {
            moved.push((owner.clone(), format!("{}.{label}", r.kind.block_type())));
        }
        places.insert(
            i,
            Place {
                module: Vec::new(),
                label,
                key: None,
            },
        );
    }
    let place_of: BTreeMap<(ResourceKind, &str), &Place> = places
        .iter()
        .map(|(i, p)| ((resources[*i].kind, resources[*i].id.as_str()), p))
        .collect();

    // How a block in `module` refers to a live id: by reference within its module (not
    // from inside a `for_each` map), by the literal id across modules.
    let refer = |kind: ResourceKind, id: &str, module: &[String], literal: bool| -> String {
        match place_of.get(&(kind, id)) {
            Some(p) if !literal && p.module == module => match &p.key {
                None => format!("{}.{}", kind.block_type(), p.label),
                Some(k) => format!("{}.{}[{}]", kind.block_type(), p.label, quote(k)),
            },
            _ => quote(id),
        }
    };
    let parent_ref = |parent: &str, module: &[String], literal: bool| -> String {
        if parent == live.root.id {
            if module.is_empty() && !literal {
                "root".to_string()
            } else {
                quote(parent)
            }
        } else {
            refer(ResourceKind::OrganizationalUnit, parent, module, literal)
        }
    };
    let policies_of = |target: &str, module: &[String], literal: bool| -> String {
        let refs: Vec<String> = live
            .attached_to(target)
            .iter()
            .filter_map(|p| {
                let lp = live.policies.get(p)?;
                Some(if lp.summary.aws_managed {
                    if module.is_empty() && !literal {
                        format!("aws_policy.{}", lp.summary.name)
                    } else {
                        quote(p)
                    }
                } else {
                    refer(ResourceKind::Policy, p, module, literal)
                })
            })
            .collect();
        format!("[{}]", refs.join(", "))
    };

    // Bodies, grouped by block.
    let mut dirs: BTreeMap<Vec<String>, Dir> = BTreeMap::new();
    dirs.entry(Vec::new()).or_default();
    let mut blocks: Blocks = BTreeMap::new();
    for (i, r) in resources.iter().enumerate() {
        let place = &places[&i];
        let m = place.module.as_slice();
        let literal = place.key.is_some();
        let dir = dirs.entry(place.module.clone()).or_default();
        let body = match r.kind {
            ResourceKind::Policy => {
                let p = &live.policies[&r.id];
                let document = p
                    .content
                    .as_deref()
                    .and_then(|c| serde_json::from_str::<serde_json::Value>(c).ok())
                    .and_then(|v| serde_json::to_string_pretty(&v).ok())
                    .unwrap_or_else(|| p.content.clone().unwrap_or_default());
                let stem = match &place.key {
                    None => place.label.clone(),
                    Some(k) => format!("{}_{k}", place.label),
                };
                let file = dir.file_labels.get_or_insert_with(Labels::new).make(&stem);
                dir.files.push(GeneratedFile {
                    path: format!("policies/{file}.json"),
                    text: format!("{document}\n"),
                });
                Body {
                    attrs: vec![
                        ("id", quote(&r.id)),
                        ("type", quote(&p.summary.r#type)),
                        ("name", quote(&p.summary.name)),
                        ("description", quote(&p.summary.description)),
                        ("content", format!("file(\"policies/{file}.json\")")),
                        ("tags", map_literal(&user_tags(&p.tags), "  ")),
                    ],
                    inline: vec![],
                    protected: r.protected,
                }
            }
            ResourceKind::OrganizationalUnit => {
                let o = &live.ous[&r.id];
                Body {
                    attrs: vec![
                        ("id", quote(&r.id)),
                        ("name", quote(&o.ou.name)),
                        ("parent", parent_ref(&o.parent_id, m, literal)),
                        ("policies", policies_of(&r.id, m, literal)),
                        ("tags", map_literal(&user_tags(&o.tags), "  ")),
                    ],
                    inline: vec![],
                    protected: r.protected,
                }
            }
            ResourceKind::Account => {
                let a = &live.accounts[&r.id];
                Body {
                    attrs: vec![
                        ("id", quote(&r.id)),
                        ("name", quote(&a.account.name)),
                        ("email", quote(&a.account.email)),
                        ("parent", parent_ref(&a.parent_id, m, literal)),
                        ("policies", policies_of(&r.id, m, literal)),
                        ("tags", map_literal(&user_tags(&a.tags), "  ")),
                    ],
                    inline: vec![],
                    protected: r.protected,
                }
            }
            ResourceKind::Role => {
                let (account, name) = r.id.split_once(':').expect("role ids are account:name");
                let role = &live.roles[account][name];
                let account_ref = if account == mgmt && m.is_empty() && !literal {
                    "management".to_string()
                } else {
                    refer(ResourceKind::Account, account, m, literal)
                };
                let arns: Vec<String> = role.managed_policy_arns.iter().map(|a| quote(a)).collect();
                let mut attrs = vec![
                    ("account", account_ref),
                    ("name", quote(name)),
                    ("path", quote(&role.role.path)),
                    (
                        "assume_role_policy",
                        quote(&compact_json(&role.role.assume_role_policy_document)),
                    ),
                    ("managed_policy_arns", format!("[{}]", arns.join(", "))),
                    (
                        "max_session_duration",
                        role.role.max_session_duration.to_string(),
                    ),
                ];
                if let Some(d) = &role.role.description {
                    attrs.push(("description", quote(d)));
                }
                if let Some(b) = &role.role.permissions_boundary {
                    attrs.push(("permissions_boundary", quote(b)));
                }
                attrs.push((
                    "tags",
                    map_literal(&user_tags(&crate::api::tags_to_map(&role.role.tags)), "  "),
                ));
                Body {
                    attrs,
                    inline: role
                        .inline_policies
                        .iter()
                        .map(|(n, d)| (n.clone(), quote(&compact_json(d))))
                        .collect(),
                    protected: r.protected,
                }
            }
            _ => continue,
        };
        blocks
            .entry((place.module.clone(), r.kind, place.label.clone()))
            .or_default()
            .push((place.key.clone(), body));
    }

    for ((module, kind, label), instances) in blocks {
        let dir = dirs.entry(module).or_default();
        let out = match kind {
            ResourceKind::Policy => &mut dir.policies,
            ResourceKind::Role => &mut dir.roles,
            _ => &mut dir.main,
        };
        write_block(out, kind.block_type(), &label, &instances);
    }

    // Module calls: each module directory is called from its parent's.
    let modules: Vec<Vec<String>> = dirs.keys().filter(|m| !m.is_empty()).cloned().collect();
    for m in modules {
        for depth in 1..=m.len() {
            let (parent, name) = (m[..depth - 1].to_vec(), &m[depth - 1]);
            let call = format!(
                "module {} {{\n  source = \"./modules/{name}\"\n}}\n\n",
                quote(name)
            );
            let parent_dir = dirs.entry(parent).or_default();
            if !parent_dir.main.contains(&call) {
                parent_dir.main.push_str(&call);
            }
        }
    }

    // The root module: the organization, the root, delegated administrators, moved blocks.
    let mut head = String::new();
    let types: Vec<String> = live
        .enabled_policy_types()
        .iter()
        .map(|t| quote(t))
        .collect();
    let access: Vec<String> = live.service_access.iter().map(|s| quote(s)).collect();
    head.push_str("organization {\n");
    let _ = writeln!(
        head,
        "  feature_set               = {}",
        quote(&live.organization.feature_set)
    );
    let _ = writeln!(head, "  enabled_policy_types      = [{}]", types.join(", "));
    let _ = writeln!(
        head,
        "  service_access_principals = [{}]",
        access.join(", ")
    );
    let _ = writeln!(head, "  management_account_id     = {}", quote(mgmt));
    head.push_str("}\n\n");
    head.push_str("root {\n");
    let _ = writeln!(
        head,
        "  policies = {}",
        policies_of(&live.root.id, &[], false)
    );
    let root_tags = user_tags(&live.root_tags);
    if !root_tags.is_empty() {
        let _ = writeln!(head, "  tags = {}", map_literal(&root_tags, "  "));
    }
    head.push_str("}\n\n");
    let root = dirs.entry(Vec::new()).or_default();
    root.main.insert_str(0, &head);
    let mut admin_labels = Labels::new();
    for (account, principal) in &live.delegated_administrators {
        let label = admin_labels.make(principal.split('.').next().unwrap_or(principal));
        let _ = writeln!(root.main, "delegated_administrator {} {{", quote(&label));
        let account = refer(ResourceKind::Account, account, &[], false);
        let _ = writeln!(root.main, "  account           = {account}");
        let _ = writeln!(root.main, "  service_principal = {}", quote(principal));
        root.main.push_str("}\n\n");
    }
    for (from, to) in &moved {
        let _ = writeln!(root.main, "moved {{\n  from = {from}\n  to   = {to}\n}}\n");
    }
    let left_out = unowned_roles(live);
    if !left_out.is_empty() {
        let mut note = String::from(
            "# Roles orgchard does not own (no ownership tag) are left out; manage them here\n# by writing their blocks (a block adopts its role by account and name):\n",
        );
        for line in &left_out {
            let _ = writeln!(note, "#   {line}");
        }
        note.push('\n');
        root.roles.insert_str(0, &note);
    }

    let format = |text: String| crate::config::fmt::format_source(&text).unwrap_or(text);
    let mut files = Vec::new();
    for (module, dir) in dirs {
        let prefix: String = module.iter().map(|m| format!("modules/{m}/")).collect();
        let mut texts = vec![("main.hcl", dir.main)];
        if !dir.policies.is_empty() {
            texts.push(("policies.hcl", dir.policies));
        }
        if !dir.roles.is_empty() {
            texts.push(("roles.hcl", dir.roles));
        }
        for (name, text) in texts {
            files.push(GeneratedFile {
                path: format!("{prefix}{name}"),
                text: format(text),
            });
        }
        for f in dir.files {
            files.push(GeneratedFile {
                path: format!("{prefix}{}", f.path),
                text: f.text,
            });
        }
    }
    files
}

/// The internal id of a role: its account and name.
fn role_id(account: &str, name: &str) -> String {
    format!("{account}:{name}")
}

/// One block: plain, or (with keys) a `for_each` over a literal map of its instances.
fn write_block(
    out: &mut String,
    block_type: &str,
    label: &str,
    instances: &[(Option<String>, Body)],
) {
    let _ = writeln!(out, "{block_type} {} {{", quote(label));
    // Every instance has the same shape, so one flag speaks for all of them.
    let protected = instances.first().is_some_and(|(_, b)| b.protected);
    match instances {
        [(None, body)] => {
            for (name, value) in &body.attrs {
                let _ = writeln!(out, "  {name} = {value}");
            }
            for (name, policy) in &body.inline {
                let _ = writeln!(
                    out,
                    "\n  inline_policy {} {{\n    policy = {policy}\n  }}",
                    quote(name)
                );
            }
        }
        _ => {
            out.push_str("  for_each = {\n");
            for (key, body) in instances {
                let _ = writeln!(
                    out,
                    "    {} = {{",
                    quote(key.as_deref().unwrap_or_default())
                );
                for (name, value) in &body.attrs {
                    let value = value.replace("\n  ", "\n      ");
                    let _ = writeln!(out, "      {name} = {value}");
                }
                if !body.inline.is_empty() {
                    out.push_str("      inline = {\n");
                    for (name, policy) in &body.inline {
                        let _ = writeln!(out, "        {} = {policy}", quote(name));
                    }
                    out.push_str("      }\n");
                }
                out.push_str("    }\n");
            }
            out.push_str("  }\n\n");
            if let Some((_, first)) = instances.first() {
                for (name, _) in &first.attrs {
                    let _ = writeln!(out, "  {name} = each.value.{name}");
                }
                for (name, _) in &first.inline {
                    let _ = writeln!(
                        out,
                        "\n  inline_policy {} {{\n    policy = each.value.inline[{}]\n  }}",
                        quote(name),
                        quote(name)
                    );
                }
            }
        }
    }
    if protected {
        out.push_str("\n  lifecycle {\n    prevent_destroy = true\n  }\n");
    }
    out.push_str("}\n\n");
}

/// The roles that were read but that orgchard does not own, one line per account:
/// `import` leaves them out.
pub fn unowned_roles(live: &LiveOrg) -> Vec<String> {
    live.unowned_roles
        .iter()
        .filter(|(_, names)| !names.is_empty())
        .map(|(account, names)| {
            let name = live
                .accounts
                .get(account)
                .map(|a| format!(" ({})", a.account.name))
                .unwrap_or_default();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            format!("account {account}{name}: {}", names.join(", "))
        })
        .collect()
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
        let kept = user_tags(&tags);
        assert_eq!(kept.keys().collect::<Vec<_>>(), ["team"]);
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
