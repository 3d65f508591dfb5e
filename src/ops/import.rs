//! Writing HCL that describes the live organization, ids pinned, so that a plan of it shows
//! no changes.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::config::import;
use crate::model::live::LiveOrg;
use crate::plan::{diff, read};

use super::session;
use super::settings::Settings;

/// Where to import to.
pub struct ImportRequest<'a> {
    /// The directory the HCL files are written into; none of them may exist.
    pub out: &'a Path,
    pub settings: &'a Settings,
}

/// What an import wrote, and the organization it read.
pub struct Imported {
    pub written: Vec<PathBuf>,
    pub live: LiveOrg,
}

/// Reads the live organization and writes it as HCL, refusing to overwrite any file.
pub fn import(request: &ImportRequest<'_>) -> anyhow::Result<Imported> {
    let settings = request.settings;
    let rt = session::runtime(&settings.backend)?;
    let live = rt.block_on(async {
        let client = session::client(settings, crate::model::DEFAULT_MEMBER_ACCESS_ROLE).await?;
        let mut live = read::read_organization(&client).await?;
        // Roles by the planner's rule: where orgchard's own roles may be.
        let queries = diff::owned_role_queries(&live);
        read::read_roles(&client, &mut live, &queries).await?;
        anyhow::Ok(live)
    })?;
    let files = import::generate(&live);
    for f in &files {
        let path = request.out.join(&f.path);
        if path.exists() {
            anyhow::bail!(
                "{} exists; import writes into an empty directory so it never overwrites your files",
                path.display()
            );
        }
    }
    let mut written = Vec::new();
    for f in &files {
        let path = request.out.join(&f.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&path, &f.text).with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    Ok(Imported { written, live })
}
