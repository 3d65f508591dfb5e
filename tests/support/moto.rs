//! A moto server for one test: started on a free 127.0.0.1 port, waited for until it accepts
//! connections, and killed when the guard is dropped. Each test gets its own server, so tests
//! run in parallel without sharing state and without resetting anything.

#![allow(dead_code)] // each test binary uses its own part of the harness

use std::collections::BTreeSet;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use orgchard::api::AwsOptions;
use orgchard::backend::ConnectOptions;
use orgchard::backend::aws::{AwsBackend, StaticCredentials};

/// How long a server may take to start listening (moto imports a lot of Python).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Finds `moto_server`: `ORGCHARD_MOTO_SERVER`, else the repository's `.venv`, else `PATH`.
/// Fails the test (rather than skipping it) when none is there.
pub fn moto_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("ORGCHARD_MOTO_SERVER") {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "ORGCHARD_MOTO_SERVER={} is not a file; run scripts/test, which installs moto",
            path.display()
        );
        return path;
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server");
    if venv.is_file() {
        return venv;
    }
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let candidate = dir.join("moto_server");
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "moto_server not found (ORGCHARD_MOTO_SERVER is unset, no .venv/bin/moto_server, none on \
         PATH): run scripts/test, which installs moto[server] into .venv and runs these tests"
    );
}

/// A running moto server, killed on drop.
pub struct MotoServer {
    child: Child,
    log: PathBuf,
    _dir: tempfile::TempDir,
    pub port: u16,
    pub url: String,
}

impl MotoServer {
    pub fn start() -> MotoServer {
        let binary = moto_binary();
        let dir = tempfile::tempdir().expect("temporary directory");
        // Another process may take the free port between our probe and moto's bind: retry
        // with a new port when the server dies before listening.
        let mut last_log = String::new();
        for attempt in 0..3 {
            let port = free_port();
            let log = dir.path().join(format!("moto-{attempt}.log"));
            let out = std::fs::File::create(&log).expect("moto log file");
            let err = out.try_clone().expect("moto log file");
            let mut child = Command::new(&binary)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                // AWS-managed IAM policies (ReadOnlyAccess, …) exist only when asked for.
                .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
                .current_dir(dir.path())
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(err)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            let deadline = Instant::now() + START_TIMEOUT;
            loop {
                // Listening is not enough: the server must be ours, which says so in its log
                // once it has bound the port (another process may hold it).
                let ours = || {
                    std::fs::read_to_string(&log)
                        .is_ok_and(|l| l.contains("Running on") && l.contains(&format!(":{port}")))
                };
                if ours() && TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                    return MotoServer {
                        child,
                        log,
                        _dir: dir,
                        port,
                        url: format!("http://127.0.0.1:{port}"),
                    };
                }
                if let Ok(Some(_)) = child.try_wait() {
                    last_log = std::fs::read_to_string(&log).unwrap_or_default();
                    break;
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "moto_server did not listen on {addr} within {START_TIMEOUT:?}:\n{}",
                        std::fs::read_to_string(&log).unwrap_or_default()
                    );
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        panic!("moto_server exited before listening:\n{last_log}");
    }

    /// The requests moto logged so far (one line per request).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The AWS backend pointed at this server, with fake credentials passed directly (never
    /// through the environment, which parallel tests share).
    pub async fn backend(&self) -> AwsBackend {
        self.backend_with(&ConnectOptions::default()).await
    }

    pub async fn backend_with(&self, connect: &ConnectOptions) -> AwsBackend {
        AwsBackend::connect_with_credentials(
            &AwsOptions {
                region: Some("us-east-1".to_string()),
                endpoint_url: Some(self.url.clone()),
                ..AwsOptions::default()
            },
            connect,
            test_credentials(),
        )
        .await
        .expect("connect to moto")
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// moto accepts any keys; these are AWS's documentation examples.
pub fn test_credentials() -> StaticCredentials {
    StaticCredentials {
        access_key_id: "AKIAIOSFODNN7EXAMPLE".to_string(),
        secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".to_string(),
        session_token: None,
    }
}

/// A port nothing listens on right now.
/// A 127.0.0.1 port nothing listens on, never handed out twice in this process. The OS may
/// give the port it just freed to the next caller, so without the record two tests starting
/// together could start their servers on one port, and one of them talk to the other's.
pub fn free_port() -> u16 {
    static HANDED_OUT: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    loop {
        let port = TcpListener::bind(("127.0.0.1", 0))
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("bind 127.0.0.1:0");
        if HANDED_OUT
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(port)
        {
            return port;
        }
    }
}
