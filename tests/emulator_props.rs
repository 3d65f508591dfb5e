//! Property: whatever sequence of calls the emulator receives, its state keeps AWS's
//! invariants (every account and OU has exactly one existing parent, OUs are at most five deep,
//! every target keeps an SCP while SCPs are enabled, no attachment dangles), a rejected call
//! changes nothing, and the state file always reloads to the state in memory.

mod common;

use std::time::Duration;

use common::*;
use orgchard::api::*;
use orgchard::backend::emulator::{Builder, State, store};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Step {
    CreateOu(usize, u8),
    DeleteOu(usize),
    MoveAccount(usize, usize),
    CreatePolicy(u8),
    DeletePolicy(usize),
    Attach(usize, usize),
    Detach(usize, usize),
    Enable(bool),
    Disable(bool),
    CreateAccount(u8),
    CloseAccount(usize),
    RemoveAccount(usize),
    Sleep(u16),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (any::<usize>(), 0u8..4).prop_map(|(p, n)| Step::CreateOu(p, n)),
        1 => any::<usize>().prop_map(Step::DeleteOu),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(a, d)| Step::MoveAccount(a, d)),
        1 => (0u8..4).prop_map(Step::CreatePolicy),
        1 => any::<usize>().prop_map(Step::DeletePolicy),
        3 => (any::<usize>(), any::<usize>()).prop_map(|(p, t)| Step::Attach(p, t)),
        3 => (any::<usize>(), any::<usize>()).prop_map(|(p, t)| Step::Detach(p, t)),
        1 => any::<bool>().prop_map(Step::Enable),
        1 => any::<bool>().prop_map(Step::Disable),
        1 => (0u8..6).prop_map(Step::CreateAccount),
        1 => any::<usize>().prop_map(Step::CloseAccount),
        1 => any::<usize>().prop_map(Step::RemoveAccount),
        1 => (1u16..400).prop_map(Step::Sleep),
    ]
}

fn pick(items: &[String], i: usize) -> String {
    if items.is_empty() {
        "missing".into()
    } else {
        items[i % items.len()].clone()
    }
}

fn request(state: &State, step: &Step) -> Option<Request> {
    let root = state.organization.root_id.clone();
    let parents: Vec<String> = std::iter::once(root.clone())
        .chain(state.ous.keys().cloned())
        .collect();
    let ous: Vec<String> = state.ous.keys().cloned().collect();
    let accounts: Vec<String> = state.accounts.keys().cloned().collect();
    let policies: Vec<String> = state.policies.keys().cloned().collect();
    let targets: Vec<String> = parents.iter().chain(accounts.iter()).cloned().collect();
    let ty = |scp: bool| {
        if scp {
            "SERVICE_CONTROL_POLICY"
        } else {
            "RESOURCE_CONTROL_POLICY"
        }
        .to_string()
    };
    Some(match step {
        Step::CreateOu(p, n) => Request::CreateOrganizationalUnit(CreateOrganizationalUnitInput {
            parent_id: pick(&parents, *p),
            name: format!("ou{n}"),
            tags: vec![],
        }),
        Step::DeleteOu(i) => Request::DeleteOrganizationalUnit(DeleteOrganizationalUnitInput {
            organizational_unit_id: pick(&ous, *i),
        }),
        Step::MoveAccount(a, d) => {
            let account = pick(&accounts, *a);
            Request::MoveAccount(MoveAccountInput {
                source_parent_id: state.accounts.get(&account).map(|a| a.parent_id.clone()).unwrap_or_default(),
                account_id: account,
                destination_parent_id: pick(&parents, *d),
            })
        }
        Step::CreatePolicy(n) => Request::CreatePolicy(CreatePolicyInput {
            name: format!("p{n}"),
            description: String::new(),
            content: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#.into(),
            r#type: ty(n % 2 == 0),
            tags: vec![],
        }),
        Step::DeletePolicy(i) => Request::DeletePolicy(DeletePolicyInput { policy_id: pick(&policies, *i) }),
        Step::Attach(p, t) => Request::AttachPolicy(AttachPolicyInput { policy_id: pick(&policies, *p), target_id: pick(&targets, *t) }),
        Step::Detach(p, t) => Request::DetachPolicy(DetachPolicyInput { policy_id: pick(&policies, *p), target_id: pick(&targets, *t) }),
        Step::Enable(scp) => Request::EnablePolicyType(EnablePolicyTypeInput { root_id: root, policy_type: ty(*scp) }),
        Step::Disable(scp) => Request::DisablePolicyType(DisablePolicyTypeInput { root_id: root, policy_type: ty(*scp) }),
        Step::CreateAccount(n) => Request::CreateAccount(CreateAccountInput {
            email: format!("acct{n}@example.com"),
            account_name: format!("acct{n}"),
            ..Default::default()
        }),
        Step::CloseAccount(i) => Request::CloseAccount(CloseAccountInput { account_id: pick(&accounts, *i) }),
        Step::RemoveAccount(i) => Request::RemoveAccountFromOrganization(RemoveAccountFromOrganizationInput { account_id: pick(&accounts, *i) }),
        Step::Sleep(_) => return None,
    })
}

/// The parts of a state a call may change (not its counters, clock or fault draws).
fn essence(s: &State) -> State {
    let mut s = s.clone();
    s.counters.clear();
    s.clock.elapsed_ms = 0;
    s.faults.draws = 0;
    s
}

fn time_may_move(s: &State) -> bool {
    s.create_requests
        .values()
        .any(|r| r.state == CreateAccountState::InProgress)
        || s.accounts
            .values()
            .any(|a| a.state == AccountState::PendingClosure)
}

fn run(steps: Vec<Step>) -> Result<(), TestCaseError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async {
        let mut b = Builder::new(&options()).unwrap();
        b.enable_policy_type("SERVICE_CONTROL_POLICY");
        let root = b.root_id();
        let top = b.ou(&root, "top");
        b.account(&top, "a", "a@example.com");
        b.account(&root, "b", "b@example.com");
        let env = from_state(&b.finish().unwrap());
        for step in &steps {
            if let Step::Sleep(secs) = step {
                tokio::time::sleep(Duration::from_secs(u64::from(*secs))).await;
                continue;
            }
            let before = env.state();
            let Some(req) = request(&before, step) else {
                continue;
            };
            let result = env.emu.call(&Scope::Management, req).await;
            let after = env.state();
            let problems = after.check_invariants();
            prop_assert!(problems.is_empty(), "after {step:?}: {problems:?}");
            if result.is_err() && !time_may_move(&before) {
                prop_assert_eq!(
                    essence(&before),
                    essence(&after),
                    "rejected {:?} changed the state",
                    step
                );
            }
        }
        env.emu.flush().unwrap();
        let reloaded = store::load(&env.path).unwrap();
        prop_assert_eq!(reloaded, env.state());
        Ok(())
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_for_any_sequence(steps in proptest::collection::vec(step(), 1..60)) {
        run(steps)?;
    }
}
