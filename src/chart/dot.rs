//! Graphviz DOT. Node ids are generated; names go into quoted labels where only `"` and `\`
//! need escaping (a backslash would otherwise start one of DOT's label escapes such as `\N`).

use std::fmt::Write as _;

use super::{Item, ItemKind};
use crate::orgtree::Mark;

/// A quoted DOT string's contents, one label line per `\n`.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn render(items: &[Item]) -> String {
    let mut out = String::from(
        "digraph organization {\n  rankdir=TB;\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\", fontsize=10];\n  edge [color=\"#8c959f\"];\n",
    );
    for (i, it) in items.iter().enumerate() {
        let label = it
            .lines()
            .iter()
            .map(|l| escape(l))
            .collect::<Vec<_>>()
            .join("\\n");
        let mut attrs = vec![format!("label=\"{label}\"")];
        match it.kind {
            ItemKind::Root => attrs.push("shape=house".into()),
            ItemKind::Ou => attrs.push("fillcolor=\"#f6f8fa\"".into()),
            ItemKind::Account => {}
            ItemKind::Collapsed => attrs.push("style=\"rounded,dashed\"".into()),
        }
        match it.mark {
            Mark::Unchanged => {}
            Mark::Created => attrs.push("color=\"#22863a\", fillcolor=\"#e6ffed\"".into()),
            Mark::Deleted => attrs.push(
                "color=\"#cb2431\", fillcolor=\"#ffeef0\", style=\"rounded,filled,dashed\"".into(),
            ),
            Mark::Moved => attrs.push("color=\"#0366d6\", fillcolor=\"#f1f8ff\"".into()),
            Mark::Changed => attrs.push("color=\"#b08800\", fillcolor=\"#fffbdd\"".into()),
        }
        let _ = writeln!(out, "  n{i} [{}];", attrs.join(", "));
    }
    for (i, it) in items.iter().enumerate() {
        for &c in &it.children {
            let _ = writeln!(out, "  n{i} -> n{c};");
        }
    }
    out.push_str("}\n");
    out
}
