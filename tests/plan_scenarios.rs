//! Planner scenarios against the embedded emulator. Each scenario applies a first
//! configuration (`1/`) to a fresh organization, optionally changes the organization out of
//! band, then plans a second configuration (`2/`): the plan is pinned as a snapshot, its
//! operations are executed in several random topological orders (each on a fresh copy of the
//! starting state), and planning again afterwards must show no changes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use orgchard::api::*;
use orgchard::apply;
use orgchard::backend::client::{Client, RetryPolicy};
use orgchard::backend::emulator::Emulator;
use orgchard::backend::emulator::State;
use orgchard::backend::emulator::{InitOptions, fresh_state};
use orgchard::backend::*;
use orgchard::config::{self, VarInputs};
use orgchard::model::Desired;
use orgchard::plan::diff::PlanOptions;
use orgchard::plan::{self, Plan, graph};
use orgchard::view::human as render;

fn scenario_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/scenarios")
        .join(name)
}

fn load(dir: &Path) -> Desired {
    config::load(dir, &VarInputs::default())
        .unwrap_or_else(|d| panic!("{}: {}", dir.display(), d.render(false)))
}

fn options() -> InitOptions {
    InitOptions {
        rate_limits: false,
        ..InitOptions::default()
    }
}

fn client(state: State) -> (Arc<Emulator>, Arc<Client>) {
    let emu = Arc::new(Emulator::in_memory(state, &ConnectOptions::default()));
    let api: Arc<dyn Api> = emu.clone();
    (
        emu,
        Arc::new(Client::new(api, |_| None, RetryPolicy::default())),
    )
}

async fn make_plan(client: &Client, desired: &Desired) -> Result<Plan, plan::MakePlanError> {
    plan::make(desired, client, &PlanOptions::default())
        .await
        .map(|(p, _)| p)
}

/// Applies `desired` in a fixed order, so the ids it creates are the same on every run.
async fn converge(client: &Arc<Client>, desired: &Desired) {
    let p = make_plan(client, desired).await.expect("plan");
    let order = graph::random_order(&p, 0);
    apply::apply_in_order(&p, client.clone(), &order)
        .await
        .unwrap_or_else(|(i, e)| panic!("{}: {e}", p.operations[i].op.describe()));
    let again = make_plan(client, desired).await.expect("plan again");
    assert!(
        !again.has_changes(),
        "{}",
        render::render(&again, render::Style { color: false })
    );
}

/// The starting state of a scenario: step 1 applied, then the out-of-band changes.
async fn start(name: &str, oob: impl AsyncFnOnce(&Client)) -> State {
    let (emu, client) = client(fresh_state(&options()).unwrap());
    let step1 = scenario_dir(name).join("1");
    if step1.exists() {
        converge(&client, &load(&step1)).await;
    }
    oob(&client).await;
    emu.state()
}

/// Plans step 2, snapshots the plan, runs it in random orders and checks convergence.
async fn run_scenario(name: &str, oob: impl AsyncFnOnce(&Client)) -> Plan {
    let state = start(name, oob).await;
    let desired = load(&scenario_dir(name).join("2"));
    let (_, c) = client(state.clone());
    let p = make_plan(&c, &desired).await.expect("plan of step 2");
    insta::assert_snapshot!(name, render::render(&p, render::Style { color: false }));
    insta::assert_json_snapshot!(format!("{name}_json"), json_document(&p));
    for seed in 0..4 {
        let (_, c) = client(state.clone());
        let order = graph::random_order(&p, seed);
        assert_eq!(order.len(), p.operations.len());
        apply::apply_in_order(&p, c.clone(), &order)
            .await
            .unwrap_or_else(|(i, e)| {
                panic!(
                    "order {seed}: {} failed: {e}",
                    p.operations[i].op.describe()
                )
            });
        let again = make_plan(&c, &desired).await.expect("plan after apply");
        assert!(
            !again.has_changes(),
            "order {seed} did not converge:\n{}",
            render::render(&again, render::Style { color: false })
        );
    }
    p
}

/// The plan's `--json` document, the machine interface: its fingerprint (a digest of the
/// whole emulated state) left out, so a change to the emulator's bookkeeping does not show
/// here.
fn json_document(p: &Plan) -> orgchard::view::json::PlanDocument {
    let mut doc = orgchard::view::json::PlanDocument::new(p);
    doc.context.fingerprint = "[fingerprint]".into();
    doc
}

async fn nothing(_: &Client) {}

const M: Scope = Scope::Management;

async fn root_id(c: &Client) -> String {
    c.list_roots(&M, ListRootsInput::default())
        .await
        .unwrap()
        .roots[0]
        .id
        .clone()
}

#[tokio::test(start_paused = true)]
async fn empty_org_to_landing_zone() {
    let (_, c) = client(fresh_state(&options()).unwrap());
    let desired = load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/landing-zone"));
    let p = make_plan(&c, &desired).await.unwrap();
    insta::assert_snapshot!(
        "empty_org_to_landing_zone",
        render::render(&p, render::Style { color: false })
    );
    let state = fresh_state(&options()).unwrap();
    for seed in 0..3 {
        let (_, c) = client(state.clone());
        let order = graph::random_order(&p, seed);
        apply::apply_in_order(&p, c.clone(), &order)
            .await
            .unwrap_or_else(|(i, e)| {
                panic!(
                    "order {seed}: {} failed: {e}",
                    p.operations[i].op.describe()
                )
            });
        let again = make_plan(&c, &desired).await.unwrap();
        assert!(
            !again.has_changes(),
            "{}",
            render::render(&again, render::Style { color: false })
        );
    }
}

#[tokio::test(start_paused = true)]
async fn ou_rename() {
    let p = run_scenario("ou_rename", nothing).await;
    assert_eq!(p.summary().update, 1);
    assert_eq!(p.summary().replace, 0, "a rename is in place");
}

#[tokio::test(start_paused = true)]
async fn ou_reparent_with_accounts_child_ous_and_policies() {
    let p = run_scenario("ou_reparent", nothing).await;
    let s = p.summary();
    assert_eq!(
        (s.replace, s.moves),
        (2, 2),
        "B and C are rebuilt, X and Y move"
    );
}

#[tokio::test(start_paused = true)]
async fn account_move() {
    let p = run_scenario("account_move", nothing).await;
    assert_eq!(p.summary().moves, 1);
}

#[tokio::test(start_paused = true)]
async fn scp_swap_on_a_target_with_only_full_aws_access() {
    run_scenario("scp_swap", nothing).await;
}

#[tokio::test(start_paused = true)]
async fn scp_swap_at_the_attachment_maximum() {
    run_scenario("swap_at_maximum", nothing).await;
}

#[tokio::test(start_paused = true)]
async fn policy_content_change() {
    let p = run_scenario("policy_update", nothing).await;
    assert_eq!(p.summary().update, 1);
}

#[tokio::test(start_paused = true)]
async fn policy_deleted_while_attached() {
    let p = run_scenario("policy_delete_attached", nothing).await;
    assert_eq!(p.summary().delete, 1);
}

/// The shape the convergence property test found: the policy is deleted while the OU it is
/// attached to is re-parented (a replace) and has no `policies` list. The replacement must
/// not get the deleted policy, and nothing may detach it from the old OU, which is deleted.
#[tokio::test(start_paused = true)]
async fn policy_deleted_while_the_ou_it_is_on_is_replaced() {
    let p = run_scenario("policy_delete_on_replaced_ou", nothing).await;
    assert_eq!((p.summary().delete, p.summary().replace), (1, 1));
    assert!(
        p.operations.iter().all(|o| !matches!(
            &o.op,
            plan::Op::AttachPolicy { policy: plan::IdRef::Known(id), .. }
                | plan::Op::DetachPolicy { policy: plan::IdRef::Known(id), .. }
                if id != "p-FullAWSAccess"
        )),
        "{:#?}",
        p.operations
    );
}

#[tokio::test(start_paused = true)]
async fn ou_deleted_after_its_accounts_move_out() {
    let p = run_scenario("ou_delete_moves_accounts", nothing).await;
    assert_eq!((p.summary().delete, p.summary().moves), (1, 1));
}

#[tokio::test(start_paused = true)]
async fn moved_block_keeps_the_ou() {
    let p = run_scenario("moved", nothing).await;
    assert_eq!(p.summary().create, 0, "nothing is recreated");
    assert_eq!(p.summary().delete, 0);
}

#[tokio::test(start_paused = true)]
async fn adoption_of_resources_created_out_of_band() {
    let p = run_scenario("adoption", async |c: &Client| {
        let root = root_id(c).await;
        c.enable_policy_type(&M, EnablePolicyTypeInput { root_id: root.clone(), policy_type: "SERVICE_CONTROL_POLICY".into() })
            .await
            .unwrap();
        c.create_organizational_unit(&M, CreateOrganizationalUnitInput { parent_id: root, name: "Legacy".into(), tags: vec![] })
            .await
            .unwrap();
        c.create_policy(
            &M,
            CreatePolicyInput {
                name: "LegacyGuardrail".into(),
                description: String::new(),
                content: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}"#.into(),
                r#type: "SERVICE_CONTROL_POLICY".into(),
                tags: vec![],
            },
        )
        .await
        .unwrap();
    })
    .await;
    assert_eq!(p.summary().adopt, 2);
    assert_eq!(p.summary().create, 0);
}

#[tokio::test(start_paused = true)]
async fn unmanaged_resources_are_listed_and_left_alone() {
    let p = run_scenario("unmanaged", async |c: &Client| {
        let root = root_id(c).await;
        c.create_organizational_unit(
            &M,
            CreateOrganizationalUnitInput {
                parent_id: root,
                name: "Handmade".into(),
                tags: vec![],
            },
        )
        .await
        .unwrap();
    })
    .await;
    assert_eq!(p.unmanaged.len(), 1);
    assert_eq!(p.unmanaged[0].name, "Handmade");
}

#[tokio::test(start_paused = true)]
async fn prevent_destroy_and_cycles_are_plan_errors() {
    let (_, c) = client(start("ou_reparent", nothing).await);
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(scenario_dir("ou_reparent").join("2/main.hcl")).unwrap();
    let text = text.replacen(
        "  name     = \"B\"",
        "  name     = \"B\"\n  lifecycle {\n    prevent_destroy = true\n  }",
        1,
    );
    std::fs::write(dir.path().join("main.hcl"), text).unwrap();
    let err = make_plan(&c, &load(dir.path())).await.unwrap_err();
    assert!(err.to_string().contains("prevent_destroy"), "{err}");

    std::fs::write(
        dir.path().join("main.hcl"),
        "organizational_unit \"a\" {\n  name = \"A\"\n  depends_on = [organizational_unit.b]\n}\norganizational_unit \"b\" {\n  name = \"B\"\n  depends_on = [organizational_unit.a]\n}\n",
    )
    .unwrap();
    let (_, fresh) = client(fresh_state(&options()).unwrap());
    let err = make_plan(&fresh, &load(dir.path())).await.unwrap_err();
    assert!(err.to_string().contains("cycle"), "{err}");
}

/// Plans step 2 of a scenario that must be refused, and returns the error text.
async fn refused(name: &str, oob: impl AsyncFnOnce(&Client)) -> String {
    let (_, c) = client(start(name, oob).await);
    make_plan(&c, &load(&scenario_dir(name).join("2")))
        .await
        .expect_err("the plan must be refused")
        .to_string()
}

#[tokio::test(start_paused = true)]
async fn tags_over_the_quota_with_the_ownership_tag_are_a_plan_error() {
    let err = refused("tags_quota", nothing).await;
    assert!(
        err.contains(
            "main.hcl:2:1: error: organizational_unit.w: the resource would carry 51 tags"
        ) && err.contains("quota of 50 tags per resource"),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn renaming_onto_an_unmanaged_ous_name_is_a_plan_error() {
    let mut sandbox = String::new();
    let err = refused("rename_onto_unmanaged", async |c: &Client| {
        let root = root_id(c).await;
        sandbox = c
            .create_organizational_unit(
                &M,
                CreateOrganizationalUnitInput {
                    parent_id: root,
                    name: "Sandbox".into(),
                    tags: vec![],
                },
            )
            .await
            .unwrap()
            .organizational_unit
            .id;
    })
    .await;
    assert!(
        err.contains(
            "main.hcl:2:1: error: organizational_unit.w: an OU named \"Sandbox\" under root already exists"
        ) && err.contains(&format!("({sandbox}, not managed by this configuration)"))
            && err.contains("DuplicateOrganizationalUnitException"),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn an_account_relabeled_without_moved_is_a_plan_error_not_a_failed_creation() {
    let err = refused("account_relabeled", nothing).await;
    assert!(
        err.contains("main.hcl:3:1: error: account.squad: an account with the email aws+team@example.com already exists")
            && err.contains("tagged as account.team, which the configuration no longer declares")
            && err.contains("EMAIL_ALREADY_EXISTS")
            && err.contains("`moved`"),
        "{err}"
    );
}

/// The reader's calls per API on a known organization match its formula.
#[tokio::test(start_paused = true)]
async fn reader_calls_follow_the_formula() {
    let state = start("ou_reparent", nothing).await;
    let (emu, c) = client(state);
    let before = emu.stats();
    let live = plan::read::read_organization(&c).await.unwrap();
    let after = emu.stats();
    let expected = plan::read::expected_calls(&live);
    for (op, n) in &expected {
        let got = after.calls.get(op.name()).map(|c| c.calls).unwrap_or(0)
            - before.calls.get(op.name()).map(|c| c.calls).unwrap_or(0);
        assert_eq!(got, *n, "{op}");
    }
    let total: u64 = expected.values().sum();
    let got: u64 = after.calls.values().map(|c| c.calls).sum::<u64>()
        - before.calls.values().map(|c| c.calls).sum::<u64>();
    assert_eq!(got, total, "no call outside the formula");
}
