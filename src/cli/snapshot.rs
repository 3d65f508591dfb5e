//! `orgchard snapshot --out FILE`: the reader's view of the live organization written as an
//! emulator state file, to rehearse an apply offline with `emulator init --from`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::settings::{Configured, MissingState, Settings};
use super::{CommonArgs, session};
use crate::backend::emulator::{snapshot, store};
use crate::plan::{diff, read};

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// The emulator state file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// A configuration directory whose `backend` block and declared roles to use (optional:
    /// roles orgchard owns are read either way).
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub common: CommonArgs,
}

pub fn run(args: SnapshotArgs) -> anyhow::Result<ExitCode> {
    if args.out.exists() {
        anyhow::bail!(
            "{} exists; snapshot never overwrites a file",
            args.out.display()
        );
    }
    // The configuration, when there is one, says which backend and which roles to read.
    let has_config = std::fs::read_dir(&args.dir)
        .map(|d| {
            d.flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "hcl"))
        })
        .unwrap_or(false);
    let desired = if has_config {
        Some(session::load_config(&args.dir, &args.common)?.0)
    } else {
        None
    };
    let settings = Settings::resolve(
        &args.common,
        Configured::Config {
            block: desired.as_ref().and_then(|d| d.backend.as_ref()),
            dir: &args.dir,
        },
        MissingState::Refuse,
    )?;
    let role = desired
        .as_ref()
        .map(|d| d.organization.member_access_role.clone())
        .unwrap_or_else(|| crate::model::DEFAULT_MEMBER_ACCESS_ROLE.to_string());
    let rt = session::runtime(&settings.backend)?;
    let live = rt.block_on(async {
        let client = session::client(&settings, &role).await?;
        let mut live = read::read_organization(&client).await?;
        // Roles by the planner's rule: without a configuration, still every account where
        // orgchard's roles may be, or a rehearsal on the copy would create them again.
        let queries = match &desired {
            Some(d) => diff::role_queries(d, &live, &diff::bind_identities(d, &live)),
            None => diff::owned_role_queries(&live),
        };
        read::read_roles(&client, &mut live, &queries).await?;
        anyhow::Ok(live)
    })?;
    let state = snapshot::from_live(&live, &role)?;
    store::save(&args.out, &state)?;
    outln!(
        "Wrote {}: organization {}, {} OUs, {} accounts, {} customer policies. Rehearse with: orgchard emulator init COPY.json --from {}",
        args.out.display(),
        live.organization.id,
        live.ous.len(),
        live.accounts.len(),
        live.policies
            .values()
            .filter(|p| !p.summary.aws_managed)
            .count(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
