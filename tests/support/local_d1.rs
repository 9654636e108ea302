//! Real local D1 (workerd through miniflare) for differential tests.
//!
//! Runs `node tests/local-d1/server.mjs` (see tests/local-d1/README.md) and talks to it
//! over stdin/stdout, one JSON object per line. Reuse it from a test binary with
//!
//! ```ignore
//! #[path = "../support/local_d1.rs"]
//! mod local_d1;
//! let mut d1 = local_d1::LocalD1::start().unwrap_or_else(|e| panic!("{e}"));
//! let db = d1.fresh_db();
//! let line = d1.request_line(&format!(r#"{{"db":"{db}","op":"all","sql":"SELECT 1"}}"#))?;
//! ```
//!
//! The server is stopped by closing its stdin and waiting for it (never killed): that is
//! what `Drop` does.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the server may take to print its ready line (npm install not included).
const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// How long one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// How long `Drop` waits for the server to exit after its stdin is closed.
const EXIT_TIMEOUT: Duration = Duration::from_secs(30);
/// Lines of the server's stderr kept for error messages.
const STDERR_TAIL: usize = 40;

/// A running local D1 server.
pub struct LocalD1 {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
    next_db: usize,
    databases: usize,
}

/// The workspace root (the folder holding `tests/local-d1`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The folder of the Node harness.
pub fn harness_dir() -> PathBuf {
    workspace_root().join("tests").join("local-d1")
}

/// Checks that `node` runs, and installs the harness's npm packages when they are
/// missing.
fn ensure_installed(dir: &Path) -> Result<(), String> {
    match Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => {
            return Err(format!(
                "local D1 needs Node.js 20+: `node --version` failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Err(e) => {
            return Err(format!(
                "local D1 needs Node.js 20+ and `node` could not be run ({e}); install Node.js \
                 and make sure `node` and `npm` are on PATH"
            ));
        }
    }
    if dir.join("node_modules").join("miniflare").is_dir() {
        return Ok(());
    }
    eprintln!(
        "local-d1: {} has no node_modules: running `npm install --no-audit --no-fund` there (once)",
        dir.display()
    );
    let out = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!(
                "local D1 needs npm to install its packages, and `npm` could not be run ({e}); \
                 install npm, or run `npm install --no-audit --no-fund` in {} yourself",
                dir.display()
            )
        })?;
    if !out.status.success() {
        return Err(format!(
            "`npm install --no-audit --no-fund` failed in {} ({}):\n{}\n{}",
            dir.display(),
            out.status,
            String::from_utf8_lossy(&out.stdout).trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    if !dir.join("node_modules").join("miniflare").is_dir() {
        return Err(format!(
            "`npm install` in {} did not install miniflare",
            dir.display()
        ));
    }
    Ok(())
}

impl LocalD1 {
    /// Starts the server and waits for its `{"ready":true}` line.
    ///
    /// # Failure
    /// Node or npm missing, the install failing, or the server not becoming ready in
    /// time; the message says which, with the end of the server's stderr.
    pub fn start() -> Result<LocalD1, String> {
        let databases = std::env::var("LOCAL_D1_DATABASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1000);
        LocalD1::spawn(databases, &[])
    }

    /// Starts the server with the Rust test Worker (tests/worker, built into `dir` by
    /// its build.sh) answering in place of the JavaScript one: the same protocol, run
    /// through d1orm's D1 layer on `d1orm_worker::D1Backend` inside workerd.
    ///
    /// # Failure
    /// As [`start`](Self::start).
    #[allow(dead_code)]
    pub fn start_worker(dir: &Path) -> Result<LocalD1, String> {
        let databases = std::env::var("LOCAL_D1_DATABASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1000);
        let dir = dir.display().to_string();
        LocalD1::spawn(databases, &[("LOCAL_D1_WORKER_DIR", dir.as_str())])
    }

    /// Serves one existing database as `DB0`: the state `wrangler d1 ... --local
    /// --persist-to X` wrote (`persist` is `X/v3`) for the database `id`.
    ///
    /// # Failure
    /// As [`start`](Self::start).
    #[allow(dead_code)]
    pub fn start_on(persist: &Path, id: &str) -> Result<LocalD1, String> {
        let persist = persist.display().to_string();
        LocalD1::spawn(
            1,
            &[
                ("LOCAL_D1_PERSIST", persist.as_str()),
                ("LOCAL_D1_DATABASE_ID", id),
            ],
        )
    }

    fn spawn(databases: usize, env: &[(&str, &str)]) -> Result<LocalD1, String> {
        let dir = harness_dir();
        ensure_installed(&dir)?;
        let mut child = Command::new("node")
            .arg(Path::new("tests").join("local-d1").join("server.mjs"))
            .current_dir(workspace_root())
            .envs(env.iter().copied())
            .env("LOCAL_D1_DATABASES", databases.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not start `node tests/local-d1/server.mjs`: {e}"))?;

        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });

        let stderr = child.stderr.take().expect("piped stderr");
        let stderr_tail = Arc::new(Mutex::new(VecDeque::new()));
        let tail = Arc::clone(&stderr_tail);
        let verbose = std::env::var_os("LOCAL_D1_VERBOSE").is_some();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if verbose {
                    eprintln!("{line}");
                }
                let mut tail = tail.lock().unwrap_or_else(|e| e.into_inner());
                if tail.len() == STDERR_TAIL {
                    tail.pop_front();
                }
                tail.push_back(line);
            }
        });

        let stdin = child.stdin.take();
        let d1 = LocalD1 {
            child,
            stdin,
            lines,
            stderr_tail,
            next_db: 0,
            databases,
        };
        // On failure `d1` is dropped: stdin closed, the server waited for.
        match d1.lines.recv_timeout(READY_TIMEOUT) {
            Ok(line) if line.trim() == r#"{"ready":true}"# => Ok(d1),
            Ok(line) => Err(format!(
                "local D1 printed {line:?} instead of its ready line{}",
                d1.stderr_note()
            )),
            Err(RecvTimeoutError::Timeout) => Err(format!(
                "local D1 was not ready after {} s{}",
                READY_TIMEOUT.as_secs(),
                d1.stderr_note()
            )),
            Err(RecvTimeoutError::Disconnected) => Err(format!(
                "local D1 exited before it was ready{}",
                d1.stderr_note()
            )),
        }
    }

    /// The name of a binding no one has used yet (`DB0`, `DB1`, ...).
    ///
    /// # Panics
    /// When every binding is used (set `LOCAL_D1_DATABASES` higher).
    pub fn fresh_db(&mut self) -> String {
        assert!(
            self.next_db < self.databases,
            "local D1: all {} databases are used; set LOCAL_D1_DATABASES higher",
            self.databases
        );
        self.next_db += 1;
        format!("DB{}", self.next_db - 1)
    }

    /// Sends one request line (a JSON object without newlines) and returns the
    /// response line.
    ///
    /// # Failure
    /// The server died, or did not answer in time.
    pub fn request_line(&mut self, line: &str) -> Result<String, String> {
        assert!(
            !line.contains('\n') && !line.trim().is_empty(),
            "a local D1 request is one non-blank line"
        );
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| "local D1: stdin already closed".to_owned())?;
        stdin
            .write_all(line.as_bytes())
            .and_then(|()| stdin.write_all(b"\n"))
            .and_then(|()| stdin.flush())
            .map_err(|e| format!("local D1: cannot send a request: {e}{}", self.stderr_note()))?;
        match self.lines.recv_timeout(REQUEST_TIMEOUT) {
            Ok(line) => Ok(line),
            Err(RecvTimeoutError::Timeout) => Err(format!(
                "local D1 did not answer within {} s{}",
                REQUEST_TIMEOUT.as_secs(),
                self.stderr_note()
            )),
            Err(RecvTimeoutError::Disconnected) => {
                Err(format!("local D1 exited{}", self.stderr_note()))
            }
        }
    }

    /// Sends a request and parses the response.
    ///
    /// # Failure
    /// As [`request_line`](Self::request_line), or a response that is not JSON.
    pub fn request(&mut self, request: &serde_json::Value) -> Result<serde_json::Value, String> {
        let line = self.request_line(&request.to_string())?;
        serde_json::from_str(&line)
            .map_err(|e| format!("local D1 answered with invalid JSON ({e}): {line}"))
    }

    fn stderr_note(&self) -> String {
        let tail = self.stderr_tail.lock().unwrap_or_else(|e| e.into_inner());
        if tail.is_empty() {
            String::new()
        } else {
            let lines: Vec<&str> = tail.iter().map(String::as_str).collect();
            format!("; its stderr ended with:\n{}", lines.join("\n"))
        }
    }
}

impl Drop for LocalD1 {
    fn drop(&mut self) {
        // Closing stdin is the server's signal to stop workerd, clean up and exit.
        drop(self.stdin.take());
        let deadline = Instant::now() + EXIT_TIMEOUT;
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) | Err(_) => return,
                Ok(None) if Instant::now() >= deadline => {
                    eprintln!(
                        "local-d1: the server (pid {}) has not exited {} s after its stdin \
                         was closed; leaving it",
                        self.child.id(),
                        EXIT_TIMEOUT.as_secs()
                    );
                    return;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }
}
