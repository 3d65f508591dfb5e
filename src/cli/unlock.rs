//! `orgchard unlock [DIR]`: remove the organization's apply lock that an apply could not
//! release (it crashed, or was killed), after saying who held it and asking for `yes`
//! (`--force` does not ask). It refuses to delete a policy with the lock's name that orgchard
//! did not write.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use clap::Args;

use super::CommonArgs;
use crate::apply::lock;
use crate::model::DEFAULT_MEMBER_ACCESS_ROLE;
use crate::model::lock::{LOCK_POLICY_NAME, LOCK_POLICY_TYPE};
use crate::ops::{Configured, MissingState, Settings, session};
use crate::plan::read::read_lock;

#[derive(Debug, Args)]
pub struct UnlockArgs {
    /// The configuration directory (for its `backend` block; not read with `--backend`).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Remove the lock without asking.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

pub fn run(args: UnlockArgs) -> anyhow::Result<ExitCode> {
    // With --backend the configuration is not needed: unlocking must work even when the
    // configuration does not load.
    let (settings, role) = if args.common.backend.is_some() {
        let s = Settings::resolve(
            &args.common.flags(),
            Configured::Nothing,
            MissingState::Refuse,
        )?;
        (s, DEFAULT_MEMBER_ACCESS_ROLE.to_string())
    } else {
        let (desired, _) = super::load_config(&args.dir, &args.common)?;
        let s = Settings::resolve(
            &args.common.flags(),
            Configured::Config {
                block: desired.backend.as_ref(),
                dir: &args.dir,
            },
            MissingState::Refuse,
        )?;
        (s, desired.organization.member_access_role.clone())
    };
    let rt = session::runtime(&settings.backend)?;
    rt.block_on(async {
        let client = session::client(&settings, &role).await?;
        let found = match read_lock(&client).await? {
            None => {
                outln!("The organization's apply lock is not held: nothing to remove.");
                return Ok(ExitCode::SUCCESS);
            }
            Some(Err(id)) => anyhow::bail!(
                "the {LOCK_POLICY_TYPE} named {LOCK_POLICY_NAME:?} ({id}) is not orgchard's apply lock (its description is not one orgchard writes); it was left alone"
            ),
            Some(Ok(found)) => found,
        };
        let now = SystemTime::now();
        outln!(
            "The organization's apply lock ({}) is held by {}.",
            found.policy_id,
            found.record.summary(now)
        );
        if !args.force && !confirm()? {
            errln!("Unlock cancelled; the lock is still held.");
            return Ok(ExitCode::from(1));
        }
        lock::remove(&client, &found.policy_id).await?;
        outln!("Removed the apply lock.");
        Ok(ExitCode::SUCCESS)
    })
}

/// Asks for `yes` on a terminal; without one, refuses (use `--force`).
fn confirm() -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "no terminal to confirm on: run with --force to remove the lock without asking (make sure no apply is running)"
        );
    }
    out!(
        "\nRemove it? An apply still running would go on without a lock. Only 'yes' will be accepted.\n  Enter a value: "
    );
    std::io::stdout().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim() == "yes")
}
