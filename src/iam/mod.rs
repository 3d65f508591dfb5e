//! The IAM policy language and AWS's policy evaluation logic, offline: parsing and validation
//! of identity policies, trust policies, SCPs and RCPs; evaluation of a request against the
//! layered policies that govern it; and the table of which authorization requests each API
//! operation makes.
