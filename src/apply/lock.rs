//! Taking, renewing and releasing the organization's apply lock (what the lock policy is:
//! [`crate::model::lock`]), so that two applies never change one organization at once.
//!
//! `apply` takes the lock before its first change and releases it when it ends, on success,
//! on errors and after an interrupt alike. Taking it is one CreatePolicy with the reserved
//! name: the one caller it succeeds for holds the lock; every other gets
//! DuplicatePolicyException, reads who holds it, and either waits (polling, up to
//! `--lock-timeout`) or stops before any change. A lock whose lease has run out (its holder
//! crashed) is deleted by id and taken afresh: two applies that both find it expired may both
//! delete it, but only one of them creates the next one. While it runs, an apply renews its
//! lease by updating the policy's description; releasing deletes the policy by its id, so an
//! apply whose lease was taken over never removes the new holder's lock.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use rand::Rng;

use crate::api::*;
use crate::backend::client::Client;
use crate::model::lock::{FoundLock, LOCK_POLICY_NAME, LOCK_POLICY_TYPE, LockRecord, RENEW_EVERY};
use crate::plan::read::read_lock;

const M: Scope = Scope::Management;

/// How a lock is taken.
#[derive(Debug, Clone)]
pub struct LockOptions {
    /// How long to wait for a lock someone else holds; zero: do not wait.
    pub timeout: Duration,
    /// The pause between two tries while waiting.
    pub poll: Duration,
    /// Set by Ctrl-C: waiting stops.
    pub interrupt: Arc<AtomicBool>,
}

impl Default for LockOptions {
    fn default() -> Self {
        LockOptions {
            timeout: Duration::ZERO,
            poll: Duration::from_secs(10),
            interrupt: Arc::new(AtomicBool::new(false)),
        }
    }
}

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another apply holds it (and kept holding it for the whole `--lock-timeout`).
    #[error(
        "the organization's apply lock is held by {}; nothing was changed. Wait for that apply to finish (or retry with --lock-timeout); if no apply is running, remove the lock with `orgchard unlock`",
        .lock.record.summary(SystemTime::now())
    )]
    Held { lock: FoundLock },
    /// A policy with the reserved name exists that orgchard did not write.
    #[error(
        "a {LOCK_POLICY_TYPE} named {LOCK_POLICY_NAME:?} ({id}) exists that is not orgchard's apply lock; that name is reserved for the lock: rename that policy, or apply with --lock=false"
    )]
    Foreign { id: String },
    /// Interrupted while waiting for the lock.
    #[error("interrupted while waiting for the organization's apply lock; nothing was changed")]
    Interrupted,
    /// A call the lock needs failed.
    #[error("the organization's apply lock: {0}")]
    Api(#[from] ApiError),
}

/// A lock this process holds, renewed in the background until released.
pub struct HeldLock {
    pub lock: FoundLock,
    /// Whether another apply held it first and this one waited.
    pub waited: bool,
    renewer: tokio::task::JoinHandle<()>,
}

/// A fresh run id: 16 hex digits.
pub fn run_id() -> String {
    format!("{:016x}", rand::rng().random::<u64>())
}

/// Takes the lock for `holder`, waiting as the options say, and starts renewing it.
pub async fn acquire(
    client: Arc<Client>,
    holder: &str,
    run: &str,
    options: &LockOptions,
) -> Result<HeldLock, LockError> {
    let deadline = tokio::time::Instant::now() + options.timeout;
    let mut waited = false;
    loop {
        if options.interrupt.load(Ordering::SeqCst) {
            return Err(LockError::Interrupted);
        }
        let record = LockRecord::new(holder, run, SystemTime::now());
        let created = client
            .create_policy(
                &M,
                CreatePolicyInput {
                    name: LOCK_POLICY_NAME.to_string(),
                    description: record.description(),
                    content: crate::vocab::FULL_ACCESS_DOCUMENT.to_string(),
                    r#type: LOCK_POLICY_TYPE.to_string(),
                    tags: Vec::new(),
                },
            )
            .await;
        let held = match created {
            Ok(out) => {
                let lock = FoundLock {
                    policy_id: out.policy.policy_summary.id,
                    record,
                };
                let renewer = tokio::spawn(renew(client.clone(), lock.clone()));
                return Ok(HeldLock {
                    lock,
                    waited,
                    renewer,
                });
            }
            Err(e) if e.code == "DuplicatePolicyException" => match read_lock(&client).await? {
                Some(Ok(held)) => held,
                Some(Err(id)) => return Err(LockError::Foreign { id }),
                // Released between the two calls: try again at once.
                None => continue,
            },
            Err(e) => return Err(e.into()),
        };
        if held.record.expired(SystemTime::now()) {
            // Its holder stopped renewing it: remove that lock (by its id, never a newer one)
            // and compete for a new one.
            match client
                .delete_policy(
                    &M,
                    DeletePolicyInput {
                        policy_id: held.policy_id.clone(),
                    },
                )
                .await
            {
                Ok(_) => continue,
                Err(e) if e.kind == ErrorKind::NotFound => continue,
                Err(e) => return Err(e.into()),
            }
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return Err(LockError::Held { lock: held });
        }
        waited = true;
        tokio::time::sleep(options.poll.min(deadline - now)).await;
    }
}

/// Renews the lease every [`RENEW_EVERY`] until aborted. A renewal that fails is tried again
/// at the next turn: the lease is long enough for several to fail.
async fn renew(client: Arc<Client>, lock: FoundLock) {
    loop {
        tokio::time::sleep(RENEW_EVERY).await;
        let record = lock.record.renewed(SystemTime::now());
        let _ = client
            .update_policy(
                &M,
                UpdatePolicyInput {
                    policy_id: lock.policy_id.clone(),
                    name: None,
                    description: Some(record.description()),
                    content: None,
                },
            )
            .await;
    }
}

impl HeldLock {
    /// Stops renewing and deletes the lock policy. A lock already gone (taken over after its
    /// lease ran out, or removed by `unlock`) counts as released.
    pub async fn release(self, client: &Client) -> Result<(), ApiError> {
        self.renewer.abort();
        remove(client, &self.lock.policy_id).await
    }
}

/// Deletes the lock policy `policy_id`; one already gone counts as removed.
pub async fn remove(client: &Client, policy_id: &str) -> Result<(), ApiError> {
    match client
        .delete_policy(
            &M,
            DeletePolicyInput {
                policy_id: policy_id.to_string(),
            },
        )
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::emulator::{Emulator, InitOptions, fresh_state};
    use crate::backend::{ConnectOptions, client::RetryPolicy};

    fn emulated() -> (Arc<Emulator>, Arc<Client>) {
        let state = fresh_state(&InitOptions::default()).unwrap();
        let emu = Arc::new(Emulator::in_memory(state, &ConnectOptions::default()));
        let api: Arc<dyn Api> = emu.clone();
        (
            emu,
            Arc::new(Client::new(api, |_| None, RetryPolicy::default())),
        )
    }

    fn client() -> Arc<Client> {
        emulated().1
    }

    #[tokio::test(start_paused = true)]
    async fn one_holder_at_a_time_and_released_means_free() {
        let c = client();
        let first = acquire(
            c.clone(),
            "arn:aws:iam::1:user/a",
            "r1",
            &LockOptions::default(),
        )
        .await
        .unwrap();
        let second = acquire(
            c.clone(),
            "arn:aws:iam::1:user/b",
            "r2",
            &LockOptions::default(),
        )
        .await;
        match second {
            Err(LockError::Held { lock }) => {
                assert_eq!(lock.record.holder, "arn:aws:iam::1:user/a");
                assert_eq!(lock.policy_id, first.lock.policy_id);
                let text = LockError::Held { lock }.to_string();
                assert!(text.contains("user/a since "), "{text}");
            }
            other => panic!("{:?}", other.map(|h| h.lock)),
        }
        first.release(&c).await.unwrap();
        assert!(read_lock(&c).await.unwrap().is_none());
        let again = acquire(
            c.clone(),
            "arn:aws:iam::1:user/b",
            "r2",
            &LockOptions::default(),
        )
        .await
        .unwrap();
        assert_eq!(again.lock.record.holder, "arn:aws:iam::1:user/b");
    }

    #[tokio::test(start_paused = true)]
    async fn a_waiting_apply_takes_the_lock_once_it_is_released() {
        let c = client();
        let first = acquire(c.clone(), "arn:a", "r1", &LockOptions::default())
            .await
            .unwrap();
        let waiter = {
            let c = c.clone();
            tokio::spawn(async move {
                acquire(
                    c,
                    "arn:b",
                    "r2",
                    &LockOptions {
                        timeout: Duration::from_secs(300),
                        poll: Duration::from_secs(5),
                        ..LockOptions::default()
                    },
                )
                .await
            })
        };
        tokio::time::sleep(Duration::from_secs(60)).await;
        first.release(&c).await.unwrap();
        let second = waiter.await.unwrap().unwrap();
        assert_eq!(second.lock.record.holder, "arn:b");
        assert!(second.waited);
    }

    #[tokio::test(start_paused = true)]
    async fn an_expired_lock_is_taken_over_and_a_foreign_policy_is_refused() {
        let c = client();
        let stale = LockRecord::new("arn:crashed", "r0", SystemTime::UNIX_EPOCH);
        let out = c
            .create_policy(
                &M,
                CreatePolicyInput {
                    name: LOCK_POLICY_NAME.into(),
                    description: stale.description(),
                    content: crate::vocab::FULL_ACCESS_DOCUMENT.into(),
                    r#type: LOCK_POLICY_TYPE.into(),
                    tags: Vec::new(),
                },
            )
            .await
            .unwrap();
        let held = acquire(c.clone(), "arn:new", "r1", &LockOptions::default())
            .await
            .unwrap();
        assert_ne!(held.lock.policy_id, out.policy.policy_summary.id);
        held.release(&c).await.unwrap();

        c.create_policy(
            &M,
            CreatePolicyInput {
                name: LOCK_POLICY_NAME.into(),
                description: "someone's own policy".into(),
                content: crate::vocab::FULL_ACCESS_DOCUMENT.into(),
                r#type: LOCK_POLICY_TYPE.into(),
                tags: Vec::new(),
            },
        )
        .await
        .unwrap();
        assert!(matches!(
            acquire(c.clone(), "arn:new", "r2", &LockOptions::default()).await,
            Err(LockError::Foreign { .. })
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn a_long_apply_renews_its_lease() {
        let (emu, c) = emulated();
        let updates = || emu.stats().calls.get("UpdatePolicy").map_or(0, |c| c.calls);
        let held = acquire(c.clone(), "arn:a", "r1", &LockOptions::default())
            .await
            .unwrap();
        tokio::time::sleep(RENEW_EVERY * 3 + Duration::from_secs(1)).await;
        // The clock the lease is written in is the wall clock, which the paused test clock
        // does not move: the renewals show as calls.
        assert_eq!(updates(), 3);
        let now = read_lock(&c).await.unwrap().unwrap().unwrap();
        assert_eq!(now.policy_id, held.lock.policy_id);
        assert!(now.record.expires >= held.lock.record.expires);
        held.release(&c).await.unwrap();
        tokio::time::sleep(RENEW_EVERY * 2).await;
        assert_eq!(updates(), 3, "renewed after its release");
    }
}
