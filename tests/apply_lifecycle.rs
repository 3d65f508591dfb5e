//! `lifecycle.prevent_destroy` outlives its block, end to end against the embedded emulator:
//! applied with the flag, the block deleted, the plan is an error naming the ways out; a
//! `removed` block forgets the resources, and they stay live without orgchard's tags.

mod applying;

use applying::*;
use orgchard::backend::emulator::{InitOptions, fresh_state};
use orgchard::model::live::{PREVENT_DESTROY_TAG, RESERVED_TAG_PREFIX};
use orgchard::plan::diff::PlanOptions;
use orgchard::plan::{self, Action, MakePlanError};

fn write(text: &str) -> (tempfile::TempDir, orgchard::model::Desired) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.hcl"), text).unwrap();
    let desired = load(dir.path());
    (dir, desired)
}

const PROTECTED: &str = r#"
organization {
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}

organizational_unit "vault" {
  name     = "Vault"
  policies = [aws_policy.FullAWSAccess, policy.deny_leave]
  tags     = { team = "security" }
  lifecycle {
    prevent_destroy = true
  }
}

policy "deny_leave" {
  type    = "SERVICE_CONTROL_POLICY"
  name    = "DenyLeave"
  content = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
  lifecycle {
    prevent_destroy = true
  }
}

role "auditor" {
  account          = management
  name             = "Auditor"
  trusted_accounts = [management.id]
  lifecycle {
    prevent_destroy = true
  }
}
"#;

const FORGET: &str = r#"
removed {
  from = organizational_unit.vault
  lifecycle {
    destroy = false
  }
}

removed {
  from = policy.deny_leave
  lifecycle {
    destroy = false
  }
}

removed {
  from = role.auditor
  lifecycle {
    destroy = false
  }
}
"#;

#[tokio::test(start_paused = true)]
async fn a_protected_resource_outlives_its_block_until_a_removed_block_forgets_it() {
    let options = InitOptions {
        rate_limits: false,
        ..InitOptions::default()
    };
    let (emu, client) = connect(fresh_state(&options).unwrap(), false);

    // Applied with the flag: every resource carries the tag.
    let (_d1, protected) = write(PROTECTED);
    let (_, report) = plan_and_apply(&client, &protected, 4).await.unwrap();
    assert!(report.succeeded(), "{:?}", report.failures);
    let state = emu.state();
    let vault = state
        .ous
        .iter()
        .find(|(_, o)| o.name == "Vault")
        .map(|(id, _)| id.clone())
        .expect("the OU was created");
    let policy = state
        .policies
        .iter()
        .find(|(_, p)| p.name == "DenyLeave")
        .map(|(id, _)| id.clone())
        .expect("the policy was created");
    let mgmt = state.organization.management_account_id.clone();
    assert!(state.ous[&vault].tags.contains_key(PREVENT_DESTROY_TAG));
    assert!(
        state.policies[&policy]
            .tags
            .contains_key(PREVENT_DESTROY_TAG)
    );
    assert!(
        state.iam[&mgmt].roles["Auditor"]
            .tags
            .contains_key(PREVENT_DESTROY_TAG)
    );
    assert_converged(&client, &protected, "after the first apply").await;

    // The blocks deleted: the plan refuses, naming each address and both ways out.
    let (_d2, empty) = write("");
    let err = match plan::make(&empty, &client, &PlanOptions::default()).await {
        Err(MakePlanError::Invalid(errs)) => errs
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
        Err(e) => panic!("the plan failed otherwise: {e}"),
        Ok((p, _)) => panic!("the plan deletes protected resources:\n{}", show(&p)),
    };
    for address in [
        "organizational_unit.vault",
        "policy.deny_leave",
        "role.auditor",
    ] {
        assert!(err.contains(address), "{address} missing:\n{err}");
        assert!(
            err.contains(&format!(
                "removed {{ from = {address}  lifecycle {{ destroy = false }} }}"
            )),
            "{err}"
        );
    }
    assert!(err.contains("prevent_destroy = false and apply"), "{err}");

    // Forgotten: the plan says so, the apply removes orgchard's tags and nothing else.
    let (_d3, forget) = write(FORGET);
    let p = make_plan(&client, &forget).await;
    let forgotten: Vec<String> = p
        .changes
        .iter()
        .filter(|c| c.action == Action::Forget)
        .map(|c| c.address.to_string())
        .collect();
    assert_eq!(
        forgotten,
        [
            "organizational_unit.vault",
            "policy.deny_leave",
            "role.auditor"
        ],
        "{}",
        show(&p)
    );
    assert_eq!(p.summary().delete, 0, "{}", show(&p));
    assert!(
        show(&p).contains("will no longer be managed"),
        "{}",
        show(&p)
    );
    let json: serde_json::Value =
        serde_json::from_str(&orgchard::view::json::to_string(&p)).unwrap();
    assert_eq!(json["summary"]["forget"], 3, "{json}");
    assert_eq!(json["changes"][0]["action"], "forget", "{json}");
    let (_, report) = plan_and_apply(&client, &forget, 4).await.unwrap();
    assert!(report.succeeded(), "{:?}", report.failures);
    assert!(
        report.summary_line().ends_with("0 deleted. 3 forgotten."),
        "{}",
        report.summary_line()
    );
    assert_converged(&client, &forget, "after forgetting").await;

    let state = emu.state();
    let own = |tags: &std::collections::BTreeMap<String, String>| {
        tags.keys()
            .filter(|k| k.starts_with(RESERVED_TAG_PREFIX))
            .cloned()
            .collect::<Vec<_>>()
    };
    let ou = state.ous.get(&vault).expect("the OU is still live");
    assert!(own(&ou.tags).is_empty(), "{:?}", ou.tags);
    assert_eq!(ou.tags.get("team").map(String::as_str), Some("security"));
    let p = state
        .policies
        .get(&policy)
        .expect("the policy is still live");
    assert!(own(&p.tags).is_empty(), "{:?}", p.tags);
    assert!(
        state.attachments[&policy].contains(&vault),
        "the policy is still attached"
    );
    let role = state.iam[&mgmt]
        .roles
        .get("Auditor")
        .expect("the role is still live");
    assert!(own(&role.tags).is_empty(), "{:?}", role.tags);

    // Without the `removed` blocks they are unmanaged: listed, never touched.
    let (_d4, empty) = write("");
    let p = make_plan(&client, &empty).await;
    assert!(!p.has_changes(), "{}", show(&p));
    assert!(p.unmanaged.iter().any(|u| u.id == vault), "{}", show(&p));
}
