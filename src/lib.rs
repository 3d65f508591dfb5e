//! orgchard manages an AWS Organization as code. The configuration (HCL, [`config`]) is
//! evaluated into a desired [`model`]; the [`plan`] module reads the live organization through
//! a [`backend`], diffs, and orders the API calls in a dependency graph; [`precheck`] proves
//! with the [`iam`] engine that every call will be allowed; [`apply`] executes the graph.
//! [`ops`] runs these steps for a command, with its settings resolved once; [`view`] renders
//! a plan for people and for programs, and the [`cli`] module is the thin command line over
//! all of it.

// First, so that its macros are in scope in every module after it.
#[macro_use]
mod output;

pub mod addr;
pub mod api;
pub mod apply;
pub mod backend;
pub mod chart;
pub mod cli;
pub mod config;
pub mod diag;
pub mod explain;
pub mod iam;
pub mod model;
pub mod ops;
pub mod orgtree;
pub mod plan;
pub mod precheck;
pub mod serve;
pub mod view;
pub mod vocab;
