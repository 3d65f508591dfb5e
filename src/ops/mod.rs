//! The operations behind the commands, in cargo's `ops` style: [`plan()`], [`apply()`],
//! [`snapshot()`] and [`import()`] each take a request struct and return what they did, for
//! the command line (or any other caller) to show; [`trees`] reads the organization's tree
//! for `chart` and `explain`. The [`settings`] a command runs with are resolved once, before
//! any operation; [`session`] opens the runtime and the backend client the operations share.

pub mod apply;
pub mod import;
pub mod plan;
pub mod session;
pub mod settings;
pub mod snapshot;
pub mod trees;

pub use apply::{ApplyRequest, Recheck, apply};
pub use import::{ImportRequest, Imported, import};
pub use plan::{CheckedPlan, PlanError, PlanRequest, plan, plan_unchecked, recheck_saved};
pub use settings::{Configured, Flags, MissingState, PrecheckMode, Settings};
pub use snapshot::{SnapshotRequest, snapshot};
