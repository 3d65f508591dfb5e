//! AWS services' integration with the organization: trusted access (EnableAWSServiceAccess)
//! and delegated administrators.

use super::*;

impl Core {
    pub(super) fn list_aws_service_access_for_organization(
        &self,
        op: Operation,
        i: ListAwsServiceAccessForOrganizationInput,
    ) -> Outcome {
        let s = &self.state;
        let all: Vec<_> = s
            .service_access
            .iter()
            .map(|(p, ms)| EnabledServicePrincipal {
                service_principal: p.clone(),
                date_enabled: self.ts(*ms),
            })
            .collect();
        let (enabled_service_principals, next_token) =
            paginate(op, all, i.next_token.as_deref(), i.max_results, ORG_PAGE)?;
        read(Response::ListAwsServiceAccessForOrganization(
            ListAwsServiceAccessForOrganizationOutput {
                enabled_service_principals,
                next_token,
            },
        ))
    }

    pub(super) fn enable_aws_service_access(
        &mut self,
        op: Operation,
        i: EnableAwsServiceAccessInput,
        now: u64,
    ) -> Outcome {
        let s = &self.state;
        check_principal(op, &i.service_principal)?;
        let changed = !s.service_access.contains_key(&i.service_principal);
        self.state
            .service_access
            .entry(i.service_principal)
            .or_insert(now);
        Ok((Response::EnableAwsServiceAccess(Empty {}), changed))
    }

    pub(super) fn disable_aws_service_access(
        &mut self,
        op: Operation,
        i: DisableAwsServiceAccessInput,
    ) -> Outcome {
        check_principal(op, &i.service_principal)?;
        let changed = self
            .state
            .service_access
            .remove(&i.service_principal)
            .is_some();
        Ok((Response::DisableAwsServiceAccess(Empty {}), changed))
    }

    pub(super) fn list_delegated_administrators(
        &self,
        op: Operation,
        i: ListDelegatedAdministratorsInput,
    ) -> Outcome {
        let s = &self.state;
        let all: Vec<_> = s
            .delegated_admins
            .iter()
            .filter_map(|(acct, services)| {
                let dates: Vec<u64> = services
                    .iter()
                    .filter(|(sp, _)| i.service_principal.as_ref().is_none_or(|f| f == *sp))
                    .map(|(_, ms)| *ms)
                    .collect();
                let first = dates.into_iter().min()?;
                let a = self.account_out(acct);
                Some(DelegatedAdministrator {
                    id: a.id,
                    arn: a.arn,
                    email: a.email,
                    name: a.name,
                    state: a.state,
                    joined_method: a.joined_method,
                    delegation_enabled_date: self.ts(first),
                })
            })
            .collect();
        let (delegated_administrators, next_token) =
            paginate(op, all, i.next_token.as_deref(), i.max_results, ORG_PAGE)?;
        read(Response::ListDelegatedAdministrators(
            ListDelegatedAdministratorsOutput {
                delegated_administrators,
                next_token,
            },
        ))
    }

    pub(super) fn list_delegated_services_for_account(
        &self,
        op: Operation,
        i: ListDelegatedServicesForAccountInput,
    ) -> Outcome {
        let s = &self.state;
        self.account_exists(op, &i.account_id)?;
        let services = s.delegated_admins.get(&i.account_id).ok_or_else(|| {
            err(
                op,
                "AccountNotRegisteredException",
                "The specified account is not a delegated administrator for this AWS service.",
            )
        })?;
        let all: Vec<_> = services
            .iter()
            .map(|(sp, ms)| DelegatedService {
                service_principal: sp.clone(),
                delegation_enabled_date: self.ts(*ms),
            })
            .collect();
        let (delegated_services, next_token) =
            paginate(op, all, i.next_token.as_deref(), i.max_results, ORG_PAGE)?;
        read(Response::ListDelegatedServicesForAccount(
            ListDelegatedServicesForAccountOutput {
                delegated_services,
                next_token,
            },
        ))
    }

    pub(super) fn register_delegated_administrator(
        &mut self,
        op: Operation,
        i: RegisterDelegatedAdministratorInput,
        now: u64,
    ) -> Outcome {
        let s = &self.state;
        self.account_exists(op, &i.account_id)?;
        check_principal(op, &i.service_principal)?;
        if i.account_id == s.management_account_id() {
            return Err(cv(
                op,
                "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
                "You can't register the management account of your organization as a delegated administrator for an AWS service integrated with Organizations.",
            ));
        }
        if !s.accounts[&i.account_id].state.is_usable() {
            return Err(cv(
                op,
                "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR",
                "You can't register a suspended account as a delegated administrator.",
            ));
        }
        if !s.service_access.contains_key(&i.service_principal) {
            return Err(cv(
                op,
                "SERVICE_ACCESS_NOT_ENABLED",
                format!(
                    "You must enable trusted access for {} (EnableAWSServiceAccess) before registering a delegated administrator for it.",
                    i.service_principal
                ),
            ));
        }
        if s.delegated_admins
            .get(&i.account_id)
            .is_some_and(|m| m.contains_key(&i.service_principal))
        {
            return Err(err(
                op,
                "AccountAlreadyRegisteredException",
                "The specified account is already a delegated administrator for this AWS service.",
            ));
        }
        self.state
            .delegated_admins
            .entry(i.account_id)
            .or_default()
            .insert(i.service_principal, now);
        Ok((Response::RegisterDelegatedAdministrator(Empty {}), true))
    }

    pub(super) fn deregister_delegated_administrator(
        &mut self,
        op: Operation,
        i: DeregisterDelegatedAdministratorInput,
    ) -> Outcome {
        let s = &self.state;
        self.account_exists(op, &i.account_id)?;
        check_principal(op, &i.service_principal)?;
        if !s
            .delegated_admins
            .get(&i.account_id)
            .is_some_and(|m| m.contains_key(&i.service_principal))
        {
            return Err(err(
                op,
                "AccountNotRegisteredException",
                "The specified account is not a delegated administrator for this AWS service.",
            ));
        }
        let services = self
            .state
            .delegated_admins
            .get_mut(&i.account_id)
            .expect("checked");
        services.remove(&i.service_principal);
        if services.is_empty() {
            self.state.delegated_admins.remove(&i.account_id);
        }
        Ok((Response::DeregisterDelegatedAdministrator(Empty {}), true))
    }
}

fn check_principal(op: Operation, principal: &str) -> Result<(), ApiError> {
    if principal.is_empty() || principal.len() > 128 || !principal.ends_with(".amazonaws.com") {
        return Err(invalid(
            op,
            "INVALID_PATTERN",
            format!("{principal:?} is not a service principal (NAME.amazonaws.com)."),
        ));
    }
    Ok(())
}
