//! The canonical layout of orgchard's HCL files, as `orgchard fmt` writes it: the rules of
//! `terraform fmt` (two-space indentation by nesting depth, `=` aligned across runs of
//! single-line attributes, one blank line at most, blocks set apart by a blank line, one
//! trailing newline), applied to the span- and comment-keeping syntax tree of `hcl-edit`.
//!
//! The printer never changes what a file means: it only rewrites whitespace, commas between
//! multi-line items, and where a comment sits on its line. Where it meets a construct whose
//! layout it cannot normalize without risk (a comment inside an operator expression, a heredoc
//! nested in a call), it keeps that expression exactly as written.

use std::fmt;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use hcl_edit::expr::{
    Array, Expression, ForExpr, FuncArgs, FuncCall, Object, ObjectKey, ObjectValueAssignment,
    ObjectValueTerminator, Traversal, TraversalOperator,
};
use hcl_edit::structure::{Attribute, Block, BlockLabel, Body, Structure};
use hcl_edit::{Decor, Decorate};

const INDENT: &str = "  ";

/// A file that is not valid HCL: where, and what the parser expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// One-based line of the error.
    pub line: usize,
    /// One-based column of the error.
    pub column: usize,
    /// The parser's explanation.
    pub message: String,
    /// The source line the error is on, quoted in the message.
    pub source_line: String,
}

impl SyntaxError {
    fn from_parser(err: &hcl_edit::parser::Error) -> Self {
        SyntaxError {
            line: err.location().line(),
            column: err.location().column(),
            message: err.message().trim().replace('\n', "; "),
            source_line: err.line().trim_end().to_string(),
        }
    }

    /// The error as a diagnostic with the file name, the quoted line and a caret.
    pub fn render(&self, file: &Path) -> String {
        let gutter = self.line.to_string().len();
        let pad = " ".repeat(gutter);
        // The caret goes under the column; tabs before it are kept so that it lines up.
        let lead: String = self
            .source_line
            .chars()
            .take(self.column.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        format!(
            "{}:{}:{}: invalid HCL: {}\n{pad} |\n{} | {}\n{pad} | {lead}^",
            file.display(),
            self.line,
            self.column,
            self.message,
            self.line,
            self.source_line,
        )
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// Why one file (or the directory) could not be formatted.
#[derive(Debug, thiserror::Error)]
pub enum FmtError {
    /// The file does not parse; it was left untouched.
    #[error("{}", .error.render(.path))]
    Syntax { path: PathBuf, error: SyntaxError },
    /// The file or directory could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The formatted file could not be written back.
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// What [`format_dir`] did.
#[derive(Debug, Default)]
pub struct FmtOutcome {
    /// The files whose layout differs from the canonical one (rewritten unless checking).
    pub changed: Vec<PathBuf>,
    /// The files that could not be formatted; every other file was still handled.
    pub errors: Vec<FmtError>,
}

/// Formats one HCL source text. Returns the canonical text, or where the source fails to parse.
pub fn format_source(src: &str) -> Result<String, SyntaxError> {
    let mut body = hcl_edit::parser::parse_body(src).map_err(|e| SyntaxError::from_parser(&e))?;
    hcl_edit::visit_mut::VisitMut::visit_body_mut(&mut OperatorDecor { src }, &mut body);
    let mut lines = Vec::new();
    print_body(&body, 0, &mut lines);
    let tail = body_trailing_lines(&body, 0, !lines.is_empty());
    lines.extend(tail);
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    if lines.is_empty() {
        return Ok(String::new());
    }
    let mut out = lines.join("\n");
    out.push('\n');
    Ok(out)
}

/// Formats every `*.hcl` file directly in `path` (or the single file `path`). With `check`,
/// nothing is written: `changed` lists the files that would change. Files are rewritten
/// through a temporary file and a rename, so a reader never sees a half-written file.
pub fn format_dir(path: &Path, check: bool) -> Result<FmtOutcome, FmtError> {
    let files = hcl_files(path)?;
    let mut outcome = FmtOutcome::default();
    for file in files {
        match format_file(&file, check) {
            Ok(true) => outcome.changed.push(file),
            Ok(false) => {}
            Err(e) => outcome.errors.push(e),
        }
    }
    Ok(outcome)
}

/// The `*.hcl` files directly in `path`, sorted, with `./` dropped from their names.
fn hcl_files(path: &Path) -> Result<Vec<PathBuf>, FmtError> {
    let read_err = |source| FmtError::Read {
        path: path.to_path_buf(),
        source,
    };
    let meta = fs::metadata(path).map_err(read_err)?;
    if meta.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in fs::read_dir(path).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        let name = entry.file_name();
        let is_hcl = Path::new(&name).extension().is_some_and(|e| e == "hcl");
        if is_hcl && entry.file_type().map_err(read_err)?.is_file() {
            let joined = path.join(&name);
            let shown = joined
                .strip_prefix(".")
                .map(Path::to_path_buf)
                .unwrap_or(joined);
            files.push(shown);
        }
    }
    files.sort();
    Ok(files)
}

/// Formats one file; `Ok(true)` when its layout was not canonical.
fn format_file(path: &Path, check: bool) -> Result<bool, FmtError> {
    let src = fs::read_to_string(path).map_err(|source| FmtError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let formatted = format_source(&src).map_err(|error| FmtError::Syntax {
        path: path.to_path_buf(),
        error,
    })?;
    if formatted == src {
        return Ok(false);
    }
    if !check {
        write_atomically(path, formatted.as_bytes()).map_err(|source| FmtError::Write {
            path: path.to_path_buf(),
            source,
        })?;
    }
    Ok(true)
}

fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let permissions = fs::metadata(path)?.permissions();
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    tmp.as_file().set_permissions(permissions)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Restores the whitespace and comments around binary operators, which the parser (hcl-edit
/// 0.10) leaves as unresolved source spans, so that a comment next to an operator is not lost:
/// the text between the two operands is split at the operator and stored explicitly.
struct OperatorDecor<'s> {
    src: &'s str,
}

impl hcl_edit::visit_mut::VisitMut for OperatorDecor<'_> {
    fn visit_binary_op_mut(&mut self, node: &mut hcl_edit::expr::BinaryOp) {
        hcl_edit::visit_mut::visit_binary_op_mut(self, node);
        use hcl_edit::Span as _;
        let (Some(lhs), Some(rhs)) = (node.lhs_expr.span(), node.rhs_expr.span()) else {
            return;
        };
        let Some(between) = self.src.get(lhs.end..rhs.start) else {
            return;
        };
        let op = node.operator.value().as_str();
        let Some(at) = operator_position(between, op) else {
            return;
        };
        node.lhs_expr.decor_mut().set_suffix(&between[..at]);
        node.operator.decor_mut().set_prefix("");
        node.operator
            .decor_mut()
            .set_suffix(&between[at + op.len()..]);
        node.rhs_expr.decor_mut().set_prefix("");
    }
}

/// Where `op` starts in `text`, skipping the whitespace and comments before it.
fn operator_position(text: &str, op: &str) -> Option<usize> {
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let c = rest.chars().next()?;
        // Comments first: `/*` and `//` start with the division operator.
        if c.is_whitespace() {
            i += c.len_utf8();
        } else if rest.starts_with("/*") {
            i += rest.find("*/")? + 2;
        } else if rest.starts_with('#') || rest.starts_with("//") {
            i += rest.find('\n')?;
        } else if rest.starts_with(op) {
            return Some(i);
        } else {
            return None;
        }
    }
    None
}

// ----- trivia: the whitespace and comments hcl-edit keeps around every node -----

#[derive(Debug, Clone, PartialEq, Eq)]
enum Lead {
    Blank,
    Comment(String),
}

/// Comments and line structure of one raw decor string.
#[derive(Debug, Default)]
struct Trivia {
    /// Comments on the line the decor starts on (before its first newline).
    inline: Vec<String>,
    /// Blank lines and whole-line comments after that.
    lines: Vec<Lead>,
    /// Whether the decor contains a line break at all.
    has_newline: bool,
}

fn raw_of(decor: &Decor) -> (&str, &str) {
    (
        decor.prefix().map(|r| &**r).unwrap_or(""),
        decor.suffix().map(|r| &**r).unwrap_or(""),
    )
}

/// Splits decor text into comments and newlines. `at_line_start` says the text begins right
/// after a line break that was consumed elsewhere (a body's structures), so a leading newline
/// there is a blank line.
fn trivia(raw: &str, at_line_start: bool) -> Trivia {
    let mut t = Trivia::default();
    let mut newlines = usize::from(at_line_start);
    let mut rest = raw;
    while !rest.is_empty() {
        let c = rest.chars().next().unwrap_or(' ');
        if c == '\n' {
            newlines += 1;
            t.has_newline = true;
            rest = &rest[1..];
        } else if c.is_whitespace() {
            rest = &rest[c.len_utf8()..];
        } else {
            let (comment, after) = if rest.starts_with("/*") {
                let end = rest.find("*/").map(|i| i + 2).unwrap_or(rest.len());
                rest.split_at(end)
            } else {
                // `#` and `//` comments, or anything unexpected: keep it to the end of line.
                let end = rest.find('\n').unwrap_or(rest.len());
                rest.split_at(end)
            };
            let comment = comment.trim_end().to_string();
            let spans_lines = comment.contains('\n');
            if newlines == 0 && !at_line_start {
                t.inline.push(comment);
            } else {
                if newlines >= 2 {
                    push_blank(&mut t.lines);
                }
                t.lines.push(Lead::Comment(comment));
            }
            t.has_newline |= spans_lines;
            newlines = 0;
            rest = after;
        }
    }
    if newlines >= 2 {
        push_blank(&mut t.lines);
    }
    t
}

fn push_blank(lines: &mut Vec<Lead>) {
    if lines.last() != Some(&Lead::Blank) {
        lines.push(Lead::Blank);
    }
}

/// Whether a decor holds only spaces: no comment and no line break.
fn plain(decor: &Decor) -> bool {
    let (p, s) = raw_of(decor);
    p.trim().is_empty() && s.trim().is_empty() && !p.contains('\n') && !s.contains('\n')
}

fn all_comments(decor: &Decor) -> Vec<String> {
    let (p, s) = raw_of(decor);
    let mut out = Vec::new();
    for raw in [p, s] {
        let t = trivia(raw, false);
        out.extend(t.inline);
        out.extend(t.lines.into_iter().filter_map(|l| match l {
            Lead::Comment(c) => Some(c),
            Lead::Blank => None,
        }));
    }
    out
}

// ----- bodies -----

/// One structure (or list entry) laid out, before alignment.
struct Item {
    lead: Vec<Lead>,
    /// `Some((key, operator))` for an attribute or object item, whose operator may be aligned.
    key: Option<(String, &'static str)>,
    /// The rest of the item: the value (after the operator) or the whole block.
    text: String,
    trailing: Vec<String>,
    is_block: bool,
    /// What follows the item on its line: `,` in arrays and calls, `...` after an expanded
    /// final argument.
    sep: &'static str,
}

fn print_body(body: &Body, depth: usize, out: &mut Vec<String>) {
    let mut items = Vec::new();
    for structure in body.iter() {
        let (prefix, suffix) = raw_of(structure.decor());
        let lead = trivia(prefix, true).lines;
        let mut trailing = trivia(suffix, false).inline;
        let item = match structure {
            Structure::Attribute(attr) => {
                let (text, extra) = print_attribute_value(attr, depth);
                trailing.extend(extra);
                Item {
                    lead,
                    key: Some((attr.key.as_str().to_string(), "=")),
                    text,
                    trailing,
                    is_block: false,
                    sep: "",
                }
            }
            Structure::Block(block) => Item {
                lead,
                key: None,
                text: print_block(block, depth),
                trailing,
                is_block: true,
                sep: "",
            },
        };
        items.push(item);
    }
    // Blocks are set apart from their neighbours by exactly one blank line.
    for i in 0..items.len() {
        let needs_blank = i > 0 && (items[i].is_block || items[i - 1].is_block);
        if needs_blank && items[i].lead.first() != Some(&Lead::Blank) {
            items[i].lead.insert(0, Lead::Blank);
        }
    }
    emit_items(&items, depth, out);
}

/// The comment lines before a body's closing brace (or the end of the file).
fn body_trailing_lines(body: &Body, depth: usize, after_items: bool) -> Vec<String> {
    let (_, suffix) = raw_of(body.decor());
    let t = trivia(suffix, true);
    lead_lines(&t.lines, depth, after_items, false)
}

/// The lines of blank lines and comments. A blank line is dropped at the start unless
/// `allow_leading_blank`, and at the end when `before_close` (nothing follows but a brace).
fn lead_lines(
    lead: &[Lead],
    depth: usize,
    allow_leading_blank: bool,
    before_close: bool,
) -> Vec<String> {
    let indent = INDENT.repeat(depth);
    let mut lead = lead;
    if !allow_leading_blank && lead.first() == Some(&Lead::Blank) {
        lead = &lead[1..];
    }
    if before_close && lead.last() == Some(&Lead::Blank) {
        lead = &lead[..lead.len() - 1];
    }
    lead.iter()
        .map(|l| match l {
            Lead::Blank => String::new(),
            Lead::Comment(c) => format!("{indent}{c}"),
        })
        .collect()
}

/// Writes items at `depth`, aligning the operators of runs of consecutive single-line keyed
/// items.
fn emit_items(items: &[Item], depth: usize, out: &mut Vec<String>) {
    let indent = INDENT.repeat(depth);
    let mut widths = vec![0usize; items.len()];
    let mut i = 0;
    while i < items.len() {
        let single = |it: &Item| it.key.is_some() && !it.text.contains('\n');
        if !single(&items[i]) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < items.len() && single(&items[j]) && items[j].lead.is_empty() {
            j += 1;
        }
        let width = items[i..j]
            .iter()
            .map(|it| it.key.as_ref().map_or(0, |k| k.0.chars().count()))
            .max()
            .unwrap_or(0);
        for w in &mut widths[i..j] {
            *w = width;
        }
        i = j;
    }
    for (n, item) in items.iter().enumerate() {
        let lead = lead_lines(&item.lead, depth, n > 0, false);
        out.extend(lead);
        let mut line = indent.clone();
        if let Some((key, op)) = &item.key {
            line.push_str(key);
            let pad = widths[n].saturating_sub(key.chars().count());
            line.push_str(&" ".repeat(pad));
            line.push(' ');
            line.push_str(op);
            line.push(' ');
        }
        line.push_str(&item.text);
        line.push_str(item.sep);
        if !item.trailing.is_empty() {
            line.push(' ');
            line.push_str(&item.trailing.join(" "));
        }
        out.extend(line.split('\n').map(str::to_string));
    }
}

/// An attribute's value, and the comments found between its key and value.
fn print_attribute_value(attr: &Attribute, depth: usize) -> (String, Vec<String>) {
    let mut comments = all_comments(attr.key.decor());
    comments.extend(all_comments(attr.value.decor()));
    (print_value(&attr.value, depth), comments)
}

/// A value in a position where the line ends after it (attribute, object item).
fn print_value(expr: &Expression, depth: usize) -> String {
    // The end marker of a heredoc must stay alone on its line, so anything that wraps one is
    // kept as written rather than risk putting `)` or `]` after it.
    if !matches!(expr, Expression::HeredocTemplate(_)) && contains_heredoc(expr) {
        return verbatim(expr);
    }
    print_expr(expr, depth)
}

fn contains_heredoc(expr: &Expression) -> bool {
    struct Find(bool);
    impl hcl_edit::visit::Visit for Find {
        fn visit_heredoc_template(&mut self, _: &hcl_edit::template::HeredocTemplate) {
            self.0 = true;
        }
    }
    let mut find = Find(false);
    hcl_edit::visit::Visit::visit_expr(&mut find, expr);
    find.0
}

/// A block's text from its identifier to its closing brace; comments found in its header end
/// the header line.
fn print_block(block: &Block, depth: usize) -> String {
    let mut header = block.ident.as_str().to_string();
    let mut comments = all_comments(block.ident.decor());
    for label in &block.labels {
        header.push(' ');
        match label {
            BlockLabel::Ident(ident) => header.push_str(ident.as_str()),
            BlockLabel::String(s) => {
                let quoted = Expression::String(hcl_edit::Decorated::new(s.value().clone()));
                header.push_str(&quoted.to_string());
            }
        }
        comments.extend(all_comments(label.decor()));
    }
    let body = &block.body;
    let (body_prefix, body_suffix) = raw_of(body.decor());
    let open = trivia(body_prefix, false);
    comments.extend(open.inline.iter().cloned());
    let closing = trivia(body_suffix, true);
    let body_has_comments = !comments.is_empty()
        || closing.lines.iter().any(|l| matches!(l, Lead::Comment(_)))
        || !closing.inline.is_empty()
        || body.iter().any(|s| {
            let (p, x) = raw_of(s.decor());
            !p.trim().is_empty() || !x.trim().is_empty()
        });
    if body.is_empty() && !body_has_comments {
        return format!("{header} {{}}");
    }
    // A one-line block stays on one line when it still fits the one-line form: a single
    // attribute with a single-line value and no comments.
    if body.prefer_oneline()
        && body.len() == 1
        && !body_has_comments
        && let Some(Structure::Attribute(attr)) = body.get(0)
    {
        let (value, extra) = print_attribute_value(attr, depth + 1);
        if extra.is_empty() && !value.contains('\n') {
            let text = format!("{header} {{ {} = {value} }}", attr.key.as_str());
            return text;
        }
    }
    let mut lines = vec![if comments.is_empty() {
        format!("{header} {{")
    } else {
        format!("{header} {{ {}", comments.join(" "))
    }];
    print_body(body, depth + 1, &mut lines);
    let had_items = lines.len() > 1;
    lines.extend(lead_lines(&closing.lines, depth + 1, had_items, true));
    lines.push(format!("{}}}", INDENT.repeat(depth)));
    lines.join("\n")
}

// ----- expressions -----

/// The expression as written, without the whitespace around it.
fn verbatim(expr: &Expression) -> String {
    let mut e = expr.clone();
    e.decor_mut().clear();
    e.to_string()
}

/// Prints an expression whose first line continues a line already indented at `depth`; its
/// own decor is the caller's business.
fn print_expr(expr: &Expression, depth: usize) -> String {
    match expr {
        Expression::Array(array) => print_array(array, depth),
        Expression::Object(object) => print_object(object, depth),
        Expression::FuncCall(call) => print_call(call, depth),
        Expression::Traversal(t) => print_traversal(t, depth).unwrap_or_else(|| verbatim(expr)),
        Expression::Parenthesis(p) if plain(p.inner().decor()) => {
            format!("({})", print_expr(p.inner(), depth))
        }
        Expression::Conditional(c)
            if on_one_line(c.cond_expr.decor())
                && on_one_line(c.true_expr.decor())
                && on_one_line(c.false_expr.decor()) =>
        {
            let mut parts = Vec::new();
            operand(&mut parts, &c.cond_expr, depth);
            parts.push("?".to_string());
            operand(&mut parts, &c.true_expr, depth);
            parts.push(":".to_string());
            operand(&mut parts, &c.false_expr, depth);
            parts.join(" ")
        }
        Expression::BinaryOp(op)
            if on_one_line(op.lhs_expr.decor())
                && on_one_line(op.operator.decor())
                && on_one_line(op.rhs_expr.decor()) =>
        {
            let mut parts = Vec::new();
            operand(&mut parts, &op.lhs_expr, depth);
            let (before, after) = raw_of(op.operator.decor());
            parts.extend(trivia(before, false).inline);
            parts.push(op.operator.value().as_str().to_string());
            parts.extend(trivia(after, false).inline);
            operand(&mut parts, &op.rhs_expr, depth);
            parts.join(" ")
        }
        Expression::UnaryOp(op) if plain(op.expr.decor()) => {
            format!(
                "{}{}",
                op.operator.value().as_str(),
                print_expr(&op.expr, depth)
            )
        }
        Expression::ForExpr(f) => print_for(f, depth).unwrap_or_else(|| verbatim(expr)),
        _ => verbatim(expr),
    }
}

/// Whether a decor holds no line break (block comments are fine: they stay inline).
fn on_one_line(decor: &Decor) -> bool {
    let (p, s) = raw_of(decor);
    !p.contains('\n') && !s.contains('\n')
}

/// An operand of an operator, with the inline comments around it, as space-separated parts.
fn operand(parts: &mut Vec<String>, expr: &Expression, depth: usize) {
    let (before, after) = raw_of(expr.decor());
    parts.extend(trivia(before, false).inline);
    parts.push(print_expr(expr, depth));
    parts.extend(trivia(after, false).inline);
}

fn print_traversal(t: &Traversal, depth: usize) -> Option<String> {
    if !plain(t.expr.decor()) {
        return None;
    }
    let mut out = print_expr(&t.expr, depth);
    for op in &t.operators {
        if !plain(op.decor()) {
            return None;
        }
        match op.value() {
            TraversalOperator::AttrSplat(_) => out.push_str(".*"),
            TraversalOperator::FullSplat(_) => out.push_str("[*]"),
            TraversalOperator::GetAttr(ident) => {
                out.push('.');
                out.push_str(ident.as_str());
            }
            TraversalOperator::Index(index) => {
                if !plain(index.decor()) {
                    return None;
                }
                out.push('[');
                out.push_str(&print_expr(index, depth));
                out.push(']');
            }
            TraversalOperator::LegacyIndex(i) => {
                out.push('.');
                out.push_str(&i.value().to_string());
            }
        }
    }
    Some(out)
}

fn print_for(f: &ForExpr, depth: usize) -> Option<String> {
    let intro = &f.intro;
    let mut parts_plain = plain(intro.decor())
        && plain(intro.value_var.decor())
        && plain(intro.collection_expr.decor())
        && plain(f.value_expr.decor());
    if let Some(k) = &intro.key_var {
        parts_plain &= plain(k.decor());
    }
    if let Some(k) = &f.key_expr {
        parts_plain &= plain(k.decor());
    }
    if let Some(c) = &f.cond {
        parts_plain &= plain(c.decor()) && plain(c.expr.decor());
    }
    if !parts_plain {
        return None;
    }
    let mut s = String::from("for ");
    if let Some(k) = &intro.key_var {
        s.push_str(k.as_str());
        s.push_str(", ");
    }
    s.push_str(intro.value_var.as_str());
    s.push_str(" in ");
    s.push_str(&print_expr(&intro.collection_expr, depth));
    s.push_str(" : ");
    if let Some(k) = &f.key_expr {
        s.push_str(&print_expr(k, depth));
        s.push_str(" => ");
    }
    s.push_str(&print_expr(&f.value_expr, depth));
    if f.grouping {
        s.push_str("...");
    }
    if let Some(c) = &f.cond {
        s.push_str(" if ");
        s.push_str(&print_expr(&c.expr, depth));
    }
    Some(if f.key_expr.is_some() {
        format!("{{ {s} }}")
    } else {
        format!("[{s}]")
    })
}

/// One element of a bracketed list (array, call arguments, object), with its raw decor.
struct Entry<'a> {
    prefix: &'a str,
    /// The entry starts a line: the entry before it ended with a line break (object items
    /// may be separated by newlines instead of commas, and that newline is in no decor).
    line_start: bool,
    /// Decor strings between the element's start and its separator.
    inner: Vec<&'a str>,
    key: Option<(String, &'static str)>,
    value: &'a Expression,
}

/// The punctuation of one kind of bracketed list.
#[derive(Clone, Copy)]
struct ListStyle<'a> {
    open: &'a str,
    close: &'static str,
    /// After every entry but the last, in the one-entry-per-line form.
    sep: &'static str,
    /// After the last entry, in the one-entry-per-line form.
    last_sep: &'static str,
    /// Spaces inside the brackets in the one-line form: `{ a = 1 }` but `[1]`.
    pad: bool,
}

/// Lays out a bracketed list: on one line when the source had no line break or comment in it,
/// otherwise one entry per line, one level deeper, each followed by `sep`.
fn print_list(
    style: &ListStyle<'_>,
    entries: &[Entry<'_>],
    trailing_raw: &str,
    trailing_line_start: bool,
    depth: usize,
) -> String {
    let ListStyle {
        open,
        close,
        sep,
        last_sep,
        pad: one_line_pad,
    } = *style;
    let prefixes: Vec<Trivia> = entries
        .iter()
        .map(|e| trivia(e.prefix, e.line_start))
        .collect();
    let inners: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            e.inner
                .iter()
                .flat_map(|raw| {
                    let t = trivia(raw, false);
                    let mut c = t.inline;
                    c.extend(t.lines.into_iter().filter_map(|l| match l {
                        Lead::Comment(c) => Some(c),
                        Lead::Blank => None,
                    }));
                    c
                })
                .collect()
        })
        .collect();
    let trailing = trivia(trailing_raw, trailing_line_start);
    let multiline = trailing_line_start
        || entries.iter().any(|e| e.line_start)
        || trailing.has_newline
        || !trailing.inline.is_empty()
        || !trailing.lines.is_empty()
        || prefixes
            .iter()
            .any(|t| t.has_newline || !t.inline.is_empty() || !t.lines.is_empty())
        || inners.iter().any(|c| !c.is_empty())
        || entries
            .iter()
            .flat_map(|e| e.inner.iter())
            .any(|raw| raw.contains('\n'));

    if !multiline {
        if entries.is_empty() {
            return format!("{open}{close}");
        }
        let parts: Vec<String> = entries
            .iter()
            .map(|e| {
                let value = print_expr(e.value, depth);
                match &e.key {
                    Some((k, op)) => format!("{k} {op} {value}"),
                    None => value,
                }
            })
            .collect();
        let pad = if one_line_pad { " " } else { "" };
        return format!("{open}{pad}{}{pad}{close}", parts.join(", "));
    }

    let mut open_comments = Vec::new();
    let mut items: Vec<Item> = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let p = &prefixes[i];
        // Comments before the first line break belong to the line before this entry.
        match items.last_mut() {
            Some(prev) => prev.trailing.extend(p.inline.iter().cloned()),
            None => open_comments.extend(p.inline.iter().cloned()),
        }
        let mut lead = p.lines.clone();
        if i == 0 {
            while lead.first() == Some(&Lead::Blank) {
                lead.remove(0);
            }
        }
        items.push(Item {
            lead,
            key: entry.key.clone(),
            text: print_value(entry.value, depth + 1),
            trailing: inners[i].clone(),
            is_block: false,
            sep: if i + 1 == entries.len() {
                last_sep
            } else {
                sep
            },
        });
    }
    match items.last_mut() {
        Some(prev) => prev.trailing.extend(trailing.inline.iter().cloned()),
        None => open_comments.extend(trailing.inline.iter().cloned()),
    }
    let mut lines = vec![if open_comments.is_empty() {
        open.to_string()
    } else {
        format!("{open} {}", open_comments.join(" "))
    }];
    emit_items(&items, depth + 1, &mut lines);
    let had_items = !entries.is_empty();
    lines.extend(lead_lines(&trailing.lines, depth + 1, had_items, true));
    lines.push(format!("{}{close}", INDENT.repeat(depth)));
    lines.join("\n")
}

fn print_array(array: &Array, depth: usize) -> String {
    let entries: Vec<Entry<'_>> = array
        .iter()
        .map(|e| {
            let (p, s) = raw_of(e.decor());
            Entry {
                prefix: p,
                line_start: false,
                inner: vec![s],
                key: None,
                value: e,
            }
        })
        .collect();
    let style = ListStyle {
        open: "[",
        close: "]",
        sep: ",",
        last_sep: ",",
        pad: false,
    };
    print_list(&style, &entries, array.trailing(), false, depth)
}

fn print_object(object: &Object, depth: usize) -> String {
    let mut after_newline = false;
    let entries: Vec<Entry<'_>> = object
        .iter()
        .map(|(k, v)| {
            let line_start = after_newline;
            after_newline = v.terminator() == ObjectValueTerminator::Newline;
            let (kp, ks) = raw_of(k.decor());
            let (vp, vs) = raw_of(v.expr().decor());
            let key = match k {
                ObjectKey::Ident(ident) => ident.as_str().to_string(),
                ObjectKey::Expression(e) => print_expr(e, depth + 1),
            };
            let op = match v.assignment() {
                ObjectValueAssignment::Colon => ":",
                ObjectValueAssignment::Equals => "=",
            };
            Entry {
                prefix: kp,
                line_start,
                inner: vec![ks, vp, vs],
                key: Some((key, op)),
                value: v.expr(),
            }
        })
        .collect();
    let style = ListStyle {
        open: "{",
        close: "}",
        sep: "",
        last_sep: "",
        pad: true,
    };
    print_list(&style, &entries, object.trailing(), after_newline, depth)
}

fn print_call(call: &FuncCall, depth: usize) -> String {
    let mut name = String::new();
    for ns in &call.name.namespace {
        name.push_str(ns.as_str());
        name.push_str("::");
    }
    name.push_str(call.name.name.as_str());
    let args: &FuncArgs = &call.args;
    if !plain(call.name.name.decor()) || !plain(args.decor()) {
        return verbatim(&Expression::FuncCall(Box::new(call.clone())));
    }
    let entries: Vec<Entry<'_>> = args
        .iter()
        .map(|e| {
            let (p, s) = raw_of(e.decor());
            Entry {
                prefix: p,
                line_start: false,
                inner: vec![s],
                key: None,
                value: e,
            }
        })
        .collect();
    let last_sep = if args.expand_final() { "..." } else { "," };
    let open = format!("{name}(");
    let style = ListStyle {
        open: &open,
        close: ")",
        sep: ",",
        last_sep,
        pad: false,
    };
    let list = print_list(&style, &entries, args.trailing(), false, depth);
    if args.expand_final() && !list.contains('\n') {
        // One-line form: `f(a, b...)`; the expansion marker follows the last argument.
        let inner = &list[name.len() + 1..list.len() - 1];
        return format!("{name}({inner}...)");
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(src: &str) -> String {
        format_source(src).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn aligns_equals_across_a_run_of_attributes() {
        let out = fmt("a = 1\nlonger_name = 2\n\nc = 3\n");
        assert_eq!(out, "a           = 1\nlonger_name = 2\n\nc = 3\n");
    }

    #[test]
    fn indents_nested_blocks_and_separates_them() {
        let out = fmt("x \"a\" {\nb = 1\ny {\nc = 2\n}\nd = 3\n}\nz {}\n");
        assert_eq!(
            out,
            "x \"a\" {\n  b = 1\n\n  y {\n    c = 2\n  }\n\n  d = 3\n}\n\nz {}\n"
        );
    }

    #[test]
    fn keeps_comments_next_to_operators() {
        let out = fmt("d = var.a + /* c */ var.b\ne = (var.a # why\n  + 1)\n");
        assert_eq!(out, "d = var.a + /* c */ var.b\ne = (var.a # why\n  + 1)\n");
        assert_eq!(fmt("f = var.a   +   var.b\n"), "f = var.a + var.b\n");
    }

    #[test]
    fn keeps_comments() {
        let src = "# head\n\n\n\n# about a\na = 1 # trailing\nb = [\n  1, # one\n  # before two\n  2\n]\n";
        let out = fmt(src);
        assert_eq!(
            out,
            "# head\n\n# about a\na = 1 # trailing\nb = [\n  1, # one\n  # before two\n  2,\n]\n"
        );
    }

    #[test]
    fn one_line_collections_get_canonical_spacing() {
        assert_eq!(fmt("a = [ 1,2 ,3 ]\n"), "a = [1, 2, 3]\n");
        assert_eq!(fmt("a = {x=1,y=2}\n"), "a = { x = 1, y = 2 }\n");
        assert_eq!(fmt("a = {}\nb = []\n"), "a = {}\nb = []\n");
        assert_eq!(fmt("a = f( 1 ,2 )\n"), "a = f(1, 2)\n");
        assert_eq!(fmt("a = f(x...)\n"), "a = f(x...)\n");
    }

    #[test]
    fn one_line_blocks_keep_their_form() {
        assert_eq!(
            fmt("b \"e\" {   path = \"p\"   }\n"),
            "b \"e\" { path = \"p\" }\n"
        );
        assert_eq!(fmt("b {\n}\n"), "b {}\n");
    }

    #[test]
    fn trailing_newlines_and_whitespace_are_normalized() {
        assert_eq!(fmt("\n\na = 1   \n\n\n\n"), "a = 1\n");
        assert_eq!(fmt(""), "");
        assert_eq!(fmt("a = 1"), "a = 1\n");
    }

    #[test]
    fn syntax_error_points_at_the_line() {
        let err = format_source("ok = 1\nblock {\n  x = = 2\n}\n").unwrap_err();
        assert_eq!((err.line, err.source_line.as_str()), (3, "  x = = 2"));
        let rendered = err.render(Path::new("main.hcl"));
        assert!(rendered.starts_with("main.hcl:3:"), "{rendered}");
        assert!(rendered.contains("3 |   x = = 2"), "{rendered}");
    }
}
