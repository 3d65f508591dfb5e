//! AWS's API as orgchard speaks it: the seam every backend implements ([`Api`]: one method
//! that takes an AWS request and answers with AWS's response or AWS's error), where a call
//! is made ([`Scope`]), the error with its code and how to treat it ([`ApiError`],
//! [`ErrorKind`]), the requests and responses themselves ([`requests`]), and which backend
//! answers ([`BackendChoice`]). The seam sits at the API, not at "resources", so that the
//! reader, the applier and the pre-check are written once, speak in AWS's own operations and
//! error codes, and behave the same against AWS, moto, LocalStack and the emulator.
//!
//! This module does no I/O and imports nothing of orgchard's but [`crate::vocab`]: the
//! configuration model, the IAM engine and the backends all speak it, and none of them
//! runs through another to reach it.

pub mod requests;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

pub use requests::*;

/// Where a call is made.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "scope", content = "account_id")]
pub enum Scope {
    /// With the caller's own credentials, in the management account (every Organizations
    /// call, STS, and IAM calls on the management account's roles).
    Management,
    /// Inside a member account, through the session the backend holds after assuming the
    /// organization's member-access role there (IAM calls on that account's roles).
    Account(String),
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Management => f.write_str("management account"),
            Scope::Account(id) => write!(f, "account {id}"),
        }
    }
}

/// One AWS-compatible backend.
#[async_trait]
pub trait Api: Send + Sync {
    /// Sends one request and returns AWS's answer. Never retries.
    async fn call(&self, scope: &Scope, request: Request) -> Result<Response, ApiError>;

    /// A short description for messages: `emulator state.json`, `aws https://...`.
    fn describe(&self) -> String;
}

/// Which backend a command talks to: from `--backend`, else the configuration's `backend`
/// block, else AWS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum BackendChoice {
    /// The embedded emulator, with its state in this file (created fresh when missing).
    Emulator { path: PathBuf },
    /// AWS, or any AWS-compatible endpoint.
    Aws(AwsOptions),
}

/// Settings of the AWS backend; every field falls back to the SDK's default chain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    /// `--endpoint-url`, the `backend` block, or `AWS_ENDPOINT_URL`.
    pub endpoint_url: Option<String>,
    /// A role to assume before anything else.
    pub role_arn: Option<String>,
}

impl FromStr for BackendChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "aws" {
            Ok(BackendChoice::Aws(AwsOptions::default()))
        } else if let Some(path) = s.strip_prefix("emulator:").filter(|p| !p.is_empty()) {
            Ok(BackendChoice::Emulator { path: path.into() })
        } else {
            Err(format!(
                "invalid backend {s:?}: accepted are `aws` and `emulator:PATH`"
            ))
        }
    }
}

/// How the applier should treat an error; derived from AWS's error code, never from an HTTP
/// status alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// TooManyRequestsException, ThrottlingException: retry with backoff.
    Throttling,
    /// ConcurrentModificationException: retry with backoff.
    ConcurrentModification,
    /// 5xx-class service errors (ServiceException, InternalFailure, ServiceUnavailable) and
    /// FinalizingOrganizationException: retry with backoff.
    Transient,
    /// AccessDeniedException and friends: the caller lacks a permission.
    AccessDenied,
    /// The named resource does not exist (…NotFoundException, NoSuchEntity).
    NotFound,
    /// Any other client error (ConstraintViolation, InvalidInput, DuplicateX, …): final.
    Client,
    /// The endpoint did not answer as AWS would (connection refused, HTML instead of an AWS
    /// error, an operation it does not implement): final, and the message says which.
    Endpoint,
    /// The emulator's simulated crash: the process must stop at once, as a crash would.
    SimulatedCrash,
}

/// An AWS error as the service names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{operation}: {code}{}: {message}", reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default())]
pub struct ApiError {
    /// The operation that failed.
    pub operation: Operation,
    /// AWS's error code, e.g. `ConstraintViolationException`.
    pub code: String,
    /// The `Reason` field of ConstraintViolationException / InvalidInputException /
    /// HandshakeConstraintViolationException, e.g. `MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED`.
    pub reason: Option<String>,
    /// AWS's message text, verbatim.
    pub message: String,
    pub kind: ErrorKind,
}

impl ApiError {
    /// An error with the kind AWS's code implies.
    pub fn new(operation: Operation, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            operation,
            code: code.to_string(),
            reason: None,
            message: message.into(),
            kind: ErrorKind::from_code(code),
        }
    }

    pub fn with_reason(mut self, reason: &str) -> Self {
        self.reason = Some(reason.to_string());
        self
    }

    /// Worth another try after a backoff.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Throttling | ErrorKind::ConcurrentModification | ErrorKind::Transient
        )
    }
}

impl ErrorKind {
    /// Classifies an AWS error code.
    pub fn from_code(code: &str) -> ErrorKind {
        match code {
            "TooManyRequestsException"
            | "ThrottlingException"
            | "Throttling"
            | "RequestLimitExceeded"
            | "LimitExceededException.Throttling" => ErrorKind::Throttling,
            "ConcurrentModificationException" => ErrorKind::ConcurrentModification,
            "ServiceException"
            | "InternalFailure"
            | "InternalError"
            | "ServiceUnavailable"
            | "ServiceUnavailableException"
            | "ServiceFailure"
            | "ServiceFailureException"
            | "FinalizingOrganizationException" => ErrorKind::Transient,
            "AccessDeniedException"
            | "AccessDenied"
            | "AccessDeniedForDependencyException"
            | "AWSOrganizationsNotInUseException"
            | "UnauthorizedOperation" => ErrorKind::AccessDenied,
            "NoSuchEntity" | "NoSuchEntityException" => ErrorKind::NotFound,
            "OrgchardSimulatedCrash" => ErrorKind::SimulatedCrash,
            "OrgchardEndpointError" => ErrorKind::Endpoint,
            c if c.ends_with("NotFoundException") => ErrorKind::NotFound,
            _ => ErrorKind::Client,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_choice_parses() {
        assert_eq!(
            "emulator:x.json".parse::<BackendChoice>(),
            Ok(BackendChoice::Emulator {
                path: "x.json".into()
            })
        );
        assert!(matches!(
            "aws".parse::<BackendChoice>(),
            Ok(BackendChoice::Aws(_))
        ));
        assert!("emulator:".parse::<BackendChoice>().is_err());
        assert!("gcp".parse::<BackendChoice>().is_err());
    }

    #[test]
    fn error_kinds_follow_aws_codes() {
        let e = ApiError::new(
            Operation::AttachPolicy,
            "TooManyRequestsException",
            "slow down",
        );
        assert!(e.is_retryable());
        let e = ApiError::new(
            Operation::DetachPolicy,
            "ConstraintViolationException",
            "cannot detach",
        )
        .with_reason("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED");
        assert!(!e.is_retryable());
        assert_eq!(
            e.to_string(),
            "DetachPolicy: ConstraintViolationException (MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED): cannot detach"
        );
        assert_eq!(
            ErrorKind::from_code("OrganizationalUnitNotFoundException"),
            ErrorKind::NotFound
        );
    }
}
