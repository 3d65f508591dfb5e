//! Diagnostics: every problem orgchard reports, as values that accumulate. One type serves
//! configuration errors, plan-time errors (`prevent_destroy`, quotas, a block bound to a
//! closed account), lockouts and warnings.
//!
//! Each carries a severity, a message, the address it is about, the source span that
//! declares it (file, line, column and byte range), and a help text saying what is
//! accepted. They are collected for a whole run and rendered together with `miette`, which
//! quotes the source line and marks the span; the plan's warnings are shown as one line each.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SpanContents,
};
use serde::{Deserialize, Serialize};

use crate::addr::Address;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

/// A place in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SourceSpan {
    /// The file, relative to the configuration directory (`main.hcl`,
    /// `../modules/guardrails/main.hcl`).
    pub file: String,
    /// 1-based line of the start.
    pub line: usize,
    /// 1-based column (in characters) of the start.
    pub column: usize,
    /// Byte offsets in the file.
    pub start: usize,
    pub end: usize,
}

impl fmt::Display for SourceSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One error or warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// What is wrong, one sentence.
    pub message: String,
    /// The resource it is about, when it is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// Where; `None` for problems with no place in a file (a missing directory, `-var`).
    pub span: Option<SourceSpan>,
    /// A short note shown at the marker.
    pub label: Option<String>,
    /// What is accepted, or how to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// The message is shortened when it quotes a huge value; so are label and help.
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: short(message.into()),
            address: None,
            span: None,
            label: None,
            help: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    pub fn about(mut self, address: Option<&Address>) -> Self {
        self.address = address.cloned();
        self
    }

    pub fn at(mut self, span: Option<SourceSpan>) -> Self {
        self.span = span;
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(short(label.into()));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(short(help.into()));
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The address and the message, as one line: how a plan lists its warnings.
    pub fn headline(&self) -> String {
        match &self.address {
            Some(a) => format!("{a}: {}", self.message),
            None => self.message.clone(),
        }
    }
}

fn short(text: String) -> String {
    match crate::output::shorten(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(s) => s,
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match &self.span {
            Some(span) => write!(f, "{span}: {sev}: {}", self.headline())?,
            None => write!(f, "{sev}: {}", self.headline())?,
        }
        if let Some(help) = &self.help {
            write!(f, " ({help})")?;
        }
        Ok(())
    }
}

/// The diagnostics of one run, with the sources needed to quote them.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    /// File text by the relative name used in [`SourceSpan::file`].
    sources: BTreeMap<String, Arc<str>>,
    /// The configuration directory, prefixed to file names when rendering.
    base: PathBuf,
}

impl Diagnostics {
    pub fn new(base: &Path) -> Self {
        Diagnostics {
            base: base.to_path_buf(),
            ..Default::default()
        }
    }

    /// Other diagnostics (a plan's errors, say) with this run's sources, so they quote the
    /// configuration as the run's own do.
    pub fn quoting(&self, items: impl IntoIterator<Item = Diagnostic>) -> Diagnostics {
        let mut out = Diagnostics {
            items: Vec::new(),
            sources: self.sources.clone(),
            base: self.base.clone(),
        };
        for d in items {
            out.push(d);
        }
        out
    }

    /// Remembers a file's text so diagnostics pointing into it can quote it.
    pub fn add_source(&mut self, file: &str, text: Arc<str>) {
        self.sources.insert(file.to_string(), text);
    }

    pub fn push(&mut self, d: Diagnostic) {
        // The same problem reached twice (e.g. through two references) is reported once.
        if !self.items.contains(&d) {
            self.items.push(d);
        }
    }

    pub fn extend(&mut self, other: Diagnostics) {
        for (k, v) in other.sources {
            self.sources.entry(k).or_insert(v);
        }
        for d in other.items {
            self.push(d);
        }
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Sorted by file and position, so output is stable and reads top to bottom.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            (&a.span, b.severity, &a.message).cmp(&(&b.span, a.severity, &b.message))
        });
    }

    /// Renders every diagnostic: a header, the quoted source line with a marker at the span,
    /// and the help. With `color` false (`--no-color`, or not a terminal) the output is plain
    /// ASCII text without escape sequences.
    pub fn render(&self, color: bool) -> String {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::none()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_links(false)
            .with_width(100);
        let mut out = String::new();
        for d in &self.items {
            let report = Report::new(d, self);
            if handler.render_report(&mut out, &report).is_err() {
                // Rendering into a String cannot fail in practice; fall back to one line.
                out.push_str(&d.to_string());
            }
            out.push('\n');
        }
        out
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.items {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// One diagnostic in the shape miette renders.
#[derive(Debug)]
struct Report {
    message: String,
    severity: Severity,
    help: Option<String>,
    source: Option<Excerpt>,
    label: Option<LabeledSpan>,
}

impl Report {
    fn new(d: &Diagnostic, all: &Diagnostics) -> Report {
        let mut source = None;
        let mut label = None;
        let mut message = d.headline();
        if let Some(span) = &d.span {
            if let Some(text) = all.sources.get(&span.file) {
                let name = display_path(&all.base, &span.file);
                let (excerpt, range) = Excerpt::new(name, text, span.start, span.end);
                source = Some(excerpt);
                label = Some(LabeledSpan::new_with_span(
                    d.label.clone(),
                    miette::SourceSpan::from(range),
                ));
            } else {
                message = format!("{}: {message}", display_path(&all.base, &span.file));
            }
        }
        Report {
            message,
            severity: d.severity,
            help: d.help.clone(),
            source,
            label,
        }
    }
}

/// The longest source line quoted in full; a longer one (a 5 MB string on one line) is quoted
/// as a window around the marker, so a diagnostic stays a few lines long.
const MAX_QUOTED_LINE_CHARS: usize = 160;
/// How much of a long line is kept before the marker, and in all.
const WINDOW_BEFORE_CHARS: usize = 40;
const WINDOW_CHARS: usize = 120;

/// The lines a diagnostic quotes (the marked line and one on each side, as miette shows
/// them), long lines cut to a window around the marker. It reports the file's own line and
/// column numbers, so the header still says where the span is in the file.
#[derive(Debug)]
struct Excerpt {
    name: String,
    text: String,
    /// The file's 0-based line number of the excerpt's first line.
    first_line: usize,
    /// The excerpt's line holding the marker, and how many bytes of the file's line the
    /// window left out before it (less the `…` that replaced them).
    marked_line: usize,
    column_shift: usize,
}

impl Excerpt {
    /// The excerpt of `text` around `start..end` (byte offsets, which may fall inside a
    /// character: a parser error's span can), and the marker's range in it.
    fn new(
        name: String,
        text: &str,
        start: usize,
        end: usize,
    ) -> (Excerpt, std::ops::Range<usize>) {
        let start = text.floor_char_boundary(start.min(text.len()));
        let end = text.ceil_char_boundary(end.clamp(start, text.len()));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let first_line = text[..line_start].matches('\n').count();
        let mut out = String::new();
        let mut marked_line = 0;
        // The line before, cut to its start.
        if line_start > 0 {
            let prev_start = text[..line_start - 1].rfind('\n').map_or(0, |i| i + 1);
            out.push_str(&cut_tail(&text[prev_start..line_start - 1]));
            out.push('\n');
            marked_line = 1;
        }
        // The marked line: whole when short, else a window from a little before the marker.
        let line = &text[line_start..line_end];
        let before_chars = text[line_start..start].chars().count();
        let (from, to, lead) = if line.chars().count() <= MAX_QUOTED_LINE_CHARS {
            (0, line.len(), "")
        } else {
            let skip = before_chars.saturating_sub(WINDOW_BEFORE_CHARS);
            let from = char_offset(line, skip);
            let to = from + char_offset(&line[from..], WINDOW_CHARS);
            (from, to, if skip > 0 { "…" } else { "" })
        };
        let shown_from = out.len() + lead.len();
        out.push_str(lead);
        out.push_str(&line[from..to]);
        if to < line.len() {
            out.push('…');
        }
        // miette counts columns in bytes.
        let column_shift = from - lead.len();
        let mark_start = shown_from + (start - line_start).saturating_sub(from).min(to - from);
        let mark_end = shown_from
            + (end.min(line_end) - line_start)
                .saturating_sub(from)
                .min(to - from);
        // The line after, cut to its start.
        if line_end < text.len() {
            let next_end = text[line_end + 1..]
                .find('\n')
                .map_or(text.len(), |i| line_end + 1 + i);
            out.push('\n');
            out.push_str(&cut_tail(&text[line_end + 1..next_end]));
        }
        let excerpt = Excerpt {
            name,
            text: out,
            first_line: first_line - marked_line,
            marked_line,
            column_shift,
        };
        (excerpt, mark_start..mark_end.max(mark_start))
    }
}

/// The byte offset of the `n`th character of `s` (its length when shorter).
fn char_offset(s: &str, n: usize) -> usize {
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

/// A context line, cut after [`WINDOW_CHARS`] characters.
fn cut_tail(line: &str) -> String {
    let keep = char_offset(line, WINDOW_CHARS);
    if keep < line.len() {
        format!("{}…", &line[..keep])
    } else {
        line.to_string()
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        let column = if inner.line() == self.marked_line {
            inner.column() + self.column_shift
        } else {
            inner.column()
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            inner.line_count(),
        )))
    }
}

/// `examples/quickstart/main.hcl` rather than `main.hcl` when the user named a directory.
pub fn display_path(base: &Path, file: &str) -> String {
    if base.as_os_str().is_empty() || base == Path::new(".") {
        file.to_string()
    } else {
        base.join(file).display().to_string()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.label
            .clone()
            .map(|l| Box::new(std::iter::once(l)) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}

/// Line starts of a file, to turn byte offsets into line and column.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start)
            + 1;
        (line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Diagnostics {
        let text: Arc<str> = Arc::from("account \"a\" {\n  emial = \"x\"\n}\n");
        let mut diags = Diagnostics::new(Path::new("conf"));
        diags.add_source("main.hcl", text.clone());
        let idx = LineIndex::new(&text);
        let start = text.find("emial").unwrap();
        let (line, column) = idx.position(&text, start);
        diags.push(
            Diagnostic::error("unknown attribute `emial` in an account block")
                .at(Some(SourceSpan {
                    file: "main.hcl".into(),
                    line,
                    column,
                    start,
                    end: start + 5,
                }))
                .label("not an account attribute")
                .help("did you mean `email`?"),
        );
        diags
    }

    #[test]
    fn line_index_counts_characters() {
        let text = "ab\néx = 1\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), (1, 1));
        assert_eq!(idx.position(text, text.find('x').unwrap()), (2, 2));
    }

    #[test]
    fn plain_rendering_quotes_the_line_with_a_marker_and_no_escapes() {
        let out = sample().render(false);
        assert!(out.contains("conf/main.hcl:2:3"), "{out}");
        assert!(out.contains("emial = \"x\""), "{out}");
        assert!(out.contains("did you mean `email`?"), "{out}");
        assert!(out.contains("^"), "{out}");
        assert!(!out.contains('\u{1b}'), "{out}");
    }

    #[test]
    fn a_huge_line_is_quoted_as_a_window_around_the_marker_at_its_own_place() {
        // A 5 MB string on line 3, with the error at the attribute after it on the same line.
        let value = "x".repeat(5_000_000);
        let text: Arc<str> = Arc::from(format!(
            "account \"a\" {{\n  name = \"A\"\n  email = \"{value}\" emial = 1\n}}\n"
        ));
        let mut diags = Diagnostics::new(Path::new(""));
        diags.add_source("main.hcl", text.clone());
        let start = text.find("emial").unwrap();
        let (line, column) = LineIndex::new(&text).position(&text, start);
        diags.push(
            Diagnostic::error("unknown attribute `emial`")
                .at(Some(SourceSpan {
                    file: "main.hcl".into(),
                    line,
                    column,
                    start,
                    end: start + 5,
                }))
                .label("here"),
        );
        let out = diags.render(false);
        assert!(out.len() < 2_000, "{} bytes quoted", out.len());
        assert!(out.contains(&format!("main.hcl:3:{column}")), "{out}");
        assert!(out.contains("…"), "{out}");
        // The marker sits under `emial` in the quoted window.
        let quoted = out.lines().find(|l| l.contains("emial = 1")).expect(&out);
        let marker = out
            .lines()
            .skip_while(|l| !l.contains("emial = 1"))
            .nth(1)
            .expect(&out);
        let column_of = |line: &str, pred: &dyn Fn(char) -> bool| line.chars().position(pred);
        let at = quoted[..quoted.find("emial").unwrap()].chars().count();
        assert_eq!(column_of(marker, &|c| c == '^'), Some(at), "{out}");
        // Short lines are still quoted whole, with their line numbers.
        let out = sample().render(false);
        assert!(
            out.contains("2 │   emial = \"x\"") || out.contains("2 |   emial = \"x\""),
            "{out}"
        );
    }

    #[test]
    fn duplicates_are_reported_once() {
        let mut d = sample();
        let again = d.iter().next().unwrap().clone();
        d.push(again);
        assert_eq!(d.error_count(), 1);
    }
}
