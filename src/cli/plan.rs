//! `orgchard plan`: read, diff, order, print; `--out` saves the plan, `--json` prints it as
//! the versioned JSON document, `--markdown` as a pull-request comment, `--detailed-exitcode`
//! exits 2 when there are changes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use super::CommonArgs;
use crate::addr::Address;
use crate::diag::Diagnostics;
use crate::model::Desired;
use crate::ops::settings::color_stderr;
use crate::ops::{self, Configured, MissingState, PlanRequest, Settings};
use crate::plan;
use crate::precheck;
use crate::view::{human as render, json, markdown};

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The configuration directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Save the plan to this file, for `apply PLANFILE`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Print the plan as a versioned JSON document.
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// Print the plan as a pull-request comment in GitHub Markdown.
    #[arg(long)]
    pub markdown: bool,
    /// The name in the comment's hidden marker, by which a pipeline finds its own comment
    /// (default: the configuration directory).
    #[arg(long, value_name = "NAME", requires = "markdown")]
    pub markdown_id: Option<String>,
    /// Exit 2 when the plan has changes, 0 when it has none.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Plan only these addresses and what they need (repeatable).
    #[arg(long, value_name = "ADDR")]
    pub target: Vec<String>,
    /// Print the least-privilege identity policy that allows exactly this plan's calls.
    #[arg(long, conflicts_with_all = ["json", "markdown"])]
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

/// A configuration loaded with its diagnostics, the settings resolved against it and the
/// parsed targets: what `plan`, `apply DIR` and `graph` share.
pub struct Prepared {
    pub desired: Desired,
    pub diagnostics: Diagnostics,
    pub settings: Settings,
    pub targets: Vec<Address>,
}

impl Prepared {
    pub fn load(
        dir: &Path,
        common: &CommonArgs,
        target: &[String],
        missing_state: MissingState,
    ) -> anyhow::Result<Prepared> {
        let (desired, diagnostics) = super::load_config(dir, common)?;
        let settings = Settings::resolve(
            &common.flags(),
            Configured::Config {
                block: desired.backend.as_ref(),
                dir,
            },
            missing_state,
        )?;
        let targets = targets(target)?;
        Ok(Prepared {
            desired,
            diagnostics,
            settings,
            targets,
        })
    }

    /// The request to plan this configuration.
    pub fn request(&self, force_precheck: bool) -> PlanRequest<'_> {
        PlanRequest {
            desired: &self.desired,
            settings: &self.settings,
            targets: self.targets.clone(),
            force_precheck,
        }
    }

    /// A plan that could not be made, as the error to return (see [`super::plan_failed`]).
    pub fn failed(&self, e: ops::PlanError, no_color: bool) -> anyhow::Error {
        super::plan_failed(e, &self.diagnostics, color_stderr(no_color))
    }
}

// `plan` reports denials and exits 0, as `terraform plan` does for what only fails at apply;
// `apply` is what refuses.
pub fn run(args: PlanArgs) -> anyhow::Result<ExitCode> {
    let mut prepared = Prepared::load(&args.dir, &args.common, &args.target, MissingState::Empty)?;
    // The emitted policy is what an apply needs where it runs for real, on AWS, where the
    // apply lock is on by default: its calls are included whatever the backend. A policy
    // given with `--as-policy` is checked the same way, so that a policy `--emit-policy`
    // wrote, less any statement, is refused by the plan that checks it.
    if args.emit_policy || args.common.as_policy.is_some() {
        prepared.settings.apply_lock = true;
    }
    let checked = ops::plan(&prepared.request(args.emit_policy))
        .map_err(|e| prepared.failed(e, args.common.no_color))?;
    let plan = checked.plan;
    if args.emit_policy {
        let report = checked.report.expect("forced");
        let docs = precheck::emit::documents(&report, &checked.placeholders);
        let count = docs.len();
        outln!("{}", precheck::emit::to_text(docs));
        let docs = count;
        if docs > 1 {
            errln!(
                "The policy does not fit in one managed policy (IAM allows 6,144 characters): printed as an array of {docs} documents that together allow exactly this plan; create and attach each.{}",
                if docs > precheck::emit::DEFAULT_MANAGED_POLICIES_PER_IDENTITY {
                    format!(
                        " That is more than the {} managed policies IAM attaches to one identity by default: ask for a higher quota, or apply the plan in parts with --target.",
                        precheck::emit::DEFAULT_MANAGED_POLICIES_PER_IDENTITY
                    )
                } else {
                    String::new()
                }
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.json {
        let doc = json::PlanDocument::new(&plan).with_precheck(checked.report.as_ref());
        outln!("{}", doc.to_string_pretty());
    } else if args.markdown {
        let options = markdown::Options {
            id: args
                .markdown_id
                .clone()
                .unwrap_or_else(|| args.dir.display().to_string()),
            precheck: match &checked.report {
                Some(r) => markdown::Precheck::Ran(r),
                None => markdown::Precheck::Off,
            },
            limit: markdown::COMMENT_LIMIT,
        };
        out!("{}", markdown::render(&plan, &options));
    } else {
        out!(
            "{}",
            render::render(
                &plan,
                render::Style {
                    color: prepared.settings.color
                }
            )
        );
        if let Some(r) = &checked.report {
            out!("{}", r.render());
        }
    }
    if let Some(out) = &args.out {
        std::fs::write(out, plan::saved::to_json(&plan))
            .with_context(|| format!("writing the plan to {}", out.display()))?;
        if !args.json && !args.markdown {
            outln!(
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
