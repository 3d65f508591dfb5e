//! `orgchard apply [DIR | PLANFILE]`: plan (or load a saved plan and check it is not stale),
//! print it, ask for `yes`, and execute it with progress.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::CommonArgs;
use super::plan::Prepared;
use crate::apply::{self, ApplyError, ApplyOptions, EventSink};
use crate::ops::{self, ApplyRequest, Configured, MissingState, PrecheckMode, Recheck, Settings};
use crate::view::{human as render, progress};

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

pub fn run(args: ApplyArgs) -> anyhow::Result<ExitCode> {
    let from_file = args.path.is_file();
    let (plan, settings, report) = if from_file {
        let mut plan = ops::session::read_plan(&args.path)?;
        let mut settings = Settings::resolve(
            &args.common.flags(),
            Configured::SavedPlan {
                backend: plan.context.backend.as_ref(),
                file: &args.path,
            },
            MissingState::Create,
        )?;
        settings.apply_lock = args.lock.unwrap_or(settings.apply_lock);
        let report = ops::recheck_saved(&mut plan, &settings)?;
        (plan, settings, report)
    } else {
        let mut prepared =
            Prepared::load(&args.path, &args.common, &args.target, MissingState::Create)?;
        prepared.settings.apply_lock = args.lock.unwrap_or(prepared.settings.apply_lock);
        let checked = ops::plan(&prepared.request(false))
            .map_err(|e| prepared.failed(e, args.common.no_color))?;
        (checked.plan, prepared.settings, checked.report)
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
    if !args.auto_approve && !confirm()? {
        errln!("Apply cancelled.");
        return Ok(ExitCode::from(1));
    }
    let sink: Arc<dyn EventSink> = if args.json {
        Arc::new(progress::JsonLines)
    } else {
        Arc::new(progress::Human::new(std::io::stderr().is_terminal()))
    };
    let result = ops::apply(ApplyRequest {
        plan: &plan,
        settings: &settings,
        options: ApplyOptions {
            parallelism: args.parallelism,
            ..ApplyOptions::default()
        },
        lock_timeout: args.lock_timeout.unwrap_or_default(),
        // With --auto-approve the plan was read a moment ago and nothing waits, so the
        // second full read is not paid for.
        recheck: if from_file {
            Recheck::Saved
        } else if args.auto_approve {
            Recheck::Fresh
        } else {
            Recheck::Confirmed
        },
        sink,
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
