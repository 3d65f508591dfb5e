//! How close `apply` comes to the fastest an apply can be, on the emulator's virtual clock
//! with AWS's rate limits and 50 ms latency per call. Prints, per scenario, the virtual apply
//! time and the lower bound: the longer of the graph's critical path (each operation costing
//! one call's latency, CreateAccount its virtual creation time too) and, for each API, its
//! calls over its rate. Because account creation is also limited to five in progress at once,
//! a third bound (creation time over five) is printed for scenarios that create accounts.
//!
//! Figures are virtual time, so they do not depend on the machine; run with
//! `cargo bench --bench apply` (or `cargo test --bench apply` for a quick debug build).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use orgchard::apply::{self, ApplyOptions, Recorder, exec::request_op};
use orgchard::backend::client::{Client, RetryPolicy};
use orgchard::backend::emulator::{Builder, Emulator, InitOptions, State, fresh_state};
use orgchard::backend::{Api, ConnectOptions, Operation, rates};
use orgchard::config::{self, VarInputs};
use orgchard::plan::{self, Op, Plan, diff::PlanOptions};
use tokio::time::Instant;

const LATENCY_MS: u64 = 50;

fn init() -> InitOptions {
    InitOptions {
        latency_ms: LATENCY_MS,
        rate_limits: true,
        ..InitOptions::default()
    }
}

struct Figures {
    name: &'static str,
    operations: usize,
    apply_s: f64,
    critical_s: f64,
    rate_s: f64,
    rate_op: String,
    creations_s: f64,
}

impl Figures {
    fn bound(&self) -> f64 {
        self.critical_s.max(self.rate_s)
    }
}

/// The longest path through the plan's graph with `cost` per operation.
fn critical_path(plan: &Plan, cost: &[f64]) -> f64 {
    let order = plan::graph::random_order(plan, 0);
    let mut finish = vec![0.0f64; plan.operations.len()];
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); plan.operations.len()];
    for e in &plan.edges {
        preds[e.to].push(e.from);
    }
    for &i in &order {
        let start = preds[i].iter().map(|&p| finish[p]).fold(0.0, f64::max);
        finish[i] = start + cost[i];
    }
    finish.into_iter().fold(0.0, f64::max)
}

async fn measure(name: &'static str, state: State, dir: &std::path::Path) -> Figures {
    let desired =
        config::load(dir, &VarInputs::default()).unwrap_or_else(|d| panic!("{}", d.render(false)));
    let emu = Arc::new(Emulator::in_memory(state, &ConnectOptions::default()));
    let api: Arc<dyn Api> = emu.clone();
    let client = Arc::new(Client::new(api, rates::aws_rate, RetryPolicy::default()).with_seed(1));
    let (p, _) = plan::make(&desired, &client, &PlanOptions::default())
        .await
        .expect("plan");
    let start = Instant::now();
    let report = apply::apply(
        &p,
        client.clone(),
        &ApplyOptions::default(),
        Arc::new(Recorder::default()),
        Arc::new(AtomicBool::new(false)),
    )
    .await
    .expect("no crash");
    let apply_s = start.elapsed().as_secs_f64();
    assert!(report.succeeded(), "{name}: {:?}", report.failures);

    let state = emu.state();
    let latency = LATENCY_MS as f64 / 1000.0;
    let creation = |account_name: &str| -> f64 {
        state
            .create_requests
            .values()
            .find(|r| r.account_name == account_name)
            .map(|r| (r.completes_ms - r.requested_ms) as f64 / 1000.0)
            .unwrap_or(0.0)
    };
    let mut creations = 0.0;
    let cost: Vec<f64> = p
        .operations
        .iter()
        .map(|o| match &o.op {
            // The request, the creation, and the status call that sees it finished.
            Op::CreateAccount { name, .. } => {
                let c = creation(name);
                creations += c;
                2.0 * latency + c
            }
            _ => latency,
        })
        .collect();
    let critical_s = critical_path(&p, &cost);
    let mut calls: BTreeMap<Operation, f64> = BTreeMap::new();
    for o in &p.operations {
        *calls.entry(request_op(&o.op)).or_default() += 1.0;
    }
    let (rate_op, rate_s) = calls
        .iter()
        .map(|(op, n)| (op.to_string(), n / rates::aws_rate_of(*op).per_second))
        .fold((String::new(), 0.0), |a, b| if b.1 > a.1 { b } else { a });
    Figures {
        name,
        operations: p.operations.len(),
        apply_s,
        critical_s,
        rate_s,
        rate_op,
        creations_s: creations / 5.0,
    }
}

/// `accounts` accounts spread over `ous` OUs under one parent OU, with `scps` SCPs on the OUs.
fn generated(dir: &std::path::Path, accounts: usize, ous: usize, scps: usize) {
    let mut hcl = String::from(
        "organization {\n  feature_set          = \"ALL\"\n  enabled_policy_types = [\"SERVICE_CONTROL_POLICY\"]\n}\n\norganizational_unit \"business\" {\n  name = \"Business\"\n}\n\n",
    );
    for p in 0..scps {
        writeln!(hcl, "policy \"guard{p}\" {{\n  type    = \"SERVICE_CONTROL_POLICY\"\n  name    = \"Guard{p}\"\n  content = jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Effect = \"Deny\", Action = \"ec2:Guard{p}\", Resource = \"*\" }}] }})\n}}\n").unwrap();
    }
    for o in 0..ous {
        let policies: Vec<String> = std::iter::once("aws_policy.FullAWSAccess".to_string())
            .chain(
                (0..scps)
                    .filter(|p| (o + p) % 3 == 0)
                    .map(|p| format!("policy.guard{p}")),
            )
            .take(5)
            .collect();
        writeln!(hcl, "organizational_unit \"dept{o}\" {{\n  name     = \"Department {o}\"\n  parent   = organizational_unit.business\n  policies = [{}]\n}}\n", policies.join(", ")).unwrap();
    }
    for i in 0..accounts {
        writeln!(hcl, "account \"a{i}\" {{\n  name   = \"account-{i:05}\"\n  email  = \"aws+{i:05}@example.com\"\n  parent = organizational_unit.dept{}\n}}\n", i % ous).unwrap();
    }
    std::fs::write(dir.join("main.hcl"), hcl).unwrap();
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    let mut all = Vec::new();
    let landing = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/landing-zone");
    all.push(rt.block_on(measure(
        "landing zone, empty organization",
        fresh_state(&init()).unwrap(),
        &landing,
    )));

    // 1,000 existing accounts (made out of band, so adopted by email) reorganized into 20 new
    // OUs with 6 SCPs.
    let dir = tempfile::tempdir().unwrap();
    generated(dir.path(), 1000, 20, 6);
    let existing = Builder::organization(&init(), 1000, 0, 0, 0).unwrap();
    all.push(rt.block_on(measure(
        "1,000 existing accounts reorganized",
        existing,
        dir.path(),
    )));

    // 1,000 accounts created from nothing.
    all.push(rt.block_on(measure(
        "1,000 accounts created",
        fresh_state(&init()).unwrap(),
        dir.path(),
    )));

    println!(
        "apply on the virtual clock, AWS rate limits, {LATENCY_MS} ms latency, parallelism 10"
    );
    for f in &all {
        println!(
            "{:<40} {:>5} ops  apply {:>9.1} s  bound {:>9.1} s (critical path {:.1} s, {} {:.1} s)  ratio {:.3}",
            f.name,
            f.operations,
            f.apply_s,
            f.bound(),
            f.critical_s,
            f.rate_op,
            f.rate_s,
            f.apply_s / f.bound()
        );
        if f.creations_s > f.bound() {
            println!(
                "{:<40} with AWS's five creations at once: bound {:.1} s, ratio {:.3}",
                "",
                f.creations_s,
                f.apply_s / f.creations_s
            );
        }
    }
}
