//! Writing the live organization as an emulator state file, to rehearse an apply offline.

use std::path::Path;

use crate::backend::emulator::{snapshot, store};
use crate::model::Desired;
use crate::model::live::LiveOrg;
use crate::plan::{diff, read};

use super::session;
use super::settings::Settings;

/// What to snapshot, and where to.
pub struct SnapshotRequest<'a> {
    /// The emulator state file to write; it must not exist.
    pub out: &'a Path,
    /// The configuration, when there is one: its declared roles are read too.
    pub desired: Option<&'a Desired>,
    pub settings: &'a Settings,
}

/// Refuses a file that exists: a snapshot never overwrites one.
pub fn refuse_existing(out: &Path) -> anyhow::Result<()> {
    anyhow::ensure!(
        !out.exists(),
        "{} exists; snapshot never overwrites a file",
        out.display()
    );
    Ok(())
}

/// Reads the live organization and writes it to `out`; returns what was read.
pub fn snapshot(request: &SnapshotRequest<'_>) -> anyhow::Result<LiveOrg> {
    refuse_existing(request.out)?;
    let role = request
        .desired
        .map(|d| d.organization.member_access_role.clone())
        .unwrap_or_else(|| crate::model::DEFAULT_MEMBER_ACCESS_ROLE.to_string());
    let rt = session::runtime(&request.settings.backend)?;
    let live = rt.block_on(async {
        let client = session::client(request.settings, &role).await?;
        let mut live = read::read_organization(&client).await?;
        // Roles by the planner's rule: without a configuration, still every account where
        // orgchard's roles may be, or a rehearsal on the copy would create them again.
        let queries = match request.desired {
            Some(d) => diff::role_queries(d, &live, &diff::bind_identities(d, &live)),
            None => diff::owned_role_queries(&live),
        };
        read::read_roles(&client, &mut live, &queries).await?;
        anyhow::Ok(live)
    })?;
    let state = snapshot::from_live(&live, &role)?;
    store::save(request.out, &state)?;
    Ok(live)
}
