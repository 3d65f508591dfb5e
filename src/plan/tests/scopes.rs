//! Ownership scopes: a configuration owns only what carries its scope; another scope's
//! resources are unmanaged to it, never orphans, never adopted, pinned or taken by name.

use super::*;
use crate::model::live::SCOPE_TAG;

/// Tags another scope's apply would have written.
fn scoped(live: &mut LiveOrg, id: &str, scope: &str) {
    let tags = if let Some(o) = live.ous.get_mut(id) {
        &mut o.tags
    } else if let Some(a) = live.accounts.get_mut(id) {
        &mut a.tags
    } else {
        &mut live.policies.get_mut(id).unwrap().tags
    };
    tags.insert(SCOPE_TAG.into(), scope.into());
}

/// Scope "security" owns an OU and a policy; the default scope owns an OU.
fn shared_org() -> LiveOrg {
    let mut live = empty_org();
    add_ou(
        &mut live,
        "ou-ab12-secu0001",
        "Security",
        ROOT,
        Some("organizational_unit.sec"),
    );
    scoped(&mut live, "ou-ab12-secu0001", "security");
    add_scp(&mut live, "p-sec", "SecGuard", Some("policy.guard"), &[]);
    scoped(&mut live, "p-sec", "security");
    add_ou(
        &mut live,
        "ou-ab12-work0001",
        "Workloads",
        ROOT,
        Some("organizational_unit.wl"),
    );
    live
}

#[test]
fn another_scopes_resources_are_unmanaged_not_orphans() {
    let live = shared_org();
    // The default scope's configuration, which no longer has anything of security's.
    let p = plan(
        &load("organizational_unit \"wl\" { name = \"Workloads\" }\n"),
        &live,
        &PlanOptions::default(),
    )
    .unwrap();
    assert!(!p.has_changes(), "{:#?}", p.changes);
    let unmanaged: BTreeSet<&str> = p.unmanaged.iter().map(|u| u.id.as_str()).collect();
    assert!(
        unmanaged.contains("ou-ab12-secu0001") && unmanaged.contains("p-sec"),
        "{unmanaged:?}"
    );
    // Security's configuration sees the default scope's OU as unmanaged, and plans nothing
    // for it, while its own resources match by tag.
    let p = plan(
        &load(
            r#"
organization { scope = "security" }
organizational_unit "sec" { name = "Security" }
policy "guard" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "SecGuard"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}
"#,
        ),
        &live,
        &PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(p.summary().delete, 0, "{:#?}", p.changes);
    assert_eq!(
        p.bindings[&"organizational_unit.sec".parse().unwrap()],
        "ou-ab12-secu0001"
    );
    assert!(
        p.unmanaged.iter().any(|u| u.id == "ou-ab12-work0001"),
        "{:?}",
        p.unmanaged
    );
    assert!(
        !p.unmanaged.iter().any(|u| u.id == "ou-ab12-secu0001"),
        "{:?}",
        p.unmanaged
    );
    // An empty security configuration deletes its own, and only its own.
    let p = plan(
        &load("organization { scope = \"security\" }\n"),
        &live,
        &PlanOptions::default(),
    )
    .unwrap();
    let deleted: BTreeSet<String> = p
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .filter_map(|c| c.id.clone())
        .collect();
    assert_eq!(
        deleted,
        ["ou-ab12-secu0001", "p-sec"].map(String::from).into(),
        "{:#?}",
        p.changes
    );
}

#[test]
fn the_same_address_in_two_scopes_is_two_resources() {
    let live = shared_org();
    // The default scope declares `organizational_unit.sec` too: security's OU is not its.
    let p = plan(
        &load(
            "organizational_unit \"wl\" { name = \"Workloads\" }\norganizational_unit \"sec\" { name = \"Sec (platform)\" }\n",
        ),
        &live,
        &PlanOptions::default(),
    )
    .unwrap();
    let c = p
        .changes
        .iter()
        .find(|c| c.address.to_string() == "organizational_unit.sec")
        .unwrap();
    assert_eq!(c.action, Action::Create, "{c:#?}");
}

#[test]
fn another_scopes_resource_is_never_adopted_nor_pinned() {
    let live = shared_org();
    // Adopting by natural key (parent and name).
    let errors = plan_errors(
        &load("organizational_unit \"security\" { name = \"Security\" }\n"),
        &live,
    );
    assert!(
        errors.iter().any(|e| e.contains("ou-ab12-secu0001")
            && e.contains("organizational_unit.sec of scope \"security\"")
            && e.contains("never takes over")),
        "{errors:?}"
    );
    // A policy by type and name.
    let errors = plan_errors(&load(&policy_block("mine", "SecGuard")), &live);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("p-sec") && e.contains("scope \"security\"")),
        "{errors:?}"
    );
    // A pin.
    let errors = plan_errors(
        &load(
            "organizational_unit \"x\" {\n  id   = \"ou-ab12-secu0001\"\n  name = \"Security\"\n}\n",
        ),
        &live,
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("pinned id \"ou-ab12-secu0001\"") && e.contains("scope")),
        "{errors:?}"
    );
    // And from the other side: the default scope's OU is not security's to adopt.
    let errors = plan_errors(
        &load(
            "organization { scope = \"security\" }\norganizational_unit \"w\" { name = \"Workloads\" }\n",
        ),
        &live,
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("ou-ab12-work0001") && e.contains("the default scope")),
        "{errors:?}"
    );
}

#[test]
fn a_scoped_configuration_writes_its_scope_with_the_ownership_tag() {
    let live = empty_org();
    let p = plan(
        &load("organization { scope = \"security\" }\norganizational_unit \"sec\" { name = \"Security\" }\n"),
        &live,
        &PlanOptions::default(),
    )
    .unwrap();
    let tags = p
        .operations
        .iter()
        .find_map(|o| match &o.op {
            Op::CreateOu { tags, .. } => Some(tags.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(tags[OWNERSHIP_TAG], "organizational_unit.sec");
    assert_eq!(tags[SCOPE_TAG], "security");
    assert_eq!(p.context.scope.as_deref(), Some("security"));
    // The default scope writes no scope tag: the tags of before scopes keep their meaning.
    let p = plan(
        &load("organizational_unit \"sec\" { name = \"Security\" }\n"),
        &live,
        &PlanOptions::default(),
    )
    .unwrap();
    assert!(
        ops_of(&p).iter().all(|o| !o.contains(SCOPE_TAG)),
        "{:?}",
        ops_of(&p)
    );
}

#[test]
fn a_role_tag_stays_while_another_scope_has_roles_in_the_account() {
    let mut live = empty_org();
    add_account(
        &mut live,
        "222222222222",
        "A",
        "a@example.com",
        ROOT,
        Some("account.a"),
    );
    live.accounts
        .get_mut("222222222222")
        .unwrap()
        .tags
        .insert(ROLES_TAG.into(), ROLES_TAG_VALUE.into());
    live.roles_read_in.insert("222222222222".into());
    live.roles.entry("222222222222".into()).or_default().insert(
        "Auditor".into(),
        LiveRole {
            account_id: "222222222222".into(),
            role: Role {
                role_name: "Auditor".into(),
                role_id: "AROA1".into(),
                arn: "arn:aws:iam::222222222222:role/Auditor".into(),
                path: "/".into(),
                assume_role_policy_document: "{}".into(),
                description: None,
                max_session_duration: 3600,
                permissions_boundary: None,
                tags: vec![
                    Tag {
                        key: OWNERSHIP_TAG.into(),
                        value: "role.auditor".into(),
                    },
                    Tag {
                        key: SCOPE_TAG.into(),
                        value: "security".into(),
                    },
                ],
                create_date: 0.0,
            },
            managed_policy_arns: BTreeSet::new(),
            inline_policies: BTreeMap::new(),
        },
    );
    // The default scope manages the account but no roles: security's role is neither
    // deleted nor its roles tag removed.
    let p = plan(
        &load("account \"a\" {\n  name  = \"A\"\n  email = \"a@example.com\"\n}\n"),
        &live,
        &PlanOptions::default(),
    )
    .unwrap();
    assert!(!p.has_changes(), "{:#?} {:?}", p.changes, ops_of(&p));
    // Declaring a role of that name is taking it over: refused.
    let errors = plan_errors(
        &load(
            "account \"a\" {\n  name  = \"A\"\n  email = \"a@example.com\"\n}\nrole \"auditor\" {\n  account = account.a\n  name    = \"Auditor\"\n  trusted_accounts = [\"111111111111\"]\n}\n",
        ),
        &live,
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("role.auditor of scope \"security\"")),
        "{errors:?}"
    );
}

#[test]
fn a_scope_must_be_a_short_identifier() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["Security", "sec urity", "", "default", &"s".repeat(33)] {
        std::fs::write(
            dir.path().join("main.hcl"),
            format!("organization {{\n  scope = {bad:?}\n}}\n"),
        )
        .unwrap();
        let (_, diags) = config::load_with_diagnostics(dir.path(), &VarInputs::default());
        let text = diags.render(false);
        assert!(diags.has_errors(), "{bad:?} was accepted");
        assert!(text.contains("main.hcl") && text.contains(":2"), "{text}");
        assert!(text.contains("scope"), "{text}");
    }
}

#[test]
fn the_apply_locks_name_is_reserved() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.hcl"),
        policy_block("mine", crate::model::lock::LOCK_POLICY_NAME),
    )
    .unwrap();
    let (_, diags) = config::load_with_diagnostics(dir.path(), &VarInputs::default());
    let text = diags.render(false);
    assert!(diags.has_errors(), "accepted");
    assert!(
        text.contains("reserved for orgchard's apply lock"),
        "{text}"
    );
    assert!(text.contains("main.hcl"), "{text}");
}
