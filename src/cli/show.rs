//! `orgchard show PLANFILE [--json|--markdown]`: print a saved plan.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

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

pub fn run(args: ShowArgs) -> anyhow::Result<ExitCode> {
    let plan = crate::ops::session::read_plan(&args.planfile)?;
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
        let color = crate::ops::settings::color(args.no_color);
        out!("{}", render::render(&plan, render::Style { color }));
    }
    Ok(ExitCode::SUCCESS)
}
