//! `orgchard chart [PATH]`: draws the organization from the configuration, the live
//! organization, or the live organization carried through a plan (`--plan`, or PATH a saved
//! plan file). The tree-building is shared with `explain`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::CommonArgs;
use crate::chart::{self, ChartOptions, Format};
use crate::ops::trees::{self, Trees};
use crate::ops::{Configured, MissingState, Settings, session};

/// Where the organization is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum From {
    /// The evaluated configuration; no backend is needed.
    Config,
    /// The live organization, through the configured backend.
    Live,
}

/// The chart's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// A Mermaid flowchart (renders in GitHub and GitLab Markdown).
    Mermaid,
    /// Graphviz DOT.
    Dot,
    /// A self-contained SVG image.
    Svg,
}

#[derive(Debug, Args)]
pub struct ChartArgs {
    /// The configuration directory, or a plan file saved by `plan --out`.
    #[arg(default_value = ".", value_name = "DIR|PLANFILE")]
    pub path: PathBuf,
    /// Where to read the organization [default: config; live with a plan].
    #[arg(long, value_enum)]
    pub from: Option<From>,
    /// Plan the configuration against the live organization and mark what the plan changes.
    #[arg(long)]
    pub plan: bool,
    /// The output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Mermaid)]
    pub format: FormatArg,
    /// Show an OU's accounts as one "N accounts" box past this many (0: never).
    #[arg(long, default_value_t = chart::DEFAULT_COLLAPSE, value_name = "N")]
    pub collapse_accounts: usize,
    /// With a plan: draw only what it changes and the path from the root to it, each
    /// parent's unchanged children as one box (for a pull-request comment).
    #[arg(long)]
    pub changed_only: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Builds the tree(s) from a configuration directory or a saved plan.
pub fn load(
    path: &Path,
    from: Option<From>,
    with_plan: bool,
    common: &CommonArgs,
) -> anyhow::Result<Trees> {
    if path.is_file() {
        anyhow::ensure!(
            from != Some(From::Config),
            "{} is a saved plan: a plan is drawn over the live organization (--from live)",
            path.display()
        );
        let saved = session::read_plan(path)?;
        let settings = Settings::resolve(
            &common.flags(),
            Configured::SavedPlan {
                backend: saved.context.backend.as_ref(),
                file: path,
            },
            MissingState::Empty,
        )?;
        let (trees, changed) = trees::over_saved_plan(&saved, &settings)?;
        if changed {
            errln!(
                "Warning: the organization has changed since the plan was made; the chart shows the plan over the organization as it is now"
            );
        }
        return Ok(trees);
    }
    let from = from.unwrap_or(if with_plan { From::Live } else { From::Config });
    anyhow::ensure!(
        !(with_plan && from == From::Config),
        "--plan shows the plan over the live organization; drop --from config"
    );
    let (desired, _) = super::load_config(path, common)?;
    if from == From::Config {
        return Ok(Trees::of_config(&desired));
    }
    let settings = Settings::resolve(
        &common.flags(),
        Configured::Config {
            block: desired.backend.as_ref(),
            dir: path,
        },
        MissingState::Empty,
    )?;
    trees::live(&desired, &settings, with_plan)
}

pub fn run(args: ChartArgs) -> anyhow::Result<ExitCode> {
    let trees = load(&args.path, args.from, args.plan, &args.common)?;
    let options = ChartOptions {
        format: match args.format {
            FormatArg::Mermaid => Format::Mermaid,
            FormatArg::Dot => Format::Dot,
            FormatArg::Svg => Format::Svg,
        },
        collapse_accounts: args.collapse_accounts,
        changed_only: args.changed_only,
    };
    anyhow::ensure!(
        !args.changed_only || trees.after.is_some(),
        "--changed-only draws what a plan changes: give --plan or a saved plan file"
    );
    out!("{}", chart::render(trees.current(), &options));
    Ok(ExitCode::SUCCESS)
}
