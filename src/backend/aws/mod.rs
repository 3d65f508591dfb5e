//! The AWS backend: the [`super::Api`] seam implemented with the AWS SDK. The only module
//! that imports AWS SDK types.

use async_trait::async_trait;

use super::{Api, ApiError, AwsOptions, ConnectError, ConnectOptions, Request, Response, Scope};

/// AWS through the SDK.
pub struct AwsBackend {
    endpoint: String,
}

impl AwsBackend {
    /// Loads the SDK configuration (credential chain, profile, region, endpoint).
    pub async fn connect(
        _options: &AwsOptions,
        _connect: &ConnectOptions,
    ) -> Result<AwsBackend, ConnectError> {
        Err(ConnectError::Aws(
            "the AWS backend is not available in this build yet".to_string(),
        ))
    }
}

#[async_trait]
impl Api for AwsBackend {
    async fn call(&self, _scope: &Scope, request: Request) -> Result<Response, ApiError> {
        Err(ApiError::new(
            request.operation(),
            "OrgchardEndpointError",
            "the AWS backend is not available in this build yet",
        ))
    }

    fn describe(&self) -> String {
        format!("aws {}", self.endpoint)
    }
}
