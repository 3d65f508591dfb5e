//! Crash safety of `apply`: a landing-zone apply, and a dozen accounts in five OUs at AWS's
//! rates, are crashed after each of their mutating calls
//! in turn (the emulator's `crash_after` fault: the call's effect is saved, then the process
//! "dies"), and a second apply from the saved state must converge with no duplicate account,
//! no orphaned policy and every account created exactly once. The binary-level test SIGKILLs
//! `orgchard apply` at random moments over a state file and runs it again.

mod applying;
mod binary;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;

use applying::*;
use binary::orgchard;
use orgchard::apply::ApplyError;
use orgchard::backend::emulator::{self, InitOptions, fresh_state};
use rand::{Rng, SeedableRng};

fn options() -> InitOptions {
    InitOptions {
        rate_limits: false,
        ..InitOptions::default()
    }
}

/// Applies `desired` on a fresh organization crashed after each of its mutating calls in
/// turn; from each saved state one more apply must converge, with every account created by
/// exactly one CreateAccount. With `paced`, the client keeps AWS's rates and the emulator
/// enforces them, so reading the organization takes long enough (on the virtual clock) that
/// creations interrupted by the crash finish while the re-apply reads.
async fn crash_everywhere(desired: &orgchard::model::Desired, options: &InitOptions, paced: bool) {
    // One clean apply counts the mutating calls.
    let (emu, client) = connect(fresh_state(options).unwrap(), paced);
    let (_, report) = plan_and_apply(&client, desired, 10).await.unwrap();
    assert!(report.succeeded(), "{:?}", report.failures);
    assert_converged(&client, desired, "clean apply").await;
    assert_invariants(&emu.state(), desired, true, "clean apply");
    let total = mutations(&emu);
    assert!(total > 20, "only {total} mutating calls");

    for n in 1..=total {
        let context = format!("crash after mutating call {n} of {total}");
        let mut state = fresh_state(options).unwrap();
        state.faults.crash_after = Some(n);
        let (emu, client) = connect(state, paced);
        match plan_and_apply(&client, desired, 10).await {
            Err(ApplyError::SimulatedCrash(_)) => {}
            Ok((_, report)) => panic!("{context}: the apply finished without crashing: {report:?}"),
        }
        // A new process over what was saved.
        let saved = emu.state();
        assert_eq!(
            saved.faults.crash_after, None,
            "{context}: the crash is one-shot"
        );
        let (emu, client) = connect(saved, paced);
        let (_, report) = plan_and_apply(&client, desired, 10).await.unwrap();
        assert!(report.succeeded(), "{context}: {:?}", report.failures);
        assert_converged(&client, desired, &context).await;
        assert_invariants(&emu.state(), desired, true, &context);
    }
}

#[tokio::test(start_paused = true)]
async fn crash_after_every_mutating_call_then_apply_again_converges() {
    let desired = load(&repo_path("examples/landing-zone"));
    crash_everywhere(&desired, &options(), false).await;
}

/// A dozen accounts (two of them named alike) in five OUs, nested, with an SCP, at AWS's
/// rates: one re-apply after a crash at any call converges with no second CreateAccount.
#[tokio::test(start_paused = true)]
async fn a_dozen_accounts_crashed_after_every_mutating_call_converge_in_one_reapply() {
    let desired = load(&repo_path("tests/data/crash/dozen-accounts"));
    assert_eq!(desired.accounts.len(), 12);
    let paced = InitOptions {
        rate_limits: true,
        ..InitOptions::default()
    };
    crash_everywhere(&desired, &paced, true).await;
}

/// `orgchard apply --json` over `state`, killed with SIGKILL after `lines` progress lines
/// (or left to finish when it prints fewer). Returns whether it was killed.
fn apply_killed_after(state: &Path, lines: usize) -> bool {
    let mut child = orgchard()
        .args(["apply", "--auto-approve", "--json", "--backend"])
        .arg(format!("emulator:{}", state.display()))
        .arg(repo_path("examples/landing-zone"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut seen = 0;
    let mut killed = false;
    for line in BufReader::new(stdout).lines() {
        if line.is_err() {
            break;
        }
        seen += 1;
        if seen >= lines {
            // SIGKILL: no destructor, no flush, no unlock but the kernel's.
            child.kill().unwrap();
            killed = true;
            break;
        }
    }
    child.wait().unwrap();
    killed
}

#[test]
fn sigkill_at_random_moments_then_apply_again_converges() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let init = InitOptions {
        latency_ms: 50,
        ..InitOptions::default()
    };
    emulator::init(&state, &init).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(6);
    let mut kills = 0;
    for _ in 0..4 {
        // A landing zone prints about a hundred events; kill somewhere in the first part.
        if apply_killed_after(&state, rng.random_range(2..60)) {
            kills += 1;
        }
    }
    assert!(kills > 0, "no run was killed before it finished");
    let status = orgchard()
        .args(["apply", "--auto-approve", "--backend"])
        .arg(format!("emulator:{}", state.display()))
        .arg(repo_path("examples/landing-zone"))
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "the last apply failed");
    let status = orgchard()
        .args(["plan", "--detailed-exitcode", "--backend"])
        .arg(format!("emulator:{}", state.display()))
        .arg(repo_path("examples/landing-zone"))
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0), "planning again shows changes");
    let saved = emulator::store::load(&state).unwrap();
    let desired = load(&repo_path("examples/landing-zone"));
    assert_invariants(&saved, &desired, true, "after SIGKILLs");
}
