//! Views: how one plan (and one apply) is shown. [`human`] renders the plan people review;
//! [`json`] is the versioned document programs read, the stable machine interface;
//! [`markdown`] renders it as a pull-request comment; [`progress`] shows an apply's events
//! as it runs. Each view reads the internal [`crate::plan::Plan`] (or the applier's events)
//! and owns its own format, so the planner can change without breaking a reader.

pub mod human;
pub mod json;
pub mod markdown;
pub mod progress;
