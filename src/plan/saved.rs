//! The saved-plan file (`plan --out`, read by `apply PLANFILE` and `show`): the [`Plan`]
//! itself, so `apply` executes exactly what was reviewed. It is orgchard's own file, not a
//! schema for other programs: they read the `--json` document of [`crate::view::json`].

use serde::{Deserialize, Serialize};

use super::{FORMAT_VERSION, Plan, Summary};

/// Why a plan file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("not an orgchard plan: {0}")]
    Parse(#[from] serde_json::Error),
    #[error(
        "plan format {found} is not supported by this orgchard (it reads {FORMAT_VERSION}): make the plan again with `orgchard plan --out FILE`"
    )]
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
