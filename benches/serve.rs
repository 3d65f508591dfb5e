//! Requests per second of `orgchard emulator serve` and of moto's server, in the same run, on
//! the same calls: `ListRoots`, and the first page (20 accounts, Organizations' largest page)
//! of `ListAccountsForParent` on a parent holding a 1,000-account organization, each from
//! several concurrent keep-alive connections (a connection the server closes is reopened, as
//! a client's pool does). The load average is printed with the figures, since they depend on
//! what else the machine runs.
//!
//! `cargo bench --bench serve`; `SERVE_BENCH_CONNECTIONS` (default 8) and
//! `SERVE_BENCH_SECONDS` (per figure, default 5) change the load. moto is found as the tests
//! find it (`ORGCHARD_MOTO_SERVER`, `.venv`, `PATH`); without it only serve is measured.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use orgchard::backend::emulator::{Builder, InitOptions, store};
use serde_json::{Value, json};

#[path = "../tests/support/moto.rs"]
mod moto;
#[path = "../tests/support/serve.rs"]
mod serve;

const ACCOUNTS: usize = 1_000;

/// One keep-alive HTTP/1.1 connection that reconnects when the server closes it.
struct Conn {
    port: u16,
    stream: Option<BufReader<TcpStream>>,
}

impl Conn {
    fn request(&mut self, target: &str, body: &str) -> (u16, String) {
        let req = format!(
            "POST / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/x-amz-json-1.1\r\n\
             X-Amz-Target: AWSOrganizationsV20161128.{target}\r\n\
             Authorization: {}\r\nContent-Length: {}\r\n\r\n{body}",
            self.port,
            serve::authorization("AKIAIOSFODNN7EXAMPLE", "organizations"),
            body.len()
        );
        for _ in 0..2 {
            if self.stream.is_none() {
                let s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
                let _ = s.set_nodelay(true);
                self.stream = Some(BufReader::new(s));
            }
            let stream = self.stream.as_mut().unwrap();
            if stream.get_mut().write_all(req.as_bytes()).is_err() {
                self.stream = None;
                continue;
            }
            match read_response(stream) {
                Some((status, body, keep)) => {
                    if !keep {
                        self.stream = None;
                    }
                    return (status, body);
                }
                None => self.stream = None,
            }
        }
        panic!("no answer from 127.0.0.1:{}", self.port);
    }
}

/// Status, body, and whether the connection stays open.
fn read_response(r: &mut BufReader<TcpStream>) -> Option<(u16, String, bool)> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let http10 = line.starts_with("HTTP/1.0");
    let status = line.split_whitespace().nth(1)?.parse().ok()?;
    let (mut length, mut close) = (None, http10);
    loop {
        let mut h = String::new();
        r.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let lower = h.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse::<usize>().ok();
        } else if lower.starts_with("connection:") {
            close = lower.contains("close");
        }
    }
    let body = match length {
        Some(n) => {
            let mut b = vec![0; n];
            r.read_exact(&mut b).ok()?;
            b
        }
        None => {
            let mut b = Vec::new();
            r.read_to_end(&mut b).ok()?;
            close = true;
            b
        }
    };
    Some((status, String::from_utf8_lossy(&body).into_owned(), !close))
}

/// Requests per second of one call from `connections` threads for `seconds`.
fn measure(port: u16, target: &str, body: &str, connections: usize, seconds: f64) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let threads: Vec<_> = (0..connections)
        .map(|_| {
            let (done, stop) = (done.clone(), stop.clone());
            let (target, body) = (target.to_string(), body.to_string());
            std::thread::spawn(move || {
                let mut c = Conn { port, stream: None };
                while !stop.load(Ordering::Relaxed) {
                    let (status, text) = c.request(&target, &body);
                    assert_eq!(status, 200, "{target}: {text}");
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs_f64(seconds));
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

fn call(port: u16, target: &str, body: Value) -> Value {
    let mut c = Conn { port, stream: None };
    let (status, text) = c.request(target, &body.to_string());
    assert_eq!(status, 200, "{target}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The figures of one server: (ListRoots, ListAccountsForParent) requests per second.
fn figures(label: &str, port: u16, parent: &str, connections: usize, seconds: f64) -> (f64, f64) {
    let roots = measure(port, "ListRoots", "{}", connections, seconds);
    let body = json!({"ParentId": parent, "MaxResults": 20}).to_string();
    let accounts = measure(port, "ListAccountsForParent", &body, connections, seconds);
    println!(
        "{label:<6} ListRoots {roots:>8.0} req/s   ListAccountsForParent {accounts:>8.0} req/s   \
         ({connections} connections, load average {})",
        load_average()
    );
    (roots, accounts)
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not used.
    let connections: usize = env_or("SERVE_BENCH_CONNECTIONS", 8);
    let seconds: f64 = env_or("SERVE_BENCH_SECONDS", 5.0);
    let dir = tempfile::tempdir().unwrap();

    // serve: a 1,000-account organization, every account under the root, rate limits off
    // (AWS's rates would hold both servers to a few requests per second).
    let options = InitOptions {
        rate_limits: false,
        ..InitOptions::default()
    };
    let mut b = Builder::new(&options).unwrap();
    let root = b.root_id();
    for i in 0..ACCOUNTS {
        b.account(
            &root,
            &format!("Account {i:04}"),
            &format!("a{i:04}@example.com"),
        );
    }
    let state = dir.path().join("bench.json");
    store::save(&state, &b.finish().unwrap()).unwrap();
    let server = serve::ServeProcess::start(&state, &[]);
    let page = call(
        server.port,
        "ListAccountsForParent",
        json!({"ParentId": root, "MaxResults": 20}),
    );
    assert_eq!(page["Accounts"].as_array().map(Vec::len), Some(20));
    println!(
        "{ACCOUNTS}-account organization, first page of 20 accounts per ListAccountsForParent"
    );
    let ours = figures("serve", server.port, &root, connections, seconds);

    let has_moto = std::env::var_os("ORGCHARD_MOTO_SERVER").is_some()
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(".venv/bin/moto_server")
            .exists();
    if !has_moto {
        println!("moto: not measured (no moto_server; scripts/test installs it)");
        return;
    }
    let m = Moto::start();
    call(m.port, "CreateOrganization", json!({"FeatureSet": "ALL"}));
    let moto_root = call(m.port, "ListRoots", json!({}))["Roots"][0]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    // moto creates accounts at once; several connections fill the organization faster.
    let per = ACCOUNTS / connections.max(1);
    let port = m.port;
    let fillers: Vec<_> = (0..connections.max(1))
        .map(|t| {
            std::thread::spawn(move || {
                let mut c = Conn { port, stream: None };
                for i in t * per..(t + 1) * per {
                    let body = json!({"Email": format!("a{i:04}@example.com"), "AccountName": format!("Account {i:04}")});
                    let (status, text) = c.request("CreateAccount", &body.to_string());
                    assert_eq!(status, 200, "{text}");
                }
            })
        })
        .collect();
    for f in fillers {
        f.join().unwrap();
    }
    let moto_page = call(
        m.port,
        "ListAccountsForParent",
        json!({"ParentId": moto_root, "MaxResults": 20}),
    );
    println!(
        "moto answers the first page with {} accounts",
        moto_page["Accounts"].as_array().map(Vec::len).unwrap_or(0)
    );
    let theirs = figures("moto", m.port, &moto_root, connections, seconds);
    println!(
        "serve / moto: ListRoots {:.1}x, ListAccountsForParent {:.1}x (goal: at least 10x)",
        ours.0 / theirs.0,
        ours.1 / theirs.1
    );
    drop(m);
    assert!(server.stop().success());
}

/// moto's server as the tests start it, less AWS's managed IAM policies, which moto copies
/// into every account it creates (gigabytes at a thousand accounts) and no call here reads.
struct Moto {
    child: std::process::Child,
    port: u16,
}

impl Moto {
    fn start() -> Moto {
        let port = moto::free_port();
        let child = std::process::Command::new(moto::moto_binary())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start moto_server");
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto_server did not listen");
            std::thread::sleep(Duration::from_millis(100));
        }
        Moto { child, port }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
