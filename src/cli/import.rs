//! `orgchard import [--out DIR]`: write HCL that describes the live organization, ids pinned,
//! so that `plan` on it shows no changes.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::CommonArgs;
use crate::config::import;
use crate::ops::{self, Configured, ImportRequest, MissingState, Settings};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Where to write the generated HCL.
    #[arg(long, default_value = ".")]
    pub out: PathBuf,
    #[command(flatten)]
    pub common: CommonArgs,
}

pub fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings::resolve(
        &args.common.flags(),
        Configured::Nothing,
        MissingState::Refuse,
    )?;
    let imported = ops::import(&ImportRequest {
        out: &args.out,
        settings: &settings,
    })?;
    for path in &imported.written {
        outln!("wrote {}", path.display());
    }
    let live = &imported.live;
    for line in import::unowned_roles(live) {
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
