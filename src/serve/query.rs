//! The query protocol of IAM (`Version=2010-05-08`) and STS (`Version=2011-06-15`): a
//! form-encoded request (`Action=GetRole&RoleName=…`, lists as `Tags.member.1.Key`) and an
//! XML response in the service's namespace (`<GetRoleResponse><GetRoleResult>…`), lists as
//! `<member>` elements, pages as `IsTruncated` / `Marker`, dates in ISO 8601 and policy
//! documents URL-encoded, as IAM returns them.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::{Map, Value};

use crate::api::{Operation, Request, Response, Service};

use super::WireError;
use super::json::{output_of, pascal_to_snake, request_of, snake_to_pascal};

// The API versions and namespaces of the IAM API Reference and the AWS STS API Reference
// (Making query requests; every response's root element carries the namespace); checked
// 2026-12-06.
pub const IAM_VERSION: &str = "2010-05-08";
pub const STS_VERSION: &str = "2011-06-15";

/// The XML namespace of a query service's responses.
pub fn namespace(service: Service) -> &'static str {
    match service {
        Service::Sts => "https://sts.amazonaws.com/doc/2011-06-15/",
        _ => "https://iam.amazonaws.com/doc/2010-05-08/",
    }
}

/// The operation an `Action` names in a service. Any other action is `InvalidAction` (400;
/// IAM and STS API References, Common Errors, checked 2026-12-06).
pub fn operation(service: Service, action: &str) -> Result<Operation, WireError> {
    Operation::from_name(action)
        .filter(|op| op.service() == service)
        .ok_or_else(|| {
            let version = if service == Service::Sts {
                STS_VERSION
            } else {
                IAM_VERSION
            };
            WireError::client(
                "InvalidAction",
                format!("Could not find operation {action} for version {version}"),
            )
        })
}

/// A parameter path built from `A.member.1.B` keys before it becomes JSON: lists as
/// `.member.N` with N from 1, structures as `.Member` (Smithy, "AWS query protocol", Request
/// serialization; checked 2026-12-06).
enum Node {
    Leaf(String),
    Map(BTreeMap<String, Node>),
    List(BTreeMap<usize, Node>),
}

impl Node {
    fn insert(&mut self, path: &[&str], value: String) {
        let Some((&first, rest)) = path.split_first() else {
            *self = Node::Leaf(value);
            return;
        };
        if first == "member"
            && let Some((index, rest)) = rest.split_first()
            && let Ok(i) = index.parse::<usize>()
        {
            if !matches!(self, Node::List(_)) {
                *self = Node::List(BTreeMap::new());
            }
            if let Node::List(items) = self {
                items
                    .entry(i)
                    .or_insert_with(|| Node::Map(BTreeMap::new()))
                    .insert(rest, value);
            }
            return;
        }
        if !matches!(self, Node::Map(_)) {
            *self = Node::Map(BTreeMap::new());
        }
        if let Node::Map(m) = self {
            m.entry(first.to_string())
                .or_insert_with(|| Node::Map(BTreeMap::new()))
                .insert(rest, value);
        }
    }

    fn into_json(self, field: &str) -> Value {
        match self {
            Node::Leaf(s) if NUMBERS.contains(&field) => s
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or(Value::String(s)),
            Node::Leaf(s) => Value::String(s),
            Node::List(items) => {
                Value::Array(items.into_values().map(|n| n.into_json("")).collect())
            }
            Node::Map(m) => Value::Object(
                m.into_iter()
                    .map(|(k, v)| {
                        let name = input_name(&k);
                        let value = v.into_json(&name);
                        (name, value)
                    })
                    .collect(),
            ),
        }
    }
}

/// Members whose form value is a number.
const NUMBERS: &[&str] = &["max_results", "max_session_duration", "duration_seconds"];

/// A query parameter's name to the emulator's member name. IAM pages with `MaxItems` and
/// `Marker` in, `IsTruncated` and `Marker` out (IAM API Reference, e.g. ListRoles; checked
/// 2026-12-06).
fn input_name(name: &str) -> String {
    match name {
        "MaxItems" => "max_results".into(),
        "Marker" => "next_token".into(),
        "ContextKeyName" => "key".into(),
        "ContextKeyValues" => "values".into(),
        "ContextKeyType" => "type".into(),
        other => pascal_to_snake(other),
    }
}

/// The form parameters (without `Action` and `Version`) to the emulator's request.
pub fn decode(op: Operation, params: &[(String, String)]) -> Result<Request, WireError> {
    let mut root = Node::Map(BTreeMap::new());
    for (k, v) in params {
        if k == "Action" || k == "Version" {
            continue;
        }
        let path: Vec<&str> = k.split('.').collect();
        root.insert(&path, v.clone());
    }
    request_of(op, root.into_json(""))
}

/// Escapes text for an XML element.
fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}

/// Members holding a policy document, which IAM returns URL-encoded (RFC 3986; IAM API
/// Reference, e.g. GetRolePolicy, PolicyDocument; checked 2026-12-06).
const DOCUMENTS: &[&str] = &["assume_role_policy_document", "policy_document", "document"];
/// Members holding a time, in seconds since the epoch here and ISO 8601 on the wire (Smithy,
/// "AWS query protocol": timestamps default to `date-time`; checked 2026-12-06).
const DATES: &[&str] = &["create_date", "expiration"];

/// Characters left as they are in a URL-encoded document (RFC 3986's unreserved set).
const DOCUMENT_ENCODE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

pub fn iso8601(seconds: f64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(seconds.floor() as i64)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn element(out: &mut String, name: &str, field: &str, v: &Value) {
    match v {
        Value::Null => {}
        Value::Array(items) => {
            let _ = write!(out, "<{name}>");
            for item in items {
                if field == "matched_statements" {
                    out.push_str("<member><SourcePolicyId>");
                    escape(item.as_str().unwrap_or_default(), out);
                    out.push_str("</SourcePolicyId></member>");
                } else {
                    element(out, "member", "", item);
                }
            }
            let _ = write!(out, "</{name}>");
        }
        Value::Object(m) => {
            let _ = write!(out, "<{name}>");
            members(out, m);
            let _ = write!(out, "</{name}>");
        }
        Value::String(s) if field == "permissions_boundary" => {
            let _ = write!(
                out,
                "<{name}><PermissionsBoundaryType>Policy</PermissionsBoundaryType><PermissionsBoundaryArn>"
            );
            escape(s, out);
            let _ = write!(out, "</PermissionsBoundaryArn></{name}>");
        }
        Value::String(s) => {
            let _ = write!(out, "<{name}>");
            if DOCUMENTS.contains(&field) {
                let encoded = percent_encoding::utf8_percent_encode(s, DOCUMENT_ENCODE);
                escape(&encoded.to_string(), out);
            } else {
                escape(s, out);
            }
            let _ = write!(out, "</{name}>");
        }
        Value::Number(n) if DATES.contains(&field) => {
            let _ = write!(
                out,
                "<{name}>{}</{name}>",
                iso8601(n.as_f64().unwrap_or(0.0))
            );
        }
        Value::Number(n) => {
            let _ = write!(out, "<{name}>{n}</{name}>");
        }
        Value::Bool(b) => {
            let _ = write!(out, "<{name}>{b}</{name}>");
        }
    }
}

fn members(out: &mut String, m: &Map<String, Value>) {
    for (k, v) in m {
        element(out, &snake_to_pascal(k), k, v);
    }
}

/// The `…Result` element of a response: the output's members, with AWS's shape where the
/// emulator's output is flatter.
fn result(response: &Response) -> Option<String> {
    let mut output = output_of(response);
    let m = output.as_object_mut()?;
    if m.is_empty() {
        // Operations with no output answer with the metadata only.
        return None;
    }
    let mut out = String::new();
    match response {
        Response::AssumeRole(o) => {
            element(&mut out, "Credentials", "", &m["credentials"]);
            let session = o.assumed_role_arn.rsplit('/').next().unwrap_or_default();
            let role_id = format!(
                "AROA{}",
                o.credentials.access_key_id.get(4..).unwrap_or_default()
            );
            out.push_str("<AssumedRoleUser><Arn>");
            escape(&o.assumed_role_arn, &mut out);
            out.push_str("</Arn><AssumedRoleId>");
            escape(&format!("{role_id}:{session}"), &mut out);
            out.push_str("</AssumedRoleId></AssumedRoleUser>");
            return Some(out);
        }
        Response::GetPolicyVersion(_) => {
            let mut version = Map::new();
            version.insert("document".into(), m["document"].clone());
            version.insert("is_default_version".into(), Value::Bool(true));
            element(&mut out, "PolicyVersion", "", &Value::Object(version));
            return Some(out);
        }
        Response::ListGroupsForUser(o) => {
            m.remove("group_names");
            let groups = o
                .group_names
                .iter()
                .map(|g| serde_json::json!({ "group_name": g, "path": "/" }))
                .collect();
            m.insert("groups".into(), Value::Array(groups));
        }
        _ => {}
    }
    let paged = m.contains_key("next_token")
        || matches!(
            response.operation().name(),
            n if n.starts_with("List") || n == "SimulatePrincipalPolicy"
        );
    let marker = m.remove("next_token");
    members(&mut out, m);
    if paged {
        let truncated = marker.as_ref().is_some_and(|t| t.is_string());
        let _ = write!(out, "<IsTruncated>{truncated}</IsTruncated>");
        if let Some(Value::String(t)) = marker {
            out.push_str("<Marker>");
            escape(&t, &mut out);
            out.push_str("</Marker>");
        }
    }
    Some(out)
}

/// The XML body answering a query-protocol call: `<ActionResponse xmlns=…>` holding
/// `<ActionResult>` and `<ResponseMetadata><RequestId>` (Smithy, "AWS query protocol",
/// Response serialization), `Content-Type: text/xml`; an operation without output answers with
/// the metadata only (IAM API Reference, e.g. AttachRolePolicy); checked 2026-12-06.
pub fn encode(response: &Response, request_id: &str) -> String {
    let op = response.operation();
    let action = op.aws_name();
    let mut out = format!("<{action}Response xmlns=\"{}\">", namespace(op.service()));
    if let Some(r) = result(response) {
        let _ = write!(out, "<{action}Result>{r}</{action}Result>");
    }
    let _ = write!(
        out,
        "<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
    );
    out
}

/// The XML body of a query-protocol error: `<ErrorResponse><Error><Type>Sender|Receiver
/// </Type><Code>…</Code><Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>`
/// (Smithy, "AWS query protocol", Operation error serialization), in the service's namespace
/// as IAM and STS send it; checked 2026-12-06.
pub fn error(service: Service, e: &WireError, request_id: &str) -> String {
    let kind = if e.status >= 500 {
        "Receiver"
    } else {
        "Sender"
    };
    let mut out = format!(
        "<ErrorResponse xmlns=\"{}\"><Error><Type>{kind}</Type><Code>",
        namespace(service)
    );
    escape(&e.code, &mut out);
    out.push_str("</Code><Message>");
    escape(&e.message, &mut out);
    let _ = write!(
        out,
        "</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{AssumeRoleOutput, Credentials, GetRoleOutput, ListRoleTagsOutput, Role, Tag};

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn form_parameters_decode_with_lists_and_numbers() {
        let r = decode(
            Operation::CreateRole,
            &params(&[
                ("Action", "CreateRole"),
                ("RoleName", "r"),
                ("AssumeRolePolicyDocument", "{}"),
                ("MaxSessionDuration", "7200"),
                ("Tags.member.2.Key", "b"),
                ("Tags.member.2.Value", "2"),
                ("Tags.member.1.Key", "a"),
                ("Tags.member.1.Value", "1"),
            ]),
        )
        .unwrap();
        let Request::CreateRole(i) = r else {
            panic!("{r:?}")
        };
        assert_eq!(i.max_session_duration, Some(7200));
        assert_eq!(
            i.tags,
            [
                Tag {
                    key: "a".into(),
                    value: "1".into()
                },
                Tag {
                    key: "b".into(),
                    value: "2".into()
                }
            ]
        );
        let r = decode(
            Operation::ListRoles,
            &params(&[("MaxItems", "5"), ("Marker", "t")]),
        )
        .unwrap();
        assert!(
            matches!(r, Request::ListRoles(ref i) if i.max_results == Some(5) && i.next_token.as_deref() == Some("t")),
            "{r:?}"
        );
        let e = operation(Service::Iam, "CreateBucket").unwrap_err();
        assert_eq!(e.code, "InvalidAction");
    }

    #[test]
    fn responses_are_iam_xml() {
        let role = Role {
            role_name: "r".into(),
            role_id: "AROAX".into(),
            arn: "arn:aws:iam::1:role/r".into(),
            path: "/".into(),
            assume_role_policy_document: r#"{"a":"b c"}"#.into(),
            description: None,
            max_session_duration: 3600,
            permissions_boundary: Some("arn:b".into()),
            tags: vec![],
            create_date: 0.0,
        };
        let xml = encode(&Response::GetRole(GetRoleOutput { role }), "id-1");
        assert!(xml.starts_with(
            "<GetRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetRoleResult><Role>"
        ));
        assert!(
            xml.contains(
                "<AssumeRolePolicyDocument>%7B%22a%22%3A%22b%20c%22%7D</AssumeRolePolicyDocument>"
            ),
            "{xml}"
        );
        assert!(
            xml.contains("<CreateDate>1970-01-01T00:00:00Z</CreateDate>"),
            "{xml}"
        );
        assert!(
            xml.contains("<PermissionsBoundaryArn>arn:b</PermissionsBoundaryArn>"),
            "{xml}"
        );
        assert!(!xml.contains("<Description>"));
        assert!(xml.ends_with(
            "<ResponseMetadata><RequestId>id-1</RequestId></ResponseMetadata></GetRoleResponse>"
        ));

        let xml = encode(
            &Response::ListRoleTags(ListRoleTagsOutput {
                tags: vec![Tag {
                    key: "k".into(),
                    value: "<v>".into(),
                }],
                next_token: Some("n".into()),
            }),
            "id",
        );
        assert!(xml.contains("<Tags><member><Key>k</Key><Value>&lt;v&gt;</Value></member></Tags><IsTruncated>true</IsTruncated><Marker>n</Marker>"), "{xml}");

        let xml = encode(
            &Response::AssumeRole(AssumeRoleOutput {
                credentials: Credentials {
                    access_key_id: "ASIAKEY".into(),
                    secret_access_key: "s".into(),
                    session_token: "t".into(),
                    expiration: 0.0,
                },
                assumed_role_arn: "arn:aws:sts::1:assumed-role/r/me".into(),
            }),
            "id",
        );
        assert!(xml.contains("xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\""));
        assert!(xml.contains("<AccessKeyId>ASIAKEY</AccessKeyId>"), "{xml}");
        assert!(
            xml.contains("<AssumedRoleId>AROAKEY:me</AssumedRoleId>"),
            "{xml}"
        );
    }
}
