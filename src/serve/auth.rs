//! Who signed a request, and, with `emulator serve --verify-signatures`, whether the
//! signature is right: the request is signed again with the secret of the key it names, by
//! AWS's own SigV4 signer (`aws-sigv4`), over exactly the headers the client signed, and the
//! two signatures compared. AWS's signer builds the canonical request, so the check follows
//! what the SDKs sign rather than a second reading of the specification.

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    SessionTokenMode, SignableBody, SignableRequest, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;

use crate::api::Service;

use super::WireError;

/// The parts of a SigV4 `Authorization` header
/// (`AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request, SignedHeaders=a;b,
/// Signature=HEX`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization<'a> {
    pub key: &'a str,
    pub region: &'a str,
    pub service: &'a str,
    pub signed_headers: Vec<&'a str>,
    pub signature: &'a str,
}

/// Reads an `Authorization` header; None when it is not a complete SigV4 one.
pub fn parse(header: &str) -> Option<Authorization<'_>> {
    let rest = header.strip_prefix("AWS4-HMAC-SHA256")?;
    let field = |name: &str| {
        rest.split([',', ' '])
            .map(str::trim)
            .find_map(|part| part.strip_prefix(name))
    };
    let mut scope = field("Credential=")?.split('/');
    let key = scope.next().filter(|k| !k.is_empty())?;
    let _date = scope.next()?;
    let region = scope.next()?;
    let service = scope.next()?;
    (scope.next() == Some("aws4_request")).then_some(())?;
    let signed_headers: Vec<&str> = field("SignedHeaders=")?.split(';').collect();
    let signature = field("Signature=").filter(|s| !s.is_empty())?;
    Some(Authorization {
        key,
        region,
        service,
        signed_headers,
        signature,
    })
}

/// The access key id of a SigV4 `Authorization` header, even an incomplete one (requests
/// are attributed by it when signatures are not verified).
pub fn access_key(header: &str) -> Option<(&str, Option<&str>)> {
    let scope = header.split("Credential=").nth(1)?;
    let scope = scope.split([',', ' ']).next()?;
    let mut parts = scope.split('/');
    let key = parts.next()?;
    Some((key, parts.nth(2)))
}

/// A request as it arrived, for checking its signature.
pub struct Signed<'a> {
    pub method: &'a str,
    /// The path and query, as sent.
    pub path_and_query: &'a str,
    pub headers: &'a hyper::HeaderMap,
    pub body: &'a [u8],
}

/// Whether `auth` is the signature of `request` with `secret` (and the session `token` of
/// temporary keys).
pub fn signature_matches(
    request: &Signed<'_>,
    auth: &Authorization<'_>,
    secret: &str,
    token: Option<&str>,
) -> bool {
    let header = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok());
    let Some(time) = header("x-amz-date").and_then(amz_date) else {
        return false;
    };
    let Some(host) = header("host") else {
        return false;
    };
    // Exactly the headers the client signed: the signer adds the date and the token itself.
    let mut signed = Vec::new();
    for name in &auth.signed_headers {
        let values: Vec<&str> = request
            .headers
            .get_all(*name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        if values.is_empty() {
            return false;
        }
        signed.push((*name, values.join(",")));
    }
    let mut settings = SigningSettings::default();
    settings.excluded_headers = None;
    if !auth.signed_headers.contains(&"x-amz-security-token") {
        settings.session_token_mode = SessionTokenMode::Exclude;
    }
    let identity: Identity = Credentials::new(
        auth.key,
        secret,
        token.map(str::to_string),
        None,
        "orgchard-emulator",
    )
    .into();
    let Ok(params) = v4::SigningParams::builder()
        .identity(&identity)
        .region(auth.region)
        .name(auth.service)
        .time(time)
        .settings(settings)
        .build()
    else {
        return false;
    };
    let params = params.into();
    let uri = format!("http://{host}{}", request.path_and_query);
    let Ok(signable) = SignableRequest::new(
        request.method,
        uri,
        signed.iter().map(|(k, v)| (*k, v.as_str())),
        SignableBody::Bytes(request.body),
    ) else {
        return false;
    };
    match sign(signable, &params) {
        Ok(output) => {
            let (_, signature) = output.into_parts();
            constant_time_eq(signature.as_bytes(), auth.signature.as_bytes())
        }
        Err(_) => false,
    }
}

/// `20261206T120000Z` as a time.
fn amz_date(s: &str) -> Option<SystemTime> {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let t = time::PrimitiveDateTime::parse(s, format).ok()?.assume_utc();
    Some(t.into())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Why a request's signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No `Authorization` header.
    Missing,
    /// An `Authorization` header that is not a complete SigV4 one.
    Incomplete,
    /// An access key the emulator did not issue, or temporary keys without their token.
    UnknownKey,
    /// The signature is not the one the key's secret makes.
    Mismatch,
}

impl Refusal {
    /// The refusal in the code and status each service answers it with. The codes and
    /// statuses are those of the services' API references, "Common Errors" (IncompleteSignature
    /// 400, InvalidClientTokenId 403, MissingAuthenticationToken 403), as the query protocol
    /// (IAM, STS) spells them; JSON services (Organizations on awsJson1_1, Account on
    /// restJson1) name them with the `…Exception` suffix, UnrecognizedClientException for an
    /// unknown key and InvalidSignatureException for a wrong signature, with 400 on
    /// awsJson1_1 and 403 on restJson1 (checked 2026-12-06).
    pub fn error(self, service: Service) -> WireError {
        let query = matches!(service, Service::Iam | Service::Sts);
        let (code, message) = match (self, query) {
            (Refusal::Missing, true) => (
                "MissingAuthenticationToken",
                "Request is missing Authentication Token",
            ),
            (Refusal::Missing, false) => (
                "MissingAuthenticationTokenException",
                "Missing Authentication Token",
            ),
            (Refusal::Incomplete, true) => (
                "IncompleteSignature",
                "The request signature does not conform to AWS standards.",
            ),
            (Refusal::Incomplete, false) => (
                "IncompleteSignatureException",
                "The request signature does not conform to AWS standards.",
            ),
            (Refusal::UnknownKey, true) => (
                "InvalidClientTokenId",
                "The security token included in the request is invalid.",
            ),
            (Refusal::UnknownKey, false) => (
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            ),
            (Refusal::Mismatch, true) => ("SignatureDoesNotMatch", MISMATCH),
            (Refusal::Mismatch, false) => ("InvalidSignatureException", MISMATCH),
        };
        let status = match (self, service) {
            (Refusal::Incomplete, Service::Iam | Service::Sts) => 400,
            (_, Service::Iam | Service::Sts | Service::Account) => 403,
            (_, Service::Organizations) => 400,
        };
        WireError {
            code: code.to_string(),
            message: message.to_string(),
            reason: None,
            status,
        }
    }
}

const MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sigv4_header_is_read_whole_or_refused() {
        let h = "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261206/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=abc123";
        let a = parse(h).unwrap();
        assert_eq!(
            (a.key, a.region, a.service, a.signature),
            ("AKIAEXAMPLE", "us-east-1", "iam", "abc123")
        );
        assert_eq!(a.signed_headers, ["content-type", "host", "x-amz-date"]);
        assert_eq!(access_key(h), Some(("AKIAEXAMPLE", Some("iam"))));
        assert_eq!(parse("Bearer x"), None);
        assert_eq!(
            parse("AWS4-HMAC-SHA256 Credential=AKIA/20261206/us-east-1/iam/aws4_request"),
            None
        );
    }

    /// The signer's own output verifies, and a different secret or body does not.
    #[test]
    fn a_request_signed_with_the_secret_matches_and_another_does_not() {
        let mut headers = hyper::HeaderMap::new();
        headers.insert("host", "127.0.0.1:4566".parse().unwrap());
        headers.insert("x-amz-date", "20261206T120000Z".parse().unwrap());
        headers.insert(
            "content-type",
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        let body = b"Action=ListRoles&Version=2010-05-08";
        let identity: Identity =
            Credentials::new("AKIAEXAMPLE", "secret", None, None, "test").into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("iam")
            .time(amz_date("20261206T120000Z").unwrap())
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let signable = SignableRequest::new(
            "POST",
            "http://127.0.0.1:4566/",
            headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.to_str().unwrap())),
            SignableBody::Bytes(body),
        )
        .unwrap();
        let (_, signature) = sign(signable, &params).unwrap().into_parts();
        let auth = Authorization {
            key: "AKIAEXAMPLE",
            region: "us-east-1",
            service: "iam",
            signed_headers: vec!["content-type", "host", "x-amz-date"],
            signature: &signature,
        };
        let request = Signed {
            method: "POST",
            path_and_query: "/",
            headers: &headers,
            body,
        };
        assert!(signature_matches(&request, &auth, "secret", None));
        assert!(!signature_matches(&request, &auth, "wrong", None));
        let tampered = Signed {
            body: b"Action=DeleteRole&Version=2010-05-08",
            ..request
        };
        assert!(!signature_matches(&tampered, &auth, "secret", None));
    }

    #[test]
    fn refusals_take_each_protocols_code_and_status() {
        let e = Refusal::Mismatch.error(Service::Iam);
        assert_eq!((e.code.as_str(), e.status), ("SignatureDoesNotMatch", 403));
        let e = Refusal::Mismatch.error(Service::Organizations);
        assert_eq!(
            (e.code.as_str(), e.status),
            ("InvalidSignatureException", 400)
        );
        let e = Refusal::UnknownKey.error(Service::Sts);
        assert_eq!((e.code.as_str(), e.status), ("InvalidClientTokenId", 403));
        let e = Refusal::UnknownKey.error(Service::Account);
        assert_eq!(
            (e.code.as_str(), e.status),
            ("UnrecognizedClientException", 403)
        );
        let e = Refusal::Incomplete.error(Service::Iam);
        assert_eq!((e.code.as_str(), e.status), ("IncompleteSignature", 400));
    }
}
