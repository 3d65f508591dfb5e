//! Member accounts once they exist: listing and describing them, moving them between parents,
//! closing them (within the rolling closure quota), removing them, and naming them.

use super::*;

impl Core {
    pub(super) fn list_accounts_for_parent(
        &self,
        op: Operation,
        i: ListAccountsForParentInput,
    ) -> Outcome {
        self.parent_exists(op, &i.parent_id)?;
        let ids = self
            .index
            .child_accounts
            .get(&i.parent_id)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let (page, next_token) =
            paginate(op, ids, i.next_token.as_deref(), i.max_results, ORG_PAGE)?;
        read(Response::ListAccountsForParent(
            ListAccountsForParentOutput {
                accounts: page.into_iter().map(|id| self.account_out(id)).collect(),
                next_token,
            },
        ))
    }

    pub(super) fn list_accounts(&self, op: Operation, i: ListAccountsInput) -> Outcome {
        let s = &self.state;
        let (page, next_token) = paginate(
            op,
            s.accounts.keys(),
            i.next_token.as_deref(),
            i.max_results,
            ORG_PAGE,
        )?;
        read(Response::ListAccounts(ListAccountsOutput {
            accounts: page.into_iter().map(|id| self.account_out(id)).collect(),
            next_token,
        }))
    }

    pub(super) fn describe_account(&self, op: Operation, i: DescribeAccountInput) -> Outcome {
        self.account_exists(op, &i.account_id)?;
        read(Response::DescribeAccount(DescribeAccountOutput {
            account: self.account_out(&i.account_id),
        }))
    }

    pub(super) fn move_account(&mut self, op: Operation, i: MoveAccountInput) -> Outcome {
        let s = &self.state;
        self.account_exists(op, &i.account_id)?;
        if !s.is_parent(&i.source_parent_id) {
            return Err(err(
                op,
                "SourceParentNotFoundException",
                format!(
                    "We can't find a source root or OU with the ParentId ({}) that you specified.",
                    i.source_parent_id
                ),
            ));
        }
        if !s.is_parent(&i.destination_parent_id) {
            return Err(err(
                op,
                "DestinationParentNotFoundException",
                format!(
                    "We can't find the destination container (a root or OU) with the ParentId ({}) that you specified.",
                    i.destination_parent_id
                ),
            ));
        }
        let current = &s.accounts[&i.account_id].parent_id;
        if *current != i.source_parent_id {
            return Err(err(
                op,
                "AccountNotFoundException",
                format!(
                    "The account {} is not in the source parent {}.",
                    i.account_id, i.source_parent_id
                ),
            ));
        }
        if *current == i.destination_parent_id {
            return Err(err(
                op,
                "DuplicateAccountException",
                "That account is already present in the specified destination.",
            ));
        }
        self.state
            .accounts
            .get_mut(&i.account_id)
            .expect("checked")
            .parent_id = i.destination_parent_id;
        Ok((Response::MoveAccount(Empty {}), true))
    }

    pub(super) fn remove_account_from_organization(
        &mut self,
        op: Operation,
        i: RemoveAccountFromOrganizationInput,
    ) -> Outcome {
        let s = &self.state;
        self.account_exists(op, &i.account_id)?;
        if i.account_id == s.management_account_id() {
            return Err(cv(
                op,
                "ACCOUNT_CANNOT_LEAVE_ORGANIZATION",
                "You can't remove the management account from the organization.",
            ));
        }
        if s.delegated_admins.contains_key(&i.account_id) {
            return Err(cv(
                op,
                "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
                "You must deregister this account as a delegated administrator before removing it from the organization.",
            ));
        }
        self.state.accounts.remove(&i.account_id);
        self.detach_all(&i.account_id);
        self.state.iam.remove(&i.account_id);
        Ok((Response::RemoveAccountFromOrganization(Empty {}), true))
    }

    pub(super) fn put_account_name(
        &mut self,
        op: Operation,
        scope: &Scope,
        i: PutAccountNameInput,
    ) -> Outcome {
        let s = &self.state;
        let target = match (&i.account_id, scope) {
            (Some(id), Scope::Management) => id.clone(),
            (Some(id), Scope::Account(own)) if id == own => id.clone(),
            (Some(_), Scope::Account(_)) => {
                return Err(err(
                    op,
                    "AccessDeniedException",
                    "A member account can only name itself.",
                ));
            }
            (None, Scope::Management) => s.management_account_id().to_string(),
            (None, Scope::Account(own)) => own.clone(),
        };
        if !s.accounts.contains_key(&target) {
            return Err(err(
                op,
                "ResourceNotFoundException",
                format!("The account {target} was not found."),
            ));
        }
        if i.account_name.is_empty() || i.account_name.chars().count() > 50 {
            return Err(err(
                op,
                "ValidationException",
                "AccountName must be 1 to 50 characters.",
            ));
        }
        self.state.accounts.get_mut(&target).expect("checked").name = i.account_name;
        Ok((Response::PutAccountName(Empty {}), true))
    }

    pub(super) fn account_out(&self, id: &str) -> Account {
        let a = &self.state.accounts[id];
        Account {
            id: id.to_string(),
            arn: self.state.target_arn(id),
            email: a.email.clone(),
            name: a.name.clone(),
            state: a.state.clone(),
            joined_method: a.joined_method.to_string(),
            joined_timestamp: self.ts(a.joined_ms),
        }
    }

    pub(super) fn close_account(
        &mut self,
        op: Operation,
        i: CloseAccountInput,
        now: u64,
    ) -> Outcome {
        self.account_exists(op, &i.account_id)?;
        let s = &self.state;
        if i.account_id == s.management_account_id() {
            return Err(cv(
                op,
                "CANNOT_CLOSE_MANAGEMENT_ACCOUNT",
                "You attempted to close the management account. To close the management account \
                 for the organization, you must first either remove or close all member accounts \
                 in the organization.",
            ));
        }
        if !s.accounts[&i.account_id].state.is_usable() {
            return Err(err(
                op,
                "AccountAlreadyClosedException",
                "You attempted to close an account that is already closed.",
            ));
        }
        const THIRTY_DAYS_MS: u64 = vocab::quotas::CLOSE_ACCOUNT_WINDOW_DAYS * 24 * 3600 * 1000;
        let recent = s
            .closures
            .iter()
            .filter(|t| now.saturating_sub(**t) < THIRTY_DAYS_MS)
            .count() as u64;
        let members = s.accounts.len().saturating_sub(1) as u64;
        let allowed =
            vocab::quotas::closable_accounts_at(members, s.quota("close_account_percent"));
        if recent >= allowed {
            return Err(cv(
                op,
                "CLOSE_ACCOUNT_QUOTA_EXCEEDED",
                "You have exceeded close account quota for the past 30 days.",
            ));
        }
        self.state
            .closures
            .retain(|t| now.saturating_sub(*t) < THIRTY_DAYS_MS);
        self.state.closures.push(now);
        let suspend_in = self.state.draw_range(60_000, 300_000);
        let a = self.state.accounts.get_mut(&i.account_id).expect("checked");
        a.state = vocab::AccountState::PendingClosure;
        a.suspends_at_ms = Some(now + suspend_in);
        Ok((Response::CloseAccount(Empty {}), true))
    }
}
