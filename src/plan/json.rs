//! The plan as a versioned JSON document (`plan --json`, `show --json`, and the saved plan
//! file). The document is the [`Plan`] itself plus its summary, so machines read exactly what
//! the applier executes.
//!
//! Schema (format_version "1.0"): `{format_version, context{organization_id,
//! management_account_id, root_id, member_access_role, fingerprint}, summary{create, update,
//! move, replace, delete, adopt, forget}, changes[{address, action, reason, id,
//! attributes[{name, before, after, document}], operations[index]}], operations[{address,
//! op{op, ...}}], edges[{from, to, reason}], unmanaged[{kind, id, name}], warnings[],
//! bindings{address: id}}`.

use serde::{Deserialize, Serialize};

use super::{FORMAT_VERSION, Plan, Summary};

/// Why a plan file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("not an orgchard plan: {0}")]
    Parse(#[from] serde_json::Error),
    #[error("plan format {found} is not supported by this orgchard (it reads {FORMAT_VERSION})")]
    Version { found: String },
    /// The document parses but does not describe an applicable plan (an edited or damaged
    /// file): an index past the operations, or edges that form a cycle.
    #[error("the plan is damaged: {0}")]
    Damaged(String),
}

#[derive(Serialize)]
struct Document<'a> {
    #[serde(flatten)]
    plan: &'a Plan,
    summary: Summary,
}

#[derive(Deserialize)]
struct VersionOnly {
    format_version: String,
}

/// The plan as pretty JSON.
pub fn to_json(plan: &Plan) -> String {
    serde_json::to_string_pretty(&Document {
        plan,
        summary: plan.summary(),
    })
    .expect("plans always serialize")
}

/// Reads a plan document, checking its version first.
pub fn from_json(text: &str) -> Result<Plan, PlanFileError> {
    let v: VersionOnly = serde_json::from_str(text)?;
    if v.format_version != FORMAT_VERSION {
        return Err(PlanFileError::Version {
            found: v.format_version,
        });
    }
    let plan: Plan = serde_json::from_str(text)?;
    check_structure(&plan)?;
    Ok(plan)
}

/// The indexes a saved plan holds must name its operations, and its edges must leave an
/// order to apply them in: the applier indexes and walks them without further checks.
fn check_structure(plan: &Plan) -> Result<(), PlanFileError> {
    let n = plan.operations.len();
    let damaged = |what: String| Err(PlanFileError::Damaged(what));
    for (i, e) in plan.edges.iter().enumerate() {
        if e.from >= n || e.to >= n {
            return damaged(format!(
                "edge {i} joins operations {} and {}, but the plan has {n}",
                e.from, e.to
            ));
        }
    }
    for c in &plan.changes {
        if let Some(bad) = c.operations.iter().find(|&&o| o >= n) {
            return damaged(format!(
                "the change of {} names operation {bad}, but the plan has {n}",
                c.address
            ));
        }
    }
    if petgraph::algo::toposort(&super::graph::to_graph(plan), None).is_err() {
        return damaged("its edges form a cycle".into());
    }
    Ok(())
}
