//! A live organization, as the reader saw it, turned into an emulator state: `orgchard
//! snapshot` writes it, and `emulator init --from` rehearses an apply against the copy. Ids,
//! names, tags, policies, attachments, trusted services, delegated administrators and the
//! roles that were read are kept; every member account gets the member-access role AWS
//! creates (administrator, trusting the management account), so rehearsed operations inside
//! accounts behave as they would for a caller who can assume it.

use std::collections::BTreeMap;

use super::init::{InitError, InitOptions, fresh_state};
use super::org::trust_policy_for;
use super::state::{AccountState, OrgInfo, OuState, PolicyState, RoleState, State};
use crate::model::live::LiveOrg;
use crate::vocab::arn::ADMINISTRATOR_ACCESS;

/// The emulator state that mirrors `live`, with the emulated caller (an administrator in the
/// management account) of a fresh state.
pub fn from_live(live: &LiveOrg, member_access_role: &str) -> Result<State, InitError> {
    let mut state = fresh_state(&InitOptions::default())?;
    let old_mgmt = state.organization.management_account_id.clone();
    let mgmt = live.organization.master_account_id.clone();
    state.organization = OrgInfo {
        id: live.organization.id.clone(),
        feature_set: live.organization.feature_set.as_str().into(),
        management_account_id: mgmt.clone(),
        root_id: live.root.id.clone(),
        root_name: live.root.name.clone(),
    };
    state.enabled_policy_types = live.enabled_policy_types();
    state.root_tags = live.root_tags.clone();
    state.ous = live
        .ous
        .iter()
        .map(|(id, o)| {
            let ou = OuState {
                name: o.ou.name.clone(),
                parent_id: o.parent_id.clone(),
                tags: o.tags.clone(),
            };
            (id.clone(), ou)
        })
        .collect();
    state.accounts = live
        .accounts
        .iter()
        .map(|(id, a)| {
            let account = AccountState {
                name: a.account.name.clone(),
                email: a.account.email.clone(),
                state: a.account.state.clone(),
                joined_method: a.account.joined_method.as_str().into(),
                joined_ms: 0,
                parent_id: a.parent_id.clone(),
                tags: a.tags.clone(),
                suspends_at_ms: None,
            };
            (id.clone(), account)
        })
        .collect();
    // AWS-managed policies come with the fresh state; customer ones from the organization.
    state.policies.retain(|_, p| p.aws_managed);
    state.attachments.clear();
    for (id, p) in &live.policies {
        if !p.summary.aws_managed {
            state.policies.insert(
                id.clone(),
                PolicyState {
                    name: p.summary.name.clone(),
                    description: p.summary.description.clone(),
                    r#type: p.summary.r#type.clone(),
                    content: p.content.clone().unwrap_or_default(),
                    aws_managed: false,
                    tags: p.tags.clone(),
                },
            );
        }
        if state.policies.contains_key(id) && !p.targets.is_empty() {
            state.attachments.insert(id.clone(), p.targets.clone());
        }
    }
    state.service_access = live.service_access.iter().map(|s| (s.clone(), 0)).collect();
    state.delegated_admins = BTreeMap::new();
    for (account, principal) in &live.delegated_administrators {
        state
            .delegated_admins
            .entry(account.clone())
            .or_default()
            .insert(principal.clone(), 0);
    }
    // The caller lives in the management account.
    let caller_iam = state.iam.remove(&old_mgmt).unwrap_or_default();
    state.iam.clear();
    state.iam.insert(mgmt.clone(), caller_iam);
    let mut n = 0u64;
    for id in live.accounts.keys().filter(|id| **id != mgmt) {
        n += 1;
        state.iam.entry(id.clone()).or_default().roles.insert(
            member_access_role.to_string(),
            RoleState {
                role_id: format!("AROASNAPSHOT{n:09}"),
                path: "/".into(),
                trust_policy: trust_policy_for(&mgmt),
                description: None,
                max_session_duration: 3600,
                permissions_boundary: None,
                inline_policies: BTreeMap::new(),
                managed_policies: [ADMINISTRATOR_ACCESS.to_string()].into(),
                tags: BTreeMap::new(),
                created_ms: 0,
            },
        );
    }
    for (account, roles) in &live.roles {
        for (name, r) in roles {
            state.iam.entry(account.clone()).or_default().roles.insert(
                name.clone(),
                RoleState {
                    role_id: r.role.role_id.clone(),
                    path: r.role.path.clone(),
                    trust_policy: r.role.assume_role_policy_document.clone(),
                    description: r.role.description.clone(),
                    max_session_duration: r.role.max_session_duration,
                    permissions_boundary: r.role.permissions_boundary.clone(),
                    inline_policies: r.inline_policies.clone(),
                    managed_policies: r.managed_policy_arns.clone(),
                    tags: crate::api::tags_to_map(&r.role.tags),
                    created_ms: 0,
                },
            );
        }
    }
    state.create_requests.clear();
    let problems = state.check_invariants();
    if !problems.is_empty() {
        return Err(InitError::Invalid(problems.join("; ")));
    }
    Ok(state)
}
