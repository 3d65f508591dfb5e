use super::*;
use crate::orgtree::{Attachment, Node, OrgTree, PolicyInfo};

/// A tree with the given OU names under the root and `accounts` accounts in the first OU.
fn tree(ou_names: &[&str], accounts: usize) -> OrgTree {
    let node = |key: String, kind, name: &str, parent| Node {
        key,
        kind,
        name: name.to_string(),
        id: None,
        address: None,
        parent,
        children: Vec::new(),
        policies: Vec::new(),
        policies_assumed: false,
        management: false,
        unmanaged: false,
        mark: Mark::Unchanged,
        was: None,
    };
    let mut t = OrgTree {
        nodes: vec![node("root".into(), NodeKind::Root, "Root", None)],
        policies: Default::default(),
        management_account_id: None,
        organization_id: None,
        scps_enabled: true,
        rcps_enabled: false,
    };
    t.policies.insert(
        "p".into(),
        PolicyInfo {
            name: "Deny \"all\" <things> & #more;".into(),
            policy_type: vocab::SCP.into(),
            id: None,
            address: None,
            content: None,
            aws_managed: false,
            mark: Mark::Unchanged,
        },
    );
    for (k, name) in ou_names.iter().enumerate() {
        t.nodes
            .push(node(format!("ou{k}"), NodeKind::Ou, name, Some(0)));
        let i = t.nodes.len() - 1;
        t.nodes[0].children.push(i);
        t.nodes[i].policies.push(Attachment {
            policy: "p".into(),
            mark: Mark::Created,
        });
    }
    for k in 0..accounts {
        t.nodes.push(node(
            format!("a{k}"),
            NodeKind::Account,
            &format!("acct {k}"),
            Some(1),
        ));
        let i = t.nodes.len() - 1;
        t.nodes[1].children.push(i);
    }
    t
}

const HOSTILE: &[&str] = &[
    "Quote \" in it",
    "Ünïcødé — 日本語",
    "[brackets] (parens) {braces}",
    "hash # and semi ; colon",
    "pipe | arrow --> end",
    "back\\slash `tick`",
    "<b>html</b> & amp",
    "%% comment",
];

#[test]
fn mermaid_ids_are_generated_and_labels_escaped() {
    let out = render(
        &tree(HOSTILE, 2),
        &ChartOptions {
            format: Format::Mermaid,
            collapse_accounts: 20,
            changed_only: false,
        },
    );
    for line in out.lines().skip(1) {
        let line = line.trim();
        if line.starts_with("classDef") || line.starts_with("class ") {
            continue;
        }
        // Every node line is `nK<open>"label"<close>` or an edge `nK --> nJ`.
        let id: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(
            id.starts_with('n') && id[1..].parse::<usize>().is_ok(),
            "{line}"
        );
        if let Some(start) = line.find('"') {
            let end = line.rfind('"').unwrap();
            let label = &line[start + 1..end];
            for bad in [
                '"', '[', ']', '(', ')', '{', '}', '|', '<', '>', '`', '\\', '%',
            ] {
                // `<br/>` is the only markup, put there on purpose.
                let label = label.replace("<br/>", "");
                assert!(!label.contains(bad), "{bad:?} unescaped in {line}");
            }
        }
    }
    assert!(out.contains("Ünïcødé — 日本語"), "{out}");
    assert!(out.contains("Quote #34; in it"), "{out}");
    assert!(
        out.contains("class "),
        "the created attachments' nodes are not marked: {out}"
    );
}

#[test]
fn dot_labels_are_escaped() {
    let out = render(
        &tree(HOSTILE, 0),
        &ChartOptions {
            format: Format::Dot,
            collapse_accounts: 20,
            changed_only: false,
        },
    );
    assert!(out.contains(r#"Quote \" in it"#), "{out}");
    assert!(out.contains(r#"back\\slash"#), "{out}");
}

#[test]
fn svg_text_is_escaped() {
    let out = render(&tree(HOSTILE, 0), &ChartOptions::default());
    assert!(out.contains("&lt;b&gt;html&lt;/b&gt; &amp; amp"), "{out}");
    assert!(!out.contains("<b>"), "{out}");
}

#[test]
fn crowded_ous_collapse_their_plain_accounts() {
    let mut t = tree(&["Big"], 30);
    t.nodes[5].mark = Mark::Moved;
    let items = items(&t, 20, None);
    let collapsed: Vec<&Item> = items
        .iter()
        .filter(|i| i.kind == ItemKind::Collapsed)
        .collect();
    assert_eq!(collapsed.len(), 1);
    assert_eq!(collapsed[0].title, "29 accounts");
    // The moved account stays visible, and the collapsed box comes last.
    let ou = items.iter().position(|i| i.title == "Big").unwrap();
    let kids = &items[ou].children;
    assert_eq!(kids.len(), 2);
    assert_eq!(items[kids[0]].mark, Mark::Moved);
    assert_eq!(items[kids[1]].kind, ItemKind::Collapsed);
    // At the threshold nothing collapses; 0 never collapses.
    assert!(
        items_of(&tree(&["Big"], 20), 20)
            .iter()
            .all(|i| i.kind != ItemKind::Collapsed)
    );
    assert!(
        items_of(&tree(&["Big"], 30), 0)
            .iter()
            .all(|i| i.kind != ItemKind::Collapsed)
    );
}

fn items_of(t: &OrgTree, n: usize) -> Vec<Item> {
    items(t, n, None)
}

#[test]
fn policies_are_grouped_by_type_scps_first() {
    let mut t = tree(&["A"], 0);
    t.policies.insert(
        "tag".into(),
        PolicyInfo {
            name: "Tags".into(),
            policy_type: "TAG_POLICY".into(),
            id: None,
            address: None,
            content: None,
            aws_managed: false,
            mark: Mark::Unchanged,
        },
    );
    t.nodes[1].policies.insert(
        0,
        Attachment {
            policy: "tag".into(),
            mark: Mark::Unchanged,
        },
    );
    t.finish_for_tests();
    let lines = policy_lines(&t, 1);
    assert_eq!(lines[0].label, "SCP");
    assert_eq!(lines[1].label, "TAG");
    assert_eq!(lines[0].text(), "SCP: +Deny \"all\" <things> & #more;");
}

#[test]
fn changed_only_keeps_the_paths_to_what_changes() {
    // Two OUs; the second has 5 accounts, one of them moved.
    let mut t = tree(&["Quiet", "Busy"], 0);
    for n in &mut t.nodes {
        n.policies.clear();
    }
    for k in 0..5 {
        t.nodes.push(Node {
            key: format!("b{k}"),
            kind: NodeKind::Account,
            name: format!("b {k}"),
            id: None,
            address: None,
            parent: Some(2),
            children: Vec::new(),
            policies: Vec::new(),
            policies_assumed: false,
            management: false,
            unmanaged: false,
            mark: if k == 3 { Mark::Moved } else { Mark::Unchanged },
            was: None,
        });
        let i = t.nodes.len() - 1;
        t.nodes[2].children.push(i);
    }
    let keep = changed_paths(&t);
    let items = items(&t, 20, Some(&keep));
    assert_eq!(items.len(), 5);
    let kids = |i: usize| -> Vec<&str> {
        items[i]
            .children
            .iter()
            .map(|&c| items[c].title.as_str())
            .collect()
    };
    assert_eq!(kids(0), ["Busy", "1 unchanged"]);
    let busy = items.iter().position(|i| i.title == "Busy").unwrap();
    assert_eq!(kids(busy), ["b 3", "4 unchanged"]);
}
