//! `plan --target` reads only what its targets need: the root's children, the OUs on the way
//! to the targets and the targets' subtrees, and every policy; never the tags of accounts in
//! other OUs. Whatever it reads, it must make the plan a whole read makes for the same
//! targets, so each case here plans both ways and compares; the calls are counted.

mod applying;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use applying::*;
use orgchard::addr::Address;
use orgchard::api::{
    ApiExt, CreateOrganizationalUnitInput, Operation, Scope, Tag, TagResourceInput,
};
use orgchard::backend::client::Client;
use orgchard::backend::emulator::{InitOptions, fresh_state};
use orgchard::model::Desired;
use orgchard::plan::diff::{self, PlanOptions};
use orgchard::plan::targeted::Closure;
use orgchard::plan::{self, Plan, read};

const TOPS: usize = 3;
const LEAVES: usize = 3;
const ACCOUNTS: usize = 4;

/// Three top OUs under the root, three leaf OUs in each, four accounts in each leaf; four
/// SCPs; a role in one account. `changed` edits the blocks it names (an account's tag, or
/// with `move account.x` its parent).
fn config(changed: &BTreeSet<&str>) -> String {
    let mut hcl = String::from(
        "organization {\n  feature_set          = \"ALL\"\n  enabled_policy_types = [\"SERVICE_CONTROL_POLICY\"]\n}\n\nroot {\n  policies = [aws_policy.FullAWSAccess]\n}\n\n",
    );
    for p in 0..4 {
        let action = if changed.contains(format!("policy.guard{p}").as_str()) {
            "s3:DeleteBucket"
        } else {
            "ec2:RunInstances"
        };
        writeln!(
            hcl,
            "policy \"guard{p}\" {{\n  type    = \"SERVICE_CONTROL_POLICY\"\n  name    = \"Guard{p}\"\n  content = jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Effect = \"Deny\", Action = \"{action}\", Resource = \"*\" }}] }})\n}}\n"
        )
        .unwrap();
    }
    for i in 0..TOPS {
        let tier = if changed.contains(format!("organizational_unit.top{i}").as_str()) {
            "changed"
        } else {
            "base"
        };
        writeln!(
            hcl,
            "organizational_unit \"top{i}\" {{\n  name     = \"Top{i}\"\n  policies = [aws_policy.FullAWSAccess, policy.guard{i}]\n  tags     = {{ tier = \"{tier}\" }}\n}}\n"
        )
        .unwrap();
        for j in 0..LEAVES {
            writeln!(
                hcl,
                "organizational_unit \"leaf{i}_{j}\" {{\n  name     = \"Leaf{j}\"\n  parent   = organizational_unit.top{i}\n  policies = [aws_policy.FullAWSAccess]\n}}\n"
            )
            .unwrap();
            for k in 0..ACCOUNTS {
                let address = format!("account.a{i}_{j}_{k}");
                let team = if changed.contains(address.as_str()) {
                    "other-team"
                } else {
                    "team"
                };
                // `move account.x` moves it to the next leaf of its top OU.
                let leaf = if changed.contains(format!("move {address}").as_str()) {
                    (j + 1) % LEAVES
                } else {
                    j
                };
                writeln!(
                    hcl,
                    "account \"a{i}_{j}_{k}\" {{\n  name   = \"A{i}{j}{k}\"\n  email  = \"a{i}-{j}-{k}@example.com\"\n  parent = organizational_unit.leaf{i}_{leaf}\n  tags   = {{ team = \"{team}\" }}\n}}\n"
                )
                .unwrap();
            }
        }
    }
    let path = if changed.contains("role.auditor") {
        "/audit/"
    } else {
        "/"
    };
    writeln!(
        hcl,
        "role \"auditor\" {{\n  account          = account.a0_0_0\n  name             = \"Auditor\"\n  path             = \"{path}\"\n  trusted_accounts = [management.id]\n  managed_policy_arns = [\"arn:aws:iam::aws:policy/SecurityAudit\"]\n}}\n"
    )
    .unwrap();
    hcl
}

fn load_text(text: &str) -> (tempfile::TempDir, Desired) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.hcl"), text).unwrap();
    let desired = load(dir.path());
    (dir, desired)
}

/// An organization the base configuration was applied to.
async fn applied() -> orgchard::backend::emulator::State {
    let (emu, client) = connect(fresh_state(&InitOptions::default()).unwrap(), false);
    let (_dir, desired) = load_text(&config(&BTreeSet::new()));
    plan_and_apply(&client, &desired, 10).await.expect("apply");
    assert_converged(&client, &desired, "base").await;
    emu.state()
}

fn targets(list: &[&str]) -> PlanOptions {
    #[allow(clippy::needless_update)] // PlanOptions may grow fields; they keep defaults.
    PlanOptions {
        targets: list.iter().map(|t| t.parse::<Address>().unwrap()).collect(),
        ..PlanOptions::default()
    }
}

/// The plan a whole read gives for `options`, as `plan` made it before targeted reads.
async fn whole(client: &Client, desired: &Desired, options: &PlanOptions) -> Plan {
    let mut live = read::read_organization(client).await.unwrap();
    let identities = diff::bind_identities(desired, &live);
    let queries = diff::role_queries(desired, &live, &identities);
    read::read_roles(client, &mut live, &queries).await.unwrap();
    diff::plan_bound(desired, &live, identities, options).unwrap()
}

/// What must agree between a narrow and a whole plan: everything but the read's own record
/// (fingerprint, what was listed, which accounts' roles were read).
fn comparable(p: &Plan, desired: &Desired, options: &PlanOptions) -> String {
    let closure = Closure::of(desired, &options.targets);
    let mut p = p.clone();
    p.bindings.retain(|a, _| closure.addresses.contains(a));
    p.context.fingerprint.clear();
    p.context.narrow_read = None;
    p.context.role_queries.clear();
    p.unmanaged.clear();
    serde_json::to_string_pretty(&p).unwrap()
}

/// Plans `changed` with `--target` both ways on a copy of `state`; returns the narrow plan
/// and the calls it made.
async fn both_ways(
    state: &orgchard::backend::emulator::State,
    changed: &[&str],
    target: &[&str],
) -> (Plan, BTreeMap<Operation, u64>) {
    let (_dir, desired) = load_text(&config(&changed.iter().copied().collect()));
    let options = targets(target);
    let (_, client) = connect(state.clone(), false);
    let (narrow, _) = plan::make(&desired, &client, &options).await.expect("plan");
    let calls: BTreeMap<Operation, u64> = client.stats().accepted().into_iter().collect();
    let (_, client) = connect(state.clone(), false);
    let reference = whole(&client, &desired, &options).await;
    assert_eq!(
        comparable(&narrow, &desired, &options),
        comparable(&reference, &desired, &options),
        "--target {target:?} with {changed:?} changed: the narrow read planned otherwise than a whole read"
    );
    (narrow, calls)
}

#[tokio::test(start_paused = true)]
async fn a_targeted_plan_reads_its_subtree_and_plans_what_a_whole_read_plans() {
    let state = applied().await;
    let (_, client) = connect(state.clone(), false);
    let (_dir, desired) = load_text(&config(&BTreeSet::new()));
    plan::make(&desired, &client, &PlanOptions::default())
        .await
        .unwrap();
    let whole_calls: BTreeMap<Operation, u64> = client.stats().accepted().into_iter().collect();

    // An account's tag: the root's children, the OUs on its way and its own tags.
    let (p, calls) = both_ways(&state, &["account.a1_2_3"], &["account.a1_2_3"]).await;
    assert_eq!(p.summary().update, 1, "{}", show(&p));
    let narrow = p.context.narrow_read.clone().expect("a narrow read");
    // The root, Top1 and Leaf2 under it.
    assert_eq!(narrow.parents.len(), 3, "{narrow:?}");
    assert_eq!(narrow.tagged_accounts.len(), 1, "{narrow:?}");
    assert_eq!(calls[&Operation::ListAccountsForParent], 3);
    assert_eq!(calls[&Operation::ListOrganizationalUnitsForParent], 3);
    // Tags: the root, 3 top OUs, Top1's 3 leaves, the account, 4 policies.
    assert_eq!(calls[&Operation::ListTagsForResource], 1 + 3 + 3 + 1 + 4);
    // The root, every OU, every account (the management account among them), 4 policies.
    let all_tags = 1 + TOPS + TOPS * LEAVES + TOPS * LEAVES * ACCOUNTS + 1 + 4;
    assert_eq!(
        whole_calls[&Operation::ListTagsForResource],
        all_tags as u64
    );
    println!("targeted account: {calls:?}\nwhole: {whole_calls:?}");

    // An account that moves: not under the OU it is to move to, so every OU is listed,
    // but still only its own tags are read among the accounts.
    let (p, calls) = both_ways(&state, &["move account.a1_2_3"], &["account.a1_2_3"]).await;
    assert_eq!(p.summary().moves, 1, "{}", show(&p));
    let narrow = p.context.narrow_read.clone().expect("a narrow read");
    assert_eq!(narrow.parents.len(), 1 + TOPS + TOPS * LEAVES, "{narrow:?}");
    assert_eq!(narrow.tagged_accounts.len(), 1, "{narrow:?}");
    assert!(
        calls[&Operation::ListTagsForResource] < all_tags as u64,
        "{calls:?}"
    );

    // An OU's own change: the accounts of other top OUs are not read.
    let (p, calls) = both_ways(
        &state,
        &["organizational_unit.top2"],
        &["organizational_unit.top2"],
    )
    .await;
    assert_eq!(p.summary().update, 1, "{}", show(&p));
    // The root's children and the OU's own: no account's tags.
    let narrow = p.context.narrow_read.clone().expect("a narrow read");
    assert_eq!(narrow.parents.len(), 2, "{narrow:?}");
    assert_eq!(calls[&Operation::ListTagsForResource], 1 + 3 + 3 + 4);

    // A policy: only the policies and the root's children are read.
    let (p, calls) = both_ways(&state, &["policy.guard3"], &["policy.guard3"]).await;
    assert_eq!(p.summary().update, 1, "{}", show(&p));
    assert_eq!(calls[&Operation::ListOrganizationalUnitsForParent], 1);
    assert_eq!(
        calls[&Operation::ListTagsForResource],
        (1 + TOPS + 4) as u64
    );

    // A role: its account's roles only.
    let (p, calls) = both_ways(&state, &["role.auditor"], &["role.auditor"]).await;
    assert!(p.has_changes(), "{}", show(&p));
    assert_eq!(
        calls.get(&Operation::ListRoles).copied(),
        Some(1),
        "{calls:?}"
    );
    assert_eq!(p.context.role_queries.len(), 1);

    // Changes outside the targets are neither read nor planned.
    let (p, _) = both_ways(
        &state,
        &["account.a2_0_0", "policy.guard1"],
        &["account.a0_1_1"],
    )
    .await;
    assert!(!p.has_changes(), "{}", show(&p));
}

#[tokio::test(start_paused = true)]
async fn a_targeted_plan_that_creates_adopts_or_deletes_reads_the_whole_organization() {
    let state = applied().await;
    // A new account: its ownership tag may be anywhere, so the whole tree is read.
    let mut text = config(&BTreeSet::new());
    text.push_str("account \"new\" {\n  name = \"New\"\n  email = \"new@example.com\"\n  parent = organizational_unit.leaf0_0\n}\n");
    let (_dir, desired) = load_text(&text);
    let options = targets(&["account.new"]);
    let (_, client) = connect(state.clone(), false);
    let (p, _) = plan::make(&desired, &client, &options).await.unwrap();
    assert_eq!(p.summary().create, 1, "{}", show(&p));
    assert_eq!(p.context.narrow_read, None);
    let (_, client) = connect(state.clone(), false);
    assert_eq!(
        comparable(&p, &desired, &options),
        comparable(
            &whole(&client, &desired, &options).await,
            &desired,
            &options
        )
    );

    // An orphan: its block is gone, so nothing but a whole read finds it.
    let text = config(&BTreeSet::new()).replace(
        "organizational_unit \"leaf2_2\" {\n  name     = \"Leaf2\"\n  parent   = organizational_unit.top2\n  policies = [aws_policy.FullAWSAccess]\n}\n",
        "",
    );
    let text = text.replace(
        "parent = organizational_unit.leaf2_2\n",
        "parent = organizational_unit.leaf2_1\n",
    );
    let (_dir, desired) = load_text(&text);
    let options = targets(&["organizational_unit.leaf2_2"]);
    let (_, client) = connect(state.clone(), false);
    let (p, _) = plan::make(&desired, &client, &options).await.unwrap();
    assert_eq!(p.summary().delete, 1, "{}", show(&p));
    assert_eq!(p.context.narrow_read, None);
}

#[tokio::test(start_paused = true)]
async fn a_saved_targeted_plan_is_stale_only_when_what_it_read_changed() {
    let state = applied().await;
    let (_dir, desired) = load_text(&config(&["account.a1_2_3"].into_iter().collect()));
    let options = targets(&["account.a1_2_3"]);
    let (_emu, client) = connect(state.clone(), false);
    let (p, _) = plan::make(&desired, &client, &options).await.unwrap();
    assert!(p.context.narrow_read.is_some());
    assert!(plan::is_current(&p, &client).await.unwrap());

    // An account in another top OU is retagged: not read, so not stale.
    let other = account_id(&client, "a0-0-0@example.com").await;
    tag(&client, &other, "x", "y").await;
    assert!(plan::is_current(&p, &client).await.unwrap());

    // A new OU under the root, whose children the plan listed: stale.
    let root = read::read_organization(&client).await.unwrap().root.id;
    client
        .create_organizational_unit(
            &Scope::Management,
            CreateOrganizationalUnitInput {
                parent_id: root,
                name: "Intruder".to_string(),
                tags: Vec::new(),
            },
        )
        .await
        .unwrap();
    assert!(!plan::is_current(&p, &client).await.unwrap());
}

async fn account_id(client: &Client, email: &str) -> String {
    let live = read::read_organization(client).await.unwrap();
    live.accounts
        .values()
        .find(|a| a.account.email == email)
        .map(|a| a.account.id.clone())
        .unwrap_or_else(|| panic!("no account {email}"))
}

async fn tag(client: &Client, id: &str, key: &str, value: &str) {
    client
        .tag_resource(
            &Scope::Management,
            TagResourceInput {
                resource_id: id.to_string(),
                tags: vec![Tag {
                    key: key.to_string(),
                    value: value.to_string(),
                }],
            },
        )
        .await
        .unwrap();
}
