//! Batch: the files a run writes, and reading back what an earlier run
//! wrote. One `<rel>.json` per input, mirroring the input tree, then
//! `summary.csv` and `errors.csv`.
//!
//! Every write goes to a hidden temporary file beside the target and is
//! renamed over it, so a run killed at any moment leaves each output either
//! absent or whole (rename is atomic within a folder on POSIX). The
//! temporary name is fixed per target, not per process: the run that
//! redoes that input overwrites the leftover of a killed one instead of
//! leaving it forever. Two runs of the same shard into one folder at the
//! same time are therefore not supported; different shards never share a
//! target. There is no fsync: outputs survive the process dying, not the
//! machine losing power.

use std::io::Read;
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

/// The hidden temporary file beside `path` that is renamed over it.
pub fn temporary_path(path: &Path) -> PathBuf {
    let parent = path.parent().unwrap_or(Path::new("."));
    let name =
        path.file_name().map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    parent.join(format!(".{name}.xxgk-tmp"))
}

/// Writes `bytes` to `path` atomically, creating its folder.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
    let tmp = temporary_path(path);
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Hex SHA-256 of a file, reading at most `max_bytes` (a larger file is
/// refused by the reader anyway, so it can have no earlier output).
pub fn file_sha256(path: &Path, max_bytes: u64) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    if file.metadata().ok()?.len() > max_bytes {
        return None;
    }
    let mut hasher = Sha256::new();
    let mut reader = std::io::BufReader::with_capacity(64 * 1024, file);
    let mut buf = [0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Some(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// The earlier output at `out`, if it is whole JSON made from the input
/// bytes with hash `sha256` (`source.sha256`, which every report records)
/// by the same build with the same templates (`tool`: see
/// [`crate::provenance`]).
pub fn previous_output(out: &Path, sha256: &str, tool: &Value) -> Option<Value> {
    let text = std::fs::read_to_string(out).ok()?;
    let value: Value = serde_json::from_str(&text).ok()?;
    // An output from before the review list is redone.
    let current = value.get("verification").is_some() && value.get("review").is_some();
    (current && value["source"]["sha256"].as_str() == Some(sha256) && value["tool"] == *tool)
        .then_some(value)
}
