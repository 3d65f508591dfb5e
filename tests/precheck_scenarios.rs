//! Permission pre-check scenarios through the command line against an emulator state file:
//! each restricted caller is refused by `apply` before any mutating call (the emulator's
//! counters show zero mutations) with the expected explanation, and the same configuration
//! applies cleanly with sufficient permissions. Also lockouts refused at plan time (an
//! account left with SCPs that deny everything; an SCP attached, changed, or left in place of
//! FullAWSAccess that denies the member-access role what this or a later plan needs), and the
//! least-privilege policy of `plan --emit-policy`.

use std::path::PathBuf;
use std::process::Output;

use orgchard::backend::emulator;

const ADMIN: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

mod binary;

use binary::{run as orgchard, text};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let env = Env {
            dir: tempfile::tempdir().unwrap(),
        };
        let out = orgchard(&[
            "emulator",
            "init",
            env.p("base.json"),
            "--rate-limits",
            "off",
        ]);
        assert!(out.status.success(), "{}", text(&out));
        env
    }

    fn p(&self, name: &str) -> &'static str {
        let s = self.dir.path().join(name).to_str().unwrap().to_string();
        Box::leak(s.into_boxed_str())
    }

    fn config(&self, name: &str, hcl: &str) -> &'static str {
        let d = self.dir.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("main.hcl"), hcl).unwrap();
        Box::leak(d.to_str().unwrap().to_string().into_boxed_str())
    }

    fn file(&self, name: &str, content: &str) -> &'static str {
        std::fs::write(self.dir.path().join(name), content).unwrap();
        self.p(name)
    }

    fn backend(&self, state: &str) -> String {
        format!("emulator:{}", self.p(state))
    }

    /// Applies `dir` to the base state with the administrator caller.
    fn setup(&self, dir: &str) {
        let out = orgchard(&[
            "apply",
            dir,
            "--backend",
            &self.backend("base.json"),
            "--auto-approve",
        ]);
        assert!(out.status.success(), "setup: {}", text(&out));
    }

    /// A copy of the base state whose caller has exactly `policy`.
    fn with_caller(&self, name: &str, policy: &str) -> String {
        let pol = self.file(&format!("{name}.policy.json"), policy);
        let state = format!("{name}.json");
        let out = orgchard(&[
            "emulator",
            "init",
            self.p(&state),
            "--from",
            self.p("base.json"),
            "--caller-policy",
            pol,
        ]);
        assert!(out.status.success(), "{}", text(&out));
        state
    }

    fn apply(&self, dir: &str, state: &str) -> Output {
        orgchard(&[
            "apply",
            dir,
            "--backend",
            &self.backend(state),
            "--auto-approve",
        ])
    }

    fn mutations(&self, state: &str) -> u64 {
        let out = orgchard(&["emulator", "stats", self.p(state), "--json"]);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json["mutations"].as_u64().unwrap()
    }

    fn bindings(&self, dir: &str) -> serde_json::Value {
        let out = orgchard(&[
            "plan",
            dir,
            "--backend",
            &self.backend("base.json"),
            "--json",
        ]);
        assert!(out.status.success(), "{}", text(&out));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json["bindings"].clone()
    }

    /// `plan` and `apply` both refused with exit 1 and every `expected` text; the apply
    /// before any mutating call.
    fn refused_at_plan_time(&self, dir: &str, expected: &[&str]) {
        let out = orgchard(&["plan", dir, "--backend", &self.backend("base.json")]);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(1), "{t}");
        for e in expected {
            assert!(t.contains(e), "plan: missing {e:?} in:\n{t}");
        }
        let state = self.with_caller("lockout", ADMIN);
        let out = self.apply(dir, &state);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(1), "{t}");
        for e in expected {
            assert!(t.contains(e), "apply: missing {e:?} in:\n{t}");
        }
        assert!(t.contains("nothing was changed"), "{t}");
        assert_eq!(self.mutations(&state), 0, "{t}");
    }

    /// Refused with every `expected` text, before any mutation; then applies with `ok`.
    fn refused_then_ok(&self, dir: &str, denied: &str, ok: &str, expected: &[&str]) {
        let state = self.with_caller("denied", denied);
        let out = self.apply(dir, &state);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(1), "{t}");
        for e in expected {
            assert!(t.contains(e), "missing {e:?} in:\n{t}");
        }
        assert!(t.contains("nothing was changed"), "{t}");
        assert_eq!(self.mutations(&state), 0, "{t}");
        let state = self.with_caller("allowed", ok);
        let out = self.apply(dir, &state);
        assert!(out.status.success(), "{}", text(&out));
        assert!(self.mutations(&state) > 0);
    }
}

const ORG: &str = r#"
organization {
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}
"#;

#[test]
fn missing_create_account() {
    let env = Env::new();
    let dir = env.config(
        "c",
        r#"
account "x" {
  name  = "X"
  email = "x@example.com"
}
"#,
    );
    env.refused_then_ok(
        dir,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"organizations:CreateAccount","Resource":"*"}]}"#,
        ADMIN,
        &["account.x", "CreateAccount x@example.com", "organizations:CreateAccount", "no statement allows it"],
    );
}

#[test]
fn deny_on_one_ou() {
    let env = Env::new();
    let one = format!(
        "{ORG}\norganizational_unit \"a\" {{\n  name = \"A\"\n}}\naccount \"x\" {{\n  name  = \"X\"\n  email = \"x@example.com\"\n}}\n"
    );
    let d1 = env.config("one", &one);
    env.setup(d1);
    let ou = env.bindings(d1)["organizational_unit.a"]
        .as_str()
        .unwrap()
        .to_string();
    let two = one.replace(
        "email = \"x@example.com\"",
        "email = \"x@example.com\"\n  parent = organizational_unit.a",
    );
    let d2 = env.config("two", &two);
    let deny = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"*","Resource":"*"}},{{"Sid":"NotThatOu","Effect":"Deny","Action":"organizations:MoveAccount","Resource":"arn:aws:organizations::*:ou/*/{ou}"}}]}}"#
    );
    env.refused_then_ok(
        d2,
        &deny,
        ADMIN,
        &[
            "organizations:MoveAccount",
            &ou,
            "explicitly denied",
            "NotThatOu",
        ],
    );
}

#[test]
fn condition_on_policy_type() {
    let env = Env::new();
    let hcl = format!(
        "{ORG}\norganizational_unit \"a\" {{\n  name = \"A\"\n  policies = [aws_policy.FullAWSAccess, policy.p]\n}}\npolicy \"p\" {{\n  type = \"SERVICE_CONTROL_POLICY\"\n  name = \"P\"\n  content = jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Effect = \"Deny\", Action = \"organizations:LeaveOrganization\", Resource = \"*\" }}] }})\n}}\n"
    );
    let dir = env.config("c", &hcl);
    let only = |t: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","NotAction":["organizations:AttachPolicy"],"Resource":"*"}},{{"Effect":"Allow","Action":"organizations:AttachPolicy","Resource":"*","Condition":{{"StringEquals":{{"organizations:PolicyType":"{t}"}}}}}}]}}"#
        )
    };
    env.refused_then_ok(
        dir,
        &only("TAG_POLICY"),
        &only("SERVICE_CONTROL_POLICY"),
        &["organizations:AttachPolicy", "implicitly denied"],
    );
}

fn account_with_scp(deny_create_role: bool) -> String {
    let policies = if deny_create_role {
        "policies = [aws_policy.FullAWSAccess, policy.no_roles]"
    } else {
        "policies = [aws_policy.FullAWSAccess]"
    };
    format!(
        "{ORG}\naccount \"x\" {{\n  name  = \"X\"\n  email = \"x@example.com\"\n  {policies}\n}}\naccount \"y\" {{\n  name  = \"Y\"\n  email = \"y@example.com\"\n}}\npolicy \"no_roles\" {{\n  type = \"SERVICE_CONTROL_POLICY\"\n  name = \"NoRoles\"\n  content = jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Sid = \"NoRoles\", Effect = \"Deny\", Action = \"iam:CreateRole\", Resource = \"*\" }}] }})\n}}\n"
    )
}

const ROLES: &str = "\nrole \"r\" {\n  for_each = toset([\"x\", \"y\"])\n  account = account[each.key]\n  name = \"Reader\"\n  trusted_accounts = [management.id]\n}\n";

#[test]
fn scp_denies_create_role_in_one_account() {
    let env = Env::new();
    let d1 = env.config("one", &account_with_scp(true));
    env.setup(d1);
    let d2 = env.config("two", &(account_with_scp(true) + ROLES));
    let state = env.with_caller("denied", ADMIN);
    let out = env.apply(d2, &state);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    // A plan-time lockout (the SCP denies the member-access role what this plan needs),
    // followed by the pre-check's view of the same request.
    let lockout = t
        .find("lockout: account X")
        .unwrap_or_else(|| panic!("no lockout error in:\n{t}"));
    let precheck = t
        .find("Pre-check:")
        .unwrap_or_else(|| panic!("no pre-check section in:\n{t}"));
    assert!(lockout < precheck, "the lockout comes first:\n{t}");
    assert!(
        t[lockout..precheck].contains("role.r[\"x\"]: CreateRole Reader")
            && t[lockout..precheck].contains("NoRoles"),
        "{t}"
    );
    assert!(t[precheck..].contains("✗ role.r[\"x\"]"), "{t}");
    assert!(t.contains("nothing was changed"), "{t}");
    assert!(
        t.contains("role.r[\"x\"]") && t.contains("iam:CreateRole"),
        "{t}"
    );
    assert!(
        t.contains("NoRoles") && t.contains("service control policy"),
        "{t}"
    );
    assert!(
        !t.contains("role.r[\"y\"]: CreateRole"),
        "only x is denied:\n{t}"
    );
    assert_eq!(env.mutations(&state), 0);
    // Without the SCP, the same roles apply.
    let env = Env::new();
    let d1 = env.config("one", &account_with_scp(false));
    env.setup(d1);
    let d2 = env.config("two", &(account_with_scp(false) + ROLES));
    let out = env.apply(d2, "base.json");
    assert!(out.status.success(), "{}", text(&out));
}

/// An SCP that exempts the member-access role by `aws:PrincipalArn`: its sessions carry the
/// role's ARN there, so the pre-check, the lockout check and the emulator all let orgchard
/// through, while the guard still stands for everyone else.
#[test]
fn scp_exempting_the_member_access_role_by_principal_arn() {
    let guard = "{ Sid = \"OnlyOrgchard\", Effect = \"Deny\", Action = \"iam:CreateRole\", Resource = \"*\", Condition = { ArnNotLike = { \"aws:PrincipalArn\" = \"arn:aws:iam::*:role/OrganizationAccountAccessRole\" } } }";
    let config = account_with_scp(true).replace(
        "Statement = [{ Sid = \"NoRoles\", Effect = \"Deny\", Action = \"iam:CreateRole\", Resource = \"*\" }]",
        &format!("Statement = [{guard}]"),
    );
    assert!(config.contains("OnlyOrgchard"));
    let env = Env::new();
    let d1 = env.config("one", &config);
    env.setup(d1);
    let d2 = env.config("two", &(config + ROLES));
    let out = env.apply(d2, "base.json");
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(!t.contains("lockout"), "{t}");
}

#[test]
fn missing_assume_role() {
    let env = Env::new();
    let d1 = env.config("one", &account_with_scp(false));
    env.setup(d1);
    let d2 = env.config("two", &(account_with_scp(false) + ROLES));
    env.refused_then_ok(
        d2,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"sts:AssumeRole","Resource":"*"}]}"#,
        ADMIN,
        &["sts:AssumeRole", "role/OrganizationAccountAccessRole", "no statement allows it"],
    );
}

#[test]
fn trust_policy_excludes_caller() {
    let env = Env::new();
    let d1 = env.config("one", &account_with_scp(false));
    env.setup(d1);
    let x = env.bindings(d1)["account.x"].as_str().unwrap().to_string();
    let path = PathBuf::from(env.p("base.json"));
    let mut state = emulator::store::load(&path).unwrap();
    let role = state
        .iam
        .get_mut(&x)
        .unwrap()
        .roles
        .get_mut("OrganizationAccountAccessRole")
        .unwrap();
    let original = role.trust_policy.clone();
    role.trust_policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}]}"#.into();
    emulator::store::save(&path, &state).unwrap();
    let d2 = env.config("two", &(account_with_scp(false) + ROLES));
    let state_name = env.with_caller("denied", ADMIN);
    let out = env.apply(d2, &state_name);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("sts:AssumeRole") && t.contains(&x) && t.contains("trust policy"),
        "{t}"
    );
    assert_eq!(env.mutations(&state_name), 0);
    // With the trust restored, the same configuration applies.
    let mut state = emulator::store::load(&path).unwrap();
    state
        .iam
        .get_mut(&x)
        .unwrap()
        .roles
        .get_mut("OrganizationAccountAccessRole")
        .unwrap()
        .trust_policy = original;
    emulator::store::save(&path, &state).unwrap();
    let out = env.apply(d2, "base.json");
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn plan_reports_and_exits_zero_with_json_section() {
    let env = Env::new();
    let dir = env.config(
        "c",
        "account \"x\" {\n  name  = \"X\"\n  email = \"x@example.com\"\n}\n",
    );
    let state = env.with_caller("denied", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"organizations:CreateAccount","Resource":"*"}]}"#);
    let out = orgchard(&["plan", dir, "--backend", &env.backend(&state), "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &json["precheck"]["denials"][0];
    assert_eq!(d["address"], "account.x");
    assert_eq!(d["action"], "organizations:CreateAccount");
    assert_eq!(d["decided_by"], "no statement allows it");
    assert!(json["precheck"]["allowed"].as_u64().unwrap() > 0);
    let human = orgchard(&["plan", dir, "--backend", &env.backend(&state)]);
    assert!(text(&human).contains("Pre-check:"), "{}", text(&human));
    // --precheck warn goes on.
    let out = orgchard(&[
        "apply",
        dir,
        "--backend",
        &env.backend(&state),
        "--auto-approve",
        "--precheck",
        "warn",
    ]);
    // The pre-check only warns; the call is made and the backend refuses it as predicted.
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("AccessDenied"), "{}", text(&out));
}

#[test]
fn lockout_refused_at_plan_time() {
    let env = Env::new();
    let one =
        format!("{ORG}\naccount \"x\" {{\n  name  = \"X\"\n  email = \"x@example.com\"\n}}\n");
    let d1 = env.config("one", &one);
    env.setup(d1);
    let two = format!(
        "{one}\nroot {{\n  policies = [policy.deny_only]\n}}\npolicy \"deny_only\" {{\n  type = \"SERVICE_CONTROL_POLICY\"\n  name = \"DenyOnly\"\n  content = jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Effect = \"Deny\", Action = \"organizations:LeaveOrganization\", Resource = \"*\" }}] }})\n}}\n"
    );
    let d2 = env.config("two", &two);
    let out = orgchard(&["plan", d2, "--backend", &env.backend("base.json")]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(
        t.contains("lockout") && t.contains("account X") && t.contains("deny every action"),
        "{t}"
    );
    assert!(t.contains("DenyOnly"), "{t}");
    env.refused_at_plan_time(d2, &["lockout: account X", "DenyOnly"]);
}

/// Two accounts with roles, `x` with `POLICIES` attached and `extra` added.
fn roles_config(policies: &str, extra: &str) -> String {
    format!(
        "{ORG}\naccount \"x\" {{\n  name  = \"X\"\n  email = \"x@example.com\"\n  policies = {policies}\n}}\naccount \"y\" {{\n  name  = \"Y\"\n  email = \"y@example.com\"\n}}\n{ROLES}\n{extra}"
    )
}

fn scp_block(label: &str, name: &str, statement: &str) -> String {
    format!(
        "policy \"{label}\" {{\n  type = \"SERVICE_CONTROL_POLICY\"\n  name = \"{name}\"\n  content = jsonencode({{ Version = \"2012-10-17\", Statement = [{statement}] }})\n}}\n"
    )
}

const NO_ROLE_CHANGES: &str = "{ Sid = \"NoRoleChanges\", Effect = \"Deny\", Action = [\"iam:UpdateAssumeRolePolicy\", \"iam:PutRolePolicy\", \"iam:DeleteRole\"], Resource = \"*\" }";

#[test]
fn lockout_attaching_an_scp_that_denies_the_member_access_role() {
    let env = Env::new();
    let d1 = env.config("one", &roles_config("[aws_policy.FullAWSAccess]", ""));
    env.setup(d1);
    let d2 = env.config(
        "two",
        &roles_config(
            "[aws_policy.FullAWSAccess, policy.guard]",
            &scp_block("guard", "Guard", NO_ROLE_CHANGES),
        ),
    );
    env.refused_at_plan_time(
        d2,
        &[
            "lockout: account X",
            "iam:PutRolePolicy",
            "iam:DeleteRole",
            "role/Reader",
            "Guard (policy.guard)",
            "NoRoleChanges",
            "member-access role",
        ],
    );
    // Y keeps its plain SCPs: nothing is said about it.
    let out = orgchard(&["plan", d2, "--backend", &env.backend("base.json")]);
    assert!(!text(&out).contains("account Y"), "{}", text(&out));
}

#[test]
fn lockout_updating_an_attached_scps_content() {
    let env = Env::new();
    let harmless = "{ Sid = \"NoLeaving\", Effect = \"Deny\", Action = \"organizations:LeaveOrganization\", Resource = \"*\" }";
    let attached = "[aws_policy.FullAWSAccess, policy.guard]";
    let d1 = env.config(
        "one",
        &roles_config(attached, &scp_block("guard", "Guard", harmless)),
    );
    env.setup(d1);
    let d2 = env.config(
        "two",
        &roles_config(attached, &scp_block("guard", "Guard", NO_ROLE_CHANGES)),
    );
    env.refused_at_plan_time(
        d2,
        &["lockout: account X", "NoRoleChanges", "iam:PutRolePolicy"],
    );
}

#[test]
fn lockout_detaching_full_aws_access_for_an_allow_list_without_iam() {
    let env = Env::new();
    let d1 = env.config("one", &roles_config("[aws_policy.FullAWSAccess]", ""));
    env.setup(d1);
    let only = "{ Sid = \"OnlyS3\", Effect = \"Allow\", Action = [\"s3:*\", \"sts:*\"], Resource = \"*\" }";
    let d2 = env.config(
        "two",
        &roles_config("[policy.only]", &scp_block("only", "OnlyS3", only)),
    );
    env.refused_at_plan_time(
        d2,
        &[
            "lockout: account X",
            "iam:ListRoles",
            "no statement allows it",
            "OnlyS3",
        ],
    );
    // Allowing IAM as well keeps orgchard in: the same detachment applies.
    let with_iam = only.replace("\"sts:*\"]", "\"sts:*\", \"iam:*\"]");
    let d3 = env.config(
        "three",
        &roles_config("[policy.only]", &scp_block("only", "OnlyS3", &with_iam)),
    );
    let out = env.apply(d3, "base.json");
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn a_denying_scp_where_no_roles_are_managed_is_a_warning() {
    let env = Env::new();
    let one =
        format!("{ORG}\naccount \"x\" {{\n  name  = \"X\"\n  email = \"x@example.com\"\n}}\n");
    env.setup(env.config("one", &one));
    let two = format!(
        "{ORG}\naccount \"x\" {{\n  name  = \"X\"\n  email = \"x@example.com\"\n  policies = [aws_policy.FullAWSAccess, policy.guard]\n}}\n{}",
        scp_block("guard", "Guard", NO_ROLE_CHANGES)
    );
    let d2 = env.config("two", &two);
    let out = orgchard(&["plan", d2, "--backend", &env.backend("base.json")]);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(
        t.contains("possible lockout: account X") && t.contains("NoRoleChanges"),
        "{t}"
    );
    let out = env.apply(d2, "base.json");
    assert!(out.status.success(), "{}", text(&out));
}

fn statements(policy: &serde_json::Value) -> Vec<serde_json::Value> {
    policy["Statement"].as_array().unwrap().clone()
}

#[test]
fn emitted_policy_is_least_privilege() {
    let env = Env::new();
    let one =
        format!("{ORG}\naccount \"x\" {{\n  name  = \"X\"\n  email = \"x@example.com\"\n}}\n");
    let d1 = env.config("one", &one);
    env.setup(d1);
    let two = format!(
        "{one}\norganizational_unit \"a\" {{\n  name = \"A\"\n  policies = [aws_policy.FullAWSAccess, policy.p]\n}}\naccount \"n\" {{\n  name = \"N\"\n  email = \"n@example.com\"\n  parent = organizational_unit.a\n}}\npolicy \"p\" {{\n  type = \"SERVICE_CONTROL_POLICY\"\n  name = \"P\"\n  content = jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Effect = \"Deny\", Action = \"organizations:LeaveOrganization\", Resource = \"*\" }}] }})\n}}\nrole \"r\" {{\n  account = account.x\n  name = \"Reader\"\n  trusted_accounts = [management.id]\n}}\n"
    );
    let d2 = env.config("two", &two);
    let out = orgchard(&[
        "plan",
        d2,
        "--backend",
        &env.backend("base.json"),
        "--emit-policy",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let policy: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let doc = serde_json::to_string(&policy).unwrap();
    assert!(
        doc.contains(":ou/o-") && doc.contains("/ou-*"),
        "created OUs as a pattern: {doc}"
    );
    assert!(doc.contains("organizations:PolicyType"), "{doc}");
    // GetCallerIdentity needs no permission: asking for it would not be least privilege.
    assert!(!doc.contains("GetCallerIdentity"), "{doc}");
    // Only that policy as the caller's: the apply passes the pre-check and succeeds.
    let state = env.with_caller("least", &doc);
    let out = env.apply(d2, &state);
    assert!(out.status.success(), "{}", text(&out));
    // Removing any one statement makes the pre-check fail.
    let all = statements(&policy);
    assert!(all.len() > 5);
    for i in 0..all.len() {
        let mut fewer = all.clone();
        let removed = fewer.remove(i);
        if removed["Sid"] == "OrgchardPrecheckReads" {
            // `--as-policy` skips reading the caller's policies, so this statement is proven
            // by a caller that has everything else: the check cannot read its policies and
            // the apply refuses.
            let doc = serde_json::json!({"Version": "2012-10-17", "Statement": fewer}).to_string();
            let state = env.with_caller("noreads", &doc);
            let out = env.apply(d2, &state);
            assert_eq!(out.status.code(), Some(1), "{}", text(&out));
            assert!(text(&out).contains("nothing was changed"), "{}", text(&out));
            continue;
        }
        let file = env.file(
            "fewer.json",
            &serde_json::json!({"Version": "2012-10-17", "Statement": fewer}).to_string(),
        );
        let out = orgchard(&[
            "plan",
            d2,
            "--backend",
            &env.backend("base.json"),
            "--json",
            "--as-policy",
            file,
        ]);
        assert!(out.status.success(), "{}", text(&out));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(
            !json["precheck"]["denials"].as_array().unwrap().is_empty(),
            "without {removed} the pre-check still passes"
        );
    }
}

/// Calls of `operation` the emulator state has counted so far.
fn calls_of(env: &Env, state: &str, operation: &str) -> u64 {
    let out = orgchard(&["emulator", "stats", env.p(state), "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json["calls"][operation]["calls"].as_u64().unwrap_or(0)
}

#[test]
fn an_organization_without_roles_is_planned_with_organizations_and_iam_reads_only() {
    let env = Env::new();
    let cfg = format!(
        "{ORG}\norganizational_unit \"a\" {{\n  name = \"A\"\n}}\naccount \"x\" {{\n  name   = \"X\"\n  email  = \"x@example.com\"\n  parent = organizational_unit.a\n}}\n"
    );
    let d = env.config("noroles", &cfg);
    env.setup(d);
    let reads = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["organizations:Describe*","organizations:List*","iam:Get*","iam:List*"],"Resource":"*"}]}"#;
    let state = env.with_caller("reader", reads);
    let iam_role_calls = ["ListRoles", "ListRoleTags", "GetRole", "AssumeRole"];
    let before: Vec<u64> = iam_role_calls
        .iter()
        .map(|op| calls_of(&env, &state, op))
        .collect();
    let out = orgchard(&["plan", d, "--backend", &env.backend(&state), "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["precheck"]["denials"], serde_json::json!([]), "{json}");
    assert_eq!(json["precheck"]["unknown"], 0, "{json}");
    let after: Vec<u64> = iam_role_calls
        .iter()
        .map(|op| calls_of(&env, &state, op))
        .collect();
    assert_eq!(
        before, after,
        "{iam_role_calls:?}: no role read, no AssumeRole"
    );
    // The strict pre-check of an apply passes too (nothing to change).
    let out = env.apply(d, &state);
    assert!(out.status.success(), "{}", text(&out));
}
