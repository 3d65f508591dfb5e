//! `orgchard show PLANFILE`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A plan file saved by `plan --out`.
    pub planfile: PathBuf,
    /// Print the plan as JSON.
    #[arg(long)]
    pub json: bool,
    /// Disable colored output.
    #[arg(long)]
    pub no_color: bool,
}

pub fn run(_args: ShowArgs) -> anyhow::Result<ExitCode> {
    super::not_yet("show")
}
