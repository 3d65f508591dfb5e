//! `orgchard plan`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::CommonArgs;

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The configuration directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Save the plan to this file, for `apply PLANFILE`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Print the plan as a versioned JSON document.
    #[arg(long)]
    pub json: bool,
    /// Exit 2 when the plan has changes, 0 when it has none.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Plan only these addresses and what they need (repeatable).
    #[arg(long, value_name = "ADDR")]
    pub target: Vec<String>,
    /// Print the least-privilege identity policy that allows exactly this plan's calls.
    #[arg(long)]
    pub emit_policy: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

pub fn run(_args: PlanArgs) -> anyhow::Result<ExitCode> {
    super::not_yet("plan")
}
