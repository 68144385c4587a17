//! Records the git commit the binary is built from (`XXGK_GIT_COMMIT`, read
//! by `src/provenance.rs`), so that every output can say which build made it.
//!
//! Order: `XXGK_COMMIT` in the build's environment (for builds from a
//! tarball, or to pin a value), else `git rev-parse HEAD` in the source
//! tree, with `-dirty` when the sources that go into the binary differ from
//! that commit. Without git or outside a repository there is no commit and
//! the build goes on: the program then says `unknown`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What goes into the binary: a change here makes a build `-dirty`.
const SOURCES: &[&str] = &["src", "models", "build.rs", "Cargo.toml", "Cargo.lock"];

fn main() {
    println!("cargo:rerun-if-env-changed=XXGK_COMMIT");
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    // Listing any path stops cargo from rerunning this on every file change;
    // the sources are listed so that `-dirty` follows edits.
    for s in SOURCES {
        println!("cargo:rerun-if-changed={s}");
    }
    let commit = match std::env::var("XXGK_COMMIT") {
        Ok(c) if !c.trim().is_empty() => Some(c.trim().to_string()),
        _ => git_commit(&dir),
    };
    if let Some(c) = commit {
        println!("cargo:rustc-env=XXGK_GIT_COMMIT={c}");
    }
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).current_dir(dir).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn git_commit(dir: &Path) -> Option<String> {
    // A source tarball unpacked inside some other repository is not that
    // repository's commit.
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if Path::new(&top).canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    let head = git(dir, &["rev-parse", "--verify", "HEAD"])?;
    // Rerun when HEAD moves (a commit, a checkout) or the index changes (a
    // commit of the edits that made the build dirty). Missing files are
    // not listed: cargo would rerun on every build.
    let mut watched = vec!["HEAD".to_string(), "index".to_string(), "packed-refs".to_string()];
    watched.extend(git(dir, &["symbolic-ref", "-q", "HEAD"]));
    for name in watched {
        if let Some(p) = git(dir, &["rev-parse", "--git-path", &name]) {
            let p = dir.join(p);
            if p.exists() {
                println!("cargo:rerun-if-changed={}", p.display());
            }
        }
    }
    let mut diff = vec!["diff", "--quiet", "HEAD", "--"];
    diff.extend(SOURCES);
    let clean =
        Command::new("git").args(&diff).current_dir(dir).status().is_ok_and(|s| s.success());
    Some(if clean { head } else { format!("{head}-dirty") })
}
