//! `plan --emit-policy`: the least-privilege identity policy that allows exactly the requests
//! the pre-check made for the caller: one statement per action, its resources the exact ARNs
//! of known resources and, for resources this apply creates, the narrowest pattern that
//! matches them; `organizations:PolicyType` as a condition where every request of the action
//! carries it.
//!
//! A plan of hundreds of calls does not fit in one managed policy, so the statements are
//! packed into as few documents as keep each within IAM's size for a managed policy; a
//! statement too large on its own is split by its resources. Allows add up across the
//! policies attached to one identity, so the documents together allow exactly what the one
//! document would have.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::{Placeholders, Report};
use crate::iam::PolicyKind;

/// IAM attaches at most this many managed policies to a role or user by default (the quota
/// can be raised to 20). Source: AWS IAM User Guide, "IAM and AWS STS quotas", read
/// 2026-12-06.
pub const DEFAULT_MANAGED_POLICIES_PER_IDENTITY: usize = 10;

/// The policy as text: the document itself when it fits in one managed policy, otherwise a
/// JSON array of the documents (see [`documents`]).
pub fn emit(report: &Report, ph: &Placeholders) -> String {
    to_text(documents(report, ph))
}

/// [`documents`] as [`emit`] prints them.
pub fn to_text(docs: Vec<Value>) -> String {
    let value = match <[Value; 1]>::try_from(docs) {
        Ok([one]) => one,
        Err(many) => Value::Array(many),
    };
    serde_json::to_string_pretty(&value).expect("a JSON value serializes")
}

/// The policy documents, each within IAM's size for a managed policy (6,144 characters not
/// counting white space; [`PolicyKind::Managed`]): one when everything fits.
pub fn documents(report: &Report, ph: &Placeholders) -> Vec<Value> {
    pack(statements(report, ph), PolicyKind::Managed.max_size())
}

fn document(statements: &[Value]) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn size(statements: &[Value]) -> usize {
    PolicyKind::Managed.size_of(&document(statements).to_string())
}

/// Statements into as few documents of at most `max` characters as keeps their order; a
/// statement too large alone is first split by its resources.
fn pack(statements: Vec<Value>, max: usize) -> Vec<Value> {
    let mut docs: Vec<Vec<Value>> = vec![Vec::new()];
    for st in statements.into_iter().flat_map(|st| split(st, max)) {
        let current = docs.last_mut().expect("one document at least");
        current.push(st);
        if current.len() > 1 && size(current) > max {
            let st = current.pop().expect("just pushed");
            docs.push(vec![st]);
        }
    }
    docs.iter().map(|d| document(d)).collect()
}

/// A statement that fits in a document alone, or the same statement over consecutive parts
/// of its resources (Sids numbered), each part as large as fits. A statement whose single
/// resource does not fit is left as it is: nothing narrower would allow the request.
fn split(st: Value, max: usize) -> Vec<Value> {
    if size(std::slice::from_ref(&st)) <= max {
        return vec![st];
    }
    let Some(resources) = st["Resource"].as_array().cloned() else {
        return vec![st];
    };
    let sid = st["Sid"].as_str().unwrap_or_default().to_string();
    let with = |part: &[Value], n: usize| {
        let mut s = st.clone();
        s["Sid"] = json!(format!("{sid}Part{n}"));
        s["Resource"] = json!(part);
        s
    };
    let mut parts: Vec<Vec<Value>> = vec![Vec::new()];
    for r in resources {
        let n = parts.len();
        let part = parts.last_mut().expect("one part at least");
        part.push(r);
        if part.len() > 1 && size(&[with(part, n)]) > max {
            let r = part.pop().expect("just pushed");
            parts.push(vec![r]);
        }
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| with(p, i + 1))
        .collect()
}

/// One statement per action, then the pre-check's own reads.
fn statements(report: &Report, ph: &Placeholders) -> Vec<Value> {
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
    statements
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

#[cfg(test)]
mod split_tests {
    use std::sync::Arc;

    use super::*;
    use crate::iam::{AuthzRequest, NamedPolicy, Policy, PolicySet, evaluate};
    use crate::precheck::{Checked, Source};

    const CALLER: &str = "arn:aws:iam::111111111111:user/u";

    fn report(requests: Vec<AuthzRequest>) -> Report {
        Report {
            principal: CALLER.into(),
            source: Source::Read,
            allowed: 0,
            denials: vec![],
            unknown: 0,
            note: None,
            requests: requests
                .into_iter()
                .map(|request| Checked {
                    caller: true,
                    request,
                })
                .collect(),
        }
    }

    /// The requests of a plan that moves `n` accounts into an OU and tags each.
    fn moving(n: usize) -> Vec<AuthzRequest> {
        let mut out = Vec::new();
        for i in 0..n {
            let account = format!(
                "arn:aws:organizations::111111111111:account/o-abcdefghij/{:012}",
                200_000_000_000u64 + i as u64
            );
            for action in ["organizations:MoveAccount", "organizations:TagResource"] {
                out.push(AuthzRequest::new(CALLER, "111111111111", action, &account));
            }
            out.push(AuthzRequest::new(
                CALLER,
                "111111111111",
                "organizations:MoveAccount",
                "arn:aws:organizations::111111111111:ou/o-abcdefghij/ou-ab12-cdefgh12",
            ));
        }
        out
    }

    #[test]
    fn a_plan_moving_300_accounts_is_split_into_documents_that_fit_and_allow_exactly_it() {
        let requests = moving(300);
        let ph = Placeholders {
            ids: BTreeMap::new(),
        };
        let docs = documents(&report(requests.clone()), &ph);
        assert!(docs.len() > 1, "300 moves do not fit in one managed policy");
        let mut policies = Vec::new();
        for (i, doc) in docs.iter().enumerate() {
            let text = serde_json::to_string_pretty(doc).unwrap();
            let size = PolicyKind::Managed.size_of(&text);
            assert!(size <= 6_144, "document {i} is {size} characters");
            let policy = Policy::parse(&text, PolicyKind::Managed).unwrap();
            policies.push(NamedPolicy {
                id: format!("doc{i}"),
                policy: Arc::new(policy),
            });
        }
        let set = PolicySet {
            identity: policies,
            ..PolicySet::default()
        };
        for r in &requests {
            assert!(
                evaluate(r, &set).outcome.is_allowed(),
                "{} on {} is not allowed",
                r.action,
                r.resource
            );
        }
        // Exactly: an account outside the plan is not allowed, nor another action.
        let other = "arn:aws:organizations::111111111111:account/o-abcdefghij/999999999999";
        for action in ["organizations:MoveAccount", "organizations:CloseAccount"] {
            let r = AuthzRequest::new(CALLER, "111111111111", action, other);
            assert!(
                !evaluate(&r, &set).outcome.is_allowed(),
                "{action} on {other}"
            );
        }
        // As text: an array of the documents, where one document used to be printed.
        let text: Value = serde_json::from_str(&emit(&report(requests), &ph)).unwrap();
        assert_eq!(text.as_array().map(Vec::len), Some(docs.len()));
    }

    #[test]
    fn a_small_plan_is_one_document_as_before() {
        let ph = Placeholders {
            ids: BTreeMap::new(),
        };
        let text: Value = serde_json::from_str(&emit(&report(moving(3)), &ph)).unwrap();
        assert!(text.is_object(), "{text}");
        assert_eq!(text["Version"], "2012-10-17");
    }
}
