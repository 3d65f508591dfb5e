//! The one way orgchard calls a backend: paced within each API's request rate, and retried
//! with capped, jittered exponential backoff when AWS says the failure is transient
//! (throttling, concurrent modification, 5xx, a finalizing organization). The reader and the
//! applier both go through a [`Client`], so they share one pacing and one retry policy.
//!
//! The pacing is adaptive, as the AWS SDKs' adaptive retry mode is: each operation has its own
//! token bucket whose rate follows what the service accepts. As in the SDKs, an operation is
//! not paced at all until the service first throttles it: a service that never does (moto) is
//! sent calls as fast as they are asked for from the first one, and one that does (AWS, the
//! emulator) engages the bucket at the rate table's rate for that operation, with the service's
//! own bucket taken as empty, so the throttled call and those after it go one interval apart.
//! The rate table is only where each operation's bucket starts. While calls wait in an
//! engaged bucket and the service accepts them, the rate goes up in small steps, after a hold
//! that grows with each step the service refused; a throttling response to a step brings the
//! rate back to the last one the service accepted, and one at an accepted rate cuts it by the
//! SDKs' factor of 0.7. Against a service that throttles at the table's rates (the emulator)
//! neither the first throttle nor a refused step costs throughput, since the service's own
//! bucket keeps filling and the throttled call is sent again in the next slot at once,
//! without a backoff.
//!
//! AWS, "Retry behavior", AWS SDKs and Tools Reference Guide
//! (docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html, read 2026-12-06):
//! adaptive mode adds client-side rate limiting to standard mode and "can delay the initial
//! request"; the SDKs' adaptive rate limiter (for example smithy-kotlin's
//! `AdaptiveRateLimiter`, same date) is a token bucket whose refill rate is updated from
//! successful and throttled transactions. The AWS SDK for Go v2's `retry.AdaptiveMode`
//! (same date): "The attempt rate limit is initially unrestricted, but becomes restricted
//! when the attempt fails with a throttle error"; smithy-typescript's `DefaultRateLimiter`
//! likewise starts disabled and enables its bucket on the first throttling error.
//!
//! Waiting uses tokio's clock, which the emulator runs paused: against it, backoff and pacing
//! cost virtual time only.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::time::Instant;

use crate::api::{Api, ApiError, ErrorKind, Operation, Request, Response, Scope};

/// Requests per second and burst size that orgchard keeps to for one API.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub per_second: f64,
    pub burst: f64,
}

/// Capped exponential backoff with full jitter.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// The first backoff's upper bound.
    pub base: Duration,
    /// No backoff is longer than this.
    pub cap: Duration,
    /// Attempts in all, the first included.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    /// Thirty attempts: a call gives up only when AWS keeps refusing it for minutes. Fewer
    /// are not enough for an apply of a few thousand calls under heavy contention: at 30%
    /// throttling, 20% conflicts and 10% server errors, twelve attempts all fail for one call
    /// in 450, thirty for one in five million.
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_millis(200),
            cap: Duration::from_secs(20),
            max_attempts: 30,
        }
    }
}

impl RetryPolicy {
    /// The longest wait before attempt `attempt` (1-based retries): `min(cap, base * 2^n)`.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 1u64.checked_shl(retry.min(30)).unwrap_or(u64::MAX);
        self.base
            .checked_mul(factor.min(u32::MAX as u64) as u32)
            .unwrap_or(self.cap)
            .min(self.cap)
    }
}

/// Counts of what a client did, for summaries and tests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientStats {
    pub calls: HashMap<Operation, u64>,
    /// Calls the service answered with throttling, per operation (counted in `calls` too).
    pub throttled: HashMap<Operation, u64>,
    pub retries: u64,
    /// Steps up the service refused with a throttling response, over all operations.
    pub refused_steps: u64,
    /// Cuts of a rate the service had accepted before.
    pub rate_cuts: u64,
    /// Each paced operation's accepted rate when the stats were taken, in calls a second.
    pub rates: HashMap<Operation, f64>,
}

/// How fast rates change, and within what.
mod adapt {
    /// A step up: the bucket is engaged only once the service has throttled, so its limit
    /// is near and approached in small steps.
    pub const STEP: f64 = 1.25;
    /// The cut on a throttling response at an accepted rate: the AWS SDKs' CUBIC beta.
    pub const BETA: f64 = 0.7;
    /// The least wait before stepping up again after a refused step; it doubles with each
    /// refusal, up to [`HOLD_MAX`], so a rate at the service's limit is probed rarely.
    pub const HOLD_MIN: f64 = 5.0;
    pub const HOLD_MAX: f64 = 300.0;
    /// Calls the service must accept at a rate before it counts as accepted, at least: a
    /// second's worth of calls when that is more.
    pub const CONFIRM: u32 = 2;
    /// Bounds of any rate, in calls a second (the SDKs' least fill rate is 0.5).
    pub const MIN_RATE: f64 = 0.5;
    pub const MAX_RATE: f64 = 1000.0;
}

/// One operation's token bucket and the rate it adapts.
///
/// The bucket is a virtual schedule (GCRA): `next` is when the next call may go, and a
/// caller reserves its slot at once and sleeps until it comes, so callers are served in the
/// order they arrive and a change of rate moves only the slots reserved after it.
#[derive(Debug)]
struct Pacer {
    /// Whether calls wait for their slot: not before the service first throttles this
    /// operation (an adaptive client), always for a fixed one.
    engaged: bool,
    /// The rate calls are sent at now (once engaged).
    rate: f64,
    /// The highest rate the service has accepted for a while with calls waiting (at first,
    /// the table's).
    accepted_rate: f64,
    burst: f64,
    /// When the next call may go, in seconds since the client's origin.
    next: f64,
    /// Bumped at every change of rate: a response to a call sent at an older rate says
    /// nothing about the current one.
    epoch: u64,
    /// Calls of this epoch the service accepted and throttled, and whether any caller waited
    /// in it.
    accepted: u32,
    throttled: u32,
    backlog: bool,
    /// No step up before this (seconds since the origin), and the hold that set it.
    probe_after: f64,
    hold: f64,
    /// Steps the service refused, and cuts at an accepted rate: for the stats.
    refused: u64,
    cuts: u64,
}

impl Pacer {
    fn new(start: Rate, adaptive: bool) -> Pacer {
        Pacer {
            engaged: !adaptive,
            rate: start.per_second,
            accepted_rate: start.per_second,
            burst: start.burst.max(1.0),
            next: f64::NEG_INFINITY,
            epoch: 0,
            accepted: 0,
            throttled: 0,
            backlog: false,
            probe_after: if adaptive { 0.0 } else { f64::INFINITY },
            hold: 0.0,
            refused: 0,
            cuts: 0,
        }
    }

    /// Reserves the next slot: how long to wait for it, and the epoch it belongs to.
    fn reserve(&mut self, now: f64) -> (f64, u64) {
        if !self.engaged {
            return (0.0, self.epoch);
        }
        let interval = 1.0 / self.rate;
        let at = self.next.max(now - (self.burst - 1.0) * interval);
        self.next = at + interval;
        let wait = (at - now).max(0.0);
        if wait > 0.0 {
            self.backlog = true;
        }
        (wait, self.epoch)
    }

    fn new_epoch(&mut self) {
        self.epoch += 1;
        self.accepted = 0;
        self.throttled = 0;
        self.backlog = false;
    }

    /// Calls the service must accept at the current rate before it counts as accepted: a
    /// second's worth, and at least two.
    fn confirm(&self) -> u32 {
        (self.rate.ceil() as u32).max(adapt::CONFIRM)
    }

    /// The service answered a call sent in `epoch` with something other than throttling.
    fn on_accepted(&mut self, epoch: u64, now: f64) {
        // Unpaced, nobody waits: there is no rate to confirm.
        if epoch != self.epoch || !self.engaged {
            return;
        }
        self.accepted += 1;
        let confirm = self.confirm();
        // A rate counts as accepted only once callers had to wait for it: only then was the
        // service really sent that much.
        if self.accepted < confirm || !self.backlog {
            return;
        }
        self.accepted_rate = self.accepted_rate.max(self.rate);
        if now >= self.probe_after && self.rate < adapt::MAX_RATE {
            self.rate = (self.rate * adapt::STEP).min(adapt::MAX_RATE);
            // Slots already reserved keep their places; the next one need not wait behind
            // them at the old spacing.
            self.next = self.next.min(now + 1.0 / self.rate);
            self.new_epoch();
        }
    }

    /// The service throttled a call sent in `epoch`; whether the caller should still back
    /// off before sending it again (not when the rate already came down since).
    fn on_throttled(&mut self, epoch: u64, now: f64) -> bool {
        if !self.engaged {
            // The first throttling response: pacing starts at the table's rate, held there
            // for a while as after a refused step. The service's bucket has just run dry, so
            // the next slot is one interval away; this call takes it, without a backoff.
            self.engaged = true;
            self.rate = self.accepted_rate;
            self.hold = adapt::HOLD_MIN;
            self.probe_after = now + self.hold;
            self.next = now + 1.0 / self.rate;
            self.new_epoch();
            return false;
        }
        if epoch != self.epoch || !self.probe_after.is_finite() {
            return epoch == self.epoch;
        }
        if self.rate > self.accepted_rate {
            // A step the service refused: back to the rate it accepted, and hold longer.
            self.refused += 1;
            self.rate = self.accepted_rate;
            self.hold = (self.hold * 2.0).clamp(adapt::HOLD_MIN, adapt::HOLD_MAX);
            self.probe_after = now + self.hold;
            self.new_epoch();
            return false;
        }
        // Throttled at a rate it accepted before. Until the rate has held a second, calls
        // reserved at an older rate are still arriving; and a single throttle can be the
        // timer's rounding at the service's exact limit. Two after that mean the limit is
        // lower now (or shared).
        self.throttled += 1;
        if self.accepted < self.confirm() || self.throttled < 2 {
            return false;
        }
        self.cuts += 1;
        self.rate = (self.rate * adapt::BETA).max(adapt::MIN_RATE);
        self.accepted_rate = self.rate;
        self.probe_after = now + self.hold.max(adapt::HOLD_MIN);
        self.new_epoch();
        true
    }
}

/// Where a call was paced: the operation and the epoch of its slot.
#[derive(Debug, Clone, Copy)]
struct Ticket {
    op: Operation,
    epoch: u64,
}

/// A paced, retrying handle on a backend.
pub struct Client {
    api: Arc<dyn Api>,
    rates: Box<dyn Fn(Operation) -> Option<Rate> + Send + Sync>,
    adaptive: bool,
    retry: RetryPolicy,
    origin: Instant,
    pacers: Mutex<HashMap<Operation, Pacer>>,
    rng: Mutex<ChaCha8Rng>,
    stats: Mutex<ClientStats>,
}

impl ClientStats {
    /// Calls the service did not throttle, per operation.
    pub fn accepted(&self) -> HashMap<Operation, u64> {
        self.calls
            .iter()
            .map(|(op, n)| (*op, n - self.throttled.get(op).copied().unwrap_or(0)))
            .collect()
    }
}

impl Client {
    /// A client that paces each operation starting from `rates` (None: unpaced) and adapts
    /// the rate to what the service accepts.
    pub fn new(
        api: Arc<dyn Api>,
        rates: impl Fn(Operation) -> Option<Rate> + Send + Sync + 'static,
        retry: RetryPolicy,
    ) -> Client {
        Client {
            api,
            rates: Box::new(rates),
            adaptive: true,
            retry,
            origin: Instant::now(),
            pacers: Mutex::new(HashMap::new()),
            rng: Mutex::new(ChaCha8Rng::from_os_rng()),
            stats: Mutex::new(ClientStats::default()),
        }
    }

    /// Keeps every operation at its starting rate: for tests of the pacing itself.
    pub fn fixed(mut self) -> Client {
        self.adaptive = false;
        self
    }

    /// Makes backoff jitter reproducible: against the emulator, whose faults are drawn per
    /// call in order, the same seeds then give the same calls, faults and outcome.
    pub fn with_seed(self, seed: u64) -> Client {
        *self.rng.lock().expect("rng lock") = ChaCha8Rng::seed_from_u64(seed);
        self
    }

    /// The rate this client keeps to for `op` now (None: unpaced): the highest the service
    /// has accepted, which is the table's until the client learns better.
    pub fn rate(&self, op: Operation) -> Option<Rate> {
        let start = (self.rates)(op)?;
        let pacers = self.pacers.lock().expect("pacer lock");
        Some(match pacers.get(&op) {
            Some(p) => Rate {
                per_second: p.accepted_rate,
                burst: start.burst,
            },
            None => start,
        })
    }

    pub fn api(&self) -> &Arc<dyn Api> {
        &self.api
    }

    pub fn stats(&self) -> ClientStats {
        let mut stats = self.stats.lock().expect("stats lock").clone();
        for (op, p) in self.pacers.lock().expect("pacer lock").iter() {
            stats.refused_steps += p.refused;
            stats.rate_cuts += p.cuts;
            stats.rates.insert(*op, p.accepted_rate);
        }
        stats
    }

    /// Like [`Api::call`], but a 5xx is returned instead of retried: for requests that are not
    /// safe to repeat blindly (CreateAccount), whose caller looks before sending again.
    /// Throttling and concurrent modification are still retried: AWS rejects those before
    /// doing anything.
    pub async fn call_once(&self, scope: &Scope, request: Request) -> Result<Response, ApiError> {
        self.send(scope, request, false).await
    }

    fn now(&self) -> f64 {
        Instant::now().duration_since(self.origin).as_secs_f64()
    }

    /// Sends `request`, pacing it and retrying transient failures. A simulated crash and
    /// final errors are returned at once.
    async fn send(
        &self,
        scope: &Scope,
        request: Request,
        retry_transient: bool,
    ) -> Result<Response, ApiError> {
        let op = request.operation();
        let mut retry = 0;
        loop {
            let ticket = self.pace(op).await;
            *self
                .stats
                .lock()
                .expect("stats lock")
                .calls
                .entry(op)
                .or_default() += 1;
            let result = self.api.call(scope, request.clone()).await;
            let back_off = match &result {
                Err(err) if err.kind == ErrorKind::Throttling => {
                    *self
                        .stats
                        .lock()
                        .expect("stats lock")
                        .throttled
                        .entry(op)
                        .or_default() += 1;
                    self.throttled(ticket)
                }
                _ => {
                    self.accepted(ticket);
                    true
                }
            };
            match result {
                Ok(response) => return Ok(response),
                Err(err)
                    if err.is_retryable()
                        && (retry_transient || err.kind != ErrorKind::Transient)
                        && retry + 1 < self.retry.max_attempts =>
                {
                    retry += 1;
                    self.stats.lock().expect("stats lock").retries += 1;
                    if !back_off {
                        // The rate already came down since this call was sent: its next slot
                        // is the wait.
                        continue;
                    }
                    let ceiling = self.retry.ceiling(retry);
                    let wait = {
                        let mut rng = self.rng.lock().expect("rng lock");
                        // Throttling gets at least half the ceiling: hammering a throttled API
                        // with near-zero waits only earns more throttling.
                        let floor = if err.kind == ErrorKind::Throttling {
                            ceiling / 2
                        } else {
                            Duration::ZERO
                        };
                        floor + ceiling.saturating_sub(floor).mul_f64(rng.random::<f64>())
                    };
                    tokio::time::sleep(wait).await;
                }
                Err(err) => return Err(err),
            }
        }
    }

    fn accepted(&self, ticket: Option<Ticket>) {
        let Some(t) = ticket else { return };
        let now = self.now();
        if let Some(p) = self.pacers.lock().expect("pacer lock").get_mut(&t.op) {
            p.on_accepted(t.epoch, now);
        }
    }

    fn throttled(&self, ticket: Option<Ticket>) -> bool {
        let Some(t) = ticket else { return true };
        let now = self.now();
        match self.pacers.lock().expect("pacer lock").get_mut(&t.op) {
            Some(p) => p.on_throttled(t.epoch, now),
            None => true,
        }
    }

    /// Waits until `op` may be sent within its rate, and says which rate it was sent at.
    ///
    /// Each caller reserves its slot at once and sleeps until it comes: callers are served in
    /// the order they arrive, so none starves, and nobody checks the bucket again after
    /// sleeping. Checking again would spin: tokio's timer has millisecond ticks, so a wake-up
    /// can come a hair before the deadline and find the token still short by a rounding
    /// error.
    async fn pace(&self, op: Operation) -> Option<Ticket> {
        let start = (self.rates)(op)?;
        let (wait, epoch) = {
            let now = self.now();
            let mut pacers = self.pacers.lock().expect("pacer lock");
            pacers
                .entry(op)
                .or_insert_with(|| Pacer::new(start, self.adaptive))
                .reserve(now)
        };
        if wait > 0.0 {
            tokio::time::sleep(Duration::from_secs_f64(wait)).await;
        }
        Some(Ticket { op, epoch })
    }
}

/// A client is itself an [`Api`], so the typed [`super::ApiExt`] calls work on it.
#[async_trait]
impl Api for Client {
    async fn call(&self, scope: &Scope, request: Request) -> Result<Response, ApiError> {
        self.send(scope, request, true).await
    }

    fn describe(&self) -> String {
        self.api.describe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ListRootsInput, ListRootsOutput};
    use futures::stream::{self, StreamExt};
    use std::sync::atomic::{AtomicU32, Ordering};

    /// Fails the first `fail` calls with `code`, then answers.
    struct Flaky {
        fail: u32,
        code: &'static str,
        seen: AtomicU32,
    }

    #[async_trait]
    impl Api for Flaky {
        async fn call(&self, _scope: &Scope, request: Request) -> Result<Response, ApiError> {
            let n = self.seen.fetch_add(1, Ordering::SeqCst);
            if n < self.fail {
                Err(ApiError::new(request.operation(), self.code, "try later"))
            } else {
                Ok(Response::ListRoots(ListRootsOutput::default()))
            }
        }
        fn describe(&self) -> String {
            "flaky".into()
        }
    }

    fn flaky(fail: u32, code: &'static str) -> Arc<Flaky> {
        Arc::new(Flaky {
            fail,
            code,
            seen: AtomicU32::new(0),
        })
    }

    #[tokio::test(start_paused = true)]
    async fn retries_transient_errors_then_succeeds() {
        let api = flaky(3, "ConcurrentModificationException");
        let client = Client::new(api.clone(), |_| None, RetryPolicy::default()).with_seed(1);
        let start = Instant::now();
        client
            .call(
                &Scope::Management,
                Request::ListRoots(ListRootsInput::default()),
            )
            .await
            .unwrap();
        assert_eq!(api.seen.load(Ordering::SeqCst), 4);
        assert_eq!(client.stats().retries, 3);
        // Three backoffs, each at most its ceiling: 400ms + 800ms + 1.6s.
        assert!(start.elapsed() <= Duration::from_millis(2800));
    }

    #[tokio::test(start_paused = true)]
    async fn final_errors_are_not_retried() {
        let api = flaky(1, "DuplicateOrganizationalUnitException");
        let client = Client::new(api.clone(), |_| None, RetryPolicy::default());
        let err = client
            .call(
                &Scope::Management,
                Request::ListRoots(ListRootsInput::default()),
            )
            .await
            .unwrap_err();
        assert_eq!(err.code, "DuplicateOrganizationalUnitException");
        assert_eq!(api.seen.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_after_max_attempts() {
        let api = flaky(100, "TooManyRequestsException");
        let policy = RetryPolicy {
            max_attempts: 4,
            ..RetryPolicy::default()
        };
        let client = Client::new(api.clone(), |_| None, policy);
        let err = client
            .call(
                &Scope::Management,
                Request::ListRoots(ListRootsInput::default()),
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Throttling);
        assert_eq!(api.seen.load(Ordering::SeqCst), 4);
    }

    #[tokio::test(start_paused = true)]
    async fn pacing_keeps_to_the_rate() {
        let api = flaky(0, "");
        let client = Client::new(
            api.clone(),
            |_| {
                Some(Rate {
                    per_second: 2.0,
                    burst: 1.0,
                })
            },
            RetryPolicy::default(),
        )
        .fixed();
        let start = Instant::now();
        for _ in 0..5 {
            client
                .call(
                    &Scope::Management,
                    Request::ListRoots(ListRootsInput::default()),
                )
                .await
                .unwrap();
        }
        // One call at once, then four more at 2/s.
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(2000), "{elapsed:?}");
        assert!(elapsed < Duration::from_millis(2100), "{elapsed:?}");
    }

    /// Many concurrent callers at a rate whose intervals are not whole milliseconds: each is
    /// served once, in turn (the old check-again loop spun forever here on a rounding error).
    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_the_rate_without_spinning() {
        let api = flaky(0, "");
        let client = Arc::new(
            Client::new(
                api.clone(),
                |_| {
                    Some(Rate {
                        per_second: 3.0,
                        burst: 2.0,
                    })
                },
                RetryPolicy::default(),
            )
            .fixed(),
        );
        let start = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..31 {
            let c = client.clone();
            tasks.spawn(async move {
                c.call(
                    &Scope::Management,
                    Request::ListRoots(ListRootsInput::default()),
                )
                .await
                .unwrap();
            });
        }
        while let Some(r) = tasks.join_next().await {
            r.unwrap();
        }
        assert_eq!(api.seen.load(Ordering::SeqCst), 31);
        // Two at once from the burst, then 29 more at 3/s.
        let elapsed = start.elapsed().as_secs_f64();
        assert!(
            (29.0 / 3.0..29.0 / 3.0 + 0.01).contains(&elapsed),
            "{elapsed}"
        );
    }

    /// A service that accepts `per_second` calls a second with a burst of `burst`, and
    /// throttles the rest, as AWS and the emulator do.
    struct Limited {
        per_second: f64,
        burst: f64,
        bucket: Mutex<(f64, Option<Instant>)>,
        throttled: AtomicU32,
    }

    #[async_trait]
    impl Api for Limited {
        async fn call(&self, _scope: &Scope, request: Request) -> Result<Response, ApiError> {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let now = Instant::now();
            let mut b = self.bucket.lock().unwrap();
            let last = b.1.unwrap_or(now);
            b.0 = (b.0 + now.duration_since(last).as_secs_f64() * self.per_second).min(self.burst);
            b.1 = Some(now);
            if b.0 >= 1.0 {
                b.0 -= 1.0;
                Ok(Response::ListRoots(ListRootsOutput::default()))
            } else {
                self.throttled.fetch_add(1, Ordering::SeqCst);
                Err(ApiError::new(
                    request.operation(),
                    "TooManyRequestsException",
                    "slow down",
                ))
            }
        }
        fn describe(&self) -> String {
            "limited".into()
        }
    }

    fn limited(per_second: f64, burst: f64) -> Arc<Limited> {
        Arc::new(Limited {
            per_second,
            burst,
            bucket: Mutex::new((burst, None)),
            throttled: AtomicU32::new(0),
        })
    }

    /// `n` calls from `callers` concurrent callers; the virtual time they took.
    async fn run(client: &Arc<Client>, n: usize, callers: usize) -> f64 {
        let start = Instant::now();
        let client = client.clone();
        stream::iter(0..n)
            .map(|_| {
                let c = client.clone();
                async move {
                    c.call(
                        &Scope::Management,
                        Request::ListRoots(ListRootsInput::default()),
                    )
                    .await
                    .unwrap();
                }
            })
            .buffer_unordered(callers)
            .collect::<Vec<_>>()
            .await;
        start.elapsed().as_secs_f64()
    }

    fn table(per_second: f64, burst: f64) -> impl Fn(Operation) -> Option<Rate> {
        move |_| Some(Rate { per_second, burst })
    }

    /// A service at exactly the table's rate: steps up are refused and cost no throughput,
    /// since the throttled calls go again in the next slot, and the rate stays accepted.
    #[tokio::test(start_paused = true)]
    async fn at_the_services_limit_refused_steps_cost_no_throughput() {
        let api = limited(5.0, 10.0);
        let client = Arc::new(Client::new(
            api.clone(),
            table(5.0, 10.0),
            RetryPolicy::default(),
        ));
        let took = run(&client, 1000, 8).await;
        println!("1000 calls in {took:.2} s: {:?}", client.stats());
        let bound = (1000.0 - 10.0) / 5.0;
        assert!(took <= bound * 1.02, "took {took:.1} s, bound {bound:.1} s");
        let stats = client.stats();
        assert_eq!(stats.rate_cuts, 0, "{stats:?}");
        // Steps are tried at longer and longer intervals: a handful over 200 s.
        assert!(
            (1..=8).contains(&stats.refused_steps),
            "{} refused steps",
            stats.refused_steps
        );
        assert_eq!(client.rate(Operation::ListRoots).unwrap().per_second, 5.0);
    }

    /// A service slower than the table: throttled at the table's rate, the client cuts its
    /// rate below the service's and still gets most of it.
    #[tokio::test(start_paused = true)]
    async fn a_service_slower_than_the_table_cuts_the_rate() {
        let api = limited(2.0, 4.0);
        let client = Arc::new(Client::new(
            api.clone(),
            table(5.0, 10.0),
            RetryPolicy::default(),
        ));
        let took = run(&client, 400, 8).await;
        println!("400 calls in {took:.2} s: {:?}", client.stats());
        let bound = (400.0 - 4.0) / 2.0;
        assert!(took <= bound * 1.3, "took {took:.1} s, bound {bound:.1} s");
        let rate = client.rate(Operation::ListRoots).unwrap().per_second;
        assert!((1.2..=2.0).contains(&rate), "{rate}");
        assert!(client.stats().rate_cuts >= 1);
    }

    /// A service faster than the table: found by steps up after the first refusal too.
    #[tokio::test(start_paused = true)]
    async fn a_service_faster_than_the_table_is_found() {
        let api = limited(12.0, 10.0);
        let client = Arc::new(Client::new(
            api.clone(),
            table(5.0, 10.0),
            RetryPolicy::default(),
        ));
        let took = run(&client, 1200, 8).await;
        println!("1200 calls in {took:.2} s: {:?}", client.stats());
        let bound = (1200.0 - 10.0) / 12.0;
        // The table's rate would take 238 s.
        assert!(took <= bound * 1.3, "took {took:.1} s, bound {bound:.1} s");
        let rate = client.rate(Operation::ListRoots).unwrap().per_second;
        assert!(rate > 8.0 && rate <= 12.0, "{rate}");
    }

    /// As in the SDKs' adaptive mode, an operation the service has never throttled is not
    /// paced at all: against an endpoint that never throttles, calls go as fast as they are
    /// asked for from the first one, not at the table's rate while it steps up.
    #[tokio::test(start_paused = true)]
    async fn an_operation_never_throttled_is_not_paced() {
        let api = flaky(0, "");
        let client = Arc::new(Client::new(
            api.clone(),
            table(1.0, 1.0),
            RetryPolicy::default(),
        ));
        let took = run(&client, 100, 5).await;
        assert_eq!(took, 0.0, "{:?}", client.stats());
        assert_eq!(api.seen.load(Ordering::SeqCst), 100);
        // The table's rate is still where pacing would start.
        assert_eq!(client.rate(Operation::ListRoots).unwrap().per_second, 1.0);
    }

    /// The first throttling response engages the bucket at the table's rate, with the
    /// service's own bucket taken as empty: the calls after it go one interval apart, so
    /// only the first wave beyond the service's burst is throttled, and no rate is cut.
    #[tokio::test(start_paused = true)]
    async fn the_first_throttle_engages_the_tables_rate() {
        let api = limited(2.0, 4.0);
        let client = Arc::new(Client::new(
            api.clone(),
            table(2.0, 4.0),
            RetryPolicy::default(),
        ));
        let took = run(&client, 40, 8).await;
        println!("40 calls in {took:.2} s: {:?}", client.stats());
        let stats = client.stats();
        // Only the calls sent before the first throttling answer came back (two waves of
        // the eight callers, beyond the service's burst of four), and a few at each step up
        // the service refuses; after that, paced.
        assert!(
            api.throttled.load(Ordering::SeqCst) <= 16,
            "{} throttled: {stats:?}",
            api.throttled.load(Ordering::SeqCst)
        );
        assert_eq!(stats.rate_cuts, 0, "{stats:?}");
        let bound = (40.0 - 4.0) / 2.0;
        assert!(took <= bound * 1.05, "took {took:.1} s, bound {bound:.1} s");
    }

    /// A fixed client paces from the first call, throttled or not.
    #[tokio::test(start_paused = true)]
    async fn a_fixed_client_paces_from_the_first_call() {
        let api = flaky(0, "");
        let client = Arc::new(Client::new(api, table(2.0, 1.0), RetryPolicy::default()).fixed());
        let took = run(&client, 11, 4).await;
        assert!((5.0..5.1).contains(&took), "{took}");
    }

    #[test]
    fn backoff_ceiling_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.ceiling(1), Duration::from_millis(400));
        assert_eq!(p.ceiling(3), Duration::from_millis(1600));
        assert_eq!(p.ceiling(40), p.cap);
    }
}
