//! `orgchard explain` against a corpus of the SCP strategies people use (deny list, allow
//! list, region lock with NotAction, break-glass exemption) and an RCP: the answer agrees with
//! `policy simulate` given the same chain, names the deciding level and statement, and the
//! command's exit code says it (0 allowed, 2 denied, 1 error).

use std::path::Path;
use std::process::Command;

use orgchard::config::{self, VarInputs};
use orgchard::explain::{self, Chain, Question};
use orgchard::iam::simulate::{self, Document, SimulateOptions};
use orgchard::iam::{
    AuthzRequest, ContextValue, NamedPolicy, Outcome, PolicyKind, PolicySet, evaluate,
};
use orgchard::orgtree::OrgTree;

const DIR: &str = "tests/data/explain";

fn tree() -> OrgTree {
    let desired = config::load(Path::new(DIR), &VarInputs::default()).expect("the corpus loads");
    OrgTree::from_desired(&desired)
}

fn doc(file: &str) -> Document {
    Document {
        name: file.to_string(),
        json: std::fs::read_to_string(Path::new(DIR).join(file)).unwrap(),
    }
}

fn full_access() -> Document {
    Document {
        name: "FullAWSAccess".into(),
        json: orgchard::vocab::FULL_ACCESS_DOCUMENT.into(),
    }
}

const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

struct Case {
    account: &'static str,
    action: &'static str,
    principal: Option<&'static str>,
    context: &'static [(&'static str, &'static str)],
    /// The same chain for `policy simulate`, root first.
    chain: fn() -> Vec<Vec<Document>>,
    outcome: Outcome,
    /// (level, policy, Sid) of the deciding statement, or the level missing an allow.
    decided_at: Option<(usize, &'static str, Option<&'static str>)>,
}

fn prod_chain() -> Vec<Vec<Document>> {
    vec![
        vec![full_access(), doc("region-lock.json")],
        vec![full_access(), doc("break-glass.json")],
        vec![full_access(), doc("no-leave.json")],
    ]
}

fn play_chain() -> Vec<Vec<Document>> {
    vec![
        vec![full_access(), doc("region-lock.json")],
        vec![doc("allow-list.json")],
        vec![full_access()],
    ]
}

const CASES: &[Case] = &[
    // Region lock with NotAction: outside the regions, denied at the root.
    Case {
        account: "account.prod",
        action: "ec2:RunInstances",
        principal: None,
        context: &[("aws:RequestedRegion", "us-east-1")],
        chain: prod_chain,
        outcome: Outcome::ExplicitDeny,
        decided_at: Some((0, "RegionLock", Some("DenyOutsideEU"))),
    },
    Case {
        account: "Production",
        action: "ec2:RunInstances",
        principal: None,
        context: &[("aws:RequestedRegion", "eu-west-1")],
        chain: prod_chain,
        outcome: Outcome::Allow,
        decided_at: None,
    },
    // The NotAction list exempts global services.
    Case {
        account: "222222222222",
        action: "iam:CreateRole",
        principal: None,
        context: &[("aws:RequestedRegion", "us-east-1")],
        chain: prod_chain,
        outcome: Outcome::Allow,
        decided_at: None,
    },
    // Without the region, the offline engine cannot decide.
    Case {
        account: "account.prod",
        action: "ec2:RunInstances",
        principal: None,
        context: &[],
        chain: prod_chain,
        outcome: Outcome::Indeterminate,
        decided_at: None,
    },
    // Break-glass: everyone but the BreakGlass role is denied at the OU.
    Case {
        account: "account.prod",
        action: "iam:CreateUser",
        principal: None,
        context: &[],
        chain: prod_chain,
        outcome: Outcome::ExplicitDeny,
        decided_at: Some((1, "ProtectIam", Some("ProtectIam"))),
    },
    Case {
        account: "account.prod",
        action: "iam:CreateUser",
        principal: Some("arn:aws:iam::222222222222:role/BreakGlass"),
        context: &[],
        chain: prod_chain,
        outcome: Outcome::Allow,
        decided_at: None,
    },
    // Deny list at the account.
    Case {
        account: "account.prod",
        action: "organizations:LeaveOrganization",
        principal: None,
        context: &[],
        chain: prod_chain,
        outcome: Outcome::ExplicitDeny,
        decided_at: Some((2, "NoLeave", Some("NoLeave"))),
    },
    // Allow list at the OU: what it does not list has no allow there.
    Case {
        account: "Playground",
        action: "iam:CreateUser",
        principal: None,
        context: &[],
        chain: play_chain,
        outcome: Outcome::ImplicitDeny,
        decided_at: Some((1, "", None)),
    },
    Case {
        account: "account.play",
        action: "s3:GetObject",
        principal: None,
        context: &[("aws:RequestedRegion", "eu-central-1")],
        chain: play_chain,
        outcome: Outcome::Allow,
        decided_at: None,
    },
];

fn question(tree: &OrgTree, c: &Case) -> Question {
    Question {
        account: tree.find_account(c.account).unwrap(),
        action: c.action.into(),
        resource: None,
        principal: c.principal.map(String::from),
        context: c
            .context
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

#[test]
fn explain_agrees_with_policy_simulate_and_names_the_deciding_statement() {
    let tree = tree();
    for c in CASES {
        let e = explain::explain(&tree, &question(&tree, c)).unwrap();
        let id = explain::account_id(&tree, tree.find_account(c.account).unwrap());
        let sim = simulate::simulate(&SimulateOptions {
            identity: vec![Document {
                name: "allow-all".into(),
                json: ALLOW_ALL.into(),
            }],
            scp_levels: (c.chain)(),
            principal: Some(
                c.principal
                    .map(String::from)
                    .unwrap_or_else(|| format!("arn:aws:iam::{id}:role/OrgchardExplain")),
            ),
            action: c.action.into(),
            resources: vec!["*".into()],
            context: c
                .context
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        })
        .unwrap();
        let s = &sim.decisions[0].decision;
        let what = format!("{} {} {:?}", c.account, c.action, c.context);
        assert_eq!(e.decision.outcome, c.outcome, "{what}: {}", e.explanation);
        assert_eq!(e.decision.outcome, s.outcome, "{what}: simulate disagrees");
        assert_eq!(e.decision.level, s.level, "{what}");
        assert_eq!(
            e.decision
                .statement
                .as_ref()
                .map(|st| (st.index, st.sid.clone())),
            s.statement.as_ref().map(|st| (st.index, st.sid.clone())),
            "{what}"
        );
        let Chain::Yes { levels } = &e.scp else {
            panic!("{what}: no SCP chain");
        };
        assert_eq!(levels.len(), 3, "{what}");
        if let Some((level, policy, sid)) = c.decided_at {
            assert_eq!(e.decision.level, Some(level), "{what}");
            let l = &levels[level];
            assert_ne!(
                l.outcome,
                Outcome::Allow,
                "{what}: the deciding level allows"
            );
            match &l.statement {
                Some(st) => {
                    assert_eq!(st.policy_id, policy, "{what}");
                    assert_eq!(st.sid.as_deref(), sid, "{what}");
                }
                None => assert_eq!(l.outcome, Outcome::ImplicitDeny, "{what}"),
            }
            // The levels above it did not deny.
            assert!(
                levels[..level]
                    .iter()
                    .all(|l| l.outcome != Outcome::ExplicitDeny)
            );
        } else if c.outcome == Outcome::Allow {
            assert!(levels.iter().all(|l| l.outcome == Outcome::Allow), "{what}");
        }
    }
}

#[test]
fn rcps_apply_to_resources_in_the_organization() {
    let tree = tree();
    let prod = tree.find_account("account.prod").unwrap();
    let ask = |resource: &str, org: Option<&str>| {
        explain::explain(
            &tree,
            &Question {
                account: prod,
                action: "sts:AssumeRole".into(),
                resource: Some(resource.into()),
                principal: None,
                context: org
                    .map(|o| vec![("aws:PrincipalOrgID".to_string(), o.to_string())])
                    .unwrap_or_default(),
            },
        )
        .unwrap()
    };
    let role = "arn:aws:iam::333333333333:role/Target";
    let denied = ask(role, Some("o-other"));
    assert_eq!(denied.decision.outcome, Outcome::ExplicitDeny);
    assert_eq!(denied.decision.layer, Some(orgchard::iam::Layer::Rcp));
    assert_eq!(denied.decision.level, Some(0));
    let Chain::Yes { levels } = &denied.rcp else {
        panic!("no RCP chain")
    };
    assert_eq!(levels[0].statement.as_ref().unwrap().policy_id, "OrgOnly");
    assert_eq!(levels.len(), 3, "root, Sandbox OU, the resource's account");

    // The engine with the same chains agrees.
    let parse = |name: &str, json: &str, kind| NamedPolicy::parse(name, json, kind).unwrap();
    let full = orgchard::orgtree::RCP_FULL_ACCESS_DOCUMENT;
    let req = AuthzRequest::new(
        "arn:aws:iam::222222222222:role/OrgchardExplain",
        "222222222222",
        "sts:AssumeRole",
        role,
    )
    .with_context("aws:PrincipalOrgID", ContextValue::string("o-other"));
    let mut set_with_rcp_only = PolicySet {
        identity: vec![parse("id", ALLOW_ALL, PolicyKind::Identity)],
        rcp_chain: Some(vec![vec![
            parse("RCPFullAWSAccess", full, PolicyKind::Rcp),
            parse("OrgOnly", &doc("org-only.json").json, PolicyKind::Rcp),
        ]]),
        ..Default::default()
    };
    assert_eq!(
        evaluate(&req, &set_with_rcp_only).outcome,
        Outcome::ExplicitDeny
    );
    set_with_rcp_only.rcp_chain = None;
    assert_eq!(evaluate(&req, &set_with_rcp_only).outcome, Outcome::Allow);

    assert_eq!(
        ask(role, Some("o-example")).decision.outcome,
        Outcome::Allow
    );
    // Unknown organization of the caller: the engine cannot decide offline.
    assert_eq!(ask(role, None).decision.outcome, Outcome::Indeterminate);
    // A resource outside the organization is not subject to its RCPs.
    let outside = ask("arn:aws:iam::444444444444:role/Target", Some("o-other"));
    assert_eq!(outside.decision.outcome, Outcome::Allow);
    assert!(matches!(outside.rcp, Chain::No { .. }));
}

#[test]
fn the_management_account_is_exempt_from_scps() {
    let tree = tree();
    let m = tree.find_account("999999999999").unwrap();
    let e = explain::explain(
        &tree,
        &Question {
            account: m,
            action: "organizations:LeaveOrganization".into(),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(e.allowed);
    let Chain::No { reason } = &e.scp else {
        panic!("SCPs applied to the management account")
    };
    assert!(reason.contains("management account"), "{reason}");
    let d = explain::denials(&tree, m).unwrap();
    assert!(d.exempt.is_some() && d.groups.is_empty());
}

#[test]
fn denials_list_each_statement_with_its_conditions() {
    let tree = tree();
    let prod = tree.find_account("account.prod").unwrap();
    let d = explain::denials(&tree, prod).unwrap();
    let find = |service: &str, sid: &str| {
        d.groups
            .iter()
            .find(|g| {
                g.service == service
                    && g.statement.as_ref().and_then(|s| s.sid.as_deref()) == Some(sid)
            })
            .unwrap_or_else(|| panic!("no {service} group for {sid}: {:#?}", d.groups))
    };
    let region = find("*", "DenyOutsideEU");
    assert_eq!(region.conditions, "outside eu-west-1, eu-central-1");
    assert!(
        region.actions[0].starts_with("every action except iam:*"),
        "{:?}",
        region.actions
    );
    let iam = find("iam", "ProtectIam");
    assert_eq!(iam.actions, ["CreateAccessKey", "CreateUser", "DeleteRole"]);
    assert_eq!(
        iam.conditions,
        "unless aws:PrincipalArn is like arn:aws:iam::*:role/BreakGlass"
    );
    assert_eq!(iam.level, 1);
    let leave = find("organizations", "NoLeave");
    assert_eq!(leave.actions, ["LeaveOrganization"]);
    assert_eq!(leave.conditions, "");
    assert!(d.allow_lists.is_empty());

    // The allow list: every IAM and Organizations action lacks an allow at the OU.
    let play = tree.find_account("account.play").unwrap();
    let d = explain::denials(&tree, play).unwrap();
    let iam = d
        .groups
        .iter()
        .find(|g| g.service == "iam")
        .expect("iam not listed");
    assert!(iam.whole_service, "{iam:?}");
    assert_eq!(iam.level, 1);
    assert!(
        d.groups.iter().all(|g| g.service != "sts"),
        "sts is allowed"
    );
    assert_eq!(d.allow_lists.len(), 1);
    assert_eq!(d.allow_lists[0].allowed, ["s3:*", "ec2:*", "sts:*"]);
}

fn orgchard(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_orgchard"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_command_exits_0_allowed_2_denied_1_error() {
    let out = orgchard(&[
        "explain",
        "Production",
        "ec2:RunInstances",
        "--dir",
        DIR,
        "--context",
        "aws:RequestedRegion=us-east-1",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("Decision: explicitly denied"), "{stdout}");
    assert!(
        stdout.contains(
            "▶ level 0 Root: denies by statement 0 (Sid \"DenyOutsideEU\") of RegionLock"
        ),
        "{stdout}"
    );

    let out = orgchard(&[
        "explain",
        "account.prod",
        "ec2:RunInstances",
        "--dir",
        DIR,
        "--context",
        "aws:RequestedRegion=eu-west-1",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["allowed"], true);
    assert_eq!(json["scp"]["levels"].as_array().unwrap().len(), 3);

    let out = orgchard(&["explain", "Nobody", "ec2:RunInstances", "--dir", DIR]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no account has the address, id or name \"Nobody\""),
        "{stderr}"
    );

    let out = orgchard(&["explain", "account.prod", "--dir", DIR]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("outside eu-west-1, eu-central-1"),
        "{stdout}"
    );
}
