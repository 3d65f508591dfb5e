//! The human plan, in Terraform's shape: one block per change with `+ ~ - ±` symbols, policy
//! documents as line diffs of their pretty-printed JSON, then unmanaged resources, warnings
//! and the summary line.
//!
//! This is the plan people review: its text may change between versions. Programs read the
//! `--json` document of [`super::json`].

use std::fmt::Write;

use similar::{ChangeTag, TextDiff};

use crate::plan::{Action, AttrChange, AttrValue, Change, Plan};

/// Terminal colors, or none.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn action(&self, action: Action, text: &str) -> String {
        let code = match action {
            Action::Create => "32",
            Action::Update | Action::Adopt => "33",
            Action::Move => "36",
            Action::Replace => "35",
            Action::Delete => "31",
            Action::Forget | Action::Read => "2",
        };
        self.paint(code, text)
    }
}

/// Renders the whole plan.
pub fn render(plan: &Plan, style: Style) -> String {
    let mut out = String::new();
    let shown: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::Read)
        .collect();
    if shown.is_empty() {
        out.push_str("No changes. The organization matches the configuration.\n");
    } else {
        out.push_str("orgchard will perform the following actions:\n");
        for c in shown {
            out.push('\n');
            render_change(&mut out, plan, c, style);
        }
    }
    if !plan.unmanaged.is_empty() {
        let _ = writeln!(
            out,
            "\nUnmanaged resources ({}): no block and no ownership tag; orgchard leaves them alone.",
            plan.unmanaged.len()
        );
        for u in &plan.unmanaged {
            let _ = writeln!(out, "  - {} {} {:?}", u.kind, u.id, u.name);
        }
    }
    if !plan.warnings.is_empty() {
        out.push_str("\nWarnings:\n");
        for w in &plan.warnings {
            let _ = writeln!(out, "  - {}", style.paint("33", &w.headline()));
        }
    }
    out.push('\n');
    out.push_str(&summary_line(plan));
    out.push('\n');
    out
}

/// `Plan: N to create, N to update, N to move, N to replace, N to delete.`
pub fn summary_line(plan: &Plan) -> String {
    let s = plan.summary();
    let mut line = format!(
        "Plan: {} to create, {} to update, {} to move, {} to replace, {} to delete.",
        s.create, s.update, s.moves, s.replace, s.delete
    );
    if s.adopt > 0 {
        let _ = write!(line, " {} to adopt.", s.adopt);
    }
    if s.forget > 0 {
        let _ = write!(line, " {} to forget.", s.forget);
    }
    line
}

fn render_change(out: &mut String, plan: &Plan, c: &Change, style: Style) {
    let _ = writeln!(
        out,
        "  {}",
        style.paint("1", &format!("# {} {}", c.address, c.action.verb()))
    );
    if let Some(reason) = &c.reason {
        let _ = writeln!(out, "  # ({reason})");
    }
    let _ = writeln!(
        out,
        "  {} {} {{",
        style.action(c.action, c.action.symbol()),
        c.address
    );
    if let Some(id) = &c.id {
        let _ = writeln!(out, "        id = {id:?}");
    }
    let width = c.attributes.iter().map(|a| a.name.len()).max().unwrap_or(0);
    for a in &c.attributes {
        render_attr(out, c.action, a, width, style);
    }
    let ops: Vec<String> = c
        .operations
        .iter()
        .map(|&i| plan.operations[i].op.describe())
        .collect();
    if !ops.is_empty() {
        let _ = writeln!(out, "      # operations:");
        for op in ops {
            let _ = writeln!(out, "      #   {op}");
        }
    }
    out.push_str("    }\n");
}

/// A value as HCL: strings quoted, references bare, maps as `{"k" = "v"}`.
pub fn hcl(v: &AttrValue) -> String {
    match v {
        AttrValue::String(s) => format!("{s:?}"),
        AttrValue::Number(n) => n.to_string(),
        AttrValue::Reference(r) => r.clone(),
        AttrValue::List(items) => format!("{items:?}"),
        AttrValue::References(items) => format!("[{}]", items.join(", ")),
        AttrValue::Map(m) => {
            let inner: Vec<String> = m.iter().map(|(k, v)| format!("{k:?} = {v:?}")).collect();
            format!("{{{}}}", inner.join(", "))
        }
        AttrValue::Document(text) => text.clone(),
        AttrValue::Unknown => "(known after apply)".into(),
    }
}

fn render_attr(out: &mut String, action: Action, a: &AttrChange, width: usize, style: Style) {
    let name = format!("{:width$}", a.name);
    let (before, after) = (a.before.as_ref().map(hcl), a.after.as_ref().map(hcl));
    match (&before, &after) {
        (None, Some(after)) => {
            if a.document {
                let _ = writeln!(
                    out,
                    "      {} {name} = <<-EOT",
                    style.action(Action::Create, "+")
                );
                for line in after.lines() {
                    let _ = writeln!(out, "            {line}");
                }
                out.push_str("        EOT\n");
            } else {
                let _ = writeln!(
                    out,
                    "      {} {name} = {after}",
                    style.action(Action::Create, "+")
                );
            }
        }
        (Some(before), None) if a.document && action != Action::Delete => {
            // A document removed from a resource that stays (an inline policy) is shown in
            // full: what it allowed is what the reviewer is taking away.
            let _ = writeln!(
                out,
                "      {} {name} = <<-EOT",
                style.action(Action::Delete, "-")
            );
            for line in before.lines() {
                let _ = writeln!(
                    out,
                    "          {} {line}",
                    style.action(Action::Delete, "-")
                );
            }
            out.push_str("        EOT\n");
        }
        (Some(before), None) => {
            let _ = writeln!(
                out,
                "      {} {name} = {}",
                style.action(Action::Delete, "-"),
                first_line(before)
            );
        }
        (Some(before), Some(after)) if before != after => {
            if a.document {
                let _ = writeln!(
                    out,
                    "      {} {name} = <<-EOT",
                    style.action(Action::Update, "~")
                );
                let diff = TextDiff::from_lines(before.as_str(), after.as_str());
                for change in diff.iter_all_changes() {
                    let line = change.value().trim_end_matches('\n');
                    let _ = match change.tag() {
                        ChangeTag::Equal => writeln!(out, "            {line}"),
                        ChangeTag::Delete => writeln!(
                            out,
                            "          {} {line}",
                            style.action(Action::Delete, "-")
                        ),
                        ChangeTag::Insert => writeln!(
                            out,
                            "          {} {line}",
                            style.action(Action::Create, "+")
                        ),
                    };
                }
                out.push_str("        EOT\n");
            } else {
                let _ = writeln!(
                    out,
                    "      {} {name} = {before} -> {after}",
                    style.action(Action::Update, "~")
                );
            }
        }
        (Some(before), Some(_)) => {
            if !a.document && action != Action::Delete {
                let _ = writeln!(out, "        {name} = {before}");
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
