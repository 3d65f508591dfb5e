//! What the applier's integration tests share: an in-memory emulator behind the paced,
//! retrying client, plan-then-apply as the `apply` command does it, and the invariants every
//! finished apply must leave behind (no duplicate account, no orphaned policy or OU, each
//! account created exactly once).

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use orgchard::api::Api;
use orgchard::apply::{self, ApplyError, ApplyOptions, ApplyReport, Recorder};
use orgchard::backend::client::{Client, RetryPolicy};
use orgchard::backend::emulator::{Emulator, State};
use orgchard::backend::{ConnectOptions, rates};
use orgchard::config::{self, VarInputs};
use orgchard::model::Desired;
use orgchard::model::live::OWNERSHIP_TAG;
use orgchard::plan::diff::PlanOptions;
use orgchard::plan::{self, Plan};
use orgchard::view::human as render;

pub fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

pub fn load(dir: &Path) -> Desired {
    config::load(dir, &VarInputs::default())
        .unwrap_or_else(|d| panic!("{}: {}", dir.display(), d.render(false)))
}

/// An emulator over `state` in memory, and a client paced with AWS's rates when `paced`.
pub fn connect(state: State, paced: bool) -> (Arc<Emulator>, Arc<Client>) {
    let emu = Arc::new(Emulator::in_memory(state, &ConnectOptions::default()));
    let api: Arc<dyn Api> = emu.clone();
    let client = if paced {
        Client::new(api, rates::aws_rate, RetryPolicy::default())
    } else {
        Client::new(api, |_| None, RetryPolicy::default())
    };
    (emu, Arc::new(client.with_seed(7)))
}

pub async fn make_plan(client: &Client, desired: &Desired) -> Plan {
    plan::make(desired, client, &PlanOptions::default())
        .await
        .unwrap_or_else(|e| panic!("plan: {e}"))
        .0
}

pub fn show(p: &Plan) -> String {
    render::render(p, render::Style { color: false })
}

/// Plans and applies with `parallelism`, as `orgchard apply --auto-approve` does.
pub async fn plan_and_apply(
    client: &Arc<Client>,
    desired: &Desired,
    parallelism: usize,
) -> Result<(Plan, ApplyReport), ApplyError> {
    let p = make_plan(client, desired).await;
    let options = ApplyOptions {
        parallelism,
        ..ApplyOptions::default()
    };
    let report = apply::apply(
        &p,
        client.clone(),
        &options,
        Arc::new(Recorder::default()),
        Arc::new(AtomicBool::new(false)),
    )
    .await?;
    Ok((p, report))
}

/// Asserts that planning `desired` again shows no changes.
pub async fn assert_converged(client: &Client, desired: &Desired, context: &str) {
    let again = make_plan(client, desired).await;
    assert!(
        !again.has_changes(),
        "{context}: planning again shows changes:\n{}",
        show(&again)
    );
}

/// The invariants of an organization that an apply of `desired` finished on. With
/// `exact`, the organization started empty, so everything in it is the configuration's.
pub fn assert_invariants(state: &State, desired: &Desired, exact: bool, context: &str) {
    let problems = state.check_invariants();
    assert!(problems.is_empty(), "{context}: {problems:?}");

    let mut emails = BTreeSet::new();
    for a in state.accounts.values() {
        assert!(
            emails.insert(a.email.to_lowercase()),
            "{context}: two accounts share the email {}",
            a.email
        );
    }
    for want in &desired.accounts {
        assert!(
            emails.contains(&want.email.to_lowercase()),
            "{context}: no account with the email {}",
            want.email
        );
    }
    // Every policy orgchard owns belongs to a block of the configuration.
    let declared: BTreeSet<(String, String)> = desired
        .policies
        .iter()
        .map(|p| (p.policy_type.clone(), p.name.clone()))
        .collect();
    for (id, p) in &state.policies {
        if p.aws_managed {
            continue;
        }
        let owned = p.tags.contains_key(OWNERSHIP_TAG);
        if exact || owned {
            assert!(
                declared.contains(&(p.r#type.clone(), p.name.clone())),
                "{context}: policy {id} ({} {}) has no block: an orphan",
                p.r#type,
                p.name
            );
        }
    }
    if exact {
        let members = state.accounts.len() - 1;
        assert_eq!(
            members,
            desired.accounts.len(),
            "{context}: member accounts"
        );
        let customer = state.policies.values().filter(|p| !p.aws_managed).count();
        assert_eq!(customer, desired.policies.len(), "{context}: policies");
        assert_eq!(
            state.ous.len(),
            desired.organizational_units.len(),
            "{context}: OUs"
        );
        // CreateAccount was sent once per account, never again after a crash.
        assert_eq!(
            state.create_requests.len(),
            desired.accounts.len(),
            "{context}: CreateAccount requests: {:?}",
            state
                .create_requests
                .values()
                .map(|r| (&r.account_name, &r.state, &r.failure_reason))
                .collect::<Vec<_>>()
        );
    }
    for r in state.create_requests.values() {
        assert_eq!(
            r.state,
            orgchard::vocab::CreateAccountState::Succeeded,
            "{context}: CreateAccount for {} ended {} ({:?})",
            r.email,
            r.state,
            r.failure_reason
        );
    }
}

/// Successful mutating calls the emulator performed.
pub fn mutations(emu: &Emulator) -> u64 {
    emu.stats()
        .calls
        .values()
        .filter(|c| c.mutating)
        .map(|c| c.calls - c.errors)
        .sum()
}
