//! Fault, crash, load and fuzz tests of the reference backend; see the README's
//! Guarantees section.

mod crash;
mod fuzz;
mod input;
mod load;
mod panics;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A fresh directory under the system's temporary directory, removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!(
            "d1orm-faults-{name}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A small xorshift64* generator: reproducible from its seed, no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        // SplitMix64 of the seed, so that nearby seeds give unrelated streams (and 0 works).
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low + 1)
    }
}

/// A seed from the environment variable `var`, or from the clock.
pub fn seed_from_env(var: &str) -> u64 {
    match std::env::var(var) {
        Ok(s) => s
            .parse()
            .unwrap_or_else(|_| panic!("{var} must be an integer, not {s:?}")),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64),
    }
}

/// A number from the environment variable `var`, or `default`.
pub fn count_from_env(var: &str, default: u64) -> u64 {
    match std::env::var(var) {
        Ok(s) => s
            .parse()
            .unwrap_or_else(|_| panic!("{var} must be a positive integer, not {s:?}")),
        Err(_) => default,
    }
}

/// This test binary run again as a child process, running one `#[ignore]`d test
/// function (which does nothing unless `env` is set). Killed (SIGKILL) and reaped when
/// dropped, so no child outlives a failing test.
pub struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    output: Arc<Mutex<String>>,
}

impl Worker {
    /// Runs the test `test` (its full path, `module::function`) with `env` set.
    pub fn spawn(test: &str, env: (&str, &str)) -> Worker {
        let exe = std::env::current_exe().expect("the test binary's path");
        let mut child = Command::new(exe)
            .args([
                test,
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(env.0, env.1)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawning the test binary again");
        let output = Arc::new(Mutex::new(String::new()));
        let (send, lines) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().expect("piped stdout");
        let log = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                log.lock().unwrap().push_str(&format!("{line}\n"));
                let _ = send.send(line);
            }
        });
        let stderr = child.stderr.take().expect("piped stderr");
        let log = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                log.lock().unwrap().push_str(&format!("[stderr] {line}\n"));
            }
        });
        let stdin = child.stdin.take();
        Worker {
            child,
            stdin,
            lines,
            output,
        }
    }

    /// Waits for a line of the child's standard output holding `marker`, and gives what
    /// follows the marker; `None` if the child closed its output or `timeout` passed.
    /// (The test harness may print on the same line before the marker.)
    pub fn wait_for(&self, marker: &str, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(at) = line.find(marker) {
                        return Some(line[at + marker.len()..].trim().to_owned());
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// Writes a line to the child's standard input.
    pub fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("the child's stdin");
        writeln!(stdin, "{line}").expect("writing to the child");
        stdin.flush().expect("writing to the child");
    }

    /// The exit status, if the child has ended.
    pub fn try_wait(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().expect("polling the child")
    }

    /// Waits up to `timeout` for the child to end by itself.
    pub fn wait_timeout(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Kills the child (SIGKILL on Unix) and reaps it: its file locks are gone after.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Everything the child printed so far, for failure messages.
    pub fn output(&self) -> String {
        // Let the reader threads catch up with what the child wrote before it ended.
        std::thread::sleep(Duration::from_millis(50));
        self.output.lock().unwrap().clone()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `PRAGMA integrity_check` and `PRAGMA foreign_key_check` on the raw connection (D1's
/// rules refuse them through the D1 layer): the problems found, empty when none.
pub fn integrity_problems(db: &d1orm_sqlite::SqliteBackend) -> Vec<String> {
    db.with_connection(|c| {
        let mut problems: Vec<String> = c
            .prepare("PRAGMA integrity_check")
            .and_then(|mut s| {
                s.query_map([], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .unwrap_or_else(|e| vec![format!("integrity_check failed: {e}")]);
        problems.retain(|p| p != "ok");
        let fk: Vec<String> = c
            .prepare("PRAGMA foreign_key_check")
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok(format!(
                        "foreign key violation in {} row {:?}",
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<i64>>(1)?
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .unwrap_or_else(|e| vec![format!("foreign_key_check failed: {e}")]);
        problems.extend(fk);
        problems
    })
}
