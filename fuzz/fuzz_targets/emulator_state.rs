//! Fuzz target `emulator_state`: see `harness::emulator_state` for what the input is. Must never panic.

#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::emulator_state(data));
