//! `orgchard validate [DIR]`: loads and checks the configuration, prints every diagnostic, and
//! exits 1 on any error. Touches no backend.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::CommonArgs;
use crate::config::{self, VarInputs};

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The configuration directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub common: CommonArgs,
}

pub fn run(args: ValidateArgs) -> anyhow::Result<ExitCode> {
    let vars = VarInputs::from_env(args.common.vars.clone(), args.common.var_files.clone());
    let color = crate::ops::settings::color_stderr(args.common.no_color);
    let (desired, diags) = config::load_with_diagnostics(&args.dir, &vars);
    if !diags.is_empty() {
        err!("{}", diags.render(color));
    }
    match desired {
        Some(desired) if !diags.has_errors() => {
            outln!("Success! The configuration is valid.");
            outln!("It describes {}.", desired.summary());
            Ok(ExitCode::SUCCESS)
        }
        _ => {
            let n = diags.error_count();
            errln!(
                "The configuration is invalid: {n} error{}.",
                if n == 1 { "" } else { "s" }
            );
            Ok(ExitCode::from(1))
        }
    }
}
