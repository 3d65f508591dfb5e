//! Making a plan: read the live organization, diff it with the configuration, order the
//! calls, then check that the plan locks no one out and that the caller may make every call.
//! A saved plan is checked the same way against the organization as it is now.

use crate::addr::Address;
use crate::api::{ApiExt, GetCallerIdentityInput, Scope};
use crate::backend::client::Client;
use crate::diag::Diagnostic;
use crate::model::Desired;
use crate::model::live::LiveOrg;
use crate::plan::{self, MakePlanError, Plan, diff::PlanOptions};
use crate::precheck;

use super::session;
use super::settings::{PrecheckMode, Settings};

/// What to plan, and how.
pub struct PlanRequest<'a> {
    /// The loaded configuration.
    pub desired: &'a Desired,
    pub settings: &'a Settings,
    /// `--target`: plan only these addresses and what they need.
    pub targets: Vec<Address>,
    /// Run the pre-check whatever `--precheck` says (`--emit-policy` needs its report).
    pub force_precheck: bool,
}

/// A plan with its lockout check and permission pre-check.
pub struct CheckedPlan {
    pub plan: Plan,
    /// None with `--precheck off` (and no `--emit-policy`).
    pub report: Option<precheck::Report>,
    pub placeholders: precheck::Placeholders,
}

/// Why a plan could not be made: the planner's own error (its `Invalid` errors are the
/// configuration's, for the caller to show quoting the source), or any other.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Make(#[from] MakePlanError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Reads the backend and plans, without the lockout check or the pre-check (`graph`).
pub fn plan_unchecked(request: &PlanRequest<'_>) -> Result<Plan, PlanError> {
    let settings = request.settings;
    let options = PlanOptions {
        targets: request.targets.clone(),
    };
    let rt = session::runtime(&settings.backend)?;
    let mut plan = rt.block_on(async {
        let client =
            session::client(settings, &request.desired.organization.member_access_role).await?;
        let (plan, _) = plan::make(request.desired, &client, &options).await?;
        Ok::<_, PlanError>(plan)
    })?;
    finish(&mut plan, settings);
    Ok(plan)
}

/// Reads the backend and plans, then runs the lockout check and the pre-check.
pub fn plan(request: &PlanRequest<'_>) -> Result<CheckedPlan, PlanError> {
    let settings = request.settings;
    let options = PlanOptions {
        targets: request.targets.clone(),
    };
    let rt = session::runtime(&settings.backend)?;
    let (mut plan, report) = rt.block_on(async {
        let client =
            session::client(settings, &request.desired.organization.member_access_role).await?;
        let (mut plan, live) = plan::make(request.desired, &client, &options).await?;
        let report =
            precheck_plan(&mut plan, &live, &client, settings, request.force_precheck).await?;
        Ok::<_, PlanError>((plan, report))
    })?;
    finish(&mut plan, settings);
    let placeholders = precheck::Placeholders::new(&plan);
    Ok(CheckedPlan {
        plan,
        report,
        placeholders,
    })
}

/// The error `apply PLANFILE` gives for a plan the organization has moved away from.
pub const STALE_PLAN: &str = "the saved plan is stale: the organization has changed since it was made; run `orgchard plan` again";

/// Checks a saved plan against the organization as it is now: reads what the plan read,
/// refuses a stale plan, then runs the lockout check and the pre-check again.
pub fn recheck_saved(
    plan: &mut Plan,
    settings: &Settings,
) -> anyhow::Result<Option<precheck::Report>> {
    let rt = session::runtime(&settings.backend)?;
    rt.block_on(async {
        let client = session::client(settings, &plan.context.member_access_role).await?;
        let mut live = plan::read::read_organization(&client).await?;
        let queries = plan
            .context
            .role_queries
            .iter()
            .map(|(a, names)| {
                (
                    a.clone(),
                    plan::read::RoleQuery {
                        names: names.clone(),
                    },
                )
            })
            .collect();
        plan::read::read_roles(&client, &mut live, &queries).await?;
        // Said before the plan is shown: a stale plan is not worth reading.
        if live.fingerprint() != plan.context.fingerprint {
            anyhow::bail!(STALE_PLAN);
        }
        precheck_plan(plan, &live, &client, settings, false).await
    })
}

/// Records in the plan where it comes from, and says when it starts from an emulator state
/// that does not exist yet.
fn finish(plan: &mut Plan, settings: &Settings) {
    plan.context.backend = Some(settings.backend.clone());
    if let Some(path) = session::empty_emulator(settings) {
        plan.warnings.push(Diagnostic::warning(format!(
            "emulator state {} does not exist yet: this plan starts from an empty organization, and `orgchard apply` creates it",
            path.display()
        )));
    }
}

/// Runs the lockout check and the pre-check of `plan` against the live state `live`.
///
/// Lockout errors refuse the plan: they come first, as the plan's own fault, followed by the
/// pre-check's section when it found denials (often the same requests seen from the caller's
/// side, with the statement that decides each). Lockout warnings are added to the plan's
/// warnings.
async fn precheck_plan(
    plan: &mut Plan,
    live: &LiveOrg,
    client: &Client,
    settings: &Settings,
    force: bool,
) -> anyhow::Result<Option<precheck::Report>> {
    let run = settings.precheck != PrecheckMode::Off || force;
    let caller = if run {
        let mut caller = precheck::collect::collect(client).await;
        if let (Ok(c), Some(path)) = (&mut caller, &settings.as_policy) {
            precheck::collect::as_policy(c, path)?;
        }
        Some(caller)
    } else {
        None
    };
    // The lockout check runs whatever `--precheck` says; it only needs to know who calls.
    let identity = match &caller {
        Some(Ok(c)) => Some(precheck::lockout::Caller {
            principal_arn: c.principal_arn.clone(),
            account: c.account.clone(),
        }),
        _ => match client
            .get_caller_identity(&Scope::Management, GetCallerIdentityInput {})
            .await
        {
            Ok(me) => Some(precheck::lockout::Caller {
                principal_arn: me.arn,
                account: me.account,
            }),
            Err(e) => {
                plan.warnings.push(Diagnostic::warning(format!(
                    "the caller could not be identified ({e}); the lockout check for a caller in a member account was skipped"
                )));
                None
            }
        },
    };
    let lockouts = precheck::lockout::check(plan, live, identity.as_ref());
    for w in lockouts.iter().filter(|l| !l.is_error()) {
        let w = w.to_diagnostic();
        if !plan.warnings.contains(&w) {
            plan.warnings.push(w);
        }
    }
    let errors: Vec<String> = lockouts
        .iter()
        .filter(|l| l.is_error())
        .map(|l| l.to_string())
        .collect();
    let report = match caller {
        Some(Ok(c)) => Some(precheck::check(plan, live, client, &c, settings.apply_lock).await),
        Some(Err(e)) if errors.is_empty() => return Err(e.into()),
        _ => None,
    };
    if !errors.is_empty() {
        let mut msg = errors.join("\n");
        if let Some(Ok(r)) = &report
            && !r.passed()
        {
            msg.push('\n');
            msg.push_str(r.render().trim_end());
        }
        msg.push_str(
            "\nThis plan would lock orgchard out; nothing was changed. Change the SCPs (or what they deny) so that the requests above stay allowed.",
        );
        anyhow::bail!("{msg}");
    }
    Ok(report.transpose()?)
}
