//! Variable precedence (`-var`, then `-var-file`, then `ORGCHARD_VAR_*`, then the default:
//! the first that sets a name wins) and typed command-line values; and values known only
//! after apply, resolved once the ids exist.

use std::path::Path;

use orgchard::config::{self, VarInputs};
use orgchard::model::{AccountRef, RefTarget, TrustPolicy, Value};

fn s(x: &str) -> Value {
    Value::string(x)
}

#[test]
fn the_first_source_that_sets_a_variable_wins() {
    let dir = Path::new("tests/data/vars");
    let inputs = VarInputs {
        vars: vec!["a=flag-a".into(), "n=41".into()],
        var_files: vec![dir.join("values.vars")],
        env: vec![
            ("a".into(), "env-a".into()),
            ("b".into(), "env-b".into()),
            ("c".into(), "env-c".into()),
        ],
    };
    let d = config::load(dir, &inputs).unwrap();
    assert_eq!(
        d.outputs["values"],
        Value::List(vec![s("flag-a"), s("file-b"), s("env-c"), s("default-d")])
    );
    assert_eq!(d.outputs["n"], Value::Number(42.0));
    assert_eq!(d.outputs["l"], Value::List(vec![s("x"), s("y")]));
}

#[test]
fn defaults_apply_without_inputs() {
    let d = config::load(Path::new("tests/data/vars"), &VarInputs::default()).unwrap();
    assert_eq!(
        d.outputs["values"],
        Value::List(vec![
            s("default-a"),
            s("default-b"),
            s("default-c"),
            s("default-d")
        ])
    );
}

#[test]
fn unknown_ids_stay_unknown_until_resolved() {
    let d = config::load(
        Path::new("tests/data/valid/unknowns"),
        &VarInputs::default(),
    )
    .unwrap();
    let tooling: orgchard::addr::Address = "account.tooling".parse().unwrap();
    assert!(d.outputs["tooling_id"].is_unknown());

    let role = d
        .roles
        .iter()
        .find(|r| r.common.address.to_string() == "role.auditor[\"legacy\"]")
        .unwrap();
    assert_eq!(
        role.account,
        AccountRef::Account("account.legacy".parse().unwrap())
    );
    let TrustPolicy::TrustedAccounts { document, .. } = &role.trust else {
        panic!("expected trusted accounts");
    };
    assert!(document.is_unknown());
    assert_eq!(
        document.unknown_refs(),
        vec![(RefTarget::Resource(tooling.clone()), "id".to_string())]
    );
    let resolved = document
        .resolve(&|t, a| {
            (t == &RefTarget::Resource(tooling.clone()) && a == "id").then(|| s("333333333333"))
        })
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(resolved.as_str().unwrap()).unwrap();
    assert_eq!(
        json["Statement"][0]["Principal"]["AWS"],
        serde_json::json!([
            "arn:aws:iam::333333333333:root",
            "arn:aws:iam::111111111111:root"
        ])
    );
    assert_eq!(json["Statement"][0]["Action"], "sts:AssumeRole");

    // A policy document built with jsonencode around an unknown id.
    let policy = &d.policies[0];
    assert!(policy.content.is_unknown());
    let resolved = policy
        .content
        .resolve(&|_, _| Some(s("444444444444")))
        .unwrap();
    assert!(resolved.as_str().unwrap().contains("444444444444"));
}
