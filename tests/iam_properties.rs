//! Properties of the evaluation engine over generated policies and requests: a Deny of `*` on
//! `*` denies everything; adding an Allow statement never turns an allowed request into a
//! denied one; parsing and evaluation never panic, whatever the JSON.

use std::sync::Arc;

use orgchard::iam::{
    AuthzRequest, NamedPolicy, Outcome, Policy, PolicySet, evaluate, policy::PolicyKind,
};
use proptest::prelude::*;
use serde_json::{Value, json};

fn action() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("iam:GetRole".to_string()),
        Just("iam:CreateRole".to_string()),
        Just("organizations:AttachPolicy".to_string()),
        Just("sts:AssumeRole".to_string()),
        "[a-z]{2,6}:[A-Za-z]{1,10}",
    ]
}

fn action_pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("*".to_string()),
        Just("iam:*".to_string()),
        Just("*:Get*".to_string()),
        Just("organizations:?ttachPolicy".to_string()),
        action(),
    ]
}

fn resource() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("*".to_string()),
        "arn:aws:iam::(111111111111|222222222222):role/[A-Za-z]{1,6}",
        "arn:aws:organizations::111111111111:ou/o-abc123/ou-[a-z0-9]{4}",
    ]
}

fn resource_pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("*".to_string()),
        Just("arn:aws:iam::*:role/*".to_string()),
        Just("arn:aws:iam::111111111111:role/A*".to_string()),
        Just("arn:aws:*".to_string()),
        resource(),
    ]
}

fn condition() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        Just(None),
        Just(Some(
            json!({"StringEquals": {"aws:PrincipalTag/team": "blue"}})
        )),
        Just(Some(
            json!({"StringNotLike": {"aws:PrincipalTag/team": "r*"}})
        )),
        Just(Some(json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))),
        Just(Some(
            json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}})
        )),
        Just(Some(
            json!({"NumericLessThanIfExists": {"s3:max-keys": 10}})
        )),
        Just(Some(json!({"Null": {"aws:PrincipalTag/team": "false"}}))),
    ]
}

fn statement(effect: &'static str) -> impl Strategy<Value = Value> {
    (
        any::<bool>(),
        proptest::collection::vec(action_pattern(), 1..3),
        resource_pattern(),
        condition(),
    )
        .prop_map(move |(not_action, actions, res, cond)| {
            let mut st = json!({"Effect": effect, "Resource": res});
            st[if not_action && effect == "Deny" {
                "NotAction"
            } else {
                "Action"
            }] = json!(actions);
            if let Some(c) = cond {
                st["Condition"] = c;
            }
            st
        })
}

fn any_statement() -> impl Strategy<Value = Value> {
    prop_oneof![statement("Allow"), statement("Deny")]
}

fn policy(statements: Vec<Value>, kind: PolicyKind) -> Arc<Policy> {
    let doc = json!({"Version": "2012-10-17", "Statement": statements});
    Arc::new(Policy::parse(&doc.to_string(), kind).expect("generated policies are valid"))
}

fn request() -> impl Strategy<Value = AuthzRequest> {
    (
        action(),
        resource(),
        proptest::option::of("(blue|red)"),
        proptest::option::of("10\\.0\\.0\\.[0-9]"),
    )
        .prop_map(|(a, r, team, ip)| {
            let mut req = AuthzRequest::new(
                "arn:aws:iam::111111111111:role/Tester",
                "111111111111",
                a,
                r,
            );
            if let Some(t) = team {
                req = req.with_context("aws:PrincipalTag/team", t.as_str());
            }
            if let Some(ip) = ip {
                req = req.with_context("aws:SourceIp", ip.as_str());
            }
            req
        })
}

fn set(identity: Vec<Value>, scp: Option<Vec<Vec<Value>>>) -> PolicySet {
    PolicySet {
        identity: vec![NamedPolicy::new(
            "identity",
            policy(identity, PolicyKind::Identity),
        )],
        scp_chain: scp.map(|levels| {
            levels
                .into_iter()
                .enumerate()
                .map(|(i, sts)| {
                    vec![NamedPolicy::new(
                        format!("scp{i}"),
                        policy(sts, PolicyKind::Scp),
                    )]
                })
                .collect()
        }),
        ..Default::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn deny_all_denies_everything(
        statements in proptest::collection::vec(any_statement(), 1..6),
        req in request(),
        in_scp in any::<bool>(),
    ) {
        let deny_all = json!({"Effect": "Deny", "Action": "*", "Resource": "*"});
        let mut identity = statements.clone();
        let mut scp = None;
        if in_scp {
            scp = Some(vec![vec![json!({"Effect": "Allow", "Action": "*", "Resource": "*"}), deny_all]]);
        } else {
            identity.push(deny_all);
        }
        let d = evaluate(&req, &set(identity, scp));
        prop_assert_eq!(d.outcome, Outcome::ExplicitDeny, "{}", d);
    }

    #[test]
    fn adding_an_allow_never_denies(
        statements in proptest::collection::vec(any_statement(), 1..6),
        extra in statement("Allow"),
        scp in proptest::option::of(proptest::collection::vec(proptest::collection::vec(any_statement(), 1..3), 1..3)),
        req in request(),
    ) {
        let before = evaluate(&req, &set(statements.clone(), scp.clone()));
        let mut more = statements;
        more.push(extra);
        let after = evaluate(&req, &set(more, scp));
        if before.outcome == Outcome::Allow {
            prop_assert_eq!(after.outcome, Outcome::Allow, "{}", after);
        }
        if after.outcome == Outcome::ExplicitDeny {
            prop_assert_eq!(before.outcome, Outcome::ExplicitDeny);
        }
    }
}

/// Arbitrary JSON values, biased towards policy-shaped ones.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        prop_oneof![
            Just("*".to_string()),
            Just("Allow".to_string()),
            Just("Deny".to_string()),
            Just("2012-10-17".to_string()),
            Just("iam:*".to_string()),
            Just("arn:aws:iam::*:role/${aws:username}".to_string()),
            Just("${".to_string()),
            ".{0,12}",
        ]
        .prop_map(Value::String),
    ];
    let keys = prop_oneof![
        Just("Version".to_string()),
        Just("Statement".to_string()),
        Just("Effect".to_string()),
        Just("Action".to_string()),
        Just("NotAction".to_string()),
        Just("Resource".to_string()),
        Just("NotResource".to_string()),
        Just("Principal".to_string()),
        Just("Condition".to_string()),
        Just("StringLike".to_string()),
        Just("ForAllValues:IpAddress".to_string()),
        Just("DateLessThanIfExists".to_string()),
        Just("AWS".to_string()),
        ".{0,8}",
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(keys.clone(), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn parsing_and_evaluation_never_panic(doc in arb_json(), req in request()) {
        let text = doc.to_string();
        for kind in [PolicyKind::Identity, PolicyKind::Trust, PolicyKind::Scp, PolicyKind::Rcp] {
            if let Ok(p) = Policy::parse(&text, kind) {
                let _ = p.lint();
                let np = NamedPolicy::new("p", p);
                let set = PolicySet {
                    identity: vec![np.clone()],
                    scp_chain: Some(vec![vec![np.clone()]]),
                    resource_policy: Some(np),
                    ..Default::default()
                };
                let _ = evaluate(&req, &set).to_string();
            }
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,64}") {
        let _ = Policy::parse(&text, PolicyKind::Identity);
    }
}
