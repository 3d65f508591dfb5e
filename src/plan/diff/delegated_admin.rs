//! Delegated administrators: register and deregister an account for a service principal.

use super::*;

impl<'a> Planner<'a> {
    pub(super) fn plan_delegated_administrators(&mut self) {
        let principals: BTreeSet<String> = self
            .desired
            .delegated_administrators
            .iter()
            .map(|d| d.service_principal.clone())
            .collect();
        let mut wanted: BTreeSet<(String, String)> = BTreeSet::new();
        for d in &self.desired.delegated_administrators {
            let addr = &d.common.address;
            let account = self.final_account(&d.account);
            if account.known() == Some(self.live.organization.master_account_id.as_str()) {
                self.error(
                    Some(addr),
                    Some(&d.common.origin),
                    "the management account cannot be a delegated administrator".into(),
                    Some("name a member account"),
                );
                continue;
            }
            let exists = account.known().is_some_and(|id| {
                self.live
                    .delegated_administrators
                    .contains(&(id.to_string(), d.service_principal.clone()))
            });
            if let Some(id) = account.known() {
                wanted.insert((id.to_string(), d.service_principal.clone()));
            }
            let mut ops = Vec::new();
            if !exists {
                ops.push(self.push_op(
                    addr,
                    Op::RegisterDelegatedAdministrator {
                        account: account.clone(),
                        principal: d.service_principal.clone(),
                    },
                ));
            }
            let attrs = vec![
                AttrChange {
                    name: "account".into(),
                    before: exists.then(|| AttrValue::Reference(account.to_string())),
                    after: Some(AttrValue::Reference(account.to_string())),
                    document: false,
                },
                AttrChange {
                    name: "service_principal".into(),
                    before: exists.then(|| AttrValue::String(d.service_principal.clone())),
                    after: Some(AttrValue::String(d.service_principal.clone())),
                    document: false,
                },
            ];
            let action = if exists { Action::Read } else { Action::Create };
            self.push_change(
                addr,
                action,
                None,
                account.known().map(str::to_string),
                attrs,
                ops,
            );
        }
        // For the services the configuration names, the delegated administrators are exactly
        // the configured ones (they carry no tags, so ownership is by service).
        let stale: Vec<(String, String)> = self
            .live
            .delegated_administrators
            .iter()
            .filter(|(a, p)| principals.contains(p) && !wanted.contains(&(a.clone(), p.clone())))
            .cloned()
            .collect();
        for (account, principal) in stale {
            let addr = Address::new(ResourceKind::DelegatedAdministrator, "stale")
                .with_key(format!("{principal}/{account}"));
            let op = self.push_op(
                &addr,
                Op::DeregisterDelegatedAdministrator {
                    account: account.clone(),
                    principal: principal.clone(),
                },
            );
            self.push_change(
                &addr,
                Action::Delete,
                Some(Reason::new(ReasonCode::DelegatedElsewhere, format!("{account} is a delegated administrator for {principal}, which the configuration gives to another account"))),
                Some(account),
                vec![],
                vec![op],
            );
        }
    }
}
