//! The embedded AWS Organizations + IAM + STS emulator: AWS's rules, quotas, error codes and
//! rate limits on a virtual clock, with its whole state in one JSON file.
//!
//! A call goes through one pipeline ([`Emulator::call`]): it is counted, waits the configured
//! virtual latency, lets time-driven processes (account creation, closure) move on, takes a
//! token from its API's rate bucket, draws its injected fault, is authorized, and is then
//! performed by [`org`] or [`iam`] on the in-memory state. A mutating call that succeeds is
//! saved atomically before it returns; a rejected one changes nothing, in memory or on disk.

mod authz;
mod iam;
mod init;
mod limits;
mod org;
pub mod snapshot;
pub mod state;
pub mod store;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use super::{
    Api, ApiError, ConnectError, ConnectOptions, Operation, Request, Response, Scope, Service,
};

pub use authz::{CallPolicies, NamedDocument};
pub use init::{
    Builder, InitError, InitOptions, aws_managed_iam_policies, fresh_state, init, initial_state,
    quota_names,
};
pub use limits::{FaultSpecError, parse_faults};
pub use org::{ADMINISTRATOR_ACCESS, trust_policy_for};
pub use state::{CallCounter, QUOTAS, State};
pub use store::StoreError;

/// The state and what is derived from it: the part of the emulator a call mutates.
#[derive(Debug)]
pub(crate) struct Core {
    pub(crate) state: State,
    pub(crate) index: state::Index,
    /// The role assumed in member accounts (`ConnectOptions::member_access_role`).
    pub(crate) member_role: String,
    /// Policy documents parsed by the IAM engine, by kind and text: a call parses nothing
    /// it has seen before.
    pub(crate) parsed_policies:
        std::collections::HashMap<(String, String), std::sync::Arc<crate::iam::Policy>>,
}

impl Core {
    fn new(state: State, member_role: String) -> Core {
        let index = state::Index::build(&state);
        Core {
            state,
            index,
            member_role,
            parsed_policies: Default::default(),
        }
    }

    fn reindex(&mut self) {
        self.index = state::Index::build(&self.state);
    }

    /// Performs an authorized request.
    fn execute(
        &mut self,
        scope: &Scope,
        request: Request,
        now: u64,
    ) -> Result<(Response, bool), ApiError> {
        let result = match request.operation().service() {
            Service::Organizations | Service::Account => self.org_call(scope, request, now),
            Service::Iam | Service::Sts => self.iam_call(scope, request, now),
        };
        if let Ok((_, true)) = &result {
            self.reindex();
        }
        result
    }
}

/// Where the state lives: a locked file, or memory only.
struct Backing {
    path: PathBuf,
    _lock: store::Lock,
}

struct Inner {
    core: Core,
    limiter: limits::RateLimiter,
    /// Counters or the clock changed since the last save.
    dirty: bool,
}

/// An emulated organization backed by one state file (or by memory only).
pub struct Emulator {
    backing: Option<Backing>,
    inner: Mutex<Inner>,
    /// Virtual time of the state when it was opened, and the tokio instant it was opened at:
    /// the emulator's clock reads `base_ms + (now - opened)`.
    base_ms: u64,
    opened: Instant,
}

/// Calls an emulator received, per API, and its virtual time.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Stats {
    pub calls: BTreeMap<String, CallCounter>,
    pub reads: u64,
    pub mutations: u64,
    pub errors: u64,
    pub virtual_elapsed_ms: u64,
}

impl Stats {
    pub fn of(state: &State) -> Stats {
        let (mut reads, mut mutations, mut errors) = (0, 0, 0);
        for c in state.counters.values() {
            if c.mutating {
                mutations += c.calls;
            } else {
                reads += c.calls;
            }
            errors += c.errors;
        }
        Stats {
            calls: state.counters.clone(),
            reads,
            mutations,
            errors,
            virtual_elapsed_ms: state.clock.elapsed_ms,
        }
    }
}

impl Emulator {
    /// Opens (creating when missing, with a fresh organization as `init` does) and locks the
    /// state file.
    pub fn open(path: &Path, options: &ConnectOptions) -> Result<Emulator, ConnectError> {
        let fail = |message: String| ConnectError::Emulator {
            path: path.to_path_buf(),
            message,
        };
        let lock = store::lock(path).map_err(|e| fail(e.to_string()))?;
        let state = if path.exists() {
            store::load(path).map_err(|e| fail(e.to_string()))?
        } else {
            let state = fresh_state(&InitOptions::default()).map_err(|e| fail(e.to_string()))?;
            store::save(path, &state).map_err(|e| fail(e.to_string()))?;
            state
        };
        Ok(Emulator::with_backing(
            state,
            options,
            Some(Backing {
                path: path.to_path_buf(),
                _lock: lock,
            }),
        ))
    }

    /// An emulator over a state held in memory only (tests, benchmarks).
    pub fn in_memory(state: State, options: &ConnectOptions) -> Emulator {
        Emulator::with_backing(state, options, None)
    }

    fn with_backing(state: State, options: &ConnectOptions, backing: Option<Backing>) -> Emulator {
        let base_ms = state.clock.elapsed_ms;
        Emulator {
            backing,
            inner: Mutex::new(Inner {
                core: Core::new(state, options.member_access_role.clone()),
                limiter: limits::RateLimiter::default(),
                dirty: false,
            }),
            base_ms,
            opened: Instant::now(),
        }
    }

    fn now_ms(&self) -> u64 {
        self.base_ms + Instant::now().duration_since(self.opened).as_millis() as u64
    }

    fn lock_inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic in another call cannot leave the state half-changed (changes are made only
        // after every check passed), so a poisoned lock is safe to use.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The calls received so far, per API, and the virtual time.
    pub fn stats(&self) -> Stats {
        let mut inner = self.lock_inner();
        inner.core.state.clock.elapsed_ms = self.now_ms();
        Stats::of(&inner.core.state)
    }

    /// A copy of the current state.
    pub fn state(&self) -> State {
        self.lock_inner().core.state.clone()
    }

    /// The policies that govern a call in `scope` (for the pre-check and tests).
    pub fn call_policies(&self, scope: &Scope) -> Result<CallPolicies, ApiError> {
        self.lock_inner()
            .core
            .call_policies(Operation::GetCallerIdentity, scope)
    }

    /// Saves counters and the clock if they changed since the last save (virtual time that
    /// passed counts, so that creations in progress move on across runs).
    pub fn flush(&self) -> Result<(), StoreError> {
        let mut inner = self.lock_inner();
        let now = self.now_ms();
        if !inner.dirty && inner.core.state.clock.elapsed_ms == now {
            return Ok(());
        }
        inner.core.state.clock.elapsed_ms = now;
        self.save(&inner.core.state)?;
        inner.dirty = false;
        Ok(())
    }

    fn save(&self, state: &State) -> Result<(), StoreError> {
        match &self.backing {
            Some(b) => store::save(&b.path, state),
            None => Ok(()),
        }
    }

    fn perform(&self, scope: &Scope, request: Request) -> Result<Response, ApiError> {
        let op = request.operation();
        let now = self.now_ms();
        let mut guard = self.lock_inner();
        let inner = &mut *guard;
        let counter = inner
            .core
            .state
            .counters
            .entry(op.name().to_string())
            .or_default();
        counter.calls += 1;
        counter.mutating = op.is_mutating();
        inner.dirty = true;

        let progressed = inner.core.advance(now);
        if progressed {
            inner.core.reindex();
        }
        let result = self.checked(inner, scope, request, now, progressed);
        if result.is_err() {
            let counter = inner
                .core
                .state
                .counters
                .entry(op.name().to_string())
                .or_default();
            counter.errors += 1;
        }
        result
    }

    /// Rate limit, fault, authorization, execution and persistence of one call.
    fn checked(
        &self,
        inner: &mut Inner,
        scope: &Scope,
        request: Request,
        now: u64,
        progressed: bool,
    ) -> Result<Response, ApiError> {
        let op = request.operation();
        let core = &mut inner.core;
        if core.state.settings.rate_limits && !inner.limiter.try_acquire(op) {
            return Err(ApiError::new(
                op,
                "TooManyRequestsException",
                "You have sent too many requests in too short a period of time. The quota helps protect against denial-of-service attacks. Try again later.",
            ));
        }
        let seed = core.state.settings.seed;
        if let Some(fault) = limits::draw_fault(&mut core.state.faults, seed) {
            let (code, message) = match fault {
                limits::Fault::Throttle => (
                    "TooManyRequestsException",
                    "You have sent too many requests in too short a period of time. Try again later. (injected)",
                ),
                limits::Fault::Concurrent => (
                    "ConcurrentModificationException",
                    "The target of the operation is currently being modified by a different request. Try again later. (injected)",
                ),
                limits::Fault::Server => (
                    "ServiceException",
                    "Organizations can't complete your request because of an internal service error. Try again later. (injected)",
                ),
            };
            return Err(ApiError::new(op, code, message));
        }
        core.authorize(scope, &request)?;
        let (response, mutated) = match core.execute(scope, request, now) {
            Ok(r) => r,
            Err(e) => {
                if progressed {
                    // Time moved an account creation or closure on: keep that.
                    core.state.clock.elapsed_ms = now;
                    let _ = self.save(&core.state);
                }
                return Err(e);
            }
        };
        let mut crash = false;
        if mutated {
            let faults = &mut core.state.faults;
            if let Some(n) = faults.crash_after {
                faults.mutating_since_set += 1;
                if faults.mutating_since_set >= n {
                    // One-shot: cleared in the same save as the call's effect.
                    faults.crash_after = None;
                    faults.mutating_since_set = 0;
                    crash = true;
                }
            }
        }
        if mutated || progressed {
            core.state.clock.elapsed_ms = now;
            self.save(&core.state).map_err(|e| {
                ApiError::new(
                    op,
                    "ServiceException",
                    format!("the emulator could not save its state: {e}"),
                )
            })?;
            inner.dirty = false;
        }
        if crash {
            return Err(ApiError::new(
                op,
                "OrgchardSimulatedCrash",
                format!("simulated crash after this {op} call (its effect is saved)"),
            ));
        }
        Ok(response)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        // Best effort: the counters of read-only calls are saved when the emulator closes.
        let _ = self.flush();
    }
}

#[async_trait]
impl Api for Emulator {
    async fn call(&self, scope: &Scope, request: Request) -> Result<Response, ApiError> {
        let latency = self.lock_inner().core.state.settings.latency_ms;
        if latency > 0 {
            tokio::time::sleep(Duration::from_millis(latency)).await;
        }
        self.perform(scope, request)
    }

    fn describe(&self) -> String {
        match &self.backing {
            Some(b) => format!("emulator {}", b.path.display()),
            None => "emulator (in memory)".to_string(),
        }
    }
}
