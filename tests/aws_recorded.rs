//! The AWS backend's reading of AWS's responses as they are today, from recorded response
//! bodies served by a minimal HTTP endpoint on the loopback interface: accounts carry `State`
//! (AWS retired `Status` on 2026-09-09), and an older endpoint that still sends only `Status`
//! is read through it. moto and the embedded emulator cannot show this: the first still sends
//! the old shape, the second never goes through the SDK.

#![cfg(feature = "aws")]

#[path = "support/moto.rs"]
mod moto;

use std::collections::BTreeMap;
use std::sync::Arc;

use orgchard::api::*;
use orgchard::backend::aws::AwsBackend;
use orgchard::backend::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Serves each Organizations operation's recorded body (by the `X-Amz-Target` header) until
/// dropped.
struct Recorded {
    url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Recorded {
    async fn start(bodies: BTreeMap<&'static str, String>) -> Recorded {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let bodies = Arc::new(bodies);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, bodies.clone()));
            }
        });
        Recorded { url, task }
    }

    async fn backend(&self) -> AwsBackend {
        AwsBackend::connect_with_credentials(
            &AwsOptions {
                region: Some("us-east-1".to_string()),
                endpoint_url: Some(self.url.clone()),
                ..AwsOptions::default()
            },
            &ConnectOptions::default(),
            moto::test_credentials(),
        )
        .await
        .expect("connect")
    }
}

impl Drop for Recorded {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One keep-alive connection: each request is answered with its operation's body.
async fn serve(mut stream: TcpStream, bodies: Arc<BTreeMap<&'static str, String>>) {
    let mut buf = Vec::new();
    loop {
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
        let header = |name: &str| {
            head.lines().find_map(|l| {
                l.strip_prefix(&format!("{name}:"))
                    .map(|v| v.trim().to_string())
            })
        };
        let length: usize = header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + length {
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        buf.drain(..head_end + length);
        let target = header("x-amz-target").unwrap_or_default();
        let operation = target.rsplit('.').next().unwrap_or_default().to_string();
        let found = bodies
            .iter()
            .find(|(op, _)| op.eq_ignore_ascii_case(&operation));
        let (status, body) = match found {
            Some((_, body)) => ("200 OK", body.clone()),
            None => (
                "400 Bad Request",
                format!(
                    r#"{{"__type":"UnknownOperationException","message":"no recording for {operation}"}}"#
                ),
            ),
        };
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

fn account(id: &str, name: &str, fields: &str) -> String {
    format!(
        r#"{{"Id":"{id}","Arn":"arn:aws:organizations::111111111111:account/o-abcdef1234/{id}","Email":"{name}@example.com","Name":"{name}",{fields}"JoinedMethod":"CREATED","JoinedTimestamp":1.7E9}}"#
    )
}

#[tokio::test]
async fn accounts_are_read_by_their_state() {
    // As AWS answers today: `State` only, every value it documents, and one it may add.
    let today = [
        account("111111111111", "mgmt", r#""State":"ACTIVE","#),
        account("222222222222", "new", r#""State":"PENDING_ACTIVATION","#),
        account("333333333333", "held", r#""State":"SUSPENDED","#),
        account("444444444444", "going", r#""State":"PENDING_CLOSURE","#),
        account("555555555555", "gone", r#""State":"CLOSED","#),
        account("666666666666", "later", r#""State":"HIBERNATING","#),
        // An endpoint from before the change sends `Status` only, and one in between both.
        account("777777777777", "old", r#""Status":"SUSPENDED","#),
        account(
            "888888888888",
            "both",
            r#""Status":"ACTIVE","State":"PENDING_CLOSURE","#,
        ),
    ];
    let bodies: BTreeMap<&'static str, String> = [
        (
            "ListAccounts",
            format!(r#"{{"Accounts":[{}]}}"#, today.join(",")),
        ),
        (
            "ListAccountsForParent",
            format!(r#"{{"Accounts":[{}]}}"#, today.join(",")),
        ),
        ("DescribeAccount", format!(r#"{{"Account":{}}}"#, today[3])),
    ]
    .into();
    let server = Recorded::start(bodies).await;
    let api = server.backend().await;
    let listed = api
        .list_accounts(&Scope::Management, ListAccountsInput::default())
        .await
        .expect("list accounts")
        .accounts;
    let states: Vec<(String, AccountState)> =
        listed.into_iter().map(|a| (a.name, a.state)).collect();
    assert_eq!(
        states,
        [
            ("mgmt".to_string(), AccountState::Active),
            ("new".to_string(), AccountState::PendingActivation),
            ("held".to_string(), AccountState::Suspended),
            ("going".to_string(), AccountState::PendingClosure),
            ("gone".to_string(), AccountState::Closed),
            (
                "later".to_string(),
                AccountState::Unknown("HIBERNATING".into())
            ),
            ("old".to_string(), AccountState::Suspended),
            ("both".to_string(), AccountState::PendingClosure),
        ]
    );
    let under_root = api
        .list_accounts_for_parent(
            &Scope::Management,
            ListAccountsForParentInput {
                parent_id: "r-ab12".into(),
                ..Default::default()
            },
        )
        .await
        .expect("list accounts for parent")
        .accounts;
    assert_eq!(under_root[4].state, AccountState::Closed);
    let described = api
        .describe_account(
            &Scope::Management,
            DescribeAccountInput {
                account_id: "444444444444".into(),
            },
        )
        .await
        .expect("describe account")
        .account;
    assert_eq!(described.state, AccountState::PendingClosure);
}
