//! The evaluation corpus: every `tests/data/iam-eval/*.json` file holds cases, each with the
//! policies of every layer, one request, and the decision AWS's documented logic gives. The
//! expectations were written from AWS's documentation, not by running the engine.
//!
//! Case fields: `name`, `action`, `resource` (default `*`), `principal` (default a role in
//! 111111111111), `context` (key -> string or list), `identity`, `boundary`, `session`
//! (lists of policies), `scp`, `rcp` (lists of levels, each a list of policies; absent = not
//! subject), `resource_policy` (one trust policy), `policies` (named documents the others may
//! refer to by name), and the expectation: `expect` (`allow`, `explicit_deny`,
//! `implicit_deny`, `indeterminate`, or `parse_error` with `expect_path`), optionally `layer`,
//! `level`, `sid`, `policy`, `unknown_keys`. A policy is a full document, a statement list or
//! a single statement (both wrapped in a `2012-10-17` document), or the name of one in
//! `policies`.
//!
//! With `only: "resource_policy"` a case evaluates the resource policy alone (a role's trust
//! policy, as the pre-check and the emulator ask it) and may also expect `names_principal`:
//! whether the allow names the principal itself rather than its account. `principal_account`
//! overrides the account taken from the principal's ARN (service principals have none).

use std::path::Path;
use std::sync::Arc;

use orgchard::iam::{
    AuthzRequest, ContextValue, NamedPolicy, Outcome, Policy, PolicyError, PolicySet, evaluate,
    evaluate_resource_policy, policy::PolicyKind,
};
use serde_json::{Map, Value, json};

const DEFAULT_PRINCIPAL: &str = "arn:aws:iam::111111111111:role/Tester";

fn document(v: &Value, named: &Map<String, Value>) -> Result<(Option<String>, Value), String> {
    match v {
        Value::String(name) => named
            .get(name)
            .map(|d| (Some(name.clone()), document(d, named).map(|x| x.1)))
            .ok_or_else(|| format!("unknown policy name {name}"))
            .and_then(|(n, d)| Ok((n, d?))),
        Value::Array(_) => Ok((None, json!({"Version": "2012-10-17", "Statement": v}))),
        Value::Object(o) if o.contains_key("Effect") => {
            Ok((None, json!({"Version": "2012-10-17", "Statement": v})))
        }
        Value::Object(_) => Ok((None, v.clone())),
        _ => Err("a policy must be a name, a statement list or a document".into()),
    }
}

fn parse(
    v: &Value,
    named: &Map<String, Value>,
    kind: PolicyKind,
    default_id: String,
) -> Result<Result<NamedPolicy, PolicyError>, String> {
    let (name, doc) = document(v, named)?;
    let text = serde_json::to_string(&doc).unwrap();
    Ok(Policy::parse(&text, kind).map(|p| NamedPolicy {
        id: name.unwrap_or(default_id),
        policy: Arc::new(p),
    }))
}

/// Builds the policy set; `Err(Ok(e))` for a policy that fails to parse, `Err(Err(msg))` for
/// a malformed case.
fn build(case: &Value) -> Result<PolicySet, Result<PolicyError, String>> {
    let empty = Map::new();
    let named = case
        .get("policies")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let list = |key: &str,
                kind: PolicyKind|
     -> Result<Option<Vec<NamedPolicy>>, Result<PolicyError, String>> {
        let Some(v) = case.get(key) else {
            return Ok(None);
        };
        let items = v.as_array().ok_or(Err(format!("{key} must be a list")))?;
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            out.push(
                parse(item, named, kind, format!("{key}[{i}]"))
                    .map_err(Err)?
                    .map_err(Ok)?,
            );
        }
        Ok(Some(out))
    };
    let chain = |key: &str,
                 kind: PolicyKind|
     -> Result<Option<Vec<Vec<NamedPolicy>>>, Result<PolicyError, String>> {
        let Some(v) = case.get(key) else {
            return Ok(None);
        };
        let levels = v
            .as_array()
            .ok_or(Err(format!("{key} must be a list of levels")))?;
        let mut out = Vec::new();
        for (l, level) in levels.iter().enumerate() {
            let items = level
                .as_array()
                .ok_or(Err(format!("{key}[{l}] must be a list")))?;
            let mut lv = Vec::new();
            for (i, item) in items.iter().enumerate() {
                lv.push(
                    parse(item, named, kind, format!("{key}[{l}][{i}]"))
                        .map_err(Err)?
                        .map_err(Ok)?,
                );
            }
            out.push(lv);
        }
        Ok(Some(out))
    };
    Ok(PolicySet {
        identity: list("identity", PolicyKind::Identity)?.unwrap_or_default(),
        permissions_boundary: list("boundary", PolicyKind::PermissionsBoundary)?,
        session: list("session", PolicyKind::Session)?,
        scp_chain: chain("scp", PolicyKind::Scp)?,
        rcp_chain: chain("rcp", PolicyKind::Rcp)?,
        resource_policy: match case.get("resource_policy") {
            None => None,
            Some(v) => Some(
                parse(v, named, PolicyKind::Trust, "resource_policy".into())
                    .map_err(Err)?
                    .map_err(Ok)?,
            ),
        },
    })
}

fn request(case: &Value) -> Result<AuthzRequest, String> {
    let s = |k: &str| case.get(k).and_then(Value::as_str);
    let principal = s("principal").unwrap_or(DEFAULT_PRINCIPAL);
    let account = match s("principal_account") {
        Some(a) => a,
        None => principal
            .split(':')
            .nth(4)
            .ok_or("principal without account")?,
    };
    let mut req = AuthzRequest::new(
        principal,
        account,
        s("action").ok_or("case without action")?,
        s("resource").unwrap_or("*"),
    );
    if let Some(ctx) = case.get("context").and_then(Value::as_object) {
        for (k, v) in ctx {
            let value: ContextValue =
                serde_json::from_value(v.clone()).map_err(|e| format!("context {k}: {e}"))?;
            req = req.with_context(k, value);
        }
    }
    Ok(req)
}

fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::Allow => "allow",
        Outcome::ExplicitDeny => "explicit_deny",
        Outcome::ImplicitDeny => "implicit_deny",
        Outcome::Indeterminate => "indeterminate",
    }
}

/// Checks one case; `Err` describes the mismatch.
fn check(case: &Value) -> Result<(), String> {
    let expect = case
        .get("expect")
        .and_then(Value::as_str)
        .ok_or("case without expect")?;
    let set = match build(case) {
        Ok(set) => set,
        Err(Ok(e)) => {
            if expect != "parse_error" {
                return Err(format!("a policy failed to parse: {e}"));
            }
            let want = case.get("expect_path").and_then(Value::as_str);
            return match (want, e.path()) {
                (Some(w), Some(got)) if w != got => {
                    Err(format!("parse error at {got}, expected at {w}: {e}"))
                }
                _ => Ok(()),
            };
        }
        Err(Err(msg)) => return Err(format!("malformed case: {msg}")),
    };
    if expect == "parse_error" {
        return Err("expected a parse error, every policy parsed".into());
    }
    let req = request(case)?;
    let d = match case.get("only").and_then(Value::as_str) {
        None => evaluate(&req, &set),
        Some("resource_policy") => {
            let policy = set
                .resource_policy
                .as_ref()
                .ok_or("only: resource_policy without a resource_policy")?;
            let r = evaluate_resource_policy(&req, policy);
            if let Some(want) = case.get("names_principal").and_then(Value::as_bool)
                && r.names_principal != want
            {
                return Err(format!(
                    "expected names_principal {want}, got {}: {}",
                    r.names_principal, r.decision
                ));
            }
            r.decision
        }
        Some(other) => return Err(format!("unknown only: {other}")),
    };
    if case.get("only").is_none() && case.get("names_principal").is_some() {
        return Err("names_principal needs only: resource_policy".into());
    }
    let got = outcome_name(d.outcome);
    if got != expect {
        return Err(format!("expected {expect}, got {got}: {d}"));
    }
    if let Some(layer) = case.get("layer").and_then(Value::as_str) {
        let got = d.layer.map(|l| serde_json::to_value(l).unwrap());
        if got != Some(json!(layer)) {
            return Err(format!("expected layer {layer}, got {got:?}: {d}"));
        }
    }
    if let Some(level) = case.get("level").and_then(Value::as_u64)
        && d.level != Some(level as usize)
    {
        return Err(format!("expected level {level}, got {:?}: {d}", d.level));
    }
    if let Some(sid) = case.get("sid").and_then(Value::as_str)
        && d.statement.as_ref().and_then(|s| s.sid.as_deref()) != Some(sid)
    {
        return Err(format!(
            "expected statement Sid {sid}, got {:?}: {d}",
            d.statement
        ));
    }
    if let Some(policy) = case.get("policy").and_then(Value::as_str)
        && d.statement.as_ref().map(|s| s.policy_id.as_str()) != Some(policy)
    {
        return Err(format!(
            "expected policy {policy}, got {:?}: {d}",
            d.statement
        ));
    }
    if let Some(keys) = case.get("unknown_keys") {
        let want: Vec<String> = serde_json::from_value(keys.clone()).map_err(|e| e.to_string())?;
        if d.unknown_keys != want {
            return Err(format!(
                "expected unknown keys {want:?}, got {:?}",
                d.unknown_keys
            ));
        }
    }
    Ok(())
}

#[test]
fn evaluation_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/iam-eval");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut total = 0;
    let mut failures = Vec::new();
    for file in &files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let cases = doc["cases"].as_array().expect("a cases list");
        for case in cases {
            total += 1;
            let name = case.get("name").and_then(Value::as_str).unwrap_or("?");
            if let Err(e) = check(case) {
                failures.push(format!(
                    "{} / {name}: {e}",
                    file.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    assert!(total >= 200, "the corpus has only {total} cases");
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
