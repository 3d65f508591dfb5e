//! `orgchard apply [DIR | PLANFILE]`: plan (or load a saved plan and check it is not stale),
//! print it, ask for `yes`, and execute it with progress.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

use super::settings::{Configured, MissingState, Settings};
use super::{CommonArgs, PrecheckMode, session};
use crate::apply::{self, ApplyError, ApplyOptions, EventSink, progress};
use crate::plan;
use crate::view::human as render;

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// A configuration directory, or a plan file saved by `plan --out`.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    /// How many operations may run at once.
    #[arg(long, default_value_t = 10)]
    pub parallelism: usize,
    /// Print one JSON event per line instead of human progress.
    #[arg(long)]
    pub json: bool,
    /// Apply only these addresses and what they need (repeatable).
    #[arg(long, value_name = "ADDR")]
    pub target: Vec<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

const STALE_PLAN: &str = "the saved plan is stale: the organization has changed since it was made; run `orgchard plan` again";

pub fn run(args: ApplyArgs) -> anyhow::Result<ExitCode> {
    let from_file = args.path.is_file();
    let (plan, settings, report) = if from_file {
        let mut plan = super::show::read_plan(&args.path)?;
        let settings = Settings::resolve(
            &args.common,
            Configured::SavedPlan {
                backend: plan.context.backend.as_ref(),
                file: &args.path,
            },
            MissingState::Create,
        )?;
        let rt = session::runtime(&settings.backend)?;
        let report = rt.block_on(async {
            let client = session::client(&settings, &plan.context.member_access_role).await?;
            let mut live = plan::read::read_organization(&client).await?;
            let queries = plan
                .context
                .role_queries
                .iter()
                .map(|(a, names)| {
                    (
                        a.clone(),
                        plan::read::RoleQuery {
                            names: names.clone(),
                        },
                    )
                })
                .collect();
            plan::read::read_roles(&client, &mut live, &queries).await?;
            // Said before the plan is printed: a stale plan is not worth reading.
            if live.fingerprint() != plan.context.fingerprint {
                anyhow::bail!(STALE_PLAN);
            }
            super::plan::precheck_plan(&mut plan, &live, &client, &settings, false).await
        })?;
        (plan, settings, report)
    } else {
        let c = super::plan::make_checked(
            &args.path,
            &args.common,
            &args.target,
            false,
            MissingState::Create,
        )?;
        (c.plan, c.settings, c.report)
    };
    let color = settings.color;
    if !args.json {
        out!("{}", render::render(&plan, render::Style { color }));
        if let Some(r) = &report {
            out!("{}", r.render());
        }
    }
    if !plan.has_changes() {
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(r) = &report
        && !r.passed()
        && settings.precheck == PrecheckMode::Strict
    {
        if args.json {
            err!("{}", r.render());
        }
        errln!(
            "orgchard: the pre-check found requests that would be denied or cannot be checked; nothing was changed. Grant what is listed above, or run with --precheck warn to apply anyway."
        );
        return Ok(ExitCode::from(1));
    }
    // While the question waits for an answer the backend is closed (the emulator's lock is
    // released), so anyone may change the organization: a plan answered `yes` is checked
    // against the live state again, as a saved plan is. With --auto-approve the plan was read
    // a moment ago and nothing waits, so the second full read is not paid for.
    let asked = !from_file && !args.auto_approve;
    if !args.auto_approve && !confirm()? {
        errln!("Apply cancelled.");
        return Ok(ExitCode::from(1));
    }
    let rt = session::runtime(&settings.backend)?;
    let sink: Arc<dyn EventSink> = if args.json {
        Arc::new(progress::JsonLines)
    } else {
        Arc::new(progress::Human::new(std::io::stderr().is_terminal()))
    };
    let options = ApplyOptions {
        parallelism: args.parallelism,
        ..ApplyOptions::default()
    };
    let result = rt.block_on(async {
        let client = session::client(&settings, &plan.context.member_access_role).await?;
        if from_file && !plan::is_current(&plan, &client).await? {
            anyhow::bail!(STALE_PLAN);
        }
        if asked && !plan::is_current(&plan, &client).await? {
            anyhow::bail!(
                "the organization changed while the plan waited for confirmation, so the plan is stale; nothing was changed. Run `orgchard apply` again to plan against the current state"
            );
        }
        let interrupt = apply::interrupt_on_ctrl_c();
        Ok(apply::apply(&plan, client, &options, sink, interrupt).await)
    })?;
    let report = match result {
        Ok(r) => r,
        Err(ApplyError::SimulatedCrash(e)) => {
            errln!("orgchard: {e}");
            // A crash leaves no time to tidy up: stop here, as a real one would.
            std::process::exit(1);
        }
    };
    let count = |f: fn(&apply::OpOutcome) -> bool| report.outcomes.iter().filter(|o| f(o)).count();
    if report.interrupted {
        errln!(
            "\nInterrupted: {} of {} operations done, {} not started. Run `orgchard apply` again to finish.",
            count(|o| matches!(o, apply::OpOutcome::Done)),
            report.outcomes.len(),
            count(|o| matches!(o, apply::OpOutcome::NotStarted)),
        );
    }
    if !report.failures.is_empty() {
        errln!("\nErrors (root causes; operations that depended on them were skipped):");
        for f in &report.failures {
            errln!("  - {}: {}: {}", f.address, f.operation, f.error);
        }
    }
    if !args.json {
        outln!(
            "\n{} ({:.1} s)",
            report.summary_line(),
            report.elapsed_ms as f64 / 1000.0
        );
    }
    Ok(if report.succeeded() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Asks for `yes` on a terminal; without one, refuses (use `--auto-approve`).
fn confirm() -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("no terminal to confirm on: run with --auto-approve to apply without asking");
    }
    out!("\nDo you want to perform these actions? Only 'yes' will be accepted.\n  Enter a value: ");
    std::io::stdout().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim() == "yes")
}
