//! 100,000 evaluations of realistic requests against a 10-statement identity policy and a
//! 3-level SCP chain (root, OU, account), as the pre-check and the emulator make them.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use orgchard::iam::{AuthzRequest, NamedPolicy, PolicySet, evaluate, policy::PolicyKind};

const IDENTITY: &str = r#"{"Version":"2012-10-17","Statement":[
 {"Sid":"ReadOrg","Effect":"Allow","Action":["organizations:Describe*","organizations:List*"],"Resource":"*"},
 {"Sid":"ManageOus","Effect":"Allow","Action":["organizations:CreateOrganizationalUnit","organizations:UpdateOrganizationalUnit","organizations:DeleteOrganizationalUnit"],"Resource":["arn:aws:organizations::111111111111:root/o-abc123/*","arn:aws:organizations::111111111111:ou/o-abc123/*"]},
 {"Sid":"ManagePolicies","Effect":"Allow","Action":["organizations:*Policy","organizations:*Policies"],"Resource":"*","Condition":{"StringEquals":{"organizations:PolicyType":["SERVICE_CONTROL_POLICY","TAG_POLICY"]}}},
 {"Sid":"MoveAccounts","Effect":"Allow","Action":"organizations:MoveAccount","Resource":["arn:aws:organizations::111111111111:account/o-abc123/*","arn:aws:organizations::111111111111:ou/o-abc123/*","arn:aws:organizations::111111111111:root/o-abc123/*"]},
 {"Sid":"Tagging","Effect":"Allow","Action":["organizations:TagResource","organizations:UntagResource"],"Resource":"*","Condition":{"ForAllValues:StringLike":{"aws:TagKeys":["orgchard:*","team","env"]}}},
 {"Sid":"Roles","Effect":"Allow","Action":["iam:*Role","iam:*RolePolicy","iam:*RolePolicies","iam:TagRole","iam:UntagRole"],"Resource":"arn:aws:iam::*:role/${aws:PrincipalTag/team, 'platform'}-*"},
 {"Sid":"Assume","Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/OrganizationAccountAccessRole"},
 {"Sid":"Accounts","Effect":"Allow","Action":["organizations:CreateAccount","iam:CreateServiceLinkedRole"],"Resource":"*"},
 {"Sid":"NoLeave","Effect":"Deny","Action":["organizations:LeaveOrganization","organizations:DeleteOrganization"],"Resource":"*"},
 {"Sid":"NoProtectedRoles","Effect":"Deny","Action":"iam:Delete*","Resource":"arn:aws:iam::*:role/OrganizationAccountAccessRole"}
]}"#;

const FULL: &str =
    r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
const ROOT_GUARD: &str = r#"{"Version":"2012-10-17","Statement":[
 {"Sid":"DenyLeave","Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"},
 {"Sid":"ProtectRole","Effect":"Deny","Action":["iam:*"],"Resource":"arn:aws:iam::*:role/OrganizationAccountAccessRole","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/OrganizationAccountAccessRole"}}}]}"#;
const OU_GUARD: &str = r#"{"Version":"2012-10-17","Statement":[
 {"Sid":"NoRoot","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"}}},
 {"Sid":"TagKeys","Effect":"Deny","Action":"organizations:TagResource","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["forbidden"]}}}]}"#;

fn set() -> PolicySet {
    let p = |id: &str, json: &str, kind| NamedPolicy::parse(id, json, kind).unwrap();
    PolicySet {
        identity: vec![p("orgchard-admin", IDENTITY, PolicyKind::Identity)],
        scp_chain: Some(vec![
            vec![
                p("p-FullAWSAccess", FULL, PolicyKind::Scp),
                p("root-guard", ROOT_GUARD, PolicyKind::Scp),
            ],
            vec![
                p("p-FullAWSAccess", FULL, PolicyKind::Scp),
                p("ou-guard", OU_GUARD, PolicyKind::Scp),
            ],
            vec![p("p-FullAWSAccess", FULL, PolicyKind::Scp)],
        ]),
        ..Default::default()
    }
}

fn requests() -> Vec<AuthzRequest> {
    let who = "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole";
    let r = |a: &str, res: &str| AuthzRequest::new(who, "222222222222", a, res);
    vec![
        r("organizations:ListRoots", "*"),
        r(
            "organizations:DescribeAccount",
            "arn:aws:organizations::111111111111:account/o-abc123/333333333333",
        ),
        r(
            "organizations:AttachPolicy",
            "arn:aws:organizations::111111111111:policy/o-abc123/service_control_policy/p-12345678",
        )
        .with_context("organizations:PolicyType", "SERVICE_CONTROL_POLICY"),
        r(
            "organizations:AttachPolicy",
            "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
        )
        .with_context("organizations:PolicyType", "SERVICE_CONTROL_POLICY"),
        r(
            "organizations:MoveAccount",
            "arn:aws:organizations::111111111111:ou/o-abc123/ou-ab12-cdef3456",
        ),
        r(
            "organizations:TagResource",
            "arn:aws:organizations::111111111111:ou/o-abc123/ou-ab12-cdef3456",
        )
        .with_context(
            "aws:TagKeys",
            orgchard::iam::ContextValue::list(["orgchard:address", "team"]),
        ),
        r(
            "iam:CreateRole",
            "arn:aws:iam::222222222222:role/platform-deployer",
        ),
        r(
            "iam:DeleteRole",
            "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole",
        ),
        r(
            "sts:AssumeRole",
            "arn:aws:iam::333333333333:role/OrganizationAccountAccessRole",
        ),
        r("organizations:LeaveOrganization", "*"),
    ]
}

fn bench(c: &mut Criterion) {
    let set = set();
    let reqs = requests();
    let mut group = c.benchmark_group("iam_eval");
    group.throughput(Throughput::Elements(100_000));
    group.sample_size(20);
    group.bench_function("100k_evaluations", |b| {
        b.iter(|| {
            let mut allowed = 0usize;
            for i in 0..100_000 {
                let d = evaluate(black_box(&reqs[i % reqs.len()]), black_box(&set));
                allowed += d.outcome.is_allowed() as usize;
            }
            allowed
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
