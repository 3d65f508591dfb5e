//! Managed IAM policies: the AWS-managed ones the emulator knows (GetPolicy, GetPolicyVersion)
//! and whether an ARN names an attachable policy.

use super::*;

impl Core {
    pub(super) fn get_policy(&self, op: Operation, i: GetPolicyInput) -> Outcome {
        if !self
            .state
            .aws_managed_iam_policies
            .contains_key(&i.policy_arn)
        {
            return Err(err(
                op,
                "NoSuchEntity",
                format!(
                    "Policy {} does not exist or is not attachable.",
                    i.policy_arn
                ),
            ));
        }
        read(Response::GetPolicy(GetPolicyOutput {
            policy: ManagedPolicy {
                policy_name: managed_name(&i.policy_arn),
                arn: i.policy_arn.clone(),
                default_version_id: "v1".into(),
            },
        }))
    }

    pub(super) fn get_policy_version(&self, op: Operation, i: GetPolicyVersionInput) -> Outcome {
        let doc = self
            .state
            .aws_managed_iam_policies
            .get(&i.policy_arn)
            .ok_or_else(|| {
                err(
                    op,
                    "NoSuchEntity",
                    format!("Policy {} does not exist.", i.policy_arn),
                )
            })?;
        if i.version_id != "v1" {
            return Err(err(
                op,
                "NoSuchEntity",
                format!(
                    "Policy {} version {} does not exist.",
                    i.policy_arn, i.version_id
                ),
            ));
        }
        read(Response::GetPolicyVersion(GetPolicyVersionOutput {
            document: doc.clone(),
        }))
    }

    pub(super) fn managed_policy_known(
        &self,
        op: Operation,
        account: &str,
        arn: &str,
    ) -> Result<(), ApiError> {
        let own = vocab::arn::iam_policy_prefix("aws", account);
        if self.state.aws_managed_iam_policies.contains_key(arn) || arn.starts_with(&own) {
            Ok(())
        } else {
            Err(err(
                op,
                "NoSuchEntity",
                format!("Policy {arn} does not exist or is not attachable."),
            ))
        }
    }
}
