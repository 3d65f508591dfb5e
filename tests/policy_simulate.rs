//! `orgchard policy simulate` through the binary: exit codes (0 allowed, 2 denied, 1 error),
//! the human explanation, `--json`, SCP levels and errors that name the file and the JSON path.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

fn simulate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_orgchard"))
        .arg("policy")
        .arg("simulate")
        .args(args)
        .output()
        .unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

const ALLOW_ORG_READ: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Sid":"ReadOrg","Effect":"Allow","Action":["organizations:Describe*","organizations:List*"],"Resource":"*"},
  {"Sid":"NoLeave","Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}"#;

#[test]
fn allowed_exits_0_and_names_the_statement() {
    let d = Dir::new();
    let p = d.file("id.json", ALLOW_ORG_READ);
    let out = simulate(&[
        "--policy",
        s(&p),
        "--action",
        "organizations:ListRoots",
        "--resource",
        "*",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("Decision: allowed"), "{stdout}");
    assert!(stdout.contains("statement: 0 (Sid ReadOrg)"), "{stdout}");
    assert!(
        stdout.contains("arn:aws:iam::111111111111:role/SimulatedRole"),
        "{stdout}"
    );
}

#[test]
fn denied_exits_2_with_the_reason() {
    let d = Dir::new();
    let p = d.file("id.json", ALLOW_ORG_READ);
    let out = simulate(&[
        "--policy",
        s(&p),
        "--action",
        "organizations:LeaveOrganization",
        "--resource",
        "*",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("Decision: explicitly denied"), "{stdout}");
    assert!(stdout.contains("Sid NoLeave"), "{stdout}");

    let out = simulate(&[
        "--policy",
        s(&p),
        "--action",
        "iam:CreateRole",
        "--resource",
        "arn:aws:iam::111111111111:role/x",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("no statement allows it"), "{stdout}");
}

#[test]
fn scp_levels_and_json() {
    let d = Dir::new();
    let id = d.file(
        "id.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
    );
    let full = d.file(
        "full.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
    );
    let iam_only = d.file("iam-only.json", r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}}"#);
    let root_level = format!("{},{}", s(&full), s(&iam_only));
    let out = simulate(&[
        "--policy",
        s(&id),
        "--scp",
        &root_level,
        "--scp",
        s(&iam_only),
        "--principal",
        "arn:aws:iam::222222222222:role/Ops",
        "--action",
        "sts:GetCallerIdentity",
        "--resource",
        "*",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["allowed"], false);
    let d0 = &v["decisions"][0];
    assert_eq!(d0["outcome"], "implicit_deny");
    assert_eq!(d0["layer"], "scp");
    assert_eq!(d0["level"], 1);
    assert_eq!(d0["level_policies"][0], s(&iam_only));
    assert!(d0["explanation"].as_str().unwrap().contains("every level"));

    let out = simulate(&[
        "--policy",
        s(&id),
        "--scp",
        &root_level,
        "--scp",
        s(&iam_only),
        "--action",
        "iam:GetRole",
        "--resource",
        "arn:aws:iam::111111111111:role/x",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["decisions"][0]["outcome"], "allow");
}

#[test]
fn context_decides_conditions() {
    let d = Dir::new();
    let p = d.file("id.json", r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}"#);
    let out = simulate(&[
        "--policy",
        s(&p),
        "--action",
        "iam:GetRole",
        "--resource",
        "*",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("indeterminate") && stdout.contains("aws:SourceIp"),
        "{stdout}"
    );
    let out = simulate(&[
        "--policy",
        s(&p),
        "--action",
        "iam:GetRole",
        "--resource",
        "*",
        "--context",
        "aws:SourceIp=10.1.2.3",
    ]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn errors_exit_1_naming_file_and_path() {
    let d = Dir::new();
    let bad = d.file("bad.json", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":{"nested":1}}}}]}"#);
    let out = simulate(&[
        "--policy",
        s(&bad),
        "--action",
        "iam:GetRole",
        "--resource",
        "*",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("bad.json") && stderr.contains("Statement[1].Condition.StringEquals.k"),
        "{stderr}"
    );

    let out = simulate(&[
        "--policy",
        "/nonexistent/x.json",
        "--action",
        "iam:GetRole",
        "--resource",
        "*",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/x.json"));

    let ok = d.file("ok.json", ALLOW_ORG_READ);
    let out = simulate(&[
        "--policy",
        s(&ok),
        "--action",
        "iam:GetRole",
        "--resource",
        "*",
        "--context",
        "novalue",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("KEY=VALUE"));
}

#[test]
fn usage_errors_exit_1_not_2() {
    let out = simulate(&["--action", "iam:GetRole"]);
    assert_eq!(out.status.code(), Some(1));
    let out = Command::new(env!("CARGO_BIN_EXE_orgchard"))
        .args(["policy", "simulate", "--help"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}
