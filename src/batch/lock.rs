//! Batch: one run per output folder at a time. Two runs writing the same
//! outputs would share temporary files and report each other's writes as
//! failures; the second is refused at once with a clear message instead.
//!
//! The lock is `flock` on a hidden file in the output folder: the kernel
//! drops it when the process ends, however it ends, so a killed run never
//! leaves a stale lock. A whole run takes `.xxgk.lock` exclusively; a shard
//! takes it shared (shards may share a folder) and its own
//! `.xxgk.shard-K-of-N.lock` exclusively. The lock files are removed when
//! the last run lets go of them.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::Shard;
use crate::error::BatchError;

/// The locks a run holds on its output folder, until dropped.
#[derive(Debug)]
pub struct Lock {
    held: Vec<(PathBuf, File)>,
}

impl Lock {
    /// Locks `dir` for this run (or shard); `Err` names the folder when
    /// another run holds it.
    pub fn take(dir: &Path, shard: Option<Shard>) -> Result<Lock, BatchError> {
        let mut held = Vec::new();
        let whole = dir.join(".xxgk.lock");
        match shard {
            None => held.push(lock_file(dir, &whole, true)?),
            Some(s) => {
                held.push(lock_file(dir, &whole, false)?);
                let own = dir.join(format!(".xxgk.shard-{}-of-{}.lock", s.index, s.count));
                held.push(lock_file(dir, &own, true)?);
            }
        }
        Ok(Lock { held })
    }
}

impl Drop for Lock {
    /// A lock file no other run holds is removed (while still locked, so
    /// that a run waiting for it cannot lock a removed file unnoticed: see
    /// `lock_file`).
    fn drop(&mut self) {
        for (path, file) in self.held.drain(..).rev() {
            if flock(&file, libc::LOCK_EX | libc::LOCK_NB).is_ok() {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

fn lock_file(dir: &Path, path: &Path, exclusive: bool) -> Result<(PathBuf, File), BatchError> {
    let err = |message: String| BatchError::Write { path: path.display().to_string(), message };
    loop {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| err(e.to_string()))?;
        let how = if exclusive { libc::LOCK_EX } else { libc::LOCK_SH };
        if let Err(e) = flock(&file, how | libc::LOCK_NB) {
            return Err(if e.kind() == std::io::ErrorKind::WouldBlock {
                BatchError::Locked { dir: dir.display().to_string() }
            } else {
                err(e.to_string())
            });
        }
        // The run before may have removed the file between our open and
        // our lock: then we hold a lock on nothing, and try again.
        if same_file(&file, path) {
            return Ok((path.to_path_buf(), file));
        }
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, _: &Path) -> bool {
    true
}

#[cfg(unix)]
fn flock(file: &File, how: libc::c_int) -> std::io::Result<()> {
    use std::os::unix::io::AsRawFd;
    // SAFETY: flock on a descriptor this File owns; no memory is involved.
    if unsafe { libc::flock(file.as_raw_fd(), how) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(unix))]
fn flock(_: &File, _: i32) -> std::io::Result<()> {
    Ok(())
}
