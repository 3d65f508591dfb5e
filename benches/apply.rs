//! How close `apply` comes to the fastest an apply can be, on the emulator's virtual clock
//! with AWS's rate limits and 50 ms latency per call. Prints, per scenario, the virtual apply
//! time, a lower bound on the apply time of any schedule, and their ratio.
//!
//! The bound is the longest of three things no schedule can beat:
//!
//! - the graph's critical path, each operation costing one call's latency `L` and a
//!   CreateAccount `L` plus its creation time (the request arrives after `L`; a status call
//!   sent `L` before the creation finishes sees it finished the moment it does);
//! - for each API, its calls over its rate: the emulator's token bucket starts at most full,
//!   so `n` calls need `(n - burst) / rate` after the first, which itself arrives after `L`;
//! - account creation's concurrency cap: AWS lets only five CreateAccount requests be in
//!   progress at once, a cap on throughput that no rate covers. Any schedule of `n`
//!   creations fits in five slots, so some slot runs `ceil(n / 5)` creations one after
//!   another (the bound takes the shortest such chain, ending in the creation whose chain plus
//!   what follows it is shortest), and all creation time divided by five passes between the
//!   first request and the last completion (the load bound, with the shortest path before the
//!   first creation and after the last one added).
//!
//! Creation times are the ones this run's emulator drew (30 to 90 s each, drawn when a
//! request arrives); the bound is a lower bound for any schedule that meets the same times.
//!
//! Figures are virtual time, so they do not depend on the machine; run with
//! `cargo bench --bench apply` (or `cargo test --bench apply` for a quick debug build). With
//! `APPLY_SCHEDULE=PREFIX` the schedule of the scenarios whose name starts with `PREFIX`
//! (`landing`, `1,000 existing`, ...) is printed too: each operation's virtual start and end.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use orgchard::api::{Api, Operation};
use orgchard::apply::{self, ApplyOptions, Event, EventSink, exec::request_op};
use orgchard::backend::client::{Client, RetryPolicy};
use orgchard::backend::emulator::{Builder, Emulator, InitOptions, State, fresh_state};
use orgchard::backend::{ConnectOptions, rates};
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
    /// The concurrency cap's chain and load bounds (zero without creations).
    chain_s: f64,
    load_s: f64,
}

impl Figures {
    fn bound(&self) -> f64 {
        self.critical_s
            .max(self.rate_s)
            .max(self.chain_s)
            .max(self.load_s)
    }

    /// What sets the bound, for the report.
    fn binding(&self) -> String {
        let b = self.bound();
        if b == self.critical_s {
            "critical path".into()
        } else if b == self.rate_s {
            format!("{} rate", self.rate_op)
        } else if b == self.chain_s {
            "creation slots, chain".into()
        } else {
            "creation slots, load".into()
        }
    }
}

/// For each operation, the longest path that must finish before it starts (`head`) and
/// the longest that can only start after it ends (`tail`), with `cost` per operation.
fn heads_and_tails(plan: &Plan, cost: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = plan.operations.len();
    let order = plan::graph::random_order(plan, 0);
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in &plan.edges {
        preds[e.to].push(e.from);
        succs[e.from].push(e.to);
    }
    let mut head = vec![0.0f64; n];
    for &i in &order {
        head[i] = preds[i]
            .iter()
            .map(|&p| head[p] + cost[p])
            .fold(0.0, f64::max);
    }
    let mut tail = vec![0.0f64; n];
    for &i in order.iter().rev() {
        tail[i] = succs[i]
            .iter()
            .map(|&s| cost[s] + tail[s])
            .fold(0.0, f64::max);
    }
    (head, tail)
}

/// The concurrency cap's two bounds over creations `(creation time, head, tail)`, at most
/// `slots` in progress at once: the shortest chain of `ceil(n / slots)` creations in one
/// slot, and all creation time spread evenly over the slots.
fn creation_bounds(creations: &[(f64, f64, f64)], slots: usize, latency: f64) -> (f64, f64) {
    let n = creations.len();
    if n == 0 {
        return (0.0, 0.0);
    }
    let first = creations.iter().map(|c| c.1).fold(f64::INFINITY, f64::min) + latency;
    let last_tail = creations.iter().map(|c| c.2).fold(f64::INFINITY, f64::min);
    let load = first + creations.iter().map(|c| c.0).sum::<f64>() / slots as f64 + last_tail;
    let k = n.div_ceil(slots);
    let mut times: Vec<(f64, usize)> = creations
        .iter()
        .enumerate()
        .map(|(i, c)| (c.0, i))
        .collect();
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    let chain = (0..n)
        .map(|j| {
            let before: f64 = times
                .iter()
                .filter(|t| t.1 != j)
                .take(k - 1)
                .map(|t| t.0)
                .sum();
            first + before + creations[j].0 + creations[j].2
        })
        .fold(f64::INFINITY, f64::min);
    (chain, load)
}

/// Keeps each event with its virtual time.
#[derive(Default)]
struct Timeline(Mutex<Vec<(Instant, Event)>>);

impl EventSink for Timeline {
    fn event(&self, e: &Event) {
        self.0
            .lock()
            .expect("timeline lock")
            .push((Instant::now(), e.clone()));
    }
}

impl Timeline {
    /// One line per operation: virtual start and end in seconds, address and operation.
    fn render(&self, start: Instant) -> String {
        let events = self.0.lock().expect("timeline lock");
        let mut began: BTreeMap<usize, f64> = BTreeMap::new();
        let mut rows = Vec::new();
        for (t, e) in events.iter() {
            let at = t.duration_since(start).as_secs_f64();
            match e {
                Event::OpStarted { index, .. } => {
                    began.insert(*index, at);
                }
                Event::OpFinished {
                    index,
                    address,
                    operation,
                    ..
                } => rows.push((began[index], at, address.clone(), operation.clone())),
                _ => {}
            }
        }
        rows.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut out = String::new();
        for (from, to, address, operation) in rows {
            writeln!(out, "{from:>8.3} {to:>8.3}  {address}  {operation}").unwrap();
        }
        out
    }
}

async fn measure(name: &'static str, state: State, dir: &std::path::Path) -> Figures {
    let desired =
        config::load(dir, &VarInputs::default()).unwrap_or_else(|d| panic!("{}", d.render(false)));
    let slots = state.quota("concurrent_account_creations") as usize;
    let emu = Arc::new(Emulator::in_memory(state, &ConnectOptions::default()));
    let api: Arc<dyn Api> = emu.clone();
    let client = Arc::new(Client::new(api, rates::aws_rate, RetryPolicy::default()).with_seed(1));
    let (p, _) = plan::make(&desired, &client, &PlanOptions::default())
        .await
        .expect("plan");
    let timeline = Arc::new(Timeline::default());
    // The emulator's clock and tokio's, read at the same moment.
    let (emu_zero, start) = (emu.stats().virtual_elapsed_ms, Instant::now());
    let report = apply::apply(
        &p,
        client.clone(),
        &ApplyOptions::default(),
        timeline.clone(),
        Arc::new(AtomicBool::new(false)),
    )
    .await
    .expect("no crash");
    let apply_s = start.elapsed().as_secs_f64();
    assert!(report.succeeded(), "{name}: {:?}", report.failures);
    let state = emu.state();
    if std::env::var("APPLY_SCHEDULE").is_ok_and(|prefix| name.starts_with(&prefix)) {
        println!("{name}: virtual start, end (s), address, operation");
        print!("{}", timeline.render(start));
        println!("{name}: account creations as the emulator saw them: requested, finished (s)");
        let mut requests: Vec<_> = state.create_requests.values().collect();
        requests.sort_by_key(|r| r.requested_ms);
        let at = |ms: u64| (ms as f64 - emu_zero as f64) / 1000.0;
        for r in requests.iter().take(20) {
            println!(
                "{:>8.3} {:>8.3}  {}",
                at(r.requested_ms),
                at(r.completes_ms),
                r.account_name
            );
        }
    }

    let latency = LATENCY_MS as f64 / 1000.0;
    let creation = |account_name: &str| -> f64 {
        state
            .create_requests
            .values()
            .find(|r| r.account_name == account_name)
            .map(|r| (r.completes_ms - r.requested_ms) as f64 / 1000.0)
            .unwrap_or(0.0)
    };
    let cost: Vec<f64> = p
        .operations
        .iter()
        .map(|o| match &o.op {
            Op::CreateAccount { name, .. } => latency + creation(name),
            _ => latency,
        })
        .collect();
    let (head, tail) = heads_and_tails(&p, &cost);
    let critical_s = (0..cost.len())
        .map(|i| head[i] + cost[i] + tail[i])
        .fold(0.0, f64::max);
    let creations: Vec<(f64, f64, f64)> = p
        .operations
        .iter()
        .enumerate()
        .filter(|(_, o)| matches!(o.op, Op::CreateAccount { .. }))
        .map(|(i, _)| (cost[i] - latency, head[i], tail[i]))
        .collect();
    let (chain_s, load_s) = creation_bounds(&creations, slots, latency);
    let mut calls: BTreeMap<Operation, f64> = BTreeMap::new();
    for o in &p.operations {
        *calls.entry(request_op(&o.op)).or_default() += 1.0;
    }
    let (rate_op, rate_s) = calls
        .iter()
        .map(|(op, n)| {
            let rate = rates::aws_rate_of(*op);
            let after_burst = (n - rate.burst).max(0.0) / rate.per_second;
            (op.to_string(), latency + after_burst)
        })
        .fold((String::new(), 0.0), |a, b| if b.1 > a.1 { b } else { a });
    Figures {
        name,
        operations: p.operations.len(),
        apply_s,
        critical_s,
        rate_s,
        rate_op,
        chain_s,
        load_s,
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
            "{:<36} {:>5} ops  apply {:>8.1} s  bound {:>8.1} s ({})  ratio {:.3}",
            f.name,
            f.operations,
            f.apply_s,
            f.bound(),
            f.binding(),
            f.apply_s / f.bound()
        );
        println!(
            "{:<36} critical path {:.1} s, {} rate {:.1} s, creation slots: chain {:.1} s, load {:.1} s",
            "", f.critical_s, f.rate_op, f.rate_s, f.chain_s, f.load_s
        );
    }
}
