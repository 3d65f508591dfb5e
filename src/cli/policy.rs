//! `orgchard policy simulate`: reads the policy files, hands them to
//! [`crate::iam::simulate`], prints the explained decision, and maps it to the exit code
//! (0 allowed, 2 denied or indeterminate, 1 error).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::iam::simulate::{self, Document, SimulateOptions};

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
    /// (repeatable). With SCPs the principal is in a member account.
    #[arg(long, value_name = "FILES")]
    pub scp: Vec<String>,
    /// A permissions boundary policy file (repeatable).
    #[arg(long, value_name = "FILE")]
    pub permissions_boundary: Vec<PathBuf>,
    /// The resource's own policy, e.g. a role's trust policy for sts:AssumeRole.
    #[arg(long, value_name = "FILE")]
    pub resource_policy: Option<PathBuf>,
    /// The calling principal's ARN [default: arn:aws:iam::111111111111:role/SimulatedRole].
    #[arg(long, value_name = "ARN")]
    pub principal: Option<String>,
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

fn read(path: &Path) -> anyhow::Result<Document> {
    let json = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read policy file {}", path.display()))?;
    Ok(Document {
        name: path.display().to_string(),
        json,
    })
}

pub fn run(command: PolicyCommand) -> anyhow::Result<ExitCode> {
    let PolicyCommand::Simulate(args) = command;
    let mut opts = SimulateOptions {
        principal: args.principal.clone(),
        action: args.action.clone(),
        resources: args.resource.clone(),
        ..Default::default()
    };
    for p in &args.policy {
        opts.identity.push(read(p)?);
    }
    for level in &args.scp {
        let files = level
            .split(',')
            .filter(|f| !f.is_empty())
            .map(|f| read(Path::new(f)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        anyhow::ensure!(!files.is_empty(), "--scp {level:?} names no file");
        opts.scp_levels.push(files);
    }
    for p in &args.permissions_boundary {
        opts.permissions_boundary.push(read(p)?);
    }
    if let Some(p) = &args.resource_policy {
        opts.resource_policy = Some(read(p)?);
    }
    for kv in &args.context {
        let (k, v) = kv
            .split_once('=')
            .filter(|(k, _)| !k.is_empty())
            .with_context(|| format!("--context {kv:?}: expected KEY=VALUE"))?;
        opts.context.push((k.to_string(), v.to_string()));
    }
    let report = simulate::simulate(&opts)?;
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for w in &report.warnings {
            errln!("Warning: {w}");
        }
        for d in &report.decisions {
            let dec = &d.decision;
            outln!("Decision: {}", dec.outcome);
            outln!("  action:    {}", dec.action);
            outln!("  resource:  {}", dec.resource);
            outln!("  principal: {}", report.principal);
            if let Some(layer) = dec.layer {
                match dec.level {
                    Some(l) => outln!("  layer:     {layer} (level {l}, root = 0)"),
                    None => outln!("  layer:     {layer}"),
                }
            }
            match &dec.statement {
                Some(st) => {
                    outln!("  policy:    {}", st.policy_id);
                    match &st.sid {
                        Some(sid) => outln!("  statement: {} (Sid {sid})", st.index),
                        None => outln!("  statement: {}", st.index),
                    }
                }
                None if !dec.outcome.is_allowed() => {
                    outln!("  statement: no statement allows it")
                }
                None => {}
            }
            if !dec.unknown_keys.is_empty() {
                outln!("  unknown:   {}", dec.unknown_keys.join(", "));
            }
            outln!("{}", d.explanation);
        }
    }
    Ok(if report.allowed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
