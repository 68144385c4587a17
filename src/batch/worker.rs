//! Batch: inputs read in worker processes, so that nothing one input does
//! takes the batch down. A worker is the program itself started again
//! (`xxgk worker …`, see [`WorkerCommand`]); it reads one input at a time
//! and answers with its report or its error, one JSON line each, until its
//! stdin closes ([`serve`]). The batch ([`Worker`]) waits for each answer
//! at most the input's time limit:
//!
//! - past the limit, the worker's whole process group (the worker and the
//!   `pdftoppm` it started) is killed, and the input is a `timeout`;
//! - a worker that dies (an abort, the kernel's out-of-memory kill, a stack
//!   overflow in a dependency) makes the input a `crash`, its message the
//!   signal and the worker's last line on stderr;
//! - either way the next input gets a new worker.
//!
//! A worker is its own process group, and dies with the thread that
//! started it (`crate::process`): a batch killed outright leaves nothing
//! running. Workers write nothing themselves (but `--debug-dir` images):
//! the batch writes each report, so a worker stopped at any moment leaves
//! no output behind.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{Failure, Input};
use crate::report::to_json;
use crate::{extract_file, extract_pages, Options, TemplateSet};

/// How to start a worker: the program and its arguments; the batch adds
/// `--threads N` (the rayon threads the worker reads pages on).
#[derive(Clone, Debug)]
pub struct WorkerCommand {
    pub program: PathBuf,
    pub args: Vec<OsString>,
}

/// How often a waiting batch reads its worker's processor time.
const CPU_POLL: Duration = Duration::from_millis(100);

/// Lines of a worker's stderr kept for the message of its death.
const STDERR_LINES: usize = 8;
/// Stack of the thread a worker reads inputs on: the readers recurse on
/// nested structure, and a deep document must fail cleanly rather than
/// overflow the 2 MiB default.
pub const JOB_STACK: usize = 16 * 1024 * 1024;

/// Why a worker gave no answer.
#[derive(Debug)]
pub enum Lost {
    TimedOut,
    /// It died, or could not start; the message says how.
    Crashed(String),
}

/// One running worker, seen from the batch.
pub struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    answers: Receiver<String>,
    stderr: Arc<Mutex<VecDeque<String>>>,
    readers: Vec<JoinHandle<()>>,
}

impl Worker {
    pub fn start(command: &WorkerCommand, threads: usize) -> std::io::Result<Worker> {
        let mut c = Command::new(&command.program);
        c.args(&command.args)
            .arg("--threads")
            .arg(threads.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            c.process_group(0).arg0("xxgk");
        }
        crate::process::die_with_parent(&mut c);
        let mut child = c.spawn()?;
        let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
        let (tx, answers) = mpsc::channel();
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        let mut readers = Vec::new();
        if let Some(out) = stdout {
            readers.push(std::thread::spawn(move || {
                for line in BufReader::new(out).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            }));
        }
        if let Some(err) = stderr {
            let tail = tail.clone();
            // Traces (RUST_LOG) and a worker's other output pass through
            // when asked for.
            let forward = std::env::vars_os().any(|(k, _)| {
                k == "RUST_LOG"
                    || k.to_string_lossy().starts_with("XXGK_DEBUG")
                    || k == "XXGK_WORKER_STDERR"
            });
            readers.push(std::thread::spawn(move || {
                for line in BufReader::new(err).lines() {
                    let Ok(line) = line else { break };
                    if forward {
                        let _ = writeln!(std::io::stderr(), "{line}");
                    }
                    let mut t = tail.lock().unwrap_or_else(|p| p.into_inner());
                    if t.len() == STDERR_LINES {
                        t.pop_front();
                    }
                    t.push_back(line);
                }
            }));
        }
        Ok(Worker { stdin: child.stdin.take(), child, answers, stderr: tail, readers })
    }

    /// Reads `input` in the worker, waiting at most `limit`. After an
    /// `Err` the worker is gone: drop it and start another.
    pub fn read(
        &mut self,
        input: &Input,
        limit: Option<Duration>,
    ) -> Result<Result<Value, Failure>, Lost> {
        let request = json!({
            "path": path_hex(&input.path),
            "pages": input.pages.iter().map(|p| path_hex(p)).collect::<Vec<_>>(),
        });
        let sent = self.stdin.as_mut().map(|s| writeln!(s, "{request}").and_then(|_| s.flush()));
        if !matches!(sent, Some(Ok(()))) {
            return Err(Lost::Crashed(self.death()));
        }
        let answer = match limit {
            None => self.answers.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(l) => self.answer_within(l),
        };
        match answer {
            Ok(line) => parse_answer(&line).map_err(Lost::Crashed),
            Err(RecvTimeoutError::Timeout) => {
                self.kill();
                Err(Lost::TimedOut)
            }
            Err(RecvTimeoutError::Disconnected) => Err(Lost::Crashed(self.death())),
        }
    }

    /// Waits for the answer until the worker's process group is past
    /// `limit` (processor time: see [`crate::process::past_limit`]).
    fn answer_within(&self, limit: Duration) -> Result<String, RecvTimeoutError> {
        use crate::process::{group_cpu_time, past_limit};
        let start = Instant::now();
        let pgid = self.child.id();
        // A worker reads one input after another: count from here.
        let before = group_cpu_time(pgid);
        loop {
            match self.answers.recv_timeout(CPU_POLL) {
                Err(RecvTimeoutError::Timeout) => {}
                answer => return answer,
            }
            let used = before.zip(group_cpu_time(pgid)).map(|(b, now)| now.saturating_sub(b));
            if past_limit(used, start.elapsed(), limit) {
                return Err(RecvTimeoutError::Timeout);
            }
        }
    }

    /// Kills the worker's process group and reaps it.
    fn kill(&mut self) {
        crate::process::kill_group(self.child.id());
        let _ = self.child.wait();
        self.stdin = None;
    }

    /// How the worker died, once it has: the signal or status, and its last
    /// line on stderr (Rust's "memory allocation of N bytes failed", a
    /// library's message).
    fn death(&mut self) -> String {
        // Anything it started goes with it (and it, should it still run);
        // then its pipes close. A dead worker's status outlives the kill.
        crate::process::kill_group(self.child.id());
        let status = self.child.wait();
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        // Rust's own last words say most; else the last line.
        let tail = self.stderr.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let said = |l: &&String| {
            ["memory allocation of", "has overflowed its stack", "fatal runtime error"]
                .iter()
                .any(|m| l.contains(m))
        };
        let last = tail
            .iter()
            .find(said)
            .or_else(|| tail.iter().rev().find(|l| !l.trim().is_empty()))
            .map(|l| l.trim().to_string());
        let how = match status {
            Ok(s) => describe(s),
            Err(e) => format!("cannot wait for it: {e}"),
        };
        match last {
            Some(l) => format!("the worker process reading it {how}: {l}"),
            None => format!("the worker process reading it {how}"),
        }
    }
}

impl Drop for Worker {
    /// Closing its stdin ends a worker; one that does not end is killed.
    fn drop(&mut self) {
        self.stdin = None;
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        self.kill();
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
    }
}

fn describe(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("died of signal {sig} ({})", crate::process::signal_name(sig));
        }
    }
    match status.code() {
        Some(code) => format!("exited with status {code} without an answer"),
        None => "ended without an answer".to_string(),
    }
}

fn parse_answer(line: &str) -> Result<Result<Value, Failure>, String> {
    let mut v: Value = serde_json::from_str(line)
        .map_err(|e| format!("the worker process answered what is not JSON ({e})"))?;
    if let Some(report) = v.get_mut("report") {
        return Ok(Ok(report.take()));
    }
    let stage = match v["stage"].as_str() {
        Some("read") => "read",
        Some("classify") => "classify",
        _ => "extract",
    };
    let message = v["message"].as_str().unwrap_or("no message").to_string();
    Ok(Err(Failure { stage, message }))
}

/// A path as hex of its bytes: any name a file system allows survives.
fn path_hex(p: &std::path::Path) -> String {
    #[cfg(unix)]
    let bytes = {
        use std::os::unix::ffi::OsStrExt;
        p.as_os_str().as_bytes().to_vec()
    };
    #[cfg(not(unix))]
    let bytes = p.to_string_lossy().as_bytes().to_vec();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex_path(s: &str) -> Option<PathBuf> {
    let bytes: Option<Vec<u8>> = (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect();
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        bytes.map(|b| PathBuf::from(OsString::from_vec(b)))
    }
    #[cfg(not(unix))]
    bytes.and_then(|b| String::from_utf8(b).ok()).map(PathBuf::from)
}

/// The worker's side: reads requests from `input`, one JSON line each, and
/// answers each on `output`, until `input` ends. Runs on the calling
/// thread, which should have a stack of [`JOB_STACK`].
pub fn serve(
    input: impl BufRead,
    mut output: impl Write,
    templates: &TemplateSet,
    options: &Options,
) -> std::io::Result<()> {
    for line in input.lines() {
        let line = line?;
        let request: Option<(PathBuf, Vec<PathBuf>)> =
            serde_json::from_str::<Value>(&line).ok().and_then(|v| {
                let path = hex_path(v["path"].as_str()?)?;
                let pages = v["pages"]
                    .as_array()?
                    .iter()
                    .map(|p| p.as_str().and_then(hex_path))
                    .collect::<Option<Vec<_>>>()?;
                Some((path, pages))
            });
        let answer = match request {
            None => {
                json!({"stage": "extract", "message": "the worker got a request it cannot read"})
            }
            Some((path, pages)) => {
                let report = if pages.is_empty() {
                    extract_file(&path, templates, options)
                } else {
                    extract_pages(&pages, templates, options)
                };
                match report {
                    Ok(r) => json!({ "report": to_json(&r) }),
                    Err(e) => json!({"stage": e.stage(), "message": e.to_string()}),
                }
            }
        };
        writeln!(output, "{answer}")?;
        output.flush()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_path_survives_the_request() {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStringExt;
            let p = PathBuf::from(OsString::from_vec(b"a/\n\xff\xfe b.txt".to_vec()));
            assert_eq!(hex_path(&path_hex(&p)), Some(p));
        }
        assert_eq!(hex_path("zz"), None);
    }

    #[test]
    fn answers_are_a_report_or_a_stage_and_message() {
        assert_eq!(parse_answer(r#"{"report":{"a":1}}"#).unwrap().unwrap(), json!({"a": 1}));
        assert_eq!(
            parse_answer(r#"{"stage":"classify","message":"m"}"#).unwrap().unwrap_err(),
            Failure { stage: "classify", message: "m".into() }
        );
        assert!(parse_answer("garbage").is_err());
    }
}
