//! The emulator as a process-level resource: the lock, the simulated crash, seeded faults,
//! rate limits on the paused clock, call counters and the `emulator init|stats` commands.

mod binary;
mod common;

use std::time::Duration;

use common::*;
use orgchard::api::*;
use orgchard::backend::client::Rate;
use orgchard::backend::emulator::{self, Emulator, parse_faults};
use orgchard::backend::*;

const M: &Scope = &Scope::Management;

fn list_roots() -> Request {
    Request::ListRoots(ListRootsInput::default())
}

fn create_ou(parent: &str, name: &str) -> Request {
    Request::CreateOrganizationalUnit(CreateOrganizationalUnitInput {
        parent_id: parent.into(),
        name: name.into(),
        tags: vec![],
    })
}

#[tokio::test(start_paused = true)]
async fn a_second_user_gets_a_clear_error() {
    let env = fresh(options());
    let err = match Emulator::open(&env.path, &ConnectOptions::default()) {
        Ok(_) => panic!("a second open succeeded while the first holds the lock"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("is in use by another orgchard process")
            && err.contains(&format!("(pid {})", std::process::id())),
        "{err}"
    );
    drop(env.emu);
    // Released with the emulator.
    Emulator::open(&env.path, &ConnectOptions::default()).unwrap();
}

#[tokio::test(start_paused = true)]
async fn crash_after_the_nth_mutating_call_is_one_shot_and_persisted() {
    let mut o = options();
    o.faults = parse_faults("crash_after=2").unwrap();
    let env = fresh(o);
    let root = env.root();
    env.ok(create_ou(&root, "one")).await;
    // Reads do not count.
    env.ok(list_roots()).await;
    let e = env.emu.call(M, create_ou(&root, "two")).await.unwrap_err();
    assert_eq!(e.code, "OrgchardSimulatedCrash");
    assert_eq!(e.kind, ErrorKind::SimulatedCrash);
    // The second call's effect and the cleared setting are on disk together.
    let on_disk = emulator::store::load(&env.path).unwrap();
    let names: Vec<_> = on_disk.ous.values().map(|o| o.name.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"two"));
    assert_eq!(on_disk.faults.crash_after, None);
    // One shot: the next calls go through.
    env.ok(create_ou(&root, "three")).await;
}

async fn fault_codes(seed: u64) -> Vec<String> {
    let mut o = options();
    o.seed = seed;
    o.faults = parse_faults("throttle=0.2,concurrent=0.2,server=0.2").unwrap();
    let env = fresh(o);
    let mut codes = Vec::new();
    for _ in 0..40 {
        codes.push(match env.emu.call(M, list_roots()).await {
            Ok(_) => "ok".to_string(),
            Err(e) => e.code,
        });
    }
    codes
}

#[tokio::test(start_paused = true)]
async fn faults_are_reproducible_from_the_seed() {
    let a = fault_codes(42).await;
    assert_eq!(a, fault_codes(42).await);
    assert_ne!(a, fault_codes(43).await);
    for code in [
        "ok",
        "TooManyRequestsException",
        "ConcurrentModificationException",
        "ServiceException",
    ] {
        assert!(a.iter().any(|c| c == code), "{code} never drawn in {a:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn injected_faults_happen_before_any_effect() {
    let mut o = options();
    o.faults = parse_faults("server=1").unwrap();
    let env = fresh(o);
    let root = env.root();
    env.rejected(create_ou(&root, "never"), "ServiceException", None)
        .await;
    assert!(env.state().ous.is_empty());
}

#[tokio::test(start_paused = true)]
async fn rate_limits_throttle_on_the_virtual_clock() {
    let mut o = options();
    o.rate_limits = true;
    let env = fresh(o);
    let Rate {
        per_second: rate,
        burst,
    } = rates::aws_rate_of(Operation::ListRoots);
    let mut throttled = 0;
    for _ in 0..(burst as usize + 5) {
        if let Err(e) = env.emu.call(M, list_roots()).await {
            assert_eq!(e.code, "TooManyRequestsException");
            assert!(e.is_retryable());
            throttled += 1;
        }
    }
    assert_eq!(throttled, 5);
    // After a token's worth of virtual time the call goes through again.
    tokio::time::sleep(Duration::from_secs_f64(1.0 / rate)).await;
    env.ok(list_roots()).await;
    // Off: no limit at all.
    let env = fresh(options());
    for _ in 0..100 {
        env.ok(list_roots()).await;
    }
}

/// `emulator serve --time-scale X` runs the emulator's clock X times faster than real time,
/// and the rate limits count that clock as account creation does: at 60, a limit of r calls
/// per second admits 60·r calls per real second.
#[tokio::test(start_paused = true)]
async fn rate_limits_count_the_scaled_clock() {
    let Rate {
        per_second: rate,
        burst,
    } = rates::aws_rate_of(Operation::ListRoots);
    let admitted_in_one_real_second = |scale: f64| async move {
        let mut o = options();
        o.rate_limits = true;
        let state = emulator::fresh_state(&o).unwrap();
        let mut emu = Emulator::in_memory(state, &ConnectOptions::default());
        emu.set_time_scale(scale);
        let mut admitted = 0;
        // A call every real millisecond, for one real second.
        for _ in 0..1000 {
            match emu.call(M, list_roots()).await {
                Ok(_) => admitted += 1,
                Err(e) => assert_eq!(e.code, "TooManyRequestsException"),
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        admitted as f64
    };
    let at_60 = admitted_in_one_real_second(60.0).await;
    assert!(
        (at_60 - (burst + 60.0 * rate)).abs() <= 1.0,
        "{at_60} calls admitted in one real second at --time-scale 60; expected the burst {burst} and 60 x {rate}"
    );
    let at_1 = admitted_in_one_real_second(1.0).await;
    assert!(
        (at_1 - (burst + rate)).abs() <= 1.0,
        "{at_1} calls admitted in one real second at --time-scale 1; expected the burst {burst} and {rate}"
    );
}

#[tokio::test(start_paused = true)]
async fn latency_is_virtual_time() {
    let mut o = options();
    o.latency_ms = 250;
    let env = fresh(o);
    let start = tokio::time::Instant::now();
    env.ok(list_roots()).await;
    assert_eq!(start.elapsed(), Duration::from_millis(250));
}

#[tokio::test(start_paused = true)]
async fn counters_are_readable_and_persisted() {
    let env = fresh(options());
    let root = env.root();
    env.ok(list_roots()).await;
    env.ok(list_roots()).await;
    env.ok(create_ou(&root, "a")).await;
    let _ = env.emu.call(M, create_ou(&root, "a")).await;
    let stats = env.emu.stats();
    assert_eq!(stats.calls["ListRoots"].calls, 2);
    assert_eq!(stats.calls["CreateOrganizationalUnit"].calls, 2);
    assert_eq!(stats.calls["CreateOrganizationalUnit"].errors, 1);
    assert_eq!((stats.reads, stats.mutations, stats.errors), (2, 2, 1));
    tokio::time::sleep(Duration::from_secs(5)).await;
    let path = env.path.clone();
    drop(env.emu);
    let on_disk = emulator::Stats::of(&emulator::store::load(&path).unwrap());
    assert_eq!(on_disk.calls, stats.calls);
    assert_eq!(on_disk.virtual_elapsed_ms, 5_000);
}

#[tokio::test(start_paused = true)]
async fn opening_a_missing_file_creates_a_fresh_organization() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.json");
    let api = connect(
        &BackendChoice::Emulator { path: path.clone() },
        &ConnectOptions::default(),
    )
    .await
    .unwrap();
    let org = api
        .describe_organization(M, DescribeOrganizationInput {})
        .await
        .unwrap()
        .organization;
    assert!(org.id.starts_with("o-"));
    assert_eq!(org.master_account_id.len(), 12);
    assert!(path.exists());
}

#[test]
fn corrupt_and_future_files_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    std::fs::write(&path, b"{not json").unwrap();
    let e = Emulator::open(&path, &ConnectOptions::default())
        .err()
        .unwrap();
    assert!(
        e.to_string().contains("not a valid emulator state file"),
        "{e}"
    );
    std::fs::write(&path, br#"{"format_version": 99}"#).unwrap();
    let e = Emulator::open(&path, &ConnectOptions::default())
        .err()
        .unwrap();
    assert!(e.to_string().contains("format_version 99"), "{e}");
}

use binary::run as orgchard;

#[test]
fn cli_init_and_stats() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let p = path.to_str().unwrap();
    let policy = dir.path().join("read-only.json");
    std::fs::write(
        &policy,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"organizations:List*","Resource":"*"}]}"#,
    )
    .unwrap();
    let out = orgchard(&[
        "emulator",
        "init",
        p,
        "--seed",
        "7",
        "--faults",
        "throttle=0.1,crash_after=3",
        "--latency-ms",
        "15",
        "--rate-limits",
        "off",
        "--quota",
        "accounts=100",
        "--caller-policy",
        policy.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let state = emulator::store::load(&path).unwrap();
    assert_eq!(state.settings.seed, 7);
    assert_eq!(state.settings.latency_ms, 15);
    assert!(!state.settings.rate_limits);
    assert_eq!(state.faults.crash_after, Some(3));
    assert_eq!(state.quota("accounts"), 100);
    let user = &state.iam[&state.organization.management_account_id].users["orgchard"];
    assert!(user.inline_policies.contains_key("read-only"));
    assert!(user.managed_policies.is_empty());

    // Refuses to overwrite.
    let again = orgchard(&["emulator", "init", p]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    // A copy of a snapshot keeps its organization.
    let copy = dir.path().join("copy.json");
    let out = orgchard(&["emulator", "init", copy.to_str().unwrap(), "--from", p]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let copied = emulator::store::load(&copy).unwrap();
    assert_eq!(copied.organization, state.organization);
    assert_eq!(copied.faults.crash_after, None);

    let bad = orgchard(&["emulator", "init", "x.json", "--faults", "throttle=3"]);
    assert_eq!(bad.status.code(), Some(1));
    let msg = String::from_utf8_lossy(&bad.stderr);
    assert!(
        msg.contains("--faults") && msg.contains("accepted"),
        "{msg}"
    );

    let stats = orgchard(&["emulator", "stats", p, "--json"]);
    assert!(stats.status.success());
    let json: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(json["reads"], 0);
    assert_eq!(json["virtual_elapsed_ms"], 0);
    let human = orgchard(&["emulator", "stats", p]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("Total: 0 reads, 0 mutations"));
}
