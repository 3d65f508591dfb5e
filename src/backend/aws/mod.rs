//! The AWS backend: the [`super::Api`] seam implemented with the AWS SDK, against AWS or any
//! AWS-compatible endpoint (moto, LocalStack). The only module that imports AWS SDK types.
//!
//! The SDK's own retries are disabled: orgchard's applier owns the retry policy, and an SDK
//! that retried underneath it would multiply waits and hide throttling from the pacing.
//! Calls into member accounts go through sessions obtained by assuming the organization's
//! member-access role there; each session is cached per account and renewed a few minutes
//! before its credentials expire.

mod errors;
mod ops;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};
use aws_smithy_http_client::tls;

use self::errors::Endpoint;
use self::ops::Clients;
use super::{ConnectError, ConnectOptions};
use crate::api::{Api, ApiError, AssumeRoleInput, AwsOptions, Operation, Request, Response, Scope};

/// Organizations is served from us-east-1; used when nothing else names a region.
const DEFAULT_REGION: &str = "us-east-1";
/// Member sessions are renewed this long before their credentials expire, so that no call
/// starts with credentials that run out while it is in flight.
const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(5 * 60);
/// The session name orgchard uses for every role it assumes (shows in CloudTrail).
const SESSION_NAME: &str = "orgchard";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);

/// Fixed access keys instead of the credential chain: for tests against a local endpoint,
/// which must not depend on (or race over) the process environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

/// AWS through the SDK.
pub struct AwsBackend {
    endpoint: Endpoint,
    /// The configuration every session derives from (region, endpoint, HTTP client, retries).
    config: SdkConfig,
    /// Clients with the caller's credentials (after `role_arn`, when set).
    management: Clients,
    member_access_role: String,
    partition: &'static str,
    members: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<MemberSession>>>>>,
}

/// A cached session inside one member account.
struct MemberSession {
    clients: Clients,
    expires_at: SystemTime,
}

impl AwsBackend {
    /// Loads the SDK configuration: the standard credential chain (environment, profile, SSO,
    /// web identity, container and instance roles), the profile, region and endpoint URL
    /// (`AWS_ENDPOINT_URL` is read by the SDK itself), then assumes `role_arn` when set.
    pub async fn connect(
        options: &AwsOptions,
        connect: &ConnectOptions,
    ) -> Result<AwsBackend, ConnectError> {
        Self::connect_inner(options, connect, None).await
    }

    /// Like [`AwsBackend::connect`], with fixed credentials in place of the credential chain.
    pub async fn connect_with_credentials(
        options: &AwsOptions,
        connect: &ConnectOptions,
        credentials: StaticCredentials,
    ) -> Result<AwsBackend, ConnectError> {
        Self::connect_inner(options, connect, Some(credentials)).await
    }

    async fn connect_inner(
        options: &AwsOptions,
        connect: &ConnectOptions,
        credentials: Option<StaticCredentials>,
    ) -> Result<AwsBackend, ConnectError> {
        let role = connect.member_access_role.trim_matches('/');
        if role.is_empty() {
            return Err(ConnectError::Aws(
                "member_access_role is empty: name the role orgchard assumes in member accounts"
                    .to_string(),
            ));
        }
        if let Some(url) = &options.endpoint_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(ConnectError::Aws(format!(
                "endpoint URL {url:?} must start with http:// or https://"
            )));
        }

        // rustls on ring: the SDK's default client uses aws-lc, whose build needs cmake.
        let http_client = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();

        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http_client)
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(CONNECT_TIMEOUT)
                    .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                    .build(),
            );
        if let Some(profile) = &options.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &options.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(url) = &options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some(c) = credentials {
            loader = loader.credentials_provider(Credentials::new(
                c.access_key_id,
                c.secret_access_key,
                c.session_token,
                None,
                "orgchard-static",
            ));
        }
        let mut config = loader.load().await;
        if config.region().is_none() {
            config = config
                .into_builder()
                .region(Region::from_static(DEFAULT_REGION))
                .build();
        }
        if config.credentials_provider().is_none() {
            return Err(ConnectError::Aws(
                "no credential source is configured".to_string(),
            ));
        }
        if let Some(role_arn) = &options.role_arn {
            if !role_arn.starts_with("arn:") || !role_arn.contains(":role/") {
                return Err(ConnectError::Aws(format!(
                    "role_arn {role_arn:?} is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)"
                )));
            }
            let provider = AssumeRoleProvider::builder(role_arn)
                .session_name(SESSION_NAME)
                .configure(&config)
                .build()
                .await;
            config = config
                .into_builder()
                .credentials_provider(SharedCredentialsProvider::new(provider))
                .build();
        }

        let region = config
            .region()
            .map(|r| r.to_string())
            .unwrap_or_else(|| DEFAULT_REGION.to_string());
        let endpoint = Endpoint {
            url: config.endpoint_url().map(str::to_string),
            region: region.clone(),
        };
        Ok(AwsBackend {
            endpoint,
            management: Clients::new(&config),
            config,
            member_access_role: role.to_string(),
            partition: partition_of(&region),
            members: Mutex::new(HashMap::new()),
        })
    }

    /// The role ARN assumed to work inside `account_id`.
    fn member_role_arn(&self, account_id: &str) -> String {
        crate::vocab::arn::role(self.partition, account_id, None, &self.member_access_role)
    }

    /// The clients for `scope`, assuming the member-access role when the cached session is
    /// missing or about to expire.
    async fn clients(&self, scope: &Scope, operation: Operation) -> Result<Clients, ApiError> {
        let account_id = match scope {
            Scope::Management => return Ok(self.management.clone()),
            Scope::Account(id) => id,
        };
        if account_id.len() != 12 || !account_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApiError::new(
                operation,
                "InvalidInputException",
                format!("{account_id:?} is not an AWS account id (12 digits)"),
            ));
        }
        let slot = {
            // A poisoned lock only means another call panicked mid-insert; the map is intact.
            let mut members = self.members.lock().unwrap_or_else(|e| e.into_inner());
            members.entry(account_id.clone()).or_default().clone()
        };
        // One assumption per account at a time; other accounts proceed in parallel.
        let mut session = slot.lock().await;
        if let Some(s) = session.as_ref()
            && !needs_refresh(s.expires_at, SystemTime::now())
        {
            return Ok(s.clients.clone());
        }
        let fresh = self.assume_member(account_id, operation).await?;
        let clients = fresh.clients.clone();
        *session = Some(fresh);
        Ok(clients)
    }

    async fn assume_member(
        &self,
        account_id: &str,
        operation: Operation,
    ) -> Result<MemberSession, ApiError> {
        let role_arn = self.member_role_arn(account_id);
        let request = Request::AssumeRole(AssumeRoleInput {
            role_arn: role_arn.clone(),
            role_session_name: SESSION_NAME.to_string(),
            duration_seconds: None,
        });
        let out = match ops::dispatch(&self.management, &self.endpoint, request).await {
            Ok(Response::AssumeRole(out)) => out,
            Ok(other) => {
                return Err(ApiError::new(
                    Operation::AssumeRole,
                    errors::ENDPOINT_ERROR,
                    format!("AssumeRole answered with a {} response", other.operation()),
                ));
            }
            Err(mut e) => {
                e.message = format!(
                    "assuming {role_arn} to call {} in account {account_id}: {}",
                    operation.action(),
                    e.message
                );
                return Err(e);
            }
        };
        let expires_at = UNIX_EPOCH + Duration::from_secs_f64(out.credentials.expiration.max(0.0));
        let credentials = Credentials::new(
            out.credentials.access_key_id,
            out.credentials.secret_access_key,
            Some(out.credentials.session_token),
            Some(expires_at),
            "orgchard-member-access",
        );
        let config = self
            .config
            .to_builder()
            .credentials_provider(SharedCredentialsProvider::new(credentials))
            .build();
        Ok(MemberSession {
            clients: Clients::new(&config),
            expires_at,
        })
    }
}

/// Whether a session expiring at `expires_at` must be renewed before a call made at `now`.
fn needs_refresh(expires_at: SystemTime, now: SystemTime) -> bool {
    match expires_at.duration_since(now) {
        Ok(left) => left <= REFRESH_BEFORE_EXPIRY,
        Err(_) => true,
    }
}

/// The ARN partition of a region.
fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

#[async_trait]
impl Api for AwsBackend {
    async fn call(&self, scope: &Scope, request: Request) -> Result<Response, ApiError> {
        let clients = self.clients(scope, request.operation()).await?;
        ops::dispatch(&clients, &self.endpoint, request).await
    }

    fn describe(&self) -> String {
        match &self.endpoint.url {
            Some(url) => format!("aws {url}"),
            None => format!("aws {}", self.endpoint.region),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_renewed_five_minutes_early() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert!(!needs_refresh(now + Duration::from_secs(3600), now));
        assert!(!needs_refresh(now + Duration::from_secs(301), now));
        assert!(needs_refresh(now + Duration::from_secs(300), now));
        assert!(needs_refresh(now - Duration::from_secs(1), now));
    }

    #[test]
    fn partitions_follow_the_region() {
        assert_eq!(partition_of("us-east-1"), "aws");
        assert_eq!(partition_of("cn-north-1"), "aws-cn");
        assert_eq!(partition_of("us-gov-west-1"), "aws-us-gov");
    }

    #[tokio::test]
    async fn connect_rejects_bad_settings() {
        let creds = StaticCredentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "secret".into(),
            session_token: None,
        };
        let bad_url = AwsOptions {
            endpoint_url: Some("127.0.0.1:5000".into()),
            region: Some("us-east-1".into()),
            ..AwsOptions::default()
        };
        let err = AwsBackend::connect_with_credentials(
            &bad_url,
            &ConnectOptions::default(),
            creds.clone(),
        )
        .await
        .err()
        .expect("an endpoint without scheme is refused");
        assert!(err.to_string().contains("must start with http"), "{err}");

        let bad_role = AwsOptions {
            role_arn: Some("Admin".into()),
            region: Some("us-east-1".into()),
            ..AwsOptions::default()
        };
        let err =
            AwsBackend::connect_with_credentials(&bad_role, &ConnectOptions::default(), creds)
                .await
                .err()
                .expect("a role name is not a role ARN");
        assert!(err.to_string().contains("is not a role ARN"), "{err}");
    }

    #[tokio::test]
    async fn member_scope_needs_an_account_id() {
        let backend = AwsBackend::connect_with_credentials(
            &AwsOptions {
                region: Some("eu-west-1".into()),
                endpoint_url: Some("http://127.0.0.1:9".into()),
                ..AwsOptions::default()
            },
            &ConnectOptions::default(),
            StaticCredentials {
                access_key_id: "AKIDEXAMPLE".into(),
                secret_access_key: "secret".into(),
                session_token: None,
            },
        )
        .await
        .expect("connects without a call");
        assert_eq!(backend.describe(), "aws http://127.0.0.1:9");
        assert_eq!(
            backend.member_role_arn("111122223333"),
            "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole"
        );
        let err = backend
            .call(
                &Scope::Account("prod".into()),
                Request::ListRoles(Default::default()),
            )
            .await
            .expect_err("not an account id");
        assert_eq!(err.code, "InvalidInputException");
    }
}
