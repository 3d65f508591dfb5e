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
    Ok(serde_json::from_str(text)?)
}
