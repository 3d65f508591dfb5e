//! `orgchard apply` as a user runs it: a stale saved plan is refused, a second process on
//! the same emulator state fails at once, Ctrl-C stops new operations and lets running ones
//! finish, a failed CreateAccount is reported with AWS's reason while independent branches
//! finish, there is no apply without confirmation, a plan that went stale while it waited for
//! `yes` is refused, and `--json` prints one event per line.

mod applying;
mod binary;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use applying::*;
use binary::{lossy as text, orgchard};
use orgchard::api::{
    ApiExt, CreateAccountInput, CreateOrganizationalUnitInput, ListRootsInput, Scope,
};
use orgchard::backend::ConnectOptions;
use orgchard::backend::emulator::{self, Emulator, InitOptions};
use serde_json::Value;

fn backend(state: &Path) -> String {
    format!("--backend=emulator:{}", state.display())
}

fn init(dir: &Path, latency_ms: u64) -> PathBuf {
    let state = dir.join("state.json");
    emulator::init(
        &state,
        &InitOptions {
            latency_ms,
            ..InitOptions::default()
        },
    )
    .unwrap();
    state
}

fn events(stdout: &[u8]) -> Vec<Value> {
    text(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// Runs a future on a paused clock, as the CLI runs the emulator.
fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn a_stale_saved_plan_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let state = init(dir.path(), 0);
    let plan_file = dir.path().join("plan.json");
    let out = orgchard()
        .args(["plan", "--out"])
        .arg(&plan_file)
        .arg(backend(&state))
        .arg(repo_path("examples/quickstart"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let before = std::fs::read(&state).unwrap();

    // Someone changes the organization after the plan was made.
    block_on(async {
        let emu = Emulator::open(&state, &ConnectOptions::default()).unwrap();
        let root = emu
            .list_roots(&Scope::Management, ListRootsInput::default())
            .await
            .unwrap()
            .roots[0]
            .id
            .clone();
        emu.create_organizational_unit(
            &Scope::Management,
            CreateOrganizationalUnitInput {
                parent_id: root,
                name: "Console".into(),
                tags: vec![],
            },
        )
        .await
        .unwrap();
    });
    assert_ne!(before, std::fs::read(&state).unwrap());
    let ous_before = emulator::store::load(&state).unwrap().ous.len();

    let out = orgchard()
        .args(["apply", "--auto-approve"])
        .arg(&plan_file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(err.contains("stale"), "{err}");
    assert_eq!(
        emulator::store::load(&state).unwrap().ous.len(),
        ous_before,
        "nothing applied"
    );

    // An unchanged organization takes the saved plan.
    let plan2 = dir.path().join("plan2.json");
    let out = orgchard()
        .args(["plan", "--out"])
        .arg(&plan2)
        .arg(backend(&state))
        .arg(repo_path("examples/quickstart"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = orgchard()
        .args(["apply", "--auto-approve"])
        .arg(&plan2)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn a_second_orgchard_on_the_same_state_fails_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let state = init(dir.path(), 0);
    let holder = Emulator::open(&state, &ConnectOptions::default()).unwrap();
    let mut child = orgchard()
        .args(["apply", "--auto-approve"])
        .arg(backend(&state))
        .arg(repo_path("examples/quickstart"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A liveness guard, not a timing assertion: waiting for the lock would hang here.
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(120) {
            child.kill().unwrap();
            panic!("orgchard waited for the lock instead of failing");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(1));
    assert!(err.contains("in use by another orgchard process"), "{err}");
    assert!(
        err.contains(&std::process::id().to_string()),
        "names the holder: {err}"
    );
    drop(holder);
    assert!(
        emulator::store::load(&state).unwrap().ous.is_empty(),
        "nothing applied"
    );
}

/// A configuration with enough accounts that an apply takes a while.
fn many_accounts(dir: &Path, n: usize) -> PathBuf {
    let cfg = dir.join("cfg");
    std::fs::create_dir_all(&cfg).unwrap();
    let mut hcl = String::from("organizational_unit \"team\" {\n  name = \"Team\"\n}\n\n");
    for i in 0..n {
        hcl.push_str(&format!(
            "account \"a{i}\" {{\n  name   = \"Account {i}\"\n  email  = \"aws+a{i}@example.com\"\n  parent = organizational_unit.team\n  tags   = {{ n = \"{i}\" }}\n}}\n\n"
        ));
    }
    std::fs::write(cfg.join("main.hcl"), hcl).unwrap();
    cfg
}

#[test]
fn ctrl_c_stops_new_operations_and_lets_running_ones_finish() {
    for attempt in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let state = init(dir.path(), 50);
        let cfg = many_accounts(dir.path(), 30);
        let mut child = orgchard()
            .args(["apply", "--auto-approve", "--json"])
            .arg(backend(&state))
            .arg(&cfg)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut seen = Vec::new();
        for line in lines.by_ref() {
            let line = line.unwrap();
            let done = line.contains("\"op_finished\"");
            seen.push(line);
            if done {
                break;
            }
        }
        let status = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        seen.extend(lines.map(|l| l.unwrap()));
        let out = child.wait_with_output().unwrap();
        let events = events(seen.join("\n").as_bytes());
        let Some(cut) = events.iter().position(|e| e["event"] == "interrupted") else {
            // The apply finished before the signal arrived: try again.
            assert!(attempt < 4, "the apply was never interrupted");
            continue;
        };
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        assert!(
            events[cut..].iter().all(|e| e["event"] != "op_started"),
            "an operation started after Ctrl-C"
        );
        let started: Vec<&Value> = events
            .iter()
            .filter(|e| e["event"] == "op_started")
            .map(|e| &e["index"])
            .collect();
        let finished: Vec<&Value> = events
            .iter()
            .filter(|e| e["event"] == "op_finished")
            .map(|e| &e["index"])
            .collect();
        for s in &started {
            assert!(finished.contains(s), "operation {s} was left running");
        }
        let last = events.last().unwrap();
        assert_eq!(last["event"], "finished");
        let summary = last["summary"].as_str().unwrap();
        assert!(summary.starts_with("Apply interrupted:"), "{summary}");
        let err = text(&out.stderr);
        assert!(err.contains("not started"), "says what was left: {err}");
        // Nothing was lost: applying again finishes the job.
        let out = orgchard()
            .args(["apply", "--auto-approve"])
            .arg(backend(&state))
            .arg(&cfg)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        let saved = emulator::store::load(&state).unwrap();
        assert_invariants(&saved, &load(&cfg), true, "after Ctrl-C and a second apply");
        return;
    }
}

#[test]
fn a_failed_create_account_is_reported_verbatim_and_its_dependents_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let state = init(dir.path(), 50);
    // Someone else starts creating an account with the same email in the console.
    block_on(async {
        let emu = Emulator::open(&state, &ConnectOptions::default()).unwrap();
        emu.create_account(
            &Scope::Management,
            CreateAccountInput {
                email: "aws+shared@example.com".into(),
                account_name: "Console Account".into(),
                role_name: None,
                iam_user_access_to_billing: None,
                tags: vec![],
            },
        )
        .await
        .unwrap();
    });
    let cfg = dir.path().join("cfg");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(
        cfg.join("main.hcl"),
        r#"
organizational_unit "team" {
  name = "Team"
}

account "dup" {
  name   = "Duplicate"
  email  = "aws+shared@example.com"
  parent = organizational_unit.team
}

role "reader" {
  account          = account.dup
  name             = "Reader"
  trusted_accounts = [management.id]
}

account "ok" {
  name   = "Fine"
  email  = "aws+fine@example.com"
  parent = organizational_unit.team
}
"#,
    )
    .unwrap();
    let out = orgchard()
        .args(["apply", "--auto-approve", "--json"])
        .arg(backend(&state))
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("account.dup"), "{err}");
    assert!(
        err.contains("EMAIL_ALREADY_EXISTS"),
        "AWS's reason verbatim: {err}"
    );
    let events = events(&out.stdout);
    let started_for = |addr: &str| {
        events
            .iter()
            .filter(|e| {
                e["event"] == "op_started" && e["address"].as_str().unwrap().starts_with(addr)
            })
            .count()
    };
    assert_eq!(
        started_for("account.dup"),
        1,
        "only CreateAccount ran for account.dup"
    );
    assert_eq!(
        started_for("role.reader"),
        0,
        "nothing inside the failed account ran"
    );
    let failed: Vec<&Value> = events
        .iter()
        .filter(|e| e["event"] == "op_finished" && !e["error"].is_null())
        .collect();
    assert_eq!(failed.len(), 1, "one root cause: {failed:?}");
    // The failure is typed, as the backend reported it: the machine interface never has
    // to parse a line of text.
    let error = &failed[0]["error"];
    assert_eq!(error["operation"], "CreateAccount", "{error}");
    assert_eq!(error["kind"], "client", "{error}");
    assert!(
        error["code"].as_str().is_some_and(|c| !c.is_empty()),
        "{error}"
    );
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("EMAIL_ALREADY_EXISTS")),
        "{error}"
    );
    let saved = emulator::store::load(&state).unwrap();
    let fine = saved
        .accounts
        .values()
        .find(|a| a.email == "aws+fine@example.com")
        .expect("the independent account was created");
    assert_eq!(
        saved.ous[&fine.parent_id].name, "Team",
        "and moved into its OU"
    );
}

#[test]
fn apply_without_a_terminal_refuses_unless_auto_approved() {
    let dir = tempfile::tempdir().unwrap();
    let state = init(dir.path(), 0);
    let before = std::fs::read(&state).unwrap();
    let out: Output = orgchard()
        .arg("apply")
        .arg(backend(&state))
        .arg(repo_path("examples/quickstart"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("--auto-approve"), "{err}");
    let after = emulator::store::load(&state).unwrap();
    let before: emulator::State = serde_json::from_slice(&before).unwrap();
    assert_eq!(after.ous, before.ous, "nothing applied");
    assert_eq!(after.policies, before.policies);
}

#[test]
fn json_progress_is_one_event_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let state = init(dir.path(), 0);
    let out = orgchard()
        .args(["apply", "--auto-approve", "--json"])
        .arg(backend(&state))
        .arg(repo_path("examples/quickstart"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let events = events(&out.stdout);
    assert_eq!(events.first().unwrap()["event"], "started");
    let n = events[0]["operations"].as_u64().unwrap() as usize;
    assert!(n > 0);
    let kinds = |k: &str| events.iter().filter(|e| e["event"] == k).count();
    assert_eq!(kinds("op_started"), n);
    assert_eq!(kinds("op_finished"), n);
    let last = events.last().unwrap();
    assert_eq!(last["event"], "finished");
    assert!(
        last["summary"]
            .as_str()
            .unwrap()
            .starts_with("Apply complete:"),
        "{last}"
    );
    // Planning again shows no changes.
    let out = orgchard()
        .args(["plan", "--detailed-exitcode"])
        .arg(backend(&state))
        .arg(repo_path("examples/quickstart"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

/// The emulator's faults are drawn per call, in order, so the same seed must give the same
/// calls and faults on every run, whatever the output format: the client's backoff jitter is
/// seeded too, against the emulator.
#[test]
fn the_same_seed_gives_the_same_faults_with_or_without_json() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, json: bool| {
        let state = dir.path().join(name);
        emulator::init(
            &state,
            &InitOptions {
                seed: 4,
                faults: emulator::parse_faults("throttle=0.2,concurrent=0.1,server=0.05").unwrap(),
                ..InitOptions::default()
            },
        )
        .unwrap();
        let mut apply = orgchard();
        apply.args(["apply", "--auto-approve", "--precheck", "off"]);
        if json {
            apply.arg("--json");
        }
        let out = apply
            .arg(backend(&state))
            .arg(repo_path("tests/data/crash/dozen-accounts"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        let saved = emulator::store::load(&state).unwrap();
        (saved.faults.draws, saved.counters)
    };
    let human = run("human.json", false);
    assert_eq!(human, run("again.json", false), "two runs differ");
    assert_eq!(human, run("json.json", true), "--json changes the calls");
}

/// A pseudo-terminal: the child reads its answer from `slave` as from a real terminal, and
/// the test types it into `master`.
#[cfg(unix)]
struct Pty {
    master: std::fs::File,
    slave: std::fs::File,
}

#[cfg(unix)]
fn pty() -> Pty {
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("a pseudo-terminal");
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    let name = ptsname(&master, Vec::new()).unwrap();
    let slave = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(name.to_str().unwrap())
        .unwrap();
    Pty {
        master: std::fs::File::from(master),
        slave,
    }
}

/// Starts `apply DIR` on a terminal and waits until it asks for confirmation.
#[cfg(unix)]
fn apply_until_asked(state: &Path, dir: &Path) -> (std::process::Child, Pty) {
    let terminal = pty();
    let mut child = orgchard()
        .arg("apply")
        .arg(backend(state))
        .arg(dir)
        .stdin(Stdio::from(terminal.slave.try_clone().unwrap()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !text(&seen).contains("Enter a value:") {
        let n = stdout.read(&mut buf).unwrap();
        if n == 0 {
            let out = child.wait_with_output().unwrap();
            panic!(
                "apply ended without asking:\n{}\n{}",
                text(&seen),
                text(&out.stderr)
            );
        }
        seen.extend_from_slice(&buf[..n]);
    }
    assert!(text(&seen).contains("Plan:"), "{}", text(&seen));
    // Keep draining standard output so that the child never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    (child, terminal)
}

#[cfg(unix)]
fn answer(child: std::process::Child, terminal: &mut Pty, line: &str) -> Output {
    use std::io::Write;
    terminal.master.write_all(line.as_bytes()).unwrap();
    terminal.master.flush().unwrap();
    child.wait_with_output().unwrap()
}

#[cfg(unix)]
#[test]
fn a_plan_that_went_stale_while_waiting_for_yes_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let state = init(dir.path(), 0);
    let (child, mut terminal) = apply_until_asked(&state, &repo_path("examples/quickstart"));

    // While the question waits, someone else changes the organization (the state file is
    // not locked meanwhile).
    block_on(async {
        let emu = Emulator::open(&state, &ConnectOptions::default()).unwrap();
        let root = emu
            .list_roots(&Scope::Management, ListRootsInput::default())
            .await
            .unwrap()
            .roots[0]
            .id
            .clone();
        emu.create_organizational_unit(
            &Scope::Management,
            CreateOrganizationalUnitInput {
                parent_id: root,
                name: "Console".into(),
                tags: vec![],
            },
        )
        .await
        .unwrap();
    });
    let changed = emulator::store::load(&state).unwrap();

    let out = answer(child, &mut terminal, "yes\n");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("changed while the plan waited for confirmation"),
        "{err}"
    );
    let after = emulator::store::load(&state).unwrap();
    assert_eq!(after.ous, changed.ous, "nothing applied");
    assert_eq!(after.policies, changed.policies);
    assert_eq!(after.create_requests, changed.create_requests);
}

#[cfg(unix)]
#[test]
fn a_plan_answered_yes_on_an_unchanged_organization_is_applied() {
    let dir = tempfile::tempdir().unwrap();
    let state = init(dir.path(), 0);
    let (child, mut terminal) = apply_until_asked(&state, &repo_path("examples/quickstart"));
    let out = answer(child, &mut terminal, "yes\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = orgchard()
        .args(["plan", "--detailed-exitcode"])
        .arg(backend(&state))
        .arg(repo_path("examples/quickstart"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));

    // Any other answer applies nothing.
    let dir = tempfile::tempdir().unwrap();
    let state = init(dir.path(), 0);
    let before = emulator::store::load(&state).unwrap();
    let (child, mut terminal) = apply_until_asked(&state, &repo_path("examples/quickstart"));
    let out = answer(child, &mut terminal, "no\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("Apply cancelled."));
    assert_eq!(emulator::store::load(&state).unwrap().ous, before.ous);
}

/// A pipe whose reading end is already closed, as `orgchard ... | head` leaves it once `head`
/// has exited: every write to it fails.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    Stdio::from(writer)
}

#[test]
fn a_closed_stdout_never_stops_an_apply() {
    for json in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let state = init(dir.path(), 50);
        let cfg = many_accounts(dir.path(), 12);
        let mut apply = orgchard();
        apply.args(["apply", "--auto-approve"]);
        if json {
            apply.arg("--json");
        }
        let out = apply
            .arg(backend(&state))
            .arg(&cfg)
            .stdout(closed_pipe())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "json {json}: {}",
            text(&out.stderr)
        );
        assert!(
            !text(&out.stderr).contains("panicked"),
            "{}",
            text(&out.stderr)
        );
        let saved = emulator::store::load(&state).unwrap();
        assert_invariants(
            &saved,
            &load(&cfg),
            true,
            "after an apply into a closed pipe",
        );
    }
}

#[test]
fn an_apply_into_a_closed_stdout_exits_with_the_status_it_would_have() {
    // Someone else is creating an account with the email the configuration uses, so one
    // branch of the apply fails and the other finishes: exit 1 either way, same end state.
    let run = |closed: bool| {
        let dir = tempfile::tempdir().unwrap();
        let state = init(dir.path(), 50);
        block_on(async {
            let emu = Emulator::open(&state, &ConnectOptions::default()).unwrap();
            emu.create_account(
                &Scope::Management,
                CreateAccountInput {
                    email: "aws+shared@example.com".into(),
                    account_name: "Console Account".into(),
                    role_name: None,
                    iam_user_access_to_billing: None,
                    tags: vec![],
                },
            )
            .await
            .unwrap();
        });
        let cfg = dir.path().join("cfg");
        std::fs::create_dir_all(&cfg).unwrap();
        std::fs::write(
            cfg.join("main.hcl"),
            "account \"dup\" {\n  name  = \"Duplicate\"\n  email = \"aws+shared@example.com\"\n}\n\naccount \"ok\" {\n  name  = \"Fine\"\n  email = \"aws+fine@example.com\"\n}\n",
        )
        .unwrap();
        let mut apply = orgchard();
        apply
            .args(["apply", "--auto-approve", "--json"])
            .arg(backend(&state))
            .arg(&cfg);
        if closed {
            apply.stdout(closed_pipe());
        }
        let out = apply.output().unwrap();
        assert!(
            !text(&out.stderr).contains("panicked"),
            "{}",
            text(&out.stderr)
        );
        let saved = emulator::store::load(&state).unwrap();
        let mut names: Vec<String> = saved.accounts.values().map(|a| a.name.clone()).collect();
        names.sort();
        (out.status.code(), names)
    };
    let open = run(false);
    assert_eq!(open.0, Some(1), "the scenario fails one branch");
    assert_eq!(run(true), open);
}

#[test]
fn no_command_panics_on_a_closed_stdout_or_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let state = init(dir.path(), 0);
    let cfg = repo_path("examples/quickstart");
    let plan_file = dir.path().join("plan.json");
    let out = orgchard()
        .args(["plan", "--out"])
        .arg(&plan_file)
        .arg(backend(&state))
        .arg(&cfg)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let policy = dir.path().join("p.json");
    std::fs::write(
        &policy,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    )
    .unwrap();
    let b = backend(&state);
    let p = plan_file.to_str().unwrap();
    let c = cfg.to_str().unwrap();
    let commands: Vec<(Vec<&str>, i32)> = vec![
        (vec!["validate", c], 0),
        (vec!["plan", &b, c], 0),
        (vec!["plan", "--json", &b, c], 0),
        (vec!["show", p], 0),
        (vec!["show", "--json", p], 0),
        (vec!["graph", &b, c], 0),
        (vec!["emulator", "stats", state.to_str().unwrap()], 0),
        (
            vec![
                "policy",
                "simulate",
                "--policy",
                policy.to_str().unwrap(),
                "--action",
                "organizations:ListAccounts",
                "--resource",
                "*",
            ],
            0,
        ),
        (vec!["validate", "no-such-directory"], 1),
    ];
    for (args, code) in commands {
        for closed_stderr in [false, true] {
            let mut cmd = orgchard();
            cmd.args(&args).stdout(closed_pipe());
            if closed_stderr {
                cmd.stderr(closed_pipe());
            }
            let out = cmd.output().unwrap();
            assert_eq!(
                out.status.code(),
                Some(code),
                "{args:?} (stderr closed: {closed_stderr}): {}",
                text(&out.stderr)
            );
        }
    }
}
