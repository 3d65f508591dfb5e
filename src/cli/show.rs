//! `orgchard show PLANFILE [--json]`: print a saved plan.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use crate::plan::saved;
use crate::view::{human as render, json};

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

/// Reads a saved plan.
pub fn read_plan(path: &std::path::Path) -> anyhow::Result<crate::plan::Plan> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    saved::from_json(&text).with_context(|| format!("{} is not a usable plan", path.display()))
}

pub fn run(args: ShowArgs) -> anyhow::Result<ExitCode> {
    let plan = read_plan(&args.planfile)?;
    if args.json {
        outln!("{}", json::to_string(&plan));
    } else {
        let color = super::settings::color(args.no_color);
        out!("{}", render::render(&plan, render::Style { color }));
    }
    Ok(ExitCode::SUCCESS)
}
