//! The `orgchard` command line: clap definitions turned into settings once, and one thin
//! function per command that calls a library operation and maps its result to an exit code
//! (0 success, 1 any error, 2 changes present with `--detailed-exitcode`, 2 denied for
//! `policy simulate`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::{self, VarInputs};
use crate::diag::Diagnostics;
use crate::model::Desired;
use crate::ops::{self, PlanError, PrecheckMode};
use crate::plan::MakePlanError;

mod apply;
mod chart;
mod emulator;
mod explain;
mod fmt;
mod graph;
mod import;
mod plan;
mod policy;
mod show;
mod snapshot;
mod unlock;
mod validate;

/// Manage an AWS Organization as code.
#[derive(Debug, Parser)]
#[command(name = "orgchard", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse and evaluate the configuration and check it against the AWS rules that need no
    /// live state. Touches no backend.
    Validate(validate::ValidateArgs),
    /// Rewrite the HCL files in canonical format.
    Fmt(fmt::FmtArgs),
    /// Read the live organization, diff it with the configuration, order and pre-check the
    /// changes, and print the plan.
    Plan(plan::PlanArgs),
    /// Plan (or load a saved plan), ask for confirmation, and execute it.
    Apply(apply::ApplyArgs),
    /// Write HCL that describes the live organization, ids pinned.
    Import(import::ImportArgs),
    /// Print the plan's operation graph in Graphviz DOT.
    Graph(graph::GraphArgs),
    /// Print a saved plan.
    Show(show::ShowArgs),
    /// Create and inspect embedded emulator state files.
    #[command(subcommand)]
    Emulator(emulator::EmulatorCommand),
    /// Offline IAM policy tools.
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    /// Write the live organization as an emulator state file.
    Snapshot(snapshot::SnapshotArgs),
    /// Remove the organization's apply lock left by an apply that could not release it.
    Unlock(unlock::UnlockArgs),
    /// Draw the organization: OUs, accounts and attached policies, with a plan's changes
    /// marked (Mermaid, Graphviz DOT or SVG).
    Chart(chart::ChartArgs),
    /// Explain whether the organization's policies allow an action in an account, level by
    /// level; without an action, list what they deny there. Exit 0 allowed, 2 denied, 1
    /// error.
    Explain(explain::ExplainArgs),
}

/// Options shared by every command that evaluates a configuration or talks to a backend.
#[derive(Debug, Clone, Args, Default)]
pub struct CommonArgs {
    /// Set a variable: -var NAME=VALUE (repeatable).
    #[arg(long = "var", short = 'v', value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Read variables from an HCL file (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// The backend: `emulator:PATH` or `aws`. Default: the configuration's `backend` block,
    /// else `aws`. Also read from ORGCHARD_BACKEND.
    #[arg(long, env = "ORGCHARD_BACKEND", value_name = "emulator:PATH|aws")]
    pub backend: Option<String>,
    /// An AWS-compatible endpoint (moto, LocalStack). Also read from AWS_ENDPOINT_URL.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// The AWS profile to use.
    #[arg(long)]
    pub profile: Option<String>,
    /// The AWS region to use.
    #[arg(long)]
    pub region: Option<String>,
    /// Permission pre-check mode.
    #[arg(long, value_enum, default_value_t = PrecheckMode::Strict)]
    pub precheck: PrecheckMode,
    /// Pre-check against this identity policy instead of the caller's.
    #[arg(long, value_name = "FILE")]
    pub as_policy: Option<PathBuf>,
    /// Disable colored output.
    #[arg(long)]
    pub no_color: bool,
}

impl CommonArgs {
    /// The options settings are resolved from.
    pub fn flags(&self) -> ops::Flags {
        ops::Flags {
            backend: self.backend.clone(),
            endpoint_url: self.endpoint_url.clone(),
            profile: self.profile.clone(),
            region: self.region.clone(),
            precheck: self.precheck,
            as_policy: self.as_policy.clone(),
            no_color: self.no_color,
        }
    }
}

/// The loaded configuration with its diagnostics (warnings only, already printed; they hold
/// the sources that later errors quote), or the rendered diagnostics (already printed) as
/// the error.
fn load_config(dir: &Path, common: &CommonArgs) -> anyhow::Result<(Desired, Diagnostics)> {
    let vars = VarInputs::from_env(common.vars.clone(), common.var_files.clone());
    let (desired, diags) = config::load_with_diagnostics(dir, &vars);
    if !diags.is_empty() {
        err!(
            "{}",
            diags.render(ops::settings::color_stderr(common.no_color))
        );
    }
    match desired {
        Some(d) if !diags.has_errors() => Ok((d, diags)),
        _ => anyhow::bail!(
            "the configuration in {} is invalid ({} error{})",
            dir.display(),
            diags.error_count(),
            if diags.error_count() == 1 { "" } else { "s" }
        ),
    }
}

/// A plan that could not be made, as the error to return: the plan's own errors are printed
/// first the way `validate` prints the configuration's, quoting the source they are about.
fn plan_failed(e: PlanError, config: &Diagnostics, color: bool) -> anyhow::Error {
    match e {
        PlanError::Make(MakePlanError::Invalid(errors)) => {
            let n = errors.len();
            err!("{}", config.quoting(errors).render(color));
            anyhow::anyhow!(
                "the configuration cannot be applied to this organization ({n} error{})",
                if n == 1 { "" } else { "s" }
            )
        }
        PlanError::Make(other) => other.into(),
        PlanError::Other(e) => e,
    }
}

/// Terraform accepts `-var` with one dash; so does orgchard.
fn normalize_args(args: impl IntoIterator<Item = String>) -> Vec<String> {
    args.into_iter()
        .map(|a| match a.as_str() {
            "-var" => "--var".to_string(),
            "-var-file" => "--var-file".to_string(),
            _ => {
                if let Some(rest) = a.strip_prefix("-var=") {
                    format!("--var={rest}")
                } else if let Some(rest) = a.strip_prefix("-var-file=") {
                    format!("--var-file={rest}")
                } else {
                    a
                }
            }
        })
        .collect()
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    // clap exits 2 on usage errors, which `policy simulate` uses for "denied" and
    // `--detailed-exitcode` for "changes"; orgchard's usage errors exit 1 like any error.
    let cli = match Cli::try_parse_from(normalize_args(std::env::args())) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Validate(a) => validate::run(a),
        Command::Fmt(a) => fmt::run(a),
        Command::Plan(a) => plan::run(a),
        Command::Apply(a) => apply::run(a),
        Command::Import(a) => import::run(a),
        Command::Graph(a) => graph::run(a),
        Command::Show(a) => show::run(a),
        Command::Emulator(c) => emulator::run(c),
        Command::Policy(c) => policy::run(c),
        Command::Snapshot(a) => snapshot::run(a),
        Command::Unlock(a) => unlock::run(a),
        Command::Chart(a) => chart::run(a),
        Command::Explain(a) => explain::run(a),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            errln!("Error: {}", error_text(&err));
            ExitCode::from(1)
        }
    }
}

/// The error and its causes on one line. A cause whose text the line already holds is left
/// out: an error that quotes its source (`reading the organization: {0}`) would otherwise
/// print it twice. Huge values quoted in it are shortened.
fn error_text(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let cause = cause.to_string();
        if text.contains(&cause) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause);
    }
    crate::output::shorten(&text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn an_error_that_quotes_its_source_says_it_once() {
        use crate::api::{ApiError, Operation};
        let api = ApiError::new(
            Operation::DescribeOrganization,
            "AWSOrganizationsNotInUseException",
            "not in an organization",
        );
        let err =
            anyhow::Error::from(crate::plan::MakePlanError::Read(api.clone())).context("planning");
        let text = error_text(&err);
        assert_eq!(text, format!("planning: reading the organization: {api}"));
        assert_eq!(text.matches("DescribeOrganization").count(), 1, "{text}");
        // Causes that add something are all kept.
        let err = anyhow::anyhow!("inner").context("middle").context("outer");
        assert_eq!(error_text(&err), "outer: middle: inner");
    }

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn single_dash_var_is_accepted() {
        let args = normalize_args(
            ["orgchard", "validate", "-var", "a=b", "-var-file=x.hcl"].map(String::from),
        );
        let cli = Cli::parse_from(args);
        match cli.command {
            Command::Validate(a) => {
                assert_eq!(a.common.vars, vec!["a=b"]);
                assert_eq!(a.common.var_files, vec![PathBuf::from("x.hcl")]);
            }
            other => panic!("parsed as {other:?}"),
        }
    }
}
