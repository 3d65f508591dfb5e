//! Applying a plan that was made (or loaded and checked) and confirmed: take the
//! organization's apply lock, check the plan is still current where it has to be, walk it,
//! and release the lock.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::api::{ApiExt, GetCallerIdentityInput, Scope};
use crate::apply::{self as applier, ApplyError, ApplyOptions, ApplyReport, EventSink, lock};
use crate::backend::client::Client;
use crate::plan::{self, Plan};

use super::plan::STALE_PLAN;
use super::session;
use super::settings::Settings;

/// When the plan is read against the organization again before anything changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recheck {
    /// A saved plan: always (it may be days old).
    Saved,
    /// A plan answered `yes` to: always. While the question waited the backend was closed
    /// (the emulator's lock released), so anyone may have changed the organization.
    Confirmed,
    /// A plan made a moment ago and not asked about (`--auto-approve`): only when the apply
    /// lock had to be waited for, since that was another apply's.
    Fresh,
}

/// What to apply, and how.
pub struct ApplyRequest<'a> {
    pub plan: &'a Plan,
    pub settings: &'a Settings,
    pub options: ApplyOptions,
    /// How long to wait for an apply lock another apply holds.
    pub lock_timeout: Duration,
    pub recheck: Recheck,
    /// Where the progress events go.
    pub sink: Arc<dyn EventSink>,
}

/// Applies the plan. The outer error is one that stopped the apply before it started (the
/// backend, the lock, a stale plan); the inner one a simulated crash, after which the
/// process must stop at once.
pub fn apply(request: ApplyRequest<'_>) -> anyhow::Result<Result<ApplyReport, ApplyError>> {
    let ApplyRequest {
        plan,
        settings,
        options,
        lock_timeout,
        recheck,
        sink,
    } = request;
    let rt = session::runtime(&settings.backend)?;
    rt.block_on(async {
        let client = session::client(settings, &plan.context.member_access_role).await?;
        // Listening before the lock is taken: an interrupt from here on ends the apply the
        // orderly way, releasing the lock, instead of killing the process with the lock held.
        let interrupt = applier::interrupt_on_ctrl_c();
        let held = if settings.apply_lock {
            Some(take_lock(&client, lock_timeout, interrupt.clone()).await?)
        } else {
            None
        };
        let run = async {
            // A lock that had to be waited for was another apply's: the plan is checked
            // against what that apply left.
            let waited = held.as_ref().is_some_and(|h| h.waited);
            if recheck == Recheck::Saved && !plan::is_current(plan, &client).await? {
                anyhow::bail!(STALE_PLAN);
            }
            let again = recheck == Recheck::Confirmed || (waited && recheck == Recheck::Fresh);
            if again && !plan::is_current(plan, &client).await? {
                anyhow::bail!(
                    "the organization changed while the plan waited for confirmation (or for the apply lock), so the plan is stale; nothing was changed. Run `orgchard apply` again to plan against the current state"
                );
            }
            Ok(applier::apply(plan, client.clone(), &options, sink, interrupt).await)
        };
        let result = run.await;
        // A simulated crash leaves the lock behind, as a real one would.
        let crashed = matches!(result, Ok(Err(ApplyError::SimulatedCrash(_))));
        if let Some(h) = held
            && !crashed
            && let Err(e) = h.release(&client).await
        {
            errln!(
                "orgchard: the apply lock could not be released ({e}); it expires after its lease, or remove it with `orgchard unlock`"
            );
        }
        result
    })
}

/// Takes the organization's apply lock for the caller, waiting up to `timeout`.
async fn take_lock(
    client: &Arc<Client>,
    timeout: Duration,
    interrupt: Arc<AtomicBool>,
) -> anyhow::Result<lock::HeldLock> {
    let me = client
        .get_caller_identity(&Scope::Management, GetCallerIdentityInput {})
        .await?;
    let options = lock::LockOptions {
        timeout,
        interrupt,
        ..lock::LockOptions::default()
    };
    Ok(lock::acquire(client.clone(), &me.arn, &lock::run_id(), &options).await?)
}
