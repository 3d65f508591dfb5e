//! Every input the fuzz targets (`fuzz/fuzz_targets/`) ever found, replayed through the same
//! harness without a fuzzer: `tests/data/fuzz/<target>/` holds them, one file each. A crash
//! found once stays a test that fails until it is fixed, and stays fixed.

#[path = "../fuzz/harness.rs"]
mod harness;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

fn replay(target: &str) {
    let (_, run) = harness::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .expect("a target of the harness");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz")
        .join(target);
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "{} holds no input", dir.display());
    let failed: Vec<String> = inputs
        .iter()
        .filter(|path| {
            let data = std::fs::read(path).expect("reading an input");
            catch_unwind(AssertUnwindSafe(|| run(&data))).is_err()
        })
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        failed.is_empty(),
        "{target}: these inputs panic: {failed:?}"
    );
}

#[test]
fn load_inputs_never_panic() {
    replay("load");
}

#[test]
fn saved_plan_inputs_never_panic() {
    replay("saved_plan");
}

#[test]
fn emulator_state_inputs_never_panic() {
    replay("emulator_state");
}

#[test]
fn policy_inputs_never_panic() {
    replay("policy");
}

#[test]
fn var_value_inputs_never_panic() {
    replay("var_value");
}

#[test]
fn every_target_has_its_inputs_replayed() {
    // A target added to the harness without a test above would never be replayed.
    let source = include_str!("fuzz_inputs.rs");
    for (name, _) in harness::TARGETS {
        assert!(
            source.contains(&format!("replay(\"{name}\")")),
            "no test replays {name}"
        );
    }
}
