//! The emulator enforces AWS's rules: one test per rule, each asserting AWS's exact error code
//! and reason and that the rejected call left the state file byte for byte unchanged.

mod common;

use std::time::Duration;

use common::*;
use orgchard::api::*;
use orgchard::backend::emulator::{Builder, State};
use orgchard::backend::*;

const M: &Scope = &Scope::Management;

fn scp(deny: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Action":"{deny}","Resource":"*"}}]}}"#
    )
}

async fn ou(env: &Env, parent: &str, name: &str) -> String {
    env.emu
        .create_organizational_unit(
            M,
            CreateOrganizationalUnitInput {
                parent_id: parent.into(),
                name: name.into(),
                tags: vec![],
            },
        )
        .await
        .unwrap()
        .organizational_unit
        .id
}

async fn enable(env: &Env, policy_type: &str) {
    env.emu
        .enable_policy_type(
            M,
            EnablePolicyTypeInput {
                root_id: env.root(),
                policy_type: policy_type.into(),
            },
        )
        .await
        .unwrap();
}

async fn policy(env: &Env, ty: &str, name: &str, content: &str) -> String {
    env.emu
        .create_policy(
            M,
            CreatePolicyInput {
                name: name.into(),
                description: String::new(),
                content: content.into(),
                r#type: ty.into(),
                tags: vec![],
            },
        )
        .await
        .unwrap()
        .policy
        .policy_summary
        .id
}

async fn attach(env: &Env, policy: &str, target: &str) -> Result<Empty, ApiError> {
    env.emu
        .attach_policy(
            M,
            AttachPolicyInput {
                policy_id: policy.into(),
                target_id: target.into(),
            },
        )
        .await
}

fn attach_req(policy: &str, target: &str) -> Request {
    Request::AttachPolicy(AttachPolicyInput {
        policy_id: policy.into(),
        target_id: target.into(),
    })
}

fn detach_req(policy: &str, target: &str) -> Request {
    Request::DetachPolicy(DetachPolicyInput {
        policy_id: policy.into(),
        target_id: target.into(),
    })
}

fn create_ou_req(parent: &str, name: &str) -> Request {
    Request::CreateOrganizationalUnit(CreateOrganizationalUnitInput {
        parent_id: parent.into(),
        name: name.into(),
        tags: vec![],
    })
}

fn create_account_req(name: &str, email: &str) -> Request {
    Request::CreateAccount(CreateAccountInput {
        email: email.into(),
        account_name: name.into(),
        ..Default::default()
    })
}

fn policies_of(state: &State, target: &str) -> Vec<String> {
    state
        .attachments
        .iter()
        .filter(|(_, t)| t.contains(target))
        .map(|(p, _)| p.clone())
        .collect()
}

/// A saved organization with SCPs enabled and `n` member accounts under the root.
fn with_accounts(n: usize) -> Env {
    let mut b = Builder::new(&options()).unwrap();
    b.enable_policy_type("SERVICE_CONTROL_POLICY");
    let root = b.root_id();
    for i in 0..n {
        b.account(
            &root,
            &format!("member-{i}"),
            &format!("member{i}@example.com"),
        );
    }
    from_state(&b.finish().unwrap())
}

fn members(env: &Env) -> Vec<String> {
    let s = env.state();
    s.accounts
        .keys()
        .filter(|id| **id != s.organization.management_account_id)
        .cloned()
        .collect()
}

#[tokio::test(start_paused = true)]
async fn ou_depth_is_limited_to_five() {
    let env = fresh(options());
    let mut parent = env.root();
    for level in 1..=5 {
        parent = ou(&env, &parent, &format!("level{level}")).await;
    }
    env.rejected(
        create_ou_req(&parent, "level6"),
        "ConstraintViolationException",
        Some("OU_DEPTH_LIMIT_EXCEEDED"),
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn ou_number_quota() {
    let mut o = options();
    o.quotas.insert("organizational_units".into(), 2);
    let env = fresh(o);
    ou(&env, &env.root(), "a").await;
    ou(&env, &env.root(), "b").await;
    env.rejected(
        create_ou_req(&env.root(), "c"),
        "ConstraintViolationException",
        Some("OU_NUMBER_LIMIT_EXCEEDED"),
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn account_number_quota_counts_creations_in_progress() {
    let mut o = options();
    o.quotas.insert("accounts".into(), 2);
    let env = fresh(o);
    env.ok(create_account_req("one", "one@example.com")).await;
    env.rejected(
        create_account_req("two", "two@example.com"),
        "ConstraintViolationException",
        Some("ACCOUNT_NUMBER_LIMIT_EXCEEDED"),
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn policy_number_quota_per_type() {
    let mut o = options();
    o.quotas.insert("policies_per_type".into(), 1);
    o.quotas.insert("service_control_policies".into(), 2);
    let env = fresh(o);
    policy(&env, "TAG_POLICY", "tags", r#"{"tags":{}}"#).await;
    // SCPs have their own, larger quota (AWS: 10,000 against 1,000 for the other types).
    policy(&env, "SERVICE_CONTROL_POLICY", "one", &scp("s3:*")).await;
    policy(&env, "SERVICE_CONTROL_POLICY", "two", &scp("ec2:*")).await;
    for (ty, name, content) in [
        ("TAG_POLICY", "more-tags", r#"{"tags":{}}"#.to_string()),
        ("SERVICE_CONTROL_POLICY", "three", scp("iam:*")),
    ] {
        env.rejected(
            Request::CreatePolicy(CreatePolicyInput {
                name: name.into(),
                content,
                r#type: ty.into(),
                ..Default::default()
            }),
            "ConstraintViolationException",
            Some("POLICY_NUMBER_LIMIT_EXCEEDED"),
        )
        .await;
    }
}

#[tokio::test(start_paused = true)]
async fn default_quotas_hold_the_benchmark_organization() {
    let env = fresh(options());
    let s = env.state();
    assert!(s.quota("accounts") >= 5_000);
    assert!(s.quota("organizational_units") >= 500);
    assert!(s.quota("policies_per_type") >= 300);
    assert_eq!(s.quota("service_control_policies"), 10_000);
}

#[tokio::test(start_paused = true)]
async fn duplicate_ou_name_under_one_parent() {
    let env = fresh(options());
    let a = ou(&env, &env.root(), "Workloads").await;
    // The same name elsewhere is fine.
    ou(&env, &a, "Workloads").await;
    env.rejected(
        create_ou_req(&env.root(), "Workloads"),
        "DuplicateOrganizationalUnitException",
        None,
    )
    .await;
    let b = ou(&env, &env.root(), "Other").await;
    env.rejected(
        Request::UpdateOrganizationalUnit(UpdateOrganizationalUnitInput {
            organizational_unit_id: b,
            name: Some("Workloads".into()),
        }),
        "DuplicateOrganizationalUnitException",
        None,
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn non_empty_ou_cannot_be_deleted() {
    let env = fresh(options());
    let parent = ou(&env, &env.root(), "parent").await;
    let child = ou(&env, &parent, "child").await;
    env.rejected(
        Request::DeleteOrganizationalUnit(DeleteOrganizationalUnitInput {
            organizational_unit_id: parent.clone(),
        }),
        "OrganizationalUnitNotEmptyException",
        None,
    )
    .await;
    // An account inside also keeps it.
    let env2 = with_accounts(1);
    let holder = ou(&env2, &env2.root(), "holder").await;
    let acct = members(&env2)[0].clone();
    env2.emu
        .move_account(
            M,
            MoveAccountInput {
                account_id: acct,
                source_parent_id: env2.root(),
                destination_parent_id: holder.clone(),
            },
        )
        .await
        .unwrap();
    env2.rejected(
        Request::DeleteOrganizationalUnit(DeleteOrganizationalUnitInput {
            organizational_unit_id: holder,
        }),
        "OrganizationalUnitNotEmptyException",
        None,
    )
    .await;
    env.ok(Request::DeleteOrganizationalUnit(
        DeleteOrganizationalUnitInput {
            organizational_unit_id: child,
        },
    ))
    .await;
    env.ok(Request::DeleteOrganizationalUnit(
        DeleteOrganizationalUnitInput {
            organizational_unit_id: parent,
        },
    ))
    .await;
}

#[tokio::test(start_paused = true)]
async fn policy_in_use_cannot_be_deleted() {
    let env = fresh(options());
    enable(&env, "SERVICE_CONTROL_POLICY").await;
    let p = policy(&env, "SERVICE_CONTROL_POLICY", "deny-s3", &scp("s3:*")).await;
    attach(&env, &p, &env.root()).await.unwrap();
    env.rejected(
        Request::DeletePolicy(DeletePolicyInput {
            policy_id: p.clone(),
        }),
        "PolicyInUseException",
        None,
    )
    .await;
    // AWS-managed policies cannot be changed or deleted at all.
    env.rejected(
        Request::DeletePolicy(DeletePolicyInput {
            policy_id: "p-FullAWSAccess".into(),
        }),
        "InvalidInputException",
        Some("IMMUTABLE_POLICY"),
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn attach_needs_the_policy_type_enabled() {
    let env = fresh(options());
    let p = policy(&env, "SERVICE_CONTROL_POLICY", "deny-s3", &scp("s3:*")).await;
    env.rejected(
        attach_req(&p, &env.root()),
        "PolicyTypeNotEnabledException",
        None,
    )
    .await;
    enable(&env, "SERVICE_CONTROL_POLICY").await;
    env.rejected(
        Request::EnablePolicyType(EnablePolicyTypeInput {
            root_id: env.root(),
            policy_type: "SERVICE_CONTROL_POLICY".into(),
        }),
        "PolicyTypeAlreadyEnabledException",
        None,
    )
    .await;
    attach(&env, &p, &env.root()).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn full_aws_access_is_attached_everywhere_and_on_creation() {
    let env = with_accounts(1);
    let s = env.state();
    // Enabled before the OU and accounts: the builder attached it to each.
    for target in std::iter::once(s.organization.root_id.clone()).chain(s.accounts.keys().cloned())
    {
        assert_eq!(policies_of(&s, &target), vec!["p-FullAWSAccess"]);
    }
    let new_ou = ou(&env, &env.root(), "new").await;
    assert_eq!(policies_of(&env.state(), &new_ou), vec!["p-FullAWSAccess"]);

    enable(&env, "RESOURCE_CONTROL_POLICY").await;
    let s = env.state();
    for target in [
        s.organization.root_id.clone(),
        new_ou.clone(),
        members(&env)[0].clone(),
    ] {
        assert_eq!(
            policies_of(&s, &target),
            vec!["p-FullAWSAccess", "p-RCPFullAWSAccess"]
        );
    }
    // A created account gets both once it exists.
    let status = env
        .emu
        .create_account(
            M,
            CreateAccountInput {
                email: "new@example.com".into(),
                account_name: "new".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .create_account_status;
    tokio::time::sleep(Duration::from_secs(91)).await;
    let done = env
        .emu
        .describe_create_account_status(
            M,
            DescribeCreateAccountStatusInput {
                create_account_request_id: status.id,
            },
        )
        .await
        .unwrap()
        .create_account_status;
    let id = done.account_id.unwrap();
    assert_eq!(
        policies_of(&env.state(), &id),
        vec!["p-FullAWSAccess", "p-RCPFullAWSAccess"]
    );
}

#[tokio::test(start_paused = true)]
async fn the_last_scp_of_a_target_cannot_be_detached() {
    let env = with_accounts(1);
    let acct = members(&env)[0].clone();
    env.rejected(
        detach_req("p-FullAWSAccess", &acct),
        "ConstraintViolationException",
        Some("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"),
    )
    .await;
    // With a replacement attached first, the old one can go.
    let p = policy(&env, "SERVICE_CONTROL_POLICY", "deny-s3", &scp("s3:*")).await;
    attach(&env, &p, &acct).await.unwrap();
    env.ok(detach_req("p-FullAWSAccess", &acct)).await;
    env.rejected(
        detach_req(&p, &acct),
        "ConstraintViolationException",
        Some("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"),
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn rcp_full_aws_access_is_never_detachable() {
    let env = fresh(options());
    enable(&env, "RESOURCE_CONTROL_POLICY").await;
    let rcp = policy(
        &env,
        "RESOURCE_CONTROL_POLICY",
        "rcp",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}"#,
    )
    .await;
    attach(&env, &rcp, &env.root()).await.unwrap();
    env.rejected(
        detach_req("p-RCPFullAWSAccess", &env.root()),
        "ConstraintViolationException",
        Some("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"),
    )
    .await;
    // Other RCPs come and go.
    env.ok(detach_req(&rcp, &env.root())).await;
}

#[tokio::test(start_paused = true)]
async fn at_most_ten_scps_per_target() {
    let env = with_accounts(0);
    let root = env.root();
    // FullAWSAccess and nine more: AWS's maximum since 2026-05-15.
    for i in 0..9 {
        let p = policy(
            &env,
            "SERVICE_CONTROL_POLICY",
            &format!("p{i}"),
            &scp("s3:*"),
        )
        .await;
        attach(&env, &p, &root).await.unwrap();
    }
    let eleventh = policy(&env, "SERVICE_CONTROL_POLICY", "p10", &scp("s3:*")).await;
    env.rejected(
        attach_req(&eleventh, &root),
        "ConstraintViolationException",
        Some("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"),
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn policy_size_is_limited_per_type() {
    let env = fresh(options());
    let doc = |pad: usize| {
        let pad = "x".repeat(pad);
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"{pad}","Effect":"Deny","Action":"s3:*","Resource":"*"}}]}}"#
        )
    };
    // SCPs: 10,240 characters since 2026-05-15.
    policy(&env, "SERVICE_CONTROL_POLICY", "fits", &doc(10_100)).await;
    let big = doc(5200);
    env.rejected(
        Request::CreatePolicy(CreatePolicyInput {
            name: "big".into(),
            content: doc(10_300),
            r#type: "SERVICE_CONTROL_POLICY".into(),
            ..Default::default()
        }),
        "ConstraintViolationException",
        Some("POLICY_CONTENT_LIMIT_EXCEEDED"),
    )
    .await;
    // A 5,200-character document fits a backup policy (10,000 characters) but not an AI opt-out
    // policy (2,500).
    policy(&env, "BACKUP_POLICY", "backup", &big).await;
    env.rejected(
        Request::CreatePolicy(CreatePolicyInput {
            name: "ai".into(),
            content: big,
            r#type: "AISERVICES_OPT_OUT_POLICY".into(),
            ..Default::default()
        }),
        "ConstraintViolationException",
        Some("POLICY_CONTENT_LIMIT_EXCEEDED"),
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn duplicate_attachment_and_not_attached() {
    let env = with_accounts(1);
    let acct = members(&env)[0].clone();
    env.rejected(
        attach_req("p-FullAWSAccess", &acct),
        "DuplicatePolicyAttachmentException",
        None,
    )
    .await;
    let p = policy(&env, "SERVICE_CONTROL_POLICY", "deny-s3", &scp("s3:*")).await;
    env.rejected(detach_req(&p, &acct), "PolicyNotAttachedException", None)
        .await;
}

#[tokio::test(start_paused = true)]
async fn tag_limits() {
    let env = fresh(options());
    let root = env.root();
    let tags: Vec<Tag> = (0..51)
        .map(|i| Tag {
            key: format!("k{i}"),
            value: "v".into(),
        })
        .collect();
    env.rejected(
        Request::TagResource(TagResourceInput {
            resource_id: root.clone(),
            tags: tags.clone(),
        }),
        "ConstraintViolationException",
        Some("MAX_TAG_LIMIT_EXCEEDED"),
    )
    .await;
    env.rejected(
        Request::TagResource(TagResourceInput {
            resource_id: root.clone(),
            tags: vec![Tag {
                key: "k".repeat(129),
                value: String::new(),
            }],
        }),
        "InvalidInputException",
        Some("MAX_LENGTH_EXCEEDED"),
    )
    .await;
    env.rejected(
        Request::TagResource(TagResourceInput {
            resource_id: root.clone(),
            tags: vec![
                Tag {
                    key: "a".into(),
                    value: "1".into(),
                },
                Tag {
                    key: "a".into(),
                    value: "2".into(),
                },
            ],
        }),
        "InvalidInputException",
        Some("DUPLICATE_TAG_KEY"),
    )
    .await;
    env.ok(Request::TagResource(TagResourceInput {
        resource_id: root.clone(),
        tags: tags[..50].to_vec(),
    }))
    .await;
    let listed = env
        .emu
        .list_tags_for_resource(
            M,
            ListTagsForResourceInput {
                resource_id: root,
                next_token: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(listed.tags.len(), 20);
    assert!(listed.next_token.is_some());
}

#[tokio::test(start_paused = true)]
async fn account_email_must_be_unique() {
    let env = fresh(options());
    let taken = env.state().accounts[&env.mgmt()].email.clone();
    let status = env
        .emu
        .create_account(
            M,
            CreateAccountInput {
                email: taken,
                account_name: "dup".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .create_account_status;
    assert_eq!(status.state, CreateAccountState::InProgress);
    tokio::time::sleep(Duration::from_secs(91)).await;
    let done = env
        .emu
        .describe_create_account_status(
            M,
            DescribeCreateAccountStatusInput {
                create_account_request_id: status.id,
            },
        )
        .await
        .unwrap()
        .create_account_status;
    assert_eq!(done.state, CreateAccountState::Failed);
    assert_eq!(done.failure_reason.as_deref(), Some("EMAIL_ALREADY_EXISTS"));
    // AWS assigns no account id to a creation that failed.
    assert_eq!(done.account_id, None);
    assert_eq!(env.state().accounts.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn create_account_is_asynchronous_with_the_member_role() {
    let env = fresh(options());
    let status = env
        .emu
        .create_account(
            M,
            CreateAccountInput {
                email: "dev@example.com".into(),
                account_name: "dev".into(),
                role_name: Some("AdminRole".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .create_account_status;
    assert_eq!(status.state, CreateAccountState::InProgress);
    assert_eq!(status.account_id, None);
    // Seeded duration between 30 and 90 virtual seconds: still running after 29.
    tokio::time::sleep(Duration::from_secs(29)).await;
    let describe = || {
        env.emu.describe_create_account_status(
            M,
            DescribeCreateAccountStatusInput {
                create_account_request_id: status.id.clone(),
            },
        )
    };
    assert_eq!(
        describe().await.unwrap().create_account_status.state,
        CreateAccountState::InProgress
    );
    tokio::time::sleep(Duration::from_secs(62)).await;
    let done = describe().await.unwrap().create_account_status;
    assert_eq!(done.state, CreateAccountState::Succeeded);
    let id = done.account_id.unwrap();
    let s = env.state();
    assert_eq!(s.accounts[&id].state, AccountState::Active);
    assert_eq!(
        s.accounts[&id].joined_method,
        orgchard::vocab::JoinedMethod::Created
    );
    let role = &s.iam[&id].roles["AdminRole"];
    assert!(
        role.managed_policies
            .contains("arn:aws:iam::aws:policy/AdministratorAccess")
    );
    assert!(
        role.trust_policy
            .contains(&format!("arn:aws:iam::{}:root", env.mgmt()))
    );
}

#[tokio::test(start_paused = true)]
async fn at_most_five_account_creations_in_progress() {
    let env = fresh(options());
    for i in 0..5 {
        env.ok(create_account_req(
            &format!("a{i}"),
            &format!("a{i}@example.com"),
        ))
        .await;
    }
    env.rejected(
        create_account_req("a5", "a5@example.com"),
        "ConcurrentModificationException",
        None,
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn close_account_goes_through_pending_closure_with_a_quota() {
    let env = with_accounts(12);
    let ids = members(&env);
    env.ok(Request::CloseAccount(CloseAccountInput {
        account_id: ids[0].clone(),
    }))
    .await;
    assert_eq!(
        env.state().accounts[&ids[0]].state,
        AccountState::PendingClosure
    );
    env.rejected(
        Request::CloseAccount(CloseAccountInput {
            account_id: ids[0].clone(),
        }),
        "AccountAlreadyClosedException",
        None,
    )
    .await;
    tokio::time::sleep(Duration::from_secs(301)).await;
    env.ok(Request::DescribeAccount(DescribeAccountInput {
        account_id: ids[0].clone(),
    }))
    .await;
    assert_eq!(env.state().accounts[&ids[0]].state, AccountState::Suspended);
    // 10% of 12 members is below the floor of 10 closures per 30 days.
    for id in &ids[1..10] {
        env.ok(Request::CloseAccount(CloseAccountInput {
            account_id: id.clone(),
        }))
        .await;
    }
    env.rejected(
        Request::CloseAccount(CloseAccountInput {
            account_id: ids[10].clone(),
        }),
        "ConstraintViolationException",
        Some("CLOSE_ACCOUNT_QUOTA_EXCEEDED"),
    )
    .await;
    env.rejected(
        Request::CloseAccount(CloseAccountInput {
            account_id: env.mgmt(),
        }),
        "ConstraintViolationException",
        Some("CANNOT_CLOSE_MANAGEMENT_ACCOUNT"),
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn delegated_administrators_need_trusted_access_and_a_member() {
    let env = with_accounts(1);
    let acct = members(&env)[0].clone();
    let register = |account: &str| {
        Request::RegisterDelegatedAdministrator(RegisterDelegatedAdministratorInput {
            account_id: account.into(),
            service_principal: "guardduty.amazonaws.com".into(),
        })
    };
    env.rejected(
        register(&acct),
        "ConstraintViolationException",
        Some("SERVICE_ACCESS_NOT_ENABLED"),
    )
    .await;
    env.ok(Request::EnableAwsServiceAccess(
        EnableAwsServiceAccessInput {
            service_principal: "guardduty.amazonaws.com".into(),
        },
    ))
    .await;
    env.rejected(
        register(&env.mgmt()),
        "ConstraintViolationException",
        Some("CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR"),
    )
    .await;
    env.ok(register(&acct)).await;
    env.rejected(register(&acct), "AccountAlreadyRegisteredException", None)
        .await;
    env.rejected(
        Request::RemoveAccountFromOrganization(RemoveAccountFromOrganizationInput {
            account_id: acct.clone(),
        }),
        "ConstraintViolationException",
        Some("CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG"),
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn assume_role_checks_the_trust_policy() {
    let env = with_accounts(1);
    let acct = members(&env)[0].clone();
    let member = Scope::Account(acct.clone());
    // A role that trusts only some other account.
    env.emu
        .create_role(
            &member,
            CreateRoleInput {
                role_name: "Stranger".into(),
                assume_role_policy_document: orgchard::backend::emulator::trust_policy_for(
                    "999999999999",
                ),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let assume = |name: &str| {
        Request::AssumeRole(AssumeRoleInput {
            role_arn: format!("arn:aws:iam::{acct}:role/{name}"),
            role_session_name: "test".into(),
            duration_seconds: None,
        })
    };
    env.rejected(assume("Stranger"), "AccessDenied", None).await;
    env.rejected(assume("Missing"), "AccessDenied", None).await;
    // Trust policy conditions count: the caller's organization is known, an external id the
    // request does not carry is absent.
    let org = env.state().organization.id.clone();
    let mgmt = env.mgmt();
    for (name, principal, condition) in [
        (
            "OrgWide",
            serde_json::json!("*"),
            serde_json::json!({"StringEquals": {"aws:PrincipalOrgID": org}}),
        ),
        (
            "OtherOrg",
            serde_json::json!("*"),
            serde_json::json!({"StringEquals": {"aws:PrincipalOrgID": "o-someoneelse"}}),
        ),
        (
            "Partner",
            serde_json::json!({"AWS": mgmt}),
            serde_json::json!({"StringEquals": {"sts:ExternalId": "k-1"}}),
        ),
    ] {
        let trust = serde_json::json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", "Condition": condition
        }]});
        env.emu
            .create_role(
                &member,
                CreateRoleInput {
                    role_name: name.into(),
                    assume_role_policy_document: trust.to_string(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }
    env.rejected(assume("OtherOrg"), "AccessDenied", None).await;
    env.rejected(assume("Partner"), "AccessDenied", None).await;
    let out = env
        .emu
        .assume_role(
            M,
            AssumeRoleInput {
                role_arn: format!("arn:aws:iam::{acct}:role/OrgWide"),
                role_session_name: "test".into(),
                duration_seconds: None,
            },
        )
        .await
        .unwrap();
    assert!(out.assumed_role_arn.ends_with("assumed-role/OrgWide/test"));
    let out = env
        .emu
        .assume_role(
            M,
            AssumeRoleInput {
                role_arn: format!("arn:aws:iam::{acct}:role/OrganizationAccountAccessRole"),
                role_session_name: "test".into(),
                duration_seconds: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        out.assumed_role_arn,
        format!("arn:aws:sts::{acct}:assumed-role/OrganizationAccountAccessRole/test")
    );
}

#[tokio::test(start_paused = true)]
async fn member_scope_needs_the_member_access_role() {
    let env = with_accounts(1);
    let acct = members(&env)[0].clone();
    let member = Scope::Account(acct.clone());
    let who = env
        .emu
        .get_caller_identity(&member, GetCallerIdentityInput {})
        .await
        .unwrap();
    assert_eq!(
        who.arn,
        format!("arn:aws:sts::{acct}:assumed-role/OrganizationAccountAccessRole/orgchard")
    );
    // Break the trust: the role now trusts another account only.
    env.emu
        .update_assume_role_policy(
            &member,
            UpdateAssumeRolePolicyInput {
                role_name: "OrganizationAccountAccessRole".into(),
                policy_document: orgchard::backend::emulator::trust_policy_for("999999999999"),
            },
        )
        .await
        .unwrap();
    env.rejected_in(
        &member,
        Request::ListRoles(ListRolesInput::default()),
        "AccessDenied",
        None,
    )
    .await;
    env.rejected_in(
        &Scope::Account("123456789012".into()),
        Request::ListRoles(ListRolesInput::default()),
        "AccessDenied",
        None,
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn not_found_errors_name_the_resource_type() {
    let env = with_accounts(0);
    env.rejected(
        Request::DescribeAccount(DescribeAccountInput {
            account_id: "111111111111".into(),
        }),
        "AccountNotFoundException",
        None,
    )
    .await;
    env.rejected(
        create_ou_req("ou-nope-12345678", "x"),
        "ParentNotFoundException",
        None,
    )
    .await;
    env.rejected(
        Request::DescribePolicy(DescribePolicyInput {
            policy_id: "p-nope1234".into(),
        }),
        "PolicyNotFoundException",
        None,
    )
    .await;
    env.rejected(
        attach_req("p-FullAWSAccess", "ou-nope-12345678"),
        "TargetNotFoundException",
        None,
    )
    .await;
    env.rejected(
        Request::DeleteOrganizationalUnit(DeleteOrganizationalUnitInput {
            organizational_unit_id: "ou-nope-12345678".into(),
        }),
        "OrganizationalUnitNotFoundException",
        None,
    )
    .await;
    env.rejected(
        Request::GetRole(GetRoleInput {
            role_name: "Nope".into(),
        }),
        "NoSuchEntity",
        None,
    )
    .await;
    env.rejected(
        Request::DescribeCreateAccountStatus(DescribeCreateAccountStatusInput {
            create_account_request_id: "car-nope".into(),
        }),
        "CreateAccountStatusNotFoundException",
        None,
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn lists_are_paginated_like_aws() {
    let env = with_accounts(45);
    let root = env.root();
    let mut seen = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let out = env
            .emu
            .list_accounts_for_parent(
                M,
                ListAccountsForParentInput {
                    parent_id: root.clone(),
                    next_token: token,
                    max_results: None,
                },
            )
            .await
            .unwrap();
        pages += 1;
        assert!(out.accounts.len() <= 20);
        seen.extend(out.accounts.into_iter().map(|a| a.id));
        token = out.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 46);
    env.rejected(
        Request::ListAccountsForParent(ListAccountsForParentInput {
            parent_id: root.clone(),
            next_token: Some("not-a-token".into()),
            max_results: None,
        }),
        "InvalidInputException",
        Some("INVALID_NEXT_TOKEN"),
    )
    .await;
    env.rejected(
        Request::ListAccountsForParent(ListAccountsForParentInput {
            parent_id: root,
            next_token: None,
            max_results: Some(21),
        }),
        "InvalidInputException",
        Some("MAX_VALUE_EXCEEDED"),
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_creation_in_progress_finishes_across_runs() {
    let env = fresh(options());
    let status = env
        .emu
        .create_account(
            M,
            CreateAccountInput {
                email: "later@example.com".into(),
                account_name: "later".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .create_account_status;
    tokio::time::sleep(Duration::from_secs(20)).await;
    let Env { dir, path, emu } = env;
    drop(emu);
    let emu =
        orgchard::backend::emulator::Emulator::open(&path, &ConnectOptions::default()).unwrap();
    let env = Env { dir, path, emu };
    assert!(env.state().clock.elapsed_ms >= 20_000);
    tokio::time::sleep(Duration::from_secs(71)).await;
    let done = env
        .emu
        .describe_create_account_status(
            M,
            DescribeCreateAccountStatusInput {
                create_account_request_id: status.id,
            },
        )
        .await
        .unwrap()
        .create_account_status;
    assert_eq!(done.state, CreateAccountState::Succeeded);
}

#[tokio::test(start_paused = true)]
async fn calls_are_authorized_against_the_callers_policies() {
    let mut o = options();
    o.caller_policies = vec![(
        "read-only".into(),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["organizations:List*","organizations:Describe*"],"Resource":"*"}]}"#.into(),
    )];
    let env = fresh(o);
    env.ok(Request::ListRoots(ListRootsInput::default())).await;
    let e = env
        .rejected(
            create_ou_req(&env.root(), "nope"),
            "AccessDeniedException",
            None,
        )
        .await;
    assert_eq!(e.kind, ErrorKind::AccessDenied);
    assert!(
        e.message.contains("organizations:CreateOrganizationalUnit"),
        "{e}"
    );
    // Anyone may ask who they are.
    env.emu
        .get_caller_identity(M, GetCallerIdentityInput {})
        .await
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn calls_in_member_accounts_are_subject_to_the_scp_chain() {
    let env = with_accounts(1);
    let acct = members(&env)[0].clone();
    let member = Scope::Account(acct.clone());
    let deny = policy(
        &env,
        "SERVICE_CONTROL_POLICY",
        "no-roles",
        &scp("iam:CreateRole"),
    )
    .await;
    attach(&env, &deny, &env.root()).await.unwrap();
    let create = |name: &str| {
        Request::CreateRole(CreateRoleInput {
            role_name: name.into(),
            assume_role_policy_document: orgchard::backend::emulator::trust_policy_for(&acct),
            ..Default::default()
        })
    };
    let e = env
        .rejected_in(&member, create("Blocked"), "AccessDenied", None)
        .await;
    assert!(e.message.contains("service control policy"), "{e}");
    // Reads are not denied, and the management account is not subject to SCPs.
    env.emu
        .list_roles(&member, ListRolesInput::default())
        .await
        .unwrap();
    env.ok(create("Allowed")).await;
}

fn allow(actions: &[&str]) -> String {
    serde_json::json!({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
    .to_string()
}

/// A session of any role (as `emulator serve` attributes the calls made with the keys an
/// AssumeRole returned) is authorized as that role: its own policies, and in a member
/// account that account's SCP chain, the denying SCP named by its ARN as AWS names it.
#[tokio::test(start_paused = true)]
async fn sessions_of_any_role_act_under_the_roles_policies_and_scps() {
    use orgchard::backend::emulator::{RoleSession, trust_policy_for};
    let env = with_accounts(1);
    let acct = members(&env)[0].clone();
    let member = Scope::Account(acct.clone());
    env.emu
        .create_role(
            &member,
            CreateRoleInput {
                role_name: "Reader".into(),
                assume_role_policy_document: trust_policy_for(&env.mgmt()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    env.emu
        .put_role_policy(
            &member,
            PutRolePolicyInput {
                role_name: "Reader".into(),
                policy_name: "read".into(),
                policy_document: allow(&["iam:ListRoles", "iam:GetRole"]),
            },
        )
        .await
        .unwrap();
    let assumed = env
        .emu
        .assume_role(
            M,
            AssumeRoleInput {
                role_arn: format!("arn:aws:iam::{acct}:role/Reader"),
                role_session_name: "alice".into(),
                duration_seconds: None,
            },
        )
        .await
        .unwrap();
    let session = RoleSession {
        account: acct.clone(),
        role: "Reader".into(),
        session: "alice".into(),
    };
    assert_eq!(assumed.assumed_role_arn, session.arn());
    let call = |request: Request| env.emu.call_as(&session, request);

    // Who the session is, and what its role allows, inside its own account.
    let Response::GetCallerIdentity(me) = call(Request::GetCallerIdentity(Default::default()))
        .await
        .unwrap()
    else {
        panic!("not GetCallerIdentity")
    };
    assert_eq!(
        (me.account.as_str(), me.arn.as_str()),
        (acct.as_str(), session.arn().as_str())
    );
    assert!(me.user_id.ends_with(":alice"), "{}", me.user_id);
    let Response::ListRoles(roles) = call(Request::ListRoles(Default::default())).await.unwrap()
    else {
        panic!("not ListRoles")
    };
    assert!(roles.roles.iter().any(|r| r.role_name == "Reader"));

    // What the role's policy does not grant.
    let create = Request::CreateRole(CreateRoleInput {
        role_name: "Other".into(),
        assume_role_policy_document: trust_policy_for(&env.mgmt()),
        ..Default::default()
    });
    let e = call(create).await.unwrap_err();
    assert_eq!(e.code, "AccessDenied", "{e}");
    assert!(
        e.message.contains(&session.arn()) && e.message.contains("no identity-based policy"),
        "{e}"
    );
    // Nor may a member account's session call Organizations.
    let e = call(Request::ListRoots(Default::default()))
        .await
        .unwrap_err();
    assert_eq!(e.code, "AccessDeniedException", "{e}");

    // An SCP denying what the role allows.
    let deny = policy(
        &env,
        "SERVICE_CONTROL_POLICY",
        "no-reads",
        &scp("iam:ListRoles"),
    )
    .await;
    attach(&env, &deny, &acct).await.unwrap();
    let e = call(Request::ListRoles(Default::default()))
        .await
        .unwrap_err();
    assert_eq!(e.code, "AccessDenied", "{e}");
    let state = env.state();
    let arn = format!(
        "arn:aws:organizations::{}:policy/{}/service_control_policy/{deny}",
        env.mgmt(),
        state.organization.id
    );
    assert!(
        e.message.ends_with(&format!(
            "with an explicit deny in a service control policy: {arn}"
        )),
        "{e}"
    );
    // The configured caller's member-account scope is under the same SCP.
    assert!(
        env.emu
            .list_roles(&member, ListRolesInput::default())
            .await
            .is_err()
    );

    // A role in the management account: no SCPs apply, and its policy may grant
    // Organizations calls there.
    env.ok(Request::CreateRole(CreateRoleInput {
        role_name: "OrgReader".into(),
        assume_role_policy_document: trust_policy_for(&env.mgmt()),
        ..Default::default()
    }))
    .await;
    env.ok(Request::PutRolePolicy(PutRolePolicyInput {
        role_name: "OrgReader".into(),
        policy_name: "read".into(),
        policy_document: allow(&["organizations:ListRoots", "iam:ListRoles"]),
    }))
    .await;
    let org_reader = RoleSession {
        account: env.mgmt(),
        role: "OrgReader".into(),
        session: "bob".into(),
    };
    let roots = env
        .emu
        .call_as(&org_reader, Request::ListRoots(Default::default()))
        .await
        .unwrap();
    assert!(matches!(roots, Response::ListRoots(ref r) if r.roots.len() == 1));
    let e = env
        .emu
        .call_as(&org_reader, attach_req(&deny, &env.root()))
        .await
        .unwrap_err();
    assert_eq!(e.code, "AccessDeniedException", "{e}");
    assert!(e.message.contains("assumed-role/OrgReader/bob"), "{e}");
    // The session's calls changed nothing they were refused.
    assert_eq!(policies_of(&env.state(), &env.root()).len(), 1);

    // A session whose role is gone is refused.
    env.emu
        .delete_role_policy(
            &member,
            DeleteRolePolicyInput {
                role_name: "Reader".into(),
                policy_name: "read".into(),
            },
        )
        .await
        .unwrap();
    env.emu
        .delete_role(
            &member,
            DeleteRoleInput {
                role_name: "Reader".into(),
            },
        )
        .await
        .unwrap();
    let e = call(Request::GetRole(GetRoleInput {
        role_name: "Reader".into(),
    }))
    .await
    .unwrap_err();
    assert_eq!(e.code, "AccessDenied", "{e}");
    assert!(e.message.contains("no longer exists"), "{e}");
}

#[tokio::test(start_paused = true)]
async fn simulate_principal_policy_answers_with_the_engine() {
    let env = fresh(options());
    let caller = env
        .emu
        .get_caller_identity(M, GetCallerIdentityInput {})
        .await
        .unwrap()
        .arn;
    let out = env
        .emu
        .simulate_principal_policy(
            M,
            SimulatePrincipalPolicyInput {
                policy_source_arn: caller,
                action_names: vec!["organizations:CreatePolicy".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(out.evaluation_results.len(), 1);
    assert_eq!(out.evaluation_results[0].eval_decision, "allowed");
}
