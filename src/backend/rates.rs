//! AWS's request rates per API operation, one table for both sides: the emulator throttles
//! with it, and the client starts an operation's pacing from it once the service has
//! throttled that operation (then adapts the rate to what the service accepts, see
//! [`super::client`]).
//!
//! AWS does not publish per-operation rates for Organizations; the table follows what
//! practitioners report (Organizations throttles at a few requests per second per operation,
//! IAM at tens, STS higher), with CreateAccount and CloseAccount slower still. A wrong guess
//! here costs the client only its first seconds on an operation: a service that accepts more
//! is found by stepping up, one that accepts less by the cut on throttling.

use super::client::Rate;
use crate::api::{Access, Operation, Service};

/// Sustained requests per second and burst of one operation.
pub fn aws_rate_of(op: Operation) -> Rate {
    let (per_second, burst) = match (op.service(), op.access(), op) {
        (_, _, Operation::CreateAccount) => (1.0, 2.0),
        (_, _, Operation::CloseAccount) => (1.0, 2.0),
        (Service::Organizations, Access::Read, _) => (5.0, 10.0),
        (Service::Organizations, Access::Write, _) => (2.0, 5.0),
        (Service::Account, _, _) => (2.0, 5.0),
        (Service::Iam, Access::Read, _) => (20.0, 40.0),
        (Service::Iam, Access::Write, _) => (10.0, 15.0),
        (Service::Sts, _, _) => (50.0, 100.0),
    };
    Rate { per_second, burst }
}

/// Where the client's pacing starts: AWS's rate for every operation.
pub fn aws_rate(op: Operation) -> Option<Rate> {
    Some(aws_rate_of(op))
}
