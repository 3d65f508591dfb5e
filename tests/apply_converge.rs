//! Convergence property of `apply`: a random configuration (OUs nested up to three deep,
//! accounts, SCPs and their attachments, written as HCL) applied with parallelism 10 over a
//! random starting organization (another random configuration applied first, plus OUs and
//! policies made out of band) leaves nothing to plan — also while the emulator injects 20%
//! throttling, 10% ConcurrentModificationException and 5% server errors. At harsher rates
//! (30%, 20% and 10%: most calls fail at least once), one apply of a dozen new accounts, and
//! of the landing zone with roles inside its new accounts, converges for every seed tried.

mod applying;

use std::fmt::Write as _;

use applying::*;
use orgchard::api::{
    ApiExt, CreateOrganizationalUnitInput, CreatePolicyInput, ListRootsInput, Scope,
};
use orgchard::backend::emulator::state::Faults;
use orgchard::backend::emulator::{InitOptions, fresh_state};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const DENIES: &[&str] = &[
    "organizations:LeaveOrganization",
    "ec2:RunInstances",
    "s3:DeleteBucket",
    "iam:CreateUser",
];

/// A random configuration as HCL text. Labels, names and emails come from small pools so
/// that two configurations overlap: the second one renames, moves, re-parents, swaps
/// policies and deletes what the first one made.
fn random_config(seed: u64) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut hcl = String::from(
        "organization {\n  feature_set          = \"ALL\"\n  enabled_policy_types = [\"SERVICE_CONTROL_POLICY\"]\n}\n\n",
    );
    let n_policies = rng.random_range(0..=3usize);
    let policies: Vec<usize> = (0..4)
        .filter(|_| rng.random_bool(0.6))
        .take(n_policies)
        .collect();
    for &p in &policies {
        let action = DENIES[rng.random_range(0..DENIES.len())];
        writeln!(
            hcl,
            "policy \"p{p}\" {{\n  type    = \"SERVICE_CONTROL_POLICY\"\n  name    = \"Guard{p}\"\n  content = jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Effect = \"Deny\", Action = \"{action}\", Resource = \"*\" }}] }})\n}}\n"
        )
        .unwrap();
    }
    let attach = |rng: &mut ChaCha8Rng| -> String {
        // A target without `policies` keeps what is attached to it.
        if rng.random_bool(0.4) {
            return String::new();
        }
        let mut list = vec!["aws_policy.FullAWSAccess".to_string()];
        for &p in &policies {
            if rng.random_bool(0.5) {
                list.push(format!("policy.p{p}"));
            }
        }
        format!("  policies = [{}]\n", list.join(", "))
    };
    let a = attach(&mut rng);
    writeln!(hcl, "root {{\n{a}}}\n").unwrap();
    // OU i may only have an earlier OU as parent, so the tree has no cycle; depth <= 3.
    let mut depth: Vec<Option<usize>> = vec![None; 6];
    let n_ous = rng.random_range(0..=6usize);
    let mut ous = Vec::new();
    for i in 0..n_ous {
        if rng.random_bool(0.3) {
            continue;
        }
        let parents: Vec<usize> = ous
            .iter()
            .copied()
            .filter(|&j| depth[j] < Some(3))
            .collect();
        let (parent, d) = if parents.is_empty() || rng.random_bool(0.4) {
            ("root".to_string(), 1)
        } else {
            let j = parents[rng.random_range(0..parents.len())];
            (format!("organizational_unit.o{j}"), depth[j].unwrap() + 1)
        };
        depth[i] = Some(d);
        ous.push(i);
        let name = if rng.random_bool(0.8) {
            format!("OU{i}")
        } else {
            format!("OU{i}x")
        };
        let tags = if rng.random_bool(0.5) {
            format!(
                "  tags     = {{ team = \"t{}\" }}\n",
                rng.random_range(0..3)
            )
        } else {
            String::new()
        };
        let a = attach(&mut rng);
        writeln!(
            hcl,
            "organizational_unit \"o{i}\" {{\n  name     = \"{name}\"\n  parent   = {parent}\n{a}{tags}}}\n"
        )
        .unwrap();
    }
    // Every configuration declares the same accounts: one that drops an account while
    // deleting its OU is refused by the planner (the account would be stranded), which
    // `an_account_whose_block_is_removed_is_forgotten_once` covers on its own.
    for i in 0..4 {
        let parent = if ous.is_empty() || rng.random_bool(0.3) {
            "root".to_string()
        } else {
            format!(
                "organizational_unit.o{}",
                ous[rng.random_range(0..ous.len())]
            )
        };
        let name = if rng.random_bool(0.8) {
            format!("Account {i}")
        } else {
            format!("Account {i} renamed")
        };
        let a = attach(&mut rng);
        writeln!(
            hcl,
            "account \"a{i}\" {{\n  name   = \"{name}\"\n  email  = \"aws+a{i}@example.com\"\n  parent = {parent}\n{a}}}\n"
        )
        .unwrap();
    }
    hcl
}

fn write_config(seed: u64) -> (tempfile::TempDir, orgchard::model::Desired, String) {
    let text = random_config(seed);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.hcl"), &text).unwrap();
    let desired = load(dir.path());
    (dir, desired, text)
}

fn options() -> InitOptions {
    InitOptions {
        rate_limits: false,
        ..InitOptions::default()
    }
}

/// Applies configuration `first` (and, with `out_of_band`, makes an unmanaged OU and an
/// untagged policy whose natural key the second configuration may claim), then `second` with parallelism
/// 10 under `faults`, and checks that nothing is left to plan.
async fn converge(first: u64, second: u64, out_of_band: bool, faults: Faults) {
    let (_d1, start, text1) = write_config(first);
    let (_d2, desired, text2) = write_config(second);
    let context = format!("first:\n{text1}\nsecond:\n{text2}");

    let (emu, client) = connect(fresh_state(&options()).unwrap(), false);
    let (_, report) = plan_and_apply(&client, &start, 10).await.unwrap();
    assert!(
        report.succeeded(),
        "{context}\nfirst apply: {:?}",
        report.failures
    );
    if out_of_band {
        let m = Scope::Management;
        let root = client
            .list_roots(&m, ListRootsInput::default())
            .await
            .unwrap()
            .roots[0]
            .id
            .clone();
        let _ = client
            .create_organizational_unit(
                &m,
                CreateOrganizationalUnitInput {
                    parent_id: root,
                    name: "Handmade".into(),
                    tags: vec![],
                },
            )
            .await;
        let _ = client
            .create_policy(
                &m,
                CreatePolicyInput {
                    name: "Guard2".into(),
                    description: String::new(),
                    content: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:PutObject","Resource":"*"}]}"#.into(),
                    r#type: "SERVICE_CONTROL_POLICY".into(),
                    tags: vec![],
                },
            )
            .await;
    }

    let mut state = emu.state();
    state.faults = faults;
    let (emu, client) = connect(state, false);
    let (_, report) = plan_and_apply(&client, &desired, 10).await.unwrap();
    assert!(
        report.succeeded(),
        "{context}\nsecond apply: {:?}",
        report.failures
    );
    let mut state = emu.state();
    state.faults = Faults::default();
    let (_, calm) = connect(state.clone(), false);
    assert_converged(&calm, &desired, &context).await;
    assert_invariants(&state, &desired, false, &context);
}

fn run(f: impl std::future::Future<Output = ()>) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap()
        .block_on(f);
}

/// 24 cases by default; `PROPTEST_CASES` asks for more (an explicit `cases` would ignore it).
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn apply_converges_over_a_random_organization(
        first in any::<u64>(), second in any::<u64>(), out_of_band in any::<bool>()
    ) {
        run(converge(first, second, out_of_band, Faults::default()));
    }

    #[test]
    fn apply_converges_despite_throttling_conflicts_and_server_errors(
        first in any::<u64>(), second in any::<u64>(), out_of_band in any::<bool>()
    ) {
        let faults = Faults { throttle: 0.2, concurrent: 0.1, server: 0.05, ..Faults::default() };
        run(converge(first, second, out_of_band, faults));
    }
}

/// `account_removal = "ignore"`: the first apply without the block forgets the account
/// (removes the ownership tag), and the plan after it has nothing left to do.
#[tokio::test(start_paused = true)]
async fn an_account_whose_block_is_removed_is_forgotten_once() {
    let dir = tempfile::tempdir().unwrap();
    let with = "account \"a\" {\n  name  = \"A\"\n  email = \"aws+a@example.com\"\n}\n";
    std::fs::write(dir.path().join("main.hcl"), with).unwrap();
    let first = load(dir.path());
    std::fs::write(
        dir.path().join("main.hcl"),
        "organizational_unit \"x\" {\n  name = \"X\"\n}\n",
    )
    .unwrap();
    let second = load(dir.path());
    let (emu, client) = connect(fresh_state(&options()).unwrap(), false);
    let (_, report) = plan_and_apply(&client, &first, 10).await.unwrap();
    assert!(report.succeeded(), "{:?}", report.failures);
    let (p, report) = plan_and_apply(&client, &second, 10).await.unwrap();
    assert_eq!(p.summary().forget, 1);
    assert!(report.succeeded(), "{:?}", report.failures);
    assert_converged(&client, &second, "after forgetting").await;
    let state = emu.state();
    let a = state
        .accounts
        .values()
        .find(|a| a.email == "aws+a@example.com")
        .unwrap();
    assert!(
        !a.tags.contains_key(orgchard::model::live::OWNERSHIP_TAG),
        "{:?}",
        a.tags
    );
}

/// 30% throttling, 20% ConcurrentModificationException, 10% server errors: six calls in ten
/// fail, status polls and role waits included.
fn harsh() -> Faults {
    Faults {
        throttle: 0.3,
        concurrent: 0.2,
        server: 0.1,
        ..Faults::default()
    }
}

/// One apply of `dir` on a fresh organization under [`harsh`] faults drawn from `seed`, at
/// AWS's rates, succeeds and leaves nothing to plan, with every account created once.
async fn converges_under_harsh_faults(dir: &str, seed: u64) {
    let desired = load(&repo_path(dir));
    let context = format!("{dir}, seed {seed}");
    let mut state = fresh_state(&InitOptions {
        seed,
        ..InitOptions::default()
    })
    .unwrap();
    state.faults = harsh();
    let (emu, client) = connect(state, true);
    let (_, report) = plan_and_apply(&client, &desired, 10).await.unwrap();
    assert!(report.succeeded(), "{context}: {:?}", report.failures);
    let mut state = emu.state();
    assert!(
        state.faults.draws > 150,
        "{context}: only {} calls",
        state.faults.draws
    );
    state.faults = Faults::default();
    let (_, calm) = connect(state.clone(), true);
    assert_converged(&calm, &desired, &context).await;
    assert_invariants(&state, &desired, true, &context);
}

#[test]
fn a_dozen_accounts_converge_in_one_apply_under_harsh_faults() {
    for seed in 1..=8 {
        run(converges_under_harsh_faults(
            "tests/data/crash/dozen-accounts",
            seed,
        ));
    }
}

#[test]
fn the_landing_zone_converges_in_one_apply_under_harsh_faults() {
    for seed in 1..=8 {
        run(converges_under_harsh_faults("examples/landing-zone", seed));
    }
}
