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
    let prepared = super::plan::Prepared::load(
        &args.dir,
        &args.common,
        &args.target,
        crate::ops::MissingState::Refuse,
    )?;
    let plan = crate::ops::plan_unchecked(&prepared.request(false))
        .map_err(|e| prepared.failed(e, args.common.no_color))?;
    out!("{}", crate::plan::graph::to_dot(&plan));
    Ok(ExitCode::SUCCESS)
}
