//! Clients orgchard did not write, against `orgchard emulator serve`: boto3 running
//! `tests/clients/serve_boto3.py` (each protocol, AWS's rules and error codes through the wire,
//! signatures checked by a server started with `--verify-signatures`),
//! and the AWS CLI running `aws organizations …` and `aws iam …` commands.
//!
//! Both come from the tests' virtual environment (`.venv`, which `scripts/test` fills:
//! moto brings boto3, and the AWS CLI is installed beside it), or `ORGCHARD_PYTHON` /
//! `ORGCHARD_AWS_CLI`. When they are missing each test says so and passes without running.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod binary;
#[path = "support/serve.rs"]
mod serve;

use serve::ServeProcess;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tool(var: &str, venv_name: &str) -> PathBuf {
    std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv/bin").join(venv_name))
}

/// The client's environment: the server, its keys, and nothing from the machine's AWS setup.
fn point_at(c: &mut Command, server: &ServeProcess, dir: &Path) {
    c.env("AWS_ENDPOINT_URL", &server.url)
        .env("AWS_ACCESS_KEY_ID", &server.access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", &server.secret_access_key)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", dir.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.join("no-aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE");
}

fn text(out: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A developer without the clients gets a skip and the reason; CI, whose test command installs
/// both with pip, gets a failure, so a broken install step cannot pass as a green run.
fn skip_outside_ci(why: &str) {
    assert!(
        std::env::var_os("CI").is_none_or(|v| v.is_empty()),
        "CI is set but {why}"
    );
    eprintln!("SKIPPED: {why}");
}

#[test]
fn boto3_meets_aws_rules_through_the_wire() {
    let python = tool("ORGCHARD_PYTHON", "python");
    let has_boto3 = Command::new(&python)
        .args(["-c", "import boto3"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_boto3 {
        skip_outside_ci(&format!(
            "no boto3 at {} (run scripts/test, which installs it, or set ORGCHARD_PYTHON)",
            python.display()
        ));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = ServeProcess::start(&dir.path().join("state.json"), &["--time-scale", "600"]);
    // A second organization whose every call is throttled.
    let throttled_state = dir.path().join("throttled.json");
    let init = binary::run(&[
        "emulator",
        "init",
        throttled_state.to_str().unwrap(),
        "--faults",
        "throttle=1",
    ]);
    assert!(init.status.success(), "{}", text(&init));
    let throttled = ServeProcess::start(&throttled_state, &[]);
    // A third that accepts only requests signed with keys it issued.
    let verified = ServeProcess::start(&dir.path().join("verified.json"), &["--verify-signatures"]);

    let mut c = Command::new(&python);
    c.arg(repo().join("tests/clients/serve_boto3.py"))
        .env("THROTTLED_ENDPOINT", &throttled.url)
        .env("VERIFIED_ENDPOINT", &verified.url)
        .env("VERIFIED_ACCESS_KEY_ID", &verified.access_key_id)
        .env("VERIFIED_SECRET_ACCESS_KEY", &verified.secret_access_key)
        .current_dir(dir.path());
    point_at(&mut c, &server, dir.path());
    let out = c.output().expect("run python");
    assert!(out.status.success(), "boto3 tests failed:\n{}", text(&out));
    assert!(server.stop().success());
    assert!(throttled.stop().success());
    assert!(verified.stop().success());
}

#[test]
fn the_aws_cli_manages_an_organization_and_iam() {
    let aws = tool("ORGCHARD_AWS_CLI", "aws");
    if !aws.is_file() {
        skip_outside_ci(&format!(
            "no AWS CLI at {} (run scripts/test, which installs it, or set ORGCHARD_AWS_CLI)",
            aws.display()
        ));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = ServeProcess::start(&dir.path().join("state.json"), &[]);
    let run = |args: &[&str]| {
        let mut c = Command::new(&aws);
        c.args(args).args(["--output", "text"]);
        point_at(&mut c, &server, dir.path());
        c.output().expect("run aws")
    };
    let ok = |args: &[&str]| {
        let out = run(args);
        assert!(out.status.success(), "aws {args:?}:\n{}", text(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };

    let root = ok(&["organizations", "list-roots", "--query", "Roots[0].Id"]);
    assert!(root.starts_with("r-"), "{root}");
    let ou = ok(&[
        "organizations",
        "create-organizational-unit",
        "--parent-id",
        &root,
        "--name",
        "Platform",
        "--query",
        "OrganizationalUnit.Id",
    ]);
    ok(&[
        "organizations",
        "create-organizational-unit",
        "--parent-id",
        &ou,
        "--name",
        "Child",
    ]);
    let names = ok(&[
        "organizations",
        "list-organizational-units-for-parent",
        "--parent-id",
        &root,
        "--query",
        "OrganizationalUnits[].Name",
    ]);
    assert_eq!(names, "Platform");
    // AWS's refusal, as the CLI reports it.
    let refused = run(&[
        "organizations",
        "delete-organizational-unit",
        "--organizational-unit-id",
        &ou,
    ]);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("OrganizationalUnitNotEmptyException"),
        "{}",
        text(&refused)
    );

    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    ok(&[
        "iam",
        "create-role",
        "--role-name",
        "app",
        "--assume-role-policy-document",
        trust,
    ]);
    let arn = ok(&[
        "iam",
        "get-role",
        "--role-name",
        "app",
        "--query",
        "Role.Arn",
    ]);
    assert!(arn.ends_with(":role/app"), "{arn}");
    let roles = ok(&["iam", "list-roles", "--query", "Roles[].RoleName"]);
    assert!(roles.split_whitespace().any(|r| r == "app"), "{roles}");
    let missing = run(&["iam", "get-role", "--role-name", "nobody"]);
    assert!(
        text(&missing).contains("NoSuchEntity"),
        "{}",
        text(&missing)
    );
    let me = ok(&["sts", "get-caller-identity", "--query", "Arn"]);
    assert!(me.contains(":user/"), "{me}");
    assert!(server.stop().success());
}
