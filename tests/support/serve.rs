//! `orgchard emulator serve` started by a test on 127.0.0.1 and a free port it picks itself
//! (`--port 0`; the test reads the endpoint the server prints), plain HTTP calls to it in the
//! AWS protocols, and a clean stop (SIGTERM) by the test that started it.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// A running `orgchard emulator serve`, stopped (SIGTERM, then waited for) on drop.
pub struct ServeProcess {
    child: Option<Child>,
    pub state: PathBuf,
    pub url: String,
    pub port: u16,
    /// What the server printed when it started.
    pub banner: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl ServeProcess {
    /// Serves `state` (created fresh when missing) with extra `args` (`--time-scale`, …).
    pub fn start(state: &Path, args: &[&str]) -> ServeProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_orgchard"))
            .env("NO_COLOR", "1")
            .args(["emulator", "serve"])
            .arg(state)
            .args(["--host", "127.0.0.1", "--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start orgchard emulator serve");
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let mut banner = String::new();
        // The banner ends with the region line.
        loop {
            let mut line = String::new();
            if out.read_line(&mut line).unwrap_or(0) == 0 {
                let _ = child.wait();
                panic!("emulator serve exited before serving:\n{banner}");
            }
            banner.push_str(&line);
            if line.contains("AWS_REGION") {
                break;
            }
        }
        // Keep draining what it prints later so that it never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            let _ = out.read_to_string(&mut sink);
        });
        let find = |name: &str| {
            banner
                .lines()
                .find_map(|l| l.trim().strip_prefix(&format!("export {name}=")))
                .unwrap_or_else(|| panic!("{name} in the banner:\n{banner}"))
                .to_string()
        };
        let url = find("AWS_ENDPOINT_URL");
        let port = url.rsplit(':').next().unwrap().parse().expect("a port");
        ServeProcess {
            child: Some(child),
            state: state.to_path_buf(),
            port,
            access_key_id: find("AWS_ACCESS_KEY_ID"),
            secret_access_key: find("AWS_SECRET_ACCESS_KEY"),
            url,
            banner,
        }
    }

    /// Sends SIGTERM and waits for the server to exit; its exit status and what it printed
    /// on stderr are returned by [`ServeProcess::stop`].
    pub fn stop(mut self) -> std::process::ExitStatus {
        self.terminate().expect("the server was running")
    }

    fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        let mut child = self.child.take()?;
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        Some(child.wait().expect("wait for emulator serve"))
    }

    /// One HTTP request; the status and body of the answer.
    pub fn http(&self, method: &str, path: &str, headers: &[(&str, String)], body: &str) -> Reply {
        http(self.port, method, path, headers, body)
    }

    /// One Organizations call with `key`.
    pub fn org_with(&self, key: &str, op: &str, body: Value) -> Reply {
        self.http(
            "POST",
            "/",
            &[
                ("X-Amz-Target", format!("AWSOrganizationsV20161128.{op}")),
                ("Content-Type", "application/x-amz-json-1.1".into()),
                ("Authorization", authorization(key, "organizations")),
            ],
            &body.to_string(),
        )
    }

    /// One Organizations call with the management caller's keys; panics on an error.
    pub fn org(&self, op: &str, body: Value) -> Value {
        let r = self.org_with(&self.access_key_id.clone(), op, body.clone());
        assert_eq!(r.status, 200, "{op} {body}: {}", r.body);
        serde_json::from_str(&r.body).unwrap_or(Value::Null)
    }

    /// One IAM or STS call (query protocol) with `key`.
    pub fn query(&self, service: &str, key: &str, params: &[(&str, &str)]) -> Reply {
        let version = if service == "sts" {
            "2011-06-15"
        } else {
            "2010-05-08"
        };
        let mut body = format!("Version={version}");
        for (k, v) in params {
            body.push_str(&format!("&{k}={}", encode(v)));
        }
        self.http(
            "POST",
            "/",
            &[
                (
                    "Content-Type",
                    "application/x-www-form-urlencoded; charset=utf-8".into(),
                ),
                ("Authorization", authorization(key, service)),
            ],
            &body,
        )
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        self.terminate();
    }
}

pub struct Reply {
    pub status: u16,
    pub body: String,
    pub headers: String,
}

/// A SigV4 header naming `key`; neither the emulator (unless `--verify-signatures`) nor moto
/// checks the signature. moto takes the account of an IAM or STS call from the key.
pub fn authorization(key: &str, service: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential={key}/20261206/us-east-1/{service}/aws4_request, \
         SignedHeaders=host, Signature=0"
    )
}

pub fn http(port: u16, method: &str, path: &str, headers: &[(&str, String)], body: &str) -> Reply {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = raw.split_once("\r\n\r\n").expect("an HTTP response");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    // moto answers some calls chunked; the emulator never does.
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    Reply {
        status,
        body,
        headers: head.to_string(),
    }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// Percent-encodes a form value.
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The text of every `<tag>…</tag>` element, in order.
pub fn xml(body: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.find(&open) {
        rest = &rest[i + open.len()..];
        let Some(j) = rest.find(&close) else { break };
        out.push(rest[..j].to_string());
        rest = &rest[j + close.len()..];
    }
    out
}
