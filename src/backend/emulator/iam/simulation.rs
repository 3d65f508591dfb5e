//! SimulatePrincipalPolicy: the emulator's IAM engine evaluating a principal's policies for
//! given actions (the evaluation itself lives with authorization).

use super::*;

impl Core {
    pub(super) fn simulate_principal_policy(
        &mut self,
        op: Operation,
        i: SimulatePrincipalPolicyInput,
    ) -> Outcome {
        let results = self.simulate(op, &i)?;
        read(Response::SimulatePrincipalPolicy(
            SimulatePrincipalPolicyOutput {
                evaluation_results: results,
                next_token: None,
            },
        ))
    }
}
