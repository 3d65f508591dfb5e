//! Applying: walk a plan's operation graph in dependency order, in parallel within AWS's rate
//! limits, retrying what AWS says is transient, so that an apply converges even when it is
//! interrupted.
