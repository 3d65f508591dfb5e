//! Applying: walk a plan's operation graph in dependency order, in parallel within AWS's rate
//! limits, retrying what AWS says is transient, so that an apply converges even when it is
//! interrupted.
//!
//! The walker is built from the plan only (its operations and edges), never from the
//! configuration. Every operation is written to be safe to run again: a create that may have
//! happened before an ambiguous failure (a 5xx) is looked up before it is repeated, an attach
//! that finds the policy attached counts as done, and `CreateAccount` first waits for the
//! creations in progress with the same account name and adopts one only when its account has
//! the block's email and ownership tag. Together with the ownership tag that every create writes at once, this is what
//! makes a re-run after a crash converge without duplicates.

pub mod backoff;
pub mod events;
pub mod exec;
pub mod lock;
pub mod poller;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::addr::Address;
use crate::api::{ApiError, ErrorKind, Operation};
use crate::backend::client::Client;
use crate::plan::{Action, Plan};

pub use backoff::{Backoff, Limit};
pub use events::{Event, EventSink};

/// Settings of one apply.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Operations in flight at once.
    pub parallelism: usize,
    /// CreateAccount requests in progress at once. AWS refuses more than five with
    /// ConcurrentModificationException; waiting for a free one in the walker rather than in
    /// the retry loop keeps the retries for real conflicts and the slots for other work.
    pub max_account_creations: usize,
    /// When a CreateAccount answered with a server error is sent again (after looking
    /// whether it started after all), and how often. Throttling and conflicts are the
    /// client's to retry: AWS refuses those before doing anything.
    pub create_retry: Backoff,
    /// The pace of account-creation status polls, and how long a creation is awaited.
    pub status_poll: Backoff,
    /// The pace of tries to assume a new account's member-access role (IAM in a new account
    /// takes a while to accept it), and how long it may take.
    pub role_wait: Backoff,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            parallelism: 10,
            max_account_creations: 5,
            // At 30% throttling, 20% conflicts and 10% server errors, one answer in five that
            // gets past the client's retries is a server error: eight in a row come a few
            // times in a million.
            create_retry: Backoff {
                first: Duration::from_secs(2),
                factor: 2.0,
                max: Duration::from_secs(30),
                limit: Limit::Attempts(8),
            },
            // One round lists every creation in progress. The first rounds come quickly
            // (a creation that fails, or that an earlier run started, is seen at once); the
            // pace then settles at three seconds: a creation takes a minute or more (the
            // emulator draws 30 to 90 s), so five at once cost about four rounds each, and
            // each is seen finished within three seconds of its completion.
            status_poll: Backoff {
                first: Duration::from_secs(1),
                factor: 1.5,
                max: Duration::from_secs(3),
                limit: Limit::Within(Duration::from_secs(3600)),
            },
            // STS allows tens of calls per second, so waiting longer than two seconds would
            // only add idle time after the role becomes assumable.
            role_wait: Backoff {
                first: Duration::from_millis(500),
                factor: 2.0,
                max: Duration::from_secs(2),
                limit: Limit::Within(Duration::from_secs(600)),
            },
        }
    }
}

/// How one operation ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum OpOutcome {
    Done,
    Failed {
        error: String,
    },
    /// Not run because an operation it depends on failed.
    Skipped {
        because: usize,
    },
    /// Not run because the apply was interrupted.
    NotStarted,
}

/// A failed operation that is a root cause (not a consequence of another failure).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    pub address: Address,
    pub operation: String,
    pub error: String,
}

/// What an apply did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApplyReport {
    pub outcomes: Vec<OpOutcome>,
    pub failures: Vec<Failure>,
    pub interrupted: bool,
    /// Changes whose operations all completed, by action.
    pub completed: BTreeMap<String, usize>,
    pub elapsed_ms: u128,
    /// Ids of resources this apply created, by address.
    pub created: BTreeMap<Address, String>,
}

impl ApplyReport {
    pub fn succeeded(&self) -> bool {
        self.failures.is_empty() && !self.interrupted
    }

    /// `Apply complete: N created, N updated, N moved, N replaced, N deleted.`, then
    /// `N forgotten.` when a resource is no longer managed.
    pub fn summary_line(&self) -> String {
        let n = |k: &str| self.completed.get(k).copied().unwrap_or(0);
        let head = if self.succeeded() {
            "Apply complete"
        } else if self.interrupted {
            "Apply interrupted"
        } else {
            "Apply failed"
        };
        let mut line = format!(
            "{head}: {} created, {} updated, {} moved, {} replaced, {} deleted.",
            n("create"),
            n("update") + n("adopt"),
            n("move"),
            n("replace"),
            n("delete")
        );
        // As the plan's summary line: resources no longer managed are said, when there are.
        if n("forget") > 0 {
            line.push_str(&format!(" {} forgotten.", n("forget")));
        }
        line
    }
}

/// Why an apply stopped before it could report.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The emulator simulated a crash: the process must stop at once.
    #[error("simulated crash: {0}")]
    SimulatedCrash(ApiError),
}

/// Runs the plan. `interrupt` is polled between operations: once set, no new operation
/// starts, the running ones finish, and the report says what was done.
pub async fn apply(
    plan: &Plan,
    client: Arc<Client>,
    options: &ApplyOptions,
    events: Arc<dyn EventSink>,
    interrupt: Arc<AtomicBool>,
) -> Result<ApplyReport, ApplyError> {
    let start = Instant::now();
    let n = plan.operations.len();
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in &plan.edges {
        preds[e.to].push(e.from);
        succs[e.from].push(e.to);
    }
    let mut waiting: Vec<usize> = preds.iter().map(Vec::len).collect();
    let mut outcomes: Vec<Option<OpOutcome>> = vec![None; n];
    let known = Arc::new(exec::KnownIds::new(plan));
    let api_of: Vec<_> = plan
        .operations
        .iter()
        .map(|o| exec::request_op(&o.op))
        .collect();
    // Operations of one API in flight at once: about a second of its rate. More would only
    // wait in the client's pacing queue, holding a parallelism slot that an operation of
    // another API could use; fewer would leave the API's rate unused. CreateAccount has
    // its own cap (`max_account_creations`), since its operations are long waits, not calls.
    let api_cap = |api: Operation| -> usize {
        if api == Operation::CreateAccount {
            return usize::MAX;
        }
        client
            .rate(api)
            .map_or(usize::MAX, |r| r.per_second.ceil().max(1.0) as usize)
    };
    let mut per_api: HashMap<Operation, usize> = HashMap::new();
    let ctx = Arc::new(exec::ExecContext::new(
        plan,
        client.clone(),
        options.clone(),
        known.clone(),
    ));
    let rank = remaining_path(plan, &succs);
    // Ready operations by longest remaining path first: the critical path sets the apply's
    // length, so its operations must never wait behind ones with slack.
    let key = |i: usize| (std::cmp::Reverse(rank[i]), i);
    let mut ready: BTreeSet<(std::cmp::Reverse<u64>, usize)> =
        (0..n).filter(|&i| waiting[i] == 0).map(key).collect();
    let mut creating = 0usize;
    let mut locked: HashSet<String> = HashSet::new();
    let mut running: JoinSet<(usize, Result<(), ApiError>, Duration)> = JoinSet::new();
    let mut tasks: HashMap<tokio::task::Id, usize> = HashMap::new();
    let mut in_flight = 0usize;
    let parallelism = options.parallelism.max(1);
    events.event(&Event::Started { operations: n });
    let mut interrupted = false;

    loop {
        if interrupt.load(Ordering::SeqCst) && !interrupted {
            interrupted = true;
            events.event(&Event::Interrupted { running: in_flight });
        }
        // Start what is ready and whose resources are free.
        if !interrupted {
            let startable: Vec<usize> = ready.iter().map(|&(_, i)| i).collect();
            for i in startable {
                if in_flight >= parallelism {
                    break;
                }
                let creates = is_create_account(plan, i);
                if creates && creating >= options.max_account_creations.max(1) {
                    continue;
                }
                let api = api_of[i];
                if per_api.get(&api).copied().unwrap_or(0) >= api_cap(api) {
                    continue;
                }
                let locks = plan.operations[i].op.locks();
                if locks.iter().any(|l| locked.contains(l)) {
                    continue;
                }
                ready.remove(&key(i));
                locked.extend(locks);
                in_flight += 1;
                *per_api.entry(api).or_default() += 1;
                creating += usize::from(creates);
                let ctx = ctx.clone();
                events.event(&Event::OpStarted {
                    index: i,
                    address: plan.operations[i].address.to_string(),
                    operation: plan.operations[i].op.describe(),
                });
                let task = running.spawn(async move {
                    let t = Instant::now();
                    let r = ctx.run(i).await;
                    (i, r, t.elapsed())
                });
                tasks.insert(task.id(), i);
            }
        }
        if in_flight == 0 {
            break;
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        let (i, result, took) = match joined {
            Ok(x) => x,
            Err(e) => {
                // A panicking operation is a bug of ours; report it as that operation's
                // failure, so that its locks are freed and its dependents skipped.
                let msg = format!("internal error: {e}");
                events.event(&Event::Internal {
                    message: msg.clone(),
                });
                let Some(&i) = tasks.get(&e.id()) else {
                    continue;
                };
                let err = ApiError::new(
                    exec::request_op(&plan.operations[i].op),
                    "OrgchardInternalError",
                    msg,
                );
                (i, Err(err), Duration::ZERO)
            }
        };
        in_flight -= 1;
        if let Some(n) = per_api.get_mut(&api_of[i]) {
            *n -= 1;
        }
        creating -= usize::from(is_create_account(plan, i));
        for l in plan.operations[i].op.locks() {
            locked.remove(&l);
        }
        match result {
            Ok(()) => {
                outcomes[i] = Some(OpOutcome::Done);
                events.event(&Event::OpFinished {
                    index: i,
                    address: plan.operations[i].address.to_string(),
                    operation: plan.operations[i].op.describe(),
                    millis: took.as_millis(),
                    error: None,
                });
                for &s in &succs[i] {
                    waiting[s] -= 1;
                    if waiting[s] == 0 && outcomes[s].is_none() {
                        ready.insert(key(s));
                    }
                }
            }
            Err(err) if err.kind == ErrorKind::SimulatedCrash => {
                running.abort_all();
                ctx.stop().await;
                return Err(ApplyError::SimulatedCrash(err));
            }
            Err(err) => {
                let text = err.to_string();
                events.event(&Event::OpFinished {
                    index: i,
                    address: plan.operations[i].address.to_string(),
                    operation: plan.operations[i].op.describe(),
                    millis: took.as_millis(),
                    error: Some(err),
                });
                outcomes[i] = Some(OpOutcome::Failed { error: text });
                // Everything downstream is skipped; independent branches go on.
                let mut stack = succs[i].clone();
                while let Some(s) = stack.pop() {
                    if outcomes[s].is_none() {
                        outcomes[s] = Some(OpOutcome::Skipped { because: i });
                        ready.remove(&key(s));
                        stack.extend(succs[s].iter().copied());
                    }
                }
            }
        }
    }

    ctx.stop().await;
    let outcomes: Vec<OpOutcome> = outcomes
        .into_iter()
        .map(|o| o.unwrap_or(OpOutcome::NotStarted))
        .collect();
    let failures = outcomes
        .iter()
        .enumerate()
        .filter_map(|(i, o)| match o {
            OpOutcome::Failed { error } => Some(Failure {
                address: plan.operations[i].address.clone(),
                operation: plan.operations[i].op.describe(),
                error: error.clone(),
            }),
            _ => None,
        })
        .collect();
    let mut completed = BTreeMap::new();
    for c in &plan.changes {
        if c.action == Action::Read || c.operations.is_empty() {
            continue;
        }
        if c.operations.iter().all(|&i| outcomes[i] == OpOutcome::Done) {
            *completed.entry(c.action.to_string()).or_insert(0) += 1;
        }
    }
    let report = ApplyReport {
        outcomes,
        failures,
        interrupted,
        completed,
        elapsed_ms: start.elapsed().as_millis(),
        created: known.created(),
    };
    events.event(&Event::Finished {
        summary: report.summary_line(),
        millis: report.elapsed_ms,
    });
    Ok(report)
}

fn is_create_account(plan: &Plan, i: usize) -> bool {
    matches!(plan.operations[i].op, crate::plan::Op::CreateAccount { .. })
}

/// What an operation is expected to cost, in milliseconds, for ordering only: one call,
/// except CreateAccount, which AWS takes about a minute to finish.
fn expected_cost(plan: &Plan, i: usize) -> u64 {
    if is_create_account(plan, i) {
        60_000
    } else {
        100
    }
}

/// For each operation, the expected cost of the longest path from it to the end of the
/// graph, itself included.
fn remaining_path(plan: &Plan, succs: &[Vec<usize>]) -> Vec<u64> {
    let n = succs.len();
    let mut rank: Vec<Option<u64>> = vec![None; n];
    for start in 0..n {
        // Iterative depth-first search: a long chain must not overflow the stack.
        let mut stack = vec![(start, false)];
        while let Some((i, expanded)) = stack.pop() {
            if rank[i].is_some() {
                continue;
            }
            if expanded {
                let tail = succs[i].iter().filter_map(|&s| rank[s]).max().unwrap_or(0);
                rank[i] = Some(expected_cost(plan, i) + tail);
            } else {
                stack.push((i, true));
                stack.extend(
                    succs[i]
                        .iter()
                        .filter(|&&s| rank[s].is_none())
                        .map(|&s| (s, false)),
                );
            }
        }
    }
    rank.into_iter().map(|r| r.unwrap_or(0)).collect()
}

/// A shared flag that Ctrl-C (SIGINT) or, on Unix, SIGTERM (what CI runners send to cancel a
/// job) sets.
pub fn interrupt_on_ctrl_c() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let f = flag.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            f.store(true, Ordering::SeqCst);
        }
    });
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            let f = flag.clone();
            tokio::spawn(async move {
                if term.recv().await.is_some() {
                    f.store(true, Ordering::SeqCst);
                }
            });
        }
    }
    flag
}

/// For tests: a sink that keeps every event.
#[derive(Default)]
pub struct Recorder(pub Mutex<Vec<Event>>);

impl EventSink for Recorder {
    fn event(&self, e: &Event) {
        self.0.lock().expect("recorder lock").push(e.clone());
    }
}

/// Runs the operations one at a time in `order` (a topological order of the plan's graph).
/// Tests run plans in many random orders with it, to prove the graph's edges are enough.
pub async fn apply_in_order(
    plan: &Plan,
    client: Arc<Client>,
    order: &[usize],
) -> Result<BTreeMap<Address, String>, (usize, ApiError)> {
    let known = Arc::new(exec::KnownIds::new(plan));
    let ctx = exec::ExecContext::new(plan, client, ApplyOptions::default(), known.clone());
    let mut result = Ok(());
    for &i in order {
        if let Err(e) = ctx.run(i).await {
            result = Err((i, e));
            break;
        }
    }
    ctx.stop().await;
    result.map(|()| known.created())
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;
    use crate::api::Api;
    use crate::backend::emulator::{Emulator, InitOptions, fresh_state};
    use crate::backend::{ConnectOptions, rates};
    use crate::config::{self, VarInputs};
    use crate::plan::diff::PlanOptions;

    /// `hcl` planned against an emulator over `state`, through a client paced at AWS's rates
    /// when `paced`.
    async fn planned(
        hcl: &str,
        state: crate::backend::emulator::State,
        paced: bool,
    ) -> (Arc<Emulator>, Arc<Client>, crate::plan::Plan) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.hcl"), hcl).unwrap();
        let desired = config::load(dir.path(), &VarInputs::default()).unwrap();
        let emu = Arc::new(Emulator::in_memory(state, &ConnectOptions::default()));
        let api: Arc<dyn Api> = emu.clone();
        let rates: fn(crate::api::Operation) -> Option<crate::backend::client::Rate> =
            if paced { rates::aws_rate } else { |_| None };
        let client = Arc::new(Client::new(
            api,
            rates,
            crate::backend::client::RetryPolicy::default(),
        ));
        let (plan, _) = crate::plan::make(&desired, &client, &PlanOptions::default())
            .await
            .unwrap();
        (emu, client, plan)
    }

    /// When each operation finished, on the virtual clock.
    #[derive(Default)]
    struct Finished(Mutex<HashMap<usize, Instant>>);

    impl EventSink for Finished {
        fn event(&self, e: &Event) {
            if let Event::OpFinished { index, .. } = e {
                self.0
                    .lock()
                    .expect("finished lock")
                    .insert(*index, Instant::now());
            }
        }
    }

    /// Existing accounts adopted (tagged) and moved into new OUs, with AWS's rates: two APIs
    /// at two calls a second each. Neither may queue more than a second of its rate, and
    /// both keep their rate busy, so the apply takes about what their calls need.
    #[tokio::test(start_paused = true)]
    async fn each_api_keeps_its_rate_busy_without_queueing_more_than_a_second_of_it() {
        let (n, ous) = (40, 4);
        let mut hcl = String::new();
        for o in 0..ous {
            writeln!(
                hcl,
                "organizational_unit \"d{o}\" {{\n  name = \"Dept {o}\"\n}}"
            )
            .unwrap();
        }
        for i in 0..n {
            writeln!(hcl, "account \"a{i}\" {{\n  name   = \"account-{i:05}\"\n  email  = \"aws+{i:05}@example.com\"\n  parent = organizational_unit.d{}\n}}", i % ous).unwrap();
        }
        let init = InitOptions {
            latency_ms: 50,
            rate_limits: true,
            ..InitOptions::default()
        };
        let state = crate::backend::emulator::Builder::organization(&init, n, 0, 0, 0).unwrap();
        let (_emu, client, plan) = planned(&hcl, state, true).await;
        let per_api = |name: &str| {
            plan.operations
                .iter()
                .filter(|o| exec::request_op(&o.op).to_string() == name)
                .count()
        };
        assert_eq!(per_api("MoveAccount"), n);
        assert_eq!(per_api("TagResource"), n);
        // Let the plan's reads refill the buckets, as a user's pause before `yes` would.
        tokio::time::sleep(Duration::from_secs(60)).await;
        let recorder = Arc::new(Recorder::default());
        let start = Instant::now();
        let report = apply(
            &plan,
            client,
            &ApplyOptions::default(),
            recorder.clone(),
            Arc::new(AtomicBool::new(false)),
        )
        .await
        .unwrap();
        let took = start.elapsed().as_secs_f64();
        assert!(report.succeeded(), "{:?}", report.failures);

        let mut in_flight: HashMap<String, (usize, usize)> = HashMap::new();
        for e in recorder.0.lock().unwrap().iter() {
            let (operation, delta) = match e {
                Event::OpStarted { operation, .. } => (operation, 1isize),
                Event::OpFinished { operation, .. } => (operation, -1),
                _ => continue,
            };
            let api = operation.split(' ').next().unwrap().to_string();
            let (now, max) = in_flight.entry(api).or_default();
            *now = now.checked_add_signed(delta).unwrap();
            *max = (*max).max(*now);
        }
        for api in ["MoveAccount", "TagResource", "AttachPolicy"] {
            let max = in_flight.get(api).map_or(0, |m| m.1);
            assert!(max <= 2, "{max} {api} in flight at once");
        }
        // Each of the two APIs needs (n - burst) / rate after its first call.
        let needed = (n as f64 - 5.0) / 2.0;
        assert!(
            took <= needed + 1.0,
            "took {took:.2} s, the calls need {needed:.2} s"
        );
    }

    /// Six new accounts with AWS's rates and latency: one more than may be created at once.
    #[tokio::test(start_paused = true)]
    async fn creations_are_seen_finished_promptly_and_the_sixth_takes_the_first_free_slot() {
        let mut hcl = String::from("organizational_unit \"team\" {\n  name = \"Team\"\n}\n");
        for i in 0..6 {
            writeln!(hcl, "account \"a{i}\" {{\n  name   = \"account-{i}\"\n  email  = \"aws+{i}@example.com\"\n  parent = organizational_unit.team\n}}").unwrap();
        }
        let state = fresh_state(&InitOptions {
            latency_ms: 50,
            rate_limits: true,
            ..InitOptions::default()
        })
        .unwrap();
        let (emu, client, plan) = planned(&hcl, state, true).await;
        // The emulator's clock and tokio's, read at the same moment.
        let (emu_zero, t0) = (emu.stats().virtual_elapsed_ms, Instant::now());
        let finished = Arc::new(Finished::default());
        let report = apply(
            &plan,
            client,
            &ApplyOptions::default(),
            finished.clone(),
            Arc::new(AtomicBool::new(false)),
        )
        .await
        .unwrap();
        assert!(report.succeeded(), "{:?}", report.failures);

        let state = emu.state();
        let poll = ApplyOptions::default().status_poll.max.as_millis() as u64;
        let finished = finished.0.lock().unwrap();
        let mut requests: Vec<_> = state.create_requests.values().collect();
        requests.sort_by_key(|r| r.requested_ms);
        assert_eq!(requests.len(), 6);
        for (i, o) in plan.operations.iter().enumerate() {
            let crate::plan::Op::CreateAccount { name, .. } = &o.op else {
                continue;
            };
            let r = requests.iter().find(|r| &r.account_name == name).unwrap();
            let seen = emu_zero + finished[&i].duration_since(t0).as_millis() as u64;
            // The poller's rounds are at most its longest wait apart; a round's list and the
            // finished creation's description add their latency.
            assert!(
                seen >= r.completes_ms && seen <= r.completes_ms + poll + 100,
                "{name} finished at {} ms, seen at {seen} ms",
                r.completes_ms
            );
        }
        // The sixth request goes out as soon as the first creation is seen finished: its
        // status calls, the in-progress lookup and the request itself.
        let first_free = requests[..5].iter().map(|r| r.completes_ms).min().unwrap();
        assert!(
            requests[5].requested_ms <= first_free + poll + 200,
            "sixth requested at {} ms, a slot was free at {first_free} ms",
            requests[5].requested_ms
        );
    }

    /// The waits are the options' values: a creation awaited for at most ten seconds (AWS
    /// takes at least thirty in the emulator) is reported as still in progress, after polls
    /// at the options' pace, and what depends on it is skipped.
    #[tokio::test(start_paused = true)]
    async fn a_creation_awaited_shorter_than_it_takes_is_reported_still_in_progress() {
        let hcl = "organizational_unit \"team\" {\n  name = \"Team\"\n}\naccount \"a\" {\n  name   = \"A\"\n  email  = \"aws+a@example.com\"\n  parent = organizational_unit.team\n}\n";
        let state = fresh_state(&InitOptions::default()).unwrap();
        let (emu, client, plan) = planned(hcl, state, false).await;
        let options = ApplyOptions {
            status_poll: Backoff::steady(
                Duration::from_secs(2),
                Limit::Within(Duration::from_secs(10)),
            ),
            ..ApplyOptions::default()
        };
        let polls = |emu: &Emulator| {
            emu.stats()
                .calls
                .get("ListCreateAccountStatus")
                .map_or(0, |c| c.calls)
        };
        let before = polls(&emu);
        let report = apply(
            &plan,
            client,
            &options,
            Arc::new(Recorder::default()),
            Arc::new(AtomicBool::new(false)),
        )
        .await
        .unwrap();
        assert_eq!(report.failures.len(), 1, "{:?}", report.failures);
        assert!(
            report.failures[0].error.contains("still in progress"),
            "{:?}",
            report.failures
        );
        // The look for an earlier attempt at 0 s, then rounds at 2, 4, 6, 8 (and maybe 10)
        // seconds.
        let polled = polls(&emu) - before;
        assert!((5..=6).contains(&polled), "{polled} lists");
        assert!(
            report
                .outcomes
                .iter()
                .any(|o| matches!(o, OpOutcome::Skipped { .. }))
        );
    }

    /// An endpoint that finishes each creation before it answers, as moto does: its
    /// `CreateAccount` answer carries the final status (AWS's says `IN_PROGRESS`).
    struct CreatesAtOnce(Arc<Emulator>);

    #[async_trait::async_trait]
    impl Api for CreatesAtOnce {
        async fn call(
            &self,
            scope: &crate::api::Scope,
            request: crate::api::Request,
        ) -> Result<crate::api::Response, ApiError> {
            use crate::api::{
                CreateAccountState, DescribeCreateAccountStatusInput, Request, Response,
            };
            let creates = matches!(request, Request::CreateAccount(_));
            let answer = self.0.call(scope, request).await?;
            let Response::CreateAccount(mut answer) = answer else {
                return Ok(answer);
            };
            if !creates {
                unreachable!("only a creation answers as one");
            }
            while answer.create_account_status.state == CreateAccountState::InProgress {
                tokio::time::sleep(Duration::from_secs(10)).await;
                let id = answer.create_account_status.id.clone();
                let request =
                    Request::DescribeCreateAccountStatus(DescribeCreateAccountStatusInput {
                        create_account_request_id: id,
                    });
                let Response::DescribeCreateAccountStatus(d) = self.0.call(scope, request).await?
                else {
                    unreachable!("a description answers a description")
                };
                answer.create_account_status = d.create_account_status;
            }
            Ok(Response::CreateAccount(answer))
        }
        fn describe(&self) -> String {
            "creates at once".into()
        }
    }

    /// A `CreateAccount` answer that already says the creation succeeded is taken as its
    /// final status: the creation's slot is free at once and no poll is spent on it (on moto,
    /// each creation cost a list of the creations in progress and a description more, and
    /// held its slot for both). The look for an earlier attempt before each request stays.
    #[tokio::test(start_paused = true)]
    async fn a_creation_answered_finished_is_not_polled() {
        let mut hcl = String::from("organizational_unit \"team\" {\n  name = \"Team\"\n}\n");
        for i in 0..7 {
            writeln!(hcl, "account \"a{i}\" {{\n  name   = \"account-{i}\"\n  email  = \"aws+{i}@example.com\"\n  parent = organizational_unit.team\n}}").unwrap();
        }
        let state = fresh_state(&InitOptions {
            rate_limits: false,
            ..InitOptions::default()
        })
        .unwrap();
        let (emu, _, plan) = planned(&hcl, state, false).await;
        let client = Arc::new(Client::new(
            Arc::new(CreatesAtOnce(emu.clone())) as Arc<dyn Api>,
            |_| None,
            crate::backend::client::RetryPolicy::default(),
        ));
        let calls =
            |client: &Client, op: Operation| client.stats().calls.get(&op).copied().unwrap_or(0);
        let report = apply(
            &plan,
            client.clone(),
            &ApplyOptions::default(),
            Arc::new(Recorder::default()),
            Arc::new(AtomicBool::new(false)),
        )
        .await
        .unwrap();
        assert!(report.succeeded(), "{:?}", report.failures);
        assert_eq!(calls(&client, Operation::CreateAccount), 7);
        assert_eq!(calls(&client, Operation::DescribeCreateAccountStatus), 0);
        // One look for an earlier attempt per creation at most (concurrent looks share one).
        assert!(calls(&client, Operation::ListCreateAccountStatus) <= 7);
        let state = emu.state();
        for i in 0..7 {
            let address: crate::addr::Address = format!("account.a{i}").parse().unwrap();
            let id = &report.created[&address];
            assert_eq!(state.accounts[id].name, format!("account-{i}"));
        }
    }

    /// Twenty new accounts at AWS's rates and latency: one list of the creations in progress
    /// per round serves all of them, so polling costs a few calls per account (it cost one
    /// DescribeCreateAccountStatus per creation per second, about sixty each).
    #[tokio::test(start_paused = true)]
    async fn polling_costs_a_few_calls_per_created_account() {
        let n = 20;
        let mut hcl = String::new();
        for i in 0..n {
            writeln!(hcl, "account \"a{i}\" {{\n  name   = \"account-{i}\"\n  email  = \"aws+{i}@example.com\"\n}}").unwrap();
        }
        let state = fresh_state(&InitOptions {
            latency_ms: 50,
            rate_limits: true,
            ..InitOptions::default()
        })
        .unwrap();
        let (emu, client, plan) = planned(&hcl, state, true).await;
        let polls = |emu: &Emulator| {
            let stats = emu.stats();
            ["DescribeCreateAccountStatus", "ListCreateAccountStatus"]
                .iter()
                .map(|op| stats.calls.get(*op).map_or(0, |c| c.calls))
                .sum::<u64>()
        };
        let before = polls(&emu);
        let report = apply(
            &plan,
            client,
            &ApplyOptions::default(),
            Arc::new(Recorder::default()),
            Arc::new(AtomicBool::new(false)),
        )
        .await
        .unwrap();
        assert!(report.succeeded(), "{:?}", report.failures);
        let per_account = (polls(&emu) - before) as f64 / n as f64;
        assert!(
            per_account <= 10.0,
            "{per_account} polling calls per account"
        );
    }
}
