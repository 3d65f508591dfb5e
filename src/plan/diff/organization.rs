//! The organization block: enabled policy types, trusted service access and the other
//! organization-wide settings.

use super::*;

impl<'a> Planner<'a> {
    pub(super) fn plan_organization(&mut self) {
        let addr = Address::organization();
        let mut ops = Vec::new();
        let mut attrs = Vec::new();
        let live_types = self.live.enabled_policy_types();
        if self.desired.organization.enabled_policy_types.is_some() {
            for t in self.enabling.clone() {
                ops.push(self.push_op(
                    &addr,
                    Op::EnablePolicyType {
                        root: self.live.root.id.clone(),
                        policy_type: t,
                    },
                ));
            }
            for t in live_types
                .difference(&self.final_types)
                .cloned()
                .collect::<Vec<_>>()
            {
                ops.push(self.push_op(
                    &addr,
                    Op::DisablePolicyType {
                        root: self.live.root.id.clone(),
                        policy_type: t,
                    },
                ));
            }
            attrs.push(AttrChange {
                name: "enabled_policy_types".into(),
                before: Some(AttrValue::List(live_types.iter().cloned().collect())),
                after: Some(AttrValue::List(self.final_types.iter().cloned().collect())),
                document: false,
            });
        }
        if let Some(wanted) = &self.desired.organization.service_access_principals {
            let wanted: BTreeSet<String> = wanted.iter().cloned().collect();
            for p in wanted.difference(&self.live.service_access) {
                ops.push(self.push_op(
                    &addr,
                    Op::EnableServiceAccess {
                        principal: p.clone(),
                    },
                ));
            }
            for p in self.live.service_access.difference(&wanted) {
                ops.push(self.push_op(
                    &addr,
                    Op::DisableServiceAccess {
                        principal: p.clone(),
                    },
                ));
            }
            attrs.push(AttrChange {
                name: "service_access_principals".into(),
                before: Some(AttrValue::List(
                    self.live.service_access.iter().cloned().collect(),
                )),
                after: Some(AttrValue::List(wanted.iter().cloned().collect())),
                document: false,
            });
        }
        if let Some(fs) = &self.desired.organization.feature_set
            && fs != &self.live.organization.feature_set
        {
            let origin = self.desired.organization.origin.clone();
            self.error(
                    Some(&addr),
                    origin.as_ref(),
                    format!(
                        "the organization's feature set is {}, the configuration asks for {fs}; changing it needs every member account's approval (a handshake) and is not done by orgchard",
                        self.live.organization.feature_set
                    ),
                    Some("enable all features in the console, or set feature_set to the live value"),
                );
        }
        if !self.desired.organization.declared {
            return;
        }
        let action = if ops.is_empty() {
            Action::Read
        } else {
            Action::Update
        };
        self.push_change(
            &addr,
            action,
            None,
            Some(self.live.organization.id.clone()),
            attrs,
            ops,
        );
    }
}
