//! The permission pre-check: every authorization request of every planned operation evaluated
//! offline, before the first call, against the caller's policies and the SCPs over member
//! accounts.
