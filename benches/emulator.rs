//! Emulator benchmarks at orgchard's benchmark size (5,000 accounts, 500 OUs, 300 SCPs,
//! 10,000 attachments): a full-organization read through the seam, opening the state file,
//! and loading and saving it.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use orgchard::api::*;
use orgchard::backend::emulator::{Builder, Emulator, InitOptions, State, store};
use orgchard::backend::*;

const ACCOUNTS: usize = 5_000;
const OUS: usize = 500;
const POLICIES: usize = 300;
const ATTACHMENTS: usize = 10_000;

fn organization() -> State {
    let options = InitOptions {
        rate_limits: false,
        ..InitOptions::default()
    };
    Builder::organization(&options, ACCOUNTS, OUS, POLICIES, ATTACHMENTS).unwrap()
}

/// Reads everything a plan needs, page by page, as the reader does; returns what it counted.
async fn full_read(api: &dyn Api) -> (usize, usize, usize, usize) {
    let m = &Scope::Management;
    let roots = api
        .list_roots(m, ListRootsInput::default())
        .await
        .unwrap()
        .roots;
    let mut parents = vec![roots[0].id.clone()];
    let (mut ous, mut accounts, mut policies, mut attachments) = (0, 0, 0, 0);
    while let Some(parent) = parents.pop() {
        let mut token = None;
        loop {
            let out = api
                .list_organizational_units_for_parent(
                    m,
                    ListOrganizationalUnitsForParentInput {
                        parent_id: parent.clone(),
                        next_token: token,
                        max_results: None,
                    },
                )
                .await
                .unwrap();
            ous += out.organizational_units.len();
            parents.extend(out.organizational_units.into_iter().map(|o| o.id));
            token = out.next_token;
            if token.is_none() {
                break;
            }
        }
        loop {
            let out = api
                .list_accounts_for_parent(
                    m,
                    ListAccountsForParentInput {
                        parent_id: parent.clone(),
                        next_token: token,
                        max_results: None,
                    },
                )
                .await
                .unwrap();
            accounts += out.accounts.len();
            token = out.next_token;
            if token.is_none() {
                break;
            }
        }
    }
    let mut token = None;
    let mut ids = Vec::new();
    loop {
        let out = api
            .list_policies(
                m,
                ListPoliciesInput {
                    filter: "SERVICE_CONTROL_POLICY".into(),
                    next_token: token,
                    max_results: None,
                },
            )
            .await
            .unwrap();
        ids.extend(out.policies.into_iter().map(|p| p.id));
        token = out.next_token;
        if token.is_none() {
            break;
        }
    }
    for id in ids {
        let p = api
            .describe_policy(
                m,
                DescribePolicyInput {
                    policy_id: id.clone(),
                },
            )
            .await
            .unwrap();
        black_box(p);
        policies += 1;
        let mut token = None;
        loop {
            let out = api
                .list_targets_for_policy(
                    m,
                    ListTargetsForPolicyInput {
                        policy_id: id.clone(),
                        next_token: token,
                        max_results: None,
                    },
                )
                .await
                .unwrap();
            attachments += out.targets.len();
            token = out.next_token;
            if token.is_none() {
                break;
            }
        }
    }
    (ous, accounts, policies, attachments)
}

fn benches(c: &mut Criterion) {
    let state = organization();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    let counts = rt.block_on(full_read(&Emulator::in_memory(
        state.clone(),
        &ConnectOptions::default(),
    )));
    assert_eq!(counts.0, OUS);
    assert_eq!(counts.1, ACCOUNTS + 1);
    assert_eq!(counts.2, POLICIES + 1);
    assert!(counts.3 >= ATTACHMENTS - 10, "{counts:?}");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    store::save(&path, &state).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    eprintln!(
        "state file at benchmark size: {:.2} MB; {} attachments",
        bytes.len() as f64 / 1e6,
        counts.3
    );

    let mut group = c.benchmark_group("emulator");
    group.sample_size(10);
    group.bench_function("build_organization_in_memory", |b| {
        b.iter(|| black_box(organization()))
    });
    group.bench_function("full_read_through_seam", |b| {
        b.iter_batched(
            || Emulator::in_memory(state.clone(), &ConnectOptions::default()),
            |emu| rt.block_on(full_read(&emu)),
            criterion::BatchSize::LargeInput,
        )
    });
    group.bench_function("open_file_and_full_read", |b| {
        b.iter(|| {
            let emu = Emulator::open(&path, &ConnectOptions::default()).unwrap();
            let counts = rt.block_on(full_read(&emu));
            // Closing saves the call counters: part of a real run's cost.
            drop(emu);
            counts
        })
    });
    group.bench_function("state_load", |b| {
        b.iter(|| black_box(store::load(&path).unwrap()))
    });
    group.bench_function("state_serialize", |b| {
        b.iter(|| black_box(store::to_bytes(&state)))
    });
    group.bench_function("state_save_atomic", |b| {
        b.iter(|| store::save(&path, &state).unwrap())
    });
    group.finish();
}

criterion_group!(emulator, benches);
criterion_main!(emulator);
