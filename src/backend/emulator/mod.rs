//! The embedded AWS Organizations + IAM + STS emulator: AWS's rules, quotas, error codes and
//! rate limits on a virtual clock, with its whole state in one JSON file.
//!
//! A call goes through one pipeline ([`Emulator::call`]): it is counted, waits the configured
//! virtual latency, lets time-driven processes (account creation, closure) move on, takes a
//! token from its API's rate bucket, draws its injected fault, is authorized, and is then
//! performed by [`org`] or [`iam`] on the in-memory state. A mutating call that succeeds is
//! appended to the state's [`journal`] and fsynced before it returns (see [`store`] for how the
//! journal is compacted into the state file); a rejected one changes nothing, in memory or on
//! disk.

mod authz;
mod error;
mod iam;
mod init;
pub mod journal;
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

use super::{ConnectError, ConnectOptions};
use crate::api::{Api, ApiError, Operation, Request, Response, Scope, Service};

pub use crate::vocab::arn::ADMINISTRATOR_ACCESS;
pub use authz::{
    CallPolicies, NamedDocument, RoleSession, SESSION_TOKEN_PREFIX, session_credentials,
    session_secret,
};
pub use error::StoreError;
pub use init::{
    Builder, InitError, InitOptions, aws_managed_iam_policies, fresh_state, init, initial_state,
    quota_names,
};
pub use limits::{FaultSpecError, parse_faults};
pub use org::trust_policy_for;
pub use state::{CallCounter, State, default_quota};

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
    /// The role session making the call in progress, when `emulator serve` attributed it to
    /// one ([`Emulator::call_as`]); None for the configured caller. Who calls matters to
    /// authorization only, so the scope stays where the call acts and the journal, which
    /// replays where calls acted, never sees a session.
    pub(crate) session: Option<RoleSession>,
}

impl Core {
    fn new(state: State, member_role: String) -> Core {
        let index = state::Index::build(&state);
        Core {
            state,
            index,
            member_role,
            parsed_policies: Default::default(),
            session: None,
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
        let change = IndexChange::of(&request);
        let result = match request.operation().service() {
            Service::Organizations | Service::Account => self.org_call(scope, request, now),
            Service::Iam | Service::Sts => self.iam_call(scope, request, now),
        };
        if let Ok((response, true)) = &result {
            self.update_index(change, response);
        }
        result
    }

    /// Brings the index up to date after a call that changed the state.
    fn update_index(&mut self, change: IndexChange, response: &Response) {
        let (index, state) = (&mut self.index, &self.state);
        match (change, response) {
            (IndexChange::Nothing, _) => {}
            // A creation or closure now waits for time.
            (IndexChange::TimePending, _) => index.time_pending = true,
            (IndexChange::NewOu, Response::CreateOrganizationalUnit(o)) => {
                let id = &o.organizational_unit.id;
                if let Some(ou) = state.ous.get(id) {
                    index.add_target(state, id, &ou.parent_id, true);
                }
            }
            (IndexChange::NewPolicy, Response::CreatePolicy(o)) => {
                let id = &o.policy.policy_summary.id;
                if let Some(p) = state.policies.get(id) {
                    index.add_policy(id, &p.r#type);
                }
            }
            (IndexChange::Move { account, from, to }, _) => {
                index.move_account(&account, &from, &to)
            }
            (IndexChange::Attach { policy, target }, _) => {
                let attached = state
                    .attachments
                    .get(&policy)
                    .is_some_and(|t| t.contains(&target));
                index.set_attached(&policy, &target, attached);
            }
            _ => self.reindex(),
        }
        debug_assert!(
            self.index == state::Index::build(&self.state),
            "the index kept up to date differs from one built afresh"
        );
    }
}

/// What a mutating call changes in the [`state::Index`]: most calls one entry or none;
/// those that change many at once (deleting an OU or a policy, enabling a policy type) have
/// the index rebuilt.
enum IndexChange {
    Nothing,
    TimePending,
    NewOu,
    NewPolicy,
    Move {
        account: String,
        from: String,
        to: String,
    },
    /// An attachment added or removed.
    Attach {
        policy: String,
        target: String,
    },
    Rebuild,
}

impl IndexChange {
    fn of(request: &Request) -> IndexChange {
        match request {
            Request::CreateOrganizationalUnit(_) => IndexChange::NewOu,
            Request::CreatePolicy(_) => IndexChange::NewPolicy,
            Request::CreateAccount(_) | Request::CloseAccount(_) => IndexChange::TimePending,
            Request::MoveAccount(i) => IndexChange::Move {
                account: i.account_id.clone(),
                from: i.source_parent_id.clone(),
                to: i.destination_parent_id.clone(),
            },
            Request::AttachPolicy(i) => IndexChange::Attach {
                policy: i.policy_id.clone(),
                target: i.target_id.clone(),
            },
            Request::DetachPolicy(i) => IndexChange::Attach {
                policy: i.policy_id.clone(),
                target: i.target_id.clone(),
            },
            Request::TagResource(_)
            | Request::UntagResource(_)
            | Request::UpdateOrganizationalUnit(_)
            | Request::PutAccountName(_)
            | Request::UpdatePolicy(_)
            | Request::EnableAwsServiceAccess(_)
            | Request::DisableAwsServiceAccess(_)
            | Request::RegisterDelegatedAdministrator(_)
            | Request::DeregisterDelegatedAdministrator(_) => IndexChange::Nothing,
            r if matches!(r.operation().service(), Service::Iam | Service::Sts) => {
                IndexChange::Nothing
            }
            _ => IndexChange::Rebuild,
        }
    }
}

/// Replays journal entries on the snapshot they continue: each entry's call is performed
/// again as it was the first time (time moved on, then the call executed at its virtual
/// time), and what replaying cannot recompute is taken from the entry.
pub(crate) fn replay(state: State, entries: Vec<journal::Entry>) -> Result<State, String> {
    // The member-access role's name matters only to authorization and reads, never replayed.
    let mut core = Core::new(state, String::new());
    for entry in entries {
        core.advance(entry.now_ms);
        if let Some((scope, request)) = entry.call {
            let op = request.operation();
            core.execute(&scope, request, entry.now_ms)
                .map_err(|e| format!("entry {}: {op} does not replay: {e}", entry.seq))?;
        }
        core.state.faults = entry.faults;
        for (name, delta) in entry.counters {
            let counter = core.state.counters.entry(name).or_default();
            counter.calls += delta.calls;
            counter.errors += delta.errors;
            counter.mutating = delta.mutating;
        }
        core.state.clock.elapsed_ms = entry.now_ms;
    }
    Ok(core.state)
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
    /// The journal continuing the snapshot on disk; None in memory, or after a failed write
    /// (the next save then writes the whole state).
    journal: Option<journal::Writer>,
    /// Counter increments since the last journal entry or snapshot.
    pending: BTreeMap<String, CallCounter>,
}

/// An emulated organization backed by one state file (or by memory only).
pub struct Emulator {
    backing: Option<Backing>,
    inner: Mutex<Inner>,
    /// Virtual time of the state when it was opened, and the tokio instant it was opened at:
    /// the emulator's clock reads `base_ms + (now - opened)`.
    base_ms: u64,
    opened: Instant,
    /// Virtual milliseconds per real millisecond (`emulator serve --time-scale`); 1 elsewhere,
    /// where tokio's clock is paused and already virtual.
    time_scale: f64,
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
        let (state, journal) = if path.exists() {
            let (state, loaded) =
                store::load_with_journal(path).map_err(|e| fail(e.to_string()))?;
            // A journal left by a crash is folded into the snapshot before anything is added.
            let journal = if loaded.replayed > 0 {
                store::compact(path, &state)
            } else {
                journal::Writer::create(&journal::path_of(path), &loaded.snapshot_sha256, false)
                    .map(|w| w.expect("not stopped early"))
            };
            (state, journal.map_err(|e| fail(e.to_string()))?)
        } else {
            let state = fresh_state(&InitOptions::default()).map_err(|e| fail(e.to_string()))?;
            let journal = store::compact(path, &state).map_err(|e| fail(e.to_string()))?;
            (state, journal)
        };
        let mut emulator = Emulator::with_backing(
            state,
            options,
            Some(Backing {
                path: path.to_path_buf(),
                _lock: lock,
            }),
        );
        emulator.lock_inner_mut().journal = Some(journal);
        Ok(emulator)
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
                journal: None,
                pending: BTreeMap::new(),
            }),
            base_ms,
            opened: Instant::now(),
            time_scale: 1.0,
        }
    }

    fn now_ms(&self) -> u64 {
        let real = Instant::now().duration_since(self.opened).as_secs_f64() * 1000.0;
        self.base_ms + (real * self.time_scale) as u64
    }

    /// Makes the clock run `scale` times faster than tokio's (a served emulator runs on the
    /// real clock: a 60-second account creation at scale 60 takes one real second). Time
    /// that passed before the call keeps the scale it had.
    pub fn set_time_scale(&mut self, scale: f64) {
        let now = self.now_ms();
        self.base_ms = now;
        self.opened = Instant::now();
        self.time_scale = scale;
    }

    /// Records, beside the lock, the endpoint this emulator is served at, so that another
    /// orgchard command refused the state file says where to point instead.
    pub fn announce_endpoint(&self, endpoint: &str) -> Result<(), StoreError> {
        match &self.backing {
            Some(b) => b._lock.note_endpoint(&b.path, endpoint),
            None => Ok(()),
        }
    }

    fn lock_inner_mut(&mut self) -> &mut Inner {
        self.inner.get_mut().unwrap_or_else(|p| p.into_inner())
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

    /// Writes the whole state, the journal folded in, when anything changed since the last
    /// snapshot: counters and the clock included (virtual time that passed counts, so that
    /// creations in progress move on across runs).
    pub fn flush(&self) -> Result<(), StoreError> {
        let mut inner = self.lock_inner();
        let now = self.now_ms();
        let journaled = inner.journal.as_ref().is_none_or(|j| j.entries > 0);
        if !inner.dirty && !journaled && inner.core.state.clock.elapsed_ms == now {
            return Ok(());
        }
        inner.core.state.clock.elapsed_ms = now;
        self.compact(&mut inner)
    }

    /// Replaces the snapshot with the current state and starts an empty journal.
    fn compact(&self, inner: &mut Inner) -> Result<(), StoreError> {
        let Some(b) = &self.backing else {
            inner.dirty = false;
            inner.pending.clear();
            return Ok(());
        };
        // Until the new journal exists, the old one may name a replaced snapshot: nothing
        // may be appended to it.
        inner.journal = None;
        inner.journal = Some(store::compact(&b.path, &inner.core.state)?);
        inner.dirty = false;
        inner.pending.clear();
        Ok(())
    }

    /// Makes the effect of the call just performed durable: one journal entry, or the whole
    /// state every [`store::COMPACT_EVERY`] entries (and after a failed write).
    fn save(
        &self,
        inner: &mut Inner,
        now: u64,
        call: Option<(Scope, Request)>,
    ) -> Result<(), StoreError> {
        inner.core.state.clock.elapsed_ms = now;
        let due = inner
            .journal
            .as_ref()
            .is_none_or(|j| j.entries >= store::COMPACT_EVERY);
        if self.backing.is_none() || due {
            return self.compact(inner);
        }
        let Some(writer) = inner.journal.as_mut() else {
            return self.compact(inner);
        };
        let entry = journal::Entry {
            seq: writer.entries + 1,
            now_ms: now,
            call,
            faults: inner.core.state.faults.clone(),
            counters: std::mem::take(&mut inner.pending),
        };
        if let Err(e) = writer.append(&entry) {
            // A short write may have left a partial line: the next save rewrites everything.
            inner.journal = None;
            for (name, delta) in entry.counters {
                let c = inner.pending.entry(name).or_default();
                c.calls += delta.calls;
                c.errors += delta.errors;
                c.mutating = delta.mutating;
            }
            return Err(e);
        }
        inner.dirty = false;
        Ok(())
    }

    /// Counts a call (or its error) in the state and in the next journal entry.
    fn count(inner: &mut Inner, op: Operation, error: bool) {
        for counter in [
            inner
                .core
                .state
                .counters
                .entry(op.name().to_string())
                .or_default(),
            inner.pending.entry(op.name().to_string()).or_default(),
        ] {
            if error {
                counter.errors += 1;
            } else {
                counter.calls += 1;
            }
            counter.mutating = op.is_mutating();
        }
    }

    fn perform(
        &self,
        scope: Option<&Scope>,
        session: Option<&RoleSession>,
        request: Request,
    ) -> Result<Response, ApiError> {
        let op = request.operation();
        let now = self.now_ms();
        let mut guard = self.lock_inner();
        let inner = &mut *guard;
        Emulator::count(inner, op, false);
        inner.dirty = true;

        let progressed = inner.core.advance(now);
        let scope = match (scope, session) {
            (Some(scope), _) => scope.clone(),
            (None, Some(s)) => s.scope(inner.core.state.management_account_id()),
            (None, None) => Scope::Management,
        };
        inner.core.session = session.cloned();
        let result = self.checked(inner, &scope, request, now, progressed);
        inner.core.session = None;
        if result.is_err() {
            Emulator::count(inner, op, true);
        }
        result
    }

    /// Performs a call made by a session of any role (see [`RoleSession`]): where it acts
    /// follows from the session's account, and the role's policies and SCP chain authorize it.
    pub async fn call_as(
        &self,
        session: &RoleSession,
        request: Request,
    ) -> Result<Response, ApiError> {
        self.latency().await;
        self.perform(None, Some(session), request)
    }

    async fn latency(&self) {
        let latency = self.lock_inner().core.state.settings.latency_ms;
        if latency > 0 {
            let real = latency as f64 / self.time_scale;
            tokio::time::sleep(Duration::from_secs_f64(real / 1000.0)).await;
        }
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
        if core.state.settings.rate_limits && !inner.limiter.try_acquire(op, now) {
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
        if let Some(response) = core.session_answer(&request)? {
            return Ok(response);
        }
        // The journal needs the call as it was asked, to perform it again on replay.
        let call =
            (op.is_mutating() && self.backing.is_some()).then(|| (scope.clone(), request.clone()));
        let (response, mutated) = match core.execute(scope, request, now) {
            Ok(r) => r,
            Err(e) => {
                if progressed {
                    // Time moved an account creation or closure on: keep that.
                    let _ = self.save(inner, now, None);
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
            let call = if mutated { call } else { None };
            self.save(inner, now, call).map_err(|e| {
                ApiError::new(
                    op,
                    "ServiceException",
                    format!("the emulator could not save its state: {e}"),
                )
            })?;
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
        // Best effort: the counters of read-only calls are saved when the emulator closes,
        // and the journal, then empty, is removed so that only the state file remains.
        if self.flush().is_ok()
            && let Some(path) = self.backing.as_ref().map(|b| b.path.clone())
        {
            let inner = self.lock_inner_mut();
            if inner.journal.as_ref().is_some_and(|j| j.entries == 0) {
                inner.journal = None;
                let _ = store::remove_journal(&path);
            }
        }
    }
}

#[async_trait]
impl Api for Emulator {
    async fn call(&self, scope: &Scope, request: Request) -> Result<Response, ApiError> {
        self.latency().await;
        self.perform(Some(scope), None, request)
    }

    fn describe(&self) -> String {
        match &self.backing {
            Some(b) => format!("emulator {}", b.path.display()),
            None => "emulator (in memory)".to_string(),
        }
    }
}
