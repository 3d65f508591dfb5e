//! `orgchard emulator serve`: the embedded emulator over AWS's own wire protocols, so that any
//! AWS client (the AWS CLI, boto3, Terraform, orgchard's own `--backend aws`) meets the same
//! rules as orgchard's embedded path. Organizations speaks `awsJson1_1` ([`json`]), IAM and
//! STS the query protocol ([`query`]), the Account service `restJson1`.
//!
//! The server is hyper 1 on tokio, one task per connection; every request becomes one
//! [`Api::call`] on the shared [`Emulator`], whose own lock serializes changes and whose
//! journal makes each accepted change durable before the answer leaves. Requests are
//! attributed by the access key id of their SigV4 `Authorization` header: the management
//! caller's keys (printed by `emulator init` and `emulator serve`), the temporary keys an
//! `AssumeRole` of any role returned (calls then act as that role session: in the role's
//! account, under the role's policies and that account's SCP chain), and any other key acting
//! as the management caller, so that a client with dummy credentials works out of the box.
//! With `--verify-signatures` ([`auth`]) only the emulator's own keys are accepted, each
//! request signed with its secret.

pub mod auth;
pub mod json;
pub mod query;

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use hyper::{Method, StatusCode};
use hyper_util::rt::TokioIo;
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;

#[cfg(test)]
use crate::api::Operation;
use crate::api::{Api, ApiError, Request, Response, Scope, Service};
use crate::backend::emulator::{self, Emulator, RoleSession, SESSION_TOKEN_PREFIX, State};

/// The region clients are told to use; the emulator serves one organization whatever the
/// region a request is signed for.
pub const REGION: &str = "us-east-1";

/// An error as it goes on the wire: AWS's code, message, Organizations' `Reason`, and the
/// HTTP status AWS answers it with.
#[derive(Debug, Clone, PartialEq)]
pub struct WireError {
    pub code: String,
    pub message: String,
    pub reason: Option<String>,
    pub status: u16,
}

impl WireError {
    pub fn client(code: &str, message: impl Into<String>) -> WireError {
        WireError {
            code: code.to_string(),
            message: message.into(),
            reason: None,
            status: 400,
        }
    }

    /// The emulator's error in the code and status the service's protocol uses for it
    /// (checked 2026-12-06):
    /// - Organizations answers every client error with 400 and `ServiceException` with 500
    ///   (Organizations API Reference, the error list of each operation; throttling is
    ///   `TooManyRequestsException`, 400).
    /// - IAM and STS use the query protocol's codes and the statuses of their `awsQueryError`
    ///   traits: `NoSuchEntity` 404, `EntityAlreadyExists`, `DeleteConflict`, `LimitExceeded`
    ///   and `ConcurrentModification` 409, `ServiceFailure` 500 (IAM API Reference, Errors of
    ///   each action); `AccessDenied` 403 (IAM API Reference, Common Errors); throttling as
    ///   `Throttling`, 400, the code IAM and STS send and the SDKs' standard retry mode
    ///   treats as throttling (AWS SDKs and Tools Reference Guide, "Retry behavior").
    /// - Account: `AccessDeniedException` 403, `ResourceNotFoundException` 404,
    ///   `TooManyRequestsException` 429, `InternalServerException` 500 (AWS Account Management
    ///   API Reference, PutAccountName, Errors).
    pub fn of(service: Service, e: &ApiError) -> WireError {
        let code = match (service, e.code.as_str()) {
            // The emulator's own codes for a simulated crash and a broken endpoint are not
            // AWS's: on the wire they are the service's internal failure.
            (Service::Iam | Service::Sts, "TooManyRequestsException") => "Throttling",
            (Service::Iam | Service::Sts, "ConcurrentModificationException") => {
                "ConcurrentModification"
            }
            (Service::Iam | Service::Sts, "ServiceException" | "OrgchardSimulatedCrash") => {
                "ServiceFailure"
            }
            (Service::Account, "ServiceException" | "OrgchardSimulatedCrash") => {
                "InternalServerException"
            }
            (Service::Organizations, "OrgchardSimulatedCrash") => "ServiceException",
            (_, code) => code,
        };
        let status = match (service, code) {
            (_, "ServiceException" | "ServiceFailure" | "InternalServerException") => 500,
            (Service::Organizations, _) => 400,
            (Service::Account, "TooManyRequestsException") => 429,
            (_, "AccessDenied" | "AccessDeniedException") => 403,
            (_, "NoSuchEntity" | "ResourceNotFoundException") => 404,
            (
                _,
                "EntityAlreadyExists"
                | "DeleteConflict"
                | "LimitExceeded"
                | "ConcurrentModification"
                | "ConflictException",
            ) => 409,
            _ => 400,
        };
        WireError {
            code: code.to_string(),
            message: e.message.clone(),
            reason: e.reason.clone(),
            status,
        }
    }
}

/// Access keys as a client sets them in `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// The management caller's keys: derived from the organization and the caller, so they stay
/// the same for a state file across restarts.
pub fn management_keys(state: &State) -> Keys {
    let digest = Sha256::digest(format!(
        "{}:{}",
        state.organization.id, state.caller.user_name
    ));
    let hex: String = digest.iter().map(|b| format!("{b:02X}")).collect();
    Keys {
        access_key_id: format!("AKIA{}", &hex[..16]),
        secret_access_key: hex[16..56].to_ascii_lowercase(),
    }
}

/// Who a request acts as.
#[derive(Debug, Clone)]
enum Identity {
    /// The configured caller, in the management account.
    Management,
    /// A session of a role, with temporary keys an AssumeRole returned.
    Session(RoleSession),
}

/// What every request handler shares.
struct Ctx {
    emulator: Arc<Emulator>,
    /// `--verify-signatures`: refuse requests not signed with keys the emulator issued.
    verify: bool,
    management: Keys,
    organization_id: String,
    /// The role (account, name) each temporary access key was issued for; None for a key
    /// that looks temporary but names no role.
    roles_by_key: Mutex<HashMap<String, Option<(String, String)>>>,
    requests: AtomicU64,
}

impl Ctx {
    fn request_id(&self) -> String {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        format!("0e7c5ac4-0000-4000-8000-{n:012x}")
    }

    /// The role a temporary access key was issued for.
    fn role_of_key(&self, key: &str) -> Option<(String, String)> {
        if let Some(found) = self
            .roles_by_key
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
        {
            return found.clone();
        }
        // Keys issued before a restart: the key names the role it was issued for.
        let state = self.emulator.state();
        let found = state.iam.iter().find_map(|(account, iam)| {
            iam.roles.iter().find_map(|(name, role)| {
                (session_key(&state.organization.id, &role.role_id) == key)
                    .then(|| (account.clone(), name.clone()))
            })
        });
        self.roles_by_key
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.to_string(), found.clone());
        found
    }

    /// The identity a request's access key (and session token) acts as: a session of the
    /// role a temporary key was issued for, named by its token; the management caller for
    /// every other key.
    fn identity(&self, key: Option<&str>, token: Option<&str>) -> Identity {
        let Some(key) = key.filter(|k| k.starts_with("ASIA")) else {
            return Identity::Management;
        };
        match self.role_of_key(key) {
            Some((account, role)) => Identity::Session(RoleSession {
                account,
                role,
                session: token
                    .and_then(|t| t.strip_prefix(SESSION_TOKEN_PREFIX))
                    .unwrap_or("session")
                    .to_string(),
            }),
            None => Identity::Management,
        }
    }

    /// The identity a request acts as; with `--verify-signatures`, only once its signature
    /// proves it was made with the secret of keys the emulator issued.
    fn authenticate(
        &self,
        service: Service,
        request: &auth::Signed<'_>,
    ) -> Result<Identity, WireError> {
        let header = request
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let token = request
            .headers
            .get("x-amz-security-token")
            .and_then(|v| v.to_str().ok());
        if !self.verify {
            return Ok(self.identity(header.and_then(auth::access_key).map(|(k, _)| k), token));
        }
        let refuse = |r: auth::Refusal| r.error(service);
        let header = header.ok_or_else(|| refuse(auth::Refusal::Missing))?;
        let signed = auth::parse(header).ok_or_else(|| refuse(auth::Refusal::Incomplete))?;
        let (identity, secret) = if signed.key == self.management.access_key_id {
            (
                Identity::Management,
                self.management.secret_access_key.clone(),
            )
        } else if signed.key.starts_with("ASIA")
            && let Some((account, role)) = self.role_of_key(signed.key)
        {
            // Temporary keys sign with their session's token, which names the session.
            let session = token
                .and_then(|t| t.strip_prefix(SESSION_TOKEN_PREFIX))
                .ok_or_else(|| refuse(auth::Refusal::UnknownKey))?;
            let secret = emulator::session_secret(&self.organization_id, signed.key, session);
            let session = RoleSession {
                account,
                role,
                session: session.to_string(),
            };
            (Identity::Session(session), secret)
        } else {
            return Err(refuse(auth::Refusal::UnknownKey));
        };
        if !auth::signature_matches(request, &signed, &secret, token) {
            return Err(refuse(auth::Refusal::Mismatch));
        }
        Ok(identity)
    }

    /// Remembers the role of the keys an AssumeRole returned.
    fn record_session(&self, response: &Response) {
        if let Response::AssumeRole(o) = response {
            let account = o.assumed_role_arn.split(':').nth(4).unwrap_or_default();
            let role = o.assumed_role_arn.split('/').nth(1).unwrap_or_default();
            self.roles_by_key
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(
                    o.credentials.access_key_id.clone(),
                    Some((account.to_string(), role.to_string())),
                );
        }
    }

    async fn call(
        &self,
        service: Service,
        identity: &Identity,
        request: Request,
    ) -> Result<Response, WireError> {
        let result = match identity {
            Identity::Management => self.emulator.call(&Scope::Management, request).await,
            Identity::Session(session) => self.emulator.call_as(session, request).await,
        };
        let response = result.map_err(|e| WireError::of(service, &e))?;
        self.record_session(&response);
        Ok(response)
    }
}

/// The access key of every session of the role with `role_id` (see
/// [`emulator::session_credentials`]).
fn session_key(org_id: &str, role_id: &str) -> String {
    emulator::session_credentials(org_id, role_id, "").0
}

type Reply = hyper::Response<Full<Bytes>>;

fn reply(status: u16, content_type: &str, request_id: &str, body: impl Into<Bytes>) -> Reply {
    let mut r = hyper::Response::new(Full::new(body.into()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amzn-RequestId", v);
    }
    r
}

const AWS_JSON: &str = "application/x-amz-json-1.1";

/// A JSON response body; an output without members is an empty body (Smithy, "AWS JSON 1.1
/// protocol", Empty body serialization: servers SHOULD send one, with the Content-Type, and
/// clients MUST accept `{}` too; AWS Account Management API Reference, PutAccountName: 200
/// with an empty body); checked 2026-12-06.
fn json_body(response: &Response) -> String {
    let body = json::encode(response);
    if body.as_object().is_some_and(|m| m.is_empty()) {
        String::new()
    } else {
        body.to_string()
    }
}

/// An awsJson1_1 error: the error's shape name in `__type`, its members beside it (Smithy,
/// "AWS JSON 1.1 protocol", Operation error serialization); Organizations' members are
/// `Message` and, for ConstraintViolationException and others, `Reason` (Organizations API
/// Reference, ConstraintViolationException); checked 2026-12-06.
fn json_error(e: &WireError, request_id: &str) -> Reply {
    let mut body = serde_json::json!({ "__type": e.code, "Message": e.message });
    if let Some(r) = &e.reason {
        body["Reason"] = r.clone().into();
    }
    reply(e.status, AWS_JSON, request_id, body.to_string())
}

/// A restJson1 error: the code in the `X-Amzn-ErrorType` header and the members in the body
/// (Smithy, "AWS restJson1 protocol", Operation error serialization; the Account API
/// Reference's errors carry `message` and name the header); checked 2026-12-06.
fn rest_error(e: &WireError, request_id: &str) -> Reply {
    let body = serde_json::json!({ "message": e.message });
    let mut r = reply(e.status, "application/json", request_id, body.to_string());
    if let Ok(v) = HeaderValue::from_str(&e.code) {
        r.headers_mut().insert("x-amzn-ErrorType", v);
    }
    r
}

async fn handle(ctx: Arc<Ctx>, req: hyper::Request<Incoming>) -> Result<Reply, Infallible> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let request_id = ctx.request_id();
    let signed = auth::Signed {
        method: parts.method.as_str(),
        path_and_query: parts.uri.path_and_query().map_or("/", |p| p.as_str()),
        headers: &parts.headers,
        body: &body,
    };
    // The service a query-protocol request is signed for tells IAM from STS.
    let signed_for = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(auth::access_key)
        .and_then(|(_, service)| service);

    // Organizations: awsJson1_1.
    if let Some(target) = parts.headers.get("x-amz-target") {
        let target = target.to_str().unwrap_or_default();
        let result = async {
            let op = json::organizations_operation(target)?;
            let identity = ctx.authenticate(Service::Organizations, &signed)?;
            let request = json::decode(op, &body)?;
            ctx.call(Service::Organizations, &identity, request).await
        }
        .await;
        return Ok(match result {
            Ok(r) => reply(200, AWS_JSON, &request_id, json_body(&r)),
            Err(e) => json_error(&e, &request_id),
        });
    }

    // IAM and STS: the query protocol, in the body (POST) or the URL (GET).
    let mut params: Vec<(String, String)> = parts
        .uri
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let form = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if form {
        params.extend(form_urlencoded::parse(&body).into_owned());
    }
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if let Some(action) = param("Action") {
        let service = match (signed_for, param("Version")) {
            (Some("sts"), _) | (_, Some(query::STS_VERSION)) => Service::Sts,
            _ => Service::Iam,
        };
        let result = async {
            let identity = ctx.authenticate(service, &signed)?;
            let op = query::operation(service, action)?;
            let request = query::decode(op, &params)?;
            ctx.call(service, &identity, request).await
        }
        .await;
        return Ok(match result {
            Ok(r) => reply(200, "text/xml", &request_id, query::encode(&r, &request_id)),
            Err(e) => reply(
                e.status,
                "text/xml",
                &request_id,
                query::error(service, &e, &request_id),
            ),
        });
    }

    // The Account service: restJson1, the operation in the path.
    match json::account_operation(parts.uri.path()).filter(|_| parts.method == Method::POST) {
        Some(op) => {
            let result = async {
                let identity = ctx.authenticate(Service::Account, &signed)?;
                let request = json::decode(op, &body)?;
                ctx.call(Service::Account, &identity, request).await
            }
            .await;
            Ok(match result {
                Ok(r) => reply(200, "application/json", &request_id, json_body(&r)),
                Err(e) => rest_error(&e, &request_id),
            })
        }
        // No operation at this path: answered as AWS's REST endpoints answer an unknown
        // route, `UnknownOperationException` with 404 in the restJson1 error shape, never an
        // HTML page (observed behaviour; checked 2026-12-06).
        None => {
            let mut e = WireError::client(
                "UnknownOperationException",
                format!(
                    "The emulator serves no operation at {} {}.",
                    parts.method,
                    parts.uri.path()
                ),
            );
            e.status = 404;
            Ok(rest_error(&e, &request_id))
        }
    }
}

/// A running server's settings.
pub struct Serve {
    pub emulator: Arc<Emulator>,
    /// Refuse requests not signed with keys the emulator issued (`--verify-signatures`).
    pub verify_signatures: bool,
}

impl Serve {
    /// Serves on `listener` until `shutdown` resolves, then lets the requests in progress
    /// finish (for up to ten seconds) and returns.
    pub async fn run(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()>,
    ) -> std::io::Result<()> {
        let state = self.emulator.state();
        let ctx = Arc::new(Ctx {
            management: management_keys(&state),
            organization_id: state.organization.id.clone(),
            verify: self.verify_signatures,
            emulator: self.emulator,
            roles_by_key: Mutex::new(HashMap::new()),
            requests: AtomicU64::new(0),
        });
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let stream = match accepted {
                        Ok((stream, _)) => stream,
                        // Out of file descriptors and the like: the next accept may succeed.
                        Err(_) => {
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            continue;
                        }
                    };
                    let _ = stream.set_nodelay(true);
                    let ctx = ctx.clone();
                    let service = hyper::service::service_fn(move |req| handle(ctx.clone(), req));
                    let conn = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service);
                    let conn = graceful.watch(conn);
                    tokio::spawn(async move {
                        let _ = conn.await;
                    });
                }
                () = &mut shutdown => break,
            }
        }
        drop(listener);
        tokio::select! {
            () = graceful.shutdown() => {}
            () = tokio::time::sleep(Duration::from_secs(10)) => {}
        }
        Ok(())
    }
}

/// The address a server is reachable at, as a URL (`http://127.0.0.1:4566`).
pub fn endpoint(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

/// Listens for Ctrl-C and SIGTERM from now on (so that a signal sent as soon as the endpoint
/// is printed already stops the server cleanly); the future resolves on the first of them.
pub fn interrupted() -> std::io::Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_take_each_protocols_code_and_status() {
        let e = ApiError::new(Operation::GetRole, "TooManyRequestsException", "slow");
        let w = WireError::of(Service::Iam, &e);
        assert_eq!((w.code.as_str(), w.status), ("Throttling", 400));
        let e = ApiError::new(Operation::GetRole, "NoSuchEntity", "none");
        assert_eq!(WireError::of(Service::Iam, &e).status, 404);
        let e = ApiError::new(Operation::DetachPolicy, "ConstraintViolationException", "m")
            .with_reason("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED");
        let w = WireError::of(Service::Organizations, &e);
        assert_eq!(w.status, 400);
        assert_eq!(
            w.reason.as_deref(),
            Some("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
        );
        let e = ApiError::new(Operation::PutAccountName, "TooManyRequestsException", "m");
        assert_eq!(WireError::of(Service::Account, &e).status, 429);
    }

    #[test]
    fn management_keys_are_stable_and_look_like_aws_keys() {
        let state = crate::backend::emulator::fresh_state(&Default::default()).unwrap();
        let k = management_keys(&state);
        assert_eq!(k, management_keys(&state));
        assert!(k.access_key_id.starts_with("AKIA") && k.access_key_id.len() == 20);
        assert_eq!(k.secret_access_key.len(), 40);
    }
}
