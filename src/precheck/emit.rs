//! `plan --emit-policy`: the least-privilege identity policy that allows exactly the requests
//! the pre-check made for the caller: one statement per action, its resources the exact ARNs
//! of known resources and, for resources this apply creates, the narrowest pattern that
//! matches them; `organizations:PolicyType` as a condition where every request of the action
//! carries it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::{Placeholders, Report};

/// The policy document, pretty JSON.
pub fn emit(report: &Report, ph: &Placeholders) -> String {
    let patterns = ph.patterns();
    let mut by_action: BTreeMap<String, (BTreeSet<String>, Option<BTreeSet<String>>)> =
        BTreeMap::new();
    for c in report.requests.iter().filter(|c| c.caller) {
        let mut resource = c.request.resource.clone();
        for (id, pat) in &patterns {
            resource = resource.replace(id.as_str(), pat);
        }
        let entry = by_action
            .entry(c.request.action.clone())
            .or_insert_with(|| (BTreeSet::new(), Some(BTreeSet::new())));
        entry.0.insert(resource);
        match c.request.context_value("organizations:PolicyType") {
            Some(v) => {
                if let Some(types) = &mut entry.1 {
                    types.extend(v.values().iter().cloned());
                }
            }
            None => entry.1 = None,
        }
    }
    let statements: Vec<Value> = by_action
        .into_iter()
        .map(|(action, (resources, types))| {
            let sid: String = action.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            let resources: Vec<String> = if resources.contains("*") {
                vec!["*".into()]
            } else {
                resources.into_iter().collect()
            };
            let mut st = json!({
                "Sid": sid,
                "Effect": "Allow",
                "Action": action,
                "Resource": if resources.len() == 1 { json!(resources[0]) } else { json!(resources) },
            });
            if let Some(types) = types.filter(|t| !t.is_empty()) {
                st["Condition"] = json!({"StringEquals": {"organizations:PolicyType": types.into_iter().collect::<Vec<_>>()}});
            }
            st
        })
        .collect();
    serde_json::to_string_pretty(&json!({"Version": "2012-10-17", "Statement": statements}))
        .expect("a JSON value serializes")
}
