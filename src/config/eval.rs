//! The expression evaluator: our own walk over `hcl-edit`'s expression tree, so that every
//! error points at the expression that caused it and values only known after apply stay
//! explicit unknowns ([`Value::Unknown`]).
//!
//! Evaluation is lazy and memoized per *node*: a variable, a local, one attribute of one
//! resource instance, a `for_each`, a module output. Asking for a node that is already being
//! evaluated is a reference cycle, reported with the chain of nodes
//! (`local.a -> local.b -> local.a`). Because resource attributes are separate nodes,
//! `account.x.email` depends only on that attribute, not on the whole block; a bare reference
//! (`parent = organizational_unit.security`) evaluates the block's attributes into a
//! [`RefValue`] that still names its address.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use hcl_edit::Span;
use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::structure::Block;
use hcl_edit::template::{Directive, Element, Template};

use super::source::{Item, ModuleConfig, SourceFile, Tree};
use super::suggest::suggest;
use super::vars::{self, TypeSpec, VarInputs};
use crate::addr::{Address, InstanceKey, ModulePath, ResourceKind};
use crate::diag::{Diagnostic, Diagnostics, LineIndex, SourceSpan};
use crate::model::functions::{self, FnError};
use crate::model::{RefTarget, RefValue, Value};

/// An error that has already been reported as a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stop;

pub type R = Result<Value, Stop>;

/// A memoized result: `None` when evaluating it failed (and was reported).
type Memo<T> = Option<T>;

/// The instances of one block, shared between lookups.
pub type Instances = Arc<Vec<Instance>>;

/// A resource block in a module instance.
type BlockKey = (ModulePath, ResourceKind, String);

/// `each.key` and `each.value` of one `for_each` instance.
#[derive(Debug, Clone)]
pub struct Each {
    pub key: String,
    pub value: Value,
}

/// One instance of a resource block or module call.
#[derive(Debug, Clone)]
pub struct Instance {
    pub key: Option<InstanceKey>,
    pub each: Option<Each>,
}

/// Where a module instance came from.
#[derive(Debug, Clone)]
struct Call {
    parent: ModulePath,
    name: String,
    each: Option<Each>,
}

/// One instantiated module.
#[derive(Debug, Clone)]
pub struct ModuleInstance {
    /// Index into [`Tree::modules`].
    pub config: usize,
    call: Option<Call>,
}

/// The context an expression is evaluated in.
#[derive(Debug, Clone)]
pub struct Scope {
    pub module: ModulePath,
    pub config: Arc<ModuleConfig>,
    /// The file the expression is in (for spans).
    pub file: usize,
    pub each: Option<Each>,
    /// Names bound by `for` expressions and `templatefile` variables, innermost last.
    pub locals: Vec<(String, Value)>,
}

/// A unit of lazy evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Node {
    Var(ModulePath, String),
    Local(ModulePath, String),
    Attr(Address, String),
    ForEach(ModulePath, String, String),
    Output(ModulePath, String),
}

fn prefixed(module: &ModulePath, rest: String) -> String {
    if module.is_root() {
        rest
    } else {
        format!("{module}.{rest}")
    }
}

impl Node {
    fn describe(&self) -> String {
        match self {
            Node::Var(m, n) => prefixed(m, format!("var.{n}")),
            Node::Local(m, n) => prefixed(m, format!("local.{n}")),
            Node::Attr(a, attr) => format!("{a}.{attr}"),
            Node::ForEach(m, kind, label) => prefixed(m, format!("{kind}.{label}.for_each")),
            Node::Output(m, n) => format!("{m}.{n}"),
        }
    }
}

/// Names that can start a reference, for suggestions.
const ROOT_NAMES: &[&str] = &[
    "var",
    "local",
    "each",
    "module",
    "root",
    "management",
    "aws_policy",
    "organization",
    "organizational_unit",
    "account",
    "policy",
    "delegated_administrator",
    "role",
];

/// Where a root-module variable's value comes from, before type conversion.
#[derive(Debug, Clone)]
enum Input {
    /// `-var` or `ORGCHARD_VAR_*`: text, read according to the variable's type.
    Text { text: String, origin: String },
    /// A `-var-file` attribute, already evaluated.
    Value {
        value: Value,
        span: Option<SourceSpan>,
    },
}

pub struct Evaluator {
    pub tree: Tree,
    diags: Diagnostics,
    inputs: BTreeMap<String, Input>,
    memo: HashMap<Node, Option<Value>>,
    stack: Vec<Node>,
    reported_cycles: HashSet<Vec<String>>,
    pub instances: BTreeMap<ModulePath, ModuleInstance>,
    resource_instances: HashMap<BlockKey, Memo<Instances>>,
    module_instances: HashMap<(ModulePath, String), Memo<Instances>>,
    templates: HashMap<PathBuf, Option<(usize, Arc<Template>)>>,
    /// Bare references by address: built once, shared (the attributes sit behind an `Arc`).
    refs: HashMap<Address, Value>,
}

fn op_name(op: BinaryOperator) -> &'static str {
    match op {
        BinaryOperator::Eq => "==",
        BinaryOperator::NotEq => "!=",
        BinaryOperator::LessEq => "<=",
        BinaryOperator::GreaterEq => ">=",
        BinaryOperator::Less => "<",
        BinaryOperator::Greater => ">",
        BinaryOperator::Plus => "+",
        BinaryOperator::Minus => "-",
        BinaryOperator::Mul => "*",
        BinaryOperator::Div => "/",
        BinaryOperator::Mod => "%",
        BinaryOperator::And => "&&",
        BinaryOperator::Or => "||",
    }
}

impl Evaluator {
    pub fn new(tree: Tree, inputs: &VarInputs, diags: Diagnostics) -> Self {
        let mut ev = Evaluator {
            tree,
            diags,
            inputs: BTreeMap::new(),
            memo: HashMap::new(),
            stack: Vec::new(),
            reported_cycles: HashSet::new(),
            instances: BTreeMap::new(),
            resource_instances: HashMap::new(),
            module_instances: HashMap::new(),
            templates: HashMap::new(),
            refs: HashMap::new(),
        };
        ev.instances.insert(
            ModulePath::root(),
            ModuleInstance {
                config: 0,
                call: None,
            },
        );
        ev.collect_inputs(inputs);
        ev
    }

    /// Reports `-var` and `-var-file` values for variables the root module does not declare
    /// (a typo there would otherwise go unnoticed); environment variables are not checked,
    /// since they may be meant for another configuration.
    pub fn check_undeclared_inputs(&mut self) {
        let declared: Vec<String> = self.tree.modules[0].variables.keys().cloned().collect();
        let names: Vec<&str> = declared.iter().map(String::as_str).collect();
        let mut found = Vec::new();
        for (name, input) in &self.inputs {
            if declared.contains(name) {
                continue;
            }
            let help = match suggest(name, &names) {
                Some(s) => format!(
                    "did you mean `{s}`? declare it with a `variable \"{name}\"` block, or remove the value"
                ),
                None => {
                    format!("declare it with a `variable \"{name}\"` block, or remove the value")
                }
            };
            match input {
                Input::Text { origin, .. } if origin.starts_with("-var") => found.push(
                    Diagnostic::error(format!("value for undeclared variable `{name}` ({origin})"))
                        .help(help),
                ),
                Input::Value { span, .. } => found.push(
                    Diagnostic::warning(format!(
                        "value for undeclared variable `{name}` in a variable file"
                    ))
                    .at(span.clone())
                    .help(help),
                ),
                Input::Text { .. } => {}
            }
        }
        for d in found {
            self.diags.push(d);
        }
    }

    pub fn into_diagnostics(self) -> Diagnostics {
        self.diags
    }

    pub fn report(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    pub fn span(&self, file: usize, range: Option<std::ops::Range<usize>>) -> Option<SourceSpan> {
        self.tree.span(file, range)
    }

    fn error(&mut self, span: Option<SourceSpan>, message: String, help: String) -> Stop {
        self.diags
            .push(Diagnostic::error(message).at(span).help(help));
        Stop
    }

    // ----- inputs -------------------------------------------------------------------------

    /// Gathers root variable values in precedence order: `-var`, then `-var-file`, then
    /// `ORGCHARD_VAR_*`; the first source that sets a name wins (defaults come last, in
    /// [`Self::var_value`]).
    fn collect_inputs(&mut self, inputs: &VarInputs) {
        let mut out: BTreeMap<String, Input> = BTreeMap::new();
        for raw in &inputs.vars {
            match raw.split_once('=') {
                Some((name, value)) if !name.trim().is_empty() => {
                    // A later -var of the same name overrides an earlier one, as in Terraform.
                    out.insert(
                        name.trim().to_string(),
                        Input::Text {
                            text: value.to_string(),
                            origin: format!("-var {name}"),
                        },
                    );
                }
                _ => self.diags.push(
                    Diagnostic::error(format!("invalid -var {raw:?}"))
                        .help("write -var NAME=VALUE"),
                ),
            }
        }
        for path in &inputs.var_files {
            for (name, value, span) in self.read_var_file(path) {
                out.entry(name).or_insert(Input::Value { value, span });
            }
        }
        for (name, text) in &inputs.env {
            out.entry(name.clone()).or_insert(Input::Text {
                text: text.clone(),
                origin: format!("{}{name}", vars::ENV_PREFIX),
            });
        }
        self.inputs = out;
    }

    fn read_var_file(
        &mut self,
        path: &std::path::Path,
    ) -> Vec<(String, Value, Option<SourceSpan>)> {
        let rel = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(format!("cannot read variable file {rel}: {e}"))
                        .help("-var-file takes a file of `name = value` lines"),
                );
                return Vec::new();
            }
        };
        let text: Arc<str> = Arc::from(text);
        self.diags.add_source(&rel, text.clone());
        self.tree.files.push(SourceFile {
            rel: rel.clone(),
            text: text.clone(),
            lines: LineIndex::new(&text),
        });
        let file = self.tree.files.len() - 1;
        let body = match hcl_edit::parser::parse_body(&text) {
            Ok(b) => b,
            Err(e) => {
                let start = e.location().offset().min(text.len());
                let span = self.span(file, Some(start..start));
                self.diags.push(
                    Diagnostic::error(format!("syntax error: {}", e.message()))
                        .at(span)
                        .help("a variable file holds `name = value` lines"),
                );
                return Vec::new();
            }
        };
        let scope = Scope {
            module: ModulePath::root(),
            config: self.tree.modules[0].clone(),
            file,
            each: None,
            locals: Vec::new(),
        };
        let mut out = Vec::new();
        for s in body.into_iter() {
            match s {
                hcl_edit::structure::Structure::Attribute(a) => {
                    let span = self.span(file, a.value.span());
                    if let Ok(v) = self.eval_constant(&a.value, &scope) {
                        out.push((a.key.as_str().to_string(), v, span));
                    }
                }
                hcl_edit::structure::Structure::Block(b) => {
                    let span = self.span(file, b.ident.span());
                    self.diags.push(
                        Diagnostic::error("blocks are not allowed in a variable file")
                            .at(span)
                            .help("a variable file holds `name = value` lines"),
                    );
                }
            }
        }
        out
    }

    /// Evaluates an expression that may not refer to anything (variable files, defaults).
    fn eval_constant(&mut self, expr: &Expression, scope: &Scope) -> R {
        if let Some(range) = first_reference(expr) {
            let span = self.span(scope.file, Some(range));
            return Err(self.error(
                span,
                "references are not allowed here".into(),
                "use a literal value: a string, number, bool, list or map".into(),
            ));
        }
        self.eval(expr, scope)
    }

    // ----- memoized nodes ----------------------------------------------------------------

    fn memo(&mut self, node: Node, at: Option<SourceSpan>, f: impl FnOnce(&mut Self) -> R) -> R {
        if let Some(v) = self.memo.get(&node) {
            return v.clone().ok_or(Stop);
        }
        if let Some(pos) = self.stack.iter().position(|n| n == &node) {
            let mut chain: Vec<String> = self.stack[pos..].iter().map(Node::describe).collect();
            // One report per cycle, whichever node it was entered from.
            let mut canonical = chain.clone();
            let min = (0..canonical.len())
                .min_by_key(|&i| canonical[i].clone())
                .unwrap_or(0);
            canonical.rotate_left(min);
            if self.reported_cycles.insert(canonical) {
                chain.push(node.describe());
                self.diags.push(
                    Diagnostic::error(format!("reference cycle: {}", chain.join(" -> ")))
                        .at(at)
                        .label("this reference closes the cycle")
                        .help("a value may not depend on itself; break the chain of references"),
                );
            }
            return Err(Stop);
        }
        self.stack.push(node.clone());
        let result = f(self);
        self.stack.pop();
        self.memo.insert(node, result.clone().ok());
        result
    }

    pub fn module_config(&self, module: &ModulePath) -> Option<Arc<ModuleConfig>> {
        let inst = self.instances.get(module)?;
        self.tree.modules.get(inst.config).cloned()
    }

    pub fn scope(&self, module: &ModulePath, file: usize, each: Option<Each>) -> Option<Scope> {
        Some(Scope {
            module: module.clone(),
            config: self.module_config(module)?,
            file,
            each,
            locals: Vec::new(),
        })
    }

    /// The value of `var.NAME` in a module instance.
    pub fn var_value(&mut self, module: &ModulePath, name: &str, at: Option<SourceSpan>) -> R {
        let module = module.clone();
        let name = name.to_string();
        self.memo(Node::Var(module.clone(), name.clone()), at, move |ev| {
            ev.compute_var(&module, &name)
        })
    }

    fn compute_var(&mut self, module: &ModulePath, name: &str) -> R {
        let config = self.module_config(module).ok_or(Stop)?;
        let decl = config.variables.get(name).ok_or(Stop)?;
        let decl_span = self.span(decl.file, decl.node.ident.span());
        let ty = match decl.node.body.get_attribute("type") {
            Some(a) => match vars::parse_type(&a.value) {
                Ok(t) => t,
                Err(msg) => {
                    let span = self.span(decl.file, a.value.span());
                    return Err(self.error(
                        span,
                        format!("invalid type for variable `{name}`: {msg}"),
                        "accepted: string, number, bool, any, list(T), set(T), map(T), object({...}), tuple([...])".into(),
                    ));
                }
            },
            None => TypeSpec::Any,
        };
        let scope = Scope {
            module: module.clone(),
            config: config.clone(),
            file: decl.file,
            each: None,
            locals: Vec::new(),
        };
        // (value, span of where it was set, description of the source)
        let mut given: Option<(Value, Option<SourceSpan>, String)> = None;
        match &self.instances.get(module).and_then(|i| i.call.clone()) {
            None => match self.inputs.get(name).cloned() {
                Some(Input::Text { text, origin }) => {
                    let v = vars::parse_text(&text, &ty).map_err(|msg| {
                        self.error(
                            None,
                            format!("invalid value for variable `{name}` from {origin}: {msg}"),
                            format!("the variable's type is {ty}"),
                        )
                    })?;
                    given = Some((v, None, origin));
                }
                Some(Input::Value { value, span }) => {
                    given = Some((value, span, "the variable file".into()))
                }
                None => {}
            },
            Some(call) => {
                let parent_cfg = self.module_config(&call.parent).ok_or(Stop)?;
                let (item, _) = parent_cfg.modules.get(&call.name).ok_or(Stop)?;
                if let Some(attr) = item.node.body.get_attribute(name) {
                    let pscope = Scope {
                        module: call.parent.clone(),
                        config: parent_cfg.clone(),
                        file: item.file,
                        each: call.each.clone(),
                        locals: Vec::new(),
                    };
                    let v = self.eval(&attr.value, &pscope)?;
                    let span = self.span(item.file, attr.value.span());
                    given = Some((v, span, format!("module `{}`", call.name)));
                }
            }
        }
        let (value, span) = match given {
            Some((v, span, _)) => (v, span),
            None => match decl.node.body.get_attribute("default") {
                Some(a) => {
                    let v = self.eval_constant(&a.value, &scope)?;
                    (v, self.span(decl.file, a.value.span()))
                }
                None => {
                    let (span, help) = match self.instances.get(module).and_then(|i| i.call.clone())
                    {
                        Some(call) => {
                            let cfg = self.module_config(&call.parent).ok_or(Stop)?;
                            let (item, _) = cfg.modules.get(&call.name).ok_or(Stop)?;
                            (
                                self.span(item.file, item.node.ident.span()),
                                format!(
                                    "set `{name} = ...` in the module block, or give the variable a default"
                                ),
                            )
                        }
                        None => (
                            decl_span,
                            format!(
                                "set it with -var {name}=VALUE, a -var-file, the environment variable {}{name}, or a default",
                                vars::ENV_PREFIX
                            ),
                        ),
                    };
                    return Err(self.error(
                        span,
                        format!("no value for required variable `{name}`"),
                        help,
                    ));
                }
            },
        };
        ty.convert(value).map_err(|msg| {
            self.error(
                span.or(decl_span),
                format!("wrong type for variable `{name}`: {msg}"),
                format!("the variable is declared with type {ty}"),
            )
        })
    }

    /// The value of `local.NAME` in a module instance.
    pub fn local_value(&mut self, module: &ModulePath, name: &str, at: Option<SourceSpan>) -> R {
        let module = module.clone();
        let name = name.to_string();
        self.memo(Node::Local(module.clone(), name.clone()), at, move |ev| {
            let config = ev.module_config(&module).ok_or(Stop)?;
            let item = config.locals.get(&name).ok_or(Stop)?;
            let scope = ev.scope(&module, item.file, None).ok_or(Stop)?;
            ev.eval(&item.node.value, &scope)
        })
    }

    /// The value of output `name` of a module instance.
    pub fn output_value(&mut self, module: &ModulePath, name: &str, at: Option<SourceSpan>) -> R {
        let module = module.clone();
        let name = name.to_string();
        self.memo(Node::Output(module.clone(), name.clone()), at, move |ev| {
            let config = ev.module_config(&module).ok_or(Stop)?;
            let item = config.outputs.get(&name).ok_or(Stop)?;
            let Some(attr) = item.node.body.get_attribute("value") else {
                let span = ev.span(item.file, item.node.ident.span());
                return Err(ev.error(
                    span,
                    format!("output `{name}` has no `value`"),
                    "write `value = <expression>` inside the output block".into(),
                ));
            };
            let scope = ev.scope(&module, item.file, None).ok_or(Stop)?;
            ev.eval(&attr.value, &scope)
        })
    }

    /// Reads a `for_each` value into instances.
    fn expand_for_each(
        &mut self,
        value: Value,
        span: Option<SourceSpan>,
    ) -> Result<Vec<Instance>, Stop> {
        let entries: Vec<(String, Value)> = match value {
            Value::Map(m) => m.into_iter().collect(),
            Value::List(items) => {
                let mut out = Vec::new();
                for item in items {
                    match item {
                        Value::String(s) => out.push((s.clone(), Value::String(s))),
                        Value::Unknown(_) => {
                            return Err(self.error(
                                span,
                                "`for_each` depends on values known only after apply".into(),
                                "for_each keys must be known at plan time: use literal keys or variables".into(),
                            ));
                        }
                        other => {
                            return Err(self.error(
                                span,
                                format!("`for_each` set contains a {}", other.type_name()),
                                "for_each takes a map, or a set of strings (e.g. toset([\"a\", \"b\"]))".into(),
                            ));
                        }
                    }
                }
                out.sort_by(|a, b| a.0.cmp(&b.0));
                out.dedup_by(|a, b| a.0 == b.0);
                out
            }
            Value::Unknown(_) => {
                return Err(self.error(
                    span,
                    "`for_each` depends on values known only after apply".into(),
                    "for_each keys must be known at plan time: use literal keys or variables"
                        .into(),
                ));
            }
            other => {
                return Err(self.error(
                    span,
                    format!(
                        "`for_each` must be a map or a set of strings, got {}",
                        other.type_name()
                    ),
                    "for_each takes a map, or a set of strings (e.g. toset([\"a\", \"b\"]))".into(),
                ));
            }
        };
        Ok(entries
            .into_iter()
            .map(|(key, value)| Instance {
                key: Some(InstanceKey(key.clone())),
                each: Some(Each { key, value }),
            })
            .collect())
    }

    /// The instances of a resource block (one without key when it has no `for_each`).
    pub fn resource_instances(
        &mut self,
        module: &ModulePath,
        kind: ResourceKind,
        label: &str,
    ) -> Result<Arc<Vec<Instance>>, Stop> {
        let key = (module.clone(), kind, label.to_string());
        if let Some(v) = self.resource_instances.get(&key) {
            return v.clone().ok_or(Stop);
        }
        let config = self.module_config(module).ok_or(Stop)?;
        let item = config
            .resources
            .get(&(kind, label.to_string()))
            .ok_or(Stop)?
            .clone();
        let result = self.block_instances(
            module,
            &item,
            Node::ForEach(module.clone(), kind.block_type().into(), label.into()),
        );
        self.resource_instances.insert(key, result.clone().ok());
        result
    }

    /// The instances of a module call; registers them as module instances.
    pub fn module_instances(
        &mut self,
        parent: &ModulePath,
        name: &str,
    ) -> Result<Arc<Vec<Instance>>, Stop> {
        let key = (parent.clone(), name.to_string());
        if let Some(v) = self.module_instances.get(&key) {
            return v.clone().ok_or(Stop);
        }
        let config = self.module_config(parent).ok_or(Stop)?;
        let (item, child) = config.modules.get(name).ok_or(Stop)?;
        let child = *child;
        let result = match child {
            None => Err(Stop),
            Some(child) => {
                let r = self.block_instances(
                    parent,
                    item,
                    Node::ForEach(parent.clone(), "module".into(), name.into()),
                );
                if let Ok(instances) = &r {
                    for inst in instances.iter() {
                        self.instances.insert(
                            parent.child(name, inst.key.clone()),
                            ModuleInstance {
                                config: child,
                                call: Some(Call {
                                    parent: parent.clone(),
                                    name: name.to_string(),
                                    each: inst.each.clone(),
                                }),
                            },
                        );
                    }
                }
                r
            }
        };
        self.module_instances.insert(key, result.clone().ok());
        result
    }

    fn block_instances(
        &mut self,
        module: &ModulePath,
        item: &Item<Block>,
        node: Node,
    ) -> Result<Arc<Vec<Instance>>, Stop> {
        let Some(attr) = item.node.body.get_attribute("for_each") else {
            return Ok(Arc::new(vec![Instance {
                key: None,
                each: None,
            }]));
        };
        let span = self.span(item.file, attr.value.span());
        let scope = self.scope(module, item.file, None).ok_or(Stop)?;
        let value = self.memo(node, span.clone(), |ev| ev.eval(&attr.value, &scope))?;
        Ok(Arc::new(self.expand_for_each(value, span)?))
    }

    /// One attribute of one resource instance.
    pub fn resource_attr(&mut self, addr: &Address, attr: &str, at: Option<SourceSpan>) -> R {
        let addr = addr.clone();
        let attr = attr.to_string();
        self.memo(
            Node::Attr(addr.clone(), attr.clone()),
            at.clone(),
            move |ev| ev.compute_resource_attr(&addr, &attr, at),
        )
    }

    fn compute_resource_attr(&mut self, addr: &Address, attr: &str, at: Option<SourceSpan>) -> R {
        let config = self.module_config(&addr.module).ok_or(Stop)?;
        let item = config
            .resources
            .get(&(addr.kind, addr.name.clone()))
            .ok_or(Stop)?;
        let instances = self.resource_instances(&addr.module, addr.kind, &addr.name)?;
        let each = instances
            .iter()
            .find(|i| i.key == addr.key)
            .ok_or(Stop)?
            .each
            .clone();
        if !matches!(attr, "for_each" | "depends_on")
            && let Some(a) = item.node.body.get_attribute(attr)
        {
            let scope = self.scope(&addr.module, item.file, each).ok_or(Stop)?;
            return self.eval(&a.value, &scope);
        }
        let target = RefTarget::Resource(addr.clone());
        match attr {
            "id" | "arn" => Ok(Value::unknown_attr(target, attr)),
            _ if super::schema::schema(addr.kind).contains(&attr) => Ok(Value::Null),
            _ => {
                let mut accepted: Vec<&str> = super::schema::schema(addr.kind).to_vec();
                accepted.extend(["id", "arn"]);
                let help = match suggest(attr, &accepted) {
                    Some(s) => format!("did you mean `{s}`? accepted: {}", accepted.join(", ")),
                    None => format!("accepted: {}", accepted.join(", ")),
                };
                Err(self.error(at, format!("{} has no attribute `{attr}`", addr), help))
            }
        }
    }

    /// A bare reference to a resource instance.
    pub fn instance_ref(&mut self, addr: &Address, at: Option<SourceSpan>) -> R {
        if let Some(v) = self.refs.get(addr) {
            return Ok(v.clone());
        }
        let config = self.module_config(&addr.module).ok_or(Stop)?;
        let item = config
            .resources
            .get(&(addr.kind, addr.name.clone()))
            .ok_or(Stop)?;
        let mut attrs = BTreeMap::new();
        let mut names: Vec<String> = vec!["id".into(), "arn".into()];
        for a in item.node.body.attributes() {
            let k = a.key.as_str();
            if !matches!(k, "for_each" | "depends_on") && !names.iter().any(|n| n == k) {
                names.push(k.to_string());
            }
        }
        let mut failed = false;
        for name in names {
            match self.resource_attr(addr, &name, at.clone()) {
                Ok(v) => {
                    attrs.insert(name, v);
                }
                Err(Stop) => failed = true,
            }
        }
        if failed
            && self
                .stack
                .iter()
                .any(|n| matches!(n, Node::Attr(a, _) if a == addr))
        {
            return Err(Stop);
        }
        let v = Value::Ref(Arc::new(RefValue {
            target: RefTarget::Resource(addr.clone()),
            attrs,
        }));
        if !failed {
            self.refs.insert(addr.clone(), v.clone());
        }
        Ok(v)
    }

    // ----- expressions -------------------------------------------------------------------

    fn expr_span(&self, scope: &Scope, expr: &Expression) -> Option<SourceSpan> {
        self.span(scope.file, expr.span())
    }

    /// Calls a pure function or operator, deferring it when an input is unknown.
    fn apply_pure(&mut self, name: &str, args: Vec<Value>, span: Option<SourceSpan>) -> R {
        match functions::call_pure(name, args.clone()) {
            Ok(v) => Ok(v),
            Err(FnError::Unknown) => Ok(Value::deferred_call(name, args)),
            Err(FnError::Invalid(msg)) => {
                let (message, help) =
                    if name.starts_with('(') || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
                        (
                            format!("invalid operation: {msg}"),
                            "check the types of the operands".to_string(),
                        )
                    } else {
                        (
                            format!("invalid call to {name}(): {msg}"),
                            format!("see the language reference for {name}()"),
                        )
                    };
                Err(self.error(span, message, help))
            }
        }
    }

    pub fn eval(&mut self, expr: &Expression, sc: &Scope) -> R {
        match expr {
            Expression::Null(_) => Ok(Value::Null),
            Expression::Bool(b) => Ok(Value::Bool(**b)),
            Expression::Number(n) => Ok(Value::Number(n.as_f64().unwrap_or(0.0))),
            Expression::String(s) => Ok(Value::String(s.as_str().to_string())),
            Expression::Array(a) => {
                let mut out = Vec::with_capacity(a.len());
                let mut failed = false;
                for e in a.iter() {
                    match self.eval(e, sc) {
                        Ok(v) => out.push(v),
                        Err(Stop) => failed = true,
                    }
                }
                if failed {
                    Err(Stop)
                } else {
                    Ok(Value::List(out))
                }
            }
            Expression::Object(o) => {
                let mut out = BTreeMap::new();
                let mut failed = false;
                for (k, v) in o.iter() {
                    let key = match k {
                        ObjectKey::Ident(i) => Ok(i.as_str().to_string()),
                        ObjectKey::Expression(e) => match self.eval(e, sc) {
                            Ok(Value::String(s)) => Ok(s),
                            Ok(Value::Number(n)) => Ok(crate::model::value::format_number(n)),
                            Ok(other) => {
                                let span = self.expr_span(sc, e);
                                Err(self.error(
                                    span,
                                    format!("object key must be a string known at plan time, got {}", other.type_name()),
                                    "use a name, a string, or an expression in parentheses that yields a string".into(),
                                ))
                            }
                            Err(s) => Err(s),
                        },
                    };
                    let value = self.eval(v.expr(), sc);
                    match (key, value) {
                        (Ok(k), Ok(v)) => {
                            out.insert(k, v);
                        }
                        _ => failed = true,
                    }
                }
                if failed {
                    Err(Stop)
                } else {
                    Ok(Value::Map(out))
                }
            }
            Expression::StringTemplate(t) => {
                let span = self.expr_span(sc, expr);
                self.eval_template(t, sc, span)
            }
            Expression::HeredocTemplate(h) => {
                let span = self.expr_span(sc, expr);
                self.eval_template(&h.template, sc, span)
            }
            Expression::Parenthesis(p) => self.eval(p.inner(), sc),
            Expression::Variable(v) => {
                let span = self.expr_span(sc, expr);
                self.eval_named(v.as_str(), &[], sc, span)
            }
            Expression::Conditional(c) => {
                let cond = self.eval(&c.cond_expr, sc)?;
                match cond {
                    Value::Bool(true) => self.eval(&c.true_expr, sc),
                    Value::Bool(false) => self.eval(&c.false_expr, sc),
                    Value::Unknown(_) => {
                        let t = self.eval(&c.true_expr, sc)?;
                        let f = self.eval(&c.false_expr, sc)?;
                        Ok(Value::deferred_call("(cond)", vec![cond, t, f]))
                    }
                    other => {
                        let span = self.expr_span(sc, &c.cond_expr);
                        Err(self.error(
                            span,
                            format!("condition must be a bool, got {}", other.type_name()),
                            "write a comparison such as `var.x == \"a\"`".into(),
                        ))
                    }
                }
            }
            Expression::FuncCall(f) => self.eval_call(f, sc),
            Expression::Traversal(t) => {
                let span = self.expr_span(sc, expr);
                let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| &**o).collect();
                match &t.expr {
                    Expression::Variable(v) => self.eval_named(v.as_str(), &ops, sc, span),
                    other => {
                        let base = self.eval(other, sc)?;
                        self.apply_ops(base, &ops, sc, span)
                    }
                }
            }
            Expression::UnaryOp(u) => {
                let v = self.eval(&u.expr, sc)?;
                let name = match *u.operator {
                    UnaryOperator::Not => "!",
                    UnaryOperator::Neg => "neg",
                };
                let span = self.expr_span(sc, expr);
                self.apply_pure(name, vec![v], span)
            }
            Expression::BinaryOp(b) => {
                let l = self.eval(&b.lhs_expr, sc);
                let r = self.eval(&b.rhs_expr, sc);
                let (l, r) = (l?, r?);
                let span = self.expr_span(sc, expr);
                self.apply_pure(op_name(*b.operator), vec![l, r], span)
            }
            Expression::ForExpr(f) => self.eval_for(f, sc, expr),
        }
    }

    fn eval_for(&mut self, f: &hcl_edit::expr::ForExpr, sc: &Scope, expr: &Expression) -> R {
        let span = self.expr_span(sc, expr);
        let coll = self.eval(&f.intro.collection_expr, sc)?;
        let items: Vec<(Value, Value)> = match coll {
            Value::List(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Value::Number(i as f64), v))
                .collect(),
            Value::Map(m) => m.into_iter().map(|(k, v)| (Value::String(k), v)).collect(),
            Value::Ref(r) => r
                .attrs
                .iter()
                .map(|(k, v)| (Value::String(k.clone()), v.clone()))
                .collect(),
            Value::Unknown(_) => {
                return Err(self.error(
                    span,
                    "`for` expression over a value known only after apply".into(),
                    "iterate over values known at plan time".into(),
                ));
            }
            other => {
                return Err(self.error(
                    span,
                    format!("cannot iterate over a {}", other.type_name()),
                    "a `for` expression takes a list, set or map".into(),
                ));
            }
        };
        let mut list = Vec::new();
        let mut map: BTreeMap<String, Value> = BTreeMap::new();
        for (k, v) in items {
            let mut inner = sc.clone();
            if let Some(kv) = &f.intro.key_var {
                inner.locals.push((kv.as_str().to_string(), k.clone()));
            }
            inner
                .locals
                .push((f.intro.value_var.as_str().to_string(), v));
            if let Some(cond) = &f.cond {
                match self.eval(&cond.expr, &inner)? {
                    Value::Bool(true) => {}
                    Value::Bool(false) => continue,
                    other => {
                        let span = self.expr_span(sc, &cond.expr);
                        return Err(self.error(
                            span,
                            format!("`if` condition must be a bool, got {}", other.type_name()),
                            "write a comparison such as `v != \"\"`".into(),
                        ));
                    }
                }
            }
            let value = self.eval(&f.value_expr, &inner)?;
            match &f.key_expr {
                None => list.push(value),
                Some(ke) => {
                    let key = match self.eval(ke, &inner)? {
                        Value::String(s) => s,
                        Value::Number(n) => crate::model::value::format_number(n),
                        other => {
                            let span = self.expr_span(sc, ke);
                            return Err(self.error(
                                span,
                                format!("`for` key must be a string, got {}", other.type_name()),
                                "object keys are strings".into(),
                            ));
                        }
                    };
                    if f.grouping {
                        match map.entry(key).or_insert_with(|| Value::List(Vec::new())) {
                            Value::List(l) => l.push(value),
                            _ => unreachable!("grouping entries are lists"),
                        }
                    } else if map.insert(key.clone(), value).is_some() {
                        return Err(self.error(
                            span,
                            format!("duplicate key {key:?} in `for` expression"),
                            "use `...` after the value for grouping mode, or make the keys unique"
                                .into(),
                        ));
                    }
                }
            }
        }
        Ok(if f.key_expr.is_some() {
            Value::Map(map)
        } else {
            Value::List(list)
        })
    }

    fn eval_template(&mut self, t: &Template, sc: &Scope, span: Option<SourceSpan>) -> R {
        // "${x}" alone yields x itself, not its string form (as in HCL).
        if let Some(Element::Interpolation(i)) = t.as_single_element() {
            return self.eval(&i.expr, sc);
        }
        let mut parts = Vec::new();
        self.template_parts(t, sc, &mut parts)?;
        self.apply_pure("(template)", parts, span)
    }

    fn template_parts(
        &mut self,
        t: &Template,
        sc: &Scope,
        parts: &mut Vec<Value>,
    ) -> Result<(), Stop> {
        for el in t.iter() {
            match el {
                Element::Literal(s) => parts.push(Value::String(s.as_str().to_string())),
                Element::Interpolation(i) => {
                    let v = self.eval(&i.expr, sc)?;
                    if matches!(
                        v,
                        Value::List(_) | Value::Map(_) | Value::Ref(_) | Value::Null
                    ) {
                        let span = self.expr_span(sc, &i.expr);
                        return Err(self.error(
                            span,
                            format!("cannot interpolate a {} into a string", v.type_name()),
                            "interpolate strings, numbers or bools; use jsonencode() or join() for collections".into(),
                        ));
                    }
                    parts.push(v);
                }
                Element::Directive(d) => match &**d {
                    Directive::If(ifd) => {
                        let cond = self.eval(&ifd.if_expr.cond_expr, sc)?;
                        match cond {
                            Value::Bool(true) => {
                                self.template_parts(&ifd.if_expr.template, sc, parts)?
                            }
                            Value::Bool(false) => {
                                if let Some(e) = &ifd.else_expr {
                                    self.template_parts(&e.template, sc, parts)?;
                                }
                            }
                            other => {
                                let span = self.expr_span(sc, &ifd.if_expr.cond_expr);
                                return Err(self.error(
                                    span,
                                    format!(
                                        "template `if` needs a bool known at plan time, got {}",
                                        other.type_name()
                                    ),
                                    "write a comparison such as `%{ if x != \"\" }`".into(),
                                ));
                            }
                        }
                    }
                    Directive::For(ford) => {
                        let fe = &ford.for_expr;
                        let coll = self.eval(&fe.collection_expr, sc)?;
                        let items: Vec<(Value, Value)> = match coll {
                            Value::List(items) => items
                                .into_iter()
                                .enumerate()
                                .map(|(i, v)| (Value::Number(i as f64), v))
                                .collect(),
                            Value::Map(m) => {
                                m.into_iter().map(|(k, v)| (Value::String(k), v)).collect()
                            }
                            other => {
                                let span = self.expr_span(sc, &fe.collection_expr);
                                return Err(self.error(
                                    span,
                                    format!("template `for` needs a list or map known at plan time, got {}", other.type_name()),
                                    "iterate over a list or map".into(),
                                ));
                            }
                        };
                        for (k, v) in items {
                            let mut inner = sc.clone();
                            if let Some(kv) = &fe.key_var {
                                inner.locals.push((kv.as_str().to_string(), k));
                            }
                            inner.locals.push((fe.value_var.as_str().to_string(), v));
                            self.template_parts(&fe.template, &inner, parts)?;
                        }
                    }
                },
            }
        }
        Ok(())
    }

    fn eval_call(&mut self, f: &hcl_edit::expr::FuncCall, sc: &Scope) -> R {
        let name = f.name.name.as_str();
        let span = self.span(sc.file, f.span());
        let name_span = self.span(sc.file, f.name.name.span());
        if !f.name.namespace.is_empty() || !functions::FUNCTIONS.contains(&name) {
            let help = match suggest(name, functions::FUNCTIONS) {
                Some(s) => {
                    format!("did you mean `{s}`? see the language reference for the function list")
                }
                None => format!("accepted functions: {}", functions::FUNCTIONS.join(", ")),
            };
            return Err(self.error(name_span, format!("unknown function `{name}`"), help));
        }
        let mut args = Vec::new();
        let mut failed = false;
        for a in f.args.iter() {
            match self.eval(a, sc) {
                Ok(v) => args.push(v),
                Err(Stop) => failed = true,
            }
        }
        if failed {
            return Err(Stop);
        }
        if f.args.expand_final() {
            match args.pop() {
                Some(Value::List(items)) => args.extend(items),
                _ => {
                    return Err(self.error(
                        span,
                        "`...` must follow a list argument".into(),
                        "expand only a list into arguments".into(),
                    ));
                }
            }
        }
        match name {
            "file" => {
                if args.len() != 1 {
                    return Err(self.error(
                        span,
                        format!("file() takes 1 argument, got {}", args.len()),
                        "write file(\"path/relative/to/module.json\")".into(),
                    ));
                }
                let Some(path) = args[0].as_str() else {
                    return Err(self.error(
                        span,
                        format!(
                            "file() needs a path string known at plan time, got {}",
                            args[0].type_name()
                        ),
                        "write file(\"path/relative/to/module.json\")".into(),
                    ));
                };
                let full = sc.config.dir.join(path);
                std::fs::read_to_string(&full)
                    .map(Value::String)
                    .map_err(|e| {
                        self.error(
                            span,
                            format!("cannot read file {path:?}: {e}"),
                            "paths are relative to the directory of the module that calls file()"
                                .into(),
                        )
                    })
            }
            "templatefile" => self.templatefile(args, sc, span),
            _ => self.apply_pure(name, args, span),
        }
    }

    fn templatefile(&mut self, args: Vec<Value>, sc: &Scope, span: Option<SourceSpan>) -> R {
        let usage = "write templatefile(\"path/relative/to/module.tpl\", { name = value, ... })";
        if args.len() != 2 {
            return Err(self.error(
                span,
                format!("templatefile() takes 2 arguments, got {}", args.len()),
                usage.into(),
            ));
        }
        let Some(path) = args[0].as_str() else {
            return Err(self.error(
                span,
                "templatefile() needs a path string known at plan time".into(),
                usage.into(),
            ));
        };
        let vars = match &args[1] {
            Value::Map(m) => m.clone(),
            other => {
                return Err(self.error(
                    span,
                    format!(
                        "templatefile() variables must be a map, got {}",
                        other.type_name()
                    ),
                    usage.into(),
                ));
            }
        };
        let full = sc.config.dir.join(path);
        let cached = match self.templates.get(&full) {
            Some(c) => c.clone(),
            None => {
                let loaded = self.load_template(&full, &sc.config.rel_dir, path, span.clone());
                self.templates.insert(full.clone(), loaded.clone());
                loaded
            }
        };
        let (file, template) = cached.ok_or(Stop)?;
        let inner = Scope {
            module: sc.module.clone(),
            config: sc.config.clone(),
            file,
            each: None,
            locals: vars.into_iter().collect(),
        };
        let tspan = self.span(file, template.span());
        self.eval_template(&template, &inner, tspan)
    }

    fn load_template(
        &mut self,
        full: &std::path::Path,
        rel_dir: &str,
        path: &str,
        span: Option<SourceSpan>,
    ) -> Option<(usize, Arc<Template>)> {
        let text = match std::fs::read_to_string(full) {
            Ok(t) => t,
            Err(e) => {
                self.error(
                    span,
                    format!("cannot read template {path:?}: {e}"),
                    "paths are relative to the directory of the module that calls templatefile()"
                        .into(),
                );
                return None;
            }
        };
        let rel = if rel_dir.is_empty() {
            path.to_string()
        } else {
            format!("{rel_dir}/{path}")
        };
        let text: Arc<str> = Arc::from(text);
        self.diags.add_source(&rel, text.clone());
        self.tree.files.push(SourceFile {
            rel,
            text: text.clone(),
            lines: LineIndex::new(&text),
        });
        let file = self.tree.files.len() - 1;
        match hcl_edit::parser::parse_template(&text) {
            Ok(t) => Some((file, Arc::new(t))),
            Err(e) => {
                let start = e.location().offset().min(text.len());
                let tspan = self.span(file, Some(start..start));
                self.error(tspan, format!("syntax error in template: {}", e.message()), "templates use ${...} interpolations and %{...} directives; write $${ for a literal ${".into());
                None
            }
        }
    }

    fn first_attr<'a, 'b>(
        &mut self,
        ops: &'a [&'b TraversalOperator],
        what: &str,
        span: Option<SourceSpan>,
    ) -> Result<(String, &'a [&'b TraversalOperator]), Stop> {
        match ops.first() {
            Some(TraversalOperator::GetAttr(name)) => Ok((name.as_str().to_string(), &ops[1..])),
            _ => Err(self.error(
                span,
                format!("`{what}` must be followed by `.NAME`"),
                format!("write e.g. `{what}.example`"),
            )),
        }
    }

    fn key_string(&mut self, e: &Expression, sc: &Scope) -> Result<String, Stop> {
        match self.eval(e, sc)? {
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(crate::model::value::format_number(n)),
            other => {
                let span = self.expr_span(sc, e);
                Err(self.error(
                    span,
                    format!(
                        "index must be a string known at plan time, got {}",
                        other.type_name()
                    ),
                    "index resources and modules by their label or for_each key".into(),
                ))
            }
        }
    }

    fn undefined(
        &mut self,
        span: Option<SourceSpan>,
        what: String,
        name: &str,
        known: Vec<String>,
    ) -> Stop {
        let refs: Vec<&str> = known.iter().map(String::as_str).collect();
        let help = match suggest(name, &refs) {
            Some(s) => format!("did you mean `{s}`?"),
            None if known.is_empty() => {
                "nothing of that kind is declared in this module".to_string()
            }
            None => format!("declared: {}", known.join(", ")),
        };
        self.error(span, format!("reference to undeclared {what}"), help)
    }

    fn eval_named(
        &mut self,
        name: &str,
        ops: &[&TraversalOperator],
        sc: &Scope,
        span: Option<SourceSpan>,
    ) -> R {
        if let Some((_, v)) = sc.locals.iter().rev().find(|(n, _)| n == name) {
            let v = v.clone();
            return self.apply_ops(v, ops, sc, span);
        }
        match name {
            "var" => {
                let (n, rest) = self.first_attr(ops, "var", span.clone())?;
                if !sc.config.variables.contains_key(&n) {
                    let known = sc.config.variables.keys().cloned().collect();
                    return Err(self.undefined(span, format!("variable `var.{n}`"), &n, known));
                }
                let v = self.var_value(&sc.module, &n, span.clone())?;
                self.apply_ops(v, rest, sc, span)
            }
            "local" => {
                let (n, rest) = self.first_attr(ops, "local", span.clone())?;
                if !sc.config.locals.contains_key(&n) {
                    let known = sc.config.locals.keys().cloned().collect();
                    return Err(self.undefined(
                        span,
                        format!("local value `local.{n}`"),
                        &n,
                        known,
                    ));
                }
                let v = self.local_value(&sc.module, &n, span.clone())?;
                self.apply_ops(v, rest, sc, span)
            }
            "each" => {
                let Some(each) = sc.each.clone() else {
                    return Err(self.error(
                        span,
                        "`each` used outside a block with `for_each`".into(),
                        "each.key and each.value exist only in resource and module blocks that set for_each".into(),
                    ));
                };
                let (n, rest) = self.first_attr(ops, "each", span.clone())?;
                let v = match n.as_str() {
                    "key" => Value::String(each.key),
                    "value" => each.value,
                    _ => {
                        return Err(self.error(
                            span,
                            format!("`each` has no attribute `{n}`"),
                            "accepted: each.key, each.value".into(),
                        ));
                    }
                };
                self.apply_ops(v, rest, sc, span)
            }
            "module" => self.eval_module_ref(ops, sc, span),
            "root" => {
                let addr = Address::root();
                let v = self.singleton_ref(&addr, span.clone())?;
                self.apply_ops(v, ops, sc, span)
            }
            "organization" => {
                let addr = Address::organization();
                let v = self.singleton_ref(&addr, span.clone())?;
                self.apply_ops(v, ops, sc, span)
            }
            "management" => {
                let org = Address::organization();
                let id = if self.tree.modules[0]
                    .resources
                    .contains_key(&(ResourceKind::Organization, String::new()))
                {
                    match self.resource_attr(&org, "management_account_id", span.clone())? {
                        Value::Null => Value::unknown_attr(RefTarget::Management, "id"),
                        v => v,
                    }
                } else {
                    Value::unknown_attr(RefTarget::Management, "id")
                };
                let mut attrs = BTreeMap::new();
                attrs.insert("id".to_string(), id);
                attrs.insert(
                    "arn".to_string(),
                    Value::unknown_attr(RefTarget::Management, "arn"),
                );
                attrs.insert(
                    "name".to_string(),
                    Value::unknown_attr(RefTarget::Management, "name"),
                );
                let v = Value::Ref(Arc::new(RefValue {
                    target: RefTarget::Management,
                    attrs,
                }));
                self.apply_ops(v, ops, sc, span)
            }
            "aws_policy" => {
                let (n, rest) = self.first_attr(ops, "aws_policy", span.clone())?;
                let target = RefTarget::AwsPolicy(n.clone());
                let mut attrs = BTreeMap::new();
                attrs.insert("name".to_string(), Value::String(n));
                attrs.insert("id".to_string(), Value::unknown_attr(target.clone(), "id"));
                attrs.insert(
                    "arn".to_string(),
                    Value::unknown_attr(target.clone(), "arn"),
                );
                let v = Value::Ref(Arc::new(RefValue { target, attrs }));
                self.apply_ops(v, rest, sc, span)
            }
            other => match ResourceKind::from_block_type(other) {
                Some(kind) => self.eval_resource_ref(kind, ops, sc, span),
                None => {
                    let mut known: Vec<&str> = ROOT_NAMES.to_vec();
                    known.extend(sc.locals.iter().map(|(n, _)| n.as_str()));
                    let help = match suggest(other, &known) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "references start with var., local., each., module., root, management, aws_policy. or a resource type".into(),
                    };
                    Err(self.error(span, format!("unknown name `{other}`"), help))
                }
            },
        }
    }

    fn singleton_ref(&mut self, addr: &Address, span: Option<SourceSpan>) -> R {
        let declared = self.tree.modules[0]
            .resources
            .contains_key(&(addr.kind, String::new()));
        if declared {
            return self.instance_ref(addr, span);
        }
        let target = RefTarget::Resource(addr.clone());
        let mut attrs = BTreeMap::new();
        attrs.insert("id".to_string(), Value::unknown_attr(target.clone(), "id"));
        attrs.insert(
            "arn".to_string(),
            Value::unknown_attr(target.clone(), "arn"),
        );
        Ok(Value::Ref(Arc::new(RefValue { target, attrs })))
    }

    fn eval_resource_ref(
        &mut self,
        kind: ResourceKind,
        ops: &[&TraversalOperator],
        sc: &Scope,
        span: Option<SourceSpan>,
    ) -> R {
        let labels = || -> Vec<String> {
            sc.config
                .resources
                .keys()
                .filter(|(k, _)| *k == kind)
                .map(|(_, l)| l.clone())
                .collect()
        };
        let Some(first) = ops.first() else {
            // `account` alone: every block of the kind, by label.
            let mut map = BTreeMap::new();
            for label in labels() {
                let v = self.block_value(kind, &label, sc, span.clone())?;
                map.insert(label, v);
            }
            return Ok(Value::Map(map));
        };
        let label = match first {
            TraversalOperator::GetAttr(l) => l.as_str().to_string(),
            TraversalOperator::Index(e) => self.key_string(e, sc)?,
            _ => {
                return Err(self.error(
                    span,
                    format!("`{}` must be followed by `.LABEL`", kind.block_type()),
                    format!("write e.g. `{}.example`", kind.block_type()),
                ));
            }
        };
        let rest = &ops[1..];
        let Some(item) = sc.config.resources.get(&(kind, label.clone())) else {
            return Err(self.undefined(
                span,
                format!("{} `{}.{label}`", kind.block_type(), kind.block_type()),
                &label,
                labels(),
            ));
        };
        let base = Address::new(kind, label.clone()).in_module(sc.module.clone());
        let (addr, rest) = if item.node.body.get_attribute("for_each").is_some() {
            match rest.first() {
                Some(TraversalOperator::Index(e)) => {
                    let key = self.key_string(e, sc)?;
                    let instances = self.resource_instances(&sc.module, kind, &label)?;
                    if !instances
                        .iter()
                        .any(|i| i.key.as_ref().is_some_and(|k| k.0 == key))
                    {
                        let keys: Vec<String> = instances
                            .iter()
                            .filter_map(|i| i.key.as_ref().map(|k| k.0.clone()))
                            .collect();
                        return Err(self.undefined(
                            span,
                            format!("instance {base}[{key:?}]"),
                            &key,
                            keys,
                        ));
                    }
                    (base.with_key(key), &rest[1..])
                }
                _ => {
                    let v = self.block_value(kind, &label, sc, span.clone())?;
                    return self.apply_ops(v, rest, sc, span);
                }
            }
        } else {
            (base, rest)
        };
        match rest.first() {
            Some(TraversalOperator::GetAttr(a)) => {
                let v = self.resource_attr(&addr, a.as_str(), span.clone())?;
                self.apply_ops(v, &rest[1..], sc, span)
            }
            _ => {
                let v = self.instance_ref(&addr, span.clone())?;
                self.apply_ops(v, rest, sc, span)
            }
        }
    }

    /// A whole block: its reference, or a map of instance references when it uses for_each.
    fn block_value(
        &mut self,
        kind: ResourceKind,
        label: &str,
        sc: &Scope,
        span: Option<SourceSpan>,
    ) -> R {
        let base = Address::new(kind, label).in_module(sc.module.clone());
        let instances = self.resource_instances(&sc.module, kind, label)?;
        let has_for_each = sc
            .config
            .resources
            .get(&(kind, label.to_string()))
            .is_some_and(|i| i.node.body.get_attribute("for_each").is_some());
        if !has_for_each {
            return self.instance_ref(&base, span);
        }
        let mut map = BTreeMap::new();
        for inst in instances.iter() {
            if let Some(k) = &inst.key {
                let v = self.instance_ref(&base.clone().with_key(k.0.clone()), span.clone())?;
                map.insert(k.0.clone(), v);
            }
        }
        Ok(Value::Map(map))
    }

    fn eval_module_ref(
        &mut self,
        ops: &[&TraversalOperator],
        sc: &Scope,
        span: Option<SourceSpan>,
    ) -> R {
        let (name, rest) = self.first_attr(ops, "module", span.clone())?;
        let Some((item, _)) = sc.config.modules.get(&name).cloned() else {
            let known = sc.config.modules.keys().cloned().collect();
            return Err(self.undefined(span, format!("module `module.{name}`"), &name, known));
        };
        let instances = self.module_instances(&sc.module, &name)?;
        let (path, rest) = if item.node.body.get_attribute("for_each").is_some() {
            match rest.first() {
                Some(TraversalOperator::Index(e)) => {
                    let key = self.key_string(e, sc)?;
                    if !instances
                        .iter()
                        .any(|i| i.key.as_ref().is_some_and(|k| k.0 == key))
                    {
                        let keys: Vec<String> = instances
                            .iter()
                            .filter_map(|i| i.key.as_ref().map(|k| k.0.clone()))
                            .collect();
                        return Err(self.undefined(
                            span,
                            format!("module instance module.{name}[{key:?}]"),
                            &key,
                            keys,
                        ));
                    }
                    (sc.module.child(&name, Some(InstanceKey(key))), &rest[1..])
                }
                _ => {
                    let mut map = BTreeMap::new();
                    for inst in instances.iter() {
                        let path = sc.module.child(&name, inst.key.clone());
                        let v = self.module_outputs(&path, span.clone())?;
                        map.insert(inst.key.clone().map(|k| k.0).unwrap_or_default(), v);
                    }
                    return self.apply_ops(Value::Map(map), rest, sc, span);
                }
            }
        } else {
            (sc.module.child(&name, None), rest)
        };
        match rest.first() {
            Some(TraversalOperator::GetAttr(out)) => {
                let config = self.module_config(&path).ok_or(Stop)?;
                if !config.outputs.contains_key(out.as_str()) {
                    let known = config.outputs.keys().cloned().collect();
                    return Err(self.undefined(
                        span,
                        format!("output `module.{name}.{}`", out.as_str()),
                        out.as_str(),
                        known,
                    ));
                }
                let v = self.output_value(&path, out.as_str(), span.clone())?;
                self.apply_ops(v, &rest[1..], sc, span)
            }
            _ => {
                let v = self.module_outputs(&path, span.clone())?;
                self.apply_ops(v, rest, sc, span)
            }
        }
    }

    fn module_outputs(&mut self, path: &ModulePath, span: Option<SourceSpan>) -> R {
        let config = self.module_config(path).ok_or(Stop)?;
        let mut map = BTreeMap::new();
        for name in config.outputs.keys() {
            let v = self.output_value(path, name, span.clone())?;
            map.insert(name.clone(), v);
        }
        Ok(Value::Map(map))
    }

    fn apply_ops(
        &mut self,
        mut value: Value,
        ops: &[&TraversalOperator],
        sc: &Scope,
        span: Option<SourceSpan>,
    ) -> R {
        for (i, op) in ops.iter().enumerate() {
            value = match op {
                TraversalOperator::GetAttr(name) => {
                    let key = Value::String(name.as_str().to_string());
                    match &value {
                        Value::Map(m) if !m.contains_key(name.as_str()) => {
                            let known: Vec<String> = m.keys().cloned().collect();
                            return Err(self.undefined(
                                span,
                                format!("attribute `{}`", name.as_str()),
                                name.as_str(),
                                known,
                            ));
                        }
                        _ => self.apply_pure("(index)", vec![value, key], span.clone())?,
                    }
                }
                TraversalOperator::Index(e) => {
                    let key = self.eval(e, sc)?;
                    self.apply_pure("(index)", vec![value, key], span.clone())?
                }
                TraversalOperator::LegacyIndex(n) => self.apply_pure(
                    "(index)",
                    vec![value, Value::Number(**n as f64)],
                    span.clone(),
                )?,
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let items = match value {
                        Value::List(items) => items,
                        Value::Null => Vec::new(),
                        other => vec![other],
                    };
                    let mut out = Vec::new();
                    for item in items {
                        out.push(self.apply_ops(item, &ops[i + 1..], sc, span.clone())?);
                    }
                    return Ok(Value::List(out));
                }
            };
        }
        Ok(value)
    }
}

/// The span of the first reference (variable or traversal) in an expression, if any.
fn first_reference(expr: &Expression) -> Option<std::ops::Range<usize>> {
    match expr {
        Expression::Variable(_) | Expression::Traversal(_) => expr.span(),
        Expression::Array(a) => a.iter().find_map(first_reference),
        Expression::Object(o) => o.iter().find_map(|(_, v)| first_reference(v.expr())),
        Expression::Parenthesis(p) => first_reference(p.inner()),
        Expression::FuncCall(f) => f.args.iter().find_map(first_reference),
        Expression::UnaryOp(u) => first_reference(&u.expr),
        Expression::BinaryOp(b) => {
            first_reference(&b.lhs_expr).or_else(|| first_reference(&b.rhs_expr))
        }
        Expression::Conditional(c) => first_reference(&c.cond_expr)
            .or_else(|| first_reference(&c.true_expr))
            .or_else(|| first_reference(&c.false_expr)),
        Expression::StringTemplate(t) => t.iter().find_map(|e| match e {
            Element::Interpolation(i) => first_reference(&i.expr),
            _ => None,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::source::load_tree;

    /// Evaluates the locals of a one-file configuration.
    fn locals(text: &str) -> (BTreeMap<String, Option<Value>>, Diagnostics) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.hcl"), text).unwrap();
        let mut diags = Diagnostics::new(dir.path());
        let tree = load_tree(dir.path(), &mut diags).unwrap();
        let mut ev = Evaluator::new(tree, &VarInputs::default(), diags);
        let names: Vec<String> = ev.tree.modules[0].locals.keys().cloned().collect();
        let out = names
            .into_iter()
            .map(|n| {
                let v = ev.local_value(&ModulePath::root(), &n, None).ok();
                (n, v)
            })
            .collect();
        (out, ev.into_diagnostics())
    }

    #[test]
    fn unknowns_flow_through_templates_conditionals_and_calls() {
        let (l, diags) = locals(
            "account \"a\" {\n  name = \"A\"\n  email = \"aws+a@example.com\"\n}\n\
             locals {\n  arn = \"arn:aws:iam::${account.a.id}:root\"\n  pick = account.a.id == \"1\" ? \"x\" : \"y\"\n  upper = upper(account.a.id)\n  n = length([account.a.id])\n  known = account.a.name\n}\n",
        );
        assert!(!diags.has_errors(), "{diags}");
        let arn = l["arn"].clone().unwrap();
        assert!(arn.is_unknown());
        let id = |t: &RefTarget, a: &str| {
            (t == &RefTarget::Resource("account.a".parse().unwrap()) && a == "id")
                .then(|| Value::string("123456789012"))
        };
        assert_eq!(
            arn.resolve(&id).unwrap(),
            Value::string("arn:aws:iam::123456789012:root")
        );
        assert_eq!(
            l["pick"].clone().unwrap().resolve(&id).unwrap(),
            Value::string("y")
        );
        assert_eq!(
            l["upper"].clone().unwrap().resolve(&id).unwrap(),
            Value::string("123456789012")
        );
        assert_eq!(l["n"], Some(Value::Number(1.0)));
        assert_eq!(l["known"], Some(Value::string("A")));
    }

    #[test]
    fn for_expressions_and_splats() {
        let (l, diags) = locals(
            "locals {\n  m = { for k, v in { a = 1, b = 2 } : upper(k) => v * 10 if v > 1 }\n  g = { for s in [\"ab\", \"ac\", \"b\"] : substrless(s) => s... }\n}\n",
        );
        // `substrless` is not a function: reported with its span, the other local still works.
        assert!(diags.has_errors());
        assert_eq!(
            l["m"],
            Some(Value::Map(BTreeMap::from([(
                "B".to_string(),
                Value::Number(20.0)
            )])))
        );
        assert_eq!(l["g"], None);
        let (l, diags) = locals(
            "locals {\n  objs = [{ n = \"x\" }, { n = \"y\" }]\n  names = local.objs[*].n\n  g = { for s in [\"ab\", \"ac\", \"b\"] : split(\"\", s)[0] => s... }\n}\n",
        );
        assert!(
            diags.has_errors(),
            "split with an empty separator is rejected"
        );
        assert_eq!(
            l["names"],
            Some(Value::List(vec![Value::string("x"), Value::string("y")]))
        );
    }

    #[test]
    fn cycles_are_named_once() {
        let (l, diags) = locals("locals {\n  a = local.b\n  b = local.c\n  c = local.a\n}\n");
        assert!(l.values().all(Option::is_none));
        let cycles: Vec<_> = diags
            .iter()
            .filter(|d| d.message.starts_with("reference cycle"))
            .collect();
        assert_eq!(cycles.len(), 1, "{diags}");
        assert!(
            cycles[0]
                .message
                .contains("local.a -> local.b -> local.c -> local.a")
        );
    }
}
