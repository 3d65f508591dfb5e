//! The state file on disk: loading, atomic saving, compaction of the journal into the
//! snapshot, and the exclusive lock that keeps two orgchard processes from using one
//! emulator at once.
//!
//! The state file is a snapshot, written whole only when the emulator opens or closes and
//! every [`COMPACT_EVERY`] calls; each mutating call in between is appended to the
//! [`journal`](super::journal) beside it. Writing the snapshot goes through a temporary file
//! in the same directory, fsync, a rename over the state file and a directory fsync, so that
//! after a crash at any instant the file holds either the previous or the new snapshot, never
//! a torn one; the journal names the snapshot it continues, so a compaction stopped between
//! the rename and the journal's reset replays nothing twice. The lock is taken on a sidecar file
//! (`STATE.lock`), not on the state file itself, because the rename replaces the state file's
//! inode and a lock on the old inode would protect nothing.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

pub use super::error::StoreError;
use super::error::io;
use super::journal;
use super::state::{FORMAT_VERSION, State};

/// Journal entries after which the snapshot is rewritten. Replaying the journal after a crash
/// costs about one call per entry, and rewriting the snapshot about as much as appending a few
/// thousand entries at the benchmark size (5,000 accounts): a thousand keeps both small.
pub const COMPACT_EVERY: u64 = 1000;

/// The lock on one state file, held until dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// The line of the lock file that names the endpoint of `orgchard emulator serve`.
const SERVED_AT: &str = "served-at ";

impl Lock {
    /// Adds the endpoint the state is served at to the lock file, after the holder's pid.
    pub fn note_endpoint(&self, path: &Path, endpoint: &str) -> Result<(), StoreError> {
        let lock_path = lock_path(path);
        let mut file = &self._file;
        let text = format!("{}\n{SERVED_AT}{endpoint}\n", std::process::id());
        file.set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)).map(|_| ()))
            .and_then(|()| file.write_all(text.as_bytes()))
            .and_then(|()| file.flush())
            .map_err(io(&lock_path))
    }
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
            let mut text = String::new();
            let _ = file.read_to_string(&mut text);
            let mut lines = text.lines();
            let pid = lines.next().unwrap_or_default().trim();
            let served_at = lines
                .find_map(|l| l.strip_prefix(SERVED_AT))
                .map(|url| url.trim().to_string());
            return Err(StoreError::Locked {
                path: path.to_path_buf(),
                pid: if pid.is_empty() {
                    "unknown".into()
                } else {
                    pid.into()
                },
                served_at,
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

/// Reads and checks a state file, with the calls of its journal replayed.
pub fn load(path: &Path) -> Result<State, StoreError> {
    load_with_journal(path).map(|(state, _)| state)
}

/// A loaded state and how its files stand.
pub(super) struct Loaded {
    /// The hash of the snapshot's bytes.
    pub snapshot_sha256: String,
    /// Journal entries replayed on the snapshot.
    pub replayed: usize,
}

/// Reads the snapshot, replays its journal, and checks the result.
pub(super) fn load_with_journal(path: &Path) -> Result<(State, Loaded), StoreError> {
    let bytes = std::fs::read(path).map_err(io(path))?;
    let state = parse(path, &bytes)?;
    let snapshot_sha256 = journal::snapshot_hash(&bytes);
    let journal_path = journal::path_of(path);
    let entries = journal::read(&journal_path, &snapshot_sha256)?;
    let replayed = entries.len();
    if replayed == 0 {
        return Ok((
            state,
            Loaded {
                snapshot_sha256,
                replayed,
            },
        ));
    }
    let invalid = |message: String| StoreError::Invalid {
        path: journal_path.clone(),
        message,
    };
    let state = super::replay(state, entries).map_err(invalid)?;
    let problems = state.check_invariants();
    if !problems.is_empty() {
        return Err(invalid(problems.join("; ")));
    }
    Ok((
        state,
        Loaded {
            snapshot_sha256,
            replayed,
        },
    ))
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

/// Writes `state` to `path` atomically and durably, as the whole state: a journal left
/// beside it names another snapshot from then on, and is removed.
pub fn save(path: &Path, state: &State) -> Result<(), StoreError> {
    write_atomic(path, &to_bytes(state))?;
    remove_journal(path)
}

/// Removes the journal of `path`, if any: only for a journal that the snapshot on disk
/// already holds, or that names another snapshot.
pub(super) fn remove_journal(path: &Path) -> Result<(), StoreError> {
    let journal_path = journal::path_of(path);
    match std::fs::remove_file(&journal_path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(&journal_path)(e)),
    }
}

/// Writes `state` as the new snapshot and starts an empty journal continuing it.
pub(super) fn compact(path: &Path, state: &State) -> Result<journal::Writer, StoreError> {
    compact_steps(path, state, CompactStep::Done)?
        .ok_or_else(|| io(path)(std::io::Error::other("compaction stopped early")))
}

/// The steps of a compaction, in order; a crash can stop one after any of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum CompactStep {
    /// The new snapshot is written to a temporary file, not yet renamed.
    Written,
    /// The new snapshot has replaced the state file; the old journal is still there.
    Renamed,
    /// The journal is emptied, without its header yet.
    Truncated,
    /// The journal names the new snapshot.
    Done,
}

/// A compaction that stops after `last` (tests stop it early to play a crash).
pub(super) fn compact_steps(
    path: &Path,
    state: &State,
    last: CompactStep,
) -> Result<Option<journal::Writer>, StoreError> {
    let bytes = to_bytes(state);
    let snapshot_sha256 = journal::snapshot_hash(&bytes);
    if last == CompactStep::Written {
        let dir = dir_of(path);
        let tmp = tempfile::Builder::new()
            .prefix(".orgchard-state")
            .suffix(".tmp")
            .tempfile_in(&dir)
            .map_err(io(&dir))?;
        std::fs::write(tmp.path(), &bytes).map_err(io(path))?;
        // A crash leaves the temporary file behind; dropping it here removes it, which
        // changes nothing a load reads.
        return Ok(None);
    }
    write_atomic(path, &bytes)?;
    if last == CompactStep::Renamed {
        return Ok(None);
    }
    let journal_path = journal::path_of(path);
    let writer = journal::Writer::create(
        &journal_path,
        &snapshot_sha256,
        last == CompactStep::Truncated,
    )?;
    Ok(writer)
}

fn dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes bytes to `path` through a temporary file, fsync, rename and directory fsync.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = dir_of(path);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Api, CreateOrganizationalUnitInput, Request, Scope};
    use crate::backend::ConnectOptions;
    use crate::backend::emulator::{Emulator, InitOptions, fresh_state};

    /// A state file with calls in its journal, and the state they lead to.
    async fn journaled(dir: &Path) -> (PathBuf, State) {
        let path = dir.join("state.json");
        let options = InitOptions {
            rate_limits: false,
            ..InitOptions::default()
        };
        save(&path, &fresh_state(&options).unwrap()).unwrap();
        let emu = Emulator::open(&path, &ConnectOptions::default()).unwrap();
        let root = emu.state().organization.root_id;
        for name in ["a", "b", "c"] {
            let request = Request::CreateOrganizationalUnit(CreateOrganizationalUnitInput {
                parent_id: root.clone(),
                name: name.into(),
                tags: vec![],
            });
            emu.call(&Scope::Management, request).await.unwrap();
        }
        let state = emu.state();
        // The process dies here: nothing is written on its way out.
        std::mem::forget(emu);
        (path, state)
    }

    /// A compaction that a crash stops after any of its steps leaves the state after the
    /// journal's calls: never without them, never with them applied twice.
    #[tokio::test(start_paused = true)]
    async fn a_crash_during_compaction_loses_and_repeats_nothing() {
        for last in [
            CompactStep::Written,
            CompactStep::Renamed,
            CompactStep::Truncated,
            CompactStep::Done,
        ] {
            let dir = tempfile::tempdir().unwrap();
            let (path, state) = journaled(dir.path()).await;
            assert_eq!(load(&path).unwrap(), state, "before compacting");
            assert_eq!(state.ous.len(), 3);
            compact_steps(&path, &state, last).unwrap();
            assert_eq!(
                load(&path).unwrap(),
                state,
                "compaction stopped after {last:?}"
            );
            // And a second crash in the next compaction, from there.
            let (reloaded, _) = load_with_journal(&path).unwrap();
            compact_steps(&path, &reloaded, CompactStep::Renamed).unwrap();
            assert_eq!(load(&path).unwrap(), state, "then stopped after renaming");
        }
    }
}
