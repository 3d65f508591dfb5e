//! `orgchard explain ACCOUNT [ACTION]`: builds the tree as `chart` does, asks
//! [`crate::explain`], prints the answer, and maps it to the exit code (0 allowed, 2 denied or
//! indeterminate, 1 error). Without an action it lists what the organization denies in the
//! account; with a plan, what changes for it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use super::CommonArgs;
use super::chart::{From, load};
use crate::explain::{self, Chain, Denials, Explanation, Question, denials::How};
use crate::iam::Outcome;
use crate::ops::trees::Trees;
use crate::orgtree::OrgTree;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The account: its address (account.prod), name or id.
    pub account: String,
    /// The action, e.g. s3:PutObject. Without it, list what the organization denies.
    pub action: Option<String>,
    /// The configuration directory.
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
    /// A plan file saved by `plan --out`: explain over the live organization after it.
    #[arg(long, value_name = "FILE", conflicts_with = "plan")]
    pub planfile: Option<PathBuf>,
    /// The resource ARN [default: *]. RCPs apply when it is in an account of the organization.
    #[arg(long, value_name = "ARN")]
    pub resource: Option<String>,
    /// The calling principal [default: a role of the account].
    #[arg(long, value_name = "ARN")]
    pub principal: Option<String>,
    /// A request context value: KEY=VALUE (repeatable; repeat a key for a multi-valued key).
    #[arg(long, value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Where to read the organization [default: config; live with a plan].
    #[arg(long, value_enum)]
    pub from: Option<From>,
    /// Plan the configuration against the live organization and show what changes.
    #[arg(long)]
    pub plan: bool,
    /// Print the answer as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

fn question(tree: &OrgTree, args: &ExplainArgs, action: &str) -> anyhow::Result<Question> {
    let account = tree.find_account(&args.account)?;
    let mut context = Vec::new();
    for kv in &args.context {
        let (k, v) = kv
            .split_once('=')
            .filter(|(k, _)| !k.is_empty())
            .with_context(|| format!("--context {kv:?}: expected KEY=VALUE"))?;
        context.push((k.to_string(), v.to_string()));
    }
    Ok(Question {
        account,
        action: action.to_string(),
        resource: args.resource.clone(),
        principal: args.principal.clone(),
        context,
    })
}

pub fn run(args: ExplainArgs) -> anyhow::Result<ExitCode> {
    let path = args.planfile.as_ref().unwrap_or(&args.dir);
    anyhow::ensure!(
        args.planfile.is_none() || path.is_file(),
        "--planfile {}: no such file",
        path.display()
    );
    let trees = load(path, args.from, args.plan, &args.common)?;
    match args.action.clone() {
        Some(action) => decide(&trees, &args, &action),
        None => list(&trees, &args),
    }
}

fn decide(trees: &Trees, args: &ExplainArgs, action: &str) -> anyhow::Result<ExitCode> {
    // With a plan, the account may only exist after it.
    let tree = trees.current();
    let now = explain::explain(tree, &question(tree, args, action)?)?;
    let before = match &trees.after {
        Some(_) => trees
            .before
            .find_account(&args.account)
            .ok()
            .map(|_| question(&trees.before, args, action))
            .transpose()?
            .map(|q| explain::explain(&trees.before, &q))
            .transpose()?,
        None => None,
    };
    if args.json {
        let json = match &before {
            Some(b) => serde_json::json!({ "before": b, "after": now }),
            None => serde_json::to_value(&now)?,
        };
        outln!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        if let Some(b) = &before {
            if b.decision.outcome != now.decision.outcome {
                outln!(
                    "The plan changes the decision: {} before, {} after.\n",
                    b.decision.outcome,
                    now.decision.outcome
                );
            } else {
                outln!("The plan does not change the decision.\n");
            }
        }
        print_explanation(&now);
    }
    Ok(if now.allowed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

fn verdict(o: Outcome) -> &'static str {
    match o {
        Outcome::Allow => "allows",
        Outcome::ExplicitDeny => "denies",
        Outcome::ImplicitDeny => "does not allow",
        Outcome::Indeterminate => "depends on unknown keys",
    }
}

fn print_chain(
    title: &str,
    chain: &Chain,
    decision: &crate::iam::Decision,
    layer: crate::iam::Layer,
) {
    match chain {
        Chain::No { reason } => outln!("{title}: not applied: {reason}."),
        Chain::Yes { levels } => {
            outln!("{title}, root first:");
            for l in levels {
                let deciding = decision.layer == Some(layer) && decision.level == Some(l.level);
                let why = match &l.statement {
                    Some(st) => format!(" by {st}"),
                    None if l.policies.is_empty() => " (no policy attached)".to_string(),
                    None => String::new(),
                };
                let unknown = if l.unknown_keys.is_empty() {
                    String::new()
                } else {
                    format!(" [unknown: {}]", l.unknown_keys.join(", "))
                };
                outln!(
                    "  {} level {} {}: {}{why}{unknown}",
                    if deciding { "▶" } else { " " },
                    l.level,
                    l.node,
                    verdict(l.outcome)
                );
                if !l.policies.is_empty() {
                    outln!("      attached: {}", l.policies.join(", "));
                }
            }
        }
    }
}

fn print_explanation(e: &Explanation) {
    for w in &e.warnings {
        errln!("Warning: {w}");
    }
    outln!("Decision: {}", e.decision.outcome);
    outln!("  account:   {}", e.account);
    outln!("  principal: {}", e.principal);
    outln!("  action:    {}", e.action);
    outln!("  resource:  {}", e.resource);
    outln!();
    print_chain(
        "Service control policies",
        &e.scp,
        &e.decision,
        crate::iam::Layer::Scp,
    );
    print_chain(
        "Resource control policies",
        &e.rcp,
        &e.decision,
        crate::iam::Layer::Rcp,
    );
    outln!();
    outln!("{}", e.explanation);
}

fn group_lines(d: &Denials) -> Vec<(String, String)> {
    d.groups
        .iter()
        .map(|g| {
            let what = if g.whole_service {
                format!("every {} action ({})", g.service, g.actions.len())
            } else if g.actions.len() > 8 {
                format!(
                    "{} and {} more",
                    g.actions[..8].join(", "),
                    g.actions.len() - 8
                )
            } else {
                g.actions.join(", ")
            };
            let why = match g.how {
                How::Denied => format!(
                    "denied by {} at level {} {}",
                    g.statement
                        .as_ref()
                        .map(|s| s.to_string())
                        .unwrap_or_default(),
                    g.level,
                    g.node
                ),
                How::NotAllowed => format!(
                    "not allowed at level {} {} [{}]",
                    g.level,
                    g.node,
                    if g.policies.is_empty() {
                        "no policy attached".to_string()
                    } else {
                        g.policies.join(", ")
                    }
                ),
            };
            let when = if g.conditions.is_empty() {
                "always".to_string()
            } else {
                g.conditions.clone()
            };
            (
                g.service.clone(),
                format!("{what}\n      {why}\n      {when}"),
            )
        })
        .collect()
}

fn print_denials(d: &Denials) {
    for w in &d.warnings {
        errln!("Warning: {w}");
    }
    outln!("Account: {}", d.account);
    if let Some(why) = &d.exempt {
        outln!("Nothing is denied by the organization's policies: {why}.");
        return;
    }
    if d.groups.is_empty() && d.allow_lists.is_empty() {
        outln!("The organization's SCPs deny nothing in this account.");
        return;
    }
    let mut service = None;
    for (s, line) in group_lines(d) {
        if service.as_ref() != Some(&s) {
            outln!(
                "\n{}:",
                if s == "*" {
                    "Every service".to_string()
                } else {
                    s.clone()
                }
            );
            service = Some(s);
        }
        outln!("  - {line}");
    }
    for a in &d.allow_lists {
        outln!(
            "\nLevel {} {} allows only: {}; every other action is denied.",
            a.level,
            a.node,
            if a.allowed.is_empty() {
                "nothing".to_string()
            } else {
                a.allowed.join(", ")
            }
        );
    }
}

fn list(trees: &Trees, args: &ExplainArgs) -> anyhow::Result<ExitCode> {
    let tree = trees.current();
    let account = tree.find_account(&args.account)?;
    let now = explain::denials(tree, account)?;
    let before = match &trees.after {
        Some(_) => match trees.before.find_account(&args.account) {
            Ok(i) => Some(explain::denials(&trees.before, i)?),
            Err(_) => None,
        },
        None => None,
    };
    if args.json {
        let json = match &before {
            Some(b) => serde_json::json!({ "before": b, "after": now }),
            None => serde_json::to_value(&now)?,
        };
        outln!("{}", serde_json::to_string_pretty(&json)?);
        return Ok(ExitCode::SUCCESS);
    }
    if trees.after.is_some() {
        let old: Vec<(String, String)> = before.as_ref().map(group_lines).unwrap_or_default();
        let new = group_lines(&now);
        let added: Vec<_> = new.iter().filter(|l| !old.contains(l)).collect();
        let removed: Vec<_> = old.iter().filter(|l| !new.contains(l)).collect();
        if before.is_none() {
            outln!("The account is created by the plan.");
        }
        if added.is_empty() && removed.is_empty() {
            outln!("The plan does not change what is denied in this account.\n");
        } else {
            outln!("What the plan changes for this account:");
            for (s, l) in &added {
                outln!("  + [{s}] {l}");
            }
            for (s, l) in &removed {
                outln!("  - [{s}] {l}");
            }
            outln!("\nAfter the plan:");
        }
    }
    print_denials(&now);
    Ok(ExitCode::SUCCESS)
}
