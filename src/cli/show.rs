//! `orgchard show PLANFILE [--json|--markdown]`: print a saved plan.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use crate::plan::saved;
use crate::view::{human as render, json, markdown};

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A plan file saved by `plan --out`.
    pub planfile: PathBuf,
    /// Print the plan as JSON.
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// Print the plan as a pull-request comment in GitHub Markdown.
    #[arg(long)]
    pub markdown: bool,
    /// The name in the comment's hidden marker, by which a pipeline finds its own comment
    /// (default: the plan file).
    #[arg(long, value_name = "NAME", requires = "markdown")]
    pub markdown_id: Option<String>,
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
    } else if args.markdown {
        let options = markdown::Options {
            id: args
                .markdown_id
                .clone()
                .unwrap_or_else(|| args.planfile.display().to_string()),
            precheck: markdown::Precheck::NotSaved,
            limit: markdown::COMMENT_LIMIT,
        };
        out!("{}", markdown::render(&plan, &options));
    } else {
        let color = super::settings::color(args.no_color);
        out!("{}", render::render(&plan, render::Style { color }));
    }
    Ok(ExitCode::SUCCESS)
}
