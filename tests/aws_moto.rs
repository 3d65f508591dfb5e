//! The AWS backend against moto, a real AWS emulator in server mode, through the API seam:
//! every test starts its own moto server, makes its calls through `Api::call`, and checks the
//! results with its own reads. Run by `scripts/test`, which installs moto.

#![cfg(feature = "aws")]

#[path = "support/moto.rs"]
mod moto;

use std::collections::BTreeMap;

use moto::MotoServer;
use orgchard::api::*;
use orgchard::backend::aws::AwsBackend;
use orgchard::backend::*;

const SCP: &str = "SERVICE_CONTROL_POLICY";

/// A backend on a fresh moto server with an organization (all features) already created.
async fn organization() -> (MotoServer, AwsBackend, Organization, Root) {
    let server = MotoServer::start();
    let api = server.backend().await;
    let org = api
        .create_organization(
            &Scope::Management,
            CreateOrganizationInput {
                feature_set: "ALL".into(),
            },
        )
        .await
        .expect("create organization")
        .organization;
    let roots = api
        .list_roots(&Scope::Management, ListRootsInput::default())
        .await
        .expect("list roots")
        .roots;
    assert_eq!(roots.len(), 1, "one root: {roots:?}");
    let root = roots.into_iter().next().unwrap();
    (server, api, org, root)
}

fn tag(key: &str, value: &str) -> Tag {
    Tag {
        key: key.into(),
        value: value.into(),
    }
}

async fn create_account(api: &AwsBackend, name: &str, email: &str) -> String {
    let status = api
        .create_account(
            &Scope::Management,
            CreateAccountInput {
                email: email.into(),
                account_name: name.into(),
                tags: vec![tag("team", "platform")],
                ..Default::default()
            },
        )
        .await
        .expect("create account")
        .create_account_status;
    assert!(status.id.starts_with("car-"), "request id {}", status.id);
    let described = api
        .describe_create_account_status(
            &Scope::Management,
            DescribeCreateAccountStatusInput {
                create_account_request_id: status.id.clone(),
            },
        )
        .await
        .expect("describe create account status")
        .create_account_status;
    assert_eq!(described.state, CreateAccountState::Succeeded);
    assert_eq!(described.account_name, name);
    described.account_id.expect("a created account has an id")
}

#[tokio::test]
async fn organization_roots_and_caller_identity() {
    let server = MotoServer::start();
    let api = server.backend().await;

    let before = api
        .describe_organization(&Scope::Management, DescribeOrganizationInput::default())
        .await
        .expect_err("no organization yet");
    assert_eq!(before.code, "AWSOrganizationsNotInUseException");

    let created = api
        .create_organization(
            &Scope::Management,
            CreateOrganizationInput {
                feature_set: "ALL".into(),
            },
        )
        .await
        .expect("create organization")
        .organization;
    let described = api
        .describe_organization(&Scope::Management, DescribeOrganizationInput::default())
        .await
        .expect("describe organization")
        .organization;
    assert_eq!(described, created);
    assert_eq!(described.feature_set, "ALL");
    assert!(described.id.starts_with("o-"), "{}", described.id);

    let me = api
        .get_caller_identity(&Scope::Management, GetCallerIdentityInput {})
        .await
        .expect("caller identity");
    assert_eq!(me.account, described.master_account_id);
    assert!(me.arn.starts_with("arn:aws:"), "{}", me.arn);

    let roots = api
        .list_roots(&Scope::Management, ListRootsInput::default())
        .await
        .expect("list roots")
        .roots;
    assert_eq!(roots.len(), 1);
    assert!(roots[0].id.starts_with("r-"), "{}", roots[0].id);
    assert_eq!(roots[0].name, "Root");

    let again = api
        .create_organization(
            &Scope::Management,
            CreateOrganizationInput {
                feature_set: "ALL".into(),
            },
        )
        .await
        .expect_err("a second organization");
    assert_eq!(again.code, "AlreadyInOrganizationException");
    assert_eq!(again.kind, ErrorKind::Client);
    assert!(api.describe().contains(&server.url));
}

#[tokio::test]
async fn organizational_units_are_created_renamed_listed_and_deleted() {
    let (_server, api, _org, root) = organization().await;
    let s = Scope::Management;
    let ou = api
        .create_organizational_unit(
            &s,
            CreateOrganizationalUnitInput {
                parent_id: root.id.clone(),
                name: "Workloads".into(),
                tags: vec![tag("tier", "workloads")],
            },
        )
        .await
        .expect("create OU")
        .organizational_unit;
    assert!(ou.id.starts_with("ou-"), "{}", ou.id);
    assert_eq!(ou.name, "Workloads");

    let sandbox = api
        .create_organizational_unit(
            &s,
            CreateOrganizationalUnitInput {
                parent_id: root.id.clone(),
                name: "Sandbox".into(),
                tags: vec![],
            },
        )
        .await
        .expect("second OU")
        .organizational_unit;
    let duplicate = api
        .update_organizational_unit(
            &s,
            UpdateOrganizationalUnitInput {
                organizational_unit_id: sandbox.id.clone(),
                name: Some("Workloads".into()),
            },
        )
        .await
        .expect_err("a name already taken under the same parent");
    assert_eq!(duplicate.code, "DuplicateOrganizationalUnitException");
    assert_eq!(duplicate.kind, ErrorKind::Client);
    assert_eq!(duplicate.operation, Operation::UpdateOrganizationalUnit);
    api.delete_organizational_unit(
        &s,
        DeleteOrganizationalUnitInput {
            organizational_unit_id: sandbox.id.clone(),
        },
    )
    .await
    .expect("delete second OU");

    let renamed = api
        .update_organizational_unit(
            &s,
            UpdateOrganizationalUnitInput {
                organizational_unit_id: ou.id.clone(),
                name: Some("Apps".into()),
            },
        )
        .await
        .expect("rename OU")
        .organizational_unit;
    assert_eq!(renamed.name, "Apps");
    assert_eq!(renamed.id, ou.id);

    let child = api
        .create_organizational_unit(
            &s,
            CreateOrganizationalUnitInput {
                parent_id: ou.id.clone(),
                name: "Prod".into(),
                tags: vec![],
            },
        )
        .await
        .expect("nested OU")
        .organizational_unit;
    let under_root = api
        .list_organizational_units_for_parent(
            &s,
            ListOrganizationalUnitsForParentInput {
                parent_id: root.id.clone(),
                ..Default::default()
            },
        )
        .await
        .expect("list OUs")
        .organizational_units;
    assert_eq!(
        under_root
            .iter()
            .map(|o| o.name.as_str())
            .collect::<Vec<_>>(),
        ["Apps"]
    );
    let parents = api
        .list_parents(
            &s,
            ListParentsInput {
                child_id: child.id.clone(),
                ..Default::default()
            },
        )
        .await
        .expect("list parents")
        .parents;
    assert_eq!(
        parents,
        [Parent {
            id: ou.id.clone(),
            r#type: "ORGANIZATIONAL_UNIT".into()
        }]
    );

    for id in [&child.id, &ou.id] {
        api.delete_organizational_unit(
            &s,
            DeleteOrganizationalUnitInput {
                organizational_unit_id: id.clone(),
            },
        )
        .await
        .expect("delete OU");
    }
    let left = api
        .list_organizational_units_for_parent(
            &s,
            ListOrganizationalUnitsForParentInput {
                parent_id: root.id.clone(),
                ..Default::default()
            },
        )
        .await
        .expect("list OUs")
        .organizational_units;
    assert!(left.is_empty(), "{left:?}");

    let gone = api
        .delete_organizational_unit(
            &s,
            DeleteOrganizationalUnitInput {
                organizational_unit_id: ou.id.clone(),
            },
        )
        .await
        .expect_err("deleted twice");
    assert_eq!(gone.code, "OrganizationalUnitNotFoundException");
    assert_eq!(gone.kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn accounts_are_created_tracked_and_moved() {
    let (_server, api, _org, root) = organization().await;
    let s = Scope::Management;
    let id = create_account(&api, "Log Archive", "log-archive@example.com").await;

    let statuses = api
        .list_create_account_status(&s, ListCreateAccountStatusInput::default())
        .await
        .expect("list create account status")
        .create_account_statuses;
    assert!(
        statuses
            .iter()
            .any(|st| st.account_id.as_deref() == Some(id.as_str())
                && st.state == CreateAccountState::Succeeded),
        "{statuses:?}"
    );
    let succeeded = api
        .list_create_account_status(
            &s,
            ListCreateAccountStatusInput {
                states: vec![CreateAccountState::InProgress],
                ..Default::default()
            },
        )
        .await
        .expect("filtered by state")
        .create_account_statuses;
    assert!(succeeded.is_empty(), "nothing in progress: {succeeded:?}");

    let account = api
        .describe_account(
            &s,
            DescribeAccountInput {
                account_id: id.clone(),
            },
        )
        .await
        .expect("describe account")
        .account;
    assert_eq!(account.name, "Log Archive");
    assert_eq!(account.email, "log-archive@example.com");
    assert_eq!(account.state, AccountState::Active);
    assert_eq!(account.joined_method, "CREATED");
    assert!(
        account.joined_timestamp > 1.0e9,
        "{}",
        account.joined_timestamp
    );

    let security = api
        .create_organizational_unit(
            &s,
            CreateOrganizationalUnitInput {
                parent_id: root.id.clone(),
                name: "Security".into(),
                tags: vec![],
            },
        )
        .await
        .expect("create OU")
        .organizational_unit;
    api.move_account(
        &s,
        MoveAccountInput {
            account_id: id.clone(),
            source_parent_id: root.id.clone(),
            destination_parent_id: security.id.clone(),
        },
    )
    .await
    .expect("move account");

    let in_security = api
        .list_accounts_for_parent(
            &s,
            ListAccountsForParentInput {
                parent_id: security.id.clone(),
                ..Default::default()
            },
        )
        .await
        .expect("accounts in OU")
        .accounts;
    assert_eq!(
        in_security
            .iter()
            .map(|a| a.id.as_str())
            .collect::<Vec<_>>(),
        [id.as_str()]
    );
    let in_root = api
        .list_accounts_for_parent(
            &s,
            ListAccountsForParentInput {
                parent_id: root.id.clone(),
                ..Default::default()
            },
        )
        .await
        .expect("accounts in root")
        .accounts;
    assert!(in_root.iter().all(|a| a.id != id), "{in_root:?}");
    let parents = api
        .list_parents(
            &s,
            ListParentsInput {
                child_id: id.clone(),
                ..Default::default()
            },
        )
        .await
        .expect("parents")
        .parents;
    assert_eq!(parents[0].id, security.id);

    let all = api
        .list_accounts(&s, ListAccountsInput::default())
        .await
        .expect("list accounts")
        .accounts;
    assert_eq!(all.len(), 2, "management and the new account: {all:?}");

    let wrong_source = api
        .move_account(
            &s,
            MoveAccountInput {
                account_id: id.clone(),
                source_parent_id: root.id.clone(),
                destination_parent_id: security.id.clone(),
            },
        )
        .await;
    // AWS answers SourceParentNotFoundException here; moto may accept the move silently.
    if let Err(e) = wrong_source {
        assert_ne!(e.kind, ErrorKind::Endpoint, "{e}");
    }
}

#[tokio::test]
async fn policies_are_created_updated_attached_detached_and_deleted() {
    let (_server, api, _org, root) = organization().await;
    let s = Scope::Management;

    let enabled = api
        .enable_policy_type(
            &s,
            EnablePolicyTypeInput {
                root_id: root.id.clone(),
                policy_type: SCP.into(),
            },
        )
        .await
        .expect("enable SCPs")
        .root;
    assert!(
        enabled
            .policy_types
            .iter()
            .any(|p| p.r#type == SCP && p.status == PolicyTypeStatus::Enabled),
        "{enabled:?}"
    );
    let twice = api
        .enable_policy_type(
            &s,
            EnablePolicyTypeInput {
                root_id: root.id.clone(),
                policy_type: SCP.into(),
            },
        )
        .await
        .expect_err("already enabled");
    assert_eq!(twice.code, "PolicyTypeAlreadyEnabledException");

    let deny_leave = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}"#;
    let created = api
        .create_policy(
            &s,
            CreatePolicyInput {
                name: "DenyLeave".into(),
                description: "Members may not leave".into(),
                content: deny_leave.into(),
                r#type: SCP.into(),
                tags: vec![tag("owner", "platform")],
            },
        )
        .await
        .expect("create policy")
        .policy;
    let id = created.policy_summary.id.clone();
    assert!(id.starts_with("p-"), "{id}");
    assert!(!created.policy_summary.aws_managed);
    assert_eq!(created.policy_summary.r#type, SCP);

    let described = api
        .describe_policy(
            &s,
            DescribePolicyInput {
                policy_id: id.clone(),
            },
        )
        .await
        .expect("describe policy")
        .policy;
    assert_eq!(described.content, deny_leave);
    assert_eq!(
        described.policy_summary.description,
        "Members may not leave"
    );

    let deny_regions = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}]}"#;
    let updated = api
        .update_policy(
            &s,
            UpdatePolicyInput {
                policy_id: id.clone(),
                name: Some("RegionLock".into()),
                description: None,
                content: Some(deny_regions.into()),
            },
        )
        .await
        .expect("update policy")
        .policy;
    assert_eq!(updated.policy_summary.name, "RegionLock");
    assert_eq!(updated.content, deny_regions);
    let reread = api
        .describe_policy(
            &s,
            DescribePolicyInput {
                policy_id: id.clone(),
            },
        )
        .await
        .expect("describe policy")
        .policy;
    assert_eq!(reread.content, deny_regions);
    assert_eq!(reread.policy_summary.description, "Members may not leave");

    let listed = api
        .list_policies(
            &s,
            ListPoliciesInput {
                filter: SCP.into(),
                ..Default::default()
            },
        )
        .await
        .expect("list policies")
        .policies;
    let names: Vec<_> = listed.iter().map(|p| p.name.as_str()).collect();
    assert!(names.contains(&"RegionLock"), "{names:?}");
    assert!(
        listed
            .iter()
            .any(|p| p.name == "FullAWSAccess" && p.aws_managed),
        "{listed:?}"
    );

    let ou = api
        .create_organizational_unit(
            &s,
            CreateOrganizationalUnitInput {
                parent_id: root.id.clone(),
                name: "Sandbox".into(),
                tags: vec![],
            },
        )
        .await
        .expect("create OU")
        .organizational_unit;
    api.attach_policy(
        &s,
        AttachPolicyInput {
            policy_id: id.clone(),
            target_id: ou.id.clone(),
        },
    )
    .await
    .expect("attach");
    let targets = api
        .list_targets_for_policy(
            &s,
            ListTargetsForPolicyInput {
                policy_id: id.clone(),
                ..Default::default()
            },
        )
        .await
        .expect("targets")
        .targets;
    assert_eq!(targets.len(), 1, "{targets:?}");
    assert_eq!(targets[0].target_id, ou.id);
    assert_eq!(targets[0].r#type, "ORGANIZATIONAL_UNIT");
    assert_eq!(targets[0].name, "Sandbox");
    let on_ou = api
        .list_policies_for_target(
            &s,
            ListPoliciesForTargetInput {
                target_id: ou.id.clone(),
                filter: SCP.into(),
                ..Default::default()
            },
        )
        .await
        .expect("policies for target")
        .policies;
    assert!(on_ou.iter().any(|p| p.id == id), "{on_ou:?}");

    let same_name = api
        .create_policy(
            &s,
            CreatePolicyInput {
                name: "RegionLock".into(),
                description: String::new(),
                content: deny_leave.into(),
                r#type: SCP.into(),
                tags: vec![],
            },
        )
        .await
        .expect_err("a policy name is unique");
    assert_eq!(same_name.code, "DuplicatePolicyException");
    assert_eq!(same_name.kind, ErrorKind::Client);

    let in_use = api
        .delete_policy(
            &s,
            DeletePolicyInput {
                policy_id: id.clone(),
            },
        )
        .await
        .expect_err("a policy still attached cannot be deleted");
    assert_eq!(in_use.code, "PolicyInUseException");

    api.detach_policy(
        &s,
        DetachPolicyInput {
            policy_id: id.clone(),
            target_id: ou.id.clone(),
        },
    )
    .await
    .expect("detach");
    let targets = api
        .list_targets_for_policy(
            &s,
            ListTargetsForPolicyInput {
                policy_id: id.clone(),
                ..Default::default()
            },
        )
        .await
        .expect("targets")
        .targets;
    assert!(targets.is_empty(), "{targets:?}");

    api.delete_policy(
        &s,
        DeletePolicyInput {
            policy_id: id.clone(),
        },
    )
    .await
    .expect("delete policy");
    let gone = api
        .describe_policy(
            &s,
            DescribePolicyInput {
                policy_id: id.clone(),
            },
        )
        .await
        .expect_err("deleted");
    assert_eq!(gone.code, "PolicyNotFoundException");
    assert_eq!(gone.kind, ErrorKind::NotFound);

    let disabled = api
        .disable_policy_type(
            &s,
            DisablePolicyTypeInput {
                root_id: root.id.clone(),
                policy_type: SCP.into(),
            },
        )
        .await
        .expect("disable SCPs")
        .root;
    assert!(
        !disabled
            .policy_types
            .iter()
            .any(|p| p.r#type == SCP && p.status == PolicyTypeStatus::Enabled),
        "{disabled:?}"
    );
}

#[tokio::test]
async fn tags_are_added_listed_and_removed() {
    let (_server, api, _org, root) = organization().await;
    let s = Scope::Management;
    let ou = api
        .create_organizational_unit(
            &s,
            CreateOrganizationalUnitInput {
                parent_id: root.id.clone(),
                name: "Tagged".into(),
                tags: vec![tag("created", "yes")],
            },
        )
        .await
        .expect("create OU")
        .organizational_unit;
    let tags_of = |id: String| {
        let api = &api;
        async move {
            let out = api
                .list_tags_for_resource(
                    &Scope::Management,
                    ListTagsForResourceInput {
                        resource_id: id,
                        next_token: None,
                    },
                )
                .await
                .expect("list tags");
            tags_to_map(&out.tags)
        }
    };
    assert_eq!(
        tags_of(ou.id.clone()).await,
        BTreeMap::from([("created".to_string(), "yes".to_string())])
    );

    api.tag_resource(
        &s,
        TagResourceInput {
            resource_id: ou.id.clone(),
            tags: vec![
                tag("orgchard:address", "organizational_unit.tagged"),
                tag("created", "no"),
            ],
        },
    )
    .await
    .expect("tag");
    assert_eq!(
        tags_of(ou.id.clone()).await,
        BTreeMap::from([
            ("created".to_string(), "no".to_string()),
            (
                "orgchard:address".to_string(),
                "organizational_unit.tagged".to_string()
            ),
        ])
    );

    api.untag_resource(
        &s,
        UntagResourceInput {
            resource_id: ou.id.clone(),
            tag_keys: vec!["created".into()],
        },
    )
    .await
    .expect("untag");
    assert_eq!(
        tags_of(ou.id.clone()).await,
        BTreeMap::from([(
            "orgchard:address".to_string(),
            "organizational_unit.tagged".to_string()
        )])
    );

    let account = create_account(&api, "Tagged Account", "tagged@example.com").await;
    assert_eq!(
        tags_of(account).await,
        BTreeMap::from([("team".to_string(), "platform".to_string())])
    );
}

#[tokio::test]
async fn service_access_and_delegated_administrators() {
    let (_server, api, org, _root) = organization().await;
    let s = Scope::Management;
    let security = create_account(&api, "Security Tooling", "security@example.com").await;
    let principal = "guardduty.amazonaws.com";

    api.enable_aws_service_access(
        &s,
        EnableAwsServiceAccessInput {
            service_principal: principal.into(),
        },
    )
    .await
    .expect("enable trusted access");
    let enabled = api
        .list_aws_service_access_for_organization(
            &s,
            ListAwsServiceAccessForOrganizationInput::default(),
        )
        .await
        .expect("list service access")
        .enabled_service_principals;
    assert_eq!(enabled.len(), 1, "{enabled:?}");
    assert_eq!(enabled[0].service_principal, principal);
    assert!(enabled[0].date_enabled > 1.0e9);

    api.register_delegated_administrator(
        &s,
        RegisterDelegatedAdministratorInput {
            account_id: security.clone(),
            service_principal: principal.into(),
        },
    )
    .await
    .expect("register delegated administrator");
    let admins = api
        .list_delegated_administrators(
            &s,
            ListDelegatedAdministratorsInput {
                service_principal: Some(principal.into()),
                ..Default::default()
            },
        )
        .await
        .expect("list delegated administrators")
        .delegated_administrators;
    assert_eq!(admins.len(), 1, "{admins:?}");
    assert_eq!(admins[0].id, security);
    assert_eq!(admins[0].name, "Security Tooling");
    let services = api
        .list_delegated_services_for_account(
            &s,
            ListDelegatedServicesForAccountInput {
                account_id: security.clone(),
                ..Default::default()
            },
        )
        .await
        .expect("list delegated services")
        .delegated_services;
    assert_eq!(
        services
            .iter()
            .map(|d| d.service_principal.as_str())
            .collect::<Vec<_>>(),
        [principal]
    );

    let management = api
        .register_delegated_administrator(
            &s,
            RegisterDelegatedAdministratorInput {
                account_id: org.master_account_id.clone(),
                service_principal: principal.into(),
            },
        )
        .await
        .expect_err("the management account cannot be a delegated administrator");
    assert_eq!(management.code, "ConstraintViolationException");
    assert_eq!(management.kind, ErrorKind::Client);

    let twice = api
        .register_delegated_administrator(
            &s,
            RegisterDelegatedAdministratorInput {
                account_id: security.clone(),
                service_principal: principal.into(),
            },
        )
        .await
        .expect_err("registered twice");
    assert_eq!(twice.code, "AccountAlreadyRegisteredException");

    api.deregister_delegated_administrator(
        &s,
        DeregisterDelegatedAdministratorInput {
            account_id: security.clone(),
            service_principal: principal.into(),
        },
    )
    .await
    .expect("deregister");
    let admins = api
        .list_delegated_administrators(&s, ListDelegatedAdministratorsInput::default())
        .await
        .expect("list delegated administrators")
        .delegated_administrators;
    assert!(admins.is_empty(), "{admins:?}");

    api.disable_aws_service_access(
        &s,
        DisableAwsServiceAccessInput {
            service_principal: principal.into(),
        },
    )
    .await
    .expect("disable trusted access");
    let enabled = api
        .list_aws_service_access_for_organization(
            &s,
            ListAwsServiceAccessForOrganizationInput::default(),
        )
        .await
        .expect("list service access")
        .enabled_service_principals;
    assert!(enabled.is_empty(), "{enabled:?}");
}

#[tokio::test]
async fn roles_inside_a_member_account_through_the_member_access_role() {
    let (_server, api, org, _root) = organization().await;
    let member = create_account(&api, "Workload", "workload@example.com").await;
    let in_member = Scope::Account(member.clone());

    let identity = api
        .get_caller_identity(&in_member, GetCallerIdentityInput {})
        .await
        .expect("caller identity in the member account");
    assert_eq!(identity.account, member);
    assert!(
        identity
            .arn
            .contains("assumed-role/OrganizationAccountAccessRole/orgchard"),
        "{}",
        identity.arn
    );

    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{}:root"}},"Action":"sts:AssumeRole"}}]}}"#,
        org.master_account_id
    );
    let created = api
        .create_role(
            &in_member,
            CreateRoleInput {
                role_name: "Auditor".into(),
                path: Some("/orgchard/".into()),
                assume_role_policy_document: trust.clone(),
                description: Some("Reads everything".into()),
                max_session_duration: Some(7200),
                tags: vec![tag("orgchard:address", "role.auditor")],
                ..Default::default()
            },
        )
        .await
        .expect("create role in the member account")
        .role;
    assert_eq!(
        created.arn,
        format!("arn:aws:iam::{member}:role/orgchard/Auditor")
    );

    let inline = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["s3:PutObject","s3:DeleteObject"],"Resource":"*"}]}"#;
    api.put_role_policy(
        &in_member,
        PutRolePolicyInput {
            role_name: "Auditor".into(),
            policy_name: "deny_writes".into(),
            policy_document: inline.into(),
        },
    )
    .await
    .expect("put inline policy");
    let read_only = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    api.attach_role_policy(
        &in_member,
        AttachRolePolicyInput {
            role_name: "Auditor".into(),
            policy_arn: read_only.into(),
        },
    )
    .await
    .expect("attach managed policy");

    // Read back inside the member account.
    let role = api
        .get_role(
            &in_member,
            GetRoleInput {
                role_name: "Auditor".into(),
            },
        )
        .await
        .expect("get role")
        .role;
    assert_eq!(role.path, "/orgchard/");
    assert_eq!(role.max_session_duration, 7200);
    assert_eq!(role.description.as_deref(), Some("Reads everything"));
    let trust_read: serde_json::Value =
        serde_json::from_str(&role.assume_role_policy_document).expect("trust policy is JSON");
    assert_eq!(
        trust_read,
        serde_json::from_str::<serde_json::Value>(&trust).unwrap()
    );
    let inline_read = api
        .get_role_policy(
            &in_member,
            GetRolePolicyInput {
                role_name: "Auditor".into(),
                policy_name: "deny_writes".into(),
            },
        )
        .await
        .expect("get inline policy");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&inline_read.policy_document).unwrap(),
        serde_json::from_str::<serde_json::Value>(inline).unwrap()
    );
    let names = api
        .list_role_policies(
            &in_member,
            ListRolePoliciesInput {
                role_name: "Auditor".into(),
                ..Default::default()
            },
        )
        .await
        .expect("list inline policies")
        .policy_names;
    assert_eq!(names, ["deny_writes"]);
    let attached = api
        .list_attached_role_policies(
            &in_member,
            ListAttachedRolePoliciesInput {
                role_name: "Auditor".into(),
                ..Default::default()
            },
        )
        .await
        .expect("list attached policies")
        .attached_policies;
    assert_eq!(
        attached
            .iter()
            .map(|p| p.policy_arn.as_str())
            .collect::<Vec<_>>(),
        [read_only]
    );
    let tags = api
        .list_role_tags(
            &in_member,
            ListRoleTagsInput {
                role_name: "Auditor".into(),
                ..Default::default()
            },
        )
        .await
        .expect("list role tags")
        .tags;
    assert_eq!(tags, [tag("orgchard:address", "role.auditor")]);
    let listed = api
        .list_roles(
            &in_member,
            ListRolesInput {
                path_prefix: Some("/orgchard/".into()),
                ..Default::default()
            },
        )
        .await
        .expect("list roles")
        .roles;
    assert_eq!(
        listed
            .iter()
            .map(|r| r.role_name.as_str())
            .collect::<Vec<_>>(),
        ["Auditor"]
    );

    // The role lives in the member account only.
    let elsewhere = api
        .get_role(
            &Scope::Management,
            GetRoleInput {
                role_name: "Auditor".into(),
            },
        )
        .await
        .expect_err("not in the management account");
    assert_eq!(elsewhere.code, "NoSuchEntity");
    assert_eq!(elsewhere.kind, ErrorKind::NotFound);

    // Changes and removal, as the applier makes them.
    api.update_role(
        &in_member,
        UpdateRoleInput {
            role_name: "Auditor".into(),
            description: Some("Audits".into()),
            max_session_duration: Some(3600),
        },
    )
    .await
    .expect("update role");
    api.untag_role(
        &in_member,
        UntagRoleInput {
            role_name: "Auditor".into(),
            tag_keys: vec!["orgchard:address".into()],
        },
    )
    .await
    .expect("untag role");
    api.tag_role(
        &in_member,
        TagRoleInput {
            role_name: "Auditor".into(),
            tags: vec![tag("team", "security")],
        },
    )
    .await
    .expect("tag role");
    let role = api
        .get_role(
            &in_member,
            GetRoleInput {
                role_name: "Auditor".into(),
            },
        )
        .await
        .expect("get role")
        .role;
    assert_eq!(role.description.as_deref(), Some("Audits"));
    assert_eq!(role.max_session_duration, 3600);
    assert_eq!(role.tags, [tag("team", "security")]);

    api.detach_role_policy(
        &in_member,
        DetachRolePolicyInput {
            role_name: "Auditor".into(),
            policy_arn: read_only.into(),
        },
    )
    .await
    .expect("detach");
    api.delete_role_policy(
        &in_member,
        DeleteRolePolicyInput {
            role_name: "Auditor".into(),
            policy_name: "deny_writes".into(),
        },
    )
    .await
    .expect("delete inline policy");
    api.delete_role(
        &in_member,
        DeleteRoleInput {
            role_name: "Auditor".into(),
        },
    )
    .await
    .expect("delete role");
    let gone = api
        .get_role(
            &in_member,
            GetRoleInput {
                role_name: "Auditor".into(),
            },
        )
        .await
        .expect_err("deleted");
    assert_eq!(gone.kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn iam_pagination_and_reads_of_the_caller() {
    let server = MotoServer::start();
    let api = server.backend().await;
    let s = Scope::Management;
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    for name in ["a", "b", "c"] {
        api.create_role(
            &s,
            CreateRoleInput {
                role_name: format!("paged-{name}"),
                path: Some("/paged/".into()),
                assume_role_policy_document: trust.into(),
                ..Default::default()
            },
        )
        .await
        .expect("create role");
    }
    let mut names = Vec::new();
    let mut next_token = None;
    let mut pages = 0;
    loop {
        let page = api
            .list_roles(
                &s,
                ListRolesInput {
                    path_prefix: Some("/paged/".into()),
                    next_token: next_token.take(),
                    max_results: Some(2),
                },
            )
            .await
            .expect("list roles");
        pages += 1;
        names.extend(page.roles.into_iter().map(|r| r.role_name));
        match page.next_token {
            Some(t) => next_token = Some(t),
            None => break,
        }
        assert!(pages < 10, "pagination does not end");
    }
    names.sort();
    assert_eq!(names, ["paged-a", "paged-b", "paged-c"]);
    assert_eq!(pages, 2);

    let policy = api
        .get_policy(
            &s,
            GetPolicyInput {
                policy_arn: "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
            },
        )
        .await
        .expect("get managed policy")
        .policy;
    assert_eq!(policy.policy_name, "ReadOnlyAccess");
    let version = api
        .get_policy_version(
            &s,
            GetPolicyVersionInput {
                policy_arn: policy.arn.clone(),
                version_id: policy.default_version_id.clone(),
            },
        )
        .await
        .expect("get policy version");
    let doc: serde_json::Value =
        serde_json::from_str(&version.document).expect("policy version is decoded JSON");
    assert!(doc.get("Statement").is_some(), "{doc}");
}

#[tokio::test]
async fn operations_moto_lacks_are_endpoint_errors_naming_operation_and_endpoint() {
    let server = MotoServer::start();
    let api = server.backend().await;
    let simulate = api
        .simulate_principal_policy(
            &Scope::Management,
            SimulatePrincipalPolicyInput {
                policy_source_arn: "arn:aws:iam::123456789012:user/admin".into(),
                action_names: vec!["organizations:ListRoots".into()],
                ..Default::default()
            },
        )
        .await
        .expect_err("moto has no SimulatePrincipalPolicy");
    assert_eq!(simulate.kind, ErrorKind::Endpoint);
    assert_eq!(simulate.code, "OrgchardEndpointError");
    assert!(
        simulate.message.starts_with(&format!(
            "moto at {} does not implement iam:SimulatePrincipalPolicy",
            server.url
        )),
        "{}",
        simulate.message
    );

    let rename = api
        .put_account_name(
            &Scope::Management,
            PutAccountNameInput {
                account_id: None,
                account_name: "Renamed".into(),
            },
        )
        .await
        .expect_err("moto has no account:PutAccountName");
    assert_eq!(rename.kind, ErrorKind::Endpoint);
    assert!(
        rename.message.starts_with(&format!(
            "moto at {} does not implement account:PutAccountName",
            server.url
        )),
        "{}",
        rename.message
    );
    // Each was one request: the SDK does not retry behind orgchard's back.
    let log = server.log();
    assert_eq!(log.matches("POST / HTTP").count(), 1, "{log}");
    assert_eq!(log.matches("/putAccountName").count(), 1, "{log}");
}

/// Regression: the OS hands the port it just freed to the next caller often enough that two
/// of these tests, starting together, once ran against one moto server (one of them found an
/// organization already there).
#[test]
fn free_ports_are_never_handed_out_twice() {
    let ports: Vec<u16> = std::thread::scope(|s| {
        let pickers: Vec<_> = (0..8)
            .map(|_| s.spawn(|| (0..50).map(|_| moto::free_port()).collect::<Vec<_>>()))
            .collect();
        pickers
            .into_iter()
            .flat_map(|p| p.join().unwrap())
            .collect()
    });
    let distinct: std::collections::BTreeSet<_> = ports.iter().collect();
    assert_eq!(distinct.len(), ports.len(), "{ports:?}");
}

#[tokio::test]
async fn connection_refused_is_an_endpoint_error() {
    let port = moto::free_port();
    let url = format!("http://127.0.0.1:{port}");
    let api = AwsBackend::connect_with_credentials(
        &AwsOptions {
            region: Some("us-east-1".into()),
            endpoint_url: Some(url.clone()),
            ..AwsOptions::default()
        },
        &ConnectOptions::default(),
        moto::test_credentials(),
    )
    .await
    .expect("connecting makes no call");
    let err = api
        .list_roots(&Scope::Management, ListRootsInput::default())
        .await
        .expect_err("nothing listens there");
    assert_eq!(err.kind, ErrorKind::Endpoint);
    assert_eq!(err.operation, Operation::ListRoots);
    assert!(
        err.message.starts_with(&format!(
            "cannot reach the endpoint at {url} for organizations:ListRoots"
        )),
        "{}",
        err.message
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn member_sessions_are_assumed_once_and_reused() {
    let (server, api, _org, _root) = organization().await;
    let member = create_account(&api, "Reused", "reused@example.com").await;
    for _ in 0..3 {
        api.list_roles(&Scope::Account(member.clone()), ListRolesInput::default())
            .await
            .expect("list roles in the member account");
    }
    let log = server.log();
    let requests = log.lines().filter(|l| l.contains("POST / HTTP")).count();
    // CreateOrganization, ListRoots, CreateAccount, DescribeCreateAccountStatus, then one
    // AssumeRole and three ListRoles: the session is made once, and nothing is retried.
    assert_eq!(requests, 8, "{log}");
}

#[tokio::test]
async fn role_arn_is_assumed_before_any_call() {
    let server = MotoServer::start();
    let role_arn = "arn:aws:iam::111111111111:role/OrgchardDeployer";
    let api = AwsBackend::connect_with_credentials(
        &AwsOptions {
            region: Some("us-east-1".into()),
            endpoint_url: Some(server.url.clone()),
            role_arn: Some(role_arn.into()),
            ..AwsOptions::default()
        },
        &ConnectOptions::default(),
        moto::test_credentials(),
    )
    .await
    .expect("connect with a role to assume");
    let me = api
        .get_caller_identity(&Scope::Management, GetCallerIdentityInput {})
        .await
        .expect("caller identity");
    assert_eq!(me.account, "111111111111");
    assert!(
        me.arn.contains("assumed-role/OrgchardDeployer/orgchard"),
        "{}",
        me.arn
    );
    // The organization is created in the assumed role's account.
    let org = api
        .create_organization(
            &Scope::Management,
            CreateOrganizationInput {
                feature_set: "ALL".into(),
            },
        )
        .await
        .expect("create organization")
        .organization;
    assert_eq!(org.master_account_id, "111111111111");
}

#[tokio::test]
async fn account_closure_removal_trust_updates_and_caller_reads() {
    let (_server, api, _org, _root) = organization().await;
    let s = Scope::Management;

    let closing = create_account(&api, "Closing", "closing@example.com").await;
    api.close_account(
        &s,
        CloseAccountInput {
            account_id: closing.clone(),
        },
    )
    .await
    .expect("close account");
    let closed = api
        .describe_account(
            &s,
            DescribeAccountInput {
                account_id: closing.clone(),
            },
        )
        .await
        .expect("describe closed account")
        .account;
    assert!(closed.state.is_closing_or_closed(), "{closed:?}");

    let leaving = create_account(&api, "Leaving", "leaving@example.com").await;
    api.remove_account_from_organization(
        &s,
        RemoveAccountFromOrganizationInput {
            account_id: leaving.clone(),
        },
    )
    .await
    .expect("remove account");
    let accounts = api
        .list_accounts(&s, ListAccountsInput::default())
        .await
        .expect("list accounts")
        .accounts;
    assert!(accounts.iter().all(|a| a.id != leaving), "{accounts:?}");
    let gone = api
        .describe_account(
            &s,
            DescribeAccountInput {
                account_id: leaving.clone(),
            },
        )
        .await
        .expect_err("no longer in the organization");
    assert_eq!(gone.code, "AccountNotFoundException");
    assert_eq!(gone.kind, ErrorKind::NotFound);

    // A trust policy replaced in place, and the role then assumed directly.
    let trust = |principal: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":"sts:AssumeRole"}}]}}"#
        )
    };
    let role = api
        .create_role(
            &s,
            CreateRoleInput {
                role_name: "Deployer".into(),
                assume_role_policy_document: trust("arn:aws:iam::123456789012:root"),
                ..Default::default()
            },
        )
        .await
        .expect("create role")
        .role;
    let new_trust = trust("arn:aws:iam::210987654321:root");
    api.update_assume_role_policy(
        &s,
        UpdateAssumeRolePolicyInput {
            role_name: "Deployer".into(),
            policy_document: new_trust.clone(),
        },
    )
    .await
    .expect("update trust policy");
    let reread = api
        .get_role(
            &s,
            GetRoleInput {
                role_name: "Deployer".into(),
            },
        )
        .await
        .expect("get role")
        .role;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&reread.assume_role_policy_document).unwrap(),
        serde_json::from_str::<serde_json::Value>(&new_trust).unwrap()
    );
    let assumed = api
        .assume_role(
            &s,
            AssumeRoleInput {
                role_arn: role.arn.clone(),
                role_session_name: "check".into(),
                duration_seconds: Some(900),
            },
        )
        .await
        .expect("assume role");
    assert!(!assumed.credentials.access_key_id.is_empty());
    assert!(!assumed.credentials.session_token.is_empty());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!(
        assumed.credentials.expiration > now,
        "expires {} (now {now})",
        assumed.credentials.expiration
    );
    assert!(
        assumed
            .assumed_role_arn
            .ends_with("assumed-role/Deployer/check"),
        "{}",
        assumed.assumed_role_arn
    );

    // The caller's own policies are read through user and group reads; for names IAM does not
    // know, each answers NoSuchEntity (implemented, and classified as not found).
    let user = "nobody".to_string();
    let group = "nogroup".to_string();
    let errors = [
        api.list_attached_user_policies(
            &s,
            ListAttachedUserPoliciesInput {
                user_name: user.clone(),
                ..Default::default()
            },
        )
        .await
        .err(),
        api.list_user_policies(
            &s,
            ListUserPoliciesInput {
                user_name: user.clone(),
                ..Default::default()
            },
        )
        .await
        .err(),
        api.get_user_policy(
            &s,
            GetUserPolicyInput {
                user_name: user.clone(),
                policy_name: "p".into(),
            },
        )
        .await
        .err(),
        api.list_groups_for_user(
            &s,
            ListGroupsForUserInput {
                user_name: user.clone(),
                ..Default::default()
            },
        )
        .await
        .err(),
        api.get_user(
            &s,
            GetUserInput {
                user_name: Some(user.clone()),
            },
        )
        .await
        .err(),
        api.list_attached_group_policies(
            &s,
            ListAttachedGroupPoliciesInput {
                group_name: group.clone(),
                ..Default::default()
            },
        )
        .await
        .err(),
        api.list_group_policies(
            &s,
            ListGroupPoliciesInput {
                group_name: group.clone(),
                ..Default::default()
            },
        )
        .await
        .err(),
        api.get_group_policy(
            &s,
            GetGroupPolicyInput {
                group_name: group.clone(),
                policy_name: "p".into(),
            },
        )
        .await
        .err(),
    ];
    for e in errors {
        let e = e.expect("an unknown user or group is an error");
        assert_eq!(e.code, "NoSuchEntity", "{e}");
        assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    }
}
