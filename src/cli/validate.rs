//! `orgchard validate [DIR]`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::CommonArgs;

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The configuration directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub common: CommonArgs,
}

pub fn run(_args: ValidateArgs) -> anyhow::Result<ExitCode> {
    super::not_yet("validate")
}
