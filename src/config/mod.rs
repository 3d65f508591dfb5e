//! The configuration language: loading every `*.hcl` file of a directory with source spans,
//! evaluating variables, locals, functions, `for_each` and modules, and turning the result
//! into the typed desired [`crate::model`], with diagnostics that point at file, line and
//! column.
//!
//! The entry point is [`load`]. It parses with `hcl-edit` (which keeps byte spans), evaluates
//! one attribute at a time with our own evaluator ([`eval`]; values only known after apply
//! stay explicit unknowns), decodes blocks into the model ([`decode`]) and runs the checks
//! that need no live state ([`checks`]). Every problem found on the way is collected, so one
//! run reports all of them.
//!
//! The stages depend only on the ones before them: [`source`] ← [`eval`] ← [`decode`] ←
//! [`checks`], with [`crate::diag`], `schema` (what each block accepts) and `suggest` ("did you
//! mean") beneath all of them.

pub mod checks;
mod decode;
mod eval;
pub mod fmt;
pub mod import;
mod schema;
mod source;
mod suggest;
pub mod vars;

use std::path::Path;

/// Diagnostics are shared by every stage of a run (configuration, plan, lockouts); they live
/// in [`crate::diag`], still reachable under their old path.
pub use crate::diag::{self, Diagnostic, Diagnostics, Severity, SourceSpan};
/// The built-in functions live with the values they compute on.
pub use crate::model::functions;
pub use vars::VarInputs;

use crate::model::Desired;

/// Loads, evaluates and validates the configuration in `dir` (every `*.hcl` file directly in
/// it forms the root module). Returns the desired model, or every diagnostic of the run when
/// there is at least one error. Warnings of a successful run are dropped; use
/// [`load_with_diagnostics`] to see them.
pub fn load(dir: &Path, vars: &VarInputs) -> Result<Desired, Diagnostics> {
    match load_with_diagnostics(dir, vars) {
        (Some(desired), diags) if !diags.has_errors() => Ok(desired),
        (_, diags) => Err(diags),
    }
}

/// Like [`load`], but also returns the warnings of a successful run. The model is `None` when
/// the configuration could not be evaluated far enough to build one; it is `Some` with errors
/// in the diagnostics when only validation failed.
pub fn load_with_diagnostics(dir: &Path, vars: &VarInputs) -> (Option<Desired>, Diagnostics) {
    let mut diags = Diagnostics::new(dir);
    let Some(tree) = source::load_tree(dir, &mut diags) else {
        diags.sort();
        return (None, diags);
    };
    let mut ev = eval::Evaluator::new(tree, vars, diags);
    ev.check_undeclared_inputs();
    let decoded = decode::decode(&mut ev);
    let mut diags = ev.into_diagnostics();
    if let Some(decoded) = &decoded {
        checks::check(decoded, &mut diags);
    }
    diags.sort();
    (decoded.map(|d| d.desired), diags)
}
