//! The organization's apply lock and ownership scopes, through the `orgchard` binary as a
//! pipeline runs it: against the embedded emulator (`apply --lock`, since the emulator's
//! state file is locked anyway and its apply lock is off by default) and against moto (the
//! AWS backend, where the lock is on by default).
//!
//! On moto a real apply holds the lock: the test watches for the lock policy and stops the
//! process (SIGSTOP) while it holds it, then lets it go on (SIGCONT), or kills it (SIGKILL)
//! to leave the lock as a crashed apply leaves it.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, SystemTime};

use orgchard::api::{ApiExt, CreatePolicyInput, Scope};
use orgchard::backend::ConnectOptions;
use orgchard::backend::emulator::{self, Emulator, InitOptions};
use orgchard::model::lock::{LOCK_POLICY_NAME, LOCK_POLICY_TYPE, LockRecord};

mod binary;

#[cfg(all(feature = "aws", unix))]
#[path = "support/moto.rs"]
mod moto;

use binary::{orgchard, text};

const CRASHED: &str = "arn:aws:sts::111111111111:assumed-role/pipeline/crashed-run";

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// A configuration directory with one file.
fn config(root: &Path, name: &str, hcl: &str) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("main.hcl"), hcl).unwrap();
    dir
}

/// Scope "security": an OU and an SCP of its own.
const SECURITY: &str = r#"
organization {
  scope                = "security"
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}
organizational_unit "sec" {
  name = "Security"
}
policy "guard" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "SecurityGuard"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
"#;

/// The default scope: two OUs, one of them named like security's block.
const PLATFORM: &str = r#"
organizational_unit "workloads" {
  name = "Workloads"
}
organizational_unit "sec" {
  name = "Platform Security"
}
"#;

/// The lock policy as an apply that was killed left it: taken two hours ago, its lease run
/// out an hour ago, never renewed.
fn crashed_record() -> LockRecord {
    LockRecord::new(
        CRASHED,
        "deadbeef00000001",
        SystemTime::now() - Duration::from_secs(2 * 3600),
    )
}

/// The lock policy as a running (or just killed) apply holds it: taken a minute ago.
fn fresh_record() -> LockRecord {
    LockRecord::new(
        CRASHED,
        "deadbeef00000002",
        SystemTime::now() - Duration::from_secs(60),
    )
}

fn lock_input(record: &LockRecord) -> CreatePolicyInput {
    CreatePolicyInput {
        name: LOCK_POLICY_NAME.into(),
        description: record.description(),
        content: orgchard::vocab::FULL_ACCESS_DOCUMENT.into(),
        r#type: LOCK_POLICY_TYPE.into(),
        tags: vec![],
    }
}

// ---------------------------------------------------------------------------------------------
// The embedded emulator.

fn emulator_state(dir: &Path) -> PathBuf {
    let state = dir.join("state.json");
    emulator::init(&state, &InitOptions::default()).unwrap();
    state
}

fn on_emulator(state: &Path, args: &[&str]) -> Output {
    orgchard()
        .args(args)
        .arg(format!("--backend=emulator:{}", state.display()))
        .output()
        .unwrap()
}

fn emulator_ou_names(state: &Path) -> Vec<String> {
    let mut names: Vec<String> = emulator::store::load(state)
        .unwrap()
        .ous
        .values()
        .map(|o| o.name.clone())
        .collect();
    names.sort();
    names
}

fn emulator_lock_policies(state: &Path) -> usize {
    emulator::store::load(state)
        .unwrap()
        .policies
        .values()
        .filter(|p| p.name == LOCK_POLICY_NAME)
        .count()
}

#[test]
fn a_crashed_applys_lock_is_reported_refused_and_removed_on_the_emulator() {
    let dir = tempfile::tempdir().unwrap();
    let state = emulator_state(dir.path());
    let platform = config(dir.path(), "platform", PLATFORM);
    block_on(async {
        let emu = Emulator::open(&state, &ConnectOptions::default()).unwrap();
        emu.create_policy(&Scope::Management, lock_input(&fresh_record()))
            .await
            .unwrap();
    });

    // `plan` warns, naming the holder and how long ago it took the lock; the lock is no
    // resource of the plan's.
    let plan = on_emulator(&state, &["plan", platform.to_str().unwrap()]);
    let out = text(&plan);
    assert!(plan.status.success(), "{out}");
    assert!(out.contains("apply lock"), "{out}");
    assert!(out.contains(CRASHED), "{out}");
    assert!(out.contains("1 min ago"), "{out}");
    assert!(out.contains("orgchard unlock"), "{out}");
    assert!(!out.contains("will be deleted"), "{out}");
    assert!(!out.contains(&format!("\"{LOCK_POLICY_NAME}\"")), "{out}");

    // `apply --lock` stops before any change, naming the holder and since when.
    let apply = on_emulator(
        &state,
        &[
            "apply",
            "--auto-approve",
            "--lock",
            platform.to_str().unwrap(),
        ],
    );
    let err = text(&apply);
    assert_eq!(apply.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("held by {CRASHED} since ")), "{err}");
    assert!(emulator_ou_names(&state).is_empty(), "changed: {err}");

    // `unlock` asks; without a terminal it refuses unless forced.
    let unlock = on_emulator(&state, &["unlock", platform.to_str().unwrap()]);
    assert_eq!(unlock.status.code(), Some(1), "{}", text(&unlock));
    assert!(text(&unlock).contains("--force"), "{}", text(&unlock));
    assert_eq!(emulator_lock_policies(&state), 1);
    let unlock = on_emulator(&state, &["unlock", "--force", platform.to_str().unwrap()]);
    assert!(unlock.status.success(), "{}", text(&unlock));
    assert!(text(&unlock).contains(CRASHED), "{}", text(&unlock));
    assert_eq!(emulator_lock_policies(&state), 0);

    // Now the apply goes through, and leaves no lock behind.
    let apply = on_emulator(
        &state,
        &[
            "apply",
            "--auto-approve",
            "--lock",
            platform.to_str().unwrap(),
        ],
    );
    assert!(apply.status.success(), "{}", text(&apply));
    assert_eq!(
        emulator_ou_names(&state),
        ["Platform Security", "Workloads"]
    );
    assert_eq!(emulator_lock_policies(&state), 0);
}

#[test]
fn an_expired_lock_is_taken_over_and_a_foreign_namesake_is_never_unlocked() {
    let dir = tempfile::tempdir().unwrap();
    let state = emulator_state(dir.path());
    let platform = config(dir.path(), "platform", PLATFORM);
    block_on(async {
        let emu = Emulator::open(&state, &ConnectOptions::default()).unwrap();
        emu.create_policy(&Scope::Management, lock_input(&crashed_record()))
            .await
            .unwrap();
    });
    let plan = on_emulator(&state, &["plan", platform.to_str().unwrap()]);
    assert!(text(&plan).contains("lease expired"), "{}", text(&plan));
    let apply = on_emulator(
        &state,
        &[
            "apply",
            "--auto-approve",
            "--lock=true",
            platform.to_str().unwrap(),
        ],
    );
    assert!(apply.status.success(), "{}", text(&apply));
    assert_eq!(emulator_lock_policies(&state), 0);

    // A policy of the reserved name that orgchard did not write is not a lock: `unlock`
    // leaves it, and `apply` refuses to run over it.
    block_on(async {
        let emu = Emulator::open(&state, &ConnectOptions::default()).unwrap();
        let mut input = lock_input(&fresh_record());
        input.description = "our own policy".into();
        emu.create_policy(&Scope::Management, input).await.unwrap();
    });
    let unlock = on_emulator(&state, &["unlock", "--force", platform.to_str().unwrap()]);
    assert_eq!(unlock.status.code(), Some(1), "{}", text(&unlock));
    assert!(
        text(&unlock).contains("is not orgchard's apply lock"),
        "{}",
        text(&unlock)
    );
    assert_eq!(emulator_lock_policies(&state), 1);
    let apply = on_emulator(
        &state,
        &[
            "apply",
            "--auto-approve",
            "--lock",
            config(
                dir.path(),
                "more",
                "organizational_unit \"x\" {\n  name = \"X\"\n}\n",
            )
            .to_str()
            .unwrap(),
        ],
    );
    assert_eq!(apply.status.code(), Some(1), "{}", text(&apply));
    assert!(text(&apply).contains("reserved"), "{}", text(&apply));
}

#[test]
fn two_scopes_share_one_organization_on_the_emulator() {
    let dir = tempfile::tempdir().unwrap();
    let state = emulator_state(dir.path());
    let security = config(dir.path(), "security", SECURITY);
    let platform = config(dir.path(), "platform", PLATFORM);
    for c in [&security, &platform] {
        let apply = on_emulator(&state, &["apply", "--auto-approve", c.to_str().unwrap()]);
        assert!(apply.status.success(), "{}", text(&apply));
    }
    assert_eq!(
        emulator_ou_names(&state),
        ["Platform Security", "Security", "Workloads"]
    );
    for c in [&security, &platform] {
        let plan = on_emulator(
            &state,
            &["plan", "--detailed-exitcode", c.to_str().unwrap()],
        );
        assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));
    }
    let saved = emulator::store::load(&state).unwrap();
    let sec = saved.ous.values().find(|o| o.name == "Security").unwrap();
    assert_eq!(sec.tags["orgchard:scope"], "security");
    assert_eq!(sec.tags["orgchard:address"], "organizational_unit.sec");
    let plat = saved
        .ous
        .values()
        .find(|o| o.name == "Platform Security")
        .unwrap();
    assert!(!plat.tags.contains_key("orgchard:scope"), "{:?}", plat.tags);

    // An empty configuration of the default scope deletes only the default scope's OUs.
    let empty = config(dir.path(), "empty", "");
    let apply = on_emulator(
        &state,
        &["apply", "--auto-approve", empty.to_str().unwrap()],
    );
    assert!(apply.status.success(), "{}", text(&apply));
    assert_eq!(emulator_ou_names(&state), ["Security"]);
    let plan = on_emulator(
        &state,
        &["plan", "--detailed-exitcode", security.to_str().unwrap()],
    );
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));

    // Taking security's OU over by its name is refused, with the owner named.
    let grab = config(
        dir.path(),
        "grab",
        "organizational_unit \"mine\" {\n  name = \"Security\"\n}\n",
    );
    let plan = on_emulator(&state, &["plan", grab.to_str().unwrap()]);
    assert_eq!(plan.status.code(), Some(1), "{}", text(&plan));
    assert!(
        text(&plan).contains("organizational_unit.sec of scope \"security\""),
        "{}",
        text(&plan)
    );
}

// ---------------------------------------------------------------------------------------------
// moto: the AWS backend, where the lock is on by default.

#[cfg(all(feature = "aws", unix))]
mod on_moto {
    use super::*;

    use std::process::{Child, Command, Stdio};
    use std::time::Instant;

    use super::moto::{MotoServer, test_credentials};
    use orgchard::api::{CreateOrganizationInput, ListPoliciesInput};
    use orgchard::backend::aws::AwsBackend;

    struct Org {
        server: MotoServer,
        api: AwsBackend,
        home: tempfile::TempDir,
    }

    fn organization() -> Org {
        let server = MotoServer::start();
        let api = block_on(async {
            let api = server.backend().await;
            api.create_organization(
                &Scope::Management,
                CreateOrganizationInput {
                    feature_set: "ALL".into(),
                },
            )
            .await
            .unwrap();
            api
        });
        Org {
            server,
            api,
            home: tempfile::tempdir().unwrap(),
        }
    }

    impl Org {
        /// The binary pointed at moto with fake credentials and nothing of the machine's AWS
        /// configuration. The pre-check is off: moto's caller has no IAM policies to read.
        fn command(&self, args: &[&str]) -> Command {
            let creds = test_credentials();
            let home = self.home.path();
            let mut c = orgchard();
            c.args(args)
                .args(["--backend=aws", "--region=us-east-1", "--precheck=off"])
                .arg(format!("--endpoint-url={}", self.server.url))
                .env("AWS_ACCESS_KEY_ID", creds.access_key_id)
                .env("AWS_SECRET_ACCESS_KEY", creds.secret_access_key)
                .env("AWS_CONFIG_FILE", home.join("no-aws-config"))
                .env(
                    "AWS_SHARED_CREDENTIALS_FILE",
                    home.join("no-aws-credentials"),
                )
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .env_remove("AWS_SESSION_TOKEN")
                .env_remove("AWS_PROFILE")
                .env_remove("AWS_ENDPOINT_URL")
                .env_remove("AWS_ROLE_ARN")
                .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE");
            c
        }

        fn run(&self, args: &[&str]) -> Output {
            self.command(args).output().unwrap()
        }

        fn lock_policies(&self) -> Vec<orgchard::api::PolicySummary> {
            block_on(async {
                self.api
                    .list_policies(
                        &Scope::Management,
                        ListPoliciesInput {
                            filter: LOCK_POLICY_TYPE.into(),
                            ..ListPoliciesInput::default()
                        },
                    )
                    .await
                    .unwrap()
                    .policies
                    .into_iter()
                    .filter(|p| p.name == LOCK_POLICY_NAME)
                    .collect()
            })
        }

        fn ou_names(&self) -> Vec<String> {
            block_on(async {
                let root = self
                    .api
                    .list_roots(&Scope::Management, Default::default())
                    .await
                    .unwrap()
                    .roots
                    .remove(0)
                    .id;
                let mut names: Vec<String> = self
                    .api
                    .list_organizational_units_for_parent(
                        &Scope::Management,
                        orgchard::api::ListOrganizationalUnitsForParentInput {
                            parent_id: root,
                            ..Default::default()
                        },
                    )
                    .await
                    .unwrap()
                    .organizational_units
                    .into_iter()
                    .map(|o| o.name)
                    .collect();
                names.sort();
                names
            })
        }

        /// Starts `apply` of `dir` and stops the process (SIGSTOP) as soon as the lock policy
        /// exists: the apply then holds the lock for as long as the test wants. None when the
        /// apply finished before the lock was seen (the test tries again with more to do).
        fn apply_stopped_holding_the_lock(&self, dir: &Path) -> Option<Child> {
            let mut child = self
                .command(&[
                    "apply",
                    "--auto-approve",
                    "--parallelism=1",
                    dir.to_str().unwrap(),
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let deadline = Instant::now() + Duration::from_secs(120);
            while Instant::now() < deadline {
                if !self.lock_policies().is_empty() {
                    signal(&child, "STOP");
                    return Some(child);
                }
                if child.try_wait().unwrap().is_some() {
                    let out = child.wait_with_output().unwrap();
                    assert!(out.status.success(), "{}", text(&out));
                    return None;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            let _ = child.kill();
            let _ = child.wait();
            panic!("the apply never took the lock");
        }
    }

    fn signal(child: &Child, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success(), "kill -{name}");
    }

    /// Many OUs, so that an apply with parallelism 1 takes long enough to be caught holding
    /// the lock.
    fn many_ous(root: &Path, name: &str, n: usize) -> PathBuf {
        let hcl: String = (0..n)
            .map(|i| format!("organizational_unit \"ou{i}\" {{\n  name = \"{name} {i:03}\"\n}}\n"))
            .collect();
        config(root, name, &hcl)
    }

    /// An apply stopped while it holds the lock, on a fresh organization, trying with more to
    /// do until one is caught holding it.
    fn holder(org: &Org, root: &Path) -> Child {
        for n in [40, 120, 360] {
            let dir = many_ous(root, &format!("first{n}"), n);
            if let Some(child) = org.apply_stopped_holding_the_lock(&dir) {
                return child;
            }
        }
        panic!("no apply could be caught holding the lock");
    }

    #[test]
    fn a_second_apply_stops_while_the_first_holds_the_lock_and_succeeds_after_it() {
        let org = organization();
        let dir = tempfile::tempdir().unwrap();
        let second = config(dir.path(), "second", PLATFORM);
        let first = holder(&org, dir.path());
        let held = org.lock_policies();
        assert_eq!(held.len(), 1, "{held:?}");
        let record = LockRecord::parse(&held[0].description).expect("a lock orgchard wrote");

        // The second apply stops before any change, naming the holder and since when.
        let out = org.run(&["apply", "--auto-approve", second.to_str().unwrap()]);
        let err = text(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains(&format!("held by {} since ", record.holder)),
            "{err}"
        );
        assert!(err.contains(&record.run), "{err}");
        assert!(
            !org.ou_names().iter().any(|n| n == "Workloads"),
            "{:?}",
            org.ou_names()
        );

        // `plan` sees it too, and lists the lock nowhere else.
        let plan = org.run(&["plan", second.to_str().unwrap()]);
        assert!(plan.status.success(), "{}", text(&plan));
        assert!(text(&plan).contains("apply lock"), "{}", text(&plan));
        assert!(!text(&plan).contains(LOCK_POLICY_NAME), "{}", text(&plan));

        // The first one finishes and releases the lock; the second then succeeds.
        signal(&first, "CONT");
        let out = first.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", text(&out));
        assert!(org.lock_policies().is_empty());
        let out = org.run(&["apply", "--auto-approve", second.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out));
        assert!(org.ou_names().iter().any(|n| n == "Workloads"));
        assert!(org.lock_policies().is_empty());
    }

    #[test]
    fn a_lock_left_by_a_killed_apply_is_reported_and_removed_by_unlock() {
        let org = organization();
        let dir = tempfile::tempdir().unwrap();
        let second = config(dir.path(), "second", PLATFORM);
        let mut first = holder(&org, dir.path());
        first.kill().unwrap();
        first.wait().unwrap();
        let left = org.lock_policies();
        assert_eq!(left.len(), 1, "{left:?}");
        let record = LockRecord::parse(&left[0].description).unwrap();

        let plan = org.run(&["plan", second.to_str().unwrap()]);
        let out = text(&plan);
        assert!(plan.status.success(), "{out}");
        assert!(out.contains(&record.holder), "{out}");
        assert!(out.contains(" ago"), "{out}");
        assert!(out.contains("orgchard unlock"), "{out}");

        let apply = org.run(&["apply", "--auto-approve", second.to_str().unwrap()]);
        assert_eq!(apply.status.code(), Some(1), "{}", text(&apply));

        let unlock = org.run(&["unlock", "--force", second.to_str().unwrap()]);
        assert!(unlock.status.success(), "{}", text(&unlock));
        assert!(org.lock_policies().is_empty());

        let apply = org.run(&["apply", "--auto-approve", second.to_str().unwrap()]);
        assert!(apply.status.success(), "{}", text(&apply));
        assert!(org.ou_names().iter().any(|n| n == "Workloads"));
    }

    #[test]
    fn lock_timeout_waits_for_the_lock_and_lock_false_skips_it() {
        let org = organization();
        let dir = tempfile::tempdir().unwrap();
        let second = config(dir.path(), "second", PLATFORM);
        block_on(async {
            org.api
                .create_policy(&Scope::Management, lock_input(&fresh_record()))
                .await
                .unwrap()
        });
        // --lock=false goes ahead whatever the lock says (and leaves it alone).
        let out = org.run(&[
            "apply",
            "--auto-approve",
            "--lock=false",
            second.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", text(&out));
        assert_eq!(org.lock_policies().len(), 1);
        // --lock-timeout waits, polling; released meanwhile, the lock is taken.
        let third = config(
            dir.path(),
            "third",
            "organizational_unit \"t\" {\n  name = \"Third\"\n}\n",
        );
        let mut waiting = org
            .command(&[
                "apply",
                "--auto-approve",
                "--lock-timeout=2m",
                third.to_str().unwrap(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_secs(3));
        assert!(waiting.try_wait().unwrap().is_none(), "it did not wait");
        assert!(!org.ou_names().iter().any(|n| n == "Third"));
        let unlock = org.run(&["unlock", "--force", third.to_str().unwrap()]);
        assert!(unlock.status.success(), "{}", text(&unlock));
        let out = waiting.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", text(&out));
        assert!(org.ou_names().iter().any(|n| n == "Third"));
        assert!(org.lock_policies().is_empty());
    }

    #[test]
    fn two_scopes_share_one_organization_on_moto() {
        let org = organization();
        let dir = tempfile::tempdir().unwrap();
        let security = config(dir.path(), "security", SECURITY);
        let platform = config(dir.path(), "platform", PLATFORM);
        for c in [&security, &platform] {
            let out = org.run(&["apply", "--auto-approve", c.to_str().unwrap()]);
            assert!(out.status.success(), "{}", text(&out));
        }
        assert_eq!(
            org.ou_names(),
            ["Platform Security", "Security", "Workloads"]
        );
        for c in [&security, &platform] {
            let out = org.run(&["plan", "--detailed-exitcode", c.to_str().unwrap()]);
            assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        }
        // Removing everything from one scope leaves the other's.
        let empty = config(
            dir.path(),
            "empty",
            "organization {\n  scope = \"security\"\n}\n",
        );
        let out = org.run(&["apply", "--auto-approve", empty.to_str().unwrap()]);
        assert!(out.status.success(), "{}", text(&out));
        assert_eq!(org.ou_names(), ["Platform Security", "Workloads"]);
        let out = org.run(&["plan", "--detailed-exitcode", platform.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert!(org.lock_policies().is_empty());
    }
}

#[test]
fn the_emitted_policy_allows_the_lock_calls_when_the_plan_changes_anything() {
    let dir = tempfile::tempdir().unwrap();
    let state = emulator_state(dir.path());
    let platform = config(dir.path(), "platform", PLATFORM);
    let actions = |out: &Output| -> Vec<String> {
        assert!(out.status.success(), "{}", text(out));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Action"].to_string())
            .collect()
    };
    // Only OUs to create, yet the apply on AWS creates, renews and deletes its lock.
    let emitted = actions(&on_emulator(
        &state,
        &["plan", "--emit-policy", platform.to_str().unwrap()],
    ));
    for a in ["CreatePolicy", "UpdatePolicy", "DeletePolicy"] {
        assert!(
            emitted
                .iter()
                .any(|e| e.contains(&format!("organizations:{a}"))),
            "{a} missing: {emitted:?}"
        );
    }
    // Nothing to change: no lock is taken, so none of its calls.
    let apply = on_emulator(
        &state,
        &["apply", "--auto-approve", platform.to_str().unwrap()],
    );
    assert!(apply.status.success(), "{}", text(&apply));
    let emitted = actions(&on_emulator(
        &state,
        &["plan", "--emit-policy", platform.to_str().unwrap()],
    ));
    assert!(
        !emitted.iter().any(|e| e.contains("DeletePolicy")),
        "{emitted:?}"
    );
}
