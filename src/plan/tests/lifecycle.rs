//! `lifecycle.prevent_destroy` remembered on the live resource, and `removed` blocks.

use super::*;
use crate::model::live::{PREVENT_DESTROY_TAG, PREVENT_DESTROY_TAG_VALUE};

const OU: &str = "ou-ab12-11111111";

/// A live OU owned by `organizational_unit.sec`, protected when `protected`.
fn org_with_ou(protected: bool) -> LiveOrg {
    let mut live = empty_org();
    add_ou(
        &mut live,
        OU,
        "Security",
        ROOT,
        Some("organizational_unit.sec"),
    );
    if protected {
        protect(live.ous.get_mut(OU).unwrap().tags_mut());
    }
    live
}

trait TagsMut {
    fn tags_mut(&mut self) -> &mut BTreeMap<String, String>;
}

impl TagsMut for LiveOu {
    fn tags_mut(&mut self) -> &mut BTreeMap<String, String> {
        &mut self.tags
    }
}

fn protect(tags: &mut BTreeMap<String, String>) {
    tags.insert(PREVENT_DESTROY_TAG.into(), PREVENT_DESTROY_TAG_VALUE.into());
}

const PROTECTED_SEC: &str = r#"
organizational_unit "sec" {
  name = "Security"
  lifecycle {
    prevent_destroy = true
  }
}
"#;

const FORGET_SEC: &str = r#"
removed {
  from = organizational_unit.sec
  lifecycle {
    destroy = false
  }
}
"#;

fn tags_set(p: &Plan) -> Vec<BTreeMap<String, String>> {
    p.operations
        .iter()
        .filter_map(|o| match &o.op {
            Op::TagResource { tags, .. } | Op::TagRole { tags, .. } => Some(tags.clone()),
            Op::CreateOu { tags, .. }
            | Op::CreateAccount { tags, .. }
            | Op::CreatePolicy { tags, .. }
            | Op::CreateRole { tags, .. } => Some(tags.clone()),
            _ => None,
        })
        .collect()
}

fn keys_unset(p: &Plan) -> Vec<BTreeSet<String>> {
    p.operations
        .iter()
        .filter_map(|o| match &o.op {
            Op::UntagResource { keys, .. } | Op::UntagRole { keys, .. } => Some(keys.clone()),
            _ => None,
        })
        .collect()
}

fn errors_of(desired: &Desired, live: &LiveOrg) -> String {
    match plan(desired, live, &PlanOptions::default()) {
        Ok(p) => panic!(
            "the plan was made:\n{}",
            crate::view::human::render(&p, crate::view::human::Style { color: false })
        ),
        Err(errs) => errs
            .iter()
            .map(|e| format!("{e}"))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[test]
fn the_flag_is_written_on_creation_and_on_a_live_resource_and_removed_when_turned_off() {
    // Created with the flag: the tag goes on at creation.
    let p = plan(&load(PROTECTED_SEC), &empty_org(), &PlanOptions::default()).unwrap();
    assert_eq!(
        tags_set(&p)[0].get(PREVENT_DESTROY_TAG).map(String::as_str),
        Some(PREVENT_DESTROY_TAG_VALUE)
    );
    // Set on a live OU: tagged in place.
    let p = plan(
        &load(PROTECTED_SEC),
        &org_with_ou(false),
        &PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(p.summary().update, 1, "{:#?}", p.changes);
    assert!(tags_set(&p)[0].contains_key(PREVENT_DESTROY_TAG));
    // Already tagged: nothing to do.
    let p = plan(
        &load(PROTECTED_SEC),
        &org_with_ou(true),
        &PlanOptions::default(),
    )
    .unwrap();
    assert!(!p.has_changes(), "{:#?}", p.changes);
    // Turned off: the tag goes.
    let p = plan(
        &load("organizational_unit \"sec\" { name = \"Security\" }\n"),
        &org_with_ou(true),
        &PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(
        keys_unset(&p),
        vec![BTreeSet::from([PREVENT_DESTROY_TAG.to_string()])]
    );
}

#[test]
fn the_flag_is_written_even_where_tags_are_ignored() {
    let desired = load(
        r#"
organizational_unit "sec" {
  name = "Security"
  tags = { team = "sec" }
  lifecycle {
    prevent_destroy = true
    ignore_changes  = [tags]
  }
}
"#,
    );
    let mut live = org_with_ou(false);
    live.ous
        .get_mut(OU)
        .unwrap()
        .tags
        .insert("team".into(), "someone-else".into());
    let p = plan(&desired, &live, &PlanOptions::default()).unwrap();
    let set = tags_set(&p);
    assert_eq!(set.len(), 1, "{:#?}", ops_of(&p));
    assert!(set[0].contains_key(PREVENT_DESTROY_TAG));
    assert!(
        !set[0].contains_key("team"),
        "an ignored user tag was rewritten"
    );
}

#[test]
fn deleting_the_block_of_a_protected_ou_is_an_error_with_both_ways_out() {
    let errs = errors_of(&load(""), &org_with_ou(true));
    assert!(errs.contains("organizational_unit.sec"), "{errs}");
    assert!(errs.contains(PREVENT_DESTROY_TAG), "{errs}");
    assert!(errs.contains("prevent_destroy = false and apply"), "{errs}");
    assert!(
        errs.contains("removed { from = organizational_unit.sec  lifecycle { destroy = false } }"),
        "{errs}"
    );
    // Unprotected, the same plan deletes it.
    let p = plan(&load(""), &org_with_ou(false), &PlanOptions::default()).unwrap();
    assert_eq!(p.summary().delete, 1);
}

#[test]
fn a_protected_policy_role_or_closed_account_is_refused_too() {
    let mut live = empty_org();
    add_scp(&mut live, "p-deny0001", "Deny", Some("policy.deny"), &[]);
    protect(&mut live.policies.get_mut("p-deny0001").unwrap().tags);
    add_account(
        &mut live,
        "222222222222",
        "W",
        "w@example.com",
        ROOT,
        Some("account.w"),
    );
    protect(&mut live.accounts.get_mut("222222222222").unwrap().tags);
    live.accounts
        .get_mut("222222222222")
        .unwrap()
        .tags
        .insert(ROLES_TAG.into(), ROLES_TAG_VALUE.into());
    let mut role = live_role("222222222222", "Auditor", Some("role.auditor"), &[]);
    role.role.tags.push(Tag {
        key: PREVENT_DESTROY_TAG.into(),
        value: PREVENT_DESTROY_TAG_VALUE.into(),
    });
    live.roles.insert(
        "222222222222".into(),
        [("Auditor".to_string(), role)].into(),
    );
    live.roles_read_in.insert("222222222222".into());
    let desired = load("organization {\n  account_removal = \"close\"\n}\n");
    let errs = errors_of(&desired, &live);
    for what in [
        "policy.deny",
        "role.auditor",
        "account.w",
        "close the account",
    ] {
        assert!(errs.contains(what), "{what} missing from:\n{errs}");
    }
    // With the default account_removal ("ignore") the account is forgotten, protection and
    // all, which destroys nothing.
    let desired = load(
        r#"
removed {
  from = policy.deny
  lifecycle {
    destroy = false
  }
}
removed {
  from = role.auditor
  lifecycle {
    destroy = false
  }
}
"#,
    );
    let p = plan(&desired, &live, &PlanOptions::default()).unwrap();
    let s = p.summary();
    assert_eq!((s.forget, s.delete), (3, 0), "{:#?}", p.changes);
    let both: BTreeSet<String> = [OWNERSHIP_TAG, PREVENT_DESTROY_TAG]
        .map(String::from)
        .into();
    assert_eq!(keys_unset(&p), vec![both.clone(), both.clone(), both]);
}

#[test]
fn a_removed_block_forgets_and_the_next_plan_is_empty() {
    let mut live = org_with_ou(true);
    live.ous
        .get_mut(OU)
        .unwrap()
        .tags
        .insert("team".into(), "sec".into());
    let desired = load(FORGET_SEC);
    let p = plan(&desired, &live, &PlanOptions::default()).unwrap();
    assert_eq!(p.changes.len(), 1, "{:#?}", p.changes);
    let c = &p.changes[0];
    assert_eq!(
        (c.action, c.address.to_string(), c.id.as_deref()),
        (Action::Forget, "organizational_unit.sec".into(), Some(OU))
    );
    assert_eq!(ops_of(&p).len(), 1, "{:#?}", ops_of(&p));
    assert_eq!(
        keys_unset(&p),
        vec![BTreeSet::from([
            OWNERSHIP_TAG.to_string(),
            PREVENT_DESTROY_TAG.to_string()
        ])]
    );
    // As the apply leaves it: untagged, the user's tag kept, listed as unmanaged.
    let tags = &mut live.ous.get_mut(OU).unwrap().tags;
    tags.remove(OWNERSHIP_TAG);
    tags.remove(PREVENT_DESTROY_TAG);
    let again = plan(&desired, &live, &PlanOptions::default()).unwrap();
    assert!(!again.has_changes(), "{:#?}", again.changes);
    assert!(again.unmanaged.iter().any(|u| u.id == OU));
}

#[test]
fn a_removed_block_follows_moved_blocks_and_for_each_instances() {
    let mut live = empty_org();
    add_ou(
        &mut live,
        OU,
        "Security",
        ROOT,
        Some("organizational_unit.teams[\"sec\"]"),
    );
    protect(&mut live.ous.get_mut(OU).unwrap().tags);
    add_ou(
        &mut live,
        "ou-ab12-22222222",
        "Dev",
        ROOT,
        Some("organizational_unit.teams[\"dev\"]"),
    );
    // The whole block: both instances forgotten.
    let p = plan(
        &load("removed {\n  from = organizational_unit.teams\n  lifecycle {\n    destroy = false\n  }\n}\n"),
        &live,
        &PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(p.summary().forget, 2, "{:#?}", p.changes);
    // One instance forgotten, the other (unprotected) deleted.
    let p = plan(
        &load("removed {\n  from = organizational_unit.teams[\"sec\"]\n  lifecycle {\n    destroy = false\n  }\n}\n"),
        &live,
        &PlanOptions::default(),
    )
    .unwrap();
    let s = p.summary();
    assert_eq!((s.forget, s.delete), (1, 1), "{:#?}", p.changes);
}

#[test]
fn removed_with_destroy_true_does_not_lift_the_protection() {
    let desired = load(
        "removed {\n  from = organizational_unit.sec\n  lifecycle {\n    destroy = true\n  }\n}\n",
    );
    let errs = errors_of(&desired, &org_with_ou(true));
    assert!(
        errs.contains("main.hcl:1:1: error: organizational_unit.sec"),
        "{errs}"
    );
    assert!(
        errs.contains("destroy = true, which does not lift"),
        "{errs}"
    );
    // Unprotected, destroy = true deletes as a removed block would.
    let p = plan(&desired, &org_with_ou(false), &PlanOptions::default()).unwrap();
    assert_eq!(p.summary().delete, 1, "{:#?}", p.changes);
}

#[test]
fn a_forgotten_ou_keeps_its_deleted_parent_from_being_deleted() {
    let mut live = org_with_ou(false);
    add_ou(
        &mut live,
        "ou-ab12-22222222",
        "Team",
        OU,
        Some("organizational_unit.team"),
    );
    let desired = load(
        "removed {\n  from = organizational_unit.team\n  lifecycle {\n    destroy = false\n  }\n}\n",
    );
    let errs = errors_of(&desired, &live);
    assert!(errs.contains("still contains Team"), "{errs}");
}

#[test]
fn a_protected_block_still_declared_follows_its_own_flag() {
    // The flag turned off and the OU re-parented in one plan: allowed, as in Terraform (the
    // block is there to say so).
    let mut live = org_with_ou(true);
    add_ou(
        &mut live,
        "ou-ab12-22222222",
        "Parent",
        ROOT,
        Some("organizational_unit.parent"),
    );
    let desired = load(
        r#"
organizational_unit "parent" { name = "Parent" }
organizational_unit "sec" {
  name   = "Security"
  parent = organizational_unit.parent
}
"#,
    );
    let p = plan(&desired, &live, &PlanOptions::default()).unwrap();
    assert_eq!(p.summary().replace, 1, "{:#?}", p.changes);
}

#[test]
fn the_prevent_destroy_tag_is_reserved() {
    assert!(PREVENT_DESTROY_TAG.starts_with(crate::model::live::RESERVED_TAG_PREFIX));
    let tags: BTreeMap<String, String> =
        [(PREVENT_DESTROY_TAG.to_string(), "true".to_string())].into();
    assert!(crate::config::checks::check_tags(&tags).is_err());
}
