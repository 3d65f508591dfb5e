//! `orgchard emulator init|stats|export`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, anyhow, bail};
use clap::{Args, Subcommand};

use crate::backend::emulator::{self, InitOptions};

#[derive(Debug, Subcommand)]
pub enum EmulatorCommand {
    /// Create an emulator state file: a fresh organization, or a copy of a snapshot.
    Init(InitArgs),
    /// Print the calls the emulator received, per API, and its virtual elapsed time.
    Stats(StatsArgs),
    /// Print the whole state, its journal replayed, as indented JSON (the layout of a state
    /// file, so the output can be saved as one).
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The state file.
    pub path: PathBuf,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The state file to create.
    pub path: PathBuf,
    /// Start from this snapshot (written by `orgchard snapshot`).
    #[arg(long, value_name = "SNAPSHOT")]
    pub from: Option<PathBuf>,
    /// An identity policy of the emulated caller (repeatable). Default: administrator.
    #[arg(long, value_name = "FILE")]
    pub caller_policy: Vec<PathBuf>,
    /// Seed for fault injection and generated ids.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Fault injection: throttle=R,concurrent=R,server=R,crash_after=N.
    #[arg(long, value_name = "SPEC")]
    pub faults: Option<String>,
    /// Virtual latency per call, in milliseconds.
    #[arg(long, value_name = "N")]
    pub latency_ms: Option<u64>,
    /// AWS's per-API request rates on the virtual clock.
    #[arg(long, value_name = "aws|off")]
    pub rate_limits: Option<String>,
    /// Override a quota: NAME=N (repeatable).
    #[arg(long, value_name = "NAME=N")]
    pub quota: Vec<String>,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// The state file.
    pub path: PathBuf,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(command: EmulatorCommand) -> anyhow::Result<ExitCode> {
    match command {
        EmulatorCommand::Init(args) => init(args),
        EmulatorCommand::Stats(args) => stats(args),
        EmulatorCommand::Export(args) => export(args),
    }
}

/// Turns the command-line options into [`InitOptions`], naming the option of any bad value.
fn init_options(args: &InitArgs) -> anyhow::Result<InitOptions> {
    let mut options = InitOptions {
        from: args.from.clone(),
        ..InitOptions::default()
    };
    if let Some(seed) = args.seed {
        options.seed = seed;
    }
    if let Some(spec) = &args.faults {
        options.faults = emulator::parse_faults(spec)?;
    }
    if let Some(ms) = args.latency_ms {
        options.latency_ms = ms;
    }
    options.rate_limits = match args.rate_limits.as_deref() {
        None | Some("aws") => true,
        Some("off") => false,
        Some(other) => bail!("invalid --rate-limits {other:?}: accepted are `aws` and `off`"),
    };
    for q in &args.quota {
        let (name, value) = q
            .split_once('=')
            .with_context(|| format!("invalid --quota {q:?}: expected NAME=N"))?;
        if emulator::default_quota(name).is_none() {
            bail!(
                "invalid --quota {q:?}: unknown quota {name:?}; accepted quotas: {}",
                emulator::quota_names()
            );
        }
        let value: u64 = value
            .parse()
            .map_err(|_| anyhow!("invalid --quota {q:?}: {value:?} is not a whole number"))?;
        options.quotas.insert(name.to_string(), value);
    }
    for file in &args.caller_policy {
        let doc = std::fs::read_to_string(file)
            .with_context(|| format!("--caller-policy {}", file.display()))?;
        let name = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "caller-policy".into());
        options.caller_policies.push((name, doc));
    }
    Ok(options)
}

fn init(args: InitArgs) -> anyhow::Result<ExitCode> {
    let options = init_options(&args)?;
    emulator::init(&args.path, &options)?;
    let state = emulator::store::load(&args.path)?;
    outln!(
        "Created emulator state {}: organization {}, management account {}, root {}.",
        args.path.display(),
        state.organization.id,
        state.organization.management_account_id,
        state.organization.root_id
    );
    Ok(ExitCode::SUCCESS)
}

fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    use std::io::Write;
    let state = emulator::store::load(&args.path)?;
    let text = serde_json::to_string_pretty(&state)?;
    match writeln!(std::io::stdout().lock(), "{text}") {
        // A reader that stopped early (`| head`) wanted no more.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other?,
    }
    Ok(ExitCode::SUCCESS)
}

fn stats(args: StatsArgs) -> anyhow::Result<ExitCode> {
    // The state file is replaced atomically and the journal only appended to, so both can be
    // read while another process uses them.
    let state = emulator::store::load(&args.path)?;
    let stats = emulator::Stats::of(&state);
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&stats)?);
        return Ok(ExitCode::SUCCESS);
    }
    outln!("{:<40} {:>8} {:>8}  kind", "API", "calls", "errors");
    for (name, c) in &stats.calls {
        let kind = if c.mutating { "mutation" } else { "read" };
        outln!("{name:<40} {:>8} {:>8}  {kind}", c.calls, c.errors);
    }
    outln!(
        "Total: {} reads, {} mutations, {} errors; virtual time elapsed {:.3} s.",
        stats.reads,
        stats.mutations,
        stats.errors,
        stats.virtual_elapsed_ms as f64 / 1000.0
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> InitArgs {
        use clap::Parser;
        #[derive(Parser)]
        struct Wrapper {
            #[command(flatten)]
            init: InitArgs,
        }
        let mut argv = vec!["x", "state.json"];
        argv.extend_from_slice(extra);
        Wrapper::parse_from(argv).init
    }

    #[test]
    fn options_are_parsed_and_bad_values_named() {
        let o = init_options(&args(&[
            "--seed",
            "9",
            "--faults",
            "throttle=0.5",
            "--latency-ms",
            "20",
            "--rate-limits",
            "off",
            "--quota",
            "accounts=50",
        ]))
        .unwrap();
        assert_eq!(o.seed, 9);
        assert_eq!(o.faults.throttle, 0.5);
        assert_eq!(o.latency_ms, 20);
        assert!(!o.rate_limits);
        assert_eq!(o.quotas["accounts"], 50);

        let e = init_options(&args(&["--rate-limits", "fast"])).unwrap_err();
        assert!(e.to_string().contains("--rate-limits") && e.to_string().contains("`off`"));
        let e = init_options(&args(&["--quota", "bananas=3"])).unwrap_err();
        assert!(e.to_string().contains("accepted quotas"), "{e}");
        let e = init_options(&args(&["--quota", "accounts=x"])).unwrap_err();
        assert!(e.to_string().contains("not a whole number"), "{e}");
        let e = init_options(&args(&["--faults", "crash_after=0"])).unwrap_err();
        assert!(e.to_string().contains("--faults"), "{e}");
    }
}
