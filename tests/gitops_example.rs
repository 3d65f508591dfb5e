//! The GitOps example (`examples/gitops/`): its GitHub Actions workflows parse as YAML and
//! hold what the pipeline depends on (OIDC, the concurrency group, the saved plan), every
//! `orgchard` command line in them runs against the embedded emulator with the example
//! configuration and is accepted, in the order the pipeline runs them (plan on the pull
//! request, apply after merge, the drift plan), and the committed IAM policies are what
//! orgchard emits for the example today.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

mod binary;

use binary::{copy_dir, lossy, repo_path, run as orgchard, text};

const WORKFLOWS: &[&str] = &[
    "orgchard-plan.yml",
    "orgchard-apply.yml",
    "orgchard-drift.yml",
];

fn workflow(name: &str) -> Yaml {
    let path = repo_path("examples/gitops/workflows").join(name);
    let source = std::fs::read_to_string(&path).unwrap();
    let mut docs = YamlLoader::load_from_str(&source)
        .unwrap_or_else(|e| panic!("{}: not YAML: {e}", path.display()));
    assert_eq!(docs.len(), 1, "{name}: one document");
    docs.remove(0)
}

fn get<'a>(y: &'a Yaml, key: &str) -> &'a Yaml {
    &y[key]
}

fn string_map(y: &Yaml) -> BTreeMap<String, String> {
    match y.as_hash() {
        Some(h) => h
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Yaml::String(s) => s.clone(),
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Real(r) => r.clone(),
                    Yaml::Boolean(b) => b.to_string(),
                    other => panic!("env value {other:?}"),
                };
                (k.as_str().unwrap().to_string(), v)
            })
            .collect(),
        None => BTreeMap::new(),
    }
}

/// One `orgchard` command line of a workflow, with the environment its step sees.
#[derive(Debug)]
struct Line {
    workflow: &'static str,
    step: String,
    command: String,
    env: BTreeMap<String, String>,
}

/// Every line of every `run:` script whose command is `orgchard`, continuation lines joined,
/// in the order of the jobs and steps.
fn command_lines(name: &'static str) -> Vec<Line> {
    let w = workflow(name);
    let top = string_map(get(&w, "env"));
    let mut out = Vec::new();
    let jobs = get(&w, "jobs").as_hash().expect("jobs");
    for (_, job) in jobs {
        let mut job_env = top.clone();
        job_env.extend(string_map(get(job, "env")));
        for step in get(job, "steps").as_vec().expect("steps") {
            let Some(script) = get(step, "run").as_str() else {
                continue;
            };
            let mut env = job_env.clone();
            env.extend(string_map(get(step, "env")));
            let step_name = get(step, "name")
                .as_str()
                .unwrap_or("(unnamed)")
                .to_string();
            let mut joined = Vec::new();
            let mut pending = String::new();
            for raw in script.lines() {
                let line = raw.trim();
                if let Some(head) = line.strip_suffix('\\') {
                    pending.push_str(head);
                    pending.push(' ');
                    continue;
                }
                pending.push_str(line);
                joined.push(std::mem::take(&mut pending));
            }
            for line in joined {
                if line.starts_with("orgchard ") {
                    out.push(Line {
                        workflow: name,
                        step: step_name.clone(),
                        command: line,
                        env: env.clone(),
                    });
                }
            }
        }
    }
    out
}

#[test]
fn every_workflow_parses_and_holds_what_the_pipeline_needs() {
    for name in WORKFLOWS {
        let w = workflow(name);
        assert!(get(&w, "name").as_str().is_some(), "{name}: a name");
        assert!(
            !get(&w, "on").is_badvalue(),
            "{name}: `on` (a string key in YAML 1.2)"
        );
        let permissions = get(&w, "permissions");
        assert_eq!(
            get(permissions, "id-token").as_str(),
            Some("write"),
            "{name}: OIDC needs id-token: write"
        );
        let jobs = get(&w, "jobs").as_hash().expect("jobs");
        for (job_name, job) in jobs {
            let steps = get(job, "steps").as_vec().expect("steps");
            let creds: Vec<&Yaml> = steps
                .iter()
                .filter(|s| {
                    get(s, "uses")
                        .as_str()
                        .is_some_and(|u| u.starts_with("aws-actions/configure-aws-credentials@"))
                })
                .collect();
            assert_eq!(creds.len(), 1, "{name} {job_name:?}: one AWS login");
            let with = get(creds[0], "with");
            assert!(
                get(with, "role-to-assume").as_str().is_some(),
                "{name}: role-to-assume"
            );
            assert!(
                get(with, "aws-access-key-id").is_badvalue(),
                "{name}: OIDC, no stored keys"
            );
        }
    }
    let plan = workflow("orgchard-plan.yml");
    assert!(!get(get(&plan, "on"), "pull_request").is_badvalue());
    let apply = workflow("orgchard-apply.yml");
    assert!(!get(get(&apply, "on"), "push").is_badvalue());
    let concurrency = get(&apply, "concurrency");
    assert!(
        get(concurrency, "group").as_str().is_some(),
        "apply: a group"
    );
    assert_eq!(
        get(concurrency, "cancel-in-progress").as_bool(),
        Some(false),
        "an apply is never cancelled halfway"
    );
    let drift = workflow("orgchard-drift.yml");
    assert!(
        get(get(&drift, "on"), "schedule").as_vec().is_some(),
        "drift: on a schedule"
    );
}

/// Runs one workflow line as its step's shell would: bash, in the checkout, with the
/// workflow's environment, orgchard on the PATH and the emulator as the backend.
fn run_line(line: &Line, checkout: &Path, backend: &str) -> std::process::Output {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_orgchard"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("bash")
        .arg("-c")
        .arg(&line.command)
        .current_dir(checkout)
        .envs(&line.env)
        .env("PATH", path)
        .env("ORGCHARD_BACKEND", backend)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run bash")
}

#[test]
fn every_orgchard_command_in_the_workflows_runs_against_the_emulator() {
    let root = tempfile::tempdir().unwrap();
    let checkout = root.path().join("checkout");
    copy_dir(&repo_path("examples/gitops"), &checkout);
    let state = root.path().join("org.json");
    let out = orgchard(&[
        "emulator",
        "init",
        state.to_str().unwrap(),
        "--rate-limits",
        "off",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let backend = format!("emulator:{}", state.display());

    let mut ran = Vec::new();
    // The pipeline's order: the pull request's plan, the apply after merge, then the
    // nightly drift plan, which finds nothing right after the apply.
    for name in WORKFLOWS {
        let lines = command_lines(name);
        assert!(!lines.is_empty(), "{name}: no orgchard command found");
        for line in lines {
            assert!(
                !line.command.contains("${{"),
                "{}: {:?}: an expression GitHub would substitute; use the step's environment",
                line.workflow,
                line.command
            );
            let out = run_line(&line, &checkout, &backend);
            let code = out.status.code();
            let all = format!(
                "{} / {}: {}\n{}{}",
                line.workflow,
                line.step,
                line.command,
                lossy(&out.stdout),
                lossy(&out.stderr)
            );
            assert!(
                !lossy(&out.stderr).contains("Usage:"),
                "a usage error: {all}"
            );
            let expected: &[i32] = match (line.workflow, line.command.split(' ').nth(1)) {
                // A fresh organization: the pull request's plan has changes.
                ("orgchard-plan.yml", Some("plan")) => &[2],
                // Right after the apply, main's configuration matches: no drift.
                ("orgchard-drift.yml", Some("plan")) => &[0],
                _ if line.command.contains("--detailed-exitcode") => &[0, 2],
                _ => &[0],
            };
            assert!(
                code.is_some_and(|c| expected.contains(&c)),
                "exit {code:?}, expected one of {expected:?}: {all}"
            );
            ran.push(format!("{}: {}", line.workflow, line.command));
        }
    }
    // What the later steps of the workflows read was written.
    let comment = std::fs::read_to_string(checkout.join("plan.md")).unwrap();
    assert!(
        comment.starts_with("<!-- orgchard-plan: org -->\n"),
        "{comment}"
    );
    assert!(comment.contains("**7** to create"), "{comment}");
    assert!(checkout.join("orgchard.plan").exists());
    let drift = std::fs::read_to_string(checkout.join("drift.md")).unwrap();
    assert!(drift.contains("**No changes.**"), "{drift}");
    println!("ran {} workflow commands:\n{}", ran.len(), ran.join("\n"));
    assert!(ran.len() >= 5, "{ran:?}");
}

#[test]
fn a_saved_plan_is_refused_once_the_organization_moved() {
    // The apply job applies the reviewed plan; the stale check is what keeps it honest.
    let root = tempfile::tempdir().unwrap();
    let state = root.path().join("org.json");
    let out = orgchard(&["emulator", "init", state.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let backend = format!("emulator:{}", state.display());
    let config = repo_path("examples/gitops/org");
    let planfile = root.path().join("orgchard.plan");
    let out = orgchard(&[
        "plan",
        config.to_str().unwrap(),
        "--backend",
        &backend,
        "--out",
        planfile.to_str().unwrap(),
        "--detailed-exitcode",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    // Someone changes the organization between the review and the merge.
    let other = root.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(
        other.join("main.hcl"),
        "organizational_unit \"x\" {\n  name = \"Made meanwhile\"\n}\n",
    )
    .unwrap();
    let out = orgchard(&[
        "apply",
        other.to_str().unwrap(),
        "--backend",
        &backend,
        "--auto-approve",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let out = orgchard(&[
        "apply",
        planfile.to_str().unwrap(),
        "--backend",
        &backend,
        "--auto-approve",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("stale"), "{}", text(&out));
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_committed_role_policies_are_what_orgchard_emits_for_the_example() {
    let root = tempfile::tempdir().unwrap();
    let state = root.path().join("org.json");
    let out = orgchard(&["emulator", "init", state.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let backend = format!("emulator:{}", state.display());
    let config = repo_path("examples/gitops/org");
    let config = config.to_str().unwrap();
    let iam = repo_path("examples/gitops/iam");
    let emit = || {
        let out = orgchard(&["plan", config, "--backend", &backend, "--emit-policy"]);
        assert!(out.status.success(), "{}", text(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("a policy")
    };
    // The apply role: what the first apply of the example calls.
    assert_eq!(
        emit(),
        json(&iam.join("apply-role-policy.json")),
        "regenerate with `orgchard plan org --emit-policy`"
    );
    let out = orgchard(&["apply", config, "--backend", &backend, "--auto-approve"]);
    assert!(out.status.success(), "{}", text(&out));
    // The plan role: what a plan with nothing to change calls, reads only.
    let reads = emit();
    assert_eq!(reads, json(&iam.join("plan-role-policy.json")));
    for s in reads["Statement"].as_array().unwrap() {
        let actions: Vec<&str> = match &s["Action"] {
            serde_json::Value::String(a) => vec![a.as_str()],
            serde_json::Value::Array(a) => a.iter().map(|a| a.as_str().unwrap()).collect(),
            other => panic!("{other}"),
        };
        for a in actions {
            let verb = a.split(':').nth(1).unwrap();
            assert!(
                verb.starts_with("List") || verb.starts_with("Describe") || verb.starts_with("Get"),
                "the plan role may only read: {a}"
            );
        }
    }
}

#[test]
fn the_trust_policies_pin_the_repository_and_branch_or_environment() {
    use orgchard::iam::{Policy, PolicyKind};
    let iam = repo_path("examples/gitops/iam");
    for (file, expected) in [
        (
            "apply-role-trust.json",
            vec!["repo:example-org/organization:environment:production"],
        ),
        (
            "plan-role-trust.json",
            vec![
                "repo:example-org/organization:pull_request",
                "repo:example-org/organization:ref:refs/heads/main",
            ],
        ),
    ] {
        let path = iam.join(file);
        let source = std::fs::read_to_string(&path).unwrap();
        Policy::parse(&source, PolicyKind::Trust)
            .unwrap_or_else(|e| panic!("{file}: not a valid trust policy: {e}"));
        let doc = json(&path);
        let statements = doc["Statement"].as_array().unwrap();
        assert_eq!(statements.len(), 1, "{file}");
        let s = &statements[0];
        assert_eq!(s["Action"], "sts:AssumeRoleWithWebIdentity", "{file}");
        let equals = &s["Condition"]["StringEquals"];
        assert_eq!(
            equals["token.actions.githubusercontent.com:aud"], "sts.amazonaws.com",
            "{file}"
        );
        let sub: Vec<&str> = match &equals["token.actions.githubusercontent.com:sub"] {
            serde_json::Value::String(s) => vec![s.as_str()],
            serde_json::Value::Array(a) => a.iter().map(|v| v.as_str().unwrap()).collect(),
            other => panic!("{file}: sub {other}"),
        };
        // StringEquals, no wildcard: a fork, another branch or another repository cannot
        // assume the role.
        assert_eq!(sub, expected, "{file}");
        assert!(s["Condition"].get("StringLike").is_none(), "{file}");
    }
}
