//! Waiting as values, in the style of kube-runtime's backoffs: how long to wait between two
//! tries of something and when to give up is a [`Backoff`] carried in the apply's options,
//! and one loop, [`Backoff::retry`], serves every wait of an apply (a `CreateAccount` sent
//! again after a server error, a new account's member-access role not yet assumable, the
//! pace of account-creation status polls). Calls' own retries (throttling, conflicts) are the
//! client's.
//!
//! Waiting uses tokio's clock, which the emulator runs paused: against it, waits cost virtual
//! time only.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

/// When a [`Backoff`] gives up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// After this many tries in all, the first included.
    Attempts(u32),
    /// Once this long has passed since the first try (a try is never cut short).
    Within(Duration),
}

/// Exponential waits, from `first` growing by `factor` up to `max`, until `limit`.
#[derive(Debug, Clone, PartialEq)]
pub struct Backoff {
    /// The wait before the second try.
    pub first: Duration,
    /// Each wait is the one before times this (1: a steady pace).
    pub factor: f64,
    /// No wait is longer.
    pub max: Duration,
    pub limit: Limit,
}

/// What one try came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Attempt<T, E> {
    /// Finished, for better or worse: stop.
    Done(T),
    /// Not yet, for this reason: wait and try again, unless the limit is reached.
    Again(E),
}

/// The limit was reached; the last try's reason, and how many tries were made.
#[derive(Debug, Clone, PartialEq)]
pub struct GaveUp<E> {
    pub last: E,
    pub attempts: u32,
}

impl Backoff {
    /// A steady pace: `every` between tries, until `limit`.
    pub fn steady(every: Duration, limit: Limit) -> Backoff {
        Backoff {
            first: every,
            factor: 1.0,
            max: every,
            limit,
        }
    }

    /// The waits in order, without end (the limit is [`Backoff::retry`]'s to keep).
    pub fn waits(&self) -> impl Iterator<Item = Duration> + use<> {
        let (factor, max) = (self.factor.max(1.0), self.max);
        std::iter::successors(Some(self.first.min(max)), move |w| {
            Some(w.mul_f64(factor).min(max))
        })
    }

    /// The moment a wait that starts at `start` gives up, for [`Limit::Within`].
    pub fn deadline(&self, start: Instant) -> Option<Instant> {
        match self.limit {
            Limit::Within(d) => Some(start + d),
            Limit::Attempts(_) => None,
        }
    }

    /// Tries `attempt` (given the 1-based try number) until it is [`Attempt::Done`],
    /// waiting between tries; [`GaveUp`] with the last reason once the limit is reached. A
    /// wait that would end past a [`Limit::Within`] deadline is shortened to end at it, so
    /// that the last try comes at the deadline.
    pub async fn retry<T, E, F, Fut>(&self, mut attempt: F) -> Result<T, GaveUp<E>>
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Attempt<T, E>>,
    {
        let deadline = self.deadline(Instant::now());
        let mut waits = self.waits();
        let mut tries = 0;
        loop {
            tries += 1;
            let reason = match attempt(tries).await {
                Attempt::Done(t) => return Ok(t),
                Attempt::Again(e) => e,
            };
            let now = Instant::now();
            let over = match (self.limit, deadline) {
                (Limit::Attempts(n), _) => tries >= n,
                (Limit::Within(_), Some(d)) => now >= d,
                (Limit::Within(_), None) => false,
            };
            if over {
                return Err(GaveUp {
                    last: reason,
                    attempts: tries,
                });
            }
            let wait = waits.next().unwrap_or(self.max);
            let until = deadline.map_or(now + wait, |d| (now + wait).min(d));
            tokio::time::sleep_until(until).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doubling(limit: Limit) -> Backoff {
        Backoff {
            first: Duration::from_secs(1),
            factor: 2.0,
            max: Duration::from_secs(5),
            limit,
        }
    }

    #[test]
    fn waits_grow_to_the_max_and_stay() {
        let waits: Vec<u64> = doubling(Limit::Attempts(9))
            .waits()
            .take(6)
            .map(|w| w.as_secs())
            .collect();
        assert_eq!(waits, [1, 2, 4, 5, 5, 5]);
        let steady = Backoff::steady(Duration::from_millis(300), Limit::Attempts(3));
        assert!(
            steady
                .waits()
                .take(4)
                .all(|w| w == Duration::from_millis(300))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_after_its_attempts_with_the_last_reason() {
        let start = Instant::now();
        let r: Result<(), _> = doubling(Limit::Attempts(4))
            .retry(|n| async move { Attempt::Again(n) })
            .await;
        assert_eq!(
            r,
            Err(GaveUp {
                last: 4,
                attempts: 4
            })
        );
        // Three waits: 1 + 2 + 4 seconds.
        assert_eq!(start.elapsed(), Duration::from_secs(7));
    }

    #[tokio::test(start_paused = true)]
    async fn stops_as_soon_as_a_try_is_done() {
        let r: Result<u32, GaveUp<()>> = doubling(Limit::Attempts(10))
            .retry(|n| async move {
                if n == 3 {
                    Attempt::Done(n)
                } else {
                    Attempt::Again(())
                }
            })
            .await;
        assert_eq!(r, Ok(3));
    }

    #[tokio::test(start_paused = true)]
    async fn a_time_limit_makes_its_last_try_at_the_deadline() {
        let start = Instant::now();
        let mut at = Vec::new();
        let r: Result<(), _> = doubling(Limit::Within(Duration::from_secs(9)))
            .retry(|_| {
                at.push(start.elapsed().as_secs());
                async { Attempt::Again("not yet") }
            })
            .await;
        assert_eq!(r.unwrap_err().last, "not yet");
        // 1, 2 and 4 seconds apart, then cut short to end at the deadline.
        assert_eq!(at, [0, 1, 3, 7, 9]);
    }
}
