//! Fuzz target `policy`: see `harness::policy` for what the input is. Must never panic.

#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::policy(data));
