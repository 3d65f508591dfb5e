//! The emulator's journal: each mutating call is durable before it returns without the state
//! file being rewritten, a crash at any instant leaves the state before or after the call
//! (a torn journal line included), and a state left with a journal opens with it replayed.

mod binary;
mod common;

use std::time::Duration;

use common::*;
use orgchard::api::*;
use orgchard::backend::emulator::{self, Emulator, journal};
use orgchard::backend::*;

const M: &Scope = &Scope::Management;

fn create_ou(parent: &str, name: &str) -> Request {
    Request::CreateOrganizationalUnit(CreateOrganizationalUnitInput {
        parent_id: parent.into(),
        name: name.into(),
        tags: vec![],
    })
}

fn create_account(n: u32) -> Request {
    Request::CreateAccount(CreateAccountInput {
        email: format!("a{n}@example.com"),
        account_name: format!("A{n}"),
        ..CreateAccountInput::default()
    })
}

fn scp(name: &str) -> Request {
    Request::CreatePolicy(CreatePolicyInput {
        name: name.into(),
        description: String::new(),
        content: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}"#.into(),
        r#type: "SERVICE_CONTROL_POLICY".into(),
        tags: vec![],
    })
}

/// A few calls of several kinds, with account creations that finish while others run.
async fn mutate(env: &Env, mut after_each: impl FnMut(&Env)) {
    let root = env.root();
    env.ok(Request::EnablePolicyType(EnablePolicyTypeInput {
        root_id: root.clone(),
        policy_type: "SERVICE_CONTROL_POLICY".into(),
    }))
    .await;
    after_each(env);
    for n in 0..3 {
        env.ok(create_account(n)).await;
        after_each(env);
    }
    let ou = match env.ok(create_ou(&root, "team")).await {
        Response::CreateOrganizationalUnit(o) => o.organizational_unit.id,
        other => panic!("{other:?}"),
    };
    after_each(env);
    let policy = match env.ok(scp("deny-ec2")).await {
        Response::CreatePolicy(o) => o.policy.policy_summary.id,
        other => panic!("{other:?}"),
    };
    after_each(env);
    env.ok(Request::AttachPolicy(AttachPolicyInput {
        policy_id: policy,
        target_id: ou.clone(),
    }))
    .await;
    after_each(env);
    // Let the creations finish: the next call moves them on along with its own effect.
    tokio::time::sleep(Duration::from_secs(3600)).await;
    env.ok(create_ou(&ou, "inner")).await;
    after_each(env);
    env.ok(Request::TagResource(TagResourceInput {
        resource_id: ou,
        tags: vec![Tag {
            key: "owner".into(),
            value: "platform".into(),
        }],
    }))
    .await;
    after_each(env);
}

#[tokio::test(start_paused = true)]
async fn each_call_is_durable_before_it_returns_without_rewriting_the_state_file() {
    let env = fresh(options());
    let snapshot = std::fs::read(&env.path).unwrap();
    let mut calls = 0;
    mutate(&env, |env| {
        calls += 1;
        // What a crash right now would leave is exactly the state after the call.
        assert_eq!(
            emulator::store::load(&env.path).unwrap(),
            env.state(),
            "after call {calls}"
        );
        assert_eq!(
            std::fs::read(&env.path).unwrap(),
            snapshot,
            "call {calls} rewrote the state file"
        );
    })
    .await;
    let state = env.state();
    assert_eq!(state.accounts.len(), 4, "three created and the management");
    // Closing folds the journal into the state file and removes it.
    drop(env.emu);
    assert!(!journal::path_of(&env.path).exists());
    let closed = emulator::store::load(&env.path).unwrap();
    assert_eq!(closed.ous, state.ous);
    assert_eq!(closed.accounts, state.accounts);
    assert_eq!(closed.attachments, state.attachments);
}

#[tokio::test(start_paused = true)]
async fn a_torn_last_line_is_a_call_that_never_happened() {
    let env = fresh(options());
    mutate(&env, |_| {}).await;
    let before = env.state();
    let journal_path = journal::path_of(&env.path);
    let whole = std::fs::read(&journal_path).unwrap();
    let root = env.root();
    env.ok(create_ou(&root, "late")).await;
    let with_late = std::fs::read(&journal_path).unwrap();
    // Every prefix of the last line is a crash in the middle of writing it.
    for cut in whole.len()..with_late.len() {
        std::fs::write(&journal_path, &with_late[..cut]).unwrap();
        let loaded = emulator::store::load(&env.path).unwrap();
        assert_eq!(loaded, before, "journal cut at byte {cut}");
    }
    // Zeros where the line should be: a filesystem that extended the file but lost the data.
    let mut zeros = whole.clone();
    zeros.extend(std::iter::repeat_n(0u8, 300));
    std::fs::write(&journal_path, &zeros).unwrap();
    assert_eq!(emulator::store::load(&env.path).unwrap(), before);
    // Damage before the last line is not a crash: it is reported, naming the line.
    let mut damaged = with_late.clone();
    let second_line = damaged.iter().position(|b| *b == b'\n').unwrap() + 1;
    damaged[second_line] = b'#';
    std::fs::write(&journal_path, &damaged).unwrap();
    let err = emulator::store::load(&env.path).unwrap_err().to_string();
    assert!(
        err.contains("state.json.journal") && err.contains("line 2"),
        "{err}"
    );
    std::fs::write(&journal_path, &with_late).unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_state_left_with_its_journal_opens_with_the_calls_replayed() {
    let env = fresh(options());
    mutate(&env, |_| {}).await;
    let state = env.state();
    // A process that died now: copy its files as they are, without closing it.
    let copy = env.dir.path().join("copy.json");
    std::fs::copy(&env.path, &copy).unwrap();
    std::fs::copy(journal::path_of(&env.path), journal::path_of(&copy)).unwrap();
    let reopened = Emulator::open(&copy, &ConnectOptions::default()).unwrap();
    let replayed = reopened.state();
    assert_eq!(replayed.ous, state.ous);
    assert_eq!(replayed.accounts, state.accounts);
    assert_eq!(replayed.create_requests, state.create_requests);
    assert_eq!(replayed.id_draws, state.id_draws);
    // The journal was folded in on opening: the state file alone now holds the calls.
    assert_eq!(
        emulator::store::load(&copy).unwrap().ous,
        state.ous,
        "after opening"
    );
    // New calls go on from there, with ids that do not collide.
    let root = replayed.organization.root_id.clone();
    reopened.call(M, create_ou(&root, "after")).await.unwrap();
    drop(reopened);
    assert_eq!(
        emulator::store::load(&copy).unwrap().ous.len(),
        state.ous.len() + 1
    );
}

#[tokio::test(start_paused = true)]
async fn stats_and_export_read_the_journal() {
    let env = fresh(options());
    mutate(&env, |_| {}).await;
    let state = env.state();
    let orgchard = binary::orgchard;
    // Another process reads the state while this one holds it open, journal and all.
    let copy = env.dir.path().join("copy.json");
    std::fs::copy(&env.path, &copy).unwrap();
    std::fs::copy(journal::path_of(&env.path), journal::path_of(&copy)).unwrap();
    let out = orgchard()
        .args(["emulator", "stats", "--json"])
        .arg(&copy)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["calls"]["CreateAccount"]["calls"], 3, "{stats}");
    let out = orgchard()
        .args(["emulator", "export"])
        .arg(&copy)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("\n  \"accounts\": {"),
        "pretty-printed: {text:.200}"
    );
    let exported: emulator::State = serde_json::from_str(&text).unwrap();
    assert_eq!(exported.ous, state.ous);
    assert_eq!(exported.accounts, state.accounts);
    // Reading changed nothing.
    assert!(journal::path_of(&copy).exists());
}
