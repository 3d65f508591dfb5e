//! The JSON protocols: Organizations over `awsJson1_1` (the operation in `X-Amz-Target`, the
//! input as the body) and the Account service over `restJson1` (the operation in the path).
//! Both carry AWS's PascalCase member names; the emulator's requests and responses
//! ([`crate::api::requests`]) carry the same names in snake_case, so the translation is one
//! renaming of keys each way plus the few members whose AWS shape differs.

use serde_json::{Map, Value};

use crate::api::{Operation, Request, Response, Service};

use super::WireError;

/// The `X-Amz-Target` prefix of Organizations: the service's shape name, joined to the
/// operation's by a period (Smithy, "AWS JSON 1.1 protocol", Protocol Behaviors: every request
/// is `POST /` with `Content-Type: application/x-amz-json-1.1` and this header; checked
/// 2026-12-06).
pub const ORGANIZATIONS_TARGET: &str = "AWSOrganizationsV20161128";

/// `ListRoots` to the emulator's ListRoots input, `CreateAccount` likewise.
pub fn organizations_operation(target: &str) -> Result<Operation, WireError> {
    let name = target
        .strip_prefix(ORGANIZATIONS_TARGET)
        .and_then(|t| t.strip_prefix('.'))
        .ok_or_else(|| unknown_operation(target))?;
    Operation::from_name(name)
        .filter(|op| op.service() == Service::Organizations)
        .ok_or_else(|| unknown_operation(target))
}

/// A target naming no operation of the service: AWS's JSON services answer
/// `UnknownOperationException` (400) in the protocol's error shape, never a page (observed
/// behaviour; the API references document no code for it, checked 2026-12-06).
fn unknown_operation(what: &str) -> WireError {
    WireError::client(
        "UnknownOperationException",
        format!("The emulator serves no operation {what:?}."),
    )
}

/// A JSON body in AWS's member names to the emulator's request for `op`.
pub fn decode(op: Operation, body: &[u8]) -> Result<Request, WireError> {
    // An empty body is an operation without input (Smithy, "AWS JSON 1.1 protocol", Empty
    // body serialization: servers MUST accept one; checked 2026-12-06).
    let input: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Map::new())
    } else {
        serde_json::from_slice(body).map_err(|e| {
            WireError::client(
                "SerializationException",
                format!("Malformed JSON body: {e}"),
            )
        })?
    };
    if !input.is_object() {
        return Err(WireError::client(
            "SerializationException",
            "The request body is not a JSON object.",
        ));
    }
    let mut input = rename_keys(input, &pascal_to_snake);
    if op == Operation::CreateOrganization && input.get("feature_set").is_none() {
        // AWS's default feature set.
        input["feature_set"] = Value::from(crate::vocab::FeatureSet::All.as_str());
    }
    request_of(op, input)
}

/// The emulator's request from its operation and snake_case input. Input the operation's
/// shape refuses is each service's validation error: `InvalidInputException` (Organizations
/// API Reference, error list of every operation), `ValidationException` (Account API
/// Reference, 400), `ValidationError` (IAM and STS API References, Common Errors, 400);
/// checked 2026-12-06.
pub fn request_of(op: Operation, input: Value) -> Result<Request, WireError> {
    let tagged = serde_json::json!({ "operation": op.name(), "input": input });
    serde_json::from_value(tagged).map_err(|e| {
        let code = match op.service() {
            Service::Organizations => "InvalidInputException",
            Service::Account => "ValidationException",
            Service::Iam | Service::Sts => "ValidationError",
        };
        WireError::client(code, format!("1 validation error detected: {e}"))
    })
}

/// A response as its JSON body in AWS's member names. Pages go out as `NextToken` (absent on
/// the last page) and come back in with `MaxResults` (Organizations API Reference, e.g.
/// ListAccountsForParent; checked 2026-12-06).
pub fn encode(response: &Response) -> Value {
    let output = output_of(response);
    rename_keys(output, &snake_to_pascal)
}

/// The emulator's output of a response, in snake_case, nulls left out as AWS leaves out
/// absent members.
pub fn output_of(response: &Response) -> Value {
    let mut tagged = serde_json::to_value(response).unwrap_or(Value::Null);
    let output = tagged
        .get_mut("output")
        .map(Value::take)
        .unwrap_or_else(|| Value::Object(Map::new()));
    without_nulls(output)
}

fn without_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

/// Renames every object key, at every depth.
pub fn rename_keys(v: Value, f: &dyn Fn(&str) -> String) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| (f(&k), rename_keys(v, f)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(|v| rename_keys(v, f)).collect()),
        other => other,
    }
}

/// `policy_type_summary` to `PolicyTypeSummary`.
pub fn snake_to_pascal(name: &str) -> String {
    name.split('_')
        .map(|part| {
            let mut c = part.chars();
            match c.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// `PolicyTypeSummary` to `policy_type_summary`; a run of capitals is one word
/// (`AWSServiceAccess` to `aws_service_access`).
pub fn pascal_to_snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The Account service's operations by their `restJson1` path (AWS Account Management API
/// Reference, PutAccountName, Request Syntax: `POST /putAccountName`, JSON body; a success is
/// 200 with an empty body; checked 2026-12-06).
pub fn account_operation(path: &str) -> Option<Operation> {
    match path.trim_end_matches('/') {
        "/putAccountName" => Some(Operation::PutAccountName),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{AttachPolicyInput, Empty, ListRootsOutput, PolicyTypeSummary, Root};

    #[test]
    fn names_convert_both_ways() {
        assert_eq!(snake_to_pascal("master_account_id"), "MasterAccountId");
        assert_eq!(snake_to_pascal("aws_managed"), "AwsManaged");
        assert_eq!(
            pascal_to_snake("IamUserAccessToBilling"),
            "iam_user_access_to_billing"
        );
        assert_eq!(pascal_to_snake("NextToken"), "next_token");
        assert_eq!(pascal_to_snake("AWSServiceAccess"), "aws_service_access");
        assert_eq!(pascal_to_snake("Type"), "type");
    }

    #[test]
    fn a_json_body_decodes_and_a_response_encodes_in_aws_names() {
        let r = decode(
            Operation::AttachPolicy,
            br#"{"PolicyId":"p-1","TargetId":"r-1"}"#,
        )
        .unwrap();
        assert_eq!(
            r,
            Request::AttachPolicy(AttachPolicyInput {
                policy_id: "p-1".into(),
                target_id: "r-1".into()
            })
        );
        let out = encode(&Response::ListRoots(ListRootsOutput {
            roots: vec![Root {
                id: "r-1".into(),
                arn: "arn".into(),
                name: "Root".into(),
                policy_types: vec![PolicyTypeSummary {
                    r#type: "SERVICE_CONTROL_POLICY".into(),
                    status: crate::vocab::PolicyTypeStatus::Enabled,
                }],
            }],
            next_token: None,
        }));
        assert_eq!(
            out,
            serde_json::json!({"Roots": [{"Id": "r-1", "Arn": "arn", "Name": "Root",
                "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}]})
        );
        assert_eq!(
            encode(&Response::AttachPolicy(Empty {})),
            serde_json::json!({})
        );
    }

    #[test]
    fn bad_input_is_an_aws_error_not_a_panic() {
        let e = decode(Operation::ListRoots, b"{not json").unwrap_err();
        assert_eq!(e.code, "SerializationException");
        let e = decode(Operation::AttachPolicy, br#"{"PolicyId": 7}"#).unwrap_err();
        assert_eq!(e.code, "InvalidInputException");
        let e = organizations_operation("AWSOrganizationsV20161128.LeaveOrganization").unwrap_err();
        assert_eq!(e.code, "UnknownOperationException");
        assert_eq!(
            organizations_operation(
                "AWSOrganizationsV20161128.ListAWSServiceAccessForOrganization"
            )
            .unwrap(),
            Operation::ListAwsServiceAccessForOrganization
        );
    }
}
