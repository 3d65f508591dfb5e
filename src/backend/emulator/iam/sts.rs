//! STS: who the caller is (GetCallerIdentity), and assuming a role in a member account, which
//! the role's trust policy must allow.

use super::*;

impl Core {
    pub(super) fn get_caller_identity(
        &self,
        op: Operation,
        scope: &Scope,
        account: String,
    ) -> Outcome {
        let (arn, user_id) = match scope {
            Scope::Management => {
                let name = &self.state.caller.user_name;
                let u = self.principal(op, &account, false, name)?;
                (
                    vocab::arn::user_with_path("aws", &account, Some(&u.path), name),
                    u.id.clone(),
                )
            }
            Scope::Account(id) => {
                let role = self.member_role.clone();
                let r = self.role(op, id, &role)?;
                (
                    vocab::arn::assumed_role("aws", id, &role, "orgchard"),
                    format!("{}:orgchard", r.role_id),
                )
            }
        };
        read(Response::GetCallerIdentity(GetCallerIdentityOutput {
            account,
            arn,
            user_id,
        }))
    }

    pub(super) fn assume_role(
        &self,
        op: Operation,
        scope: &Scope,
        i: &AssumeRoleInput,
        now: u64,
    ) -> Outcome {
        let denied = || {
            err(
                op,
                "AccessDenied",
                format!(
                    "User: {} is not authorized to perform: sts:AssumeRole on resource: {}",
                    self.caller_arn(scope),
                    i.role_arn
                ),
            )
        };
        let (account, name) = vocab::arn::parse_role("aws", &i.role_arn).ok_or_else(|| {
            err(
                op,
                "ValidationError",
                format!("{:?} is not a role ARN.", i.role_arn),
            )
        })?;
        if i.role_session_name.is_empty() || i.role_session_name.len() > 64 {
            return Err(err(
                op,
                "ValidationError",
                "RoleSessionName must be 2 to 64 characters.",
            ));
        }
        let role = self
            .state
            .iam
            .get(account)
            .and_then(|iam| iam.roles.get(name))
            .ok_or_else(denied)?;
        let duration = i.duration_seconds.unwrap_or(3600);
        if duration < 900 || duration > role.max_session_duration {
            return Err(err(
                op,
                "ValidationError",
                format!(
                    "DurationSeconds must be from 900 to the role's MaxSessionDuration ({}).",
                    role.max_session_duration
                ),
            ));
        }
        if !self.trust_allows(scope, &i.role_arn, &role.trust_policy) {
            return Err(denied());
        }
        let (access_key_id, secret_access_key, session_token) = super::super::session_credentials(
            &self.state.organization.id,
            &role.role_id,
            &i.role_session_name,
        );
        Ok((
            Response::AssumeRole(AssumeRoleOutput {
                credentials: Credentials {
                    access_key_id,
                    secret_access_key,
                    session_token,
                    expiration: self.ts(now + duration as u64 * 1000),
                },
                assumed_role_arn: vocab::arn::assumed_role(
                    "aws",
                    account,
                    name,
                    &i.role_session_name,
                ),
            }),
            false,
        ))
    }
}
