//! `orgchard snapshot --out FILE`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::CommonArgs;

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// The emulator state file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// A configuration directory whose `backend` block and roles to use.
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub common: CommonArgs,
}

pub fn run(_args: SnapshotArgs) -> anyhow::Result<ExitCode> {
    super::not_yet("snapshot")
}
