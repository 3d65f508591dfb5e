//! Request rates and fault injection: AWS's per-API throttling as token buckets on the
//! emulator's clock, and seeded random faults.
//!
//! The buckets refill with the emulator's virtual milliseconds, the clock account creation
//! and quotas count: tokio's paused clock in tests and the CLI, real time times
//! `--time-scale` when served, so that at 60 a limit of one call per second admits sixty per
//! real second, as an account creation of a minute takes one.
//!
//! The rates come from the one table in [`crate::backend::rates`], the same one the client
//! paces its calls with, so that orgchard's pacing and the emulator's throttling cannot drift
//! apart. Each operation has its own bucket.

use std::collections::HashMap;

use crate::api::Operation;
use crate::backend::rates::aws_rate_of;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::state::Faults;

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    /// The emulator's time of the last refill, in virtual milliseconds.
    last_ms: u64,
}

/// One token bucket per operation.
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: HashMap<Operation, Bucket>,
}

impl RateLimiter {
    /// Takes a token for `op` at the emulator's time `now_ms`; false when the bucket is empty
    /// (the call is throttled).
    pub fn try_acquire(&mut self, op: Operation, now_ms: u64) -> bool {
        let rate = aws_rate_of(op);
        let (rate, burst) = (rate.per_second, rate.burst);
        let bucket = self.buckets.entry(op).or_insert(Bucket {
            tokens: burst,
            last_ms: now_ms,
        });
        // Calls read the clock before they take the emulator's lock, so one may arrive with
        // a time a little before the last refill: it refills nothing.
        let refill = now_ms.saturating_sub(bucket.last_ms) as f64 / 1000.0 * rate;
        bucket.tokens = (bucket.tokens + refill).min(burst);
        bucket.last_ms = bucket.last_ms.max(now_ms);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// A fault to inject instead of performing a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Throttle,
    Concurrent,
    Server,
}

/// Draws this call's fault, if any, from its own stream of the seed: the n-th call of a run
/// sees the same fault for the same seed, whatever happened before.
pub fn draw_fault(faults: &mut Faults, seed: u64) -> Option<Fault> {
    if faults.throttle <= 0.0 && faults.concurrent <= 0.0 && faults.server <= 0.0 {
        return None;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6f72_6763_6861_7264);
    rng.set_stream(faults.draws);
    faults.draws += 1;
    let x: f64 = rng.random();
    if x < faults.throttle {
        Some(Fault::Throttle)
    } else if x < faults.throttle + faults.concurrent {
        Some(Fault::Concurrent)
    } else if x < faults.throttle + faults.concurrent + faults.server {
        Some(Fault::Server)
    } else {
        None
    }
}

/// Why a `--faults` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid --faults {spec:?}: {message}; accepted: comma-separated throttle=R, concurrent=R, \
     server=R (probabilities from 0 to 1) and crash_after=N (a whole number of mutating calls)"
)]
pub struct FaultSpecError {
    pub spec: String,
    pub message: String,
}

/// Parses `throttle=R,concurrent=R,server=R,crash_after=N` (any subset, any order).
pub fn parse_faults(spec: &str) -> Result<Faults, FaultSpecError> {
    let fail = |message: String| FaultSpecError {
        spec: spec.to_string(),
        message,
    };
    let mut faults = Faults::default();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = part
            .split_once('=')
            .ok_or_else(|| fail(format!("{part:?} is not KEY=VALUE")))?;
        let prob = |v: &str| -> Result<f64, FaultSpecError> {
            match v.parse::<f64>() {
                Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
                _ => Err(fail(format!("{key}={v} is not a probability from 0 to 1"))),
            }
        };
        match key {
            "throttle" => faults.throttle = prob(value)?,
            "concurrent" => faults.concurrent = prob(value)?,
            "server" => faults.server = prob(value)?,
            "crash_after" => {
                let n = value
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        fail(format!(
                            "crash_after={value} is not a positive whole number"
                        ))
                    })?;
                faults.crash_after = Some(n);
            }
            other => return Err(fail(format!("unknown fault {other:?}"))),
        }
    }
    if faults.throttle + faults.concurrent + faults.server > 1.0 {
        return Err(fail("the probabilities add up to more than 1".into()));
    }
    Ok(faults)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_specs_parse_and_reject() {
        let f = parse_faults("throttle=0.1,server=0.05,crash_after=3").unwrap();
        assert_eq!(f.throttle, 0.1);
        assert_eq!(f.server, 0.05);
        assert_eq!(f.concurrent, 0.0);
        assert_eq!(f.crash_after, Some(3));
        assert!(parse_faults("throttle=2").is_err());
        assert!(parse_faults("crash_after=-1").is_err());
        let e = parse_faults("boom=1").unwrap_err();
        assert!(e.to_string().contains("unknown fault \"boom\""), "{e}");
        assert!(e.to_string().contains("accepted"), "{e}");
    }

    #[test]
    fn fault_draws_are_reproducible() {
        let spec = parse_faults("throttle=0.3,concurrent=0.3").unwrap();
        let run = || {
            let mut f = spec.clone();
            (0..50).map(|_| draw_fault(&mut f, 7)).collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        assert!(a.contains(&Some(Fault::Throttle)));
        assert!(a.contains(&None));
    }

    #[test]
    fn buckets_refill_on_the_emulators_clock() {
        let mut limiter = RateLimiter::default();
        let burst = aws_rate_of(Operation::ListRoots).burst;
        for _ in 0..burst as usize {
            assert!(limiter.try_acquire(Operation::ListRoots, 1_000));
        }
        assert!(!limiter.try_acquire(Operation::ListRoots, 1_000));
        // Another operation has its own bucket.
        assert!(limiter.try_acquire(Operation::ListAccounts, 1_000));
        // A call that read the clock just before the last refill refills nothing.
        assert!(!limiter.try_acquire(Operation::ListRoots, 999));
        assert!(limiter.try_acquire(Operation::ListRoots, 1_250));
    }
}
