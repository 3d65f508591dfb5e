//! What the commands that talk to a backend share: loading the configuration with the
//! common options, choosing the backend, starting the right runtime (a paused, virtual clock
//! for the emulator), and opening a paced, retrying client.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;

use super::CommonArgs;
use crate::backend::client::{Client, RetryPolicy};
use crate::backend::{self, AwsOptions, BackendChoice, ConnectOptions};
use crate::config::{self, VarInputs};
use crate::model::Desired;

/// The loaded configuration, or the rendered diagnostics (already printed) as the error.
pub fn load_config(dir: &Path, common: &CommonArgs) -> anyhow::Result<Desired> {
    let vars = VarInputs::from_env(common.vars.clone(), common.var_files.clone());
    let (desired, diags) = config::load_with_diagnostics(dir, &vars);
    if !diags.is_empty() {
        eprint!("{}", diags.render(color(common)));
    }
    match desired {
        Some(d) if !diags.has_errors() => Ok(d),
        _ => anyhow::bail!(
            "the configuration in {} is invalid ({} error{})",
            dir.display(),
            diags.error_count(),
            if diags.error_count() == 1 { "" } else { "s" }
        ),
    }
}

/// Colors only on a terminal and without `--no-color`.
pub fn color(common: &CommonArgs) -> bool {
    !common.no_color && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// The backend: `--backend`, else the configuration's block (or the plan's), else AWS; the
/// command-line AWS options override the block's.
pub fn backend_choice(
    common: &CommonArgs,
    configured: Option<&BackendChoice>,
) -> anyhow::Result<BackendChoice> {
    let mut choice = match &common.backend {
        Some(text) => text.parse::<BackendChoice>().map_err(anyhow::Error::msg)?,
        None => configured
            .cloned()
            .unwrap_or(BackendChoice::Aws(AwsOptions::default())),
    };
    if let BackendChoice::Aws(o) = &mut choice {
        if common.profile.is_some() {
            o.profile = common.profile.clone();
        }
        if common.region.is_some() {
            o.region = common.region.clone();
        }
        if common.endpoint_url.is_some() {
            o.endpoint_url = common.endpoint_url.clone();
        }
    }
    Ok(choice)
}

/// A `backend "emulator"` block's relative path is relative to the configuration directory,
/// so a configuration means the same state file from wherever it is run.
pub fn relative_to(choice: BackendChoice, dir: &Path) -> BackendChoice {
    match choice {
        BackendChoice::Emulator { path } if path.is_relative() => BackendChoice::Emulator {
            path: dir.join(path),
        },
        other => other,
    }
}

/// A runtime for the backend: the emulator runs on tokio's paused clock, so its latency,
/// rate limits and account creations cost virtual time only.
pub fn runtime(choice: &BackendChoice) -> anyhow::Result<tokio::runtime::Runtime> {
    let rt = match choice {
        BackendChoice::Emulator { .. } => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build(),
        BackendChoice::Aws(_) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build(),
    };
    rt.context("starting the runtime")
}

/// Opens the backend and wraps it in the one paced, retrying client.
pub async fn client(
    choice: &BackendChoice,
    member_access_role: &str,
) -> anyhow::Result<Arc<Client>> {
    if let BackendChoice::Emulator { path } = choice {
        // A missing state file is created with a fresh organization, folders included.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
    }
    let api = backend::connect(
        choice,
        &ConnectOptions {
            member_access_role: member_access_role.to_string(),
        },
    )
    .await?;
    Ok(Arc::new(Client::new(
        api,
        backend::rates::aws_rate,
        RetryPolicy::default(),
    )))
}
