//! Planning at the size of the largest organizations: 5,000 accounts, 500 OUs, 300 policies
//! and 10,000 attachments in the embedded emulator, with a configuration that describes it
//! (written by `import`), planned with no changes and with 1,000 changes (renamed accounts).
//! Each iteration loads and validates the configuration, reads the whole organization
//! through the seam, matches, diffs and orders. Peak memory (VmHWM) is printed at the end.

use std::path::Path;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use orgchard::api::Api;
use orgchard::backend::ConnectOptions;
use orgchard::backend::client::{Client, RetryPolicy};
use orgchard::backend::emulator::{Builder, Emulator, InitOptions};
use orgchard::config::{self, VarInputs, import};
use orgchard::plan::{self, diff::PlanOptions};

fn client(state: &orgchard::backend::emulator::State) -> Client {
    let api: Arc<dyn Api> = Arc::new(Emulator::in_memory(
        state.clone(),
        &ConnectOptions::default(),
    ));
    Client::new(api, |_| None, RetryPolicy::default())
}

fn write_config(dir: &Path, files: &[import::GeneratedFile], renames: usize) {
    for f in files {
        let path = dir.join(&f.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut text = f.text.clone();
        for i in 0..renames {
            text = text.replacen(
                &format!("name     = \"account-{i:05}\""),
                &format!("name     = \"renamed-{i:05}\""),
                1,
            );
        }
        std::fs::write(path, text).unwrap();
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let options = InitOptions {
        rate_limits: false,
        ..InitOptions::default()
    };
    let state = Builder::organization(&options, 5000, 500, 300, 10_000).unwrap();
    let live = rt
        .block_on(plan::read::read_organization(&client(&state)))
        .unwrap();
    let files = import::generate(&live);
    let same = tempfile::tempdir().unwrap();
    write_config(same.path(), &files, 0);
    let changed = tempfile::tempdir().unwrap();
    write_config(changed.path(), &files, 1000);

    let mut group = c.benchmark_group("plan_5000_accounts");
    group.sample_size(10);
    for (name, dir, expected) in [
        ("no_changes", same.path(), 0),
        ("1000_changes", changed.path(), 1000),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let desired = config::load(dir, &VarInputs::default()).expect("valid");
                let (p, _) = rt
                    .block_on(plan::make(
                        &desired,
                        &client(&state),
                        &PlanOptions::default(),
                    ))
                    .expect("plan");
                assert_eq!(p.summary().update, expected);
                p
            })
        });
    }
    group.finish();
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        for line in status.lines().filter(|l| l.starts_with("VmHWM")) {
            println!(
                "peak memory of the benchmark process: {}",
                line.trim_start_matches("VmHWM:").trim()
            );
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
