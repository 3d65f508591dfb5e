//! `orgchard plan`: read, diff, order, print; `--out` saves the plan, `--json` prints it as
//! the versioned JSON document, `--markdown` as a pull-request comment, `--detailed-exitcode`
//! exits 2 when there are changes.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use super::settings::{Configured, MissingState, Settings, color_stderr};
use super::{CommonArgs, PrecheckMode, session};
use crate::addr::Address;
use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::{self, Plan, diff::PlanOptions};
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

/// Loads the configuration and resolves the settings and the plan options: what `plan`,
/// `apply DIR` and `graph` share.
fn prepare(
    dir: &std::path::Path,
    common: &CommonArgs,
    target: &[String],
    missing_state: MissingState,
) -> anyhow::Result<(crate::model::Desired, Diagnostics, Settings, PlanOptions)> {
    let (desired, diags) = session::load_config(dir, common)?;
    let settings = Settings::resolve(
        common,
        Configured::Config {
            block: desired.backend.as_ref(),
            dir,
        },
        missing_state,
    )?;
    let options = PlanOptions {
        targets: targets(target)?,
    };
    Ok((desired, diags, settings, options))
}

/// Records in the plan where it comes from, and says when it starts from an emulator state
/// that does not exist yet.
fn finish(plan: &mut Plan, settings: &Settings) {
    plan.context.backend = Some(settings.backend.clone());
    if let Some(path) = session::empty_emulator(settings) {
        plan.warnings.push(Diagnostic::warning(format!(
            "emulator state {} does not exist yet: this plan starts from an empty organization, and `orgchard apply` creates it",
            path.display()
        )));
    }
}

/// Loads the configuration, reads the backend and plans, without the pre-check (`graph`).
pub fn make_plan(
    dir: &std::path::Path,
    common: &CommonArgs,
    target: &[String],
    missing_state: MissingState,
) -> anyhow::Result<(Plan, Settings)> {
    let (desired, diags, settings, options) = prepare(dir, common, target, missing_state)?;
    let rt = session::runtime(&settings.backend)?;
    let mut plan = rt.block_on(async {
        let client = session::client(&settings, &desired.organization.member_access_role).await?;
        let (plan, _) = plan::make(&desired, &client, &options)
            .await
            .map_err(|e| session::plan_failed(e, &diags, color_stderr(common.no_color)))?;
        anyhow::Ok(plan)
    })?;
    finish(&mut plan, &settings);
    Ok((plan, settings))
}

/// A plan with its lockout check and permission pre-check.
pub struct CheckedPlan {
    pub plan: Plan,
    pub settings: Settings,
    /// None with `--precheck off` (and no `--emit-policy`).
    pub report: Option<precheck::Report>,
    pub placeholders: precheck::Placeholders,
}

/// Runs the lockout check and the pre-check of `plan` against the live state `live`.
///
/// Lockout errors refuse the plan (exit 1): they are printed first, as the plan's own fault,
/// followed by the pre-check's section when it found denials (often the same requests seen
/// from the caller's side, with the statement that decides each). Lockout warnings are added
/// to the plan's warnings.
pub async fn precheck_plan(
    plan: &mut Plan,
    live: &crate::model::live::LiveOrg,
    client: &crate::backend::client::Client,
    settings: &Settings,
    force: bool,
) -> anyhow::Result<Option<precheck::Report>> {
    use crate::backend::{ApiExt, GetCallerIdentityInput, Scope};
    let run = settings.precheck != PrecheckMode::Off || force;
    let caller = if run {
        let mut caller = precheck::collect::collect(client).await;
        if let (Ok(c), Some(path)) = (&mut caller, &settings.as_policy) {
            precheck::collect::as_policy(c, path)?;
        }
        Some(caller)
    } else {
        None
    };
    // The lockout check runs whatever `--precheck` says; it only needs to know who calls.
    let identity = match &caller {
        Some(Ok(c)) => Some(precheck::lockout::Caller {
            principal_arn: c.principal_arn.clone(),
            account: c.account.clone(),
        }),
        _ => match client
            .get_caller_identity(&Scope::Management, GetCallerIdentityInput {})
            .await
        {
            Ok(me) => Some(precheck::lockout::Caller {
                principal_arn: me.arn,
                account: me.account,
            }),
            Err(e) => {
                plan.warnings.push(Diagnostic::warning(format!(
                    "the caller could not be identified ({e}); the lockout check for a caller in a member account was skipped"
                )));
                None
            }
        },
    };
    let lockouts = precheck::lockout::check(plan, live, identity.as_ref());
    for w in lockouts.iter().filter(|l| !l.is_error()) {
        let w = w.to_diagnostic();
        if !plan.warnings.contains(&w) {
            plan.warnings.push(w);
        }
    }
    let errors: Vec<String> = lockouts
        .iter()
        .filter(|l| l.is_error())
        .map(|l| l.to_string())
        .collect();
    let report = match caller {
        Some(Ok(c)) => Some(precheck::check(plan, live, client, &c, settings.apply_lock).await),
        Some(Err(e)) if errors.is_empty() => return Err(e.into()),
        _ => None,
    };
    if !errors.is_empty() {
        let mut msg = errors.join("\n");
        if let Some(Ok(r)) = &report
            && !r.passed()
        {
            msg.push('\n');
            msg.push_str(r.render().trim_end());
        }
        msg.push_str(
            "\nThis plan would lock orgchard out; nothing was changed. Change the SCPs (or what they deny) so that the requests above stay allowed.",
        );
        anyhow::bail!("{msg}");
    }
    Ok(report.transpose()?)
}

/// `make_plan` followed by the lockout check and the pre-check.
pub fn make_checked(
    dir: &std::path::Path,
    common: &CommonArgs,
    target: &[String],
    force_precheck: bool,
    missing_state: MissingState,
    apply_lock: Option<bool>,
) -> anyhow::Result<CheckedPlan> {
    let (desired, diags, mut settings, options) = prepare(dir, common, target, missing_state)?;
    settings.apply_lock = apply_lock.unwrap_or(settings.apply_lock);
    let rt = session::runtime(&settings.backend)?;
    let (mut plan, report) = rt.block_on(async {
        let client = session::client(&settings, &desired.organization.member_access_role).await?;
        let (mut plan, live) = plan::make(&desired, &client, &options)
            .await
            .map_err(|e| session::plan_failed(e, &diags, color_stderr(common.no_color)))?;
        let report = precheck_plan(&mut plan, &live, &client, &settings, force_precheck).await?;
        anyhow::Ok((plan, report))
    })?;
    finish(&mut plan, &settings);
    let placeholders = precheck::Placeholders::new(&plan);
    Ok(CheckedPlan {
        plan,
        settings,
        report,
        placeholders,
    })
}

// `plan` reports denials and exits 0, as `terraform plan` does for what only fails at apply;
// `apply` is what refuses.
pub fn run(args: PlanArgs) -> anyhow::Result<ExitCode> {
    let checked = make_checked(
        &args.dir,
        &args.common,
        &args.target,
        args.emit_policy,
        MissingState::Empty,
        // The emitted policy is what an apply needs where it runs for real, on AWS, where the
        // apply lock is on by default: its calls are included whatever the backend. A policy
        // given with `--as-policy` is checked the same way, so that a policy `--emit-policy`
        // wrote, less any statement, is refused by the plan that checks it.
        (args.emit_policy || args.common.as_policy.is_some()).then_some(true),
    )?;
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
                    color: checked.settings.color
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
