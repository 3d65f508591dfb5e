//! Identity under ambiguity at apply time: an account creation still in progress is adopted
//! only when it is this block's account (its email, and its ownership tag once it has one),
//! and two accounts that share a name (AWS does not keep names unique) are two accounts.

mod applying;

use std::collections::BTreeMap;

use applying::*;
use orgchard::api::{ApiExt, CreateAccountInput, Scope, Tag};
use orgchard::apply::{self, ApplyOptions, ApplyReport, Recorder};
use orgchard::backend::client::Client;
use orgchard::backend::emulator::{InitOptions, State, fresh_state};
use orgchard::model::live::OWNERSHIP_TAG;

fn options() -> InitOptions {
    InitOptions {
        rate_limits: false,
        ..InitOptions::default()
    }
}

fn write(text: &str) -> (tempfile::TempDir, orgchard::model::Desired) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.hcl"), text).unwrap();
    let desired = load(dir.path());
    (dir, desired)
}

/// The account with this email: its id, name and parent.
fn account_by_email<'a>(state: &'a State, email: &str) -> Option<(&'a String, &'a str, String)> {
    state
        .accounts
        .iter()
        .find(|(_, a)| a.email.eq_ignore_ascii_case(email))
        .map(|(id, a)| (id, a.name.as_str(), a.parent_id.clone()))
}

fn ou_named(state: &State, name: &str) -> String {
    state
        .ous
        .iter()
        .find(|(_, o)| o.name == name)
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| panic!("no OU named {name}"))
}

const TEAM_B: &str = r#"
organizational_unit "restricted" {
  name = "Restricted"
}

account "sandbox" {
  name   = "Sandbox"
  email  = "mine@example.com"
  parent = organizational_unit.restricted
}
"#;

/// Team A's apply stopped right after its CreateAccount (`owner` is the ownership tag it
/// sent, if any); team B then applies its own `Sandbox` with another email.
async fn someone_elses_creation_is_not_taken_over(owner: Option<&str>) {
    let (_dir, desired) = write(TEAM_B);
    let (emu, client) = connect(fresh_state(&options()).unwrap(), false);
    let tags = owner
        .map(|o| {
            vec![Tag {
                key: OWNERSHIP_TAG.into(),
                value: o.into(),
            }]
        })
        .unwrap_or_default();
    client
        .create_account(
            &Scope::Management,
            CreateAccountInput {
                email: "other-team@example.com".into(),
                account_name: "Sandbox".into(),
                role_name: None,
                iam_user_access_to_billing: None,
                tags,
            },
        )
        .await
        .unwrap();

    let (plan, report) = plan_and_apply(&client, &desired, 10).await.unwrap();
    assert!(report.succeeded(), "{:?}", report.failures);
    let state = emu.state();
    let restricted = ou_named(&state, "Restricted");
    let (mine, _, parent) = account_by_email(&state, "mine@example.com")
        .unwrap_or_else(|| panic!("team B's account was never created:\n{}", show(&plan)));
    assert_eq!(parent, restricted, "team B's account is in its OU");
    let (theirs, _, parent) =
        account_by_email(&state, "other-team@example.com").expect("team A's creation finished");
    assert_ne!(mine, theirs);
    assert_eq!(
        parent, state.organization.root_id,
        "team A's account was moved into team B's OU"
    );
    assert_eq!(
        state.accounts[theirs]
            .tags
            .get(OWNERSHIP_TAG)
            .map(String::as_str),
        owner,
        "team A's account was tagged as team B's"
    );
    let warnings = plan
        .warnings
        .iter()
        .map(|w| w.headline())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        !warnings.contains("instead of creating another"),
        "the plan promises to wait for someone else's creation instead of creating: {warnings}"
    );
}

#[tokio::test(start_paused = true)]
async fn an_untagged_creation_in_progress_with_another_email_is_not_adopted() {
    someone_elses_creation_is_not_taken_over(None).await;
}

#[tokio::test(start_paused = true)]
async fn another_configurations_creation_in_progress_is_not_adopted() {
    someone_elses_creation_is_not_taken_over(Some("module.team_a.account.sandbox")).await;
}

/// A creation in progress with this block's email but another address's ownership tag is
/// neither adopted nor repeated: the apply fails for that account and says whose it is.
#[tokio::test(start_paused = true)]
async fn a_creation_in_progress_owned_by_another_address_is_refused() {
    let (_dir, desired) = write(TEAM_B);
    let (emu, client) = connect(fresh_state(&options()).unwrap(), false);
    start_sandbox_creation(&client, "module.team_a.account.sandbox").await;
    let (_, report) = plan_and_apply(&client, &desired, 10).await.unwrap();
    assert!(!report.succeeded(), "the apply took over team A's account");
    let failures = format!("{:?}", report.failures);
    assert!(
        failures.contains("module.team_a.account.sandbox"),
        "the failure names the owner: {failures}"
    );
    let state = emu.state();
    assert_eq!(
        state.create_requests.len(),
        1,
        "CreateAccount was sent again"
    );
    let (_, _, parent) = account_by_email(&state, "mine@example.com").unwrap();
    assert_eq!(parent, state.organization.root_id, "the account was moved");
}

/// Our own interrupted creation (same email, our ownership tag) is still adopted.
#[tokio::test(start_paused = true)]
async fn our_own_creation_in_progress_is_awaited_not_repeated() {
    let (_dir, desired) = write(TEAM_B);
    let (emu, client) = connect(fresh_state(&options()).unwrap(), false);
    start_sandbox_creation(&client, "account.sandbox").await;
    let (_, report) = plan_and_apply(&client, &desired, 10).await.unwrap();
    assert!(report.succeeded(), "{:?}", report.failures);
    assert_converged(&client, &desired, "after adopting our own creation").await;
    assert_invariants(&emu.state(), &desired, true, "our own creation");
}

/// Two blocks whose accounts share a name, with different emails and OUs: two accounts, each
/// in its own OU, and the apply reports each with its own id.
#[tokio::test(start_paused = true)]
async fn two_accounts_with_the_same_name_are_both_created_each_in_its_ou() {
    let (_dir, desired) = write(
        r#"
organizational_unit "x" {
  name = "X"
}

organizational_unit "y" {
  name = "Y"
}

account "one" {
  name   = "Sandbox"
  email  = "one@example.com"
  parent = organizational_unit.x
}

account "two" {
  name   = "Sandbox"
  email  = "two@example.com"
  parent = organizational_unit.y
}
"#,
    );
    let (emu, client) = connect(fresh_state(&options()).unwrap(), false);
    let (_, report) = plan_and_apply(&client, &desired, 10).await.unwrap();
    assert!(report.succeeded(), "{:?}", report.failures);
    let state = emu.state();
    let (one, name, parent) = account_by_email(&state, "one@example.com").expect("one created");
    assert_eq!((name, parent), ("Sandbox", ou_named(&state, "X")));
    let (two, name, parent) = account_by_email(&state, "two@example.com").expect("two created");
    assert_eq!((name, parent), ("Sandbox", ou_named(&state, "Y")));
    let created: BTreeMap<String, String> = report
        .created
        .iter()
        .map(|(a, id)| (a.to_string(), id.clone()))
        .collect();
    assert_eq!(created.get("account.one"), Some(one));
    assert_eq!(created.get("account.two"), Some(two));
    assert_converged(&client, &desired, "two accounts named Sandbox").await;
    assert_invariants(&state, &desired, true, "two accounts named Sandbox");
}

/// Starts a CreateAccount of "Sandbox" / mine@example.com carrying `owner`'s ownership tag,
/// as an interrupted apply of that address would have left it.
async fn start_sandbox_creation(client: &Client, owner: &str) {
    client
        .create_account(
            &Scope::Management,
            CreateAccountInput {
                email: "mine@example.com".into(),
                account_name: "Sandbox".into(),
                role_name: None,
                iam_user_access_to_billing: None,
                tags: vec![Tag {
                    key: OWNERSHIP_TAG.into(),
                    value: owner.into(),
                }],
            },
        )
        .await
        .unwrap();
}

/// Applies `plan` as `orgchard apply plan.json` does.
async fn apply_saved(client: &std::sync::Arc<Client>, plan: &orgchard::plan::Plan) -> ApplyReport {
    apply::apply(
        plan,
        client.clone(),
        &ApplyOptions::default(),
        std::sync::Arc::new(Recorder::default()),
        std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
    )
    .await
    .unwrap()
}

/// An OU, a policy and a role that someone else creates, untagged, between the plan and the
/// apply are theirs: the apply fails on them (a new plan offers them for adoption) instead of
/// tagging them as this configuration's.
#[tokio::test(start_paused = true)]
async fn namesakes_created_after_the_plan_are_not_taken_over() {
    let (_dir, desired) = write(
        r#"
organization {
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}

organizational_unit "restricted" {
  name = "Restricted"
}

policy "deny" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "Deny"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "ec2:*", Resource = "*" }] })
}

role "reader" {
  account          = management
  name             = "Reader"
  trusted_accounts = [management.id]
}
"#,
    );
    let (emu, client) = connect(fresh_state(&options()).unwrap(), false);
    let plan = make_plan(&client, &desired).await;
    // Theirs, made after the plan.
    let m = &Scope::Management;
    client
        .enable_policy_type(
            m,
            orgchard::api::EnablePolicyTypeInput {
                root_id: emu.state().organization.root_id.clone(),
                policy_type: "SERVICE_CONTROL_POLICY".into(),
            },
        )
        .await
        .unwrap();
    client
        .create_organizational_unit(
            m,
            orgchard::api::CreateOrganizationalUnitInput {
                parent_id: emu.state().organization.root_id.clone(),
                name: "Restricted".into(),
                tags: vec![],
            },
        )
        .await
        .unwrap();
    client
        .create_policy(
            m,
            orgchard::api::CreatePolicyInput {
                name: "Deny".into(),
                description: String::new(),
                content: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#.into(),
                r#type: "SERVICE_CONTROL_POLICY".into(),
                tags: vec![],
            },
        )
        .await
        .unwrap();
    let mgmt = emu.state().organization.management_account_id.clone();
    client
        .create_role(
            m,
            orgchard::api::CreateRoleInput {
                role_name: "Reader".into(),
                assume_role_policy_document: format!(
                    r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{mgmt}:root"}},"Action":"sts:AssumeRole"}}]}}"#
                ),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let report = apply_saved(&client, &plan).await;
    assert!(!report.succeeded(), "the apply took theirs over");
    let state = emu.state();
    let ou = ou_named(&state, "Restricted");
    assert!(
        !state.ous[&ou].tags.contains_key(OWNERSHIP_TAG),
        "their OU was tagged as ours"
    );
    let policy = state
        .policies
        .values()
        .find(|p| p.name == "Deny")
        .expect("their policy");
    assert!(
        !policy.tags.contains_key(OWNERSHIP_TAG),
        "their policy was tagged as ours"
    );
    let failures = format!("{:?}", report.failures);
    for code in [
        "DuplicateOrganizationalUnitException",
        "DuplicatePolicyException",
        "EntityAlreadyExists",
    ] {
        assert!(failures.contains(code), "{code} missing: {failures}");
    }
}
