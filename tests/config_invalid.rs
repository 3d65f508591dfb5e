//! Invalid configurations: every directory under `tests/data/invalid/` is loaded and must fail
//! with the diagnostics listed in its `expected.txt`, one per line as
//! `FILE:LINE:COLUMN: fragment` (or `-: fragment` for a diagnostic without a place). The
//! fragment must appear in the diagnostic's message or help. An optional `args.txt` gives
//! `var: NAME=VALUE` and `var-file: FILE` inputs.

use std::path::{Path, PathBuf};
use std::process::Command;

use orgchard::config::{self, Diagnostics, VarInputs};

fn cases() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("tests/data/invalid")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn inputs(dir: &Path) -> VarInputs {
    let mut vars = VarInputs::default();
    if let Ok(text) = std::fs::read_to_string(dir.join("args.txt")) {
        for line in text.lines() {
            if let Some(v) = line.strip_prefix("var: ") {
                vars.vars.push(v.to_string());
            } else if let Some(f) = line.strip_prefix("var-file: ") {
                vars.var_files.push(dir.join(f));
            }
        }
    }
    vars
}

/// Checks one case; returns what went wrong.
fn check_case(dir: &Path) -> Result<(), String> {
    let expected = std::fs::read_to_string(dir.join("expected.txt"))
        .map_err(|e| format!("no expected.txt: {e}"))?;
    let diags: Diagnostics = match config::load(dir, &inputs(dir)) {
        Ok(_) => return Err("loaded without errors".into()),
        Err(d) => d,
    };
    let prefix = format!("{}/", dir.display());
    for line in expected.lines().filter(|l| !l.trim().is_empty()) {
        let (place, fragment) = line
            .split_once(": ")
            .ok_or_else(|| format!("bad expected line {line:?}"))?;
        let found = diags.iter().any(|d| {
            let at = match &d.span {
                Some(s) => {
                    let file = s.file.strip_prefix(&prefix).unwrap_or(&s.file);
                    format!("{file}:{}:{}", s.line, s.column)
                }
                None => "-".to_string(),
            };
            let text = format!("{} {}", d.message, d.help.clone().unwrap_or_default());
            at == place && text.contains(fragment)
        });
        if !found {
            return Err(format!("expected `{fragment}` at {place}; got:\n{}", diags));
        }
    }
    // Rendering quotes the source and never fails.
    let rendered = diags.render(false);
    assert!(!rendered.is_empty());
    Ok(())
}

#[test]
fn every_invalid_configuration_is_reported_where_it_is_wrong() {
    let cases = cases();
    assert!(cases.len() >= 50, "only {} invalid cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|dir| {
            check_case(dir)
                .err()
                .map(|e| format!("{}: {e}", dir.display()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_binary_reports_all_errors_in_plain_text_and_exits_1() {
    let out = Command::new(env!("CARGO_BIN_EXE_orgchard"))
        .args([
            "validate",
            "tests/data/invalid/unknown_attribute",
            "--no-color",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
    // Both errors of the run, each with its place and the quoted line.
    assert!(stderr.contains("main.hcl:3:3"), "{stderr}");
    assert!(stderr.contains("emial = \"aws+a@example.com\""), "{stderr}");
    assert!(stderr.contains("did you mean `email`?"), "{stderr}");
    assert!(stderr.contains("main.hcl:1:1"), "{stderr}");
    assert!(stderr.contains("2 errors"), "{stderr}");
}

#[test]
fn the_binary_accepts_a_valid_configuration() {
    let out = Command::new(env!("CARGO_BIN_EXE_orgchard"))
        .args(["validate", "examples/quickstart"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with("Success! The configuration is valid."),
        "{stdout}"
    );
    assert!(stdout.contains("organizational units"), "{stdout}");
}
