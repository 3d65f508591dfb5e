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
    // An action the pre-check's own reads grant on every resource needs no statement of its
    // own (the reader's role reads share some of them).
    let mut statements: Vec<Value> = by_action
        .into_iter()
        .filter(|(action, _)| {
            !super::collect::READ_PERMISSIONS
                .iter()
                .any(|p| p.eq_ignore_ascii_case(action))
        })
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
    // The pre-check itself reads the caller's policies: without these reads the next run
    // could not prove anything, so the least-privilege policy grants them too.
    statements.push(json!({
        "Sid": "OrgchardPrecheckReads",
        "Effect": "Allow",
        "Action": super::collect::READ_PERMISSIONS,
        "Resource": "*",
    }));
    serde_json::to_string_pretty(&json!({"Version": "2012-10-17", "Statement": statements}))
        .expect("a JSON value serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::AuthzRequest;
    use crate::precheck::{Checked, Source};

    fn req(action: &str, resource: &str, policy_type: Option<&str>) -> Checked {
        let mut r = AuthzRequest::new("arn:aws:iam::1:user/u", "1", action, resource);
        if let Some(t) = policy_type {
            r = r.with_context("organizations:PolicyType", t);
        }
        Checked {
            caller: true,
            request: r,
        }
    }

    #[test]
    fn placeholders_become_patterns_and_policy_types_conditions() {
        let ph = Placeholders {
            ids: BTreeMap::from([("organizational_unit.a".parse().unwrap(), "ou-new-1".into())]),
        };
        let mut requests = vec![
            req(
                "organizations:AttachPolicy",
                "arn:aws:organizations::1:ou/o-x/ou-new-1",
                Some("SERVICE_CONTROL_POLICY"),
            ),
            req(
                "organizations:AttachPolicy",
                "arn:aws:organizations::1:ou/o-x/ou-ab-1",
                Some("TAG_POLICY"),
            ),
            req("organizations:ListRoots", "*", None),
            req(
                "organizations:ListPolicies",
                "*",
                Some("SERVICE_CONTROL_POLICY"),
            ),
            req("organizations:ListPolicies", "*", None),
        ];
        // The member-access role's requests are not the caller's.
        let mut member = req("iam:CreateRole", "*", None);
        member.caller = false;
        requests.push(member);
        let report = Report {
            principal: "arn:aws:iam::1:user/u".into(),
            source: Source::Read,
            allowed: 0,
            denials: vec![],
            unknown: 0,
            note: None,
            requests,
        };
        let policy: Value = serde_json::from_str(&emit(&report, &ph)).unwrap();
        let st = policy["Statement"].as_array().unwrap();
        // Three for the requests, one for the pre-check's own reads of the caller's policies.
        assert_eq!(st.len(), 4, "{policy}");
        assert_eq!(st[3]["Sid"], "OrgchardPrecheckReads");
        let attach = st
            .iter()
            .find(|s| s["Action"] == "organizations:AttachPolicy")
            .unwrap();
        assert_eq!(
            attach["Resource"],
            json!([
                "arn:aws:organizations::1:ou/o-x/ou-*",
                "arn:aws:organizations::1:ou/o-x/ou-ab-1"
            ])
        );
        assert_eq!(
            attach["Condition"]["StringEquals"]["organizations:PolicyType"],
            json!(["SERVICE_CONTROL_POLICY", "TAG_POLICY"])
        );
        let list = st
            .iter()
            .find(|s| s["Action"] == "organizations:ListPolicies")
            .unwrap();
        assert!(
            list.get("Condition").is_none(),
            "one request lacks the key: {list}"
        );
        assert!(!policy.to_string().contains("iam:CreateRole"));
    }
}
