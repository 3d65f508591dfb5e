//! Fuzzes the configuration loader: arbitrary bytes as the one `main.hcl` of a configuration
//! directory. Loading may fail with diagnostics, but must never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use orgchard::config::{self, VarInputs};

thread_local! {
    static DIR: tempfile::TempDir = tempfile::tempdir().expect("temporary directory");
}

fuzz_target!(|data: &[u8]| {
    DIR.with(|dir| {
        let path = dir.path().join("main.hcl");
        if std::fs::write(&path, data).is_err() {
            return;
        }
        if let Err(diags) = config::load(dir.path(), &VarInputs::default()) {
            let _ = diags.render(false);
        }
    });
});
