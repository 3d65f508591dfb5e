//! The identity matcher on ambiguous or forged claims: an ownership tag is only a claim
//! anyone allowed to tag can write, so a claim that names another kind of resource, two
//! resources claiming one block, or a pin onto what another block manages never bind by guess.

use super::*;

#[test]
fn an_ownership_tag_naming_another_kind_binds_nothing_and_deletes_nothing() {
    let mut live = empty_org();
    // A customer policy carrying an OU's address (and no OU of that name): binding the OU
    // block to it used to index the OUs with a policy id.
    add_scp(
        &mut live,
        "p-forged001",
        "Forged",
        Some("organizational_unit.sec"),
        &[],
    );
    let desired = load("organizational_unit \"sec\" { name = \"Security\" }\n");
    let p = plan(&desired, &live, &PlanOptions::default()).unwrap();
    assert_eq!(p.summary().create, 1, "{:#?}", p.changes);
    assert_eq!(p.summary().delete, 0, "{:#?}", p.changes);
    assert!(
        p.warnings
            .iter()
            .any(|w| w.headline().contains("p-forged001")),
        "{:?}",
        p.warnings
    );
    assert!(p.unmanaged.iter().any(|u| u.id == "p-forged001"));
    // With no block at all it is not deleted as a removed block's policy either.
    let p = plan(&load(""), &live, &PlanOptions::default()).unwrap();
    assert!(!p.has_changes(), "{:#?}", p.changes);
}

#[test]
fn two_accounts_claiming_one_block_are_an_error_not_a_closure() {
    let mut live = empty_org();
    add_account(
        &mut live,
        "222222222222",
        "A",
        "a@example.com",
        ROOT,
        Some("account.a"),
    );
    add_account(
        &mut live,
        "333333333333",
        "Copy",
        "copy@example.com",
        ROOT,
        Some("account.a"),
    );
    let desired = load(
        r#"
organization {
  account_removal = "close"
}
account "a" {
  name  = "A"
  email = "a@example.com"
}
"#,
    );
    let errs = plan(&desired, &live, &PlanOptions::default()).unwrap_err();
    let text: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
    assert!(
        text.iter()
            .any(|e| e.contains("222222222222") && e.contains("333333333333")),
        "{text:?}"
    );
}

#[test]
fn a_pin_onto_what_another_block_manages_is_an_error() {
    let mut live = empty_org();
    add_ou(
        &mut live,
        "ou-ab12-11111111",
        "Security",
        ROOT,
        Some("organizational_unit.sec"),
    );
    let desired = load(
        r#"
organizational_unit "sec" { name = "Security" }
organizational_unit "pinned" {
  id   = "ou-ab12-11111111"
  name = "Security Team"
}
"#,
    );
    let errs = plan(&desired, &live, &PlanOptions::default()).unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.address.as_ref().map(|a| a.to_string())
                == Some("organizational_unit.pinned".into())
                && e.message
                    .contains("already managed by organizational_unit.sec")),
        "{errs:?}"
    );
}

#[test]
fn a_moved_block_between_for_each_blocks_moves_every_instance() {
    let mut live = empty_org();
    add_ou(
        &mut live,
        "ou-ab12-11111111",
        "X",
        ROOT,
        Some("organizational_unit.a[\"x\"]"),
    );
    add_ou(
        &mut live,
        "ou-ab12-22222222",
        "Y",
        ROOT,
        Some("organizational_unit.a[\"y\"]"),
    );
    let desired = load(
        r#"
organizational_unit "b" {
  for_each = { x = "X", y = "Y" }
  name     = each.value
}
moved {
  from = organizational_unit.a
  to   = organizational_unit.b
}
"#,
    );
    let p = plan(&desired, &live, &PlanOptions::default()).unwrap();
    let s = p.summary();
    assert_eq!(
        (s.create, s.delete, s.update),
        (0, 0, 2),
        "{:#?}",
        p.changes
    );
    assert_eq!(
        p.bindings
            .get(&"organizational_unit.b[\"x\"]".parse().unwrap())
            .map(String::as_str),
        Some("ou-ab12-11111111")
    );
}
