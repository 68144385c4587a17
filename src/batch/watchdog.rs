//! Batch: bounded time per file. A job runs on a thread of its own while the
//! caller waits at most the time limit.
//!
//! Rust cannot stop a thread from outside, so a job past its limit is
//! abandoned: its thread runs on until the job returns (its result is then
//! dropped) or the process exits. The batch goes on at full width because
//! the waiting caller, not the abandoned thread, is what holds a rayon
//! worker; the cost is one core busy per runaway file. Jobs must therefore
//! not write anything themselves: the caller writes their result, so an
//! abandoned job can never leave an output behind that the summary calls
//! failed.

use std::sync::mpsc;
use std::time::Duration;

/// Stack for a job's thread: the readers recurse on nested structure, and a
/// deep document must fail cleanly rather than overflow the 2 MiB default.
const JOB_STACK: usize = 16 * 1024 * 1024;

/// Why a job gave no result.
#[derive(Debug, PartialEq, Eq)]
pub enum Stopped {
    TimedOut,
    /// The thread could not start, or ended without a result (a panic that
    /// escaped the job's own `catch_unwind`).
    Lost(String),
}

/// Runs `job` with a time limit; `None` runs it on the calling thread.
pub fn run_bounded<T, F>(limit: Option<Duration>, job: F) -> Result<T, Stopped>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let Some(limit) = limit else { return Ok(job()) };
    let (tx, rx) = mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("xxgk-file".into())
        .stack_size(JOB_STACK)
        .spawn(move || {
            // The receiver is gone when the job was abandoned; nothing to do.
            let _ = tx.send(job());
        })
        .map_err(|e| Stopped::Lost(format!("cannot start a thread: {e}")))?;
    match rx.recv_timeout(limit) {
        Ok(value) => Ok(value),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(Stopped::TimedOut),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(Stopped::Lost("the worker thread ended without a result".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn a_slow_job_is_abandoned_at_the_limit() {
        let start = Instant::now();
        let r = run_bounded(Some(Duration::from_millis(50)), || {
            std::thread::sleep(Duration::from_secs(30))
        });
        assert_eq!(r, Err(Stopped::TimedOut));
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_quick_job_returns_its_value() {
        assert_eq!(run_bounded(Some(Duration::from_secs(30)), || 7), Ok(7));
        assert_eq!(run_bounded(None, || 8), Ok(8));
    }

    #[test]
    fn an_escaped_panic_is_reported_not_propagated() {
        let r: Result<(), Stopped> = run_bounded(Some(Duration::from_secs(30)), || panic!("boom"));
        assert!(matches!(r, Err(Stopped::Lost(_))));
    }
}
