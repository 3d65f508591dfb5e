//! `orgchard fmt [--check] [DIR]`: rewrite the configuration's HCL files in canonical layout,
//! or with `--check` only report the files that are not.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::config::fmt::format_dir;

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// The configuration directory (or a single HCL file).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Change nothing; list the files that would change and exit 1 if there are any.
    #[arg(long)]
    pub check: bool,
}

pub fn run(args: FmtArgs) -> anyhow::Result<ExitCode> {
    let outcome = format_dir(&args.dir, args.check)?;
    for path in &outcome.changed {
        outln!("{}", path.display());
    }
    for error in &outcome.errors {
        errln!("Error: {error}");
    }
    let failed = !outcome.errors.is_empty() || (args.check && !outcome.changed.is_empty());
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
