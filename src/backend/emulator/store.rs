//! The state file on disk: loading, atomic saving, and the exclusive lock that keeps two
//! orgchard processes from using one emulator at once.
//!
//! Saving writes a temporary file in the same directory, fsyncs it, renames it over the state
//! file and fsyncs the directory, so that after a crash at any instant the file holds either
//! the previous or the new state, never a torn one. The lock is taken on a sidecar file
//! (`STATE.lock`), not on the state file itself, because the rename replaces the state file's
//! inode and a lock on the old inode would protect nothing.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::state::{FORMAT_VERSION, State};

/// Why the state file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the lock.
    #[error("{path} is in use by another orgchard process (pid {pid})")]
    Locked { path: PathBuf, pid: String },
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

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The lock on one state file, held until dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// The path of the lock file of a state file.
pub fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    path.with_file_name(name)
}

/// Takes the exclusive lock of `path`, or says who holds it.
pub fn lock(path: &Path) -> Result<Lock, StoreError> {
    let lock_path = lock_path(path);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(io(&lock_path))?;
    // A lock can look taken for an instant after its holder let go: a process that forks
    // (to run a command) shares the open lock file until its child execs. Another orgchard
    // holds it for a whole command, so a short grace period changes nothing for that case.
    let mut attempt = fs4::FileExt::try_lock(&file);
    for _ in 0..20 {
        if !matches!(attempt, Err(fs4::TryLockError::WouldBlock)) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
        attempt = fs4::FileExt::try_lock(&file);
    }
    match attempt {
        Ok(()) => {}
        Err(fs4::TryLockError::WouldBlock) => {
            let mut pid = String::new();
            let _ = file.read_to_string(&mut pid);
            let pid = pid.trim();
            return Err(StoreError::Locked {
                path: path.to_path_buf(),
                pid: if pid.is_empty() {
                    "unknown".into()
                } else {
                    pid.into()
                },
            });
        }
        Err(fs4::TryLockError::Error(e)) => return Err(io(&lock_path)(e)),
    }
    // Record who holds it, for the message a second user gets.
    file.set_len(0).map_err(io(&lock_path))?;
    file.seek(SeekFrom::Start(0)).map_err(io(&lock_path))?;
    write!(file, "{}", std::process::id()).map_err(io(&lock_path))?;
    file.flush().map_err(io(&lock_path))?;
    Ok(Lock { _file: file })
}

/// Reads and checks a state file.
pub fn load(path: &Path) -> Result<State, StoreError> {
    let bytes = std::fs::read(path).map_err(io(path))?;
    parse(path, &bytes)
}

/// Parses state bytes. A file that does not parse is looked at again for its format version,
/// so that an old or new file gets a clear message rather than a field error.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<State, StoreError> {
    let invalid = |message: String| StoreError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let state: State = match serde_json::from_slice(bytes) {
        Ok(state) => state,
        Err(e) => {
            #[derive(serde::Deserialize)]
            struct Header {
                format_version: Option<u64>,
            }
            return Err(match serde_json::from_slice::<Header>(bytes) {
                Ok(Header {
                    format_version: Some(found),
                }) if found != u64::from(FORMAT_VERSION) => StoreError::Version {
                    path: path.to_path_buf(),
                    found,
                },
                _ => invalid(e.to_string()),
            });
        }
    };
    if state.format_version != FORMAT_VERSION {
        return Err(StoreError::Version {
            path: path.to_path_buf(),
            found: u64::from(state.format_version),
        });
    }
    let problems = state.check_invariants();
    if !problems.is_empty() {
        return Err(invalid(problems.join("; ")));
    }
    Ok(state)
}

/// The compact serialization saved to disk.
pub fn to_bytes(state: &State) -> Vec<u8> {
    // Serializing plain maps and strings cannot fail.
    serde_json::to_vec(state).unwrap_or_default()
}

/// Writes `state` to `path` atomically and durably.
pub fn save(path: &Path, state: &State) -> Result<(), StoreError> {
    write_atomic(path, &to_bytes(state))
}

/// Writes bytes to `path` through a temporary file, fsync, rename and directory fsync.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".orgchard-state")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(io(&dir))?;
    tmp.write_all(bytes).map_err(io(path))?;
    tmp.as_file().sync_all().map_err(io(path))?;
    tmp.persist(path).map_err(|e| io(path)(e.error))?;
    // The rename is durable only once the directory entry is.
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
