//! `orgchard policy simulate`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Evaluate one request offline as AWS would, and explain the decision. Exit 0 allowed,
    /// 2 denied, 1 error.
    Simulate(SimulateArgs),
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// An identity policy file (repeatable).
    #[arg(long, value_name = "FILE", required = true)]
    pub policy: Vec<PathBuf>,
    /// One level of the SCP chain, root first; comma-separated files within a level
    /// (repeatable).
    #[arg(long, value_name = "FILES")]
    pub scp: Vec<String>,
    /// The action, e.g. organizations:AttachPolicy.
    #[arg(long)]
    pub action: String,
    /// The resource ARN (repeatable).
    #[arg(long, value_name = "ARN", required = true)]
    pub resource: Vec<String>,
    /// A request context value: KEY=VALUE (repeatable; repeat a key for a multi-valued key).
    #[arg(long, value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Print the decision as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(_command: PolicyCommand) -> anyhow::Result<ExitCode> {
    super::not_yet("policy simulate")
}
