//! Mermaid flowcharts (rendered inline by GitHub and GitLab Markdown). Node ids are generated
//! (`n0`, `n1`, …) so that no name can break the syntax; names go into quoted labels with
//! every character Mermaid or its HTML labels treat specially written as an entity code.

use std::fmt::Write as _;

use super::{Item, ItemKind};
use crate::orgtree::Mark;

/// A label's text with `"`, `#`, `&`, `<`, `>`, `;` and the brackets, pipes, backticks,
/// backslashes and percent signs Mermaid's parser or its HTML labels could read as syntax
/// written as `#NN;` entity codes, which Mermaid turns back into the character.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' | '#' | '&' | '<' | '>' | ';' | '`' | '\\' | '|' | '[' | ']' | '{' | '}' | '('
            | ')' | '%' => {
                let _ = write!(out, "#{};", c as u32);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn class(mark: Mark) -> Option<&'static str> {
    match mark {
        Mark::Unchanged => None,
        Mark::Created => Some("created"),
        Mark::Deleted => Some("deleted"),
        Mark::Moved => Some("moved"),
        Mark::Changed => Some("changed"),
    }
}

pub(crate) fn render(items: &[Item]) -> String {
    let mut out = String::from("flowchart TD\n");
    for (i, it) in items.iter().enumerate() {
        let label = it
            .lines()
            .iter()
            .map(|l| escape(l))
            .collect::<Vec<_>>()
            .join("<br/>");
        let (open, close) = match it.kind {
            ItemKind::Root => ("([", "])"),
            ItemKind::Ou => ("[", "]"),
            ItemKind::Account => ("(", ")"),
            ItemKind::Collapsed => ("[[", "]]"),
        };
        let _ = writeln!(out, "  n{i}{open}\"{label}\"{close}");
    }
    for (i, it) in items.iter().enumerate() {
        for &c in &it.children {
            let arrow = if items[c].kind == ItemKind::Collapsed {
                "-.->"
            } else {
                "-->"
            };
            let _ = writeln!(out, "  n{i} {arrow} n{c}");
        }
    }
    let mut used = Vec::new();
    for mark in [Mark::Created, Mark::Deleted, Mark::Moved, Mark::Changed] {
        let ids: Vec<String> = items
            .iter()
            .enumerate()
            .filter(|(_, it)| it.mark == mark)
            .map(|(i, _)| format!("n{i}"))
            .collect();
        if !ids.is_empty() {
            used.push((mark, ids));
        }
    }
    for (mark, ids) in &used {
        let style = match mark {
            Mark::Created => "fill:#e6ffed,stroke:#22863a,color:#144620",
            Mark::Deleted => "fill:#ffeef0,stroke:#cb2431,color:#86181d,stroke-dasharray:5 3",
            Mark::Moved => "fill:#f1f8ff,stroke:#0366d6,color:#032f62",
            _ => "fill:#fffbdd,stroke:#b08800,color:#735c0f",
        };
        let name = class(*mark).expect("marked");
        let _ = writeln!(out, "  classDef {name} {style}");
        let _ = writeln!(out, "  class {} {name}", ids.join(","));
    }
    out
}
