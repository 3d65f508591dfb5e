//! The configuration language: loading every `*.hcl` file of a directory with source spans,
//! evaluating variables, locals, functions, `for_each` and modules, and turning the result
//! into the typed desired [`crate::model`], with diagnostics that point at file, line and
//! column.

pub mod fmt;
