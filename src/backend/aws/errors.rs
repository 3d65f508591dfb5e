//! SDK errors turned into the seam's [`ApiError`]. The classification follows AWS's error
//! code (and the modeled `Reason` of Organizations' constraint and input errors), never the
//! HTTP status: an endpoint that answers without an AWS error code is not AWS-compatible for
//! that operation, and saying so at once beats a parse error after a round of retries.

use std::error::Error as StdError;

use aws_sdk_organizations::config::http::HttpResponse;
use aws_sdk_organizations::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_organizations::types::error as org_errors;

use crate::api::{ApiError, ErrorKind, Operation};

/// The code of every error that says the endpoint could not be used as AWS would be.
pub(crate) const ENDPOINT_ERROR: &str = "OrgchardEndpointError";
/// A request that timed out; worth another try.
const TIMEOUT_ERROR: &str = "RequestTimeout";
/// A request the SDK refused to build or send for a reason of its own (no credentials, an
/// invalid parameter caught client-side, …).
const REQUEST_ERROR: &str = "OrgchardRequestError";

/// Codes with which AWS-compatible servers say "no such operation" rather than failing it.
const UNKNOWN_OPERATION_CODES: &[&str] = &[
    "InvalidAction",
    "UnknownOperationException",
    "NotImplemented",
    "NotImplementedException",
];

/// Where calls go, for messages: "moto at http://127.0.0.1:5000", "AWS (us-east-1)".
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    /// The endpoint URL when one is configured.
    pub url: Option<String>,
    pub region: String,
}

impl Endpoint {
    /// Names the endpoint, recognising the emulators by the way their servers answer.
    fn label(&self, server: Server) -> String {
        match (&self.url, server) {
            (Some(url), Server::Moto) => format!("moto at {url}"),
            (Some(url), Server::LocalStack) => format!("LocalStack at {url}"),
            (Some(url), Server::Unknown) => format!("the endpoint at {url}"),
            (None, _) => format!("AWS ({})", self.region),
        }
    }

    /// The endpoint as configured, without guessing what runs there.
    pub fn plain_label(&self) -> String {
        self.label(Server::Unknown)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Server {
    Moto,
    LocalStack,
    Unknown,
}

fn server_of(response: &HttpResponse) -> Server {
    let headers = response.headers();
    if headers
        .iter()
        .any(|(name, _)| name.starts_with("x-localstack"))
    {
        return Server::LocalStack;
    }
    // moto's server is a Werkzeug (Flask) application.
    match headers.get("server") {
        Some(s) if s.contains("Werkzeug") || s.to_ascii_lowercase().contains("moto") => {
            Server::Moto
        }
        _ => Server::Unknown,
    }
}

/// Turns the SDK's error for `operation` into the seam's error.
pub(crate) fn from_sdk<E>(
    operation: Operation,
    endpoint: &Endpoint,
    error: SdkError<E, HttpResponse>,
) -> ApiError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    match &error {
        SdkError::ServiceError(service) => {
            let err = service.err();
            match err.code() {
                Some(code) if !UNKNOWN_OPERATION_CODES.contains(&code) => {
                    let mut api = ApiError::new(operation, code, err.message().unwrap_or_default());
                    api.reason = modeled_reason(err);
                    api
                }
                _ => not_implemented(operation, endpoint, service.raw()),
            }
        }
        SdkError::ResponseError(response) => {
            let raw = response.raw();
            if raw.status().is_success() {
                endpoint_error(
                    operation,
                    format!(
                        "{} answered {} with a response that is not AWS's: {}",
                        endpoint.label(server_of(raw)),
                        operation.action(),
                        DisplayErrorContext(&error)
                    ),
                )
            } else {
                not_implemented(operation, endpoint, raw)
            }
        }
        SdkError::DispatchFailure(failure) if failure.is_timeout() => timeout(operation, endpoint),
        SdkError::DispatchFailure(failure) if failure.is_io() => endpoint_error(
            operation,
            format!(
                "cannot reach {} for {}: {}",
                endpoint.plain_label(),
                operation.action(),
                DisplayErrorContext(&error)
            ),
        ),
        SdkError::TimeoutError(_) => timeout(operation, endpoint),
        _ => ApiError::new(
            operation,
            REQUEST_ERROR,
            format!("{}: {}", operation.action(), DisplayErrorContext(&error)),
        ),
    }
}

fn timeout(operation: Operation, endpoint: &Endpoint) -> ApiError {
    let mut e = ApiError::new(
        operation,
        TIMEOUT_ERROR,
        format!(
            "{} did not answer {} in time",
            endpoint.plain_label(),
            operation.action()
        ),
    );
    e.kind = ErrorKind::Transient;
    e
}

/// An answer without an AWS error code. From an emulator, the operation is not implemented
/// there: final. From AWS itself, only a failing front end (a 502/503 page) answers so, and
/// that is worth another try.
fn not_implemented(operation: Operation, endpoint: &Endpoint, raw: &HttpResponse) -> ApiError {
    let content_type = raw
        .headers()
        .get("content-type")
        .unwrap_or("no content type");
    let status = raw.status().as_u16();
    if endpoint.url.is_none() && raw.status().is_server_error() {
        let mut e = endpoint_error(
            operation,
            format!(
                "{} answered {} with HTTP {status} and no AWS error ({content_type})",
                endpoint.plain_label(),
                operation.action(),
            ),
        );
        e.kind = ErrorKind::Transient;
        return e;
    }
    endpoint_error(
        operation,
        format!(
            "{} does not implement {} (it answered HTTP {status}, {content_type})",
            endpoint.label(server_of(raw)),
            operation.action(),
        ),
    )
}

fn endpoint_error(operation: Operation, message: String) -> ApiError {
    ApiError::new(operation, ENDPOINT_ERROR, message)
}

/// The `Reason` of the Organizations exceptions that carry one. The operation error enums
/// expose their modeled exception as the error's source.
fn modeled_reason(err: &(dyn StdError + 'static)) -> Option<String> {
    let inner = err.source()?;
    if let Some(e) = inner.downcast_ref::<org_errors::ConstraintViolationException>() {
        return e.reason().map(|r| r.as_str().to_string());
    }
    if let Some(e) = inner.downcast_ref::<org_errors::InvalidInputException>() {
        return e.reason().map(|r| r.as_str().to_string());
    }
    if let Some(e) = inner.downcast_ref::<org_errors::HandshakeConstraintViolationException>() {
        return e.reason().map(|r| r.as_str().to_string());
    }
    None
}

/// Builds a request the SDK could not: a shape that fails its own validation.
pub(crate) fn invalid_request(operation: Operation, what: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        operation,
        REQUEST_ERROR,
        format!("{}: {what}", operation.action()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_organizations::operation::detach_policy::DetachPolicyError;
    use aws_sdk_organizations::types::ConstraintViolationExceptionReason;
    use aws_smithy_types::body::SdkBody;

    fn response(status: u16, headers: &[(&'static str, &'static str)]) -> HttpResponse {
        let mut r = HttpResponse::new(status.try_into().unwrap(), SdkBody::empty());
        for (k, v) in headers {
            r.headers_mut().insert(*k, *v);
        }
        r
    }

    fn moto() -> Endpoint {
        Endpoint {
            url: Some("http://127.0.0.1:5000".into()),
            region: "us-east-1".into(),
        }
    }

    #[test]
    fn modeled_errors_keep_code_and_reason() {
        let modeled = DetachPolicyError::ConstraintViolationException(
            org_errors::ConstraintViolationException::builder()
                .message("cannot detach the last SCP")
                .reason(ConstraintViolationExceptionReason::MinPolicyTypeAttachmentLimitExceeded)
                .meta(
                    aws_sdk_organizations::error::ErrorMetadata::builder()
                        .code("ConstraintViolationException")
                        .message("cannot detach the last SCP")
                        .build(),
                )
                .build(),
        );
        let err = SdkError::service_error(modeled, response(400, &[]));
        let api = from_sdk(Operation::DetachPolicy, &moto(), err);
        assert_eq!(api.code, "ConstraintViolationException");
        assert_eq!(
            api.reason.as_deref(),
            Some("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
        );
        assert_eq!(api.kind, ErrorKind::Client);
        assert_eq!(api.message, "cannot detach the last SCP");
    }

    #[test]
    fn an_answer_without_code_names_operation_and_endpoint() {
        let unhandled = DetachPolicyError::generic(
            aws_sdk_organizations::error::ErrorMetadata::builder().build(),
        );
        let err = SdkError::service_error(
            unhandled,
            response(
                500,
                &[
                    ("server", "Werkzeug/3.1.3 Python/3.11.7"),
                    ("content-type", "text/html; charset=utf-8"),
                ],
            ),
        );
        let api = from_sdk(Operation::DetachPolicy, &moto(), err);
        assert_eq!(api.kind, ErrorKind::Endpoint);
        assert_eq!(api.code, ENDPOINT_ERROR);
        assert!(
            api.message.starts_with(
                "moto at http://127.0.0.1:5000 does not implement organizations:DetachPolicy"
            ),
            "{}",
            api.message
        );
    }

    #[test]
    fn unknown_operation_codes_are_endpoint_errors() {
        let unknown = DetachPolicyError::generic(
            aws_sdk_organizations::error::ErrorMetadata::builder()
                .code("InvalidAction")
                .build(),
        );
        let err = SdkError::service_error(unknown, response(400, &[("x-localstack", "true")]));
        let api = from_sdk(Operation::DetachPolicy, &moto(), err);
        assert_eq!(api.kind, ErrorKind::Endpoint);
        assert!(api.message.starts_with("LocalStack at "), "{}", api.message);
    }

    #[test]
    fn a_bare_server_error_from_aws_itself_is_transient() {
        let aws = Endpoint {
            url: None,
            region: "us-east-1".into(),
        };
        let bare = || {
            DetachPolicyError::generic(
                aws_sdk_organizations::error::ErrorMetadata::builder().build(),
            )
        };
        let err = SdkError::service_error(bare(), response(503, &[("content-type", "text/html")]));
        let api = from_sdk(Operation::DetachPolicy, &aws, err);
        assert_eq!(api.kind, ErrorKind::Transient);
        assert!(api.is_retryable());
        assert!(api.message.contains("HTTP 503"), "{}", api.message);
        // The same answer from a configured endpoint is final.
        let err = SdkError::service_error(bare(), response(503, &[]));
        assert_eq!(
            from_sdk(Operation::DetachPolicy, &moto(), err).kind,
            ErrorKind::Endpoint
        );
    }

    #[test]
    fn throttling_stays_retryable() {
        let throttled = DetachPolicyError::generic(
            aws_sdk_organizations::error::ErrorMetadata::builder()
                .code("TooManyRequestsException")
                .message("slow down")
                .build(),
        );
        let err = SdkError::service_error(throttled, response(400, &[]));
        let api = from_sdk(Operation::DetachPolicy, &moto(), err);
        assert_eq!(api.kind, ErrorKind::Throttling);
        assert!(api.is_retryable());
    }
}
