//! Running the `orgchard` binary from integration tests: one way to start it (no color, no
//! stdin, so a prompt can never hang a test), to read what it printed, and to find or copy the
//! repository's examples, shared by every test file that drives the command line.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The binary with color off and stdin closed; callers add arguments and run it.
pub fn orgchard() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_orgchard"));
    c.env("NO_COLOR", "1").stdin(Stdio::null());
    c
}

/// Runs the binary with `args` in the test's working directory.
pub fn run(args: &[&str]) -> Output {
    orgchard().args(args).output().expect("run orgchard")
}

/// Runs the binary with `args` in `cwd`.
pub fn run_in(cwd: &Path, args: &[&str]) -> Output {
    orgchard()
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run orgchard")
}

/// Everything a run printed, stdout then stderr, for assertions and failure messages.
pub fn text(o: &Output) -> String {
    format!("{}{}", lossy(&o.stdout), lossy(&o.stderr))
}

pub fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A path inside the repository.
pub fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Copies a directory tree, e.g. an example, so a test can change or apply it in isolation.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}
