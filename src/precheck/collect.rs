//! Where the caller's policies come from: read through the seam with the same calls on every
//! backend (GetCallerIdentity, then the user's or role's inline, attached and group policies
//! and its permissions boundary), or `--as-policy`. When the reads are denied the pre-check
//! falls back to `iam:SimulatePrincipalPolicy`; when that is denied too the result is unknown.

use futures::future::{try_join, try_join_all, try_join3, try_join4};

use crate::api::*;
use crate::iam::{NamedPolicy, PolicyKind};
use crate::plan::read::all_pages;

/// The permissions that let orgchard read the caller's policies, named in the "unknown" message.
pub const READ_PERMISSIONS: &[&str] = &[
    "iam:GetUser",
    "iam:ListAttachedUserPolicies",
    "iam:ListUserPolicies",
    "iam:GetUserPolicy",
    "iam:ListGroupsForUser",
    "iam:ListAttachedGroupPolicies",
    "iam:ListGroupPolicies",
    "iam:GetGroupPolicy",
    "iam:GetRole",
    "iam:ListAttachedRolePolicies",
    "iam:ListRolePolicies",
    "iam:GetRolePolicy",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
];

/// How the caller's policies were obtained.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Source {
    /// Read through IAM.
    Read,
    /// `--as-policy FILE`.
    AsPolicy { file: String },
    /// The reads were denied; each request is asked of `iam:SimulatePrincipalPolicy`.
    Simulate { read_error: String },
    /// Neither worked: nothing can be said.
    Unknown { error: String },
    /// The caller is the account's root user, which no IAM policy governs: in the
    /// management account (where SCPs do not apply either) it may make every call.
    RootUser,
}

/// The calling principal and the policies that govern it.
#[derive(Debug, Clone)]
pub struct CallerPolicies {
    pub principal_arn: String,
    pub account: String,
    /// The ARN IAM knows the principal by (a role's ARN for an assumed-role session), for
    /// SimulatePrincipalPolicy.
    pub source_arn: String,
    pub identity: Vec<NamedPolicy>,
    pub boundary: Option<Vec<NamedPolicy>>,
    pub source: Source,
}

/// Why the caller could not even be identified.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("identifying the caller (sts:GetCallerIdentity): {0}")]
    Identity(ApiError),
    #[error("a policy of the caller is not a valid IAM policy ({id}): {error}")]
    BadPolicy {
        id: String,
        error: crate::iam::PolicyError,
    },
    #[error("reading {path}: {error}")]
    File { path: String, error: std::io::Error },
}

enum Principal {
    User { name: String },
    Role { name: String },
    Root,
}

/// `arn:aws:iam::1:user/path/name`, `arn:aws:sts::1:assumed-role/name/session` or
/// `arn:aws:iam::1:root`.
fn principal_of(arn: &str) -> Option<(Principal, String)> {
    let resource = arn.splitn(6, ':').nth(5)?;
    if resource == "root" {
        return Some((Principal::Root, arn.to_string()));
    }
    if let Some(rest) = resource.strip_prefix("user/") {
        let name = rest.rsplit('/').next()?.to_string();
        return Some((Principal::User { name }, arn.to_string()));
    }
    if let Some(rest) = resource.strip_prefix("assumed-role/") {
        let name = rest.split('/').next()?.to_string();
        let account = arn.split(':').nth(4)?;
        let partition = arn.split(':').nth(1)?;
        let source = crate::vocab::arn::role(partition, account, None, &name);
        return Some((Principal::Role { name }, source));
    }
    if let Some(rest) = resource.strip_prefix("role/") {
        let name = rest.rsplit('/').next()?.to_string();
        return Some((Principal::Role { name }, arn.to_string()));
    }
    None
}

fn parse(id: String, doc: &str) -> Result<NamedPolicy, CollectError> {
    let doc = decode_document(doc);
    NamedPolicy::parse(id.clone(), &doc, PolicyKind::Identity)
        .map_err(|error| CollectError::BadPolicy { id, error })
}

/// IAM returns documents URL-encoded; the emulator returns plain JSON.
pub(crate) fn decode_document(doc: &str) -> String {
    if doc.trim_start().starts_with('{') {
        return doc.to_string();
    }
    let mut out = Vec::new();
    let b = doc.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // Bytes, not `doc[..]`: a `%` before a multi-byte character is not an escape, and
        // slicing the text there would split the character.
        if b[i] == b'%'
            && let Some(Ok(v)) = b
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .and_then(|h| std::str::from_utf8(h).ok())
                .map(|h| u8::from_str_radix(h, 16))
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A managed policy's default version.
pub async fn managed_policy(
    api: &dyn Api,
    scope: &Scope,
    arn: &str,
) -> Result<Result<NamedPolicy, CollectError>, ApiError> {
    let p = api
        .get_policy(
            scope,
            GetPolicyInput {
                policy_arn: arn.into(),
            },
        )
        .await?;
    let v = api
        .get_policy_version(
            scope,
            GetPolicyVersionInput {
                policy_arn: arn.into(),
                version_id: p.policy.default_version_id,
            },
        )
        .await?;
    Ok(parse(arn.to_string(), &v.document))
}

/// The policies of a role in `scope`: (identity, boundary, trust document). As for a user,
/// reads that do not depend on each other go together: the role, its inline policies and its
/// attached ones at once; then every managed policy and the boundary. The attached policies
/// come first, then the inline ones, each in IAM's order.
pub async fn role_policies(
    api: &dyn Api,
    scope: &Scope,
    name: &str,
) -> Result<Result<(Vec<NamedPolicy>, Option<Vec<NamedPolicy>>, String), CollectError>, ApiError> {
    let own = Holder::Role(scope, name);
    let role = async {
        api.get_role(
            scope,
            GetRoleInput {
                role_name: name.into(),
            },
        )
        .await
        .map(|o| o.role)
    };
    let (role, inline, attached) =
        try_join3(role, own.inline_documents(api), own.attached(api)).await?;
    let (managed, boundary) =
        managed_and_boundary(api, scope, &attached, role.permissions_boundary.as_deref()).await?;
    let policies = || {
        let mut identity = managed?;
        identity.extend(parse_inline(&role.arn, inline)?);
        Ok((identity, boundary?, role.assume_role_policy_document))
    };
    Ok(policies())
}

/// Policies read, or the first that does not parse.
type Parsed<T> = Result<T, CollectError>;

/// The attached managed policies (each at its default version) and the permissions boundary,
/// read together; a document that does not parse is an error of the part it belongs to.
async fn managed_and_boundary(
    api: &dyn Api,
    scope: &Scope,
    attached: &[AttachedPolicy],
    boundary: Option<&str>,
) -> Result<(Parsed<Vec<NamedPolicy>>, Parsed<Option<Vec<NamedPolicy>>>), ApiError> {
    let boundary = async {
        match boundary {
            Some(arn) => managed_policy(api, scope, arn).await.map(Some),
            None => Ok(None),
        }
    };
    let managed = try_join_all(
        attached
            .iter()
            .map(|p| managed_policy(api, scope, &p.policy_arn)),
    );
    let (managed, boundary) = try_join(managed, boundary).await?;
    Ok((
        managed.into_iter().collect(),
        boundary.transpose().map(|b| b.map(|p| vec![p])),
    ))
}

/// A user, a group (both in the management account) or a role (in the scope given): IAM
/// reads their policies with the same three calls under different names, so one set of
/// readers serves all three.
#[derive(Debug, Clone, Copy)]
enum Holder<'a> {
    User(&'a str),
    Group(&'a str),
    Role(&'a Scope, &'a str),
}

impl<'a> Holder<'a> {
    fn scope(self) -> &'a Scope {
        match self {
            Holder::Role(scope, _) => scope,
            Holder::User(_) | Holder::Group(_) => &Scope::Management,
        }
    }

    async fn attached(self, api: &dyn Api) -> Result<Vec<AttachedPolicy>, ApiError> {
        let m = self.scope();
        all_pages(|next_token| async move {
            match self {
                Holder::User(name) => api
                    .list_attached_user_policies(
                        m,
                        ListAttachedUserPoliciesInput {
                            user_name: name.into(),
                            next_token,
                            max_results: None,
                        },
                    )
                    .await
                    .map(|o| (o.attached_policies, o.next_token)),
                Holder::Group(name) => api
                    .list_attached_group_policies(
                        m,
                        ListAttachedGroupPoliciesInput {
                            group_name: name.into(),
                            next_token,
                            max_results: None,
                        },
                    )
                    .await
                    .map(|o| (o.attached_policies, o.next_token)),
                Holder::Role(_, name) => api
                    .list_attached_role_policies(
                        m,
                        ListAttachedRolePoliciesInput {
                            role_name: name.into(),
                            next_token,
                            max_results: None,
                        },
                    )
                    .await
                    .map(|o| (o.attached_policies, o.next_token)),
            }
        })
        .await
    }

    async fn inline_names(self, api: &dyn Api) -> Result<Vec<String>, ApiError> {
        let m = self.scope();
        all_pages(|next_token| async move {
            match self {
                Holder::User(name) => api
                    .list_user_policies(
                        m,
                        ListUserPoliciesInput {
                            user_name: name.into(),
                            next_token,
                            max_results: None,
                        },
                    )
                    .await
                    .map(|o| (o.policy_names, o.next_token)),
                Holder::Group(name) => api
                    .list_group_policies(
                        m,
                        ListGroupPoliciesInput {
                            group_name: name.into(),
                            next_token,
                            max_results: None,
                        },
                    )
                    .await
                    .map(|o| (o.policy_names, o.next_token)),
                Holder::Role(_, name) => api
                    .list_role_policies(
                        m,
                        ListRolePoliciesInput {
                            role_name: name.into(),
                            next_token,
                            max_results: None,
                        },
                    )
                    .await
                    .map(|o| (o.policy_names, o.next_token)),
            }
        })
        .await
    }

    async fn inline_document(self, api: &dyn Api, policy_name: &str) -> Result<String, ApiError> {
        let m = self.scope();
        match self {
            Holder::User(name) => api
                .get_user_policy(
                    m,
                    GetUserPolicyInput {
                        user_name: name.into(),
                        policy_name: policy_name.into(),
                    },
                )
                .await
                .map(|o| o.policy_document),
            Holder::Group(name) => api
                .get_group_policy(
                    m,
                    GetGroupPolicyInput {
                        group_name: name.into(),
                        policy_name: policy_name.into(),
                    },
                )
                .await
                .map(|o| o.policy_document),
            Holder::Role(_, name) => api
                .get_role_policy(
                    m,
                    GetRolePolicyInput {
                        role_name: name.into(),
                        policy_name: policy_name.into(),
                    },
                )
                .await
                .map(|o| o.policy_document),
        }
    }

    /// Its inline policies' names and documents, the documents read together.
    async fn inline_documents(self, api: &dyn Api) -> Result<Vec<(String, String)>, ApiError> {
        let names = self.inline_names(api).await?;
        let docs = try_join_all(names.iter().map(|pn| self.inline_document(api, pn))).await?;
        Ok(names.into_iter().zip(docs).collect())
    }

    /// Its inline policies, each named `{label} inline policy NAME`, and the ARNs of its
    /// attached ones, read together.
    async fn policies(
        self,
        api: &dyn Api,
        label: &str,
    ) -> Result<Result<(Vec<NamedPolicy>, Vec<AttachedPolicy>), CollectError>, ApiError> {
        let (inline, attached) = try_join(self.inline_documents(api), self.attached(api)).await?;
        Ok(parse_inline(label, inline).map(|inline| (inline, attached)))
    }
}

/// Inline policies as `{label} inline policy NAME`, in their order.
fn parse_inline(
    label: &str,
    inline: Vec<(String, String)>,
) -> Result<Vec<NamedPolicy>, CollectError> {
    inline
        .into_iter()
        .map(|(pn, doc)| parse(format!("{label} inline policy {pn}"), &doc))
        .collect()
}

/// A user's policies: its own inline and attached ones, its groups' and its boundary. Reads
/// that do not depend on each other go together (on AWS each is a round trip, and one after
/// another they were most of the pre-check's time): the user, its inline policies, its
/// attached ones and its groups at once; then every group's; then every managed policy and
/// the boundary. The policies keep their order: the user's inline ones, the groups' inline
/// ones, then the managed ones, the user's first.
async fn user_policies(
    api: &dyn Api,
    name: &str,
) -> Result<Result<(Vec<NamedPolicy>, Option<Vec<NamedPolicy>>), CollectError>, ApiError> {
    let m = &Scope::Management;
    let own = Holder::User(name);
    let user = async {
        api.get_user(
            m,
            GetUserInput {
                user_name: Some(name.into()),
            },
        )
        .await
        .map(|o| o.user)
    };
    let groups = all_pages(|next_token| async move {
        api.list_groups_for_user(
            m,
            ListGroupsForUserInput {
                user_name: name.into(),
                next_token,
                max_results: None,
            },
        )
        .await
        .map(|o| (o.group_names, o.next_token))
    });
    let (user, inline, mut attached, groups) =
        try_join4(user, own.inline_documents(api), own.attached(api), groups).await?;
    let mut identity = match parse_inline(&user.arn, inline) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    let labels: Vec<String> = groups.iter().map(|g| format!("group {g}")).collect();
    let group_reads = try_join_all(
        groups
            .iter()
            .zip(&labels)
            .map(|(g, label)| Holder::Group(g).policies(api, label)),
    )
    .await?;
    for read in group_reads {
        match read {
            Ok((inline, more)) => {
                identity.extend(inline);
                attached.extend(more);
            }
            Err(e) => return Ok(Err(e)),
        }
    }
    let (managed, boundary) =
        managed_and_boundary(api, m, &attached, user.permissions_boundary.as_deref()).await?;
    let policies = || {
        identity.extend(managed?);
        Ok((identity, boundary?))
    };
    Ok(policies())
}

/// Identifies the caller and reads its policies. A denied read is not an error: the source
/// becomes [`Source::Simulate`], and the check asks IAM request by request.
pub async fn collect(api: &dyn Api) -> Result<CallerPolicies, CollectError> {
    let me = api
        .get_caller_identity(&Scope::Management, GetCallerIdentityInput {})
        .await
        .map_err(CollectError::Identity)?;
    let (principal, source_arn) = principal_of(&me.arn).ok_or_else(|| {
        CollectError::Identity(ApiError::new(
            Operation::GetCallerIdentity,
            "OrgchardEndpointError",
            format!("the caller {} is neither a user nor a role", me.arn),
        ))
    })?;
    let read = match &principal {
        Principal::Root => {
            return Ok(CallerPolicies {
                principal_arn: me.arn,
                account: me.account,
                source_arn,
                identity: Vec::new(),
                boundary: None,
                source: Source::RootUser,
            });
        }
        Principal::User { name } => user_policies(api, name).await,
        Principal::Role { name } => role_policies(api, &Scope::Management, name)
            .await
            .map(|r| r.map(|(i, b, _)| (i, b))),
    };
    let (identity, boundary, source) = match read {
        Ok(Ok((i, b))) => (i, b, Source::Read),
        Ok(Err(e)) => return Err(e),
        Err(e) => (
            Vec::new(),
            None,
            Source::Simulate {
                read_error: e.to_string(),
            },
        ),
    };
    Ok(CallerPolicies {
        principal_arn: me.arn,
        account: me.account,
        source_arn,
        identity,
        boundary,
        source,
    })
}

/// `--as-policy FILE`: the file's policy replaces the caller's identity policies (and any
/// boundary: the question is "would a principal with exactly this policy be allowed?").
pub fn as_policy(caller: &mut CallerPolicies, path: &std::path::Path) -> Result<(), CollectError> {
    let text = std::fs::read_to_string(path).map_err(|error| CollectError::File {
        path: path.display().to_string(),
        error,
    })?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    caller.identity = vec![parse(name.clone(), &text)?];
    caller.boundary = None;
    caller.source = Source::AsPolicy { file: name };
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn principals_from_caller_arns() {
        let (p, src) = principal_of("arn:aws:sts::111122223333:assumed-role/Deploy/ci").unwrap();
        assert!(matches!(p, Principal::Role { ref name } if name == "Deploy"));
        assert_eq!(src, "arn:aws:iam::111122223333:role/Deploy");
        let (p, _) = principal_of("arn:aws:iam::111122223333:user/team/alice").unwrap();
        assert!(matches!(p, Principal::User { ref name } if name == "alice"));
        assert!(matches!(
            principal_of("arn:aws:iam::111122223333:root"),
            Some((Principal::Root, _))
        ));
    }

    use crate::backend::ConnectOptions;
    use crate::backend::emulator::{ADMINISTRATOR_ACCESS, Emulator, InitOptions, fresh_state};

    /// An emulator whose caller has an inline policy, AdministratorAccess and a group `ops`
    /// with an inline policy and ReadOnlyAccess; each call takes `latency_ms`.
    fn caller_with_a_group(latency_ms: u64) -> Emulator {
        use crate::backend::emulator::state::PrincipalState;
        let allow = |a: &str| {
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{a}","Resource":"*"}}]}}"#
            )
        };
        let mut state = fresh_state(&InitOptions {
            caller_policies: vec![("own".into(), allow("s3:GetObject"))],
            latency_ms,
            ..InitOptions::default()
        })
        .unwrap();
        let mgmt = state.management_account_id().to_string();
        let iam = state.iam.get_mut(&mgmt).unwrap();
        let user = iam.users.get_mut("orgchard").unwrap();
        user.groups.insert("ops".into());
        user.managed_policies.insert(ADMINISTRATOR_ACCESS.into());
        let mut group = PrincipalState {
            id: "AGPAOPS".into(),
            path: "/".into(),
            ..PrincipalState::default()
        };
        group
            .inline_policies
            .insert("team".into(), allow("organizations:ListRoots"));
        group
            .managed_policies
            .insert("arn:aws:iam::aws:policy/ReadOnlyAccess".into());
        iam.groups.insert("ops".into(), group);
        Emulator::in_memory(state, &ConnectOptions::default())
    }

    #[tokio::test]
    async fn a_users_own_and_group_policies_are_all_read() {
        let api = caller_with_a_group(0);
        let caller = collect(&api).await.unwrap();
        assert_eq!(caller.source, Source::Read);
        let ids: Vec<&str> = caller.identity.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids.len(), 4, "{ids:?}");
        assert!(
            ids[0].ends_with(":user/orgchard inline policy own"),
            "{ids:?}"
        );
        assert_eq!(ids[1], "group ops inline policy team");
        assert_eq!(
            &ids[2..],
            [
                ADMINISTRATOR_ACCESS,
                "arn:aws:iam::aws:policy/ReadOnlyAccess"
            ]
        );
    }

    /// The reads that do not depend on each other go together: six round trips after the
    /// caller's identity (the user with its inline and attached policies and groups, the
    /// group's, the managed policies), where one after another they took twelve.
    #[tokio::test(start_paused = true)]
    async fn a_users_independent_reads_go_together() {
        let latency = Duration::from_millis(100);
        let api = caller_with_a_group(latency.as_millis() as u64);
        let start = tokio::time::Instant::now();
        let caller = collect(&api).await.unwrap();
        let took = start.elapsed();
        assert_eq!(caller.source, Source::Read);
        assert_eq!(caller.identity.len(), 4);
        let calls: u64 = api.stats().calls.values().map(|c| c.calls).sum();
        // GetCallerIdentity, then twelve reads.
        assert_eq!(calls, 13, "{:?}", api.stats().calls);
        assert!(took <= latency * 7, "{took:?}");
    }

    /// A role whose reads do not depend on each other go together too: the role, its inline
    /// and its attached policies at once, then the managed policies and the boundary. Two
    /// inline and two managed policies and a boundary took eleven round trips one after
    /// another; now four.
    #[tokio::test(start_paused = true)]
    async fn a_roles_independent_reads_go_together() {
        use crate::backend::emulator::state::RoleState;
        let latency = Duration::from_millis(100);
        let mut state = fresh_state(&InitOptions {
            latency_ms: latency.as_millis() as u64,
            ..InitOptions::default()
        })
        .unwrap();
        let mgmt = state.management_account_id().to_string();
        let allow = |a: &str| {
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{a}","Resource":"*"}}]}}"#
            )
        };
        let role = RoleState {
            role_id: "AROADEPLOY".into(),
            path: "/".into(),
            trust_policy: allow("sts:AssumeRole"),
            description: None,
            max_session_duration: 3600,
            permissions_boundary: Some(ADMINISTRATOR_ACCESS.into()),
            inline_policies: [
                ("a".to_string(), allow("s3:GetObject")),
                ("b".to_string(), allow("organizations:ListRoots")),
            ]
            .into(),
            managed_policies: [
                ADMINISTRATOR_ACCESS.to_string(),
                "arn:aws:iam::aws:policy/ReadOnlyAccess".to_string(),
            ]
            .into(),
            tags: Default::default(),
            created_ms: 0,
        };
        state
            .iam
            .get_mut(&mgmt)
            .unwrap()
            .roles
            .insert("deploy".into(), role);
        let api = Emulator::in_memory(state, &ConnectOptions::default());
        let start = tokio::time::Instant::now();
        let (identity, boundary, _trust) = role_policies(&api, &Scope::Management, "deploy")
            .await
            .unwrap()
            .unwrap();
        let took = start.elapsed();
        let ids: Vec<&str> = identity.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids.len(), 4, "{ids:?}");
        assert_eq!(
            &ids[..2],
            [
                ADMINISTRATOR_ACCESS,
                "arn:aws:iam::aws:policy/ReadOnlyAccess"
            ]
        );
        assert!(ids[2].ends_with(":role/deploy inline policy a"), "{ids:?}");
        assert!(ids[3].ends_with(":role/deploy inline policy b"), "{ids:?}");
        assert_eq!(boundary.map(|b| b.len()), Some(1));
        let calls: u64 = api.stats().calls.values().map(|c| c.calls).sum();
        assert_eq!(calls, 11, "{:?}", api.stats().calls);
        assert!(took <= latency * 4, "{took:?}");
    }

    #[test]
    fn url_encoded_documents_are_decoded() {
        assert_eq!(decode_document("%7B%22a%22%3A1%7D"), "{\"a\":1}");
        assert_eq!(decode_document("{\"a\":1}"), "{\"a\":1}");
    }

    #[test]
    fn a_percent_before_a_multibyte_character_is_kept_as_text() {
        // `%a` then the first byte of `é` used to be sliced out of the text, splitting `é`.
        assert_eq!(decode_document("%a\u{e9}"), "%a\u{e9}");
        assert_eq!(decode_document("%\u{e9}%41"), "%\u{e9}A");
        assert_eq!(decode_document("%+1"), "% 1");
    }
}
