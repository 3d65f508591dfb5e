//! Views of a plan for other readers than the terminal: [`markdown`] renders it as a
//! pull-request comment.

pub mod markdown;
