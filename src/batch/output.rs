//! Batch: the files a run writes, and reading back what an earlier run
//! wrote. One `<rel>.json` per input, mirroring the input tree, then
//! `summary.csv` and `errors.csv`.
//!
//! Every write goes to a hidden temporary file beside the target and is
//! renamed over it, so a run killed at any moment leaves each output either
//! absent or whole (rename is atomic within a folder on POSIX); a write
//! that fails removes its temporary file. The temporary name is fixed per
//! target, not per process: the run that redoes that input overwrites the
//! leftover of a killed one instead of leaving it forever. That needs one
//! run per folder (or per shard) at a time, which [`super::lock`] ensures.
//! There is no fsync: outputs survive the process dying, not the machine
//! losing power.
//!
//! Nothing is written through a symbolic link: the temporary file is
//! created anew (a link in its place is removed, never followed), the
//! rename replaces a link at the target rather than what it points to, and
//! an output under the folder is refused when a folder on its way is a
//! link (it would land outside the output folder).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The output of the input at `rel` (its full name plus `.json`, so that
/// `a.txt` and `a.pdf` in one folder do not collide).
pub fn output_path(dir: &Path, rel: &Path) -> PathBuf {
    let mut name = rel.as_os_str().to_owned();
    name.push(".json");
    dir.join(name)
}

/// Writes `bytes` to `path` atomically, creating its folder.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let name =
        path.file_name().map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let tmp = parent.join(format!(".{name}.xxgk-tmp"));
    match std::fs::remove_file(&tmp) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| f.write_all(bytes))
        .and_then(|_| std::fs::rename(&tmp, path));
    written.inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// [`write_atomic`] for an output `path` inside the output folder `root`:
/// refused when a folder between them is a symbolic link.
pub fn write_under(root: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut at = root.to_path_buf();
    let folders: Vec<_> = rel.parent().map(|p| p.components().collect()).unwrap_or_default();
    for c in folders {
        at.push(c);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(std::io::Error::other(format!(
                    "{} is a symbolic link; outputs are not written through links",
                    at.display()
                )))
            }
            _ => {}
        }
    }
    write_atomic(path, bytes)
}

/// Hex SHA-256 of a regular file of at most `max_bytes` (a larger file is
/// refused by the reader anyway, so it can have no earlier output).
pub fn file_sha256(path: &Path, max_bytes: u64) -> Option<String> {
    let file = crate::source::open_input(path).ok()?;
    if file.metadata().ok()?.len() > max_bytes {
        return None;
    }
    let mut hasher = Sha256::new();
    let mut reader = file.take(max_bytes + 1);
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        total += n as u64;
        hasher.update(&buf[..n]);
    }
    (total <= max_bytes).then(|| hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// The earlier output at `out`, if it is whole JSON made from the input
/// bytes with hash `sha256` (`source.sha256`, which every report records).
pub fn previous_output(out: &Path, sha256: &str) -> Option<Value> {
    let text = std::fs::read_to_string(out).ok()?;
    let value: Value = serde_json::from_str(&text).ok()?;
    // An output from before the review list is redone.
    let current = value.get("verification").is_some() && value.get("review").is_some();
    (current && value["source"]["sha256"].as_str() == Some(sha256)).then_some(value)
}
