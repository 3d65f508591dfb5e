//! The plan-side commands through the binary against the embedded emulator: `plan` (human,
//! `--json`, `--out`, `--detailed-exitcode`, `--target`), `show`, `graph` and `import`.

use std::path::{Path, PathBuf};

mod binary;

use binary::{run as orgchard, run_in, text};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

struct Org {
    _dir: tempfile::TempDir,
    backend: String,
    root: PathBuf,
}

fn org() -> Org {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let out = orgchard(&[
        "emulator",
        "init",
        state.to_str().unwrap(),
        "--rate-limits",
        "off",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    Org {
        backend: format!("emulator:{}", state.display()),
        root: dir.path().to_path_buf(),
        _dir: dir,
    }
}

#[test]
fn plan_detailed_exitcode_then_apply_then_no_changes() {
    let o = org();
    let ex = example("quickstart");
    let ex = ex.to_str().unwrap();
    let out = orgchard(&["plan", ex, "--backend", &o.backend, "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("# organizational_unit.security will be created"),
        "{t}"
    );
    assert!(
        t.contains("Plan: 7 to create, 2 to update, 0 to move, 0 to replace, 0 to delete."),
        "{t}"
    );

    let out = orgchard(&["apply", ex, "--backend", &o.backend, "--auto-approve"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("Apply complete: 7 created, 2 updated"),
        "{}",
        text(&out)
    );

    let out = orgchard(&["plan", ex, "--backend", &o.backend, "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("No changes."));
}

#[test]
fn json_plan_is_versioned_and_saved_plans_show_the_same() {
    let o = org();
    let ex = example("quickstart");
    let planfile = o.root.join("plan.json");
    let out = orgchard(&[
        "plan",
        ex.to_str().unwrap(),
        "--backend",
        &o.backend,
        "--json",
        "--out",
        planfile.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let mut doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("plan --json is JSON");
    // The pre-check result belongs to the run that printed it, not to the saved plan.
    assert!(doc["precheck"]["allowed"].as_u64().unwrap() > 0, "{doc}");
    doc.as_object_mut().unwrap().remove("precheck");
    assert_eq!(doc["format_version"], "2.0");
    assert_eq!(doc["summary"]["create"], 7);
    assert!(doc["operations"].as_array().unwrap().len() >= 9);
    let shown = orgchard(&["show", planfile.to_str().unwrap(), "--json"]);
    let shown: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(shown, doc);
    let human = orgchard(&["show", planfile.to_str().unwrap()]);
    assert!(text(&human).contains("Plan: 7 to create"));
}

#[test]
fn target_limits_the_plan() {
    let o = org();
    let ex = example("quickstart");
    let out = orgchard(&[
        "plan",
        ex.to_str().unwrap(),
        "--backend",
        &o.backend,
        "--target",
        "organizational_unit.security",
    ]);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains("organizational_unit.security"));
    assert!(!t.contains("account.prod"), "{t}");
    let bad = orgchard(&[
        "plan",
        ex.to_str().unwrap(),
        "--backend",
        &o.backend,
        "--target",
        "bucket.x",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad).contains("unknown resource type"),
        "{}",
        text(&bad)
    );
}

#[test]
fn graph_prints_dot_with_ordering_edges() {
    let o = org();
    let ex = example("quickstart");
    let out = orgchard(&["graph", ex.to_str().unwrap(), "--backend", &o.backend]);
    let t = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{}", text(&out));
    assert!(t.starts_with("digraph orgchard {"), "{t}");
    assert!(t.contains("CreateAccount"));
    assert!(t.contains(" -> "), "edges are drawn");
}

#[test]
fn import_writes_configuration_that_plans_with_no_changes() {
    let o = org();
    let ex = example("quickstart");
    let out = orgchard(&[
        "apply",
        ex.to_str().unwrap(),
        "--backend",
        &o.backend,
        "--auto-approve",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let imported = o.root.join("imported");
    let out = orgchard(&[
        "import",
        "--out",
        imported.to_str().unwrap(),
        "--backend",
        &o.backend,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(imported.join("main.hcl").exists());
    let out = orgchard(&["validate", imported.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let out = orgchard(&[
        "plan",
        imported.to_str().unwrap(),
        "--backend",
        &o.backend,
        "--detailed-exitcode",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // Import never overwrites.
    let again = orgchard(&[
        "import",
        "--out",
        imported.to_str().unwrap(),
        "--backend",
        &o.backend,
    ]);
    assert_eq!(again.status.code(), Some(1));
}

#[test]
fn invalid_configuration_fails_plan_before_any_call() {
    let o = org();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.hcl"),
        "organizational_unit \"x\" {\n  nme = \"X\"\n}\n",
    )
    .unwrap();
    let out = orgchard(&[
        "plan",
        dir.path().to_str().unwrap(),
        "--backend",
        &o.backend,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("main.hcl"), "{}", text(&out));
    let stats = orgchard(&[
        "emulator",
        "stats",
        o.backend.trim_start_matches("emulator:"),
        "--json",
    ]);
    let stats: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(stats["reads"], 0, "{stats}");
}

#[test]
fn snapshot_rehearses_a_copy_of_the_organization() {
    let o = org();
    let ex = example("quickstart");
    let ex = ex.to_str().unwrap();
    let out = orgchard(&["apply", ex, "--backend", &o.backend, "--auto-approve"]);
    assert!(out.status.success(), "{}", text(&out));
    let snap = o.root.join("snap.json");
    let out = orgchard(&[
        "snapshot",
        "--out",
        snap.to_str().unwrap(),
        "--dir",
        ex,
        "--backend",
        &o.backend,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let copy = o.root.join("copy.json");
    let out = orgchard(&[
        "emulator",
        "init",
        copy.to_str().unwrap(),
        "--from",
        snap.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let copy_backend = format!("emulator:{}", copy.display());
    let out = orgchard(&[
        "plan",
        ex,
        "--backend",
        &copy_backend,
        "--detailed-exitcode",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the copy plans like the original: {}",
        text(&out)
    );
    // A rehearsal changes the copy only.
    let dir = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(ex).unwrap().flatten() {
        if f.path().is_file() {
            std::fs::copy(f.path(), dir.path().join(f.file_name())).unwrap();
        }
    }
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    for f in std::fs::read_dir(Path::new(ex).join("policies"))
        .unwrap()
        .flatten()
    {
        std::fs::copy(f.path(), dir.path().join("policies").join(f.file_name())).unwrap();
    }
    let ous = std::fs::read_to_string(dir.path().join("ous.hcl")).unwrap();
    std::fs::write(
        dir.path().join("ous.hcl"),
        ous.replace("\"Security\"", "\"Security Tooling\""),
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let out = orgchard(&["apply", d, "--backend", &copy_backend, "--auto-approve"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = orgchard(&["plan", ex, "--backend", &o.backend, "--detailed-exitcode"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the original is untouched: {}",
        text(&out)
    );
}

/// `snapshot` without a configuration reads roles by the planner's rule (the management
/// account and the accounts carrying the roles tag): a rehearsal on the copy finds the roles
/// orgchard created instead of planning to create them again.
#[test]
fn snapshot_without_a_configuration_keeps_the_roles_orgchard_owns() {
    let o = org();
    let ex = example("landing-zone");
    let ex = ex.to_str().unwrap();
    let out = orgchard(&["apply", ex, "--backend", &o.backend, "--auto-approve"]);
    assert!(out.status.success(), "{}", text(&out));
    let empty = tempfile::tempdir().unwrap();
    let snap = o.root.join("snap.json");
    let out = run_in(
        empty.path(),
        &[
            "snapshot",
            "--out",
            snap.to_str().unwrap(),
            "--backend",
            &o.backend,
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let copy = o.root.join("copy.json");
    let out = orgchard(&[
        "emulator",
        "init",
        copy.to_str().unwrap(),
        "--from",
        snap.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let copy_backend = format!("emulator:{}", copy.display());
    let out = orgchard(&[
        "plan",
        ex,
        "--backend",
        &copy_backend,
        "--detailed-exitcode",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the copy plans like the original: {}",
        text(&out)
    );
}

/// The landing zone, applied then imported: the imported configuration keeps the module
/// addresses the ownership tags name and writes the roles orgchard owns, so planning it shows
/// no changes (neither retagging nor deleting the roles); roles orgchard does not own are
/// left out and listed.
#[test]
fn importing_the_landing_zone_keeps_modules_and_roles_and_plans_no_changes() {
    let o = org();
    let ex = example("landing-zone");
    let ex = ex.to_str().unwrap();
    let out = orgchard(&["apply", ex, "--backend", &o.backend, "--auto-approve"]);
    assert!(out.status.success(), "{}", text(&out));
    let imported = o.root.join("imp");
    let imp = imported.to_str().unwrap();
    let out = orgchard(&["import", "--out", imp, "--backend", &o.backend]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("left out"),
        "roles orgchard does not own are listed: {}",
        text(&out)
    );
    let main = std::fs::read_to_string(imported.join("main.hcl")).unwrap();
    assert!(main.contains("module \"security\""), "{main}");
    let security = std::fs::read_to_string(imported.join("modules/security/main.hcl")).unwrap();
    assert!(security.contains("account \"audit\""), "{security}");
    let roles = std::fs::read_to_string(imported.join("modules/readonly_roles/roles.hcl")).unwrap();
    assert!(roles.contains("role \"read_only\""), "{roles}");
    let out = orgchard(&["validate", imp]);
    assert!(out.status.success(), "{}", text(&out));
    let out = orgchard(&["plan", imp, "--backend", &o.backend, "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

/// An error only the live organization reveals (here a pinned id it does not hold) is printed
/// as `validate` prints the configuration's own: the file and line, and the source quoted.
#[test]
fn a_plan_time_error_quotes_the_source_it_is_about() {
    let o = org();
    let conf = o.root.join("conf");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(
        conf.join("main.hcl"),
        "# Pinned to an OU that is not in the organization.\n\norganizational_unit \"gone\" {\n  id   = \"ou-abcd-12345678\"\n  name = \"Gone\"\n}\n",
    )
    .unwrap();
    let out = orgchard(&["plan", conf.to_str().unwrap(), "--backend", &o.backend]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = binary::lossy(&out.stderr);
    assert!(err.contains("does not exist in the organization"), "{err}");
    assert!(err.contains("organizational_unit.gone"), "{err}");
    let file_line = format!("{}:3:", conf.join("main.hcl").display());
    assert!(err.contains(&file_line), "no {file_line} in:\n{err}");
    assert!(
        err.lines()
            .any(|l| l.contains("3 |") && l.contains("organizational_unit \"gone\" {")),
        "the block is not quoted:\n{err}"
    );
    assert!(err.contains("remove `id`"), "{err}");
}
