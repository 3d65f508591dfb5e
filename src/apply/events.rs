//! Progress of an apply as events, sent to a sink as they happen. How they are shown is the
//! view's business (`view::progress`); the `--json` form of an event is its serde
//! form, a stable machine interface the README documents.

use serde::Serialize;

/// Something that happened during an apply.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum Event {
    Started {
        operations: usize,
    },
    OpStarted {
        index: usize,
        address: String,
        operation: String,
    },
    OpFinished {
        index: usize,
        address: String,
        operation: String,
        millis: u128,
        /// The backend's error, typed: `operation`, `code` (AWS's), `reason`, `message`
        /// and `kind` (how orgchard treated it: `throttling`, `access_denied`, ...).
        error: Option<crate::api::ApiError>,
    },
    /// Ctrl-C: no new operation starts; the running ones finish.
    Interrupted {
        running: usize,
    },
    Internal {
        message: String,
    },
    Finished {
        summary: String,
        millis: u128,
    },
}

/// Receives events as they happen.
pub trait EventSink: Send + Sync {
    fn event(&self, e: &Event);
}
