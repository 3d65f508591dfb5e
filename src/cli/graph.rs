//! `orgchard graph [DIR]`: the plan's operation graph in Graphviz DOT.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::CommonArgs;

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The configuration directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Graph only these addresses and what they need (repeatable).
    #[arg(long, value_name = "ADDR")]
    pub target: Vec<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

pub fn run(args: GraphArgs) -> anyhow::Result<ExitCode> {
    let (plan, _) = super::plan::make_plan(
        &args.dir,
        &args.common,
        &args.target,
        super::settings::MissingState::Refuse,
    )?;
    out!("{}", crate::plan::graph::to_dot(&plan));
    Ok(ExitCode::SUCCESS)
}
