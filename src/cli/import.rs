//! `orgchard import`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::CommonArgs;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Where to write the generated HCL.
    #[arg(long, default_value = ".")]
    pub out: PathBuf,
    #[command(flatten)]
    pub common: CommonArgs,
}

pub fn run(_args: ImportArgs) -> anyhow::Result<ExitCode> {
    super::not_yet("import")
}
