//! `orgchard apply [DIR | PLANFILE]`: plan (or load a saved plan and check it is not stale),
//! print it, ask for `yes`, and execute it with progress.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::settings::{Configured, MissingState, Settings};
use super::{CommonArgs, PrecheckMode, session};
use crate::apply::{self, ApplyError, ApplyOptions, EventSink, lock, progress};
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
    /// Hold the organization's apply lock while changing it (`--lock=false` to skip). Default:
    /// on for the AWS backend, off for the emulator (whose state file is locked anyway).
    #[arg(
        long,
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true"
    )]
    pub lock: Option<bool>,
    /// How long to wait for an apply lock another apply holds (e.g. `90s`, `10m`, `1h`),
    /// trying again every 10 seconds. Default: do not wait.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub lock_timeout: Option<Duration>,
    #[command(flatten)]
    pub common: CommonArgs,
}

const STALE_PLAN: &str = "the saved plan is stale: the organization has changed since it was made; run `orgchard plan` again";

pub fn run(args: ApplyArgs) -> anyhow::Result<ExitCode> {
    let from_file = args.path.is_file();
    let (plan, settings, report) = if from_file {
        let mut plan = super::show::read_plan(&args.path)?;
        let mut settings = Settings::resolve(
            &args.common,
            Configured::SavedPlan {
                backend: plan.context.backend.as_ref(),
                file: &args.path,
            },
            MissingState::Create,
        )?;
        settings.apply_lock = args.lock.unwrap_or(settings.apply_lock);
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
            args.lock,
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
        // Listening before the lock is taken: an interrupt from here on ends the apply the
        // orderly way, releasing the lock, instead of killing the process with the lock held.
        let interrupt = apply::interrupt_on_ctrl_c();
        let held = if settings.apply_lock {
            Some(take_lock(&client, &args, interrupt.clone()).await?)
        } else {
            None
        };
        let run = async {
            // A lock that had to be waited for was another apply's: the plan is checked
            // against what that apply left.
            let waited = held.as_ref().is_some_and(|h| h.waited);
            if from_file && !plan::is_current(&plan, &client).await? {
                anyhow::bail!(STALE_PLAN);
            }
            if (asked || (waited && !from_file)) && !plan::is_current(&plan, &client).await? {
                anyhow::bail!(
                    "the organization changed while the plan waited for confirmation (or for the apply lock), so the plan is stale; nothing was changed. Run `orgchard apply` again to plan against the current state"
                );
            }
            Ok(apply::apply(&plan, client.clone(), &options, sink, interrupt).await)
        };
        let result = run.await;
        // A simulated crash leaves the lock behind, as a real one would.
        let crashed = matches!(result, Ok(Err(ApplyError::SimulatedCrash(_))));
        if let Some(h) = held
            && !crashed
            && let Err(e) = h.release(&client).await
        {
            errln!(
                "orgchard: the apply lock could not be released ({e}); it expires after its lease, or remove it with `orgchard unlock`"
            );
        }
        result
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

/// Takes the organization's apply lock for the caller, waiting as `--lock-timeout` says.
async fn take_lock(
    client: &Arc<crate::backend::client::Client>,
    args: &ApplyArgs,
    interrupt: Arc<std::sync::atomic::AtomicBool>,
) -> anyhow::Result<lock::HeldLock> {
    use crate::backend::{ApiExt, GetCallerIdentityInput, Scope};
    let me = client
        .get_caller_identity(&Scope::Management, GetCallerIdentityInput {})
        .await?;
    let options = lock::LockOptions {
        timeout: args.lock_timeout.unwrap_or_default(),
        interrupt,
        ..lock::LockOptions::default()
    };
    Ok(lock::acquire(client.clone(), &me.arn, &lock::run_id(), &options).await?)
}

/// A duration as `--lock-timeout` takes it: a number with `s`, `m` or `h` (seconds without).
fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (number, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration: write e.g. 90s, 10m or 1h"))?;
    let secs = match unit.trim() {
        "s" | "sec" => n,
        "m" | "min" => n * 60,
        "h" => n * 3600,
        other => {
            return Err(format!(
                "unknown unit {other:?} in {text:?}: accepted are s, m and h (e.g. 90s, 10m, 1h)"
            ));
        }
    };
    Ok(Duration::from_secs(secs))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_timeouts_parse_with_their_unit() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        let e = parse_duration("5d").unwrap_err();
        assert!(e.contains("s, m and h"), "{e}");
        assert!(parse_duration("soon").is_err());
    }
}
