//! Settings resolved once, through the binary: relative emulator paths mean the same file
//! from any working directory, only `apply` and `emulator init` create an emulator state,
//! saved plans name their state file absolutely, and a stale saved plan says so first.

use std::path::{Path, PathBuf};

mod binary;

use binary::{copy_dir, run_in as orgchard_in, text};

/// A copy of the quickstart example (whose `backend "emulator"` block names the relative
/// `.orgchard/emulator.json`) and a separate working directory.
fn quickstart() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart"),
        &config,
    );
    let _ = std::fs::remove_dir_all(config.join(".orgchard"));
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    (tmp, config, elsewhere)
}

#[test]
fn a_relative_backend_block_path_is_relative_to_the_configuration_from_any_directory() {
    let (_tmp, config, elsewhere) = quickstart();
    let dir = config.to_str().unwrap();
    let out = orgchard_in(&elsewhere, &["apply", dir, "--auto-approve"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(config.join(".orgchard/emulator.json").is_file());
    assert!(
        !elsewhere.join(".orgchard").exists(),
        "the state went to the working directory"
    );
    let out = orgchard_in(&elsewhere, &["plan", dir, "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = orgchard_in(&config, &["plan", ".", "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn emulator_init_creates_missing_parent_directories() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("a/b/.orgchard/emulator.json");
    let out = orgchard_in(tmp.path(), &["emulator", "init", state.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(state.is_file());
}

#[test]
fn a_mistyped_emulator_path_is_refused_or_planned_as_empty_but_never_created() {
    let (_tmp, config, elsewhere) = quickstart();
    let dir = config.to_str().unwrap();
    let missing = elsewhere.join("typo.json");
    let backend = format!("emulator:{}", missing.display());
    for args in [
        vec!["graph", dir, "--backend", &backend],
        vec!["import", "--backend", &backend, "--out", "imported"],
        vec!["snapshot", "--backend", &backend, "--out", "snap.json"],
    ] {
        let out = orgchard_in(&elsewhere, &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", text(&out));
        assert!(
            text(&out).contains("does not exist"),
            "{args:?}: {}",
            text(&out)
        );
        assert!(!missing.exists(), "{args:?} created the state");
    }
    let out = orgchard_in(&elsewhere, &["plan", dir, "--backend", &backend]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("does not exist yet: this plan starts from an empty organization"),
        "{}",
        text(&out)
    );
    assert!(!missing.exists(), "plan created the state");
}

#[test]
fn a_saved_plan_names_its_emulator_state_absolutely() {
    let (_tmp, config, elsewhere) = quickstart();
    let out = orgchard_in(
        &config,
        &["emulator", "init", "state.json", "--rate-limits", "off"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let planfile = config.join("plan.json");
    let out = orgchard_in(
        &config,
        &[
            "plan",
            ".",
            "--backend",
            "emulator:state.json",
            "--out",
            "plan.json",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&planfile).unwrap()).unwrap();
    let saved = doc["context"]["backend"]["path"].as_str().unwrap();
    assert!(Path::new(saved).is_absolute(), "{saved}");
    // Applied from another directory, it finds the same state, not a new one there.
    let out = orgchard_in(
        &elsewhere,
        &["apply", planfile.to_str().unwrap(), "--auto-approve"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(!elsewhere.join("state.json").exists());
    let out = orgchard_in(
        &config,
        &[
            "plan",
            ".",
            "--backend",
            "emulator:state.json",
            "--detailed-exitcode",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn a_stale_saved_plan_says_so_before_printing_anything() {
    let (_tmp, config, _elsewhere) = quickstart();
    let out = orgchard_in(&config, &["plan", ".", "--out", "plan.json"]);
    assert!(out.status.success(), "{}", text(&out));
    // The organization changes after the plan was saved.
    let out = orgchard_in(&config, &["apply", ".", "--auto-approve"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = orgchard_in(&config, &["apply", "plan.json", "--auto-approve"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("stale"), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains("will be created"),
        "the stale plan was printed: {stdout}"
    );
}
