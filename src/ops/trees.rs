//! The organization as trees for `chart` and `explain`: the live organization, or the live
//! organization carried through a plan (made now, or saved).

use crate::model::Desired;
use crate::orgtree::OrgTree;
use crate::plan::{self, Plan, diff::PlanOptions};

use super::session;
use super::settings::Settings;

/// The organization to look at: before a plan and, with one, after it.
pub struct Trees {
    /// The configuration's tree, or the live one.
    pub before: OrgTree,
    /// With a plan: the live tree carried through it, changes marked.
    pub after: Option<OrgTree>,
}

impl Trees {
    /// The configuration's tree; no backend is needed.
    pub fn of_config(desired: &Desired) -> Trees {
        Trees {
            before: OrgTree::from_desired(desired),
            after: None,
        }
    }

    /// The tree to draw: after the plan when there is one.
    pub fn current(&self) -> &OrgTree {
        self.after.as_ref().unwrap_or(&self.before)
    }
}

/// The live organization's tree and, with `with_plan`, the tree after planning `desired`.
pub fn live(desired: &Desired, settings: &Settings, with_plan: bool) -> anyhow::Result<Trees> {
    let rt = session::runtime(&settings.backend)?;
    let member_role = desired.organization.member_access_role.clone();
    let (live, planned) = rt.block_on(async {
        let client = session::client(settings, &member_role).await?;
        if with_plan {
            let (p, live) = plan::make(desired, &client, &PlanOptions::default()).await?;
            anyhow::Ok((live, Some(p)))
        } else {
            anyhow::Ok((plan::read::read_organization(&client).await?, None))
        }
    })?;
    let before = OrgTree::from_live(&live)?;
    let after = planned.map(|p| {
        let mut t = before.clone();
        t.apply_plan(&p);
        t
    });
    Ok(Trees { before, after })
}

/// The live organization's tree and the tree after a saved plan, and whether the
/// organization has changed since the plan was made (the plan is then drawn over the
/// organization as it is now).
pub fn over_saved_plan(saved: &Plan, settings: &Settings) -> anyhow::Result<(Trees, bool)> {
    let rt = session::runtime(&settings.backend)?;
    let live = rt.block_on(async {
        let client = session::client(settings, &saved.context.member_access_role).await?;
        anyhow::Ok(plan::read::read_organization(&client).await?)
    })?;
    let changed = live.fingerprint() != saved.context.fingerprint;
    let before = OrgTree::from_live(&live)?;
    let mut after = before.clone();
    after.apply_plan(saved);
    Ok((
        Trees {
            before,
            after: Some(after),
        },
        changed,
    ))
}
