//! The IAM policy language and AWS's policy evaluation logic, offline: parsing and validation
//! of identity policies, trust policies, SCPs and RCPs; evaluation of a request against the
//! layered policies that govern it; and the table of which authorization requests each API
//! operation makes.

pub mod actions;
mod condition;
pub mod eval;
mod glob;
pub mod operations;
mod pattern;
pub mod policy;
pub mod simulate;
mod vars;

pub use condition::Condition;
pub use eval::{
    AuthzRequest, ContextValue, Decision, Layer, NamedPolicy, Outcome, PolicySet,
    ResourcePolicyDecision, StatementRef, evaluate, evaluate_resource_policy, principal_arn,
};
pub use operations::{
    Authorization, NoResourceInfo, OrgContext, ResourceInfo, arns, authorizations,
};
pub use pattern::{ActionPattern, ArnPattern};
pub use policy::{Effect, Policy, PolicyError, PolicyKind, Warning};
