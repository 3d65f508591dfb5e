//! Why the state file or its journal could not be used: the one error of the on-disk layer,
//! shared by the store (the snapshot and its lock) and the journal (the calls appended after
//! it). It lives apart from both so that the journal need not import the store: the store
//! reads and writes journals, never the other way round.

use std::path::{Path, PathBuf};

use super::state::FORMAT_VERSION;

/// Why the state file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the lock.
    #[error("{path} is in use by another orgchard process (pid {pid}){}", served_at.as_ref().map(|url| format!(", which serves it at {url}: run against it with `--backend aws --endpoint-url {url}`, or stop it first")).unwrap_or_default())]
    Locked {
        path: PathBuf,
        pid: String,
        /// The endpoint when the holder is `orgchard emulator serve`.
        served_at: Option<String>,
    },
    /// Reading, writing or locking failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not an emulator state.
    #[error("{path} is not a valid emulator state file: {message}")]
    Invalid { path: PathBuf, message: String },
    /// The file was written by an incompatible orgchard.
    #[error(
        "{path} has state format_version {found}; this orgchard reads version {FORMAT_VERSION}"
    )]
    Version { path: PathBuf, found: u64 },
}

/// Maps an I/O error on `path` to [`StoreError::Io`].
pub(super) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}
