//! Batch, step 1: which files are inputs. Paths as the user gave them →
//! [`Input`]s in a deterministic order, each with the relative path its
//! output mirrors; then, with `--shard K/N`, the stable 1/N of them that
//! this run owns.
//!
//! A path named on the command line is always an input, whatever it holds:
//! the user asked for it, so a wrong file gets a clear error rather than
//! silence. Inside folders we walk in byte order of the names, skip hidden
//! entries (ours include the temporary files of atomic writes), skip
//! extensions that are never reports (notably `.json`: our own outputs and
//! truth files), and take unknown extensions only when the first bytes say
//! they are a document ([`crate::source::sniff`]) or Chinese text. Inside
//! folders, only regular files are taken (never a FIFO, a device or a
//! socket), and symbolic links only to files inside the input folders
//! (`follow_links`: to any file); links to folders are never followed,
//! since they can form loops.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sha2::{Digest, Sha256};

use crate::source::sniff;

/// One file to process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// As found: the argument, or the argument joined with the walked path.
    pub path: PathBuf,
    /// Where its output goes under the output folder (`<rel>.json`); also
    /// what `--shard` hashes, so that it does not depend on where the
    /// archive is mounted.
    pub rel: PathBuf,
    /// Why this entry cannot be processed at all (an unreadable folder, two
    /// inputs with one output path); reported as the file's error.
    pub problem: Option<String>,
    /// The page images of one scanned report (`NAME.p1.jpg`, `NAME.p2.jpg`,
    /// …), read together; empty for an ordinary file (then `path` is read).
    pub pages: Vec<PathBuf>,
}

/// How page images in folders are grouped into reports.
#[derive(Clone, Debug, Default)]
pub struct Grouping {
    pub pages: crate::source::PageGrouping,
    /// How the pages are read to see where a report starts.
    pub scan: crate::source::ScanOptions,
    /// What reading one page's head may take.
    pub budget: crate::budget::Budget,
}

/// Result of walking the arguments.
#[derive(Debug, Default)]
pub struct Discovery {
    pub inputs: Vec<Input>,
    /// Files inside folders that were not taken, and why.
    pub not_inputs: Vec<(PathBuf, &'static str)>,
}

/// Extensions the readers handle or will handle; always inputs.
const INPUT_EXTENSIONS: &[&str] = &[
    "txt", "text", "md", "markdown", "pdf", "png", "jpg", "jpeg", "tif", "tiff", "gif", "bmp",
    "webp", "html", "htm", "xhtml", "shtml", "docx", "doc",
];

/// Extensions that are never reports even when they hold Chinese text:
/// outputs (ours and others'), data and configuration, archives, code.
const NOT_INPUT_EXTENSIONS: &[&str] = &[
    "json", "csv", "tsv", "xml", "toml", "yaml", "yml", "ini", "log", "tmp", "part", "bak", "zip",
    "gz", "bz2", "xz", "zst", "tar", "7z", "rar", "xls", "xlsx", "ppt", "pptx", "js", "css", "py",
    "rs", "sh", "exe", "dll", "so",
];

/// How many CJK characters the first KiB of an unknown-extension text file
/// needs to count as a report; a handful rules out logs and code.
const MIN_CJK_IN_HEAD: usize = 8;

/// Walks `paths`. `exclude` is the output folder, never walked (it may sit
/// inside an input folder).
pub fn discover(
    paths: &[PathBuf],
    exclude: Option<&Path>,
    follow_links: bool,
    grouping: &Grouping,
) -> Discovery {
    let exclude = exclude.and_then(|e| e.canonicalize().ok());
    let roots: Vec<PathBuf> =
        paths.iter().filter(|p| p.is_dir()).filter_map(|p| p.canonicalize().ok()).collect();
    let walk_with = Walk { exclude: exclude.as_deref(), roots: &roots, follow_links, grouping };
    let mut found = Discovery::default();
    let files: Vec<PathBuf> = paths.iter().filter(|p| !p.is_dir()).cloned().collect();
    // Page images named on the command line are grouped as in a folder
    // (see `Walk::walk`): `page-01.png page-02.png …` of one report were
    // each a report of their own.
    for input in grouped(&files, grouping) {
        let name = input.path.file_name().map_or_else(|| PathBuf::from("input"), PathBuf::from);
        found.inputs.push(Input { rel: name, ..input });
    }
    for arg in paths {
        if !arg.is_dir() {
            continue;
        }
        // With one folder its contents mirror at the top of the output;
        // with several each keeps its own name, so that they do not mix.
        let prefix = if paths.len() == 1 {
            PathBuf::new()
        } else {
            arg.canonicalize()
                .ok()
                .and_then(|c| c.file_name().map(PathBuf::from))
                .unwrap_or_else(|| PathBuf::from("input"))
        };
        walk_with.walk(arg, &prefix, &mut found);
    }
    mark_collisions(&mut found.inputs);
    found
}

/// How folders are walked.
struct Walk<'a> {
    exclude: Option<&'a Path>,
    /// The input folders, canonical.
    roots: &'a [PathBuf],
    follow_links: bool,
    grouping: &'a Grouping,
}

impl Walk<'_> {
    fn walk(&self, dir: &Path, rel: &Path, found: &mut Discovery) {
        if self.exclude.is_some_and(|e| dir.canonicalize().is_ok_and(|d| d == e)) {
            return;
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(rd) => rd.collect::<Result<Vec<_>, _>>(),
            Err(e) => Err(e),
        };
        let mut entries = match entries {
            Ok(v) => v,
            Err(e) => {
                found.inputs.push(Input {
                    path: dir.to_path_buf(),
                    rel: rel.to_path_buf(),
                    problem: Some(format!("cannot read the folder: {e}")),
                    pages: Vec::new(),
                });
                return;
            }
        };
        entries.sort_by_key(|e| e.file_name());
        let mut files = Vec::new();
        for entry in entries {
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                self.walk(&path, &rel.join(&name), found);
                continue;
            }
            let taken = if kind.is_symlink() {
                self.link(&path)
            } else if kind.is_file() {
                Ok(())
            } else {
                Err("not a regular file (a named pipe, a device or a socket), not read")
            };
            match taken {
                Ok(()) if is_input(&path) => files.push(path),
                Ok(()) => found.not_inputs.push((path, "not taken as an input")),
                Err(why) => found.not_inputs.push((path, why)),
            }
        }
        for input in grouped(&files, self.grouping) {
            let name = input.path.file_name().map_or_else(|| PathBuf::from("input"), PathBuf::from);
            found.inputs.push(Input { rel: rel.join(name), ..input });
        }
    }

    /// Whether a symbolic link in a folder is followed: to a regular file
    /// inside the input folders, or anywhere with `follow_links`.
    fn link(&self, path: &Path) -> Result<(), &'static str> {
        let target = path.canonicalize().map_err(|_| "a broken symbolic link, not followed")?;
        let meta =
            std::fs::metadata(&target).map_err(|_| "a broken symbolic link, not followed")?;
        if meta.is_dir() {
            return Err("a symbolic link to a folder, not followed");
        }
        if !meta.is_file() {
            return Err("a symbolic link to what is not a regular file, not followed");
        }
        if self.follow_links || self.roots.iter().any(|r| target.starts_with(r)) {
            Ok(())
        } else {
            Err("a symbolic link to a file outside the input folders, not followed (--follow-links follows it)")
        }
    }
}

/// `files` (of one folder, or named on the command line) as inputs, `rel`
/// left empty: page images of one report (NAME.p1.jpg, NAME.p2.jpg, …) are
/// one input, reported under NAME; pages named by a counter (IMG_1000.jpg,
/// …) are grouped into reports by their content or --pages-per-report.
fn grouped(files: &[PathBuf], grouping: &Grouping) -> Vec<Input> {
    let groups = crate::source::group_inputs(files);
    crate::source::group_counter_runs(groups, &grouping.pages, &grouping.scan, &grouping.budget)
        .into_iter()
        .map(|group| {
            let (path, pages) = if group.len() > 1 {
                (crate::source::scan_report_name(&group), group)
            } else {
                (group[0].clone(), Vec::new())
            };
            Input { path, rel: PathBuf::new(), problem: None, pages }
        })
        .collect()
}

/// Extension first; content when the extension says nothing.
fn is_input(path: &Path) -> bool {
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase());
    if let Some(ext) = ext.as_deref() {
        if INPUT_EXTENSIONS.contains(&ext) {
            return true;
        }
        if NOT_INPUT_EXTENSIONS.contains(&ext) {
            return false;
        }
    }
    let head = read_head(path).unwrap_or_default();
    match sniff(&head) {
        "pdf" | "image" | "html" | "doc" => true,
        // A .zip, .xlsx or .docx all start alike; only the name tells.
        "zip" => false,
        _ => {
            String::from_utf8_lossy(&head).chars().filter(|&c| crate::value::is_cjk(c)).count()
                >= MIN_CJK_IN_HEAD
        }
    }
}

/// The first KiB of a regular file: enough for [`sniff`].
pub fn read_head(path: &Path) -> Result<Vec<u8>, crate::DocumentError> {
    crate::source::read_head(path, 1024)
}

/// Two inputs must not write one output; the later one gets an error.
fn mark_collisions(inputs: &mut [Input]) {
    let mut first: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
    for input in inputs.iter_mut().filter(|i| i.problem.is_none()) {
        match first.get(&input.rel) {
            Some(other) => {
                input.problem = Some(format!(
                    "its output would overwrite that of {}; process the two in separate runs",
                    other.display()
                ))
            }
            None => {
                first.insert(input.rel.clone(), input.path.clone());
            }
        }
    }
}

/// `--shard K/N`: this run takes the inputs whose stable hash is K mod N.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// SHA-256 of the relative path with `/` separators: the same on every
    /// machine, platform and version, unlike `std`'s hashers.
    pub fn owns(&self, rel: &Path) -> bool {
        let text: Vec<String> =
            rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        let digest = Sha256::digest(text.join("/").as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) % self.count == self.index
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("--shard takes K/N with 0 <= K < N (e.g. 0/4 … 3/4), not {s:?}");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (u64, u64) =
            (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_inputs() {
        let rels: Vec<PathBuf> =
            (0..200).map(|i| PathBuf::from(format!("d{}/r{i}.txt", i % 7))).collect();
        let shards: Vec<Shard> = (0..3).map(|k| Shard { index: k, count: 3 }).collect();
        for rel in &rels {
            assert_eq!(shards.iter().filter(|s| s.owns(rel)).count(), 1, "{}", rel.display());
        }
        // Not degenerate: every shard gets some.
        assert!(shards.iter().all(|s| rels.iter().filter(|r| s.owns(r)).count() > 40));
    }

    #[test]
    fn shard_parsing_names_the_form() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { index: 2, count: 4 }));
        assert!("4/4".parse::<Shard>().unwrap_err().contains("0 <= K < N"));
        assert!("1".parse::<Shard>().is_err() && "0/0".parse::<Shard>().is_err());
    }
}
