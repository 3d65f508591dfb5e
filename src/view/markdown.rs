//! The plan as a pull-request comment (`plan --markdown`, `show --markdown`): the counts
//! first, a warning block for what a reviewer must not miss, the pre-check, what was made
//! outside orgchard, then one collapsible block per change with its attribute diff and its
//! operations.
//!
//! The comment must fit in one GitHub comment, so it is assembled against a budget in
//! priority order: the counts, the warnings and the pre-check come first, then what was
//! made outside orgchard, then the changes, destructive ones first; whatever does not fit
//! is counted in a note that says what was cut. Every name in it comes from a configuration
//! or from the live organization, so every one is escaped: it can close no `<details>`,
//! open no code span and start no HTML.

use std::fmt::Write;

use similar::TextDiff;

use super::human::hcl;
use crate::plan::{Action, AttrChange, Change, Plan};
use crate::precheck::{Report, Source};

/// The most a GitHub comment may hold: the API refuses a longer body with "body is too long
/// (maximum is 65536 characters)" (GitHub REST API, issue comments; checked 2026-12-06).
/// The renderer counts bytes, never fewer than characters or UTF-16 units, so a comment
/// within the limit in bytes is within it however GitHub counts.
pub const COMMENT_LIMIT: usize = 65_536;

/// Room kept for the note that says what was cut, and for a pipeline that adds a line.
const RESERVE: usize = 2_048;

/// The share of the budget that the warnings, the pre-check's denials and the list of what
/// was made outside orgchard may each take at most, so that a plan with thousands of them
/// still leaves room for the others.
const SECTION_SHARE: usize = 4;

/// The marker's prefix: `<!-- orgchard-plan: ID -->`.
pub const MARKER_PREFIX: &str = "<!-- orgchard-plan:";

/// What the comment says about the pre-check.
#[derive(Debug, Clone, Copy)]
pub enum Precheck<'a> {
    /// The pre-check ran: its result.
    Ran(&'a Report),
    /// `--precheck off`.
    Off,
    /// A saved plan: the pre-check's result is not saved with it.
    NotSaved,
}

/// How to render.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    /// Names this comment for the pipeline that updates it (`--markdown-id`, else the
    /// configuration directory or the plan file).
    pub id: String,
    pub precheck: Precheck<'a>,
    /// The most bytes the comment may hold.
    pub limit: usize,
}

/// The hidden line a pipeline looks for to find its own comment.
pub fn marker(id: &str) -> String {
    // An HTML comment ends at the first `-->`, and `--` inside one is not allowed: neither
    // may come from the id.
    let id: String = id
        .chars()
        .map(|c| match c {
            '-' | '>' | '<' | '\n' | '\r' => '_',
            c => c,
        })
        .collect();
    format!("{MARKER_PREFIX} {} -->", id.trim())
}

/// Renders the comment.
pub fn render(plan: &Plan, options: &Options<'_>) -> String {
    let budget = options.limit.saturating_sub(RESERVE);
    let share = budget / SECTION_SHARE;
    let mut cut = Cut::default();

    let head = head(plan, &options.id);
    let (warnings, n) = warnings(plan, options.precheck, share);
    cut.warnings = n;
    let (precheck, n) = precheck(options.precheck, share);
    cut.denials = n;
    let (outside, n) = outside(plan, share);
    cut.outside = n;

    let mut used = head.len() + warnings.len() + precheck.len() + outside.len();
    let mut changes = String::new();
    let groups = grouped(plan);
    if !groups.is_empty() {
        changes.push_str("\n### Changes\n");
        used += changes.len();
    }
    for (action, group) in groups {
        let heading = format!("\n#### {} {}\n\n", group.len(), heading(action));
        let mut section = String::new();
        for c in group {
            let block = change_block(plan, c);
            if used + heading.len() + section.len() + block.len() > budget {
                cut.changes.push(c.action);
                continue;
            }
            section.push_str(&block);
        }
        if !section.is_empty() {
            used += heading.len() + section.len();
            changes.push_str(&heading);
            changes.push_str(&section);
        }
    }

    let mut out = head;
    out.push_str(&cut.note(plan));
    out.push_str(&warnings);
    out.push_str(&precheck);
    out.push_str(&outside);
    out.push_str(&changes);
    out
}

/// What did not fit.
#[derive(Debug, Default)]
struct Cut {
    warnings: usize,
    denials: usize,
    outside: usize,
    /// The action of each change whose details were left out.
    changes: Vec<Action>,
}

impl Cut {
    fn note(&self, plan: &Plan) -> String {
        if self.warnings + self.denials + self.outside == 0 && self.changes.is_empty() {
            return String::new();
        }
        let mut parts = Vec::new();
        if !self.changes.is_empty() {
            let shown = plan
                .changes
                .iter()
                .filter(|c| c.action != Action::Read)
                .count();
            let mut by_action: Vec<(Action, usize)> = Vec::new();
            for a in &self.changes {
                match by_action.iter_mut().find(|(b, _)| b == a) {
                    Some((_, n)) => *n += 1,
                    None => by_action.push((*a, 1)),
                }
            }
            let detail: Vec<String> = by_action
                .iter()
                .map(|(a, n)| format!("{n} to {a}"))
                .collect();
            parts.push(format!(
                "the details of {} of the {shown} changes ({})",
                self.changes.len(),
                detail.join(", ")
            ));
        }
        if self.warnings > 0 {
            parts.push(format!("{} warnings", self.warnings));
        }
        if self.denials > 0 {
            parts.push(format!("{} pre-check denials", self.denials));
        }
        if self.outside > 0 {
            parts.push(format!("{} resources made outside orgchard", self.outside));
        }
        let complete = if self.warnings == 0 {
            "The counts above and the warnings below are complete; "
        } else {
            "The counts above are complete; "
        };
        format!(
            "\n> [!NOTE]\n> This plan is too large for one comment (GitHub allows 65,536 characters): left out are {}. {complete}`orgchard show PLANFILE` prints the whole plan.\n",
            parts.join("; ")
        )
    }
}

/// The marker, the title and the counts.
fn head(plan: &Plan, id: &str) -> String {
    let mut out = marker(id);
    out.push('\n');
    let _ = writeln!(
        out,
        "### orgchard plan for organization <code>{}</code>\n",
        code(&plan.context.organization_id)
    );
    if !plan.has_changes() {
        out.push_str("**No changes.** The organization matches the configuration.\n");
        return out;
    }
    out.push_str(&counts_line(plan));
    out.push('\n');
    out
}

/// `**2** to create, **1** to update, **1** to move, **1** to delete`, with replacements,
/// adoptions and forgotten resources when there are any.
pub fn counts_line(plan: &Plan) -> String {
    let s = plan.summary();
    let mut parts = vec![
        format!("**{}** to create", s.create),
        format!("**{}** to update", s.update),
        format!("**{}** to move", s.moves),
    ];
    if s.replace > 0 {
        parts.push(format!("**{}** to replace", s.replace));
    }
    parts.push(format!("**{}** to delete", s.delete));
    if s.adopt > 0 {
        parts.push(format!("**{}** to adopt", s.adopt));
    }
    if s.forget > 0 {
        parts.push(format!("**{}** to forget", s.forget));
    }
    parts.join(", ")
}

/// The warning block: deletions, replacements and account closures, a pre-check that did
/// not pass, and the plan's own warnings (lockout warnings among them).
fn warnings(plan: &Plan, precheck: Precheck<'_>, share: usize) -> (String, usize) {
    let mut items: Vec<String> = Vec::new();
    let listed = |action: Action, verb: &str| -> Option<String> {
        let hit: Vec<&Change> = plan.changes.iter().filter(|c| c.action == action).collect();
        if hit.is_empty() {
            return None;
        }
        Some(format!(
            "**{verb} {}**: {}",
            plural(hit.len(), "resource"),
            address_list(hit.iter().map(|c| c.address.to_string()), 10)
        ))
    };
    items.extend(listed(Action::Delete, "Deletes"));
    items.extend(listed(Action::Replace, "Replaces"));
    let closed: Vec<String> = plan
        .operations
        .iter()
        .filter(|o| matches!(o.op, crate::plan::Op::CloseAccount { .. }))
        .map(|o| o.address.to_string())
        .collect();
    if !closed.is_empty() {
        // AWS Organizations API Reference, CloseAccount (read 2026-12-06): the account is
        // SUSPENDED, can be reopened through AWS Support for 90 days, and its resources are
        // deleted after them.
        items.push(format!(
            "**Closes {}** (reopened only through AWS Support, and only within 90 days): {}",
            plural(closed.len(), "account"),
            address_list(closed.into_iter(), 10)
        ));
    }
    if let Precheck::Ran(r) = precheck
        && !r.passed()
    {
        items.push(format!(
            "**The pre-check did not pass**: {} denied, {} unknown; `apply` refuses with `--precheck strict`",
            r.denials.iter().filter(|d| d.outcome != "unknown").count(),
            r.unknown
        ));
    }
    let from = items.len();
    items.extend(plan.warnings.iter().map(|w| match &w.help {
        Some(help) => format!("{} ({})", text(&w.headline()), text(help)),
        None => text(&w.headline()),
    }));
    if items.is_empty() {
        return (String::new(), 0);
    }
    let mut out = String::from("\n> [!WARNING]\n");
    let mut cut = 0;
    for (i, item) in items.iter().enumerate() {
        let line = format!("> - {item}\n");
        // The destructive items are short and always kept; plan warnings fill the share.
        if i >= from && out.len() + line.len() > share {
            cut += 1;
            continue;
        }
        out.push_str(&line);
    }
    if cut > 0 {
        let _ = writeln!(out, "> - … and {} not shown", plural(cut, "warning"));
    }
    (out, cut)
}

/// The pre-check's summary and its denials.
fn precheck(precheck: Precheck<'_>, share: usize) -> (String, usize) {
    let mut out = String::from("\n### Pre-check\n\n");
    let r = match precheck {
        Precheck::Off => {
            out.push_str("Skipped (`--precheck off`).\n");
            return (out, 0);
        }
        Precheck::NotSaved => {
            out.push_str("Not shown: a saved plan does not keep the pre-check's result; `orgchard apply PLANFILE` checks again before the first call.\n");
            return (out, 0);
        }
        Precheck::Ran(r) => r,
    };
    let source = match &r.source {
        Source::Read => "its IAM policies".to_string(),
        Source::AsPolicy { file } => format!("<code>--as-policy {}</code>", code(file)),
        Source::Simulate { .. } => "<code>iam:SimulatePrincipalPolicy</code>".to_string(),
        Source::Unknown { .. } => "nothing (they could not be read)".to_string(),
        Source::RootUser => "none: the root user may make every call in its account".to_string(),
    };
    let denied = r.denials.iter().filter(|d| d.outcome != "unknown").count();
    let _ = writeln!(
        out,
        "{} Caller <code>{}</code> (policies from {source}): **{}** allowed, **{denied}** denied, **{}** unknown.",
        if r.passed() { "✅" } else { "❌" },
        code(&r.principal),
        plural(r.allowed, "request"),
        r.unknown
    );
    let mut cut = 0;
    if !r.denials.is_empty() {
        out.push('\n');
    }
    for d in &r.denials {
        let line = format!(
            "- <code>{}</code>: {} — <code>{}</code> on <code>{}</code>: {} ({})\n",
            code(&d.address),
            text(&d.operation),
            code(&d.action),
            code(&d.resource),
            text(&d.outcome),
            text(&d.decided_by)
        );
        if out.len() + line.len() > share {
            cut += 1;
            continue;
        }
        out.push_str(&line);
    }
    if cut > 0 {
        let _ = writeln!(out, "- … and {} not shown", plural(cut, "denial"));
    }
    if let Some(n) = &r.note {
        let _ = writeln!(out, "\n{}", text(n));
    }
    (out, cut)
}

/// What the plan found made outside orgchard: resources it adopts (created by hand, matched
/// by their natural key) and resources nothing manages. orgchard keeps no state, so a change
/// to a managed resource cannot be told from a change of the configuration here: planned
/// from the configuration last applied (the scheduled drift plan), every change is drift.
fn outside(plan: &Plan, share: usize) -> (String, usize) {
    let adopted: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Adopt)
        .collect();
    if adopted.is_empty() && plan.unmanaged.is_empty() {
        return (String::new(), 0);
    }
    let mut out = String::from("\n### Drift: made outside orgchard\n\n");
    let mut items = Vec::new();
    for c in &adopted {
        items.push(format!(
            "- <code>{}</code> (<code>{}</code>) exists but carries no ownership tag: this plan adopts it\n",
            code(&c.address.to_string()),
            code(c.id.as_deref().unwrap_or("?"))
        ));
    }
    if !plan.unmanaged.is_empty() {
        items.push(format!(
            "\n{} with no block and no ownership tag; orgchard leaves {} alone:\n\n",
            plural(plan.unmanaged.len(), "unmanaged resource"),
            if plan.unmanaged.len() == 1 {
                "it"
            } else {
                "them"
            }
        ));
        for u in &plan.unmanaged {
            items.push(format!(
                "- {} <code>{}</code> <code>{}</code>\n",
                text(&u.kind),
                code(&u.id),
                code(&u.name)
            ));
        }
    }
    let mut cut = 0;
    for item in items {
        if out.len() + item.len() > share {
            cut += 1;
            continue;
        }
        out.push_str(&item);
    }
    if cut > 0 {
        let _ = writeln!(out, "- … and {} not shown", plural(cut, "resource"));
    }
    (out, cut)
}

/// The order of the change sections: what cannot be undone first.
const ORDER: &[Action] = &[
    Action::Delete,
    Action::Replace,
    Action::Forget,
    Action::Move,
    Action::Update,
    Action::Adopt,
    Action::Create,
];

fn grouped(plan: &Plan) -> Vec<(Action, Vec<&Change>)> {
    ORDER
        .iter()
        .map(|&a| (a, plan.changes.iter().filter(|c| c.action == a).collect()))
        .filter(|(_, g): &(Action, Vec<&Change>)| !g.is_empty())
        .collect()
}

fn heading(action: Action) -> &'static str {
    match action {
        Action::Delete => "to delete",
        Action::Replace => "to replace",
        Action::Forget => "to forget (no longer managed, left as they are)",
        Action::Move => "to move",
        Action::Update => "to update in place",
        Action::Adopt => "to adopt",
        Action::Create => "to create",
        Action::Read => "unchanged",
    }
}

/// One change: a collapsible block with the attribute diff and the operations. The address
/// is in `<code>`, where GitHub links no `@mention` and no `#123` a name may hold.
fn change_block(plan: &Plan, c: &Change) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<details><summary><code>{}</code> <b><code>{}</code></b> {}{}</summary>\n",
        c.action.symbol().trim(),
        html(&c.address.to_string()),
        c.action.verb(),
        match &c.id {
            Some(id) => format!(" (<code>{}</code>)", html(id)),
            None => String::new(),
        }
    );
    if let Some(reason) = &c.reason {
        let _ = writeln!(out, "_{}_\n", text(&reason.message));
    }
    let diff = attribute_diff(c);
    if !diff.is_empty() {
        out.push_str(&fenced("diff", &diff));
        out.push('\n');
    }
    if !c.operations.is_empty() {
        out.push_str("Operations:\n\n");
        for &i in &c.operations {
            let _ = writeln!(
                out,
                "1. <code>{}</code>",
                code(&plan.operations[i].op.describe())
            );
        }
        out.push('\n');
    }
    out.push_str("</details>\n");
    out
}

/// The attribute diff of one change in `diff` syntax: `+` added, `-` removed, unchanged
/// attributes indented; documents as unified diffs of their pretty-printed JSON.
fn attribute_diff(c: &Change) -> String {
    let mut out = String::new();
    for a in &c.attributes {
        attribute(&mut out, c.action, a);
    }
    out
}

fn attribute(out: &mut String, action: Action, a: &AttrChange) {
    let name = &a.name;
    // Values read as the configuration writes them, as in the terminal's plan.
    let (before, after) = (a.before.as_ref().map(hcl), a.after.as_ref().map(hcl));
    match (&before, &after) {
        (None, Some(after)) if a.document => {
            let _ = writeln!(out, "+ {name} =");
            for line in after.lines() {
                let _ = writeln!(out, "+   {line}");
            }
        }
        (None, Some(after)) => {
            let _ = writeln!(out, "+ {name} = {after}");
        }
        // A document taken from a resource that stays is shown whole: what it allowed is
        // what the reviewer takes away. With the resource deleted, one line says enough.
        (Some(before), None) if a.document && action != Action::Delete => {
            let _ = writeln!(out, "- {name} =");
            for line in before.lines() {
                let _ = writeln!(out, "-   {line}");
            }
        }
        (Some(before), None) => {
            let _ = writeln!(out, "- {name} = {}", first_line(before));
        }
        (Some(before), Some(after)) if before != after && a.document => {
            let _ = writeln!(out, "~ {name}:");
            let diff = TextDiff::from_lines(before.as_str(), after.as_str());
            let unified = diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("{name} (live)"), &format!("{name} (configured)"))
                .to_string();
            for line in unified.lines() {
                let _ = writeln!(out, "{line}");
            }
        }
        (Some(before), Some(after)) if before != after => {
            let _ = writeln!(out, "- {name} = {before}");
            let _ = writeln!(out, "+ {name} = {after}");
        }
        (Some(before), Some(_)) => {
            if !a.document && action != Action::Delete {
                let _ = writeln!(out, "  {name} = {before}");
            }
        }
        (None, None) => {}
    }
}

fn first_line(s: &str) -> String {
    match s.lines().count() {
        0 | 1 => s.to_string(),
        n => format!("{} … ({n} lines)", s.lines().next().unwrap_or_default()),
    }
}

/// A fenced code block whose fence is longer than any run of backticks in `body`, so that
/// nothing in it can close it early.
fn fenced(lang: &str, body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for ch in body.chars() {
        if ch == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}{lang}\n{body}{fence}\n")
}

fn address_list(addresses: impl Iterator<Item = String>, most: usize) -> String {
    let all: Vec<String> = addresses.collect();
    let mut shown: Vec<String> = all
        .iter()
        .take(most)
        .map(|a| format!("<code>{}</code>", code(a)))
        .collect();
    if all.len() > most {
        shown.push(format!("and {} more", all.len() - most));
    }
    shown.join(", ")
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Text for an HTML block (a `<summary>`): entities for the characters HTML gives a meaning
/// to, and line breaks as spaces, since a blank line would end the block.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text for a Markdown paragraph or list item: [`html`], then a backslash before every
/// character Markdown gives a meaning to (code spans, emphasis, links, table cells, and
/// line starts such as `#` or `-`).
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in html(s).chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '['
                | ']'
                | '('
                | ')'
                | '{'
                | '}'
                | '#'
                | '+'
                | '-'
                | '.'
                | '!'
                | '|'
                | '~'
                | '@'
                | ':'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Text inside `<code>` in the middle of a Markdown line: [`html`], then a backslash before
/// the characters that still mean something there (Markdown reads on inside inline HTML):
/// code spans, emphasis, links and table cells.
fn code(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in html(s).chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::AttrValue;

    #[test]
    fn html_text_cannot_open_or_close_a_tag() {
        let s = html("</details><script>alert(1)</script> & \"x\"\nnext");
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('\n'),
            "{s}"
        );
        assert!(s.contains("&lt;/details&gt;"), "{s}");
    }

    #[test]
    fn markdown_text_escapes_code_spans_tables_and_emphasis() {
        let s = text("a`b|c*d_e [x](y) @team #1");
        for needle in ["\\`", "\\|", "\\*", "\\_", "\\[", "\\(", "\\@", "\\#"] {
            assert!(s.contains(needle), "{needle} in {s}");
        }
    }

    #[test]
    fn a_fence_is_longer_than_any_backtick_run_inside() {
        let f = fenced("diff", "+ name = \"````\"\n");
        assert!(f.starts_with("`````diff\n"), "{f}");
        assert!(f.ends_with("\n`````\n"), "{f}");
        assert!(fenced("diff", "x\n").starts_with("```diff"));
    }

    fn plan(changes: usize, warnings: usize) -> Plan {
        use crate::addr::{Address, ResourceKind};
        use crate::plan::{FORMAT_VERSION, PlanContext};
        Plan {
            format_version: FORMAT_VERSION.into(),
            context: PlanContext {
                organization_id: "o-example".into(),
                management_account_id: "111111111111".into(),
                root_id: "r-ab12".into(),
                member_access_role: "OrganizationAccountAccessRole".into(),
                fingerprint: String::new(),
                backend: None,
                role_queries: Default::default(),
                pending_creations: Default::default(),
                scope: None,
                narrow_read: None,
            },
            changes: (0..changes)
                .map(|i| Change {
                    address: Address::new(ResourceKind::Policy, format!("p{i:04}")),
                    action: if i % 2 == 0 {
                        Action::Create
                    } else {
                        Action::Delete
                    },
                    reason: None,
                    id: None,
                    attributes: vec![AttrChange {
                        name: "content".into(),
                        before: None,
                        after: Some(AttrValue::Document(
                            "{\n  \"Version\": \"2012-10-17\"\n}".repeat(20),
                        )),
                        document: true,
                    }],
                    operations: Vec::new(),
                })
                .collect(),
            operations: Vec::new(),
            edges: Vec::new(),
            unmanaged: Vec::new(),
            warnings: (0..warnings)
                .map(|i| {
                    crate::diag::Diagnostic::warning(format!(
                        "possible lockout: account {i:012}: a long reason"
                    ))
                })
                .collect(),
            bindings: Default::default(),
        }
    }

    fn options(limit: usize) -> Options<'static> {
        Options {
            id: "t".into(),
            precheck: Precheck::Off,
            limit,
        }
    }

    #[test]
    fn a_plan_past_the_budget_keeps_its_head_and_says_what_was_cut() {
        let p = plan(400, 2_000);
        let md = render(&p, &options(20_000));
        assert!(md.len() <= 20_000, "{}", md.len());
        assert!(md.contains("**200** to create"), "{md}");
        assert!(md.contains("**Deletes 200 resources**"), "{md}");
        assert!(md.contains("warnings not shown"), "{md}");
        assert!(md.contains("> [!NOTE]"), "{md}");
        assert!(md.contains("to delete") && md.contains("to create"), "{md}");
        // Deletions are shown before creations: they go first when space runs out.
        let shown = md.matches("<details>").count();
        assert!(shown > 0 && shown < 400, "{shown}");
        assert!(md.contains("The counts above are complete;"), "{md}");
        // Within the budget, nothing is cut and no note is added.
        let small = plan(4, 2);
        let md = render(&small, &options(COMMENT_LIMIT));
        assert!(!md.contains("[!NOTE]"), "{md}");
        assert_eq!(md.matches("<details>").count(), 4, "{md}");
    }

    #[test]
    fn the_marker_cannot_end_its_comment_early() {
        let m = marker("team --> <b>x</b>");
        assert!(m.starts_with(MARKER_PREFIX) && m.ends_with(" -->"), "{m}");
        assert_eq!(m.matches("-->").count(), 1, "{m}");
        assert_eq!(m.matches("--").count(), 2, "only the comment's own: {m}");
    }
}
