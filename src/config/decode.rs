//! Decoding evaluated blocks into the typed [`crate::model`]: every resource instance of every
//! module instance, with its address and origin, attributes converted to their model types
//! and checked against AWS's formats (names, emails, tags, ids, policy documents) where the
//! attribute's own span is at hand. Checks that compare resources with each other are in
//! [`super::checks`].

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use hcl_edit::Span;
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Block, Structure};

use super::checks;
use super::eval::{Evaluator, Scope, Stop};
use super::schema::{Decoded, schema};
use super::source::{Item, ModuleConfig};
use super::suggest::suggest;
use crate::addr::{Address, ModulePath, ResourceKind};
use crate::api::{AwsOptions, BackendChoice};
use crate::diag::{Diagnostic, SourceSpan};
use crate::model::*;
use crate::vocab;

fn required(kind: ResourceKind) -> &'static [&'static str] {
    match kind {
        ResourceKind::OrganizationalUnit => &["name"],
        ResourceKind::Account => &["name", "email"],
        ResourceKind::Policy => &["type", "name", "content"],
        ResourceKind::DelegatedAdministrator => &["account", "service_principal"],
        ResourceKind::Role => &["account", "name"],
        _ => &[],
    }
}

pub fn decode(ev: &mut Evaluator) -> Option<Decoded> {
    let mut d = Decoder {
        ev,
        spans: HashMap::new(),
        desired: Desired {
            backend: None,
            organization: OrganizationSettings::default(),
            root: None,
            organizational_units: Vec::new(),
            accounts: Vec::new(),
            policies: Vec::new(),
            delegated_administrators: Vec::new(),
            roles: Vec::new(),
            moved: Vec::new(),
            removed: Vec::new(),
            outputs: BTreeMap::new(),
        },
    };
    d.walk_module(&ModulePath::root());
    Some(Decoded {
        desired: d.desired,
        spans: d.spans,
    })
}

struct Decoder<'e> {
    ev: &'e mut Evaluator,
    desired: Desired,
    spans: HashMap<(Address, String), SourceSpan>,
}

/// Why an attribute value is rejected: the message and what is accepted.
type Reject = (String, String);

/// A single-value format check from [`super::checks`].
type Validator = fn(&str) -> Result<(), Reject>;

impl Decoder<'_> {
    fn err(&mut self, span: Option<SourceSpan>, msg: impl Into<String>, help: impl Into<String>) {
        self.ev.report(Diagnostic::error(msg).at(span).help(help));
    }

    fn walk_module(&mut self, path: &ModulePath) {
        let Some(config) = self.ev.module_config(path) else {
            return;
        };
        for name in config.variables.keys() {
            let _ = self.ev.var_value(path, name, None);
        }
        for name in config.locals.keys() {
            let _ = self.ev.local_value(path, name, None);
        }
        if path.is_root() {
            self.decode_root_only(&config);
        }
        for ((kind, label), item) in config.resources.iter() {
            if kind.is_singleton() {
                continue;
            }
            self.check_block_schema(*kind, item);
            let Ok(instances) = self.ev.resource_instances(path, *kind, label) else {
                continue;
            };
            for inst in instances.iter() {
                let mut addr = Address::new(*kind, label.clone()).in_module(path.clone());
                addr.key = inst.key.clone();
                let each = inst.each.clone();
                self.decode_resource(&addr, item, &config, each);
            }
        }
        for (name, (item, child)) in config.modules.iter() {
            self.check_module_call(name, item, *child);
            let Ok(instances) = self.ev.module_instances(path, name) else {
                continue;
            };
            for inst in instances.iter() {
                self.walk_module(&path.child(name, inst.key.clone()));
            }
        }
        for (name, item) in config.outputs.iter() {
            for a in item.node.body.attributes() {
                if !matches!(a.key.as_str(), "value" | "description" | "sensitive") {
                    let span = self.ev.span(item.file, a.key.span());
                    self.unknown_attr(
                        span,
                        a.key.as_str(),
                        "output",
                        &["value", "description", "sensitive"],
                    );
                }
            }
            if let Ok(v) = self.ev.output_value(path, name, None)
                && path.is_root()
            {
                self.desired.outputs.insert(name.clone(), v);
            }
        }
        for (name, item) in config.variables.iter() {
            let _ = name;
            for a in item.node.body.attributes() {
                let allowed = ["type", "default", "description", "sensitive", "nullable"];
                if !allowed.contains(&a.key.as_str()) {
                    let span = self.ev.span(item.file, a.key.span());
                    self.unknown_attr(span, a.key.as_str(), "variable", &allowed);
                }
            }
        }
    }

    fn unknown_attr(
        &mut self,
        span: Option<SourceSpan>,
        name: &str,
        what: &str,
        accepted: &[&str],
    ) {
        let help = match suggest(name, accepted) {
            Some(s) => format!("did you mean `{s}`? accepted: {}", accepted.join(", ")),
            None => format!("accepted: {}", accepted.join(", ")),
        };
        self.err(
            span,
            format!("unknown attribute `{name}` in {what} block"),
            help,
        );
    }

    fn check_block_schema(&mut self, kind: ResourceKind, item: &Item<Block>) {
        let mut accepted: Vec<&str> = schema(kind).to_vec();
        if !kind.is_singleton() {
            accepted.extend(["for_each", "depends_on"]);
        }
        let blocks: &[&str] = match kind {
            ResourceKind::Role => &["lifecycle", "inline_policy"],
            ResourceKind::Organization | ResourceKind::Root => &[],
            _ => &["lifecycle"],
        };
        let what = format!("`{}`", kind.block_type());
        for s in item.node.body.iter() {
            match s {
                Structure::Attribute(a) => {
                    if !accepted.contains(&a.key.as_str()) {
                        let span = self.ev.span(item.file, a.key.span());
                        self.unknown_attr(span, a.key.as_str(), &what, &accepted);
                    }
                }
                Structure::Block(b) => {
                    let name = b.ident.as_str();
                    if !blocks.contains(&name) {
                        let span = self.ev.span(item.file, b.ident.span());
                        let help = match (suggest(name, blocks), blocks.is_empty()) {
                            (Some(s), _) => format!("did you mean `{s}`?"),
                            (None, true) => format!("{what} takes no nested blocks"),
                            (None, false) => format!("accepted blocks: {}", blocks.join(", ")),
                        };
                        self.err(
                            span,
                            format!("unknown block `{name}` in {what} block"),
                            help,
                        );
                    }
                }
            }
        }
        for req in required(kind) {
            if item.node.body.get_attribute(req).is_none() {
                let span = self.ev.span(item.file, item.node.ident.span());
                self.err(
                    span,
                    format!("{what} block is missing the required attribute `{req}`"),
                    format!("required: {}", required(kind).join(", ")),
                );
            }
        }
    }

    fn check_module_call(&mut self, name: &str, item: &Item<Block>, child: Option<usize>) {
        let Some(child) = child else { return };
        let cfg = self.ev.tree.modules[child].clone();
        let mut accepted: Vec<&str> = vec!["source", "for_each", "depends_on"];
        accepted.extend(cfg.variables.keys().map(String::as_str));
        for s in item.node.body.iter() {
            match s {
                Structure::Attribute(a) => {
                    if !accepted.contains(&a.key.as_str()) {
                        let span = self.ev.span(item.file, a.key.span());
                        let help = match suggest(a.key.as_str(), &accepted) {
                            Some(s) => format!(
                                "did you mean `{s}`? the module's inputs are its variables: {}",
                                accepted[3..].join(", ")
                            ),
                            None => format!(
                                "the module's inputs are its variables: {}",
                                accepted[3..].join(", ")
                            ),
                        };
                        self.err(
                            span,
                            format!("module `{name}` has no input `{}`", a.key.as_str()),
                            help,
                        );
                    }
                }
                Structure::Block(b) => {
                    let span = self.ev.span(item.file, b.ident.span());
                    self.err(span, format!("unknown block `{}` in module block", b.ident.as_str()), "a module block takes source, for_each, depends_on and the module's variables as attributes");
                }
            }
        }
    }

    /// Reads one attribute of a resource instance; records its span.
    fn get(
        &mut self,
        addr: &Address,
        item: &Item<Block>,
        name: &str,
    ) -> Option<(Value, Option<SourceSpan>)> {
        let attr = item.node.body.get_attribute(name)?;
        let span = self.ev.span(item.file, attr.value.span());
        if let Some(s) = &span {
            self.spans
                .insert((addr.clone(), name.to_string()), s.clone());
        }
        match self.ev.resource_attr(addr, name, span.clone()) {
            Ok(v) => Some((v, span)),
            Err(Stop) => None,
        }
    }

    fn known_string(&mut self, v: Value, span: Option<SourceSpan>, name: &str) -> Option<String> {
        match v {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(crate::model::value::format_number(n)),
            Value::Bool(b) => Some(b.to_string()),
            Value::Unknown(_) => {
                self.err(span, format!("`{name}` must be known at plan time, but depends on {v}"), "build it from literals, variables and locals, not from ids of resources still to be created");
                None
            }
            other => {
                self.err(
                    span,
                    format!(
                        "wrong type for `{name}`: expected string, got {}",
                        other.type_name()
                    ),
                    "write a string, e.g. \"example\"",
                );
                None
            }
        }
    }

    fn string(
        &mut self,
        addr: &Address,
        item: &Item<Block>,
        name: &str,
        check: Option<Validator>,
    ) -> Option<String> {
        let (v, span) = self.get(addr, item, name)?;
        if v == Value::Null {
            return None;
        }
        let s = self.known_string(v, span.clone(), name)?;
        if let Some(check) = check
            && let Err((msg, help)) = check(&s)
        {
            self.err(span, msg, help);
            return None;
        }
        Some(s)
    }

    fn string_list(
        &mut self,
        addr: &Address,
        item: &Item<Block>,
        name: &str,
        check: Option<Validator>,
    ) -> Option<Vec<String>> {
        let (v, span) = self.get(addr, item, name)?;
        match v {
            Value::Null => None,
            Value::List(items) => {
                let mut out = Vec::new();
                for item in items {
                    let s = self.known_string(item, span.clone(), name)?;
                    if let Some(check) = check
                        && let Err((msg, help)) = check(&s)
                    {
                        self.err(span.clone(), msg, help);
                        continue;
                    }
                    out.push(s);
                }
                Some(out)
            }
            other => {
                self.err(
                    span,
                    format!(
                        "wrong type for `{name}`: expected a list of strings, got {}",
                        other.type_name()
                    ),
                    "write a list, e.g. [\"a\", \"b\"]",
                );
                None
            }
        }
    }

    fn tags(&mut self, addr: &Address, item: &Item<Block>) -> Option<BTreeMap<String, String>> {
        let (v, span) = self.get(addr, item, "tags")?;
        let map = match v {
            Value::Null => return None,
            Value::Map(m) => m,
            other => {
                self.err(
                    span,
                    format!(
                        "wrong type for `tags`: expected a map of strings, got {}",
                        other.type_name()
                    ),
                    "write tags = { key = \"value\" }",
                );
                return None;
            }
        };
        let mut out = BTreeMap::new();
        for (k, v) in map {
            let v = self.known_string(v, span.clone(), "tags")?;
            out.insert(k, v);
        }
        if let Err((msg, help)) = checks::check_tags(&out) {
            self.err(span, msg, help);
        }
        Some(out)
    }

    /// `organization { quotas = { NAME = N } }`: the quotas AWS raised for the organization.
    fn quotas(&mut self, addr: &Address, item: &Item<Block>) -> vocab::quotas::Quotas {
        let Some((v, span)) = self.get(addr, item, "quotas") else {
            return Default::default();
        };
        let map = match v {
            Value::Null => return Default::default(),
            Value::Map(m) => m,
            other => {
                self.err(
                    span,
                    format!(
                        "wrong type for `quotas`: expected a map of whole numbers, got {}",
                        other.type_name()
                    ),
                    "write quotas = { scp_per_target = 15 }",
                );
                return Default::default();
            }
        };
        let mut raised = BTreeMap::new();
        for (name, v) in map {
            match v {
                Value::Number(n) if n >= 1.0 && n.fract() == 0.0 && n <= u32::MAX as f64 => {
                    raised.insert(name, n as u64);
                }
                other => self.err(
                    span.clone(),
                    format!("quota `{name}` is {other}, not a whole number of at least 1"),
                    "write the figure AWS raised the quota to, e.g. scp_per_target = 15",
                ),
            }
        }
        match vocab::quotas::Quotas::new(raised) {
            Ok(q) => q,
            Err(name) => {
                self.err(
                    span,
                    format!("unknown quota `{name}`"),
                    format!("accepted quotas: {}", vocab::quotas::names()),
                );
                Default::default()
            }
        }
    }

    fn parent(&mut self, addr: &Address, item: &Item<Block>) -> ParentRef {
        let Some((v, span)) = self.get(addr, item, "parent") else {
            return ParentRef::Root;
        };
        let bad = |d: &mut Self, got: &str| {
            d.err(span.clone(), format!("invalid `parent`: {got}"), "accepted: root, organizational_unit.NAME, or an id string (\"r-...\" or \"ou-...\")");
            ParentRef::Root
        };
        match &v {
            Value::Null => ParentRef::Root,
            Value::Ref(r) => match &r.target {
                RefTarget::Resource(a) if a.kind == ResourceKind::Root => ParentRef::Root,
                RefTarget::Resource(a) if a.kind == ResourceKind::OrganizationalUnit => {
                    ParentRef::OrganizationalUnit(a.clone())
                }
                other => bad(
                    self,
                    &format!("{other} is not a root or an organizational unit"),
                ),
            },
            Value::Unknown(d) => match &**d {
                Deferred::Attr {
                    target: RefTarget::Resource(a),
                    attribute,
                } if attribute == "id" && a.kind == ResourceKind::OrganizationalUnit => {
                    ParentRef::OrganizationalUnit(a.clone())
                }
                Deferred::Attr {
                    target: RefTarget::Resource(a),
                    attribute,
                } if attribute == "id" && a.kind == ResourceKind::Root => ParentRef::Root,
                _ => bad(
                    self,
                    "the value is only known after apply and is not an OU's id",
                ),
            },
            Value::String(s) => {
                if checks::is_root_id(s) || checks::is_ou_id(s) {
                    ParentRef::Id(s.clone())
                } else {
                    bad(self, &format!("{s:?} is not a root or OU id"))
                }
            }
            other => bad(self, &format!("got a {}", other.type_name())),
        }
    }

    fn policy_ref(&mut self, v: &Value, span: &Option<SourceSpan>) -> Option<PolicyRef> {
        let r = match v {
            Value::Ref(r) => match &r.target {
                RefTarget::Resource(a) if a.kind == ResourceKind::Policy => {
                    Some(PolicyRef::Policy(a.clone()))
                }
                RefTarget::AwsPolicy(n) => Some(PolicyRef::AwsManaged(n.clone())),
                _ => None,
            },
            Value::Unknown(d) => match &**d {
                Deferred::Attr {
                    target: RefTarget::Resource(a),
                    attribute,
                } if attribute == "id" && a.kind == ResourceKind::Policy => {
                    Some(PolicyRef::Policy(a.clone()))
                }
                Deferred::Attr {
                    target: RefTarget::AwsPolicy(n),
                    ..
                } => Some(PolicyRef::AwsManaged(n.clone())),
                _ => None,
            },
            Value::String(s) if checks::is_policy_id(s) => Some(PolicyRef::Id(s.clone())),
            _ => None,
        };
        if r.is_none() {
            self.err(span.clone(), format!("invalid entry in `policies`: {v}"), "accepted: policy.NAME, aws_policy.NAME (e.g. aws_policy.FullAWSAccess), or a policy id \"p-...\"");
        }
        r
    }

    fn policies(&mut self, addr: &Address, item: &Item<Block>) -> Option<Vec<PolicyRef>> {
        let (v, span) = self.get(addr, item, "policies")?;
        match v {
            Value::Null => None,
            Value::List(items) => {
                let mut out = Vec::new();
                for v in &items {
                    if let Some(r) = self.policy_ref(v, &span)
                        && !out.contains(&r)
                    {
                        out.push(r);
                    }
                }
                Some(out)
            }
            other => {
                self.err(
                    span,
                    format!(
                        "wrong type for `policies`: expected a list, got {}",
                        other.type_name()
                    ),
                    "write policies = [aws_policy.FullAWSAccess, policy.NAME]",
                );
                None
            }
        }
    }

    fn account_ref(&mut self, addr: &Address, item: &Item<Block>) -> Option<AccountRef> {
        let (v, span) = self.get(addr, item, "account")?;
        let r = match &v {
            Value::Ref(r) => match &r.target {
                RefTarget::Resource(a) if a.kind == ResourceKind::Account => {
                    Some(AccountRef::Account(a.clone()))
                }
                RefTarget::Management => Some(AccountRef::Management),
                _ => None,
            },
            Value::Unknown(d) => match &**d {
                Deferred::Attr {
                    target: RefTarget::Resource(a),
                    attribute,
                } if attribute == "id" && a.kind == ResourceKind::Account => {
                    Some(AccountRef::Account(a.clone()))
                }
                Deferred::Attr {
                    target: RefTarget::Management,
                    attribute,
                } if attribute == "id" => Some(AccountRef::Management),
                _ => None,
            },
            Value::String(s) if checks::is_account_id(s) => Some(AccountRef::Id(s.clone())),
            _ => None,
        };
        if r.is_none() {
            self.err(
                span,
                format!("invalid `account`: {v}"),
                "accepted: account.NAME, management, or a 12-digit account id",
            );
        }
        r
    }

    fn common(
        &mut self,
        addr: &Address,
        item: &Item<Block>,
        config: &Arc<ModuleConfig>,
        id_check: fn(&str) -> Result<(), Reject>,
    ) -> Common {
        let origin = self
            .ev
            .span(item.file, item.node.ident.span())
            .unwrap_or_else(|| SourceSpan {
                file: String::new(),
                line: 0,
                column: 0,
                start: 0,
                end: 0,
            });
        let pinned_id = self.string(addr, item, "id", Some(id_check));
        let lifecycle = self.lifecycle(addr.kind, item, config);
        let depends_on = self.depends_on(addr, item, config);
        Common {
            address: addr.clone(),
            origin,
            pinned_id,
            lifecycle,
            depends_on,
        }
    }

    fn lifecycle(
        &mut self,
        kind: ResourceKind,
        item: &Item<Block>,
        _config: &Arc<ModuleConfig>,
    ) -> Lifecycle {
        let mut out = Lifecycle::default();
        for b in item.node.body.get_blocks("lifecycle") {
            for a in b.body.attributes() {
                let span = self.ev.span(item.file, a.value.span());
                match a.key.as_str() {
                    "prevent_destroy" => match a.value.as_bool() {
                        Some(v) => out.prevent_destroy = v,
                        None => self.err(
                            span,
                            "`prevent_destroy` must be true or false",
                            "write prevent_destroy = true",
                        ),
                    },
                    "ignore_changes" => {
                        let Some(arr) = a.value.as_array() else {
                            self.err(
                                span,
                                "`ignore_changes` must be a list of attribute names",
                                "write ignore_changes = [tags, name]",
                            );
                            continue;
                        };
                        for e in arr.iter() {
                            let name = match e {
                                Expression::Variable(v) => Some(v.as_str().to_string()),
                                Expression::String(s) => Some(s.as_str().to_string()),
                                _ => None,
                            };
                            let espan = self.ev.span(item.file, e.span());
                            match name {
                                Some(n) if schema(kind).contains(&n.as_str()) && n != "id" => {
                                    out.ignore_changes.push(n)
                                }
                                Some(n) => self.unknown_attr(
                                    espan,
                                    &n,
                                    &format!("`{}` (ignore_changes)", kind.block_type()),
                                    schema(kind),
                                ),
                                None => self.err(
                                    espan,
                                    "`ignore_changes` entries must be attribute names",
                                    "write ignore_changes = [tags, name]",
                                ),
                            }
                        }
                    }
                    other => {
                        let span = self.ev.span(item.file, a.key.span());
                        self.unknown_attr(
                            span,
                            other,
                            "lifecycle",
                            &["prevent_destroy", "ignore_changes"],
                        );
                    }
                }
            }
        }
        out
    }

    fn depends_on(
        &mut self,
        addr: &Address,
        item: &Item<Block>,
        config: &Arc<ModuleConfig>,
    ) -> Vec<Address> {
        let Some(attr) = item.node.body.get_attribute("depends_on") else {
            return Vec::new();
        };
        let span = self.ev.span(item.file, attr.value.span());
        let Some(arr) = attr.value.as_array() else {
            self.err(
                span,
                "`depends_on` must be a list of resource references",
                "write depends_on = [account.log_archive]",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for e in arr.iter() {
            let espan = self.ev.span(item.file, e.span());
            match address_of(e, &addr.module) {
                Ok(a) if config.resources.contains_key(&(a.kind, a.name.clone())) => out.push(a),
                Ok(a) => self.err(
                    espan,
                    format!("`depends_on` refers to undeclared {a}"),
                    "list resources declared in the same module",
                ),
                Err(msg) => self.err(
                    espan,
                    format!("invalid `depends_on` entry: {msg}"),
                    "write depends_on = [account.log_archive]",
                ),
            }
        }
        out
    }

    fn decode_resource(
        &mut self,
        addr: &Address,
        item: &Item<Block>,
        config: &Arc<ModuleConfig>,
        each: Option<super::eval::Each>,
    ) {
        match addr.kind {
            ResourceKind::OrganizationalUnit => {
                let common = self.common(addr, item, config, checks::check_ou_id);
                let name = self.string(addr, item, "name", Some(checks::check_ou_name));
                let parent = self.parent(addr, item);
                let policies = self.policies(addr, item);
                let tags = self.tags(addr, item).unwrap_or_default();
                if let Some(name) = name {
                    self.desired.organizational_units.push(OrganizationalUnit {
                        common,
                        name,
                        parent,
                        policies,
                        tags,
                    });
                }
            }
            ResourceKind::Account => {
                let common = self.common(addr, item, config, checks::check_account_id);
                let name = self.string(addr, item, "name", Some(checks::check_account_name));
                let email = self.string(addr, item, "email", Some(checks::check_email));
                let parent = self.parent(addr, item);
                let policies = self.policies(addr, item);
                let tags = self.tags(addr, item).unwrap_or_default();
                let role_name = self.string(addr, item, "role_name", Some(checks::check_role_name));
                let billing = self.string(
                    addr,
                    item,
                    "iam_user_access_to_billing",
                    Some(checks::check_billing),
                );
                if let (Some(name), Some(email)) = (name, email) {
                    self.desired.accounts.push(Account {
                        common,
                        name,
                        email,
                        parent,
                        policies,
                        tags,
                        role_name,
                        iam_user_access_to_billing: billing,
                    });
                }
            }
            ResourceKind::Policy => {
                let common = self.common(addr, item, config, checks::check_policy_id);
                let policy_type = self.string(addr, item, "type", Some(checks::check_policy_type));
                let name = self.string(addr, item, "name", Some(checks::check_policy_name));
                let description = self
                    .string(
                        addr,
                        item,
                        "description",
                        Some(checks::check_policy_description),
                    )
                    .unwrap_or_default();
                let tags = self.tags(addr, item).unwrap_or_default();
                let content = self.get(addr, item, "content");
                let content = match content {
                    Some((v @ Value::Unknown(_), _)) => Some(v),
                    Some((Value::String(s), span)) => {
                        if let Some(t) = &policy_type
                            && let Err((msg, help)) = checks::check_policy_content(
                                &s,
                                t,
                                &self.desired.organization.quotas,
                            )
                        {
                            self.err(span, msg, help);
                        }
                        Some(Value::String(s))
                    }
                    Some((other, span)) => {
                        self.err(
                            span,
                            format!(
                                "wrong type for `content`: expected a JSON string, got {}",
                                other.type_name()
                            ),
                            "write content = file(\"policy.json\") or jsonencode({ ... })",
                        );
                        None
                    }
                    None => None,
                };
                if let (Some(policy_type), Some(name), Some(content)) = (policy_type, name, content)
                {
                    self.desired.policies.push(Policy {
                        common,
                        policy_type,
                        name,
                        description,
                        content,
                        tags,
                    });
                }
            }
            ResourceKind::DelegatedAdministrator => {
                let common = self.common(addr, item, config, |_| Ok(()));
                let account = self.account_ref(addr, item);
                let sp = self.string(
                    addr,
                    item,
                    "service_principal",
                    Some(checks::check_service_principal),
                );
                if let (Some(account), Some(service_principal)) = (account, sp) {
                    self.desired
                        .delegated_administrators
                        .push(DelegatedAdministrator {
                            common,
                            account,
                            service_principal,
                        });
                }
            }
            ResourceKind::Role => self.decode_role(addr, item, config, each),
            ResourceKind::Organization | ResourceKind::Root => {}
        }
    }

    fn decode_role(
        &mut self,
        addr: &Address,
        item: &Item<Block>,
        config: &Arc<ModuleConfig>,
        each: Option<super::eval::Each>,
    ) {
        let common = self.common(addr, item, config, checks::check_role_id);
        let account = self.account_ref(addr, item);
        let name = self.string(addr, item, "name", Some(checks::check_role_name));
        let path = self
            .string(addr, item, "path", Some(checks::check_role_path))
            .unwrap_or_else(|| "/".into());
        let description = self.string(
            addr,
            item,
            "description",
            Some(checks::check_role_description),
        );
        let managed = self
            .string_list(addr, item, "managed_policy_arns", Some(checks::check_arn))
            .unwrap_or_default();
        let boundary = self.string(addr, item, "permissions_boundary", Some(checks::check_arn));
        let tags = self.tags(addr, item).unwrap_or_default();
        let max_session_duration = match self.get(addr, item, "max_session_duration") {
            Some((Value::Number(n), span)) => {
                if !(3600.0..=43200.0).contains(&n) || n.fract() != 0.0 {
                    self.err(span, format!("`max_session_duration` {n} is out of range"), "accepted: a whole number of seconds from 3600 (1 hour) to 43200 (12 hours)");
                    None
                } else {
                    Some(n as u32)
                }
            }
            Some((Value::Null, _)) | None => None,
            Some((other, span)) => {
                self.err(
                    span,
                    format!(
                        "wrong type for `max_session_duration`: expected number, got {}",
                        other.type_name()
                    ),
                    "write max_session_duration = 3600",
                );
                None
            }
        };
        let trusted = self.get(addr, item, "trusted_accounts");
        let document = self.get(addr, item, "assume_role_policy");
        let block_span = self.ev.span(item.file, item.node.ident.span());
        let trust = match (trusted, document) {
            (Some(_), Some((_, span))) => {
                self.err(
                    span,
                    "a role takes `trusted_accounts` or `assume_role_policy`, not both",
                    "keep one of them",
                );
                None
            }
            (Some((v, span)), None) => self.trusted_accounts(v, span),
            (None, Some((v, span))) => {
                match v {
                    Value::String(s) => {
                        if let Err((msg, help)) =
                            checks::check_json_document(&s, "assume_role_policy")
                        {
                            self.err(span, msg, help);
                        }
                        Some(TrustPolicy::Document(Value::String(s)))
                    }
                    v @ Value::Unknown(_) => Some(TrustPolicy::Document(v)),
                    other => {
                        self.err(span, format!("wrong type for `assume_role_policy`: expected a JSON string, got {}", other.type_name()), "write assume_role_policy = jsonencode({ ... })");
                        None
                    }
                }
            }
            (None, None) => {
                if item.node.body.get_attribute("trusted_accounts").is_none()
                    && item.node.body.get_attribute("assume_role_policy").is_none()
                {
                    self.err(block_span, "role has no trust policy", "set `trusted_accounts = [account.x.id]` or `assume_role_policy = jsonencode({...})`");
                }
                None
            }
        };
        let mut inline = BTreeMap::new();
        for b in item.node.body.get_blocks("inline_policy") {
            let bspan = self.ev.span(item.file, b.ident.span());
            let Some(label) = b
                .labels
                .first()
                .map(|l| l.as_str().to_string())
                .filter(|_| b.labels.len() == 1)
            else {
                self.err(
                    bspan,
                    "`inline_policy` block needs exactly one label, the policy name",
                    "write inline_policy \"deny_writes\" { policy = file(\"deny.json\") }",
                );
                continue;
            };
            for a in b.body.attributes() {
                if a.key.as_str() != "policy" {
                    let span = self.ev.span(item.file, a.key.span());
                    self.unknown_attr(span, a.key.as_str(), "inline_policy", &["policy"]);
                }
            }
            let Some(attr) = b.body.get_attribute("policy") else {
                self.err(
                    bspan,
                    format!("inline_policy `{label}` has no `policy`"),
                    "write policy = file(\"policy.json\") or jsonencode({ ... })",
                );
                continue;
            };
            let span = self.ev.span(item.file, attr.value.span());
            let Some(scope) = self.ev.scope(&addr.module, item.file, each.clone()) else {
                continue;
            };
            let scope: Scope = scope;
            match self.ev.eval(&attr.value, &scope) {
                Ok(Value::String(s)) => {
                    if let Err((msg, help)) = checks::check_json_document(&s, "inline policy") {
                        self.err(span, msg, help);
                    }
                    inline.insert(label, Value::String(s));
                }
                Ok(v @ Value::Unknown(_)) => {
                    inline.insert(label, v);
                }
                Ok(other) => self.err(
                    span,
                    format!(
                        "wrong type for `policy`: expected a JSON string, got {}",
                        other.type_name()
                    ),
                    "write policy = file(\"policy.json\") or jsonencode({ ... })",
                ),
                Err(Stop) => {}
            }
        }
        if let (Some(account), Some(name), Some(trust)) = (account, name, trust) {
            self.desired.roles.push(Role {
                common,
                account,
                name,
                path,
                description,
                trust,
                managed_policy_arns: managed,
                inline_policies: inline,
                max_session_duration,
                permissions_boundary: boundary,
                tags,
            });
        }
    }

    /// `trusted_accounts` → a trust policy letting each account's root assume the role.
    fn trusted_accounts(&mut self, v: Value, span: Option<SourceSpan>) -> Option<TrustPolicy> {
        let Value::List(items) = v else {
            self.err(
                span,
                format!(
                    "wrong type for `trusted_accounts`: expected a list, got {}",
                    v.type_name()
                ),
                "write trusted_accounts = [account.audit.id, \"123456789012\"]",
            );
            return None;
        };
        let mut accounts = Vec::new();
        for item in items {
            let id = match item {
                Value::Ref(r) => r.attrs.get("id").cloned().unwrap_or(Value::Null),
                other => other,
            };
            match &id {
                Value::String(s) if checks::is_account_id(s) => {}
                Value::Unknown(_) => {}
                other => {
                    self.err(
                        span.clone(),
                        format!("invalid entry in `trusted_accounts`: {other}"),
                        "accepted: 12-digit account ids, e.g. account.audit.id or \"123456789012\"",
                    );
                    return None;
                }
            }
            accounts.push(id);
        }
        let (before, after) = vocab::arn::account_root_around("aws");
        let principals: Vec<Value> = accounts
            .iter()
            .map(|id| {
                defer(
                    "(template)",
                    vec![
                        Value::string(before.clone()),
                        id.clone(),
                        Value::string(after),
                    ],
                )
            })
            .collect();
        let mut principal = BTreeMap::new();
        principal.insert("AWS".to_string(), Value::List(principals));
        let mut statement = BTreeMap::new();
        statement.insert("Effect".to_string(), Value::string("Allow"));
        statement.insert("Principal".to_string(), Value::Map(principal));
        statement.insert("Action".to_string(), Value::string("sts:AssumeRole"));
        let mut doc = BTreeMap::new();
        doc.insert("Version".to_string(), Value::string("2012-10-17"));
        doc.insert(
            "Statement".to_string(),
            Value::List(vec![Value::Map(statement)]),
        );
        let document = defer("jsonencode", vec![Value::Map(doc)]);
        Some(TrustPolicy::TrustedAccounts { accounts, document })
    }

    fn decode_root_only(&mut self, config: &Arc<ModuleConfig>) {
        // backend
        for (i, item) in config.backends.iter().enumerate() {
            let span = self.ev.span(item.file, item.node.ident.span());
            if i > 0 {
                self.err(
                    span,
                    "more than one `backend` block",
                    "keep one backend block",
                );
                continue;
            }
            self.decode_backend(item, config);
        }
        // organization
        let org_addr = Address::organization();
        if let Some(item) = config
            .resources
            .get(&(ResourceKind::Organization, String::new()))
        {
            self.check_block_schema(ResourceKind::Organization, item);
            let mut s = OrganizationSettings {
                declared: true,
                origin: self.ev.span(item.file, item.node.ident.span()),
                ..Default::default()
            };
            s.feature_set = self.string(
                &org_addr,
                item,
                "feature_set",
                Some(checks::check_feature_set),
            );
            s.enabled_policy_types = self.string_list(
                &org_addr,
                item,
                "enabled_policy_types",
                Some(checks::check_policy_type),
            );
            s.service_access_principals = self.string_list(
                &org_addr,
                item,
                "service_access_principals",
                Some(checks::check_service_principal),
            );
            s.management_account_id = self.string(
                &org_addr,
                item,
                "management_account_id",
                Some(checks::check_account_id),
            );
            if let Some(r) = self.string(
                &org_addr,
                item,
                "member_access_role",
                Some(checks::check_role_name),
            ) {
                s.member_access_role = r;
            }
            if let Some(r) = self.string(
                &org_addr,
                item,
                "account_removal",
                Some(checks::check_account_removal),
            ) {
                s.account_removal = match r.as_str() {
                    "remove" => AccountRemoval::Remove,
                    "close" => AccountRemoval::Close,
                    _ => AccountRemoval::Ignore,
                };
            }
            s.quotas = self.quotas(&org_addr, item);
            s.scope = self.string(&org_addr, item, "scope", Some(checks::check_scope));
            let _ = self.string(&org_addr, item, "id", Some(checks::check_org_id));
            self.desired.organization = s;
        }
        // root
        let root_addr = Address::root();
        if let Some(item) = config.resources.get(&(ResourceKind::Root, String::new())) {
            self.check_block_schema(ResourceKind::Root, item);
            let origin = self
                .ev
                .span(item.file, item.node.ident.span())
                .unwrap_or_else(|| SourceSpan {
                    file: String::new(),
                    line: 0,
                    column: 0,
                    start: 0,
                    end: 0,
                });
            let pinned_id = self.string(&root_addr, item, "id", Some(checks::check_root_id));
            let policies = self.policies(&root_addr, item);
            let tags = self.tags(&root_addr, item);
            self.desired.root = Some(RootConfig {
                origin,
                pinned_id,
                policies,
                tags,
            });
        }
        // moved
        for item in &config.moved {
            let span = self.ev.span(item.file, item.node.ident.span());
            let mut from = None;
            let mut to = None;
            for a in item.node.body.attributes() {
                let aspan = self.ev.span(item.file, a.value.span());
                let key = a.key.as_str();
                if key != "from" && key != "to" {
                    let kspan = self.ev.span(item.file, a.key.span());
                    self.unknown_attr(kspan, key, "moved", &["from", "to"]);
                    continue;
                }
                match address_of(&a.value, &ModulePath::root()) {
                    Ok(addr) => {
                        if key == "from" { from = Some(addr) } else { to = Some(addr) }
                    }
                    Err(msg) => self.err(aspan, format!("invalid `{key}` address: {msg}"), "write an address such as organizational_unit.old or module.sandbox.organizational_unit.main"),
                }
            }
            match (from, to, span) {
                (Some(from), Some(to), Some(origin)) => {
                    if from.kind != to.kind {
                        self.err(
                            Some(origin),
                            format!("`moved` from {from} to {to} changes the resource type"),
                            "a moved block can only rename or re-home a resource of the same type",
                        );
                    } else {
                        self.desired.moved.push(Moved { origin, from, to });
                    }
                }
                (f, t, span) => {
                    if f.is_none() && item.node.body.get_attribute("from").is_none()
                        || t.is_none() && item.node.body.get_attribute("to").is_none()
                    {
                        self.err(
                            span,
                            "`moved` needs both `from` and `to`",
                            "write moved { from = account.old  to = account.new }",
                        );
                    }
                }
            }
        }
        for item in &config.removed {
            self.decode_removed(item);
        }
    }

    /// `removed { from = ADDRESS  lifecycle { destroy = BOOL } }`: `lifecycle` is required, as
    /// in Terraform, so the block always says whether the resource is destroyed.
    fn decode_removed(&mut self, item: &Item<Block>) {
        const EXAMPLE: &str = "write removed { from = account.old  lifecycle { destroy = false } }";
        let span = self.ev.span(item.file, item.node.ident.span());
        let mut from = None;
        let mut destroy = None;
        let mut lifecycle_seen = false;
        for s in item.node.body.iter() {
            match s {
                Structure::Attribute(a) if a.key.as_str() == "from" => {
                    let aspan = self.ev.span(item.file, a.value.span());
                    match address_of(&a.value, &ModulePath::root()) {
                        Ok(addr) if REMOVABLE.contains(&addr.kind) => from = Some(addr),
                        Ok(addr) => self.err(
                            aspan,
                            format!("`removed` cannot name {addr}: orgchard keeps no ownership tag on a {}", addr.kind.block_type()),
                            "accepted: an organizational_unit, account, policy or role address",
                        ),
                        Err(msg) => self.err(
                            aspan,
                            format!("invalid `from` address: {msg}"),
                            "write an address such as account.old or module.security.role.auditor",
                        ),
                    }
                }
                Structure::Attribute(a) => {
                    let kspan = self.ev.span(item.file, a.key.span());
                    self.unknown_attr(kspan, a.key.as_str(), "removed", &["from", "lifecycle"]);
                }
                Structure::Block(b) if b.ident.as_str() == "lifecycle" => {
                    lifecycle_seen = true;
                    for a in b.body.attributes() {
                        let aspan = self.ev.span(item.file, a.value.span());
                        if a.key.as_str() != "destroy" {
                            let kspan = self.ev.span(item.file, a.key.span());
                            self.unknown_attr(
                                kspan,
                                a.key.as_str(),
                                "removed's lifecycle",
                                &["destroy"],
                            );
                            continue;
                        }
                        match a.value.as_bool() {
                            Some(v) => destroy = Some(v),
                            None => self.err(
                                aspan,
                                "`destroy` must be true or false",
                                "write destroy = false to forget the resource and leave it in place",
                            ),
                        }
                    }
                }
                Structure::Block(b) => {
                    let bspan = self.ev.span(item.file, b.ident.span());
                    self.err(
                        bspan,
                        format!("unexpected block `{}` in `removed`", b.ident.as_str()),
                        "a `removed` block holds `from` and a `lifecycle { destroy = ... }` block",
                    );
                }
            }
        }
        if item.node.body.get_attribute("from").is_none() {
            self.err(span.clone(), "`removed` needs `from`", EXAMPLE);
        }
        if destroy.is_none() && (!lifecycle_seen || !has_destroy(&item.node)) {
            self.err(
                span.clone(),
                "`removed` needs `lifecycle { destroy = true | false }`",
                EXAMPLE,
            );
        }
        if let (Some(from), Some(destroy), Some(origin)) = (from, destroy, span) {
            self.desired.removed.push(Removed {
                origin,
                from,
                destroy,
            });
        }
    }

    fn decode_backend(&mut self, item: &Item<Block>, config: &Arc<ModuleConfig>) {
        let label = item
            .node
            .labels
            .first()
            .map(|l| l.as_str().to_string())
            .unwrap_or_default();
        let span = self
            .ev
            .span(item.file, item.node.labels.first().and_then(|l| l.span()));
        let accepted: &[&str] = match label.as_str() {
            "emulator" => &["path"],
            "aws" => &["profile", "region", "endpoint_url", "role_arn"],
            other => {
                let help = match suggest(other, &["emulator", "aws"]) {
                    Some(s) => format!("did you mean \"{s}\"? accepted: \"emulator\", \"aws\""),
                    None => "accepted: \"emulator\", \"aws\"".to_string(),
                };
                self.err(span, format!("unknown backend {other:?}"), help);
                return;
            }
        };
        let scope = Scope {
            module: ModulePath::root(),
            config: config.clone(),
            file: item.file,
            each: None,
            locals: Vec::new(),
        };
        let mut values: BTreeMap<String, String> = BTreeMap::new();
        for a in item.node.body.attributes() {
            let key = a.key.as_str();
            if !accepted.contains(&key) {
                let kspan = self.ev.span(item.file, a.key.span());
                self.unknown_attr(kspan, key, &format!("backend \"{label}\""), accepted);
                continue;
            }
            let vspan = self.ev.span(item.file, a.value.span());
            if let Ok(v) = self.ev.eval(&a.value, &scope)
                && let Some(s) = self.known_string(v, vspan, key)
            {
                values.insert(key.to_string(), s);
            }
        }
        self.desired.backend = Some(if label == "emulator" {
            let Some(path) = values.remove("path") else {
                let bspan = self.ev.span(item.file, item.node.ident.span());
                self.err(
                    bspan,
                    "backend \"emulator\" needs `path`",
                    "write path = \".orgchard/emulator.json\"",
                );
                return;
            };
            BackendChoice::Emulator { path: path.into() }
        } else {
            BackendChoice::Aws(AwsOptions {
                profile: values.remove("profile"),
                region: values.remove("region"),
                endpoint_url: values.remove("endpoint_url"),
                role_arn: values.remove("role_arn"),
            })
        });
    }
}

/// Calls a pure function, deferring it when an input is unknown.
/// What a `removed` block may name: the kinds that carry orgchard's ownership tag.
const REMOVABLE: &[ResourceKind] = &[
    ResourceKind::OrganizationalUnit,
    ResourceKind::Account,
    ResourceKind::Policy,
    ResourceKind::Role,
];

/// Whether a `removed` block's `lifecycle` sets `destroy` at all (a wrong value is reported
/// where it is; a missing one once for the block).
fn has_destroy(block: &Block) -> bool {
    block
        .body
        .get_blocks("lifecycle")
        .any(|b| b.body.get_attribute("destroy").is_some())
}

fn defer(name: &str, args: Vec<Value>) -> Value {
    match crate::model::functions::call_pure(name, args.clone()) {
        Ok(v) => v,
        Err(_) => Value::deferred_call(name, args),
    }
}

/// Reads a static address expression (`organizational_unit.x`, `module.m.account.y["k"]`)
/// relative to a module.
pub fn address_of(expr: &Expression, module: &ModulePath) -> Result<Address, String> {
    let mut text = String::new();
    match expr {
        Expression::Variable(v) => text.push_str(v.as_str()),
        Expression::Traversal(t) => {
            let Expression::Variable(v) = &t.expr else {
                return Err("expected a resource address".into());
            };
            text.push_str(v.as_str());
            for op in t.operators.iter() {
                match &**op {
                    TraversalOperator::GetAttr(n) => {
                        text.push('.');
                        text.push_str(n.as_str());
                    }
                    TraversalOperator::Index(Expression::String(s)) => {
                        text.push_str(
                            &crate::addr::InstanceKey(s.as_str().to_string()).to_string(),
                        );
                    }
                    _ => {
                        return Err(
                            "only `.name` and `[\"key\"]` may follow a resource type".into()
                        );
                    }
                }
            }
        }
        _ => return Err("expected a resource address such as account.log_archive".into()),
    }
    let addr: Address = text
        .parse()
        .map_err(|e: crate::addr::AddressError| e.reason)?;
    let mut steps = module.0.clone();
    steps.extend(addr.module.0);
    Ok(Address {
        module: ModulePath(steps),
        ..addr
    })
}
