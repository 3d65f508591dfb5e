//! Where the caller's policies come from when IAM refuses to show them: the pre-check asks
//! `iam:SimulatePrincipalPolicy` request by request, and when that is refused too every request
//! is "unknown" with a message naming the permissions that would let orgchard check.

use std::sync::Arc;

use orgchard::api::*;
use orgchard::backend::client::{Client, RetryPolicy};
use orgchard::backend::emulator::{Emulator, InitOptions, fresh_state};
use orgchard::backend::*;
use orgchard::config::{self, VarInputs};
use orgchard::plan::{self, diff::PlanOptions};
use orgchard::precheck::{self, Source};

/// The emulator, with IAM reads of the caller refused and SimulatePrincipalPolicy answered
/// (denying `organizations:CreateAccount` only) or refused.
struct Guarded {
    inner: Arc<dyn Api>,
    simulate: bool,
}

#[async_trait::async_trait]
impl Api for Guarded {
    async fn call(&self, scope: &Scope, request: Request) -> Result<Response, ApiError> {
        let op = request.operation();
        let denied = || {
            Err(ApiError::new(
                op,
                "AccessDenied",
                format!("not authorized to perform {}", op.action()),
            ))
        };
        match (&request, scope) {
            (Request::SimulatePrincipalPolicy(i), _) if self.simulate => {
                let results = i
                    .action_names
                    .iter()
                    .flat_map(|a| i.resource_arns.iter().map(move |r| (a, r)))
                    .map(|(a, r)| SimulationResult {
                        eval_action_name: a.clone(),
                        eval_resource_name: r.clone(),
                        eval_decision: if a == "organizations:CreateAccount" {
                            "implicitDeny"
                        } else {
                            "allowed"
                        }
                        .into(),
                        matched_statements: vec![],
                    })
                    .collect();
                Ok(Response::SimulatePrincipalPolicy(
                    SimulatePrincipalPolicyOutput {
                        evaluation_results: results,
                        next_token: None,
                    },
                ))
            }
            (Request::SimulatePrincipalPolicy(_), _) => denied(),
            (Request::GetUser(_), Scope::Management)
            | (Request::ListAttachedUserPolicies(_), Scope::Management) => denied(),
            _ => self.inner.call(scope, request).await,
        }
    }
    fn describe(&self) -> String {
        "guarded emulator".into()
    }
}

/// Plans one account block on a fresh emulator seen through `wrap`, then identifies the
/// caller and runs the pre-check through the same wrapper.
async fn check_through(
    wrap: impl FnOnce(Arc<dyn Api>) -> Arc<dyn Api>,
) -> (precheck::collect::CallerPolicies, precheck::Report) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.hcl"),
        "account \"x\" {\n  name  = \"X\"\n  email = \"x@example.com\"\n}\n",
    )
    .unwrap();
    let desired = config::load(dir.path(), &VarInputs::default()).unwrap();
    let state = fresh_state(&InitOptions {
        rate_limits: false,
        ..InitOptions::default()
    })
    .unwrap();
    let emu: Arc<dyn Api> = Arc::new(Emulator::in_memory(state, &ConnectOptions::default()));
    let api = wrap(emu);
    let client = Client::new(api.clone(), |_| None, RetryPolicy::default());
    let (p, live) = plan::make(&desired, &client, &PlanOptions::default())
        .await
        .unwrap();
    let caller = precheck::collect::collect(api.as_ref()).await.unwrap();
    let report = precheck::check(&p, &live, api.as_ref(), &caller, false)
        .await
        .unwrap();
    (caller, report)
}

async fn run(simulate: bool) -> precheck::Report {
    let (caller, report) =
        check_through(|inner| Arc::new(Guarded { inner, simulate }) as Arc<dyn Api>).await;
    assert!(
        matches!(caller.source, Source::Simulate { .. }),
        "{:?}",
        caller.source
    );
    report
}

#[tokio::test(start_paused = true)]
async fn simulate_when_reads_are_denied() {
    let r = run(true).await;
    assert_eq!(r.unknown, 0);
    assert!(r.allowed > 0);
    assert_eq!(r.denials.len(), 1, "{:?}", r.denials);
    assert_eq!(r.denials[0].action, "organizations:CreateAccount");
    assert_eq!(r.denials[0].address, "account.x");
    assert!(
        r.note
            .as_deref()
            .unwrap()
            .contains("SimulatePrincipalPolicy")
    );
}

#[tokio::test(start_paused = true)]
async fn unknown_when_simulation_is_denied_too() {
    let r = run(false).await;
    assert!(!r.passed());
    assert_eq!(r.allowed, 0);
    assert!(r.unknown > 0);
    assert!(r.denials.iter().all(|d| d.outcome == "unknown"));
    let note = r.note.clone().unwrap();
    for p in [
        "iam:GetUser",
        "iam:ListAttachedRolePolicies",
        "iam:GetPolicyVersion",
        "iam:SimulatePrincipalPolicy",
        "unknown",
    ] {
        assert!(note.contains(p), "{p} missing in {note}");
    }
    assert!(r.render().contains("unknown"));
}

/// The emulator as the management account's root user sees it: STS names the root, and IAM
/// has no policies to show for it.
struct RootUser {
    inner: Arc<dyn Api>,
}

#[async_trait::async_trait]
impl Api for RootUser {
    async fn call(&self, scope: &Scope, request: Request) -> Result<Response, ApiError> {
        match (&request, scope) {
            (Request::GetCallerIdentity(_), Scope::Management) => {
                let Response::GetCallerIdentity(me) = self.inner.call(scope, request).await? else {
                    unreachable!("GetCallerIdentity answers GetCallerIdentity")
                };
                Ok(Response::GetCallerIdentity(GetCallerIdentityOutput {
                    arn: format!("arn:aws:iam::{}:root", me.account),
                    ..me
                }))
            }
            (Request::SimulatePrincipalPolicy(_), _) | (Request::GetUser(_), _) => Err(
                ApiError::new(request.operation(), "AccessDenied", "not for the root user"),
            ),
            _ => self.inner.call(scope, request).await,
        }
    }
    fn describe(&self) -> String {
        "the root user's emulator".into()
    }
}

#[tokio::test(start_paused = true)]
async fn the_root_user_of_the_management_account_is_allowed_every_call() {
    let (caller, r) = check_through(|inner| Arc::new(RootUser { inner }) as Arc<dyn Api>).await;
    assert_eq!(caller.source, Source::RootUser);
    assert!(r.passed(), "{:?}", r.denials);
    assert!(r.allowed > 0);
    assert!(r.render().contains("root user"), "{}", r.render());
}
