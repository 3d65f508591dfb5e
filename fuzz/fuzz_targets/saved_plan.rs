//! Fuzz target `saved_plan`: see `harness::saved_plan` for what the input is. Must never panic.

#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::saved_plan(data));
