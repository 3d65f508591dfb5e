//! `orgchard fmt [--check] [DIR]`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// The configuration directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Change nothing; exit 1 when a file would change.
    #[arg(long)]
    pub check: bool,
}

pub fn run(_args: FmtArgs) -> anyhow::Result<ExitCode> {
    super::not_yet("fmt")
}
