//! Reading configuration files: every `*.hcl` file directly in a module directory, parsed with
//! `hcl-edit` so that every block, attribute and expression keeps its byte span, and indexed
//! by block type. Local modules (`source = "../modules/x"`) are read here too, once per
//! directory, so the evaluator works on an in-memory tree and never touches the disk for
//! configuration.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use hcl_edit::Span;
use hcl_edit::structure::{Attribute, Block, Body, Structure};

use crate::addr::ResourceKind;
use crate::diag::{Diagnostic, Diagnostics, LineIndex, SourceSpan};

/// Block types allowed at the top level of a module.
pub const TOP_LEVEL_BLOCKS: &[&str] = &[
    "backend",
    "organization",
    "root",
    "organizational_unit",
    "account",
    "policy",
    "delegated_administrator",
    "role",
    "variable",
    "locals",
    "module",
    "output",
    "moved",
    "removed",
];

/// One file's text and line index.
#[derive(Debug)]
pub struct SourceFile {
    /// Path relative to the root configuration directory.
    pub rel: String,
    pub text: Arc<str>,
    pub lines: LineIndex,
}

/// A piece of syntax and the file it came from.
#[derive(Debug, Clone)]
pub struct Item<T> {
    pub file: usize,
    pub node: T,
}

/// The indexed blocks of one module directory.
#[derive(Debug, Default)]
pub struct ModuleConfig {
    /// The directory on disk (for `file()` and module sources).
    pub dir: PathBuf,
    /// The directory relative to the root configuration directory.
    pub rel_dir: String,
    pub variables: BTreeMap<String, Item<Block>>,
    pub locals: BTreeMap<String, Item<Attribute>>,
    /// Resource blocks by kind and label (empty label for `organization` and `root`).
    pub resources: BTreeMap<(ResourceKind, String), Item<Block>>,
    /// Module calls by name, with the index of the called module in [`Tree::modules`] (None
    /// when its source could not be read).
    pub modules: BTreeMap<String, (Item<Block>, Option<usize>)>,
    pub outputs: BTreeMap<String, Item<Block>>,
    pub backends: Vec<Item<Block>>,
    pub moved: Vec<Item<Block>>,
    pub removed: Vec<Item<Block>>,
}

/// The root module and every module it calls, with their files.
#[derive(Debug)]
pub struct Tree {
    pub files: Vec<SourceFile>,
    /// `modules[0]` is the root module.
    pub modules: Vec<Arc<ModuleConfig>>,
}

impl Tree {
    /// The diagnostic span of a byte range in a file.
    pub fn span(&self, file: usize, range: Option<Range<usize>>) -> Option<SourceSpan> {
        let f = self.files.get(file)?;
        let range = range?;
        let (line, column) = f.lines.position(&f.text, range.start);
        Some(SourceSpan {
            file: f.rel.clone(),
            line,
            column,
            start: range.start,
            end: range.end,
        })
    }
}

/// Reads the root module in `dir` and every local module it calls. `None` when nothing could
/// be read at all (the directory is missing); otherwise the diagnostics say what was skipped.
pub fn load_tree(dir: &Path, diags: &mut Diagnostics) -> Option<Tree> {
    if !dir.is_dir() {
        diags.push(
            Diagnostic::error(format!(
                "configuration directory {} does not exist or is not a directory",
                dir.display()
            ))
            .help("pass the directory that holds the *.hcl files"),
        );
        return None;
    }
    let mut loader = Loader {
        files: Vec::new(),
        modules: Vec::new(),
        by_dir: BTreeMap::new(),
        diags,
    };
    let root = loader.load_module(dir, String::new(), &mut Vec::new())?;
    debug_assert_eq!(root, 0);
    Some(Tree {
        files: loader.files,
        modules: loader.modules.into_iter().map(Arc::new).collect(),
    })
}

struct Loader<'d> {
    files: Vec<SourceFile>,
    modules: Vec<ModuleConfig>,
    by_dir: BTreeMap<PathBuf, usize>,
    diags: &'d mut Diagnostics,
}

/// `a/b/../c` → `a/c`, keeping leading `..` (paths stay relative to the root directory).
fn normalize(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.last().is_some_and(|p| p != "..") {
                    parts.pop();
                } else {
                    parts.push("..".into());
                }
            }
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    parts.join("/")
}

fn join_rel(rel_dir: &str, name: &str) -> String {
    if rel_dir.is_empty() {
        normalize(Path::new(name))
    } else {
        normalize(&Path::new(rel_dir).join(name))
    }
}

impl Loader<'_> {
    fn span(&self, file: usize, range: Option<Range<usize>>) -> Option<SourceSpan> {
        let f = &self.files[file];
        let range = range?;
        let (line, column) = f.lines.position(&f.text, range.start);
        Some(SourceSpan {
            file: f.rel.clone(),
            line,
            column,
            start: range.start,
            end: range.end,
        })
    }

    fn load_module(
        &mut self,
        dir: &Path,
        rel_dir: String,
        stack: &mut Vec<PathBuf>,
    ) -> Option<usize> {
        let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        if let Some(&id) = self.by_dir.get(&canonical) {
            return Some(id);
        }
        let id = self.modules.len();
        self.modules.push(ModuleConfig {
            dir: dir.to_path_buf(),
            rel_dir: rel_dir.clone(),
            ..Default::default()
        });
        self.by_dir.insert(canonical.clone(), id);
        stack.push(canonical);

        let mut names: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(entries) => entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "hcl") && p.is_file())
                .collect(),
            Err(e) => {
                self.diags.push(Diagnostic::error(format!(
                    "cannot read directory {}: {e}",
                    dir.display()
                )));
                Vec::new()
            }
        };
        names.sort();
        if names.is_empty() && id == 0 {
            self.diags.push(
                Diagnostic::error(format!("no *.hcl files in {}", dir.display()))
                    .help("a configuration is every *.hcl file directly in the directory"),
            );
        }
        let mut config = std::mem::take(&mut self.modules[id]);
        for path in names {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let rel = join_rel(&rel_dir, &name);
            let text = match std::fs::read(&path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(t) => t,
                    Err(_) => {
                        self.diags.push(
                            Diagnostic::error(format!("{rel} is not valid UTF-8 text"))
                                .help("configuration files must be UTF-8 encoded"),
                        );
                        continue;
                    }
                },
                Err(e) => {
                    self.diags
                        .push(Diagnostic::error(format!("cannot read {rel}: {e}")));
                    continue;
                }
            };
            if let Some(body) = self.add_file(rel, text) {
                let file = self.files.len() - 1;
                self.index_body(&mut config, file, body, stack);
            }
        }
        self.modules[id] = config;
        stack.pop();
        Some(id)
    }

    /// Registers a file and parses it; `None` (with a diagnostic) on a syntax error.
    fn add_file(&mut self, rel: String, text: String) -> Option<Body> {
        let text: Arc<str> = Arc::from(text);
        self.diags.add_source(&rel, text.clone());
        let lines = LineIndex::new(&text);
        self.files.push(SourceFile {
            rel: rel.clone(),
            text: text.clone(),
            lines,
        });
        let file = self.files.len() - 1;
        match hcl_edit::parser::parse_body(&text) {
            Ok(body) => Some(body),
            Err(e) => {
                let loc = e.location();
                // hcl-edit's offset can fall inside a multi-byte character (the byte it
                // failed on); the span must start on a character boundary to be sliced.
                let start = text.floor_char_boundary(loc.offset());
                let end = text[start..]
                    .chars()
                    .next()
                    .map(|c| start + c.len_utf8())
                    .unwrap_or(start);
                let mut span = self.span(file, Some(start..end));
                if let Some(s) = &mut span {
                    // hcl-edit's own line and column, which count exactly as ours do.
                    s.line = loc.line();
                    s.column = loc.column();
                }
                self.diags.push(
                    Diagnostic::error(format!("syntax error: {}", e.message()))
                        .at(span)
                        .label("here")
                        .help("the file must be valid HCL: `name = value` attributes and `type \"label\" { ... }` blocks"),
                );
                None
            }
        }
    }

    fn index_body(
        &mut self,
        config: &mut ModuleConfig,
        file: usize,
        body: Body,
        stack: &mut Vec<PathBuf>,
    ) {
        // The stack holds the module being indexed and its callers.
        let is_root = stack.len() == 1;
        for structure in body.into_iter() {
            let block = match structure {
                Structure::Attribute(attr) => {
                    self.diags.push(
                        Diagnostic::error(format!(
                            "unexpected attribute `{}` at the top level",
                            attr.key.as_str()
                        ))
                        .at(self.span(file, attr.span()))
                        .label("attributes belong inside a block")
                        .help("put values in a `locals { ... }` block or inside a resource block"),
                    );
                    continue;
                }
                Structure::Block(b) => b,
            };
            let ident = block.ident.as_str().to_string();
            let span = self.span(file, block.ident.span());
            let labels: Vec<String> = block
                .labels
                .iter()
                .map(|l| l.as_str().to_string())
                .collect();
            let want_labels = match ident.as_str() {
                "organization" | "root" | "locals" | "moved" | "removed" => 0,
                "backend"
                | "organizational_unit"
                | "account"
                | "policy"
                | "delegated_administrator"
                | "role"
                | "variable"
                | "module"
                | "output" => 1,
                _ => {
                    let mut d = Diagnostic::error(format!("unknown block type `{ident}`"))
                        .at(span)
                        .label("not a block orgchard knows");
                    d = d.help(match super::suggest::suggest(&ident, TOP_LEVEL_BLOCKS) {
                        Some(s) => format!(
                            "did you mean `{s}`? accepted: {}",
                            TOP_LEVEL_BLOCKS.join(", ")
                        ),
                        None => format!("accepted: {}", TOP_LEVEL_BLOCKS.join(", ")),
                    });
                    self.diags.push(d);
                    continue;
                }
            };
            if labels.len() != want_labels {
                let what = if want_labels == 0 {
                    format!("a `{ident}` block takes no label")
                } else {
                    format!(
                        "a `{ident}` block takes exactly one label, e.g. `{ident} \"name\" {{ ... }}`"
                    )
                };
                self.diags.push(
                    Diagnostic::error(format!("`{ident}` block has {} label(s)", labels.len()))
                        .at(span)
                        .help(what),
                );
                continue;
            }
            if want_labels == 1 && ident != "backend" && !is_identifier(&labels[0]) {
                self.diags.push(
                    Diagnostic::error(format!("invalid block label {:?}", labels[0]))
                        .at(self.span(file, block.labels[0].span()))
                        .help("labels are identifiers: letters, digits, `_` and `-`, not starting with a digit"),
                );
                continue;
            }
            let label = labels.first().cloned().unwrap_or_default();
            let item = Item { file, node: block };
            match ident.as_str() {
                "locals" => {
                    for s in item.node.body.into_iter() {
                        match s {
                            Structure::Attribute(attr) => {
                                let name = attr.key.as_str().to_string();
                                if let Some(first) = config.locals.get(&name) {
                                    let first = self.span(first.file, first.node.key.span());
                                    self.duplicate(
                                        "local value",
                                        &name,
                                        file,
                                        attr.key.span(),
                                        first,
                                    );
                                    continue;
                                }
                                config.locals.insert(name, Item { file, node: attr });
                            }
                            Structure::Block(b) => {
                                self.diags.push(
                                    Diagnostic::error(format!(
                                        "unexpected block `{}` in `locals`",
                                        b.ident.as_str()
                                    ))
                                    .at(self.span(file, b.ident.span()))
                                    .help("`locals` holds only `name = value` attributes"),
                                );
                            }
                        }
                    }
                }
                "backend" => config.backends.push(item),
                "moved" => config.moved.push(item),
                "removed" if !is_root => {
                    self.diags.push(
                        Diagnostic::error("`removed` block in a module")
                            .at(span)
                            .help("`removed` blocks belong in the root module, with the full address in `from` (module.NAME.account.LABEL)"),
                    );
                }
                "removed" => config.removed.push(item),
                "variable" => self.insert_named(&mut config.variables, "variable", label, item),
                "output" => self.insert_named(&mut config.outputs, "output", label, item),
                "module" => {
                    if config.modules.contains_key(&label) {
                        let first = config
                            .modules
                            .get(&label)
                            .and_then(|(f, _)| self.span(f.file, f.node.ident.span()));
                        self.duplicate("module", &label, file, item.node.ident.span(), first);
                        continue;
                    }
                    let child = self.load_call(config, &item, stack);
                    config.modules.insert(label, (item, child));
                }
                kind => {
                    let Some(kind) = ResourceKind::from_block_type(kind) else {
                        continue;
                    };
                    if kind.is_singleton() && !is_root {
                        self.diags.push(
                            Diagnostic::error(format!(
                                "`{}` block in a module",
                                kind.block_type()
                            ))
                            .at(span)
                            .help("`organization` and `root` may only appear in the root configuration directory"),
                        );
                        continue;
                    }
                    let key = (kind, label.clone());
                    if let Some(first) = config.resources.get(&key) {
                        let first = self.span(first.file, first.node.ident.span());
                        let what = kind.block_type().to_string();
                        self.duplicate(&what, &label, file, item.node.ident.span(), first);
                        continue;
                    }
                    config.resources.insert(key, item);
                }
            }
        }
    }

    fn insert_named(
        &mut self,
        map: &mut BTreeMap<String, Item<Block>>,
        what: &str,
        label: String,
        item: Item<Block>,
    ) {
        if let Some(first) = map.get(&label) {
            let first = self.span(first.file, first.node.ident.span());
            self.duplicate(what, &label, item.file, item.node.ident.span(), first);
            return;
        }
        map.insert(label, item);
    }

    fn duplicate(
        &mut self,
        what: &str,
        name: &str,
        file: usize,
        range: Option<Range<usize>>,
        first: Option<SourceSpan>,
    ) {
        let mut d = Diagnostic::error(format!("duplicate {what} `{name}`"))
            .at(self.span(file, range))
            .label("declared again here");
        if let Some(first) = first {
            d = d.help(format!(
                "first declared at {first}; every {what} name must be unique within its module"
            ));
        }
        self.diags.push(d);
    }

    /// Reads the module a `module` block calls.
    fn load_call(
        &mut self,
        config: &ModuleConfig,
        item: &Item<Block>,
        stack: &mut Vec<PathBuf>,
    ) -> Option<usize> {
        let block = &item.node;
        let Some(attr) = block.body.get_attribute("source") else {
            self.diags.push(
                Diagnostic::error("module block without `source`")
                    .at(self.span(item.file, block.ident.span()))
                    .help("set `source` to the module's directory, a relative path like \"../modules/workload-ous\""),
            );
            return None;
        };
        let span = self.span(item.file, attr.value.span());
        let Some(source) = attr.value.as_str() else {
            self.diags.push(
                Diagnostic::error("module `source` must be a literal string")
                    .at(span)
                    .help("a relative path like \"../modules/workload-ous\"; it cannot use variables or functions"),
            );
            return None;
        };
        if !(source.starts_with("./") || source.starts_with("../")) {
            self.diags.push(
                Diagnostic::error(format!("unsupported module source {source:?}"))
                    .at(span)
                    .help("only local modules are supported: a path starting with ./ or ../"),
            );
            return None;
        }
        let dir = config.dir.join(source);
        if !dir.is_dir() {
            self.diags.push(
                Diagnostic::error(format!("module directory {source:?} does not exist"))
                    .at(span)
                    .help(
                        "the path is relative to the directory of the file that calls the module",
                    ),
            );
            return None;
        }
        let canonical = dir.canonicalize().unwrap_or_else(|_| dir.clone());
        if stack.contains(&canonical) {
            self.diags.push(
                Diagnostic::error(format!("module {source:?} calls itself"))
                    .at(span)
                    .help("modules may not call themselves, directly or through other modules"),
            );
            return None;
        }
        let rel_dir = join_rel(&config.rel_dir, source);
        self.load_module(&dir, rel_dir, stack)
    }
}

/// An HCL identifier: letters, digits, `_` and `-`, not starting with a digit or `-`.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_relative_paths() {
        assert_eq!(join_rel("", "main.hcl"), "main.hcl");
        assert_eq!(
            join_rel("../../modules/x", "main.hcl"),
            "../../modules/x/main.hcl"
        );
        assert_eq!(join_rel("a/b", "../c"), "a/c");
        assert_eq!(join_rel("..", "../m"), "../../m");
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("log_archive"));
        assert!(is_identifier("a-b"));
        assert!(!is_identifier("1a"));
        assert!(!is_identifier("a b"));
        assert!(!is_identifier(""));
    }
}
