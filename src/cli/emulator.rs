//! `orgchard emulator init|stats`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum EmulatorCommand {
    /// Create an emulator state file: a fresh organization, or a copy of a snapshot.
    Init(InitArgs),
    /// Print the calls the emulator received, per API, and its virtual elapsed time.
    Stats(StatsArgs),
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

pub fn run(_command: EmulatorCommand) -> anyhow::Result<ExitCode> {
    super::not_yet("emulator")
}
