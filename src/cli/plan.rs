//! `orgchard plan`: read, diff, order, print; `--out` saves the plan, `--json` prints it as
//! the versioned JSON document, `--detailed-exitcode` exits 2 when there are changes.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use super::{CommonArgs, session};
use crate::addr::Address;
use crate::plan::{self, Plan, diff::PlanOptions, render};

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

/// Parses `--target` values.
pub fn targets(raw: &[String]) -> anyhow::Result<Vec<Address>> {
    raw.iter()
        .map(|t| t.parse::<Address>().map_err(anyhow::Error::from))
        .collect()
}

/// Loads the configuration, reads the backend and plans: what `plan`, `apply DIR` and
/// `graph` share.
pub fn make_plan(
    dir: &std::path::Path,
    common: &CommonArgs,
    target: &[String],
) -> anyhow::Result<(Plan, crate::backend::BackendChoice)> {
    let desired = session::load_config(dir, common)?;
    let configured = desired
        .backend
        .clone()
        .map(|b| session::relative_to(b, dir));
    let choice = session::backend_choice(common, configured.as_ref())?;
    let options = PlanOptions {
        targets: targets(target)?,
    };
    let rt = session::runtime(&choice)?;
    let mut plan = rt.block_on(async {
        let client = session::client(&choice, &desired.organization.member_access_role).await?;
        let (plan, _) = plan::make(&desired, &client, &options).await?;
        anyhow::Ok(plan)
    })?;
    plan.context.backend = Some(choice.clone());
    Ok((plan, choice))
}

pub fn run(args: PlanArgs) -> anyhow::Result<ExitCode> {
    if args.emit_policy {
        anyhow::bail!("`plan --emit-policy` is not available in this build yet");
    }
    let (plan, _) = make_plan(&args.dir, &args.common, &args.target)?;
    if args.json {
        println!("{}", plan::json::to_json(&plan));
    } else {
        print!(
            "{}",
            render::render(
                &plan,
                render::Style {
                    color: session::color(&args.common)
                }
            )
        );
    }
    if let Some(out) = &args.out {
        std::fs::write(out, plan::json::to_json(&plan))
            .with_context(|| format!("writing the plan to {}", out.display()))?;
        if !args.json {
            println!(
                "\nSaved the plan to {}. To apply exactly these changes: orgchard apply {}",
                out.display(),
                out.display()
            );
        }
    }
    Ok(if args.detailed_exitcode && plan.has_changes() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
