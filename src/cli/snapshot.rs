//! `orgchard snapshot --out FILE`: the reader's view of the live organization written as an
//! emulator state file, to rehearse an apply offline with `emulator init --from`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::CommonArgs;
use crate::ops::{self, Configured, MissingState, Settings, SnapshotRequest};

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// The emulator state file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// A configuration directory whose `backend` block and declared roles to use (optional:
    /// roles orgchard owns are read either way).
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub common: CommonArgs,
}

pub fn run(args: SnapshotArgs) -> anyhow::Result<ExitCode> {
    ops::snapshot::refuse_existing(&args.out)?;
    // The configuration, when there is one, says which backend and which roles to read.
    let has_config = std::fs::read_dir(&args.dir)
        .map(|d| {
            d.flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "hcl"))
        })
        .unwrap_or(false);
    let desired = if has_config {
        Some(super::load_config(&args.dir, &args.common)?.0)
    } else {
        None
    };
    let settings = Settings::resolve(
        &args.common.flags(),
        Configured::Config {
            block: desired.as_ref().and_then(|d| d.backend.as_ref()),
            dir: &args.dir,
        },
        MissingState::Refuse,
    )?;
    let live = ops::snapshot(&SnapshotRequest {
        out: &args.out,
        desired: desired.as_ref(),
        settings: &settings,
    })?;
    outln!(
        "Wrote {}: organization {}, {} OUs, {} accounts, {} customer policies. Rehearse with: orgchard emulator init COPY.json --from {}",
        args.out.display(),
        live.organization.id,
        live.ous.len(),
        live.accounts.len(),
        live.policies
            .values()
            .filter(|p| !p.summary.aws_managed)
            .count(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
