//! One status poller per apply for every account creation in flight: each round is one
//! `ListCreateAccountStatus` for the creations `IN_PROGRESS` (a page per twenty), whatever
//! their number, so polling costs O(1) per round instead of a `DescribeCreateAccountStatus`
//! per creation. A creation awaited here that the list no longer shows has finished (or was
//! never in progress: an earlier run's request, a failed one): it is asked for by
//! `DescribeCreateAccountStatus`, once, for its final status, so that no one ever waits for a
//! creation the list will not report.
//!
//! Rounds follow the apply's `status_poll` backoff (starting short, settling at its longest
//! wait), and a caller that needs the list of creations in progress as it is now gets a round
//! at once, which serves every creation awaited at that moment too. A creation whose
//! `CreateAccount` answer already said how it ended (an endpoint that creates at once, such
//! as moto; AWS answers `IN_PROGRESS`) is never awaited here: the applier takes that answer.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::api;
use crate::api::{ApiError, ApiExt, Operation, Scope};
use crate::backend::client::Client;
use crate::plan::read::all_pages;

use super::backoff::Backoff;

type Status = Result<api::CreateAccountStatus, ApiError>;
type Listing = Result<Arc<Vec<api::CreateAccountStatus>>, ApiError>;

/// What the poller owes: final statuses to those awaiting a creation, and a fresh list to
/// those that asked for one.
#[derive(Default)]
struct Book {
    awaited: BTreeMap<String, Vec<oneshot::Sender<Status>>>,
    listeners: Vec<oneshot::Sender<Listing>>,
}

impl Book {
    /// Forgets those that stopped waiting (their operation ended or timed out).
    fn prune(&mut self) {
        for senders in self.awaited.values_mut() {
            senders.retain(|s| !s.is_closed());
        }
        self.awaited.retain(|_, senders| !senders.is_empty());
        self.listeners.retain(|s| !s.is_closed());
    }
}

struct Shared {
    client: Arc<Client>,
    schedule: Backoff,
    book: Mutex<Book>,
    wake: Notify,
}

/// The apply's status poller. Its task starts with the first request and ends with it.
pub struct Poller {
    shared: Arc<Shared>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Poller {
    fn drop(&mut self) {
        if let Some(task) = self.task.lock().expect("poller task lock").take() {
            task.abort();
        }
    }
}

fn gone() -> ApiError {
    ApiError::new(
        Operation::ListCreateAccountStatus,
        "OrgchardEndpointError",
        "the account-creation status poller stopped",
    )
}

impl Poller {
    pub fn new(client: Arc<Client>, schedule: Backoff) -> Poller {
        Poller {
            shared: Arc::new(Shared {
                client,
                schedule,
                book: Mutex::new(Book::default()),
                wake: Notify::new(),
            }),
            task: Mutex::new(None),
        }
    }

    /// Ends the poller's task and waits until it is gone, with its hold on the client (and
    /// so on the backend: an emulator's state file stays locked while anything holds it).
    pub async fn stop(&self) {
        let task = self.task.lock().expect("poller task lock").take();
        if let Some(task) = task {
            task.abort();
            let _ = task.await;
        }
    }

    fn start(&self) {
        let mut task = self.task.lock().expect("poller task lock");
        if task.is_none() {
            let shared = self.shared.clone();
            *task = Some(tokio::spawn(run(shared)));
        }
        drop(task);
        self.shared.wake.notify_one();
    }

    /// The final status of creation `request_id`; `None` when `deadline` comes first.
    pub async fn wait(&self, request_id: &str, deadline: Instant) -> Option<Status> {
        let (tx, rx) = oneshot::channel();
        {
            let mut book = self.shared.book.lock().expect("poller book lock");
            book.awaited
                .entry(request_id.to_string())
                .or_default()
                .push(tx);
        }
        self.start();
        match tokio::time::timeout_at(deadline, rx).await {
            Ok(answer) => Some(answer.unwrap_or_else(|_| Err(gone()))),
            Err(_) => None,
        }
    }

    /// The creations in progress, listed after this call began.
    pub async fn in_progress(&self) -> Listing {
        let (tx, rx) = oneshot::channel();
        self.shared
            .book
            .lock()
            .expect("poller book lock")
            .listeners
            .push(tx);
        self.start();
        rx.await.unwrap_or_else(|_| Err(gone()))
    }
}

/// The poller's loop: a round when someone asks for a fresh list, or when the schedule says
/// while creations are awaited; idle (no timer) when nothing is owed.
async fn run(shared: Arc<Shared>) {
    let mut waits = shared.schedule.waits();
    let mut due: Option<Instant> = None;
    loop {
        let (awaited, listening) = {
            let mut book = shared.book.lock().expect("poller book lock");
            book.prune();
            (!book.awaited.is_empty(), !book.listeners.is_empty())
        };
        if !listening {
            if !awaited {
                // Nothing owed: the schedule starts short again with the next creation.
                waits = shared.schedule.waits();
                due = None;
                shared.wake.notified().await;
                continue;
            }
            let at = *due.get_or_insert_with(|| {
                Instant::now() + waits.next().unwrap_or(shared.schedule.max)
            });
            // `biased`: the order of the branches is fixed, so a seed gives one run.
            tokio::select! {
                biased;
                _ = shared.wake.notified() => continue,
                _ = tokio::time::sleep_until(at) => {}
            }
        }
        due = None;
        round(&shared).await;
    }
}

/// One round: the list of creations in progress, to those who asked for it, and the final
/// status of each awaited creation the list does not show.
async fn round(shared: &Shared) {
    // Those awaited before the list is asked for: a creation registered while the list is
    // on its way is not on it, yet still in progress.
    let (listeners, asked) = {
        let mut book = shared.book.lock().expect("poller book lock");
        let asked: Vec<String> = book.awaited.keys().cloned().collect();
        (std::mem::take(&mut book.listeners), asked)
    };
    let client = &shared.client;
    let listed = all_pages(|t| async move {
        let o = client
            .list_create_account_status(
                &Scope::Management,
                api::ListCreateAccountStatusInput {
                    states: vec![api::CreateAccountState::InProgress],
                    next_token: t,
                    max_results: Some(20),
                },
            )
            .await?;
        Ok((o.create_account_statuses, o.next_token))
    })
    .await;
    let statuses = match listed {
        Ok(statuses) => Arc::new(statuses),
        Err(e) => {
            for l in listeners {
                let _ = l.send(Err(e.clone()));
            }
            if !e.is_retryable() {
                // Listing is refused for good: polling one by one would be too.
                let awaited = std::mem::take(&mut shared.book.lock().expect("book").awaited);
                for s in awaited.into_values().flatten() {
                    let _ = s.send(Err(e.clone()));
                }
            }
            return;
        }
    };
    for l in listeners {
        let _ = l.send(Ok(statuses.clone()));
    }
    let listed: BTreeSet<&str> = statuses.iter().map(|s| s.id.as_str()).collect();
    let finished: Vec<String> = asked
        .into_iter()
        .filter(|id| !listed.contains(id.as_str()))
        .collect();
    // Described together, each paced by the client: one after another, a round with five
    // finished creations took five call latencies, and the next wave of creations waited
    // for the slowest.
    futures::future::join_all(finished.into_iter().map(|id| settle(shared, id))).await;
}

/// The final status of creation `id`, which the list no longer shows, to those awaiting it.
async fn settle(shared: &Shared, id: String) {
    if !shared
        .book
        .lock()
        .expect("poller book lock")
        .awaited
        .contains_key(&id)
    {
        return;
    }
    let answer = shared
        .client
        .describe_create_account_status(
            &Scope::Management,
            api::DescribeCreateAccountStatusInput {
                create_account_request_id: id.clone(),
            },
        )
        .await;
    let settled: Status = match answer {
        Ok(o) if o.create_account_status.state != api::CreateAccountState::InProgress => {
            Ok(o.create_account_status)
        }
        // Still in progress after all (the list lagged), or a passing failure: the next
        // round asks again.
        Ok(_) => return,
        Err(e) if e.is_retryable() => return,
        Err(e) => Err(e),
    };
    let senders = shared
        .book
        .lock()
        .expect("poller book lock")
        .awaited
        .remove(&id)
        .unwrap_or_default();
    for s in senders {
        let _ = s.send(settled.clone());
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::api::{Api, CreateAccountInput};
    use crate::apply::ApplyOptions;
    use crate::backend::ConnectOptions;
    use crate::backend::client::RetryPolicy;
    use crate::backend::emulator::{Emulator, InitOptions, fresh_state};

    async fn create(client: &Client, i: usize) -> String {
        client
            .create_account(
                &Scope::Management,
                CreateAccountInput {
                    email: format!("aws+{i}@example.com"),
                    account_name: format!("Account {i}"),
                    role_name: None,
                    iam_user_access_to_billing: None,
                    tags: vec![],
                },
            )
            .await
            .unwrap()
            .create_account_status
            .id
    }

    /// Creations that finished before anyone awaited them are not on the list of those in
    /// progress: each is described once at the first round, never awaited forever; five
    /// awaited together cost one list per round between them and one description each.
    #[tokio::test(start_paused = true)]
    async fn one_list_per_round_and_one_description_per_finished_creation() {
        let state = fresh_state(&InitOptions::default()).unwrap();
        let emu = Arc::new(Emulator::in_memory(state, &ConnectOptions::default()));
        let api: Arc<dyn Api> = emu.clone();
        let client = Arc::new(Client::new(api, |_| None, RetryPolicy::default()));
        let calls = |op: &str| emu.stats().calls.get(op).map_or(0, |c| c.calls);
        let poller = Arc::new(Poller::new(
            client.clone(),
            ApplyOptions::default().status_poll,
        ));
        let deadline = Instant::now() + Duration::from_secs(3600);

        let early: Vec<String> = create_all(&client, 0..3).await;
        tokio::time::sleep(Duration::from_secs(100)).await;
        let start = Instant::now();
        for id in &early {
            let status = poller.wait(id, deadline).await.unwrap().unwrap();
            assert_eq!(status.state, api::CreateAccountState::Succeeded);
        }
        assert!(
            start.elapsed() <= Duration::from_secs(3),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(calls("DescribeCreateAccountStatus"), 3);

        let (lists, describes) = (
            calls("ListCreateAccountStatus"),
            calls("DescribeCreateAccountStatus"),
        );
        let ids: Vec<String> = create_all(&client, 3..8).await;
        let start = Instant::now();
        let mut waits = tokio::task::JoinSet::new();
        for id in ids {
            let poller = poller.clone();
            waits.spawn(async move { poller.wait(&id, deadline).await });
        }
        while let Some(w) = waits.join_next().await {
            let status = w.unwrap().unwrap().unwrap();
            assert_eq!(status.state, api::CreateAccountState::Succeeded);
        }
        let took = start.elapsed().as_secs();
        assert_eq!(calls("DescribeCreateAccountStatus") - describes, 5);
        // A round every three seconds at most once settled, whatever the creations' number.
        let rounds = calls("ListCreateAccountStatus") - lists;
        assert!(rounds <= took / 3 + 4, "{rounds} rounds in {took} s");
    }

    /// Every call takes `latency` of virtual time, then the emulator answers.
    struct Slow {
        inner: Arc<Emulator>,
        latency: Duration,
    }

    #[async_trait::async_trait]
    impl Api for Slow {
        async fn call(
            &self,
            scope: &Scope,
            request: crate::api::Request,
        ) -> Result<crate::api::Response, ApiError> {
            tokio::time::sleep(self.latency).await;
            self.inner.call(scope, request).await
        }
        fn describe(&self) -> String {
            "slow".into()
        }
    }

    /// The finished creations of one round are described together, not one after another:
    /// five cost one call's latency after the list, not five.
    #[tokio::test(start_paused = true)]
    async fn a_round_describes_its_finished_creations_together() {
        let state = fresh_state(&InitOptions::default()).unwrap();
        let emu = Arc::new(Emulator::in_memory(state, &ConnectOptions::default()));
        let latency = Duration::from_millis(100);
        let api: Arc<dyn Api> = Arc::new(Slow {
            inner: emu.clone(),
            latency,
        });
        let client = Arc::new(Client::new(api, |_| None, RetryPolicy::default()));
        let poller = Arc::new(Poller::new(
            client.clone(),
            ApplyOptions::default().status_poll,
        ));
        let deadline = Instant::now() + Duration::from_secs(3600);
        let ids = create_all(&client, 0..5).await;
        tokio::time::sleep(Duration::from_secs(100)).await;
        let start = Instant::now();
        let mut waits = tokio::task::JoinSet::new();
        for id in ids {
            let poller = poller.clone();
            waits.spawn(async move { poller.wait(&id, deadline).await });
        }
        while let Some(w) = waits.join_next().await {
            let status = w.unwrap().unwrap().unwrap();
            assert_eq!(status.state, api::CreateAccountState::Succeeded);
        }
        // One round after the schedule's first wait: the list, then the five descriptions
        // at once.
        let first = ApplyOptions::default().status_poll.first;
        assert!(
            start.elapsed() <= first + latency * 3,
            "{:?}",
            start.elapsed()
        );
        assert_eq!(emu.stats().calls["DescribeCreateAccountStatus"].calls, 5);
    }

    async fn create_all(client: &Client, range: std::ops::Range<usize>) -> Vec<String> {
        let mut ids = Vec::new();
        for i in range {
            ids.push(create(client, i).await);
        }
        ids
    }
}
