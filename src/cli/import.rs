//! `orgchard import [--out DIR]`: write HCL that describes the live organization, ids pinned,
//! so that `plan` on it shows no changes.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use super::settings::{Configured, MissingState, Settings};
use super::{CommonArgs, session};
use crate::config::import;
use crate::plan::{diff, read};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Where to write the generated HCL.
    #[arg(long, default_value = ".")]
    pub out: PathBuf,
    #[command(flatten)]
    pub common: CommonArgs,
}

pub fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings::resolve(&args.common, Configured::Nothing, MissingState::Refuse)?;
    let rt = session::runtime(&settings.backend)?;
    let live = rt.block_on(async {
        let client = session::client(&settings, crate::model::DEFAULT_MEMBER_ACCESS_ROLE).await?;
        let mut live = read::read_organization(&client).await?;
        // Roles by the planner's rule: where orgchard's own roles may be.
        let queries = diff::owned_role_queries(&live);
        read::read_roles(&client, &mut live, &queries).await?;
        anyhow::Ok(live)
    })?;
    let files = import::generate(&live);
    for f in &files {
        let path = args.out.join(&f.path);
        if path.exists() {
            anyhow::bail!(
                "{} exists; import writes into an empty directory so it never overwrites your files",
                path.display()
            );
        }
    }
    for f in &files {
        let path = args.out.join(&f.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&path, &f.text).with_context(|| format!("writing {}", path.display()))?;
        outln!("wrote {}", path.display());
    }
    for line in import::unowned_roles(&live) {
        errln!("warning: roles orgchard does not own are left out: {line}");
    }
    outln!(
        "Imported {} OUs, {} accounts, {} policies and {} roles. `orgchard plan {}` should show no changes.",
        live.ous.len(),
        live.accounts.len().saturating_sub(1),
        live.policies
            .values()
            .filter(|p| !p.summary.aws_managed)
            .count(),
        live.roles.values().map(|r| r.len()).sum::<usize>(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
