//! Resolving values once more is known: a new account's id substituted, and the deferred
//! calls around it re-run with the built-in functions. Apart from [`super::value`] so that
//! values do not depend on the functions that compute on them.

use std::sync::Arc;

use super::functions;
use super::value::{Deferred, RefTarget, ResolveError, Value};

impl Value {
    /// Substitutes the resource attributes `lookup` knows (it answers `None` for those still
    /// unknown) and re-runs every deferred call whose inputs are now all known. The result may
    /// still contain unknowns when `lookup` did not know everything.
    pub fn resolve(
        &self,
        lookup: &dyn Fn(&RefTarget, &str) -> Option<Value>,
    ) -> Result<Value, ResolveError> {
        Ok(match self {
            Value::Unknown(d) => match &**d {
                Deferred::Attr { target, attribute } => match lookup(target, attribute) {
                    Some(v) => v,
                    None => self.clone(),
                },
                Deferred::Call { function, args } => {
                    let args = args
                        .iter()
                        .map(|a| a.resolve(lookup))
                        .collect::<Result<Vec<_>, _>>()?;
                    match functions::call_pure(function, args.clone()) {
                        Ok(v) => v,
                        Err(functions::FnError::Unknown) => Value::deferred_call(function, args),
                        Err(functions::FnError::Invalid(msg)) => {
                            return Err(ResolveError(format!("{function}: {msg}")));
                        }
                    }
                }
            },
            Value::List(items) => Value::List(
                items
                    .iter()
                    .map(|v| v.resolve(lookup))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Map(map) => Value::Map(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), v.resolve(lookup)?)))
                    .collect::<Result<_, ResolveError>>()?,
            ),
            Value::Ref(r) => {
                let mut r = (**r).clone();
                for v in r.attrs.values_mut() {
                    *v = v.resolve(lookup)?;
                }
                // A resolved id also fills the attrs of the reference itself.
                for (attr, v) in r.attrs.iter_mut() {
                    if v.is_unknown()
                        && let Some(known) = lookup(&r.target, attr)
                    {
                        *v = known;
                    }
                }
                Value::Ref(Arc::new(r))
            }
            other => other.clone(),
        })
    }
}
