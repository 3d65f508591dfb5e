//! The scale table: what a user rehearsing a large organization on the emulator waits for,
//! at 2,000 accounts (200 OUs, 100 SCPs, 4,000 attachments) and at the benchmark size (5,000
//! accounts, 500 OUs, 300 SCPs, 10,000 attachments). Each figure is printed with its goal:
//!
//! - the first apply of the whole organization to an empty one (emulator state in a file,
//!   AWS's rate limits, the CLI's paused clock), wall clock, plan included;
//! - polling calls (`DescribeCreateAccountStatus` and `ListCreateAccountStatus`) per created
//!   account during that apply;
//! - a plan with no changes against the applied organization: its virtual time at AWS's rates
//!   over the rate bound (the largest, over operations, of calls ÷ that operation's rate);
//! - the same plan's wall clock, configuration loading included;
//! - how late the apply saw each account creation finished: the emulator's clock when the
//!   `CreateAccount` operation ended, minus the instant the emulator completed that creation
//!   (the poller's delay, whose backoff trades it against polling calls).
//!
//! Run with `cargo bench --bench scale` (both sizes; `SCALE_ACCOUNTS=2000` for one, any other
//! number for an organization of that many accounts in the same proportions). The emulator's
//! latency per call is `SCALE_LATENCY_MS` (default 0, the CLI's default). Wall clock depends
//! on the machine and its load: the load average is printed with each size. Under
//! `cargo test` the bench runs once on 60 accounts, to check that it still works.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant as WallInstant;

use orgchard::api::Api;
use orgchard::apply::{self, ApplyOptions, Event, EventSink};
use orgchard::backend::client::{Client, RetryPolicy};
use orgchard::backend::emulator::{self, Emulator, InitOptions};
use orgchard::backend::{ConnectOptions, rates};
use orgchard::config::{self, VarInputs};
use orgchard::plan::{self, diff::PlanOptions, read};
use tokio::time::Instant;

#[derive(Clone, Copy)]
struct Size {
    accounts: usize,
    ous: usize,
    scps: usize,
    attachments: usize,
}

const SIZES: &[Size] = &[
    Size {
        accounts: 2_000,
        ous: 200,
        scps: 100,
        attachments: 4_000,
    },
    Size {
        accounts: 5_000,
        ous: 500,
        scps: 300,
        attachments: 10_000,
    },
];

/// Keeps, for each operation that succeeded, the virtual instant it ended.
#[derive(Default)]
struct Finishes(std::sync::Mutex<Vec<(usize, Instant)>>);
impl EventSink for Finishes {
    fn event(&self, e: &Event) {
        if let Event::OpFinished {
            index, error: None, ..
        } = e
        {
            self.0.lock().unwrap().push((*index, Instant::now()));
        }
    }
}

/// How late each creation was seen finished, in emulator milliseconds, sorted: `start` is
/// the emulator's clock (`start_ms`) at the tokio instant `start_at`.
fn seen_late(
    p: &plan::Plan,
    finishes: &Finishes,
    state: &emulator::State,
    (start_ms, start_at): (u64, Instant),
) -> Vec<u64> {
    let completes: std::collections::HashMap<&str, u64> = state
        .create_requests
        .values()
        .map(|r| (r.account_name.as_str(), r.completes_ms))
        .collect();
    let mut late: Vec<u64> = finishes
        .0
        .lock()
        .unwrap()
        .iter()
        .filter_map(|(i, at)| match &p.operations[*i].op {
            plan::ops::Op::CreateAccount { name, .. } => {
                let seen = start_ms + at.duration_since(start_at).as_millis() as u64;
                Some(seen.saturating_sub(*completes.get(name.as_str())?))
            }
            _ => None,
        })
        .collect();
    late.sort_unstable();
    late
}

fn quantile(sorted: &[u64], q: f64) -> f64 {
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i] as f64 / 1000.0
}

/// The configuration of an organization of this size: OUs in a bushy tree three deep (ten
/// under the root, a hundred under those, the rest below), accounts spread over the OUs, and
/// customer SCPs attached (beside FullAWSAccess) to the first OUs and accounts until the
/// organization holds `attachments` attachments in all.
fn configuration(dir: &Path, size: &Size) {
    let mut hcl = String::from(
        "organization {\n  feature_set          = \"ALL\"\n  enabled_policy_types = [\"SERVICE_CONTROL_POLICY\"]\n}\n\n",
    );
    for p in 0..size.scps {
        writeln!(hcl, "policy \"p{p}\" {{\n  type    = \"SERVICE_CONTROL_POLICY\"\n  name    = \"policy-{p:03}\"\n  content = jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Effect = \"Deny\", Action = \"ec2:Guard{p}\", Resource = \"*\" }}] }})\n}}\n").unwrap();
    }
    // FullAWSAccess on the root, every OU and every account, then one customer SCP more per
    // target, OUs first.
    let defaults = 1 + size.ous + size.accounts;
    let mut extra = size.attachments.saturating_sub(defaults);
    let mut policies = |k: usize| -> String {
        if extra == 0 || size.scps == 0 {
            return String::new();
        }
        extra -= 1;
        format!(
            "  policies = [aws_policy.FullAWSAccess, policy.p{}]\n",
            k % size.scps
        )
    };
    for o in 0..size.ous {
        let parent = if o < 10 {
            String::new()
        } else if o < 110 {
            format!("  parent = organizational_unit.o{}\n", o % 10)
        } else {
            format!("  parent = organizational_unit.o{}\n", 10 + o % 100)
        };
        let attach = policies(o);
        writeln!(
            hcl,
            "organizational_unit \"o{o}\" {{\n  name = \"ou-{o:04}\"\n{parent}{attach}}}\n"
        )
        .unwrap();
    }
    for i in 0..size.accounts {
        let attach = policies(size.ous + i);
        writeln!(hcl, "account \"a{i}\" {{\n  name   = \"account-{i:05}\"\n  email  = \"aws+{i:05}@example.com\"\n  parent = organizational_unit.o{}\n{attach}}}\n", i % size.ous.max(1)).unwrap();
    }
    std::fs::write(dir.join("main.hcl"), hcl).unwrap();
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn open(path: &Path) -> (Arc<Emulator>, Arc<Client>) {
    let emu = Arc::new(Emulator::open(path, &ConnectOptions::default()).expect("open"));
    let api: Arc<dyn Api> = emu.clone();
    let client = Arc::new(Client::new(api, rates::aws_rate, RetryPolicy::default()).with_seed(1));
    (emu, client)
}

fn polling_calls(stats: &emulator::Stats) -> u64 {
    ["DescribeCreateAccountStatus", "ListCreateAccountStatus"]
        .iter()
        .filter_map(|op| stats.calls.get(*op))
        .map(|c| c.calls)
        .sum()
}

fn row(what: &str, figure: String, goal: &str) {
    println!("  {what:<58} {figure:>22}   goal {goal}");
}

fn measure(size: &Size, latency_ms: u64) {
    let dir = tempfile::tempdir().unwrap();
    let config_dir = dir.path().join("config");
    std::fs::create_dir_all(&config_dir).unwrap();
    configuration(&config_dir, size);
    let state_path = dir.path().join("state.json");
    emulator::init(
        &state_path,
        &InitOptions {
            latency_ms,
            ..InitOptions::default()
        },
    )
    .expect("init");
    println!(
        "{} accounts, {} OUs, {} SCPs, {} attachments (emulator latency {latency_ms} ms); load average before: {}",
        size.accounts,
        size.ous,
        size.scps,
        size.attachments,
        load_average()
    );

    // The CLI's runtime for the emulator: one thread, tokio's clock paused.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();

    // First apply, plan included.
    let wall = WallInstant::now();
    let desired = config::load(&config_dir, &VarInputs::default())
        .unwrap_or_else(|d| panic!("{}", d.render(false)));
    let (polls, late) = rt.block_on(async {
        let (emu, client) = open(&state_path);
        let (p, _) = plan::make(&desired, &client, &PlanOptions::default())
            .await
            .expect("plan");
        let stats = emu.stats();
        let before = polling_calls(&stats);
        let start = (stats.virtual_elapsed_ms, Instant::now());
        let finishes = Arc::new(Finishes::default());
        let report = apply::apply(
            &p,
            client,
            &ApplyOptions::default(),
            finishes.clone(),
            Arc::new(AtomicBool::new(false)),
        )
        .await
        .expect("no crash");
        assert!(report.succeeded(), "{:?}", report.failures);
        let late = seen_late(&p, &finishes, &emu.state(), start);
        (polling_calls(&emu.stats()) - before, late)
    });
    let apply_s = wall.elapsed().as_secs_f64();
    let load_apply = load_average();
    row(
        "first apply, wall clock",
        format!("{apply_s:.1} s"),
        "< 10 s (issue), < 60 s (judged)",
    );
    let per_account = polls as f64 / size.accounts as f64;
    row(
        "polling calls per created account",
        format!("{polls} / {} = {per_account:.1}", size.accounts),
        "<= 10",
    );
    assert_eq!(late.len(), size.accounts, "every creation seen finished");
    row(
        "creation seen finished after (median / p90 / max)",
        format!(
            "{:.1} / {:.1} / {:.1} s",
            quantile(&late, 0.5),
            quantile(&late, 0.9),
            quantile(&late, 1.0)
        ),
        "a few seconds",
    );

    // A plan with no changes.
    let wall = WallInstant::now();
    let desired = config::load(&config_dir, &VarInputs::default())
        .unwrap_or_else(|d| panic!("{}", d.render(false)));
    let (virtual_s, bound, op) = rt.block_on(async {
        let (_emu, client) = open(&state_path);
        let start = Instant::now();
        let (p, _) = plan::make(&desired, &client, &PlanOptions::default())
            .await
            .expect("plan");
        let took = start.elapsed().as_secs_f64();
        assert!(!p.has_changes(), "{:?}", p.summary());
        let (op, bound) = read::rate_bound(&client.stats().accepted(), rates::aws_rate).unwrap();
        (took, bound, op)
    });
    let plan_s = wall.elapsed().as_secs_f64();
    row(
        "no-change plan: virtual time / rate bound",
        format!("{virtual_s:.1} s / {bound:.1} s = {:.3}", virtual_s / bound),
        "<= 1.05",
    );
    println!("  {:<58} {op}", "  (operation that sets the bound)");
    row(
        "no-change plan, wall clock",
        format!("{plan_s:.2} s"),
        "< 0.25 s (issue), < 0.5 s (judged)",
    );
    println!(
        "  load average after the apply: {load_apply}; after the plan: {}",
        load_average()
    );
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        for line in status.lines().filter(|l| l.starts_with("VmHWM")) {
            println!(
                "  peak memory so far: {}",
                line.trim_start_matches("VmHWM:").trim()
            );
        }
    }
}

fn main() {
    let latency_ms: u64 = std::env::var("SCALE_LATENCY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let only: Option<usize> = std::env::var("SCALE_ACCOUNTS")
        .ok()
        .and_then(|v| v.parse().ok());
    // `cargo bench` passes `--bench`; `cargo test --all-targets` does not, and then one small
    // organization checks that the bench still runs, in seconds.
    let benching = std::env::args().any(|a| a == "--bench");
    let sizes: Vec<Size> = match only {
        Some(n) if SIZES.iter().all(|s| s.accounts != n) => vec![scaled(n)],
        Some(n) => SIZES.iter().filter(|s| s.accounts == n).map(copy).collect(),
        None if benching => SIZES.iter().map(copy).collect(),
        None => vec![scaled(60)],
    };
    for size in &sizes {
        measure(size, latency_ms);
    }
}

fn copy(s: &Size) -> Size {
    *s
}

/// An organization of `accounts` accounts in the proportions of the table's sizes.
fn scaled(accounts: usize) -> Size {
    Size {
        accounts,
        ous: (accounts / 10).max(1),
        scps: (accounts / 20).max(1),
        attachments: 2 * accounts,
    }
}
