//! The backends behind the API seam ([`crate::api::Api`]): the AWS SDK adapter ([`aws`]),
//! the embedded emulator ([`emulator`]), opening the one chosen ([`connect`]), and the paced,
//! retrying [`client`] every caller goes through.
//!
//! Backends do not retry and do not sleep between calls on their own: retry and pacing are the
//! client's policy. Time is tokio's clock: the emulator runs on a paused tokio clock (virtual
//! time), the AWS backend on the real one, so the same waiting code serves both.

#[cfg(feature = "aws")]
pub mod aws;
pub mod client;
pub mod emulator;
pub mod rates;

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::api::{Api, BackendChoice};

/// Options every backend needs to know about the organization it serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectOptions {
    /// The role assumed in member accounts to manage the roles inside them
    /// (`organization.member_access_role`).
    pub member_access_role: String,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            member_access_role: "OrganizationAccountAccessRole".to_string(),
        }
    }
}

/// Why a backend could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The emulator state file could not be opened, locked, read or created.
    #[error("emulator state {path}: {message}")]
    Emulator { path: PathBuf, message: String },
    /// The AWS SDK could not be configured (no region, no credentials, bad profile, …).
    #[error("AWS backend: {0}")]
    Aws(String),
    /// This build has no AWS backend.
    #[error("this orgchard was built without the `aws` feature; use --backend emulator:PATH")]
    AwsNotBuilt,
}

/// Opens the chosen backend.
pub async fn connect(
    choice: &BackendChoice,
    options: &ConnectOptions,
) -> Result<Arc<dyn Api>, ConnectError> {
    match choice {
        BackendChoice::Emulator { path } => Ok(Arc::new(emulator::Emulator::open(path, options)?)),
        #[cfg(feature = "aws")]
        BackendChoice::Aws(aws_options) => Ok(Arc::new(
            aws::AwsBackend::connect(aws_options, options).await?,
        )),
        #[cfg(not(feature = "aws"))]
        BackendChoice::Aws(_) => Err(ConnectError::AwsNotBuilt),
    }
}
