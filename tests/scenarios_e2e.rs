//! One table of end-to-end scenarios, run through the `orgchard` binary as a user runs it,
//! three times: against the embedded emulator, against moto, and with `--backend aws` against
//! `orgchard emulator serve` (the AWS SDK path meeting AWS's rules; every case moto cannot
//! check runs there too). Each case applies a starting
//! configuration to an empty organization (or nothing), may change the organization out of
//! band, applies a second configuration, and then requires that `plan --detailed-exitcode`
//! finds nothing left to do (exit 0) and that the organization is what the case says, as the
//! test reads it itself: the emulator's state file, or direct HTTP calls to moto (the JSON
//! protocol for Organizations, the query protocol for IAM and STS, IAM inside a member account
//! through an AssumeRole into it, which is how moto picks the account of an IAM call).
//!
//! moto is found as `tests/aws_moto.rs` finds it (`ORGCHARD_MOTO_SERVER`, else `.venv`, else
//! `PATH`, else the test fails); `scripts/test` installs it. One moto server serves the whole
//! table and is reset between cases.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use orgchard::api::{
    ApiExt, CreateOrganizationalUnitInput, CreatePolicyInput, EnablePolicyTypeInput, Scope,
    UpdateOrganizationalUnitInput,
};
use orgchard::backend::ConnectOptions;
use orgchard::backend::emulator::{self, Emulator, InitOptions};
use serde_json::{Value, json};

mod binary;

#[cfg(feature = "aws")]
#[path = "support/moto.rs"]
mod moto;

#[cfg(feature = "aws")]
#[path = "support/serve.rs"]
mod serve;

type Tags = BTreeMap<String, String>;

const OWNER: &str = "orgchard:address";
const SCP: &str = "SERVICE_CONTROL_POLICY";
const DENY_LEAVE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}"#;

// ---------------------------------------------------------------------------------------------
// The table.

/// A change made directly through the API, not through orgchard.
#[derive(Debug, Clone, Copy)]
enum Oob {
    EnableScps,
    CreateOu(&'static str),
    CreateScp(&'static str),
    RenameOu(&'static str, &'static str),
}

struct Case {
    name: &'static str,
    /// Applied to the empty organization first (a directory of the repository).
    start: Option<&'static str>,
    /// Out-of-band changes made after `start`, before `config` is applied.
    before: &'static [Oob],
    config: &'static str,
    /// An out-of-band change made after `config` converged, and the address the next plan
    /// must name as changed; the change is then applied away again.
    drift: Option<(Oob, &'static str)>,
    check: fn(&Seen),
    /// `Err(reason)`: the case runs against the emulator only.
    on_moto: Result<(), &'static str>,
    /// Extra arguments of `apply` and `plan` on moto, where it lacks what the configuration
    /// uses (the table says why).
    moto_args: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "quickstart from an empty organization",
        start: None,
        before: &[],
        config: "examples/quickstart",
        drift: None,
        check: |s| {
            assert_eq!(s.ou_paths(), ["Security", "Workloads"]);
            assert_eq!(s.ous["Workloads"]["tier"], "workloads");
            assert_eq!(s.ous["Workloads"][OWNER], "organizational_unit.workloads");
            assert_eq!(s.accounts["Log Archive"].parent, "Security");
            assert_eq!(s.accounts["Log Archive"].tags["data"], "restricted");
            assert_eq!(s.accounts["Development"].parent, "Workloads");
            assert_eq!(s.accounts["Production"].parent, "Workloads");
            assert_eq!(s.policies["DenyLeaveOrganization"].targets(), ["/"]);
            assert_eq!(s.policies["DenyRootUser"].targets(), ["Workloads"]);
            // AWS attaches FullAWSAccess to every new account as well.
            assert_eq!(
                s.policies["FullAWSAccess"].root_and_ou_targets(),
                ["/", "Security", "Workloads"]
            );
        },
        on_moto: Ok(()),
        moto_args: &[],
    },
    Case {
        name: "landing zone from an empty organization",
        start: None,
        before: &[],
        config: "examples/landing-zone",
        drift: None,
        check: |s| {
            for ou in [
                "Security",
                "Workloads",
                "Workloads/Production",
                "Workloads/Staging",
                "Workloads/Development",
                "Sandbox",
            ] {
                let tags = s.ous.get(ou).unwrap_or_else(|| panic!("OU {ou}: {s:#?}"));
                assert_eq!(tags["owner"], "platform", "{ou}");
                assert!(tags.contains_key(OWNER), "{ou} is owned");
            }
            assert_eq!(s.accounts["Log Archive"].parent, "Security");
            assert_eq!(s.accounts["Audit"].parent, "Security");
            assert_eq!(s.accounts["Shop Production"].parent, "Workloads/Production");
            assert_eq!(s.accounts["Data Production"].parent, "Workloads/Production");
            assert_eq!(s.accounts["Shop Staging"].parent, "Workloads/Staging");
            assert_eq!(
                s.accounts["Shop Development"].parent,
                "Workloads/Development"
            );
            assert_eq!(s.policies["RequiredTags"].targets(), ["/"]);
            // Read-only and auditor roles in every account the configuration lists,
            // including the management account, none in the audit account they trust.
            for account in [
                "management",
                "Log Archive",
                "Shop Production",
                "Shop Staging",
                "Shop Development",
                "Data Production",
            ] {
                let roles = &s.roles[account];
                let ro = roles
                    .get("OrganizationReadOnly")
                    .unwrap_or_else(|| panic!("{account}: {roles:#?}"));
                assert!(ro.tags.contains_key(OWNER), "{account}");
                assert_eq!(ro.tags["access"], "read-only");
                assert!(
                    ro.managed
                        .contains("arn:aws:iam::aws:policy/ReadOnlyAccess")
                );
                assert!(roles.contains_key("OrganizationAuditor"), "{account}");
            }
            assert!(
                !s.roles["Audit"].contains_key("OrganizationReadOnly"),
                "{:?}",
                s.roles["Audit"]
            );
        },
        on_moto: Ok(()),
        // moto 5.2 registers delegated administrators for six services only, Security
        // Hub not among them: the audit account administers GuardDuty alone there.
        moto_args: &["-var", r#"delegated_services=["guardduty.amazonaws.com"]"#],
    },
    Case {
        name: "OU rename",
        start: Some("tests/data/scenarios/ou_rename/1"),
        before: &[],
        config: "tests/data/scenarios/ou_rename/2",
        drift: None,
        check: |s| {
            assert_eq!(s.ou_paths(), ["Applications"]);
            assert_eq!(s.ous["Applications"][OWNER], "organizational_unit.apps");
        },
        on_moto: Ok(()),
        moto_args: &[],
    },
    Case {
        name: "account move",
        start: Some("tests/data/scenarios/account_move/1"),
        before: &[],
        config: "tests/data/scenarios/account_move/2",
        drift: None,
        check: |s| {
            assert_eq!(s.accounts["X"].parent, "B");
            assert_eq!(s.accounts["X"].tags[OWNER], "account.x");
        },
        on_moto: Ok(()),
        moto_args: &[],
    },
    Case {
        name: "account rename",
        start: Some("tests/data/scenarios/account_move/1"),
        before: &[],
        config: "tests/data/e2e/account_rename/2",
        drift: None,
        check: |s| {
            assert!(!s.accounts.contains_key("X"), "{:?}", s.accounts.keys());
            assert_eq!(s.accounts["X Renamed"].parent, "A");
        },
        on_moto: Err("moto 5.2 does not implement account:PutAccountName"),
        moto_args: &[],
    },
    Case {
        name: "SCP swap",
        start: Some("tests/data/scenarios/scp_swap/1"),
        before: &[],
        config: "tests/data/scenarios/scp_swap/2",
        drift: None,
        check: |s| {
            assert_eq!(s.policies["Deny"].targets(), ["Workloads"]);
            assert!(!s.policies["FullAWSAccess"].targets.contains("Workloads"));
        },
        on_moto: Ok(()),
        moto_args: &[],
    },
    Case {
        name: "policy content update",
        start: Some("tests/data/scenarios/policy_update/1"),
        before: &[],
        config: "tests/data/scenarios/policy_update/2",
        drift: None,
        check: |s| {
            let p = &s.policies["Deny"];
            assert_eq!(p.description, "v2");
            assert_eq!(
                p.content.as_ref().unwrap()["Statement"][0]["Action"],
                json!(["organizations:LeaveOrganization", "account:CloseAccount"])
            );
            assert_eq!(p.targets(), ["Workloads"]);
        },
        on_moto: Ok(()),
        moto_args: &[],
    },
    Case {
        name: "policy delete (attached)",
        start: Some("tests/data/scenarios/policy_delete_attached/1"),
        before: &[],
        config: "tests/data/scenarios/policy_delete_attached/2",
        drift: None,
        check: |s| {
            assert!(!s.policies.contains_key("Deny"), "{:?}", s.policies.keys());
            assert!(s.policies["FullAWSAccess"].targets.contains("Workloads"));
        },
        on_moto: Ok(()),
        moto_args: &[],
    },
    Case {
        name: "OU re-parent with accounts, a child OU and policies",
        start: Some("tests/data/scenarios/ou_reparent/1"),
        before: &[],
        config: "tests/data/scenarios/ou_reparent/2",
        drift: None,
        check: |s| {
            assert_eq!(s.ou_paths(), ["A", "A/B", "A/B/C"]);
            assert_eq!(s.ous["A/B"]["tier"], "b");
            assert_eq!(s.ous["A/B"][OWNER], "organizational_unit.b");
            assert_eq!(s.ous["A/B/C"][OWNER], "organizational_unit.c");
            assert_eq!(s.accounts["X"].parent, "A/B");
            assert_eq!(s.accounts["Y"].parent, "A/B/C");
            assert_eq!(s.policies["Deny"].targets(), ["A/B"]);
            assert!(s.policies["FullAWSAccess"].targets.contains("A/B"));
        },
        on_moto: Ok(()),
        moto_args: &[],
    },
    Case {
        name: "role created inside a member account",
        start: Some("tests/data/e2e/roles/1"),
        before: &[],
        config: "tests/data/e2e/roles/2",
        drift: None,
        check: |s| {
            let role = s.roles["Member"]
                .get("Reader")
                .unwrap_or_else(|| panic!("{:#?}", s.roles));
            assert_eq!(role.tags[OWNER], "role.reader");
            assert_eq!(role.tags["access"], "read-only");
            assert_eq!(
                role.managed,
                BTreeSet::from(["arn:aws:iam::aws:policy/ReadOnlyAccess".to_string()])
            );
            assert!(!s.roles["management"].contains_key("Reader"));
        },
        on_moto: Ok(()),
        moto_args: &[],
    },
    Case {
        name: "role removed (the only one in its account)",
        start: Some("tests/data/e2e/roles/2"),
        before: &[],
        config: "tests/data/e2e/roles/1",
        drift: None,
        check: |s| {
            assert!(
                !s.roles["Member"].contains_key("Reader"),
                "{:?}",
                s.roles["Member"]
            );
        },
        on_moto: Ok(()),
        moto_args: &[],
    },
    Case {
        name: "tag changes",
        start: Some("tests/data/e2e/tags/1"),
        before: &[],
        config: "tests/data/e2e/tags/2",
        drift: None,
        check: |s| {
            let tags = |pairs: &[(&str, &str)]| -> Tags {
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            };
            assert_eq!(
                s.ous["Apps"],
                tags(&[
                    ("team", "beta"),
                    ("tier", "1"),
                    (OWNER, "organizational_unit.apps")
                ])
            );
            assert_eq!(
                s.accounts["X"].tags,
                tags(&[("owner", "platform"), (OWNER, "account.x")])
            );
            assert_eq!(
                s.policies["Deny"].tags,
                tags(&[("reviewed", "yes"), (OWNER, "policy.deny")])
            );
        },
        on_moto: Ok(()),
        moto_args: &[],
    },
    Case {
        name: "adoption of an OU and a policy created out of band",
        start: None,
        before: &[
            Oob::EnableScps,
            Oob::CreateOu("Legacy"),
            Oob::CreateScp("LegacyGuardrail"),
        ],
        config: "tests/data/scenarios/adoption/2",
        drift: None,
        check: |s| {
            assert_eq!(s.ou_paths(), ["Legacy"], "adopted, not created again");
            assert_eq!(s.ous["Legacy"][OWNER], "organizational_unit.legacy");
            assert_eq!(s.policies["LegacyGuardrail"].tags[OWNER], "policy.legacy");
        },
        on_moto: Ok(()),
        moto_args: &[],
    },
    Case {
        name: "drift introduced out of band",
        start: Some("tests/data/scenarios/ou_rename/1"),
        before: &[],
        config: "tests/data/scenarios/ou_rename/1",
        drift: Some((
            Oob::RenameOu("Apps", "Hijacked"),
            "organizational_unit.apps",
        )),
        check: |s| {
            assert_eq!(s.ou_paths(), ["Apps"]);
        },
        on_moto: Ok(()),
        moto_args: &[],
    },
    Case {
        name: "ten SCPs on one OU (AWS's maximum since 2026-05-15)",
        start: None,
        before: &[],
        config: "tests/data/e2e/ten_scps",
        drift: None,
        check: |s| {
            assert!(s.policies["FullAWSAccess"].targets.contains("Guarded"));
            for i in 1..=9 {
                assert_eq!(
                    s.policies[&format!("Deny{i}")].targets(),
                    ["Guarded"],
                    "{i}"
                );
            }
        },
        on_moto: Ok(()),
        moto_args: &[],
    },
    Case {
        name: "an INSPECTOR_POLICY enabled and attached",
        start: None,
        before: &[],
        config: "tests/data/e2e/inspector",
        drift: None,
        check: |s| {
            assert_eq!(s.policies["EnableInspector"].targets(), ["/"]);
            assert_eq!(
                s.policies["EnableInspector"].tags[OWNER],
                "policy.inspector"
            );
        },
        on_moto: Err("moto 5.2 knows none of the policy types AWS added in 2025"),
        moto_args: &[],
    },
];

// ---------------------------------------------------------------------------------------------
// What the test sees, however it read it.

#[derive(Debug, Default)]
struct Seen {
    /// OUs by path below the root ("Workloads/Production"), with their tags.
    ous: BTreeMap<String, Tags>,
    /// Accounts by name ("management" for the management account).
    accounts: BTreeMap<String, AccountSeen>,
    /// Policies of every type by name.
    policies: BTreeMap<String, PolicySeen>,
    /// Roles (outside AWS's service-role paths) by account name, then role name.
    roles: BTreeMap<String, BTreeMap<String, RoleSeen>>,
}

#[derive(Debug)]
struct AccountSeen {
    /// The parent's path ("/" for the root).
    parent: String,
    tags: Tags,
}

#[derive(Debug)]
struct PolicySeen {
    description: String,
    /// The document, for customer policies.
    content: Option<Value>,
    /// "/" for the root, an OU's path, or "account:NAME".
    targets: BTreeSet<String>,
    tags: Tags,
}

impl PolicySeen {
    fn targets(&self) -> Vec<&str> {
        self.targets.iter().map(|t| t.as_str()).collect()
    }

    fn root_and_ou_targets(&self) -> Vec<&str> {
        self.targets()
            .into_iter()
            .filter(|t| !t.starts_with("account:"))
            .collect()
    }
}

#[derive(Debug)]
struct RoleSeen {
    tags: Tags,
    managed: BTreeSet<String>,
}

impl Seen {
    fn ou_paths(&self) -> Vec<&str> {
        self.ous.keys().map(|k| k.as_str()).collect()
    }
}

/// Paths of OUs from (id → (name, parent id)), the root being "/".
fn paths(root: &str, ous: &BTreeMap<String, (String, String)>) -> BTreeMap<String, String> {
    fn path(
        id: &str,
        root: &str,
        ous: &BTreeMap<String, (String, String)>,
        out: &mut BTreeMap<String, String>,
    ) -> String {
        if id == root {
            return "/".into();
        }
        if let Some(p) = out.get(id) {
            return p.clone();
        }
        let (name, parent) = &ous[id];
        let above = path(parent, root, ous, out);
        let p = if above == "/" {
            name.clone()
        } else {
            format!("{above}/{name}")
        };
        out.insert(id.to_string(), p.clone());
        p
    }
    let mut out = BTreeMap::new();
    for id in ous.keys() {
        path(id, root, ous, &mut out);
    }
    out.insert(root.to_string(), "/".into());
    out
}

// ---------------------------------------------------------------------------------------------
// Running the binary.

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

use binary::lossy as text;

enum Backend {
    Emulator(PathBuf),
    #[cfg(feature = "aws")]
    Moto(Moto),
    /// `orgchard emulator serve` on this state file, restarted around changes made to the
    /// file directly.
    #[cfg(feature = "aws")]
    Serve(PathBuf, std::cell::RefCell<Option<serve::ServeProcess>>),
}

struct World {
    dir: tempfile::TempDir,
    backend: Backend,
}

impl World {
    fn emulator() -> World {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.json");
        World {
            dir,
            backend: Backend::Emulator(state),
        }
    }

    fn label(&self) -> &'static str {
        match self.backend {
            Backend::Emulator(_) => "emulator",
            #[cfg(feature = "aws")]
            Backend::Moto(_) => "moto",
            #[cfg(feature = "aws")]
            Backend::Serve(..) => "serve",
        }
    }

    /// An empty organization, as AWS makes it: the emulator's fresh state; on moto, an
    /// organization with all features.
    fn fresh(&self) {
        match &self.backend {
            Backend::Emulator(state) => {
                let _ = std::fs::remove_file(state);
                emulator::init(state, &InitOptions::default()).unwrap();
            }
            #[cfg(feature = "aws")]
            Backend::Moto(m) => m.fresh(),
            #[cfg(feature = "aws")]
            Backend::Serve(state, server) => {
                if let Some(s) = server.borrow_mut().take() {
                    assert!(s.stop().success(), "emulator serve stops cleanly");
                }
                let _ = std::fs::remove_file(state);
                emulator::init(state, &InitOptions::default()).unwrap();
                *server.borrow_mut() = Some(serve::ServeProcess::start(state, SERVE_ARGS));
            }
        }
    }

    /// The binary on this world's backend; `moto_args` are added on moto only.
    fn orgchard(&self, args: &[&str], config: &Path, moto_args: &[&str]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_orgchard"));
        c.env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .current_dir(self.dir.path())
            .args(args)
            .arg(config);
        match &self.backend {
            Backend::Emulator(state) => {
                c.arg(format!("--backend=emulator:{}", state.display()));
                let _ = moto_args;
            }
            #[cfg(feature = "aws")]
            Backend::Moto(m) => {
                m.configure(&mut c, self.dir.path());
                c.args(moto_args);
            }
            #[cfg(feature = "aws")]
            Backend::Serve(_, server) => {
                let server = server.borrow();
                let server = server.as_ref().expect("the server runs");
                c.args(["--backend=aws", "--region=us-east-1"])
                    .arg(format!("--endpoint-url={}", server.url))
                    .env("AWS_ACCESS_KEY_ID", &server.access_key_id)
                    .env("AWS_SECRET_ACCESS_KEY", &server.secret_access_key)
                    .env("AWS_CONFIG_FILE", self.dir.path().join("no-aws-config"))
                    .env(
                        "AWS_SHARED_CREDENTIALS_FILE",
                        self.dir.path().join("no-aws-credentials"),
                    )
                    .env("AWS_EC2_METADATA_DISABLED", "true")
                    .env_remove("AWS_SESSION_TOKEN")
                    .env_remove("AWS_PROFILE")
                    .env_remove("AWS_ENDPOINT_URL")
                    .env_remove("AWS_ROLE_ARN")
                    .env_remove("ORGCHARD_BACKEND")
                    .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE");
            }
        }
        c.output().unwrap()
    }

    fn apply(&self, case: &str, config: &str, moto_args: &[&str]) {
        let out = self.orgchard(&["apply", "--auto-approve"], &repo(config), moto_args);
        assert!(
            out.status.success(),
            "{case} on {}: apply {config} failed:\n{}\n{}",
            self.label(),
            text(&out.stdout),
            text(&out.stderr)
        );
        #[cfg(feature = "aws")]
        if let Backend::Moto(m) = &self.backend {
            m.add_member_access_roles();
        }
    }

    /// `plan --detailed-exitcode`: its exit code and output.
    fn plan(&self, config: &str, moto_args: &[&str]) -> (i32, String) {
        let out = self.orgchard(&["plan", "--detailed-exitcode"], &repo(config), moto_args);
        (
            out.status.code().unwrap_or(-1),
            format!("{}\n{}", text(&out.stdout), text(&out.stderr)),
        )
    }

    fn converged(&self, case: &str, config: &str, moto_args: &[&str]) {
        let (code, out) = self.plan(config, moto_args);
        assert_eq!(
            code,
            0,
            "{case} on {}: plan after apply is not empty:\n{out}",
            self.label()
        );
    }

    fn observe(&self) -> Seen {
        match &self.backend {
            Backend::Emulator(state) => observe_emulator(state),
            #[cfg(feature = "aws")]
            Backend::Moto(m) => m.observe(),
            // The state file is journaled before each answer, and readable while served.
            #[cfg(feature = "aws")]
            Backend::Serve(state, _) => observe_emulator(state),
        }
    }

    fn oob(&self, change: Oob) {
        match &self.backend {
            Backend::Emulator(state) => oob_emulator(state, change),
            #[cfg(feature = "aws")]
            Backend::Moto(m) => m.oob(change),
            #[cfg(feature = "aws")]
            Backend::Serve(state, server) => {
                if let Some(s) = server.borrow_mut().take() {
                    assert!(s.stop().success(), "emulator serve stops cleanly");
                }
                oob_emulator(state, change);
                *server.borrow_mut() = Some(serve::ServeProcess::start(state, SERVE_ARGS));
            }
        }
    }

    fn run(&self, case: &Case) {
        let started = Instant::now();
        let args = case.moto_args;
        self.fresh();
        if let Some(start) = case.start {
            self.apply(case.name, start, args);
            self.converged(case.name, start, args);
        }
        for &change in case.before {
            self.oob(change);
        }
        self.apply(case.name, case.config, args);
        self.converged(case.name, case.config, args);
        (case.check)(&self.observe());
        if let Some((change, address)) = case.drift {
            self.oob(change);
            let (code, out) = self.plan(case.config, args);
            assert_eq!(code, 2, "{}: the drift is a change:\n{out}", case.name);
            assert!(
                out.contains(address),
                "{}: names {address}:\n{out}",
                case.name
            );
            self.apply(case.name, case.config, args);
            self.converged(case.name, case.config, args);
            (case.check)(&self.observe());
        }
        eprintln!(
            "{} / {}: {:.1} s",
            self.label(),
            case.name,
            started.elapsed().as_secs_f64()
        );
    }

    fn is_moto(&self) -> bool {
        #[cfg(feature = "aws")]
        if let Backend::Moto(_) = self.backend {
            return true;
        }
        false
    }

    fn run_table(&self) {
        let started = Instant::now();
        for case in CASES {
            if let (Err(reason), true) = (case.on_moto, self.is_moto()) {
                eprintln!("{} / {}: skipped: {reason}", self.label(), case.name);
                continue;
            }
            self.run(case);
        }
        eprintln!(
            "{}: {} cases in {:.1} s",
            self.label(),
            CASES.len(),
            started.elapsed().as_secs_f64()
        );
    }
}

#[test]
fn scenarios_on_the_emulator() {
    World::emulator().run_table();
}

#[cfg(feature = "aws")]
#[test]
fn scenarios_on_moto() {
    World::moto().run_table();
}

/// A served emulator's clock runs 600 times real time: AWS's minute of account creation
/// takes a tenth of a second.
#[cfg(feature = "aws")]
const SERVE_ARGS: &[&str] = &["--time-scale", "600"];

/// orgchard's AWS backend against `orgchard emulator serve`: the SDK path, pre-check on,
/// meeting the emulator's rules; the cases moto cannot check included.
#[cfg(feature = "aws")]
#[test]
fn scenarios_on_emulator_serve() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("served.json");
    World {
        dir,
        backend: Backend::Serve(state, std::cell::RefCell::new(None)),
    }
    .run_table();
}

// ---------------------------------------------------------------------------------------------
// The emulator: its state file read directly, out-of-band changes through its API.

fn observe_emulator(path: &Path) -> Seen {
    let state = emulator::store::load(path).unwrap();
    let org = &state.organization;
    let ous: BTreeMap<String, (String, String)> = state
        .ous
        .iter()
        .map(|(id, o)| (id.clone(), (o.name.clone(), o.parent_id.clone())))
        .collect();
    let paths = paths(&org.root_id, &ous);
    let account_name = |id: &str| {
        if id == org.management_account_id {
            "management".to_string()
        } else {
            state.accounts[id].name.clone()
        }
    };
    let label = |id: &str| match paths.get(id) {
        Some(p) => p.clone(),
        None => format!("account:{}", account_name(id)),
    };
    let mut seen = Seen::default();
    for (id, o) in &state.ous {
        seen.ous.insert(paths[id].clone(), o.tags.clone());
    }
    for (id, a) in &state.accounts {
        if !a.state.is_usable() {
            continue;
        }
        seen.accounts.insert(
            account_name(id),
            AccountSeen {
                parent: paths[&a.parent_id].clone(),
                tags: a.tags.clone(),
            },
        );
        let roles = state
            .iam
            .get(id)
            .map(|iam| {
                iam.roles
                    .iter()
                    .filter(|(_, r)| !r.path.starts_with("/aws-"))
                    .map(|(name, r)| {
                        (
                            name.clone(),
                            RoleSeen {
                                tags: r.tags.clone(),
                                managed: r.managed_policies.clone(),
                            },
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        seen.roles.insert(account_name(id), roles);
    }
    for (id, p) in &state.policies {
        seen.policies.insert(
            p.name.clone(),
            PolicySeen {
                description: p.description.clone(),
                content: (!p.aws_managed).then(|| serde_json::from_str(&p.content).unwrap()),
                targets: state
                    .attachments
                    .get(id)
                    .map(|t| t.iter().map(|t| label(t)).collect())
                    .unwrap_or_default(),
                tags: p.tags.clone(),
            },
        );
    }
    seen
}

fn oob_emulator(path: &Path, change: Oob) {
    let state = emulator::store::load(path).unwrap();
    let root = state.organization.root_id.clone();
    let m = Scope::Management;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap()
        .block_on(async {
            let emu = Emulator::open(path, &ConnectOptions::default()).unwrap();
            match change {
                Oob::EnableScps => {
                    emu.enable_policy_type(
                        &m,
                        EnablePolicyTypeInput {
                            root_id: root,
                            policy_type: SCP.into(),
                        },
                    )
                    .await
                    .unwrap();
                }
                Oob::CreateOu(name) => {
                    emu.create_organizational_unit(
                        &m,
                        CreateOrganizationalUnitInput {
                            parent_id: root,
                            name: name.into(),
                            tags: vec![],
                        },
                    )
                    .await
                    .unwrap();
                }
                Oob::CreateScp(name) => {
                    emu.create_policy(
                        &m,
                        CreatePolicyInput {
                            name: name.into(),
                            description: String::new(),
                            content: DENY_LEAVE.into(),
                            r#type: SCP.into(),
                            tags: vec![],
                        },
                    )
                    .await
                    .unwrap();
                }
                Oob::RenameOu(from, to) => {
                    let id = state
                        .ous
                        .iter()
                        .find(|(_, o)| o.name == from)
                        .map(|(id, _)| id.clone())
                        .unwrap_or_else(|| panic!("no OU {from}"));
                    emu.update_organizational_unit(
                        &m,
                        UpdateOrganizationalUnitInput {
                            organizational_unit_id: id,
                            name: Some(to.into()),
                        },
                    )
                    .await
                    .unwrap();
                }
            }
        });
}

// ---------------------------------------------------------------------------------------------
// moto: plain HTTP, as the AWS protocols define it, with no SDK in between.

#[cfg(feature = "aws")]
use moto_http::Moto;

#[cfg(feature = "aws")]
mod moto_http {
    use super::*;

    use crate::moto::{MotoServer, test_credentials};
    use crate::serve::{Reply, authorization, http};

    pub struct Moto {
        pub server: MotoServer,
    }

    impl Moto {
        pub fn start() -> Moto {
            Moto {
                server: MotoServer::start(),
            }
        }

        pub fn key(&self) -> String {
            test_credentials().access_key_id
        }

        pub fn http(
            &self,
            method: &str,
            path: &str,
            headers: &[(&str, String)],
            body: &str,
        ) -> Reply {
            http(self.server.port, method, path, headers, body)
        }

        /// One Organizations call (JSON protocol); panics on an error.
        pub fn org(&self, op: &str, body: Value) -> Value {
            let r = self.http(
                "POST",
                "/",
                &[
                    ("X-Amz-Target", format!("AWSOrganizationsV20161128.{op}")),
                    ("Content-Type", "application/x-amz-json-1.1".into()),
                    ("Authorization", authorization(&self.key(), "organizations")),
                ],
                &body.to_string(),
            );
            assert_eq!(r.status, 200, "{op} {body}: {}", r.body);
            serde_json::from_str(&r.body).unwrap_or(Value::Null)
        }

        /// Every page of an Organizations list.
        pub fn org_all(&self, op: &str, body: Value, key: &str) -> Vec<Value> {
            let mut items = Vec::new();
            let mut body = body;
            loop {
                let page = self.org(op, body.clone());
                items.extend(page[key].as_array().cloned().unwrap_or_default());
                match page.get("NextToken").and_then(|t| t.as_str()) {
                    Some(t) if !t.is_empty() => body["NextToken"] = t.into(),
                    _ => return items,
                }
            }
        }

        /// One IAM or STS call (query protocol) with `key`'s credentials; panics on an error.
        pub fn query(&self, service: &str, key: &str, params: &[(&str, &str)]) -> String {
            let version = if service == "sts" {
                "2011-06-15"
            } else {
                "2010-05-08"
            };
            let mut body = format!("Version={version}");
            for (k, v) in params {
                body.push_str(&format!("&{k}={}", encode(v)));
            }
            let r = self.http(
                "POST",
                "/",
                &[
                    (
                        "Content-Type",
                        "application/x-www-form-urlencoded; charset=utf-8".into(),
                    ),
                    ("Authorization", authorization(key, service)),
                ],
                &body,
            );
            assert_eq!(r.status, 200, "{service} {params:?}: {}", r.body);
            r.body
        }

        /// Credentials inside a member account, through its member-access role.
        pub fn member_key(&self, account: &str) -> String {
            let arn = format!("arn:aws:iam::{account}:role/OrganizationAccountAccessRole");
            let out = self.query(
                "sts",
                &self.key(),
                &[
                    ("Action", "AssumeRole"),
                    ("RoleArn", &arn),
                    ("RoleSessionName", "e2e-check"),
                ],
            );
            xml(&out, "AccessKeyId").remove(0)
        }

        /// moto's state wiped, then an organization with all features and the caller the
        /// emulator's fresh organization has: a user with AdministratorAccess. That is what
        /// a user rehearsing on moto would set up, so that the pre-check runs (strict, the
        /// default) against the caller's real policies, as it would in the real organization.
        pub fn fresh(&self) {
            let r = self.http("POST", "/moto-api/reset", &[], "");
            assert_eq!(r.status, 200, "{}", r.body);
            self.org("CreateOrganization", json!({"FeatureSet": "ALL"}));
            let me = self.query("sts", &self.key(), &[("Action", "GetCallerIdentity")]);
            let arn = xml(&me, "Arn").remove(0);
            let user = arn.rsplit('/').next().unwrap().to_string();
            self.query(
                "iam",
                &self.key(),
                &[("Action", "CreateUser"), ("UserName", &user)],
            );
            self.query(
                "iam",
                &self.key(),
                &[
                    ("Action", "AttachUserPolicy"),
                    ("UserName", &user),
                    ("PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess"),
                ],
            );
        }

        /// AWS creates the member-access role, with AdministratorAccess and trusting the
        /// management account, in every account CreateAccount makes; moto 5.2 creates the
        /// role with no policy attached. The pre-check, which reads that role's policies
        /// before working inside an existing account, would then find nothing allowed there:
        /// the test completes the role as AWS makes it.
        pub fn add_member_access_roles(&self) {
            let org = self.org("DescribeOrganization", json!({}));
            let management = org["Organization"]["MasterAccountId"].as_str().unwrap();
            let trust = json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"AWS": format!("arn:aws:iam::{management}:root")},
                    "Action": "sts:AssumeRole"
                }]
            })
            .to_string();
            let name = "OrganizationAccountAccessRole";
            for account in self.org_all("ListAccounts", json!({}), "Accounts") {
                let id = account["Id"].as_str().unwrap();
                if id == management {
                    continue;
                }
                let key = self.member_key(id);
                let roles = self.query(
                    "iam",
                    &key,
                    &[("Action", "ListRoles"), ("MaxItems", "1000")],
                );
                if !xml(&roles, "RoleName").iter().any(|r| r == name) {
                    self.query(
                        "iam",
                        &key,
                        &[
                            ("Action", "CreateRole"),
                            ("RoleName", name),
                            ("AssumeRolePolicyDocument", &trust),
                        ],
                    );
                }
                self.query(
                    "iam",
                    &key,
                    &[
                        ("Action", "AttachRolePolicy"),
                        ("RoleName", name),
                        ("PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess"),
                    ],
                );
            }
        }

        /// The binary pointed at moto with fake credentials, and nothing from the machine's
        /// AWS configuration.
        pub fn configure(&self, c: &mut Command, dir: &Path) {
            let creds = test_credentials();
            c.args(["--backend=aws", "--region=us-east-1"])
                .arg(format!("--endpoint-url={}", self.server.url))
                .env("AWS_ACCESS_KEY_ID", creds.access_key_id)
                .env("AWS_SECRET_ACCESS_KEY", creds.secret_access_key)
                .env("AWS_CONFIG_FILE", dir.join("no-aws-config"))
                .env(
                    "AWS_SHARED_CREDENTIALS_FILE",
                    dir.join("no-aws-credentials"),
                )
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .env_remove("AWS_SESSION_TOKEN")
                .env_remove("AWS_PROFILE")
                .env_remove("AWS_ENDPOINT_URL")
                .env_remove("AWS_ROLE_ARN")
                .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE");
        }

        pub fn root(&self) -> Value {
            self.org_all("ListRoots", json!({}), "Roots").remove(0)
        }

        /// Every OU as id → (name, parent id), and every account as id → (name, parent id).
        #[allow(clippy::type_complexity)]
        pub fn tree(
            &self,
            root: &str,
        ) -> (
            BTreeMap<String, (String, String)>,
            BTreeMap<String, (String, String)>,
        ) {
            let mut ous = BTreeMap::new();
            let mut accounts = BTreeMap::new();
            let mut parents = vec![root.to_string()];
            while let Some(parent) = parents.pop() {
                for ou in self.org_all(
                    "ListOrganizationalUnitsForParent",
                    json!({"ParentId": parent}),
                    "OrganizationalUnits",
                ) {
                    let id = ou["Id"].as_str().unwrap().to_string();
                    parents.push(id.clone());
                    ous.insert(id, (ou["Name"].as_str().unwrap().into(), parent.clone()));
                }
                for a in self.org_all(
                    "ListAccountsForParent",
                    json!({"ParentId": parent}),
                    "Accounts",
                ) {
                    accounts.insert(
                        a["Id"].as_str().unwrap().to_string(),
                        (a["Name"].as_str().unwrap().into(), parent.clone()),
                    );
                }
            }
            (ous, accounts)
        }

        pub fn tags(&self, id: &str) -> Tags {
            self.org_all("ListTagsForResource", json!({"ResourceId": id}), "Tags")
                .iter()
                .map(|t| {
                    (
                        t["Key"].as_str().unwrap().into(),
                        t["Value"].as_str().unwrap().into(),
                    )
                })
                .collect()
        }

        pub fn observe(&self) -> Seen {
            let management =
                self.org("DescribeOrganization", json!({}))["Organization"]["MasterAccountId"]
                    .as_str()
                    .unwrap()
                    .to_string();
            let root = self.root();
            let root_id = root["Id"].as_str().unwrap().to_string();
            let (ous, accounts) = self.tree(&root_id);
            let paths = paths(&root_id, &ous);
            let account_name = |id: &str| {
                if id == management {
                    "management".to_string()
                } else {
                    accounts[id].0.clone()
                }
            };
            let label = |id: &str| match paths.get(id) {
                Some(p) => p.clone(),
                None => format!("account:{}", account_name(id)),
            };
            let mut seen = Seen::default();
            for id in ous.keys() {
                seen.ous.insert(paths[id].clone(), self.tags(id));
            }
            for (id, (_, parent)) in &accounts {
                seen.accounts.insert(
                    account_name(id),
                    AccountSeen {
                        parent: paths[parent].clone(),
                        tags: self.tags(id),
                    },
                );
                let key = if *id == management {
                    self.key()
                } else {
                    self.member_key(id)
                };
                seen.roles.insert(account_name(id), self.roles(&key));
            }
            let types: Vec<String> = root["PolicyTypes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|t| t["Status"] == "ENABLED")
                .map(|t| t["Type"].as_str().unwrap().to_string())
                .collect();
            for t in types {
                for p in self.org_all("ListPolicies", json!({"Filter": t}), "Policies") {
                    let id = p["Id"].as_str().unwrap();
                    let managed = p["AwsManaged"].as_bool().unwrap_or(false);
                    let described = self.org("DescribePolicy", json!({"PolicyId": id}));
                    let content = (!managed).then(|| {
                        serde_json::from_str(described["Policy"]["Content"].as_str().unwrap())
                            .unwrap()
                    });
                    // moto 5.2 keeps a deleted OU among the targets of the policies that were
                    // attached to it: only targets that exist are the policy's.
                    let targets = self
                        .org_all("ListTargetsForPolicy", json!({"PolicyId": id}), "Targets")
                        .iter()
                        .map(|t| t["TargetId"].as_str().unwrap())
                        .filter(|t| paths.contains_key(*t) || accounts.contains_key(*t))
                        .map(label)
                        .collect();
                    seen.policies.insert(
                        p["Name"].as_str().unwrap().into(),
                        PolicySeen {
                            description: p["Description"].as_str().unwrap_or("").into(),
                            content,
                            targets,
                            tags: if managed { Tags::new() } else { self.tags(id) },
                        },
                    );
                }
            }
            seen
        }

        /// The roles of the account `key` belongs to, with their tags and managed policies.
        fn roles(&self, key: &str) -> BTreeMap<String, RoleSeen> {
            let listed = self.query("iam", key, &[("Action", "ListRoles"), ("MaxItems", "1000")]);
            let mut roles = BTreeMap::new();
            for member in xml(&listed, "member") {
                let name = xml(&member, "RoleName").remove(0);
                if xml(&member, "Path")
                    .first()
                    .is_some_and(|p| p.starts_with("/aws-"))
                {
                    continue;
                }
                let tagged = self.query(
                    "iam",
                    key,
                    &[("Action", "ListRoleTags"), ("RoleName", &name)],
                );
                let tags = xml(&tagged, "Key")
                    .into_iter()
                    .zip(xml(&tagged, "Value"))
                    .collect();
                let attached = self.query(
                    "iam",
                    key,
                    &[("Action", "ListAttachedRolePolicies"), ("RoleName", &name)],
                );
                let managed = xml(&attached, "PolicyArn").into_iter().collect();
                roles.insert(name, RoleSeen { tags, managed });
            }
            roles
        }

        pub fn oob(&self, change: Oob) {
            let root = self.root()["Id"].as_str().unwrap().to_string();
            match change {
                Oob::EnableScps => {
                    self.org(
                        "EnablePolicyType",
                        json!({"RootId": root, "PolicyType": SCP}),
                    );
                }
                Oob::CreateOu(name) => {
                    self.org(
                        "CreateOrganizationalUnit",
                        json!({"ParentId": root, "Name": name}),
                    );
                }
                Oob::CreateScp(name) => {
                    self.org(
                        "CreatePolicy",
                        json!({"Name": name, "Description": "", "Content": DENY_LEAVE, "Type": SCP}),
                    );
                }
                Oob::RenameOu(from, to) => {
                    let (ous, _) = self.tree(&root);
                    let id = ous
                        .iter()
                        .find(|(_, (name, _))| name == from)
                        .map(|(id, _)| id.clone())
                        .unwrap_or_else(|| panic!("no OU {from}"));
                    self.org(
                        "UpdateOrganizationalUnit",
                        json!({"OrganizationalUnitId": id, "Name": to}),
                    );
                }
            }
        }
    }

    /// Calls per operation in a recording of moto's request recorder (one JSON request per
    /// line): the `X-Amz-Target` of JSON-protocol calls, the `Action` of query-protocol ones.
    pub fn count_operations(recording: &str) -> BTreeMap<String, u64> {
        let mut counts = BTreeMap::new();
        for line in recording.lines().filter(|l| !l.trim().is_empty()) {
            let request: Value = serde_json::from_str(line).unwrap();
            let target = request["headers"]
                .as_object()
                .and_then(|h| {
                    h.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-target"))
                        .and_then(|(_, v)| v.as_str())
                })
                .map(|t| t.rsplit('.').next().unwrap().to_string());
            let name = target.unwrap_or_else(|| {
                let raw = request["body"].as_str().unwrap_or_default();
                let body = if request["body_encoded"].as_bool().unwrap_or(false) {
                    String::from_utf8(base64(raw)).unwrap()
                } else {
                    raw.to_string()
                };
                body.split('&')
                    .find_map(|kv| kv.strip_prefix("Action="))
                    .unwrap_or_else(|| panic!("a request without an operation: {line}"))
                    .to_string()
            });
            *counts.entry(name).or_insert(0) += 1;
        }
        counts
    }

    fn base64(s: &str) -> Vec<u8> {
        let value = |c: u8| match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            _ => 63,
        };
        let digits: Vec<u8> = s
            .bytes()
            .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
            .map(value)
            .collect();
        let mut out = Vec::new();
        for chunk in digits.chunks(4) {
            let mut n = 0u32;
            for (i, d) in chunk.iter().enumerate() {
                n |= (*d as u32) << (18 - 6 * i);
            }
            out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
        }
        out
    }

    /// The text of every `<tag>…</tag>` element, in order (moto's XML has no attributes on
    /// the elements read here, and nests none of the same name).
    pub fn xml(body: &str, tag: &str) -> Vec<String> {
        let open = format!("<{tag}>");
        let close = format!("</{tag}>");
        let mut out = Vec::new();
        let mut rest = body;
        while let Some(i) = rest.find(&open) {
            let after = &rest[i + open.len()..];
            let Some(j) = after.find(&close) else { break };
            out.push(unescape(&after[..j]));
            rest = &after[j + close.len()..];
        }
        out
    }

    fn unescape(s: &str) -> String {
        s.replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    }

    /// Form encoding of a query parameter value.
    fn encode(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
}

#[cfg(feature = "aws")]
impl World {
    fn moto() -> World {
        World {
            dir: tempfile::tempdir().unwrap(),
            backend: Backend::Moto(Moto::start()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The reader's calls on moto, counted by moto.

/// Planning the applied landing zone on moto makes exactly the calls of the reader's formula
/// (`plan::read::expected_calls` for the organization, `expected_role_calls` for the roles),
/// computed from the live organization, plus the one `sts:GetCallerIdentity` of the lockout
/// check. The pre-check is off here: its reads of the caller are its own, not the reader's.
/// moto's request recorder counts the calls, on the wire.
#[cfg(feature = "aws")]
#[test]
fn planning_the_landing_zone_on_moto_makes_the_readers_calls() {
    use std::sync::Arc;

    use orgchard::api::{Api, Operation};
    use orgchard::backend::client::{Client, RetryPolicy};
    use orgchard::config::{self, VarInputs};
    use orgchard::plan;

    let world = World::moto();
    let Backend::Moto(m) = &world.backend else {
        unreachable!()
    };
    world.fresh();
    let config_dir = "examples/landing-zone";
    let moto_args = CASES
        .iter()
        .find(|c| c.config == config_dir)
        .unwrap()
        .moto_args;
    world.apply("landing zone", config_dir, moto_args);

    // The formula, from the live organization as the library's reader sees it.
    let vars = VarInputs {
        vars: vec![moto_args[1].to_string()],
        ..VarInputs::default()
    };
    let desired =
        config::load(&repo(config_dir), &vars).unwrap_or_else(|d| panic!("{}", d.render(false)));
    let (live, queries) = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let api: Arc<dyn Api> = Arc::new(m.server.backend().await);
        let client = Client::new(api, |_| None, RetryPolicy::default());
        let mut live = plan::read::read_organization(&client).await.unwrap();
        let identities = plan::diff::bind_identities(&desired, &live);
        let queries = plan::diff::role_queries(&desired, &live, &identities);
        plan::read::read_roles(&client, &mut live, &queries)
            .await
            .unwrap();
        (live, queries)
    });
    // The roles ListRoles returns in each account read, by the test's own IAM calls.
    let management = live.organization.master_account_id.clone();
    let listed: BTreeMap<String, Vec<String>> = queries
        .keys()
        .map(|account| {
            let key = if *account == management {
                m.key()
            } else {
                m.member_key(account)
            };
            let out = m.query(
                "iam",
                &key,
                &[("Action", "ListRoles"), ("MaxItems", "1000")],
            );
            (account.clone(), moto_http::xml(&out, "Path"))
        })
        .collect();
    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    for (op, n) in plan::read::expected_calls(&live)
        .into_iter()
        .chain(plan::read::expected_role_calls(&live, &queries, &listed))
    {
        *expected.entry(op.aws_name().to_string()).or_default() += n;
    }
    *expected
        .entry(Operation::GetCallerIdentity.aws_name().to_string())
        .or_default() += 1;

    // The calls, as moto received them.
    for step in ["reset-recording", "start-recording"] {
        let r = m.http("POST", &format!("/moto-api/recorder/{step}"), &[], "");
        assert_eq!(r.status, 200, "{step}: {}", r.body);
    }
    let out = world.orgchard(
        &["plan", "--detailed-exitcode", "--precheck=off"],
        &repo(config_dir),
        moto_args,
    );
    let r = m.http("POST", "/moto-api/recorder/stop-recording", &[], "");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let recording = m.http("GET", "/moto-api/recorder/download-recording", &[], "");
    let got = moto_http::count_operations(&recording.body);

    eprintln!("calls while planning the landing zone on moto (recorded / formula):");
    let names: BTreeSet<&String> = got.keys().chain(expected.keys()).collect();
    for name in names {
        eprintln!(
            "  {name:40} {:>4} / {:>4}",
            got.get(name).copied().unwrap_or(0),
            expected.get(name).copied().unwrap_or(0)
        );
    }
    eprintln!(
        "  {:40} {:>4} / {:>4}",
        "total",
        got.values().sum::<u64>(),
        expected.values().sum::<u64>()
    );
    assert_eq!(got, expected);
}
