//! The embedded AWS Organizations + IAM + STS emulator: AWS's rules, quotas, error codes and
//! rate limits on a virtual clock, with its whole state in one JSON file.

use std::path::Path;

use async_trait::async_trait;

use super::{Api, ApiError, ConnectError, ConnectOptions, Request, Response, Scope};

/// An emulated organization backed by one state file.
pub struct Emulator {
    path: std::path::PathBuf,
}

impl Emulator {
    /// Opens (creating when missing) and locks the state file.
    pub fn open(path: &Path, _options: &ConnectOptions) -> Result<Emulator, ConnectError> {
        Err(ConnectError::Emulator {
            path: path.to_path_buf(),
            message: "the emulator is not available in this build yet".to_string(),
        })
    }
}

#[async_trait]
impl Api for Emulator {
    async fn call(&self, _scope: &Scope, request: Request) -> Result<Response, ApiError> {
        Err(ApiError::new(
            request.operation(),
            "OrgchardEndpointError",
            "the emulator is not available in this build yet",
        ))
    }

    fn describe(&self) -> String {
        format!("emulator {}", self.path.display())
    }
}
