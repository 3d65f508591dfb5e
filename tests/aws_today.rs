//! AWS Organizations as it stands today, through the command line against the embedded
//! emulator: every policy type of the current API validates, the emulator's state speaks of
//! account `State` (older state files that say `status` load and are migrated), and the
//! quotas an organization has had raised are honoured by validate, the plan and the emulator
//! alike. (Ten SCPs per target and an INSPECTOR_POLICY applied and re-planned, on the emulator
//! and moto, are cases of `tests/scenarios_e2e.rs`.)

mod binary;

use std::path::Path;

use binary::{run, text};
use orgchard::vocab;

fn write(dir: &Path, hcl: &str) -> String {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("main.hcl"), hcl).unwrap();
    dir.to_str().unwrap().to_string()
}

/// A policy block of `policy_type` whose document suits the type.
fn policy_block(label: &str, policy_type: &str) -> String {
    let content = if policy_type == vocab::RCP {
        r#"jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Principal = "*", Action = "s3:GetObject", Resource = "*" }] })"#.to_string()
    } else if vocab::policy_type(policy_type).is_some_and(|t| !t.inherited) {
        r#"jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "ec2:RunInstances", Resource = "*" }] })"#.to_string()
    } else {
        r#"jsonencode({ tags = { team = { tag_key = { "@@assign" = "team" } } } })"#.to_string()
    };
    format!(
        "policy {label:?} {{\n  type    = {policy_type:?}\n  name    = \"{label}\"\n  content = {content}\n}}\n"
    )
}

#[test]
fn every_policy_type_of_the_current_api_validates() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<&str> = vocab::POLICY_TYPES.iter().map(|t| t.name).collect();
    // The thirteen types of the current API are all there.
    for t in [
        "SERVICE_CONTROL_POLICY",
        "RESOURCE_CONTROL_POLICY",
        "TAG_POLICY",
        "BACKUP_POLICY",
        "AISERVICES_OPT_OUT_POLICY",
        "CHATBOT_POLICY",
        "DECLARATIVE_POLICY_EC2",
        "SECURITYHUB_POLICY",
        "INSPECTOR_POLICY",
        "BEDROCK_POLICY",
        "GUARDDUTY_POLICY",
        "NETWORK_SECURITY_DIRECTOR_POLICY",
        "UPGRADE_ROLLOUT_POLICY",
    ] {
        assert!(names.contains(&t), "{t} is missing");
    }
    for t in vocab::POLICY_TYPES {
        let label = t.short;
        let hcl = format!(
            "organization {{\n  enabled_policy_types = [\"SERVICE_CONTROL_POLICY\", {:?}]\n}}\nroot {{\n  policies = [aws_policy.FullAWSAccess, policy.{label}]\n}}\n{}",
            t.name,
            policy_block(label, t.name)
        );
        let d = write(&dir.path().join(label), &hcl);
        let out = run(&["validate", &d]);
        assert!(out.status.success(), "{}: {}", t.name, text(&out));
    }
}

#[test]
fn raised_quotas_are_honoured_by_validate_plan_and_the_emulator() {
    let dir = tempfile::tempdir().unwrap();
    let mut blocks = String::new();
    let mut refs = vec!["aws_policy.FullAWSAccess".to_string()];
    for i in 1..=11 {
        blocks.push_str(&policy_block(&format!("deny{i}"), vocab::SCP));
        refs.push(format!("policy.deny{i}"));
    }
    let body = format!(
        "organizational_unit \"a\" {{\n  name     = \"A\"\n  policies = [{}]\n}}\n{blocks}",
        refs.join(", ")
    );
    let scps = "enabled_policy_types = [\"SERVICE_CONTROL_POLICY\"]";
    // Twelve SCPs on one OU: over AWS's default of ten, refused where it is written.
    let d = write(
        &dir.path().join("default"),
        &format!("organization {{\n  {scps}\n}}\n{body}"),
    );
    let out = run(&["validate", &d]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("main.hcl:6:"), "{}", text(&out));
    assert!(text(&out).contains("scp_per_target"), "{}", text(&out));
    // The organization had it raised to twelve: valid, applied, and re-planned empty on an
    // emulator whose quota is raised too.
    let d = write(
        &dir.path().join("raised"),
        &format!("organization {{\n  {scps}\n  quotas = {{ scp_per_target = 12 }}\n}}\n{body}"),
    );
    let out = run(&["validate", &d]);
    assert!(out.status.success(), "{}", text(&out));
    let state = dir.path().join("org.json");
    let state = state.to_str().unwrap();
    let out = run(&[
        "emulator",
        "init",
        state,
        "--rate-limits",
        "off",
        "--quota",
        "scp_per_target=12",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let backend = format!("emulator:{state}");
    let out = run(&["apply", &d, "--backend", &backend, "--auto-approve"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = run(&["plan", &d, "--backend", &backend, "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // An emulator at AWS's default refuses the eleventh as AWS does.
    let default_state = dir.path().join("default.json");
    let default_state = default_state.to_str().unwrap();
    let out = run(&["emulator", "init", default_state, "--rate-limits", "off"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = run(&[
        "apply",
        &d,
        "--backend",
        &format!("emulator:{default_state}"),
        "--auto-approve",
    ]);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"),
        "{}",
        text(&out)
    );
}

/// The `accounts` object of an emulator state file, as `emulator export` prints it.
fn exported_accounts(state: &str) -> serde_json::Map<String, serde_json::Value> {
    let out = run(&["emulator", "export", state]);
    assert!(out.status.success(), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json["accounts"].as_object().unwrap().clone()
}

#[test]
fn the_emulator_speaks_of_state_and_migrates_status() {
    let dir = tempfile::tempdir().unwrap();
    let d = write(
        &dir.path().join("cfg"),
        "account \"x\" {\n  name  = \"X\"\n  email = \"x@example.com\"\n}\n",
    );
    let state = dir.path().join("org.json");
    let state = state.to_str().unwrap();
    let out = run(&["emulator", "init", state, "--rate-limits", "off"]);
    assert!(out.status.success(), "{}", text(&out));
    let backend = format!("emulator:{state}");
    let out = run(&["apply", &d, "--backend", &backend, "--auto-approve"]);
    assert!(out.status.success(), "{}", text(&out));
    let accounts = exported_accounts(state);
    assert_eq!(accounts.len(), 2);
    for (id, a) in &accounts {
        assert_eq!(a["state"], "ACTIVE", "{id}: {a}");
        assert!(a.get("status").is_none(), "{id}: {a}");
    }

    // A state file written before AWS's change says `status`: it loads, plans with no
    // change, and is written back with `state`.
    let out = run(&["emulator", "export", state]);
    let mut old: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for a in old["accounts"].as_object_mut().unwrap().values_mut() {
        let a = a.as_object_mut().unwrap();
        let s = a.remove("state").unwrap();
        a.insert("status".into(), s);
    }
    let old_path = dir.path().join("old.json");
    std::fs::write(&old_path, serde_json::to_string_pretty(&old).unwrap()).unwrap();
    let old_path = old_path.to_str().unwrap();
    let old_backend = format!("emulator:{old_path}");
    let out = run(&["plan", &d, "--backend", &old_backend, "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    for (id, a) in &exported_accounts(old_path) {
        assert_eq!(a["state"], "ACTIVE", "{id}: {a}");
        assert!(a.get("status").is_none(), "{id}: {a}");
    }
}
