//! The one way orgchard calls a backend: paced within each API's request rate, and retried
//! with capped, jittered exponential backoff when AWS says the failure is transient
//! (throttling, concurrent modification, 5xx, a finalizing organization). The reader and the
//! applier both go through a [`Client`], so they share one pacing and one retry policy.
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

use super::{Api, ApiError, ErrorKind, Operation, Request, Response, Scope};

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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientStats {
    pub calls: HashMap<Operation, u64>,
    pub retries: u64,
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

/// A paced, retrying handle on a backend.
pub struct Client {
    api: Arc<dyn Api>,
    rates: Box<dyn Fn(Operation) -> Option<Rate> + Send + Sync>,
    retry: RetryPolicy,
    buckets: Mutex<HashMap<Operation, Bucket>>,
    rng: Mutex<ChaCha8Rng>,
    stats: Mutex<ClientStats>,
}

impl Client {
    /// A client that paces each operation with `rates` (None: unpaced).
    pub fn new(
        api: Arc<dyn Api>,
        rates: impl Fn(Operation) -> Option<Rate> + Send + Sync + 'static,
        retry: RetryPolicy,
    ) -> Client {
        Client {
            api,
            rates: Box::new(rates),
            retry,
            buckets: Mutex::new(HashMap::new()),
            rng: Mutex::new(ChaCha8Rng::from_os_rng()),
            stats: Mutex::new(ClientStats::default()),
        }
    }

    /// Makes backoff jitter reproducible: against the emulator, whose faults are drawn per
    /// call in order, the same seeds then give the same calls, faults and outcome.
    pub fn with_seed(self, seed: u64) -> Client {
        *self.rng.lock().expect("rng lock") = ChaCha8Rng::seed_from_u64(seed);
        self
    }

    /// The rate this client keeps to for `op` (None: unpaced).
    pub fn rate(&self, op: Operation) -> Option<Rate> {
        (self.rates)(op)
    }

    pub fn api(&self) -> &Arc<dyn Api> {
        &self.api
    }

    pub fn stats(&self) -> ClientStats {
        self.stats.lock().expect("stats lock").clone()
    }

    /// Like [`Api::call`], but a 5xx is returned instead of retried: for requests that are not
    /// safe to repeat blindly (CreateAccount), whose caller looks before sending again.
    /// Throttling and concurrent modification are still retried: AWS rejects those before
    /// doing anything.
    pub async fn call_once(&self, scope: &Scope, request: Request) -> Result<Response, ApiError> {
        self.send(scope, request, false).await
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
            self.pace(op).await;
            *self
                .stats
                .lock()
                .expect("stats lock")
                .calls
                .entry(op)
                .or_default() += 1;
            match self.api.call(scope, request.clone()).await {
                Ok(response) => return Ok(response),
                Err(err)
                    if err.is_retryable()
                        && (retry_transient || err.kind != ErrorKind::Transient)
                        && retry + 1 < self.retry.max_attempts =>
                {
                    retry += 1;
                    self.stats.lock().expect("stats lock").retries += 1;
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

    /// Waits until `op` may be sent within its rate.
    ///
    /// Each caller reserves its slot at once (the bucket may go negative) and sleeps until
    /// it comes: callers are served in the order they arrive, so none starves, and nobody
    /// checks the bucket again after sleeping. Checking again would spin: tokio's timer has
    /// millisecond ticks, so a wake-up can come a hair before the deadline and find the
    /// token still short by a rounding error.
    pub async fn pace(&self, op: Operation) {
        let Some(rate) = (self.rates)(op) else {
            return;
        };
        let wait = {
            let mut buckets = self.buckets.lock().expect("bucket lock");
            let now = Instant::now();
            let bucket = buckets.entry(op).or_insert(Bucket {
                tokens: rate.burst,
                last: now,
            });
            let elapsed = now.duration_since(bucket.last).as_secs_f64();
            bucket.tokens = (bucket.tokens + elapsed * rate.per_second).min(rate.burst);
            bucket.last = now;
            bucket.tokens -= 1.0;
            if bucket.tokens >= 0.0 {
                return;
            }
            Duration::from_secs_f64(-bucket.tokens / rate.per_second)
        };
        tokio::time::sleep(wait).await;
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
    use crate::backend::{ListRootsInput, ListRootsOutput};
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
        );
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
        let client = Arc::new(Client::new(
            api.clone(),
            |_| {
                Some(Rate {
                    per_second: 3.0,
                    burst: 2.0,
                })
            },
            RetryPolicy::default(),
        ));
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

    #[test]
    fn backoff_ceiling_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.ceiling(1), Duration::from_millis(400));
        assert_eq!(p.ceiling(3), Duration::from_millis(1600));
        assert_eq!(p.ceiling(40), p.cap);
    }
}
