//! What the operations that talk to a backend share: starting the right runtime (a paused,
//! virtual clock for the emulator), opening a paced, retrying client, and reading a saved
//! plan.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;

use super::settings::{MissingState, Settings};
use crate::api::BackendChoice;
use crate::backend::client::{Client, RetryPolicy};
use crate::backend::emulator;
use crate::backend::{self, ConnectOptions};
use crate::plan::{Plan, saved};

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

/// Opens the backend and wraps it in the one paced, retrying client. A missing emulator
/// state file is created, read as a fresh organization, or refused, as the settings say.
pub async fn client(settings: &Settings, member_access_role: &str) -> anyhow::Result<Arc<Client>> {
    let options = ConnectOptions {
        member_access_role: member_access_role.to_string(),
    };
    let api: Arc<dyn crate::api::Api> = match &settings.backend {
        BackendChoice::Emulator { path } if !path.exists() => match settings.missing_state {
            MissingState::Create => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("creating {}", dir.display()))?;
                }
                backend::connect(&settings.backend, &options).await?
            }
            MissingState::Empty => {
                let state = emulator::fresh_state(&emulator::InitOptions::default())?;
                Arc::new(emulator::Emulator::in_memory(state, &options))
            }
            MissingState::Refuse => anyhow::bail!(
                "emulator state {} does not exist: check --backend or the `backend` block, or create it with `orgchard emulator init {}`",
                path.display(),
                path.display()
            ),
        },
        _ => backend::connect(&settings.backend, &options).await?,
    };
    let client = Client::new(api, backend::rates::aws_rate, RetryPolicy::default());
    Ok(Arc::new(match settings.backend {
        // The emulator draws its faults per call, in order: with jitter from the operating
        // system, the same `--seed` would give other faults on every run.
        BackendChoice::Emulator { .. } => client.with_seed(EMULATOR_JITTER_SEED),
        // Against AWS, clients must not back off in step with each other.
        BackendChoice::Aws(_) => client,
    }))
}

/// The backoff jitter's seed against the emulator (whose own `--seed` varies the faults).
const EMULATOR_JITTER_SEED: u64 = 0x6a69_7474_6572;

/// The emulator state file that does not exist yet and that this command reads as a fresh
/// organization (`plan` before the first `apply`), for the plan to say so.
pub fn empty_emulator(settings: &Settings) -> Option<&Path> {
    match &settings.backend {
        BackendChoice::Emulator { path }
            if settings.missing_state == MissingState::Empty && !path.exists() =>
        {
            Some(path)
        }
        _ => None,
    }
}

/// Reads a plan saved by `plan --out`.
pub fn read_plan(path: &Path) -> anyhow::Result<Plan> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    saved::from_json(&text).with_context(|| format!("{} is not a usable plan", path.display()))
}
