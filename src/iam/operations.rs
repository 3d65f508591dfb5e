//! Which IAM authorization requests each API operation makes: the action(s) it is checked
//! against, the ARNs of the resources it touches (built from the ARN templates of the Service
//! Authorization Reference), the condition keys it sets, and the extra actions AWS checks
//! along the way (`iam:CreateServiceLinkedRole` for `CreateAccount`, `organizations:TagResource`
//! for creates with tags, `iam:TagRole` for `CreateRole` with tags).
//!
//! Resources that do not exist yet (the account of a `CreateAccount`, the policy of a
//! `CreatePolicy`) are named with `*` in place of their id; policies that name specific ids
//! then correctly do not match them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::actions;
use super::eval::ContextValue;
use crate::api::{Operation, Request, Scope, Tag};

/// The organization's coordinates, which every Organizations ARN contains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgContext {
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
    /// `o-…`
    pub organization_id: String,
    pub management_account_id: String,
}

/// What the operation table needs to know about live resources.
pub trait ResourceInfo {
    /// The type of an Organizations policy (`SERVICE_CONTROL_POLICY`, …) by id.
    fn policy_type(&self, policy_id: &str) -> Option<String>;
    /// The tags of a resource: Organizations resources by id (`r-…`, `ou-…`, `p-…`, an account
    /// id), IAM roles by ARN.
    fn tags(&self, resource_id: &str) -> Option<BTreeMap<String, String>>;
    /// The path of a role (`/` when unknown), so that its ARN is exact.
    fn role_path(&self, _account_id: &str, _role_name: &str) -> Option<String> {
        None
    }
}

/// A `ResourceInfo` that knows nothing (no tags, no types).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoResourceInfo;

impl ResourceInfo for NoResourceInfo {
    fn policy_type(&self, _policy_id: &str) -> Option<String> {
        None
    }
    fn tags(&self, _resource_id: &str) -> Option<BTreeMap<String, String>> {
        None
    }
}

/// One authorization request an operation makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorization {
    /// `service:Action` in AWS's spelling.
    pub action: String,
    /// The ARNs checked; `*` where the action has no resource type.
    pub resources: Vec<String>,
    /// Condition keys the request carries (AWS's spelling of the key).
    pub context: BTreeMap<String, ContextValue>,
}

/// The ARN builders (in [`crate::vocab::arn`]), under the name this module's callers use.
pub use crate::vocab::arn as arns;

/// The type of AWS's own policies, known without asking.
fn aws_managed_policy_type(policy_id: &str) -> Option<&'static str> {
    crate::vocab::aws_managed_by_id(policy_id).map(|p| p.policy_type)
}

struct Builder<'a> {
    org: &'a OrgContext,
    info: &'a dyn ResourceInfo,
    /// (action, arn, context)
    out: Vec<(String, String, BTreeMap<String, ContextValue>)>,
}

/// A resource an operation touches.
enum Res<'s> {
    Star,
    Root(&'s str),
    Ou(&'s str),
    Account(&'s str),
    Policy(&'s str),
    /// A root, OU, account or policy by id.
    ById(&'s str),
    /// A not-yet-existing resource of this kind (its id is `*`).
    NewAccount,
    NewOu,
    NewPolicy(&'s str),
    Role {
        account: String,
        name: &'s str,
    },
    Arn(String),
}

impl Builder<'_> {
    fn policy_type(&self, policy_id: &str) -> Option<String> {
        aws_managed_policy_type(policy_id)
            .map(str::to_string)
            .or_else(|| self.info.policy_type(policy_id))
    }

    /// ARN and the resource's own condition keys (aws:ResourceTag/*, PolicyType).
    fn resolve(&self, res: &Res<'_>, ctx: &mut BTreeMap<String, ContextValue>) -> String {
        let o = self.org;
        let (p, m, org) = (&o.partition, &o.management_account_id, &o.organization_id);
        let tags_of = |id: &str, ctx: &mut BTreeMap<String, ContextValue>, iam_too: bool| {
            if let Some(tags) = self.info.tags(id) {
                for (k, v) in tags {
                    ctx.insert(
                        format!("aws:ResourceTag/{k}"),
                        ContextValue::string(v.clone()),
                    );
                    if iam_too {
                        ctx.insert(format!("iam:ResourceTag/{k}"), ContextValue::string(v));
                    }
                }
            }
        };
        match res {
            Res::Star => "*".to_string(),
            Res::Root(id) => {
                tags_of(id, ctx, false);
                arns::root(p, m, org, id)
            }
            Res::Ou(id) => {
                tags_of(id, ctx, false);
                arns::ou(p, m, org, id)
            }
            Res::Account(id) => {
                tags_of(id, ctx, false);
                arns::account(p, m, org, id)
            }
            Res::Policy(id) => {
                let ty = self.policy_type(id);
                if let Some(ty) = &ty {
                    ctx.insert(
                        "organizations:PolicyType".into(),
                        ContextValue::string(ty.clone()),
                    );
                }
                tags_of(id, ctx, false);
                arns::policy(p, m, org, ty.as_deref().unwrap_or("*"), id)
            }
            Res::ById(id) => {
                if id.starts_with("r-") {
                    self.resolve(&Res::Root(id), ctx)
                } else if id.starts_with("ou-") {
                    self.resolve(&Res::Ou(id), ctx)
                } else if id.starts_with("p-") {
                    self.resolve(&Res::Policy(id), ctx)
                } else {
                    self.resolve(&Res::Account(id), ctx)
                }
            }
            Res::NewAccount => arns::account(p, m, org, "*"),
            Res::NewOu => arns::ou(p, m, org, "ou-*"),
            Res::NewPolicy(ty) => {
                ctx.insert("organizations:PolicyType".into(), ContextValue::string(*ty));
                arns::policy(p, m, org, ty, "p-*")
            }
            Res::Role { account, name } => {
                let path = self.info.role_path(account, name);
                let arn = arns::role(p, account, path.as_deref(), name);
                tags_of(&arn, ctx, true);
                arn
            }
            Res::Arn(arn) => {
                if arn.contains(":iam::") && arn.contains(":role/") {
                    tags_of(arn, ctx, true);
                }
                arn.clone()
            }
        }
    }

    fn add(&mut self, action: &str, resources: &[Res<'_>], base: &BTreeMap<String, ContextValue>) {
        for r in resources {
            let mut ctx = base.clone();
            let arn = self.resolve(r, &mut ctx);
            self.out.push((action.to_string(), arn, ctx));
        }
    }

    fn finish(self) -> Vec<Authorization> {
        let mut out: Vec<Authorization> = Vec::new();
        for (action, arn, ctx) in self.out {
            if let Some(last) = out.last_mut()
                && last.action == action
                && last.context == ctx
            {
                if !last.resources.contains(&arn) {
                    last.resources.push(arn);
                }
                continue;
            }
            out.push(Authorization {
                action,
                resources: vec![arn],
                context: ctx,
            });
        }
        out
    }
}

fn tag_context(tags: &[Tag]) -> BTreeMap<String, ContextValue> {
    let mut ctx = BTreeMap::new();
    for t in tags {
        ctx.insert(
            format!("aws:RequestTag/{}", t.key),
            ContextValue::string(t.value.clone()),
        );
    }
    ctx.insert(
        "aws:TagKeys".into(),
        ContextValue::list(tags.iter().map(|t| t.key.clone())),
    );
    ctx
}

fn one(key: &str, value: impl Into<String>) -> BTreeMap<String, ContextValue> {
    BTreeMap::from([(key.to_string(), ContextValue::string(value))])
}

/// The account a call is made in.
fn scope_account(scope: &Scope, org: &OrgContext) -> String {
    match scope {
        Scope::Management => org.management_account_id.clone(),
        Scope::Account(id) => id.clone(),
    }
}

/// The authorization requests one API call makes, in the order AWS checks them.
pub fn authorizations(
    request: &Request,
    scope: &Scope,
    org: &OrgContext,
    info: &dyn ResourceInfo,
) -> Vec<Authorization> {
    let op = request.operation();
    let action = op.action();
    let mut b = Builder {
        org,
        info,
        out: Vec::new(),
    };
    let none = BTreeMap::new();
    let acct = scope_account(scope, org);
    let role = |name| role_res(&acct, name);
    use Request as R;
    match request {
        R::DescribeOrganization(_)
        | R::ListRoots(_)
        | R::ListAccounts(_)
        | R::ListAwsServiceAccessForOrganization(_)
        | R::ListCreateAccountStatus(_)
        | R::DescribeCreateAccountStatus(_)
        | R::ListRoles(_)
        | R::GetCallerIdentity(_) => b.add(&action, &[Res::Star], &none),
        R::CreateOrganization(_) => {
            b.add(&action, &[Res::Star], &none);
            service_linked_role(&mut b, &acct);
        }
        R::ListOrganizationalUnitsForParent(i) => b.add(&action, &[Res::ById(&i.parent_id)], &none),
        R::ListAccountsForParent(i) => b.add(&action, &[Res::ById(&i.parent_id)], &none),
        R::DescribeAccount(i) => b.add(&action, &[Res::Account(&i.account_id)], &none),
        R::ListParents(i) => b.add(&action, &[Res::ById(&i.child_id)], &none),
        R::ListPolicies(i) => b.add(
            &action,
            &[Res::Star],
            &one("organizations:PolicyType", &i.filter),
        ),
        R::DescribePolicy(i) => b.add(&action, &[Res::Policy(&i.policy_id)], &none),
        R::ListTargetsForPolicy(i) => b.add(&action, &[Res::Policy(&i.policy_id)], &none),
        R::ListPoliciesForTarget(i) => b.add(
            &action,
            &[Res::ById(&i.target_id)],
            &one("organizations:PolicyType", &i.filter),
        ),
        R::ListTagsForResource(i) => b.add(&action, &[Res::ById(&i.resource_id)], &none),
        R::ListDelegatedAdministrators(i) => {
            let ctx = i
                .service_principal
                .as_ref()
                .map(|s| one("organizations:ServicePrincipal", s))
                .unwrap_or_default();
            b.add(&action, &[Res::Star], &ctx)
        }
        R::ListDelegatedServicesForAccount(i) => {
            b.add(&action, &[Res::Account(&i.account_id)], &none)
        }
        R::CreateOrganizationalUnit(i) => {
            let ctx = if i.tags.is_empty() {
                none.clone()
            } else {
                tag_context(&i.tags)
            };
            b.add(&action, &[Res::ById(&i.parent_id)], &ctx);
            if !i.tags.is_empty() {
                b.add(
                    "organizations:TagResource",
                    &[Res::NewOu],
                    &tag_context(&i.tags),
                );
            }
        }
        R::UpdateOrganizationalUnit(i) => {
            b.add(&action, &[Res::Ou(&i.organizational_unit_id)], &none)
        }
        R::DeleteOrganizationalUnit(i) => {
            b.add(&action, &[Res::Ou(&i.organizational_unit_id)], &none)
        }
        R::CreateAccount(i) => {
            let ctx = if i.tags.is_empty() {
                none.clone()
            } else {
                tag_context(&i.tags)
            };
            b.add(&action, &[Res::Star], &ctx);
            service_linked_role(&mut b, &org.management_account_id);
            if !i.tags.is_empty() {
                b.add(
                    "organizations:TagResource",
                    &[Res::NewAccount],
                    &tag_context(&i.tags),
                );
            }
        }
        R::MoveAccount(i) => b.add(
            &action,
            &[
                Res::Account(&i.account_id),
                Res::ById(&i.source_parent_id),
                Res::ById(&i.destination_parent_id),
            ],
            &none,
        ),
        R::CloseAccount(i) => b.add(&action, &[Res::Account(&i.account_id)], &none),
        R::RemoveAccountFromOrganization(i) => {
            b.add(&action, &[Res::Account(&i.account_id)], &none)
        }
        R::CreatePolicy(i) => {
            let ctx = if i.tags.is_empty() {
                none.clone()
            } else {
                tag_context(&i.tags)
            };
            b.add(&action, &[Res::NewPolicy(&i.r#type)], &ctx);
            if !i.tags.is_empty() {
                b.add(
                    "organizations:TagResource",
                    &[Res::NewPolicy(&i.r#type)],
                    &tag_context(&i.tags),
                );
            }
        }
        R::UpdatePolicy(i) => b.add(&action, &[Res::Policy(&i.policy_id)], &none),
        R::DeletePolicy(i) => b.add(&action, &[Res::Policy(&i.policy_id)], &none),
        R::AttachPolicy(crate::api::AttachPolicyInput {
            policy_id,
            target_id,
        })
        | R::DetachPolicy(crate::api::DetachPolicyInput {
            policy_id,
            target_id,
        }) => {
            // The policy type applies to the whole call, target included.
            let mut ctx = BTreeMap::new();
            if let Some(ty) = b.policy_type(policy_id) {
                ctx.insert(
                    "organizations:PolicyType".to_string(),
                    ContextValue::string(ty),
                );
            }
            b.add(
                &action,
                &[Res::Policy(policy_id), Res::ById(target_id)],
                &ctx,
            )
        }
        R::EnablePolicyType(i) => b.add(
            &action,
            &[Res::Root(&i.root_id)],
            &one("organizations:PolicyType", &i.policy_type),
        ),
        R::DisablePolicyType(i) => b.add(
            &action,
            &[Res::Root(&i.root_id)],
            &one("organizations:PolicyType", &i.policy_type),
        ),
        R::EnableAwsServiceAccess(i) => b.add(
            &action,
            &[Res::Star],
            &one("organizations:ServicePrincipal", &i.service_principal),
        ),
        R::DisableAwsServiceAccess(i) => b.add(
            &action,
            &[Res::Star],
            &one("organizations:ServicePrincipal", &i.service_principal),
        ),
        R::RegisterDelegatedAdministrator(i) => b.add(
            &action,
            &[Res::Account(&i.account_id)],
            &one("organizations:ServicePrincipal", &i.service_principal),
        ),
        R::DeregisterDelegatedAdministrator(i) => b.add(
            &action,
            &[Res::Account(&i.account_id)],
            &one("organizations:ServicePrincipal", &i.service_principal),
        ),
        R::TagResource(i) => b.add(&action, &[Res::ById(&i.resource_id)], &tag_context(&i.tags)),
        R::UntagResource(i) => b.add(
            &action,
            &[Res::ById(&i.resource_id)],
            &BTreeMap::from([(
                "aws:TagKeys".to_string(),
                ContextValue::list(i.tag_keys.clone()),
            )]),
        ),
        R::PutAccountName(i) => {
            // The Account service is not in the reference tables; its ARNs are
            // `arn:P:account::<mgmt>:account/o-…/<id>` for a member and
            // `arn:P:account::<id>:account` for the caller's own account.
            let arn = match &i.account_id {
                Some(id) => arns::account_service_member(
                    &org.partition,
                    &org.management_account_id,
                    &org.organization_id,
                    id,
                ),
                None => arns::account_service(&org.partition, &acct),
            };
            b.add(&action, &[Res::Arn(arn)], &none)
        }
        R::GetRole(i) => b.add(&action, &[role(&i.role_name)], &none),
        R::CreateRole(i) => {
            let mut ctx = if i.tags.is_empty() {
                BTreeMap::new()
            } else {
                tag_context(&i.tags)
            };
            if let Some(pb) = &i.permissions_boundary {
                ctx.insert(
                    "iam:PermissionsBoundary".into(),
                    ContextValue::string(pb.clone()),
                );
            }
            let arn = arns::role(&org.partition, &acct, i.path.as_deref(), &i.role_name);
            b.add(&action, &[Res::Arn(arn.clone())], &ctx);
            if !i.tags.is_empty() {
                b.add("iam:TagRole", &[Res::Arn(arn)], &tag_context(&i.tags));
            }
        }
        R::UpdateRole(i) => b.add(&action, &[role(&i.role_name)], &none),
        R::UpdateAssumeRolePolicy(i) => b.add(&action, &[role(&i.role_name)], &none),
        R::DeleteRole(i) => b.add(&action, &[role(&i.role_name)], &none),
        R::ListAttachedRolePolicies(i) => b.add(&action, &[role(&i.role_name)], &none),
        R::AttachRolePolicy(i) => b.add(
            &action,
            &[role(&i.role_name)],
            &one("iam:PolicyARN", &i.policy_arn),
        ),
        R::DetachRolePolicy(i) => b.add(
            &action,
            &[role(&i.role_name)],
            &one("iam:PolicyARN", &i.policy_arn),
        ),
        R::ListRolePolicies(i) => b.add(&action, &[role(&i.role_name)], &none),
        R::GetRolePolicy(i) => b.add(&action, &[role(&i.role_name)], &none),
        R::PutRolePolicy(i) => b.add(&action, &[role(&i.role_name)], &none),
        R::DeleteRolePolicy(i) => b.add(&action, &[role(&i.role_name)], &none),
        R::ListRoleTags(i) => b.add(&action, &[role(&i.role_name)], &none),
        R::TagRole(i) => b.add(&action, &[role(&i.role_name)], &tag_context(&i.tags)),
        R::UntagRole(i) => b.add(
            &action,
            &[role(&i.role_name)],
            &BTreeMap::from([(
                "aws:TagKeys".to_string(),
                ContextValue::list(i.tag_keys.clone()),
            )]),
        ),
        R::GetUser(i) => {
            // Without a name GetUser asks about the caller, whose ARN only the caller knows.
            let res = match &i.user_name {
                Some(n) => Res::Arn(arns::user(&org.partition, &acct, n)),
                None => Res::Star,
            };
            b.add(&action, &[res], &none)
        }
        R::ListAttachedUserPolicies(i) => b.add(
            &action,
            &[Res::Arn(arns::user(&org.partition, &acct, &i.user_name))],
            &none,
        ),
        R::ListUserPolicies(i) => b.add(
            &action,
            &[Res::Arn(arns::user(&org.partition, &acct, &i.user_name))],
            &none,
        ),
        R::GetUserPolicy(i) => b.add(
            &action,
            &[Res::Arn(arns::user(&org.partition, &acct, &i.user_name))],
            &none,
        ),
        R::ListGroupsForUser(i) => b.add(
            &action,
            &[Res::Arn(arns::user(&org.partition, &acct, &i.user_name))],
            &none,
        ),
        R::ListAttachedGroupPolicies(i) => b.add(
            &action,
            &[Res::Arn(arns::group(&org.partition, &acct, &i.group_name))],
            &none,
        ),
        R::ListGroupPolicies(i) => b.add(
            &action,
            &[Res::Arn(arns::group(&org.partition, &acct, &i.group_name))],
            &none,
        ),
        R::GetGroupPolicy(i) => b.add(
            &action,
            &[Res::Arn(arns::group(&org.partition, &acct, &i.group_name))],
            &none,
        ),
        R::GetPolicy(i) => b.add(&action, &[Res::Arn(i.policy_arn.clone())], &none),
        R::GetPolicyVersion(i) => b.add(&action, &[Res::Arn(i.policy_arn.clone())], &none),
        R::SimulatePrincipalPolicy(i) => {
            b.add(&action, &[Res::Arn(i.policy_source_arn.clone())], &none)
        }
        R::AssumeRole(i) => b.add(
            &action,
            &[Res::Arn(i.role_arn.clone())],
            &one("sts:RoleSessionName", &i.role_session_name),
        ),
    }
    debug_assert!(b.out.iter().all(|(a, _, _)| !a.is_empty()), "{op:?}");
    b.finish()
}

fn role_res<'s>(account: &str, name: &'s str) -> Res<'s> {
    Res::Role {
        account: account.to_string(),
        name,
    }
}

/// Organizations creates (and, for CreateAccount, checks it may create) its service-linked
/// role in the management account.
fn service_linked_role(b: &mut Builder<'_>, account: &str) {
    let arn = arns::role(
        &b.org.partition,
        account,
        Some("/aws-service-role/organizations.amazonaws.com/"),
        "AWSServiceRoleForOrganizations",
    );
    b.add(
        "iam:CreateServiceLinkedRole",
        &[Res::Arn(arn)],
        &one("iam:AWSServiceName", "organizations.amazonaws.com"),
    );
}

/// Every action [`authorizations`] can name for an operation (for tests and docs).
pub fn actions_of(op: Operation) -> Vec<String> {
    let mut out = vec![op.action()];
    match op {
        Operation::CreateAccount => {
            out.push("iam:CreateServiceLinkedRole".into());
            out.push("organizations:TagResource".into());
        }
        Operation::CreateOrganization => out.push("iam:CreateServiceLinkedRole".into()),
        Operation::CreateOrganizationalUnit | Operation::CreatePolicy => {
            out.push("organizations:TagResource".into())
        }
        Operation::CreateRole => out.push("iam:TagRole".into()),
        _ => {}
    }
    out
}

/// Whether an action is one the reference tables describe (all but the Account service's).
pub fn action_in_reference(action: &str) -> bool {
    actions::action(action).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{AttachPolicyInput, CreateAccountInput, MoveAccountInput};

    fn org() -> OrgContext {
        OrgContext {
            partition: "aws".into(),
            organization_id: "o-abc123".into(),
            management_account_id: "111111111111".into(),
        }
    }

    struct Info;
    impl ResourceInfo for Info {
        fn policy_type(&self, policy_id: &str) -> Option<String> {
            (policy_id == "p-12345678").then(|| "SERVICE_CONTROL_POLICY".to_string())
        }
        fn tags(&self, resource_id: &str) -> Option<BTreeMap<String, String>> {
            (resource_id == "ou-ab12-cdef3456")
                .then(|| BTreeMap::from([("tier".to_string(), "prod".to_string())]))
        }
    }

    /// The ARN builders agree with the templates of the Service Authorization Reference.
    #[test]
    fn arn_builders_follow_the_reference_templates() {
        fn fill(service: &str, resource_type: &str, values: &[(&str, &str)]) -> String {
            let mut arn = actions::arn_template(service, resource_type)
                .expect("template")
                .to_string();
            for (placeholder, value) in values {
                arn = arn.replace(placeholder, value);
            }
            arn
        }
        let (p, m, o) = ("aws", "111111111111", "o-abc123");
        let base = [
            ("${Partition}", p),
            ("${Account}", m),
            ("o-${OrganizationId}", o),
        ];
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut v = base.to_vec();
            v.extend_from_slice(extra);
            v
        };
        assert_eq!(
            arns::organization(p, m, o),
            fill("organizations", "organization", &base)
        );
        assert_eq!(
            arns::root(p, m, o, "r-ab12"),
            fill("organizations", "root", &with(&[("r-${RootId}", "r-ab12")]))
        );
        assert_eq!(
            arns::ou(p, m, o, "ou-ab12-cdef3456"),
            fill(
                "organizations",
                "organizationalunit",
                &with(&[("ou-${OrganizationalUnitId}", "ou-ab12-cdef3456")])
            )
        );
        assert_eq!(
            arns::account(p, m, o, "222222222222"),
            fill(
                "organizations",
                "account",
                &with(&[("${AccountId}", "222222222222")])
            )
        );
        assert_eq!(
            arns::policy(p, m, o, "TAG_POLICY", "p-12345678"),
            fill(
                "organizations",
                "policy",
                &with(&[
                    ("${PolicyType}", "tag_policy"),
                    ("p-${PolicyId}", "p-12345678")
                ])
            )
        );
        assert_eq!(
            arns::policy(p, m, o, "SERVICE_CONTROL_POLICY", "p-FullAWSAccess"),
            fill(
                "organizations",
                "awspolicy",
                &[
                    ("${Partition}", p),
                    ("${PolicyType}", "service_control_policy"),
                    ("p-${PolicyId}", "p-FullAWSAccess")
                ]
            )
        );
        assert_eq!(
            arns::role(p, m, Some("/team/"), "deploy"),
            fill(
                "iam",
                "role",
                &[
                    ("${Partition}", p),
                    ("${Account}", m),
                    ("${RoleNameWithPath}", "team/deploy")
                ]
            )
        );
        assert_eq!(
            arns::user(p, m, "alice"),
            fill(
                "iam",
                "user",
                &[
                    ("${Partition}", p),
                    ("${Account}", m),
                    ("${UserNameWithPath}", "alice")
                ]
            )
        );
        assert_eq!(
            arns::group(p, m, "ops"),
            fill(
                "iam",
                "group",
                &[
                    ("${Partition}", p),
                    ("${Account}", m),
                    ("${GroupNameWithPath}", "ops")
                ]
            )
        );
    }

    /// One request per operation; the match is exhaustive, so a new operation fails to
    /// compile here until it has an entry.
    fn sample(op: Operation) -> Request {
        match op {
            Operation::DescribeOrganization => Request::DescribeOrganization(Default::default()),
            Operation::CreateOrganization => Request::CreateOrganization(Default::default()),
            Operation::ListRoots => Request::ListRoots(Default::default()),
            Operation::ListOrganizationalUnitsForParent => {
                Request::ListOrganizationalUnitsForParent(Default::default())
            }
            Operation::ListAccountsForParent => Request::ListAccountsForParent(Default::default()),
            Operation::ListAccounts => Request::ListAccounts(Default::default()),
            Operation::DescribeAccount => Request::DescribeAccount(Default::default()),
            Operation::ListParents => Request::ListParents(Default::default()),
            Operation::ListPolicies => Request::ListPolicies(Default::default()),
            Operation::DescribePolicy => Request::DescribePolicy(Default::default()),
            Operation::ListTargetsForPolicy => Request::ListTargetsForPolicy(Default::default()),
            Operation::ListPoliciesForTarget => Request::ListPoliciesForTarget(Default::default()),
            Operation::ListTagsForResource => Request::ListTagsForResource(Default::default()),
            Operation::ListAwsServiceAccessForOrganization => {
                Request::ListAwsServiceAccessForOrganization(Default::default())
            }
            Operation::ListDelegatedAdministrators => {
                Request::ListDelegatedAdministrators(Default::default())
            }
            Operation::ListDelegatedServicesForAccount => {
                Request::ListDelegatedServicesForAccount(Default::default())
            }
            Operation::ListCreateAccountStatus => {
                Request::ListCreateAccountStatus(Default::default())
            }
            Operation::DescribeCreateAccountStatus => {
                Request::DescribeCreateAccountStatus(Default::default())
            }
            Operation::CreateOrganizationalUnit => {
                Request::CreateOrganizationalUnit(Default::default())
            }
            Operation::UpdateOrganizationalUnit => {
                Request::UpdateOrganizationalUnit(Default::default())
            }
            Operation::DeleteOrganizationalUnit => {
                Request::DeleteOrganizationalUnit(Default::default())
            }
            Operation::CreateAccount => Request::CreateAccount(Default::default()),
            Operation::MoveAccount => Request::MoveAccount(Default::default()),
            Operation::CloseAccount => Request::CloseAccount(Default::default()),
            Operation::RemoveAccountFromOrganization => {
                Request::RemoveAccountFromOrganization(Default::default())
            }
            Operation::CreatePolicy => Request::CreatePolicy(Default::default()),
            Operation::UpdatePolicy => Request::UpdatePolicy(Default::default()),
            Operation::DeletePolicy => Request::DeletePolicy(Default::default()),
            Operation::AttachPolicy => Request::AttachPolicy(Default::default()),
            Operation::DetachPolicy => Request::DetachPolicy(Default::default()),
            Operation::EnablePolicyType => Request::EnablePolicyType(Default::default()),
            Operation::DisablePolicyType => Request::DisablePolicyType(Default::default()),
            Operation::EnableAwsServiceAccess => {
                Request::EnableAwsServiceAccess(Default::default())
            }
            Operation::DisableAwsServiceAccess => {
                Request::DisableAwsServiceAccess(Default::default())
            }
            Operation::RegisterDelegatedAdministrator => {
                Request::RegisterDelegatedAdministrator(Default::default())
            }
            Operation::DeregisterDelegatedAdministrator => {
                Request::DeregisterDelegatedAdministrator(Default::default())
            }
            Operation::TagResource => Request::TagResource(Default::default()),
            Operation::UntagResource => Request::UntagResource(Default::default()),
            Operation::PutAccountName => Request::PutAccountName(Default::default()),
            Operation::GetRole => Request::GetRole(Default::default()),
            Operation::ListRoles => Request::ListRoles(Default::default()),
            Operation::CreateRole => Request::CreateRole(Default::default()),
            Operation::UpdateRole => Request::UpdateRole(Default::default()),
            Operation::UpdateAssumeRolePolicy => {
                Request::UpdateAssumeRolePolicy(Default::default())
            }
            Operation::DeleteRole => Request::DeleteRole(Default::default()),
            Operation::ListAttachedRolePolicies => {
                Request::ListAttachedRolePolicies(Default::default())
            }
            Operation::AttachRolePolicy => Request::AttachRolePolicy(Default::default()),
            Operation::DetachRolePolicy => Request::DetachRolePolicy(Default::default()),
            Operation::ListRolePolicies => Request::ListRolePolicies(Default::default()),
            Operation::GetRolePolicy => Request::GetRolePolicy(Default::default()),
            Operation::PutRolePolicy => Request::PutRolePolicy(Default::default()),
            Operation::DeleteRolePolicy => Request::DeleteRolePolicy(Default::default()),
            Operation::ListRoleTags => Request::ListRoleTags(Default::default()),
            Operation::TagRole => Request::TagRole(Default::default()),
            Operation::UntagRole => Request::UntagRole(Default::default()),
            Operation::GetUser => Request::GetUser(Default::default()),
            Operation::ListAttachedUserPolicies => {
                Request::ListAttachedUserPolicies(Default::default())
            }
            Operation::ListUserPolicies => Request::ListUserPolicies(Default::default()),
            Operation::GetUserPolicy => Request::GetUserPolicy(Default::default()),
            Operation::ListGroupsForUser => Request::ListGroupsForUser(Default::default()),
            Operation::ListAttachedGroupPolicies => {
                Request::ListAttachedGroupPolicies(Default::default())
            }
            Operation::ListGroupPolicies => Request::ListGroupPolicies(Default::default()),
            Operation::GetGroupPolicy => Request::GetGroupPolicy(Default::default()),
            Operation::GetPolicy => Request::GetPolicy(Default::default()),
            Operation::GetPolicyVersion => Request::GetPolicyVersion(Default::default()),
            Operation::SimulatePrincipalPolicy => {
                Request::SimulatePrincipalPolicy(Default::default())
            }
            Operation::GetCallerIdentity => Request::GetCallerIdentity(Default::default()),
            Operation::AssumeRole => Request::AssumeRole(Default::default()),
        }
    }

    #[test]
    fn every_operation_has_an_entry_naming_known_actions() {
        for &op in Operation::ALL {
            let auths = authorizations(&sample(op), &Scope::Management, &org(), &NoResourceInfo);
            assert!(!auths.is_empty(), "{op}");
            assert_eq!(auths[0].action, op.action(), "{op}");
            for a in &auths {
                assert!(actions_of(op).contains(&a.action), "{op}: {}", a.action);
                assert!(!a.resources.is_empty());
                for r in &a.resources {
                    // Empty only where the (default) request itself carries the ARN.
                    assert!(
                        r == "*" || r.starts_with("arn:aws:") || r.is_empty(),
                        "{op}: {r}"
                    );
                    assert!(!r.contains("${"), "{op}: {r}");
                }
            }
        }
    }

    #[test]
    fn every_named_action_exists_in_the_reference() {
        for &op in Operation::ALL {
            for action in actions_of(op) {
                if action.starts_with("account:") {
                    // The Account service is not part of the reference tables.
                    continue;
                }
                assert!(
                    action_in_reference(&action),
                    "{action} is not in the reference data"
                );
            }
        }
    }

    #[test]
    fn attach_policy_checks_policy_and_target() {
        let req = Request::AttachPolicy(AttachPolicyInput {
            policy_id: "p-12345678".into(),
            target_id: "ou-ab12-cdef3456".into(),
        });
        let auths = authorizations(&req, &Scope::Management, &org(), &Info);
        let resources: Vec<&str> = auths
            .iter()
            .flat_map(|a| a.resources.iter().map(String::as_str))
            .collect();
        assert_eq!(
            resources,
            [
                "arn:aws:organizations::111111111111:policy/o-abc123/service_control_policy/p-12345678",
                "arn:aws:organizations::111111111111:ou/o-abc123/ou-ab12-cdef3456",
            ]
        );
        for a in &auths {
            assert_eq!(a.action, "organizations:AttachPolicy");
            assert_eq!(
                a.context.get("organizations:PolicyType"),
                Some(&ContextValue::string("SERVICE_CONTROL_POLICY"))
            );
        }
        // The OU's tags reach the OU's request only.
        let ou = auths
            .iter()
            .find(|a| a.resources[0].contains(":ou/"))
            .unwrap();
        assert_eq!(
            ou.context.get("aws:ResourceTag/tier"),
            Some(&ContextValue::string("prod"))
        );
    }

    #[test]
    fn aws_managed_policies_live_under_account_aws() {
        let req = Request::DetachPolicy(crate::api::DetachPolicyInput {
            policy_id: "p-FullAWSAccess".into(),
            target_id: "r-ab12".into(),
        });
        let auths = authorizations(&req, &Scope::Management, &org(), &NoResourceInfo);
        assert_eq!(
            auths[0].resources,
            [
                "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
                "arn:aws:organizations::111111111111:root/o-abc123/r-ab12",
            ]
        );
    }

    #[test]
    fn move_account_checks_account_and_both_parents() {
        let req = Request::MoveAccount(MoveAccountInput {
            account_id: "222222222222".into(),
            source_parent_id: "r-ab12".into(),
            destination_parent_id: "ou-ab12-cdef3456".into(),
        });
        let auths = authorizations(&req, &Scope::Management, &org(), &NoResourceInfo);
        assert_eq!(auths.len(), 1);
        assert_eq!(
            auths[0].resources,
            [
                "arn:aws:organizations::111111111111:account/o-abc123/222222222222",
                "arn:aws:organizations::111111111111:root/o-abc123/r-ab12",
                "arn:aws:organizations::111111111111:ou/o-abc123/ou-ab12-cdef3456",
            ]
        );
    }

    #[test]
    fn create_account_with_tags_needs_extra_actions() {
        let req = Request::CreateAccount(CreateAccountInput {
            email: "a@example.com".into(),
            account_name: "A".into(),
            tags: vec![Tag {
                key: "team".into(),
                value: "x".into(),
            }],
            ..Default::default()
        });
        let auths = authorizations(&req, &Scope::Management, &org(), &NoResourceInfo);
        let actions: Vec<&str> = auths.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "organizations:CreateAccount",
                "iam:CreateServiceLinkedRole",
                "organizations:TagResource"
            ]
        );
        assert_eq!(auths[0].resources, ["*"]);
        assert_eq!(
            auths[0].context.get("aws:TagKeys"),
            Some(&ContextValue::list(["team"]))
        );
        assert_eq!(
            auths[0].context.get("aws:RequestTag/team"),
            Some(&ContextValue::string("x"))
        );
        assert_eq!(
            auths[1].resources,
            [
                "arn:aws:iam::111111111111:role/aws-service-role/organizations.amazonaws.com/AWSServiceRoleForOrganizations"
            ]
        );
    }

    #[test]
    fn iam_calls_in_member_accounts_use_that_account() {
        let req = Request::CreateRole(crate::api::CreateRoleInput {
            role_name: "Auditor".into(),
            path: Some("/team/".into()),
            tags: vec![Tag {
                key: "k".into(),
                value: "v".into(),
            }],
            ..Default::default()
        });
        let auths = authorizations(
            &req,
            &Scope::Account("222222222222".into()),
            &org(),
            &NoResourceInfo,
        );
        assert_eq!(
            auths[0].resources,
            ["arn:aws:iam::222222222222:role/team/Auditor"]
        );
        assert_eq!(auths[1].action, "iam:TagRole");
    }
}
