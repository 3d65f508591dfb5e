//! What each fuzz target does with its input, shared by the targets in `fuzz_targets/` and by
//! `tests/fuzz_inputs.rs`, which replays every input the fuzzers ever found: a crash found
//! once stays a failing test until it is fixed, without a fuzzer installed.
//!
//! Each function takes arbitrary bytes and must return without panicking whatever they are;
//! errors are the expected outcome for almost every input.

#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use orgchard::api::Api;
use orgchard::backend::ConnectOptions;
use orgchard::backend::client::{Client, RetryPolicy};
use orgchard::backend::emulator::{Emulator, store};
use orgchard::config::{self, VarInputs};
use orgchard::iam::policy::{Policy, PolicyKind};
use orgchard::iam::simulate::{self, Document, SimulateOptions};
use orgchard::plan::{graph, saved as json};
use orgchard::view::human as render;

/// A fuzz target: what it does with one input.
pub type Target = fn(&[u8]);

/// The fuzz targets by name, as `fuzz_targets/<name>.rs` and `tests/data/fuzz/<name>/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("load", load),
    ("saved_plan", saved_plan),
    ("emulator_state", emulator_state),
    ("policy", policy),
    ("var_value", var_value),
];

/// The bytes as the one `main.hcl` of a configuration directory, loaded and rendered.
pub fn load(data: &[u8]) {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(dir.path().join("main.hcl"), data).expect("writing main.hcl");
    if let Err(diags) = config::load(dir.path(), &VarInputs::default()) {
        let _ = diags.render(false);
        let _ = diags.to_string();
    }
}

/// The bytes as a saved plan file: read as `apply PLANFILE` and `show` do, then shown,
/// written back, and drawn as `graph` does.
pub fn saved_plan(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(plan) = json::from_json(text) else {
        return;
    };
    let _ = render::render(&plan, render::Style { color: false });
    let _ = render::summary_line(&plan);
    let _ = json::to_json(&plan);
    let _ = graph::to_dot(&plan);
    // What `apply PLANFILE` walks.
    let _ = graph::to_graph(&plan);
    let _ = graph::random_order(&plan, 0);
    let _ = orgchard::precheck::Placeholders::new(&plan);
}

/// The bytes as an emulator state file: parsed and checked as the emulator opens one, then
/// read by the planner's reader as `plan` would.
pub fn emulator_state(data: &[u8]) {
    let Ok(mut state) = store::parse(Path::new("state.json"), data) else {
        return;
    };
    // Faults and latency are settings of the emulator, not of the file's contents: without
    // them every read answers at once.
    state.faults = Default::default();
    state.settings.latency_ms = 0;
    let _ = orgchard::backend::emulator::Stats::of(&state);
    let emu = Emulator::in_memory(state, &ConnectOptions::default());
    let api: Arc<dyn Api> = Arc::new(emu);
    let client = Client::new(api, |_| None, RetryPolicy::default()).with_seed(0);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("runtime");
    let _ = rt.block_on(orgchard::plan::read::read_organization(&client));
}

/// The bytes as a policy document of each kind, then, when it parses as an identity policy,
/// a `policy simulate` run whose further inputs come from the same bytes: after the first
/// NUL, NUL-separated, the action, the principal, a resource and `KEY=VALUE` context pairs.
pub fn policy(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut fields = text.split('\0');
    let doc = fields.next().unwrap_or_default().to_string();
    for kind in [
        PolicyKind::Identity,
        PolicyKind::Managed,
        PolicyKind::Trust,
        PolicyKind::Scp,
        PolicyKind::Rcp,
        PolicyKind::PermissionsBoundary,
        PolicyKind::Session,
    ] {
        if let Ok(p) = Policy::parse(&doc, kind) {
            let _ = p.lint();
            for st in &p.statements {
                let _ = p.statement_path(st);
            }
        }
        let _ = kind.size_of(&doc);
    }
    let action = fields
        .next()
        .unwrap_or("organizations:ListAccounts")
        .to_string();
    let principal = fields.next().map(str::to_string);
    let resource = fields.next().unwrap_or("*").to_string();
    let context = fields
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let document = |name: &str| Document {
        name: name.into(),
        json: doc.clone(),
    };
    let _ = simulate::simulate(&SimulateOptions {
        identity: vec![document("identity.json")],
        scp_levels: vec![vec![document("scp.json")]],
        permissions_boundary: vec![document("boundary.json")],
        resource_policy: Some(document("resource.json")),
        principal,
        action,
        resources: vec![resource],
        context,
    });
}

/// The bytes as a `-var` value: the first line is the variable's `type`, the rest its value.
pub fn var_value(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (ty, value) = text.split_once('\n').unwrap_or(("any", &text));
    let dir = tempfile::tempdir().expect("temporary directory");
    let hcl = format!("variable \"v\" {{\n  type = {ty}\n}}\n\nlocals {{\n  x = var.v\n}}\n");
    std::fs::write(dir.path().join("main.hcl"), hcl).expect("writing main.hcl");
    let inputs = VarInputs {
        vars: vec![format!("v={value}")],
        ..VarInputs::default()
    };
    if let Err(diags) = config::load(dir.path(), &inputs) {
        let _ = diags.render(false);
    }
}
