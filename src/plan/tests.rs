//! Unit tests of matching, diffing and ordering on hand-built live organizations.

use std::collections::{BTreeMap, BTreeSet};

use super::diff::{PlanOptions, plan};
use super::ops::{IdRef, Op};
use super::read::{RoleQuery, expected_role_calls};
use super::{Action, Plan};
use crate::api::{
    Account, AccountState, Operation, Organization, OrganizationalUnit, PolicySummary,
    PolicyTypeStatus, PolicyTypeSummary, Role, Root, Tag,
};
use crate::config::{self, VarInputs};
use crate::model::Desired;
use crate::model::live::{
    LiveAccount, LiveOrg, LiveOu, LivePolicy, LiveRole, OWNERSHIP_TAG, ROLES_TAG, ROLES_TAG_VALUE,
};

mod identity_review;
mod lifecycle;
mod scopes;

const MGMT: &str = "111111111111";
const ROOT: &str = "r-ab12";

fn empty_org() -> LiveOrg {
    let mut live = LiveOrg {
        organization: Organization {
            id: "o-abcdef1234".into(),
            arn: format!("arn:aws:organizations::{MGMT}:organization/o-abcdef1234"),
            feature_set: "ALL".into(),
            master_account_id: MGMT.into(),
            master_account_arn: String::new(),
            master_account_email: "mgmt@example.com".into(),
        },
        root: Root {
            id: ROOT.into(),
            arn: format!("arn:aws:organizations::{MGMT}:root/o-abcdef1234/{ROOT}"),
            name: "Root".into(),
            policy_types: vec![PolicyTypeSummary {
                r#type: "SERVICE_CONTROL_POLICY".into(),
                status: PolicyTypeStatus::Enabled,
            }],
        },
        root_tags: BTreeMap::new(),
        ous: BTreeMap::new(),
        accounts: BTreeMap::new(),
        policies: BTreeMap::new(),
        service_access: BTreeSet::new(),
        delegated_administrators: BTreeSet::new(),
        roles_read_in: BTreeSet::new(),
        roles: BTreeMap::new(),
        unowned_roles: BTreeMap::new(),
        pending_account_creations: vec![],
        apply_lock: None,
    };
    live.policies.insert(
        "p-FullAWSAccess".into(),
        LivePolicy {
            summary: PolicySummary {
                id: "p-FullAWSAccess".into(),
                arn: "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"
                    .into(),
                name: "FullAWSAccess".into(),
                description: "Allows access to every operation".into(),
                r#type: "SERVICE_CONTROL_POLICY".into(),
                aws_managed: true,
            },
            content: None,
            tags: BTreeMap::new(),
            targets: [ROOT.to_string()].into(),
        },
    );
    add_account(
        &mut live,
        MGMT,
        "Management",
        "mgmt@example.com",
        ROOT,
        None,
    );
    live
}

fn owner(addr: Option<&str>) -> BTreeMap<String, String> {
    addr.map(|a| [(OWNERSHIP_TAG.to_string(), a.to_string())].into())
        .unwrap_or_default()
}

fn add_ou(live: &mut LiveOrg, id: &str, name: &str, parent: &str, tag: Option<&str>) {
    live.ous.insert(
        id.into(),
        LiveOu {
            ou: OrganizationalUnit {
                id: id.into(),
                arn: format!("arn:aws:organizations::{MGMT}:ou/o-abcdef1234/{id}"),
                name: name.into(),
            },
            parent_id: parent.into(),
            tags: owner(tag),
        },
    );
    live.policies
        .get_mut("p-FullAWSAccess")
        .unwrap()
        .targets
        .insert(id.into());
}

fn add_account(
    live: &mut LiveOrg,
    id: &str,
    name: &str,
    email: &str,
    parent: &str,
    tag: Option<&str>,
) {
    live.accounts.insert(
        id.into(),
        LiveAccount {
            account: Account {
                id: id.into(),
                arn: format!("arn:aws:organizations::{MGMT}:account/o-abcdef1234/{id}"),
                email: email.into(),
                name: name.into(),
                state: AccountState::Active,
                joined_method: "CREATED".into(),
                joined_timestamp: 0.0,
            },
            parent_id: parent.into(),
            tags: owner(tag),
        },
    );
    live.policies
        .get_mut("p-FullAWSAccess")
        .unwrap()
        .targets
        .insert(id.into());
}

fn add_scp(live: &mut LiveOrg, id: &str, name: &str, tag: Option<&str>, targets: &[&str]) {
    live.policies.insert(
        id.into(),
        LivePolicy {
            summary: PolicySummary {
                id: id.into(),
                arn: format!(
                    "arn:aws:organizations::{MGMT}:policy/o-abcdef1234/service_control_policy/{id}"
                ),
                name: name.into(),
                description: String::new(),
                r#type: "SERVICE_CONTROL_POLICY".into(),
                aws_managed: false,
            },
            content: Some(DENY.into()),
            tags: owner(tag),
            targets: targets.iter().map(|t| t.to_string()).collect(),
        },
    );
}

const DENY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}"#;

fn load(hcl: &str) -> Desired {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.hcl"), hcl).unwrap();
    match config::load(dir.path(), &VarInputs::default()) {
        Ok(d) => d,
        Err(diags) => panic!("{}", diags.render(false)),
    }
}

fn ops_of(plan: &Plan) -> Vec<String> {
    plan.operations.iter().map(|p| p.op.describe()).collect()
}

fn index(plan: &Plan, pred: impl Fn(&Op) -> bool) -> usize {
    plan.operations
        .iter()
        .position(|p| pred(&p.op))
        .unwrap_or_else(|| panic!("no such operation in {:#?}", ops_of(plan)))
}

/// True when `a` must run before `b` (a path of edges).
fn before(plan: &Plan, a: usize, b: usize) -> bool {
    let mut stack = vec![a];
    let mut seen = BTreeSet::new();
    while let Some(n) = stack.pop() {
        for e in plan.edges.iter().filter(|e| e.from == n) {
            if e.to == b {
                return true;
            }
            if seen.insert(e.to) {
                stack.push(e.to);
            }
        }
    }
    false
}

fn policy_block(label: &str, name: &str) -> String {
    format!(
        r#"
policy "{label}" {{
  type    = "SERVICE_CONTROL_POLICY"
  name    = "{name}"
  content = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }}] }})
}}
"#
    )
}

#[test]
fn empty_organization_to_an_ou_an_account_and_a_policy() {
    let live = empty_org();
    let desired = load(&format!(
        r#"
organizational_unit "sec" {{
  name     = "Security"
  policies = [aws_policy.FullAWSAccess, policy.deny]
}}
account "log" {{
  name   = "Log Archive"
  email  = "log@example.com"
  parent = organizational_unit.sec
}}
{}"#,
        policy_block("deny", "Deny")
    ));
    let p = plan(&desired, &live, &PlanOptions::default()).unwrap();
    let s = p.summary();
    assert_eq!(
        (s.create, s.update, s.delete),
        (3, 0, 0),
        "{:#?}",
        p.changes
    );
    let create_ou = index(&p, |o| matches!(o, Op::CreateOu { .. }));
    let create_policy = index(&p, |o| matches!(o, Op::CreatePolicy { .. }));
    let attach = index(&p, |o| matches!(o, Op::AttachPolicy { .. }));
    let create_account = index(&p, |o| matches!(o, Op::CreateAccount { .. }));
    let move_account = index(&p, |o| matches!(o, Op::MoveAccount { .. }));
    // FullAWSAccess comes with the new OU; only the custom SCP is attached.
    assert_eq!(p.operations.len(), 5, "{:#?}", ops_of(&p));
    assert!(before(&p, create_policy, attach));
    assert!(before(&p, create_ou, attach));
    assert!(
        before(&p, attach, move_account),
        "guardrails before the account moves in"
    );
    assert!(before(&p, create_account, move_account));
    assert!(!before(&p, create_account, create_ou));
    // The ownership tag goes on at creation.
    match &p.operations[create_account].op {
        Op::CreateAccount { tags, .. } => assert_eq!(tags[OWNERSHIP_TAG], "account.log"),
        _ => unreachable!(),
    }
}

#[test]
fn planning_the_same_state_again_shows_no_changes() {
    let mut live = empty_org();
    add_ou(
        &mut live,
        "ou-ab12-11111111",
        "Security",
        ROOT,
        Some("organizational_unit.sec"),
    );
    add_scp(
        &mut live,
        "p-deny0001",
        "Deny",
        Some("policy.deny"),
        &["ou-ab12-11111111"],
    );
    let desired = load(&format!(
        r#"
organizational_unit "sec" {{
  name     = "Security"
  policies = [aws_policy.FullAWSAccess, policy.deny]
}}
{}"#,
        policy_block("deny", "Deny")
    ));
    let p = plan(&desired, &live, &PlanOptions::default()).unwrap();
    assert!(!p.has_changes(), "{:#?}", p.changes);
    assert!(p.operations.is_empty());
}

#[test]
fn scp_swap_on_a_target_with_only_full_aws_access_attaches_before_detaching() {
    let mut live = empty_org();
    add_ou(
        &mut live,
        "ou-ab12-11111111",
        "Workloads",
        ROOT,
        Some("organizational_unit.w"),
    );
    add_scp(&mut live, "p-deny0001", "Deny", Some("policy.deny"), &[]);
    let desired = load(&format!(
        r#"
organizational_unit "w" {{
  name     = "Workloads"
  policies = [policy.deny]
}}
{}"#,
        policy_block("deny", "Deny")
    ));
    let p = plan(&desired, &live, &PlanOptions::default()).unwrap();
    let attach = index(&p, |o| matches!(o, Op::AttachPolicy { .. }));
    let detach = index(
        &p,
        |o| matches!(o, Op::DetachPolicy { policy: IdRef::Known(id), .. } if id == "p-FullAWSAccess"),
    );
    assert!(before(&p, attach, detach), "the target never has zero SCPs");
}

#[test]
fn swap_at_the_attachment_maximum_never_exceeds_it_nor_empties_the_target() {
    let mut live = empty_org();
    let ou = "ou-ab12-11111111";
    add_ou(
        &mut live,
        ou,
        "Workloads",
        ROOT,
        Some("organizational_unit.w"),
    );
    let mut blocks = String::new();
    let mut new_refs = Vec::new();
    // FullAWSAccess plus max - 1 old SCPs fill the target; max new ones replace them all.
    let max = crate::vocab::quotas::Quotas::default().attachments_per_target(crate::vocab::SCP);
    for i in 0..max - 1 {
        add_scp(
            &mut live,
            &format!("p-old{i:05}"),
            &format!("Old{i}"),
            None,
            &[ou],
        );
    }
    for i in 0..max {
        blocks.push_str(&policy_block(&format!("new{i}"), &format!("New{i}")));
        new_refs.push(format!("policy.new{i}"));
    }
    let desired = load(&format!(
        "organizational_unit \"w\" {{\n  name = \"Workloads\"\n  policies = [{}]\n}}\n{blocks}",
        new_refs.join(", ")
    ));
    let p = plan(&desired, &live, &PlanOptions::default()).unwrap();
    // Walk the target's attachment chain in edge order and count.
    let chain: Vec<usize> = super::graph::random_order(&p, 7)
        .into_iter()
        .filter(|&i| {
            matches!(
                p.operations[i].op,
                Op::AttachPolicy { .. } | Op::DetachPolicy { .. }
            )
        })
        .collect();
    assert_eq!(
        chain.len(),
        2 * max,
        "{max} attaches and {max} detaches: {:#?}",
        ops_of(&p)
    );
    let max = max as i32;
    let mut count = max;
    for i in chain {
        match p.operations[i].op {
            Op::AttachPolicy { .. } => count += 1,
            _ => count -= 1,
        }
        assert!(
            (1..=max).contains(&count),
            "count {count} after {}",
            p.operations[i].op.describe()
        );
    }
}

#[test]
fn ou_reparent_is_a_replace_that_keeps_accounts_under_guardrails() {
    let mut live = empty_org();
    add_ou(
        &mut live,
        "ou-ab12-aaaaaaaa",
        "A",
        ROOT,
        Some("organizational_unit.a"),
    );
    add_ou(
        &mut live,
        "ou-ab12-bbbbbbbb",
        "B",
        ROOT,
        Some("organizational_unit.b"),
    );
    add_ou(
        &mut live,
        "ou-ab12-cccccccc",
        "C",
        "ou-ab12-bbbbbbbb",
        Some("organizational_unit.c"),
    );
    add_account(
        &mut live,
        "222222222222",
        "X",
        "x@example.com",
        "ou-ab12-bbbbbbbb",
        Some("account.x"),
    );
    add_scp(
        &mut live,
        "p-deny0001",
        "Deny",
        Some("policy.deny"),
        &["ou-ab12-bbbbbbbb"],
    );
    let desired = load(&format!(
        r#"
organizational_unit "a" {{ name = "A" }}
organizational_unit "b" {{
  name     = "B"
  parent   = organizational_unit.a
  policies = [aws_policy.FullAWSAccess, policy.deny]
}}
organizational_unit "c" {{
  name   = "C"
  parent = organizational_unit.b
}}
account "x" {{
  name   = "X"
  email  = "x@example.com"
  parent = organizational_unit.b
}}
{}"#,
        policy_block("deny", "Deny")
    ));
    let p = plan(&desired, &live, &PlanOptions::default()).unwrap();
    let action = |a: &str| {
        p.changes
            .iter()
            .find(|c| c.address.to_string() == a)
            .unwrap()
            .action
    };
    assert_eq!(action("organizational_unit.b"), Action::Replace);
    assert_eq!(
        action("organizational_unit.c"),
        Action::Replace,
        "children are rebuilt"
    );
    assert_eq!(action("account.x"), Action::Move);
    let create_b = index(
        &p,
        |o| matches!(o, Op::CreateOu { name, .. } if name == "B"),
    );
    let create_c = index(
        &p,
        |o| matches!(o, Op::CreateOu { name, .. } if name == "C"),
    );
    let attach = index(
        &p,
        |o| matches!(o, Op::AttachPolicy { target: IdRef::After(a), .. } if a.to_string() == "organizational_unit.b"),
    );
    let mv = index(&p, |o| matches!(o, Op::MoveAccount { .. }));
    let delete_b = index(
        &p,
        |o| matches!(o, Op::DeleteOu { ou } if ou == "ou-ab12-bbbbbbbb"),
    );
    let delete_c = index(
        &p,
        |o| matches!(o, Op::DeleteOu { ou } if ou == "ou-ab12-cccccccc"),
    );
    assert!(before(&p, create_b, attach));
    assert!(
        before(&p, attach, mv),
        "guardrails on the new OU before the account moves in"
    );
    assert!(before(&p, attach, create_c));
    assert!(before(&p, mv, delete_b));
    assert!(
        before(&p, delete_c, delete_b),
        "children are deleted bottom-up"
    );
}

#[test]
fn adoption_and_unmanaged_resources() {
    let mut live = empty_org();
    add_ou(&mut live, "ou-ab12-11111111", "Security", ROOT, None);
    add_ou(&mut live, "ou-ab12-22222222", "Legacy", ROOT, None);
    let desired = load("organizational_unit \"sec\" { name = \"Security\" }\n");
    let p = plan(&desired, &live, &PlanOptions::default()).unwrap();
    let c = &p
        .changes
        .iter()
        .find(|c| c.address.to_string() == "organizational_unit.sec")
        .unwrap();
    assert_eq!(c.action, Action::Adopt);
    assert!(
        matches!(&p.operations[c.operations[0]].op, Op::TagResource { tags, .. } if tags[OWNERSHIP_TAG] == "organizational_unit.sec")
    );
    assert_eq!(p.unmanaged.len(), 1);
    assert_eq!(p.unmanaged[0].name, "Legacy");
    assert!(
        p.operations
            .iter()
            .all(|o| !o.op.describe().contains("ou-ab12-22222222"))
    );
}

#[test]
fn deleting_an_owned_policy_detaches_it_first() {
    let mut live = empty_org();
    add_ou(
        &mut live,
        "ou-ab12-11111111",
        "W",
        ROOT,
        Some("organizational_unit.w"),
    );
    add_scp(
        &mut live,
        "p-gone0001",
        "Gone",
        Some("policy.gone"),
        &["ou-ab12-11111111"],
    );
    let desired = load("organizational_unit \"w\" { name = \"W\" }\n");
    let p = plan(&desired, &live, &PlanOptions::default()).unwrap();
    let detach = index(&p, |o| matches!(o, Op::DetachPolicy { .. }));
    let delete = index(&p, |o| matches!(o, Op::DeletePolicy { .. }));
    assert!(before(&p, detach, delete));
    assert_eq!(p.summary().delete, 1);
}

#[test]
fn deleting_an_ou_that_still_holds_an_unmanaged_account_is_an_error() {
    let mut live = empty_org();
    add_ou(
        &mut live,
        "ou-ab12-11111111",
        "Old",
        ROOT,
        Some("organizational_unit.old"),
    );
    add_account(
        &mut live,
        "333333333333",
        "Stray",
        "stray@example.com",
        "ou-ab12-11111111",
        None,
    );
    let desired = load("organizational_unit \"w\" { name = \"W\" }\n");
    let errs = plan(&desired, &live, &PlanOptions::default()).unwrap_err();
    assert!(errs.iter().any(|e| e.message.contains("Stray")), "{errs:?}");
}

#[test]
fn prevent_destroy_blocks_a_replace() {
    let mut live = empty_org();
    add_ou(
        &mut live,
        "ou-ab12-aaaaaaaa",
        "A",
        ROOT,
        Some("organizational_unit.a"),
    );
    add_ou(
        &mut live,
        "ou-ab12-bbbbbbbb",
        "B",
        ROOT,
        Some("organizational_unit.b"),
    );
    let desired = load(
        r#"
organizational_unit "a" { name = "A" }
organizational_unit "b" {
  name   = "B"
  parent = organizational_unit.a
  lifecycle {
    prevent_destroy = true
  }
}
"#,
    );
    let errs = plan(&desired, &live, &PlanOptions::default()).unwrap_err();
    assert!(
        errs.iter().any(|e| e.message.contains("prevent_destroy")),
        "{errs:?}"
    );
}

#[test]
fn management_account_guard_refuses_another_organization() {
    let live = empty_org();
    let desired = load("organization {\n  management_account_id = \"999999999999\"\n}\n");
    let errs = plan(&desired, &live, &PlanOptions::default()).unwrap_err();
    assert!(errs[0].message.contains("refuses"), "{errs:?}");
}

#[test]
fn a_depends_on_cycle_is_named() {
    let live = empty_org();
    let desired = load(
        r#"
organizational_unit "a" {
  name       = "A"
  depends_on = [organizational_unit.b]
}
organizational_unit "b" {
  name       = "B"
  depends_on = [organizational_unit.a]
}
"#,
    );
    match plan(&desired, &live, &PlanOptions::default()) {
        Err(errs) => assert!(errs[0].message.contains("cycle"), "{errs:?}"),
        Ok(p) => panic!("a cycle was planned: {:#?}", p.edges),
    }
}

#[test]
fn target_keeps_only_what_the_address_needs() {
    let live = empty_org();
    let desired = load(&format!(
        r#"
organizational_unit "sec" {{
  name     = "Security"
  policies = [aws_policy.FullAWSAccess, policy.deny]
}}
organizational_unit "other" {{ name = "Other" }}
{}"#,
        policy_block("deny", "Deny")
    ));
    let opts = PlanOptions {
        targets: vec!["organizational_unit.sec".parse().unwrap()],
    };
    let p = plan(&desired, &live, &opts).unwrap();
    let described = ops_of(&p).join("\n");
    assert!(
        described.contains("CreatePolicy"),
        "the policy it needs is kept"
    );
    assert!(!described.contains("\"Other\""), "{described}");
}

#[test]
fn saved_plans_round_trip_through_json() {
    let live = empty_org();
    let desired = load(&policy_block("deny", "Deny"));
    let p = plan(&desired, &live, &PlanOptions::default()).unwrap();
    let text = super::saved::to_json(&p);
    let back = super::saved::from_json(&text).unwrap();
    assert_eq!(back, p);
    let bad = text.replacen("\"2.0\"", "\"9.9\"", 1);
    assert!(super::saved::from_json(&bad).is_err());
    // A plan saved by an earlier orgchard (1.0: values as HCL text, reasons and warnings
    // as free text) is refused with what to do.
    let old = text.replacen("\"2.0\"", "\"1.0\"", 1);
    let err = super::saved::from_json(&old).unwrap_err().to_string();
    assert!(err.contains("plan format 1.0"), "{err}");
    assert!(err.contains("orgchard plan --out"), "{err}");
}

#[test]
fn a_saved_plan_with_indexes_past_its_operations_or_a_cycle_is_refused() {
    let live = empty_org();
    let desired = load(&policy_block("deny", "Deny"));
    let p = plan(&desired, &live, &PlanOptions::default()).unwrap();
    assert!(!p.operations.is_empty());
    let n = p.operations.len();
    let refused = |p: &Plan| {
        let err = super::saved::from_json(&super::saved::to_json(p)).unwrap_err();
        assert!(err.to_string().contains("damaged"), "{err}");
    };
    let mut edge = p.clone();
    edge.edges.push(super::Edge {
        from: 0,
        to: n,
        reason: "edited".into(),
    });
    refused(&edge);
    let mut change = p.clone();
    change.changes[0].operations.push(n + 7);
    refused(&change);
    let mut cycle = p.clone();
    cycle.edges.push(super::Edge {
        from: 0,
        to: 0,
        reason: "edited".into(),
    });
    refused(&cycle);
}

#[test]
fn deleting_an_owned_policy_detaches_it_from_targets_without_a_policies_list() {
    let mut live = empty_org();
    add_ou(
        &mut live,
        "ou-ab12-11111111",
        "W",
        ROOT,
        Some("organizational_unit.w"),
    );
    add_account(
        &mut live,
        "444444444444",
        "A",
        "a@example.com",
        "ou-ab12-11111111",
        Some("account.a"),
    );
    add_scp(
        &mut live,
        "p-gone0001",
        "Gone",
        Some("policy.gone"),
        &["ou-ab12-11111111", "444444444444"],
    );
    let desired = load(
        "organizational_unit \"w\" { name = \"W\" }\naccount \"a\" {\n  name   = \"A\"\n  email  = \"a@example.com\"\n  parent = organizational_unit.w\n}\n",
    );
    let p = plan(&desired, &live, &PlanOptions::default()).unwrap();
    let detaches = p
        .operations
        .iter()
        .filter(|o| matches!(o.op, Op::DetachPolicy { .. }))
        .count();
    assert_eq!(detaches, 2, "{:#?}", ops_of(&p));
    let delete = index(&p, |o| matches!(o, Op::DeletePolicy { .. }));
    for (i, o) in p.operations.iter().enumerate() {
        if matches!(o.op, Op::DetachPolicy { .. }) {
            assert!(before(&p, i, delete));
        }
    }
}

/// The shape the convergence property test found: an owned policy is deleted while the OU it
/// is attached to is re-parented (replaced) and declares no `policies`. The replacement must
/// not get the policy (attaching it races its deletion), and the old OU's attachment goes with
/// the old OU rather than by a detach that could run after the OU is gone.
#[test]
fn deleting_a_policy_on_an_ou_being_replaced_neither_copies_nor_detaches_it() {
    let mut live = empty_org();
    add_ou(
        &mut live,
        "ou-ab12-11111111",
        "P",
        ROOT,
        Some("organizational_unit.p"),
    );
    add_ou(
        &mut live,
        "ou-ab12-22222222",
        "W",
        ROOT,
        Some("organizational_unit.w"),
    );
    add_scp(
        &mut live,
        "p-gone0001",
        "Gone",
        Some("policy.gone"),
        &["ou-ab12-22222222"],
    );
    let desired = load(
        "organizational_unit \"p\" { name = \"P\" }\norganizational_unit \"w\" {\n  name   = \"W\"\n  parent = organizational_unit.p\n}\n",
    );
    let p = plan(&desired, &live, &PlanOptions::default()).unwrap();
    assert_eq!((p.summary().replace, p.summary().delete), (1, 1));
    let touches_gone = |o: &Op| match o {
        Op::AttachPolicy { policy, .. } | Op::DetachPolicy { policy, .. } => {
            policy == &IdRef::Known("p-gone0001".into())
        }
        _ => false,
    };
    assert!(
        p.operations.iter().all(|o| !touches_gone(&o.op)),
        "{:#?}",
        ops_of(&p)
    );
    let delete_ou = index(
        &p,
        |o| matches!(o, Op::DeleteOu { ou } if ou == "ou-ab12-22222222"),
    );
    let delete_policy = index(&p, |o| matches!(o, Op::DeletePolicy { .. }));
    assert!(before(&p, delete_ou, delete_policy));
}

/// When the deleted policy is the only SCP of an OU being replaced without a `policies` list,
/// the plan says so instead of leaving the replacement without its guardrail.
#[test]
fn deleting_the_only_scp_of_an_ou_being_replaced_is_an_error() {
    let mut live = empty_org();
    add_ou(
        &mut live,
        "ou-ab12-11111111",
        "P",
        ROOT,
        Some("organizational_unit.p"),
    );
    add_ou(
        &mut live,
        "ou-ab12-22222222",
        "W",
        ROOT,
        Some("organizational_unit.w"),
    );
    live.policies
        .get_mut("p-FullAWSAccess")
        .unwrap()
        .targets
        .remove("ou-ab12-22222222");
    add_scp(
        &mut live,
        "p-gone0001",
        "Gone",
        Some("policy.gone"),
        &["ou-ab12-22222222"],
    );
    let desired = load(
        "organizational_unit \"p\" { name = \"P\" }\norganizational_unit \"w\" {\n  name   = \"W\"\n  parent = organizational_unit.p\n}\n",
    );
    let errors = plan(&desired, &live, &PlanOptions::default()).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0]
            .message
            .contains("only SCP attached to ou-ab12-22222222"),
        "{}",
        errors[0]
    );
}

fn plan_errors(desired: &Desired, live: &LiveOrg) -> Vec<String> {
    plan(desired, live, &PlanOptions::default())
        .unwrap_err()
        .iter()
        .map(|e| e.to_string())
        .collect()
}

#[test]
fn renaming_an_ou_onto_an_unmanaged_sibling_is_a_plan_error() {
    let mut live = empty_org();
    add_ou(
        &mut live,
        "ou-ab12-11111111",
        "W",
        ROOT,
        Some("organizational_unit.w"),
    );
    add_ou(&mut live, "ou-ab12-22222222", "Sandbox", ROOT, None);
    let desired = load("organizational_unit \"w\" {\n  name = \"Sandbox\"\n}\n");
    let errors = plan_errors(&desired, &live);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let e = &errors[0];
    for part in [
        "main.hcl:1:1: error: organizational_unit.w:",
        "an OU named \"Sandbox\" under root already exists",
        "ou-ab12-22222222, not managed by this configuration",
        "DuplicateOrganizationalUnitException",
    ] {
        assert!(e.contains(part), "{part:?} in {e}");
    }
}

#[test]
fn moving_an_ou_next_to_an_unmanaged_namesake_is_a_plan_error() {
    let mut live = empty_org();
    add_ou(
        &mut live,
        "ou-ab12-11111111",
        "P",
        ROOT,
        Some("organizational_unit.p"),
    );
    add_ou(
        &mut live,
        "ou-ab12-22222222",
        "W",
        ROOT,
        Some("organizational_unit.w"),
    );
    add_ou(&mut live, "ou-ab12-33333333", "W", "ou-ab12-11111111", None);
    // The tag binds the block to its own OU, so the namesake under P is not adopted; the
    // replacement would be created next to it.
    let desired = load(
        "organizational_unit \"p\" { name = \"P\" }\norganizational_unit \"w\" {\n  name   = \"W\"\n  parent = organizational_unit.p\n}\n",
    );
    let errors = plan_errors(&desired, &live);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].contains("under organizational_unit.p already exists (ou-ab12-33333333"),
        "{}",
        errors[0]
    );
}

#[test]
fn an_ou_renamed_away_frees_its_name_for_another_first() {
    let mut live = empty_org();
    add_ou(
        &mut live,
        "ou-ab12-11111111",
        "Old",
        ROOT,
        Some("organizational_unit.a"),
    );
    add_ou(
        &mut live,
        "ou-ab12-22222222",
        "B",
        ROOT,
        Some("organizational_unit.b"),
    );
    let desired = load(
        "organizational_unit \"a\" { name = \"Retired\" }\norganizational_unit \"b\" { name = \"Old\" }\n",
    );
    let p = plan(&desired, &live, &PlanOptions::default()).unwrap();
    let away = index(
        &p,
        |o| matches!(o, Op::RenameOu { name, .. } if name == "Retired"),
    );
    let onto = index(
        &p,
        |o| matches!(o, Op::RenameOu { name, .. } if name == "Old"),
    );
    assert!(before(&p, away, onto));
}

#[test]
fn a_policy_named_like_an_unmanaged_or_deleted_one_is_a_plan_error() {
    let mut live = empty_org();
    add_scp(&mut live, "p-hand0001", "Handmade", None, &[]);
    add_scp(&mut live, "p-mine0001", "Mine", Some("policy.mine"), &[]);
    add_scp(&mut live, "p-gone0001", "Gone", Some("policy.gone"), &[]);
    // `mine` is renamed onto the unmanaged policy's name; `again` is `gone` under a new
    // label, which deletes the old policy and creates a twin.
    let desired = load(&format!(
        "{}{}",
        policy_block("mine", "Handmade"),
        policy_block("again", "Gone")
    ));
    let errors = plan_errors(&desired, &live);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors.iter().any(|e| e.contains("policy.mine:")
            && e.contains("p-hand0001, not managed by this configuration")
            && e.contains("DuplicatePolicyException")),
        "{errors:#?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("policy.again:")
            && e.contains("(p-gone0001, policy.gone), which this plan deletes")
            && e.contains("`moved`")),
        "{errors:#?}"
    );
}

#[test]
fn an_account_with_the_email_of_a_live_account_it_does_not_match_is_a_plan_error() {
    let mut live = empty_org();
    add_account(
        &mut live,
        "444444444444",
        "Old",
        "team@example.com",
        ROOT,
        Some("account.old"),
    );
    let desired = load("account \"new\" {\n  name  = \"New\"\n  email = \"Team@example.com\"\n}\n");
    let errors = plan_errors(&desired, &live);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    for part in [
        "account.new:",
        "an account with the email Team@example.com already exists",
        "444444444444, tagged as account.old, which the configuration no longer declares",
        "EMAIL_ALREADY_EXISTS",
        "`moved`",
    ] {
        assert!(errors[0].contains(part), "{part:?} in {}", errors[0]);
    }
}

#[test]
fn creating_ous_past_the_organization_quota_is_a_plan_error() {
    let mut live = empty_org();
    for i in 0..1_999 {
        add_ou(
            &mut live,
            &format!("ou-ab12-{i:08}"),
            &format!("Old{i}"),
            ROOT,
            None,
        );
    }
    let desired = load(
        "organizational_unit \"a\" { name = \"A\" }\norganizational_unit \"b\" { name = \"B\" }\n",
    );
    let errors = plan_errors(&desired, &live);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].contains("has 1999 OUs and the plan creates 2 more")
            && errors[0].contains("quota of 2000 OUs per organization"),
        "{}",
        errors[0]
    );
    // One more fits.
    let desired = load("organizational_unit \"a\" { name = \"A\" }\n");
    assert!(plan(&desired, &live, &PlanOptions::default()).is_ok());
}

#[test]
fn creating_policies_past_the_per_type_quota_is_a_plan_error() {
    let mut live = empty_org();
    for i in 0..10_000 {
        add_scp(
            &mut live,
            &format!("p-old{i:05}"),
            &format!("Old{i}"),
            None,
            &[],
        );
    }
    let desired = load(&policy_block("new", "New"));
    let errors = plan_errors(&desired, &live);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].contains("has 10000 policies of type SERVICE_CONTROL_POLICY and the plan creates 1 more, over AWS's quota of 10000 per type"),
        "{}",
        errors[0]
    );
}

fn fifty_tags() -> String {
    let pairs: Vec<String> = (0..50).map(|i| format!("k{i} = \"v\"")).collect();
    format!("{{ {} }}", pairs.join(", "))
}

#[test]
fn fifty_tags_plus_the_ownership_tag_is_a_plan_error() {
    let live = empty_org();
    let desired = load(&format!(
        "organizational_unit \"w\" {{\n  name = \"W\"\n  tags = {}\n}}\n",
        fifty_tags()
    ));
    let errors = plan_errors(&desired, &live);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    for part in [
        "main.hcl:1:1: error: organizational_unit.w:",
        "would carry 51 tags",
        "quota of 50 tags per resource",
    ] {
        assert!(errors[0].contains(part), "{part:?} in {}", errors[0]);
    }
}

#[test]
fn tags_are_removed_before_others_are_added_when_both_would_pass_the_quota() {
    let mut live = empty_org();
    add_ou(
        &mut live,
        "ou-ab12-11111111",
        "W",
        ROOT,
        Some("organizational_unit.w"),
    );
    let ou = live.ous.get_mut("ou-ab12-11111111").unwrap();
    for i in 0..49 {
        ou.tags.insert(format!("old{i}"), "v".into());
    }
    let desired =
        load("organizational_unit \"w\" {\n  name = \"W\"\n  tags = { new = \"v\" }\n}\n");
    let p = plan(&desired, &live, &PlanOptions::default()).unwrap();
    let untag = index(&p, |o| matches!(o, Op::UntagResource { .. }));
    let tag = index(&p, |o| matches!(o, Op::TagResource { .. }));
    assert!(before(&p, untag, tag), "{:#?}", p.edges);
}

#[test]
fn an_ou_under_a_pinned_parent_id_too_deep_in_the_live_tree_is_a_plan_error() {
    let mut live = empty_org();
    let mut parent = ROOT.to_string();
    for i in 1..=5 {
        let id = format!("ou-ab12-0000000{i}");
        add_ou(&mut live, &id, &format!("L{i}"), &parent, None);
        parent = id;
    }
    let desired = load(
        "organizational_unit \"deep\" {\n  name   = \"Deep\"\n  parent = \"ou-ab12-00000005\"\n}\n",
    );
    let errors = plan_errors(&desired, &live);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].contains("6 levels below the root, deeper than AWS's 5 levels"),
        "{}",
        errors[0]
    );
}

fn live_role(account: &str, name: &str, owner_tag: Option<&str>, inline: &[&str]) -> LiveRole {
    LiveRole {
        account_id: account.into(),
        role: Role {
            role_name: name.into(),
            role_id: format!("AROA{name}"),
            arn: format!("arn:aws:iam::{account}:role/{name}"),
            path: "/".into(),
            assume_role_policy_document: "{}".into(),
            description: None,
            max_session_duration: 3600,
            permissions_boundary: None,
            tags: owner(owner_tag)
                .into_iter()
                .map(|(key, value)| Tag { key, value })
                .collect(),
            create_date: 0.0,
        },
        managed_policy_arns: BTreeSet::new(),
        inline_policies: inline
            .iter()
            .map(|n| (n.to_string(), "{}".to_string()))
            .collect(),
    }
}

/// An organization with one member account, owned by `account.w`.
fn org_with_account_w() -> LiveOrg {
    let mut live = empty_org();
    add_account(
        &mut live,
        "222222222222",
        "W",
        "w@example.com",
        ROOT,
        Some("account.w"),
    );
    live
}

#[test]
fn role_reads_follow_their_formula() {
    let mut live = org_with_account_w();
    // The member account lists a service-linked role, the member-access role and two roles
    // read in full (one declared, one owned), with three inline policies between them.
    live.roles.insert(
        "222222222222".into(),
        [
            (
                "Reader".to_string(),
                live_role("222222222222", "Reader", None, &["a", "b"]),
            ),
            (
                "Old".to_string(),
                live_role("222222222222", "Old", Some("role.old"), &["c"]),
            ),
        ]
        .into(),
    );
    let queries: BTreeMap<String, RoleQuery> = [
        (MGMT.to_string(), RoleQuery::default()),
        (
            "222222222222".to_string(),
            RoleQuery {
                names: ["Reader".to_string()].into(),
            },
        ),
    ]
    .into();
    let listed: BTreeMap<String, Vec<String>> = [
        (
            MGMT.to_string(),
            vec!["/aws-reserved/sso.amazonaws.com/".to_string()],
        ),
        (
            "222222222222".to_string(),
            ["/aws-service-role/x/", "/", "/", "/"]
                .map(String::from)
                .to_vec(),
        ),
    ]
    .into();
    let calls = expected_role_calls(&live, &queries, &listed);
    let expected: BTreeMap<Operation, u64> = [
        (Operation::AssumeRole, 1),
        (Operation::ListRoles, 2),
        (Operation::ListRoleTags, 3),
        (Operation::ListAttachedRolePolicies, 2),
        (Operation::ListRolePolicies, 2),
        (Operation::GetRolePolicy, 3),
    ]
    .into();
    assert_eq!(calls, expected);
}

#[test]
fn roles_are_read_where_owned_roles_may_remain_undeclared() {
    let mut live = empty_org();
    for (id, name, owner) in [
        ("222222222222", "W", Some("account.w")),
        ("333333333333", "U", None),
        ("444444444444", "S", Some("account.s")),
        ("555555555555", "P", Some("account.p")),
    ] {
        let email = format!("{}@example.com", name.to_lowercase());
        add_account(&mut live, id, name, &email, ROOT, owner);
    }
    // W and S carry the roles tag: orgchard managed roles there.
    for id in ["222222222222", "444444444444"] {
        let a = live.accounts.get_mut(id).unwrap();
        a.tags.insert(ROLES_TAG.into(), ROLES_TAG_VALUE.into());
    }
    live.accounts.get_mut("444444444444").unwrap().account.state = AccountState::Suspended;
    let desired = load(
        "account \"w\" {\n  name  = \"W\"\n  email = \"w@example.com\"\n}\naccount \"s\" {\n  name  = \"S\"\n  email = \"s@example.com\"\n}\naccount \"p\" {\n  name  = \"P\"\n  email = \"p@example.com\"\n}\n",
    );
    let identities = super::diff::bind_identities(&desired, &live);
    let queries = super::diff::role_queries(&desired, &live, &identities);
    // The tagged account, though it declares no role; not the untagged management account,
    // the untagged managed account, the unmanaged one, nor the suspended one.
    assert_eq!(
        queries.keys().map(String::as_str).collect::<Vec<_>>(),
        ["222222222222"]
    );
    assert!(queries.values().all(|q| q.names.is_empty()));
    // The management account is marked like any other: tagged, it is read.
    live.accounts
        .get_mut(MGMT)
        .unwrap()
        .tags
        .insert(ROLES_TAG.into(), ROLES_TAG_VALUE.into());
    let queries = super::diff::role_queries(&desired, &live, &identities);
    assert_eq!(
        queries.keys().map(String::as_str).collect::<Vec<_>>(),
        [MGMT, "222222222222"]
    );
}

const MGMT_ROLE: &str = "role \"r\" {\n  account = management\n  name = \"Reader\"\n  trusted_accounts = [\"111111111111\"]\n}\n";

#[test]
fn a_role_in_the_management_account_marks_it_first_and_unmarks_it_last() {
    let mut live = empty_org();
    let desired = load(MGMT_ROLE);
    let identities = super::diff::bind_identities(&desired, &live);
    let queries = super::diff::role_queries(&desired, &live, &identities);
    assert_eq!(queries.keys().collect::<Vec<_>>(), [MGMT]);
    live.roles_read_in.insert(MGMT.into());
    let first = plan(&desired, &live, &PlanOptions::default()).unwrap();
    let tag = index(
        &first,
        |op| matches!(op, Op::TagResource { resource: IdRef::Known(id), tags } if id == MGMT && tags.contains_key(ROLES_TAG)),
    );
    let create = index(&first, |op| matches!(op, Op::CreateRole { .. }));
    assert!(before(&first, tag, create), "{:?}", ops_of(&first));

    // Applied: tagged, nothing more to do.
    live.accounts
        .get_mut(MGMT)
        .unwrap()
        .tags
        .insert(ROLES_TAG.into(), ROLES_TAG_VALUE.into());
    live.roles.entry(MGMT.into()).or_default().insert(
        "Reader".into(),
        live_role(MGMT, "Reader", Some("role.r"), &[]),
    );
    let second = plan(&desired, &live, &PlanOptions::default()).unwrap();
    assert!(
        !ops_of(&second).iter().any(|o| o.contains("Tag")),
        "{:?}",
        ops_of(&second)
    );

    // The block removed: the tagged management account is still read, the role deleted,
    // and the tag removed after it.
    let none = load("");
    let identities = super::diff::bind_identities(&none, &live);
    let queries = super::diff::role_queries(&none, &live, &identities);
    assert_eq!(queries.keys().collect::<Vec<_>>(), [MGMT]);
    let third = plan(&none, &live, &PlanOptions::default()).unwrap();
    let delete = index(&third, |op| matches!(op, Op::DeleteRole { .. }));
    let untag = index(
        &third,
        |op| matches!(op, Op::UntagResource { resource: IdRef::Known(id), keys } if id == MGMT && keys.contains(ROLES_TAG)),
    );
    assert!(before(&third, delete, untag), "{:?}", ops_of(&third));
}

/// A plan of one account block bound to an account in `state`.
fn plan_in_state(state: AccountState, hcl_extra: &str) -> Result<Plan, Vec<String>> {
    let mut live = org_with_account_w();
    add_ou(
        &mut live,
        "ou-ab12-aaaaaaaa",
        "A",
        ROOT,
        Some("organizational_unit.a"),
    );
    live.accounts.get_mut("222222222222").unwrap().account.state = state;
    let desired = load(&format!(
        "organizational_unit \"a\" {{\n  name = \"A\"\n}}\naccount \"w\" {{\n  name  = \"W2\"\n  email = \"w@example.com\"\n  parent = organizational_unit.a\n}}\n{hcl_extra}"
    ));
    live.roles_read_in.insert("222222222222".into());
    plan(&desired, &live, &PlanOptions::default())
        .map_err(|e| e.into_iter().map(|e| e.to_string()).collect())
}

#[test]
fn every_account_state_has_its_rule() {
    // ACTIVE: moved and renamed.
    let p = plan_in_state(AccountState::Active, "").unwrap();
    let ops = ops_of(&p);
    assert!(ops.iter().any(|o| o.contains("MoveAccount")), "{ops:?}");
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    // PENDING_ACTIVATION: Organizations changes go ahead; a warning says roles wait.
    let p = plan_in_state(AccountState::PendingActivation, "").unwrap();
    assert!(ops_of(&p).iter().any(|o| o.contains("MoveAccount")));
    assert!(
        p.warnings
            .iter()
            .any(|w| w.headline().contains("PENDING_ACTIVATION")),
        "{:?}",
        p.warnings
    );
    // SUSPENDED (and a state orgchard does not know): nothing planned for it, and said.
    for state in [
        AccountState::Suspended,
        AccountState::Unknown("HIBERNATING".into()),
    ] {
        let shown = state.to_string();
        let p = plan_in_state(state, "").unwrap();
        let w: Vec<&crate::plan::Change> = p
            .changes
            .iter()
            .filter(|c| c.address.to_string() == "account.w")
            .collect();
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].action, Action::Read);
        assert!(w[0].operations.is_empty());
        assert!(
            !ops_of(&p).iter().any(|o| o.contains("222222222222")),
            "{:?}",
            ops_of(&p)
        );
        assert!(
            p.warnings.iter().any(|w| w.headline().contains(&shown)),
            "{:?}",
            p.warnings
        );
    }
    // PENDING_CLOSURE and CLOSED: a block cannot manage it; the error says what to do.
    for state in [AccountState::PendingClosure, AccountState::Closed] {
        let shown = state.to_string();
        let errors = plan_in_state(state, "").unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains(&shown), "{errors:?}");
        assert!(errors[0].contains("remove the block"), "{errors:?}");
    }
}

#[test]
fn roles_are_not_planned_in_an_account_that_cannot_be_entered() {
    let role = "role \"r\" {\n  account = account.w\n  name = \"Reader\"\n  trusted_accounts = [\"111111111111\"]\n}\n";
    let p = plan_in_state(AccountState::Suspended, role).unwrap();
    assert!(
        !ops_of(&p).iter().any(|o| o.contains("CreateRole")),
        "{:?}",
        ops_of(&p)
    );
    let errors = plan_in_state(AccountState::Closed, role).unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("role") && e.contains("CLOSED")),
        "{errors:?}"
    );
}

/// An organization of `members` member accounts, the first `owned` of them owned by blocks
/// that are gone, each in `state`.
fn org_with_orphans(members: usize, owned: usize, state: AccountState) -> LiveOrg {
    let mut live = empty_org();
    for i in 0..members {
        let id = format!("{:012}", 300_000_000_000u64 + i as u64);
        let tag = format!("account.a{i}");
        add_account(
            &mut live,
            &id,
            &format!("A{i}"),
            &format!("a{i}@example.com"),
            ROOT,
            (i < owned).then_some(tag.as_str()),
        );
        live.accounts.get_mut(&id).unwrap().account.state = state.clone();
    }
    live
}

const CLOSE: &str = "organization {\n  account_removal = \"close\"\n}\n";

#[test]
fn closing_treats_an_account_already_closing_as_done() {
    for state in [
        AccountState::PendingClosure,
        AccountState::Suspended,
        AccountState::Closed,
    ] {
        let live = org_with_orphans(3, 3, state.clone());
        let p = plan(&load(CLOSE), &live, &PlanOptions::default()).unwrap();
        assert!(p.operations.is_empty(), "{state}: {:?}", ops_of(&p));
        // Under the other removals, AWS would refuse the call: left as it is, and said.
        let p = plan(&load(""), &live, &PlanOptions::default()).unwrap();
        assert!(p.operations.is_empty(), "{state}: {:?}", ops_of(&p));
        assert_eq!(p.warnings.len(), 3, "{:?}", p.warnings);
    }
    let live = org_with_orphans(3, 3, AccountState::Active);
    let p = plan(&load(CLOSE), &live, &PlanOptions::default()).unwrap();
    assert_eq!(
        p.operations
            .iter()
            .filter(|o| matches!(o.op, Op::CloseAccount { .. }))
            .count(),
        3
    );
}

#[test]
fn closures_beyond_the_close_account_quota_are_refused() {
    // 120 member accounts: 10% is 12 per 30 days.
    let live = org_with_orphans(120, 13, AccountState::Active);
    let errors = plan(&load(CLOSE), &live, &PlanOptions::default()).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].message.contains("quota of 12"), "{errors:?}");
    let live = org_with_orphans(120, 12, AccountState::Active);
    assert!(plan(&load(CLOSE), &live, &PlanOptions::default()).is_ok());
    // Accounts still closing count against the window.
    let mut live = org_with_orphans(120, 12, AccountState::Active);
    let closing = format!("{:012}", 300_000_000_000u64 + 100);
    live.accounts.get_mut(&closing).unwrap().account.state = AccountState::PendingClosure;
    assert!(plan(&load(CLOSE), &live, &PlanOptions::default()).is_err());
    // A quota AWS raised for the organization is honoured.
    let raised = "organization {\n  account_removal = \"close\"\n  quotas = { close_account_percent = 20 }\n}\n";
    let live = org_with_orphans(120, 13, AccountState::Active);
    assert!(plan(&load(raised), &live, &PlanOptions::default()).is_ok());
}

#[test]
fn a_policy_type_orgchard_does_not_know_is_left_alone() {
    let mut live = empty_org();
    add_ou(
        &mut live,
        "ou-ab12-aaaaaaaa",
        "A",
        ROOT,
        Some("organizational_unit.a"),
    );
    live.root.policy_types.push(PolicyTypeSummary {
        r#type: "FUTURE_POLICY".into(),
        status: PolicyTypeStatus::Enabled,
    });
    live.policies.insert(
        "p-future1".into(),
        LivePolicy {
            summary: PolicySummary {
                id: "p-future1".into(),
                arn: format!(
                    "arn:aws:organizations::{MGMT}:policy/o-abcdef1234/future_policy/p-future1"
                ),
                name: "Future".into(),
                description: String::new(),
                r#type: "FUTURE_POLICY".into(),
                aws_managed: false,
            },
            content: Some("{}".into()),
            tags: BTreeMap::new(),
            targets: ["ou-ab12-aaaaaaaa".to_string()].into(),
        },
    );
    let desired = load(
        "organization {\n  enabled_policy_types = [\"SERVICE_CONTROL_POLICY\"]\n}\norganizational_unit \"a\" {\n  name = \"A\"\n  policies = [aws_policy.FullAWSAccess]\n}\n",
    );
    let p = plan(&desired, &live, &PlanOptions::default()).unwrap();
    assert!(p.operations.is_empty(), "{:?}", ops_of(&p));
    assert!(
        p.unmanaged.iter().any(|u| u.id == "p-future1"),
        "{:?}",
        p.unmanaged
    );
}

#[test]
fn attachments_per_target_follow_a_raised_quota() {
    let mut live = empty_org();
    add_ou(
        &mut live,
        "ou-ab12-aaaaaaaa",
        "A",
        ROOT,
        Some("organizational_unit.a"),
    );
    let mut blocks = String::new();
    let mut refs = vec!["aws_policy.FullAWSAccess".to_string()];
    for i in 0..11 {
        blocks.push_str(&format!(
            "policy \"p{i}\" {{\n  type = \"SERVICE_CONTROL_POLICY\"\n  name = \"P{i}\"\n  content = jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Effect = \"Deny\", Action = \"ec2:Op{i}\", Resource = \"*\" }}] }})\n}}\n"
        ));
        refs.push(format!("policy.p{i}"));
    }
    let ou = format!(
        "organizational_unit \"a\" {{\n  name = \"A\"\n  policies = [{}]\n}}\n",
        refs.join(", ")
    );
    let raised = "organization {\n  quotas = { scp_per_target = 12 }\n}\n";
    let p = plan(
        &load(&format!("{raised}{blocks}{ou}")),
        &live,
        &PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(
        p.operations
            .iter()
            .filter(|o| matches!(o.op, Op::AttachPolicy { .. }))
            .count(),
        11
    );
}

#[test]
fn the_roles_tag_brackets_the_role_operations_of_its_account() {
    let mut live = org_with_account_w();
    let account = "account \"w\" {\n  name  = \"W\"\n  email = \"w@example.com\"\n}\n";
    let role = "role \"r\" {\n  account = account.w\n  name = \"Reader\"\n  trusted_accounts = [\"111111111111\"]\n}\n";
    // Declaring a role: the tag is set before the role is created.
    let first = plan(
        &load(&format!("{account}{role}")),
        &live,
        &PlanOptions::default(),
    )
    .unwrap();
    let tag = index(
        &first,
        |op| matches!(op, Op::TagResource { tags, .. } if tags.get(ROLES_TAG).map(String::as_str) == Some(ROLES_TAG_VALUE)),
    );
    let create = index(&first, |op| matches!(op, Op::CreateRole { .. }));
    assert!(before(&first, tag, create));

    // Removing it: the role is deleted before the tag is removed.
    live.accounts
        .get_mut("222222222222")
        .unwrap()
        .tags
        .insert(ROLES_TAG.into(), ROLES_TAG_VALUE.into());
    live.roles.entry("222222222222".into()).or_default().insert(
        "Reader".into(),
        live_role("222222222222", "Reader", Some("role.r"), &[]),
    );
    live.roles_read_in.insert("222222222222".into());
    let second = plan(&load(account), &live, &PlanOptions::default()).unwrap();
    let delete = index(&second, |op| matches!(op, Op::DeleteRole { .. }));
    let untag = index(
        &second,
        |op| matches!(op, Op::UntagResource { keys, .. } if keys.contains(ROLES_TAG)),
    );
    assert!(before(&second, delete, untag));
}

#[test]
fn the_roles_tag_is_kept_even_where_tags_are_ignored() {
    let live = org_with_account_w();
    let account = "account \"w\" {\n  name  = \"W\"\n  email = \"w@example.com\"\n  tags  = { team = \"a\" }\n  lifecycle {\n    ignore_changes = [\"tags\"]\n  }\n}\n";
    let role = "role \"r\" {\n  account = account.w\n  name = \"Reader\"\n  trusted_accounts = [\"111111111111\"]\n}\n";
    let p = plan(
        &load(&format!("{account}{role}")),
        &live,
        &PlanOptions::default(),
    )
    .unwrap();
    let tagged: Vec<&BTreeMap<String, String>> = p
        .operations
        .iter()
        .filter_map(|o| match &o.op {
            Op::TagResource { tags, .. } => Some(tags),
            _ => None,
        })
        .collect();
    // Only the roles tag: the ignored `team` tag is not set.
    assert_eq!(tagged.len(), 1, "{:#?}", ops_of(&p));
    assert_eq!(
        tagged[0].keys().map(String::as_str).collect::<Vec<_>>(),
        [ROLES_TAG]
    );
}

/// A role's name is unique in its account, but a role another address owns is not this
/// block's: the plan refuses to take it over, unless a `moved` block says it is the same.
#[test]
fn a_role_owned_by_another_address_is_not_taken_over() {
    let mut live = org_with_account_w();
    live.roles.entry("222222222222".into()).or_default().insert(
        "Reader".into(),
        live_role("222222222222", "Reader", Some("module.other.role.r"), &[]),
    );
    live.roles_read_in.insert("222222222222".into());
    let account = "account \"w\" {\n  name  = \"W\"\n  email = \"w@example.com\"\n}\n";
    let role = "role \"r\" {\n  account = account.w\n  name = \"Reader\"\n  trusted_accounts = [\"111111111111\"]\n}\n";
    let errors = plan(
        &load(&format!("{account}{role}")),
        &live,
        &PlanOptions::default(),
    )
    .unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("belongs to module.other.role.r")),
        "{errors:?}"
    );
    let moved = "moved {\n  from = module.other.role.r\n  to   = role.r\n}\n";
    let p = plan(
        &load(&format!("{account}{role}{moved}")),
        &live,
        &PlanOptions::default(),
    )
    .unwrap();
    assert!(
        !p.operations
            .iter()
            .any(|o| matches!(o.op, Op::CreateRole { .. } | Op::DeleteRole { .. })),
        "{:#?}",
        ops_of(&p)
    );
}

/// The text of each `label = "..."` and `tooltip = "..."` of a DOT file, unescaped, with a
/// check that the string ends where the attribute does (a stray `"` or `\` would end it early
/// or swallow the closing quote).
fn dot_strings(dot: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in dot.lines() {
        for key in ["label = \"", "tooltip = \""] {
            let Some(at) = line.find(key) else { continue };
            let mut chars = line[at + key.len()..].chars();
            let mut text = String::new();
            loop {
                match chars.next() {
                    Some('\\') => match chars.next() {
                        Some('n') => text.push('\n'),
                        Some(c) => text.push(c),
                        None => panic!("escape at the end of the line: {line}"),
                    },
                    Some('"') => break,
                    Some(c) => text.push(c),
                    None => panic!("unterminated string: {line}"),
                }
            }
            assert_eq!(chars.as_str(), "];", "the string ends early: {line}");
            found.push(text);
        }
    }
    found
}

#[test]
fn graph_labels_with_quotes_and_backslashes_stay_valid_dot() {
    let live = empty_org();
    let desired = load(
        r#"
organizational_unit "odd" {
  name = "Quote \" and backslash \\"
}
account "a" {
  name   = "Ends in \\"
  email  = "a@example.com"
  parent = organizational_unit.odd
}
"#,
    );
    let p = plan(&desired, &live, &PlanOptions::default()).unwrap();
    let dot = super::graph::to_dot(&p);
    let strings = dot_strings(&dot);
    for (i, o) in p.operations.iter().enumerate() {
        let want = format!("{}\n{}", o.address, o.op.describe());
        assert_eq!(strings[i], want, "label of op{i} in:\n{dot}");
    }
    assert!(
        strings
            .iter()
            .any(|s| s.contains("Quote \\\" and backslash \\\\")
                || s.contains("Quote \" and backslash \\")),
        "{dot}"
    );
    assert_eq!(strings.len(), p.operations.len() + p.edges.len());
}

fn rendered(p: &Plan) -> String {
    crate::view::human::render(p, crate::view::human::Style { color: false })
}

const ROLE_ACCOUNT: &str = "account \"w\" {\n  name  = \"W\"\n  email = \"w@example.com\"\n}\n";

fn role_block(description: &str, session: u32, action: &str) -> String {
    format!(
        r#"
role "r" {{
  account              = account.w
  name                 = "Reader"
  path                 = "/team/"
  description          = "{description}"
  trusted_accounts     = ["111111111111"]
  max_session_duration = {session}
  tags                 = {{ team = "platform" }}

  inline_policy "data" {{
    policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Action = "{action}", Resource = "*" }}] }})
  }}
}}
"#
    )
}

#[test]
fn a_created_role_shows_every_attribute_it_is_created_with() {
    let live = org_with_account_w();
    let p = plan(
        &load(&format!(
            "{ROLE_ACCOUNT}{}",
            role_block("Reads things", 7200, "s3:GetObject")
        )),
        &live,
        &PlanOptions::default(),
    )
    .unwrap();
    let out = rendered(&p);
    for want in [
        "+ path",
        "\"/team/\"",
        "+ description",
        "\"Reads things\"",
        "+ max_session_duration",
        "7200",
        "+ tags",
        "\"team\" = \"platform\"",
        "+ inline_policy.data",
        "\"Action\": \"s3:GetObject\"",
    ] {
        assert!(out.contains(want), "{want:?} is not shown in:\n{out}");
    }
}

#[test]
fn an_updated_role_shows_each_changed_attribute() {
    let mut live = org_with_account_w();
    let mut role = live_role("222222222222", "Reader", Some("role.r"), &["data", "gone"]);
    role.role.path = "/team/".into();
    role.role.description = Some("Old words".into());
    role.role.tags.push(Tag {
        key: "team".into(),
        value: "platform".into(),
    });
    role.inline_policies.insert(
        "data".into(),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#.into(),
    );
    role.inline_policies.insert(
        "gone".into(),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}"#.into(),
    );
    live.roles
        .entry("222222222222".into())
        .or_default()
        .insert("Reader".into(), role);
    live.roles_read_in.insert("222222222222".into());
    live.accounts
        .get_mut("222222222222")
        .unwrap()
        .tags
        .insert(ROLES_TAG.into(), ROLES_TAG_VALUE.into());
    let p = plan(
        &load(&format!(
            "{ROLE_ACCOUNT}{}",
            role_block("New words", 7200, "s3:GetObject")
        )),
        &live,
        &PlanOptions::default(),
    )
    .unwrap();
    let out = rendered(&p);
    for want in [
        "~ description",
        "\"Old words\" -> \"New words\"",
        "~ max_session_duration",
        "3600 -> 7200",
        "~ inline_policy.data",
        "- inline_policy.gone",
    ] {
        assert!(out.contains(want), "{want:?} is not shown in:\n{out}");
    }
    // The documents as line diffs: what is taken away and what is granted.
    let marked = |mark: &str, text: &str| {
        out.lines()
            .any(|l| l.trim_start().starts_with(mark) && l.contains(text))
    };
    assert!(marked("-", "\"Action\": \"s3:ListBucket\""), "{out}");
    assert!(marked("+", "\"Action\": \"s3:GetObject\""), "{out}");
    assert!(marked("-", "\"Action\": \"kms:Decrypt\""), "{out}");
    assert!(
        p.operations
            .iter()
            .any(|o| matches!(&o.op, Op::UpdateRole { description: Some(d), max_session_duration: Some(7200), .. } if d == "New words")),
        "{out}"
    );
}
