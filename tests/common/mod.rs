//! Helpers shared by the emulator's integration tests: state files in temporary directories,
//! and the assertion that a rejected call returns AWS's error and leaves the file unchanged.

#![allow(dead_code)]

use std::path::PathBuf;

use orgchard::api::{Api, ApiError, Request, Response, Scope};
use orgchard::backend::ConnectOptions;
use orgchard::backend::emulator::{self, Emulator, InitOptions, State};

pub struct Env {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub emu: Emulator,
}

/// Options for tests: no rate limits (tests of rate limits turn them on).
pub fn options() -> InitOptions {
    InitOptions {
        rate_limits: false,
        ..InitOptions::default()
    }
}

/// A fresh state file made by `init` with `options`, opened.
pub fn fresh(options: InitOptions) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    emulator::init(&path, &options).unwrap();
    let emu = Emulator::open(&path, &ConnectOptions::default()).unwrap();
    Env { dir, path, emu }
}

/// A state built in memory, saved to a file, opened.
pub fn from_state(state: &State) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    emulator::store::save(&path, state).unwrap();
    let emu = Emulator::open(&path, &ConnectOptions::default()).unwrap();
    Env { dir, path, emu }
}

impl Env {
    pub fn state(&self) -> State {
        self.emu.state()
    }

    pub fn root(&self) -> String {
        self.state().organization.root_id
    }

    pub fn mgmt(&self) -> String {
        self.state().organization.management_account_id
    }

    pub async fn ok(&self, request: Request) -> Response {
        let op = request.operation();
        match self.emu.call(&Scope::Management, request).await {
            Ok(r) => r,
            Err(e) => panic!("{op} failed: {e}"),
        }
    }

    /// Calls and expects AWS's error `code` (and `reason`), with the state file byte for byte
    /// as it was before the call.
    pub async fn rejected_in(
        &self,
        scope: &Scope,
        request: Request,
        code: &str,
        reason: Option<&str>,
    ) -> ApiError {
        let before = std::fs::read(&self.path).unwrap();
        let op = request.operation();
        let e = match self.emu.call(scope, request).await {
            Ok(r) => panic!("{op} succeeded with {r:?}; expected {code}"),
            Err(e) => e,
        };
        assert_eq!(e.code, code, "{e}");
        assert_eq!(e.reason.as_deref(), reason, "{e}");
        let after = std::fs::read(&self.path).unwrap();
        assert!(
            before == after,
            "the state file changed after the rejected {op}"
        );
        e
    }

    pub async fn rejected(&self, request: Request, code: &str, reason: Option<&str>) -> ApiError {
        self.rejected_in(&Scope::Management, request, code, reason)
            .await
    }
}
