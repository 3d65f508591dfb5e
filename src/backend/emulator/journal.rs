//! The journal beside a state file: one line per mutating call, appended and fsynced before
//! the call returns, so that the cost of saving a call does not grow with the organization.
//!
//! The state file is a snapshot; the state is the snapshot with the journal's entries
//! replayed on it, in order, through the same code that performed them the first time.
//! An entry holds what a call needs to be performed again (its scope, request and virtual
//! time) plus what replaying it cannot recompute (fault draws, counters), so replaying it
//! gives the state after the call exactly. The journal's first line names the snapshot it
//! continues (a hash of its bytes): a journal left behind by a compaction that crashed after
//! replacing the snapshot, or by a state file replaced wholesale, names another snapshot and
//! is ignored, so that no entry is applied twice. A torn last line is a call whose save never
//! finished, and whose answer was never given: it is dropped, leaving the state before it.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::{StoreError, io};
use super::state::{CallCounter, Faults};
use crate::api::{Request, Scope};

/// The layout of the journal's lines. Bumped on any incompatible change.
const JOURNAL_VERSION: u32 = 1;

/// The first line of a journal.
#[derive(Debug, Serialize, Deserialize)]
struct Header {
    journal_version: u32,
    /// SHA-256 of the snapshot file's bytes the entries apply to.
    snapshot_sha256: String,
}

/// One mutating call (or a tick of the clock that moved creations or closures on).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// 1 for the first entry after the header, then each next one.
    pub seq: u64,
    /// The virtual time the call was performed at.
    pub now_ms: u64,
    /// The call, or None when only time moved processes on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<(Scope, Request)>,
    /// The fault settings and draws after the call.
    pub faults: Faults,
    /// Counters to add: the calls received since the previous entry.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub counters: BTreeMap<String, CallCounter>,
}

/// The journal's path for a state file: `STATE.journal` beside it.
pub fn path_of(state_path: &Path) -> PathBuf {
    let mut name = state_path.file_name().unwrap_or_default().to_os_string();
    name.push(".journal");
    state_path.with_file_name(name)
}

/// The hash a journal names its snapshot by.
pub fn snapshot_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The entries of the journal at `path` that continue the snapshot whose hash is given:
/// none when there is no journal, or it continues another snapshot. A malformed line other
/// than the last is an error (the journal was damaged, not interrupted).
pub fn read(path: &Path, snapshot_sha256: &str) -> Result<Vec<Entry>, StoreError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(path)(e)),
    };
    let invalid = |line: usize, message: String| StoreError::Invalid {
        path: path.to_path_buf(),
        message: format!("line {line}: {message}"),
    };
    // Only lines ended by a newline were written whole; a crash can leave the last one short.
    let mut lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    let complete = lines.len() - 1;
    lines.truncate(complete);
    let Some(first) = lines.first() else {
        return Ok(Vec::new());
    };
    let header: Header = match serde_json::from_slice(first) {
        Ok(h) => h,
        Err(e) => return Err(invalid(1, format!("not a journal header: {e}"))),
    };
    if header.snapshot_sha256 != snapshot_sha256 {
        return Ok(Vec::new());
    }
    if header.journal_version != JOURNAL_VERSION {
        return Err(invalid(
            1,
            format!(
                "journal_version {}; this orgchard reads version {JOURNAL_VERSION}",
                header.journal_version
            ),
        ));
    }
    let mut entries = Vec::with_capacity(lines.len() - 1);
    let last = lines.len() - 1;
    for (i, line) in lines.iter().enumerate().skip(1) {
        match serde_json::from_slice::<Entry>(line) {
            Ok(entry) if entry.seq == i as u64 => entries.push(entry),
            Ok(entry) => {
                return Err(invalid(
                    i + 1,
                    format!("entry {} where entry {i} was expected", entry.seq),
                ));
            }
            // Bytes a crash left after the last complete write (a filesystem may show an
            // appended block as zeros): the call was never answered.
            Err(_) if i == last => break,
            Err(e) => return Err(invalid(i + 1, e.to_string())),
        }
    }
    Ok(entries)
}

/// An open journal, appended to by one process.
#[derive(Debug)]
pub struct Writer {
    path: PathBuf,
    file: File,
    /// Entries written since the header.
    pub entries: u64,
}

impl Writer {
    /// Starts a fresh journal continuing the snapshot with the given hash, replacing any
    /// previous one. Until its header is durable the old journal may remain, or an empty or
    /// torn file: each of those is ignored by [`read`] for the new snapshot.
    /// `stop_truncated` stops after emptying the file (tests play a crash there).
    pub fn create(
        path: &Path,
        snapshot_sha256: &str,
        stop_truncated: bool,
    ) -> Result<Option<Writer>, StoreError> {
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(io(path))?;
        file.set_len(0).map_err(io(path))?;
        if stop_truncated {
            return Ok(None);
        }
        let header = Header {
            journal_version: JOURNAL_VERSION,
            snapshot_sha256: snapshot_sha256.to_string(),
        };
        let mut line = serde_json::to_vec(&header).unwrap_or_default();
        line.push(b'\n');
        file.write_all(&line).map_err(io(path))?;
        file.sync_data().map_err(io(path))?;
        // The file's directory entry must be durable too, or a crash could lose the journal.
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(Some(Writer {
            path: path.to_path_buf(),
            file,
            entries: 0,
        }))
    }

    /// Appends an entry and makes it durable.
    pub fn append(&mut self, entry: &Entry) -> Result<(), StoreError> {
        // Serializing plain data cannot fail.
        let mut line = serde_json::to_vec(entry).unwrap_or_default();
        line.push(b'\n');
        self.file.write_all(&line).map_err(io(&self.path))?;
        self.file.sync_data().map_err(io(&self.path))?;
        self.entries += 1;
        Ok(())
    }
}
