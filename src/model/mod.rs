//! The typed model orgchard reasons about: the desired organization the configuration
//! describes (with values that may only be known after apply) and the live organization the
//! reader sees.
pub mod live;
