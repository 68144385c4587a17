//! Long fuzz sessions, run by `scripts/fuzz` (ignored in the normal suite).
//!
//! A time-bounded loop over proptest generators rather than cargo-fuzz:
//! cargo-fuzz needs a nightly toolchain and a crate outside our fixed
//! top-level folders, while these generators already know what real
//! exports look like. There is no coverage feedback, so it finds what the
//! generators can reach; the seed is printed so any run can be repeated.
//!
//! Targets of the text reader (reader, segmentation, tables, rules: all of
//! `extract_str`), taken in turn:
//! - `random_text`: random text over the pieces exports are made of;
//! - `mutated_sample`: real samples with line-level mutations;
//! - `raw_bytes`: random bytes, and mutated samples encoded as UTF-8,
//!   UTF-16 or GB18030 with byte-level edits, through `source::decode`.
//!
//! A crash is a panic (caught, as `DocumentError::Panic`); each is saved
//! under the test target's temporary folder and fails the run. Settings:
//! `XXGK_FUZZ_SECS` (default 600), `XXGK_FUZZ_THREADS` (default: cores),
//! `XXGK_FUZZ_SEED` (default: from the clock).

use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use xxgk::{extract_str, DocumentError, TemplateSet};

use crate::properties::{mutated_sample, random_text};

#[derive(Clone, Debug)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
}

/// Bytes as files could hold them: noise, or a sample in some encoding
/// with byte edits.
fn raw_bytes() -> impl Strategy<Value = Vec<u8>> {
    let edit = prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Truncate),
    ];
    let encoded = (mutated_sample(), 0..3u8, prop::collection::vec(edit, 0..12)).prop_map(
        |(text, enc, edits)| {
            let mut bytes = match enc {
                0 => text.into_bytes(),
                1 => [0xff, 0xfe]
                    .into_iter()
                    .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                    .collect(),
                _ => encoding_rs::GB18030.encode(&text).0.into_owned(),
            };
            for e in edits {
                let n = bytes.len().max(1);
                match e {
                    Edit::Flip(i, b) if !bytes.is_empty() => bytes[i % n] ^= b,
                    Edit::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
                    Edit::Delete(i) if !bytes.is_empty() => {
                        bytes.remove(i % n);
                    }
                    Edit::Truncate(i) => bytes.truncate(i % n),
                    _ => {}
                }
            }
            bytes
        },
    );
    prop_oneof![1 => prop::collection::vec(any::<u8>(), 0..4096), 3 => encoded]
}

/// One target's tally.
#[derive(Default)]
struct Tally {
    executions: u64,
    crashes: Vec<String>,
    slowest: Duration,
}

/// Runs `input` through the reader; `Some(message)` on a crash.
fn crash_of(text: &str, templates: &TemplateSet) -> Option<String> {
    match extract_str(text, "fuzz.txt", templates) {
        Err(DocumentError::Panic(m)) => Some(m),
        _ => None,
    }
}

fn save(target: &str, seed: u64, n: usize, bytes: &[u8], message: &str) -> String {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-crashes");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{target}-{seed}-{n}.bin"));
    let _ = std::fs::write(&path, bytes);
    format!("{}: {message}", path.display())
}

/// One thread's session: the three targets in turn until `deadline`.
fn session(seed: u64, deadline: Instant) -> [Tally; 3] {
    let templates = TemplateSet::builtin().expect("built-in models");
    let mut runner = seeded_runner(seed);
    let (text_a, text_b, bytes) = (random_text(), mutated_sample(), raw_bytes());
    let mut tallies: [Tally; 3] = Default::default();
    let mut i = 0u64;
    while Instant::now() < deadline {
        let which = (i % 3) as usize;
        i += 1;
        let input: Vec<u8> = match which {
            0 => text_a.new_tree(&mut runner).map(|t| t.current().into_bytes()),
            1 => text_b.new_tree(&mut runner).map(|t| t.current().into_bytes()),
            _ => bytes.new_tree(&mut runner).map(|t| t.current()),
        }
        .expect("generators do not reject");
        let start = Instant::now();
        let crash = if which == 2 {
            // decode is part of the reader; its errors are fine, panics are not.
            match std::panic::catch_unwind(|| xxgk::source::decode(&input)) {
                Ok(Ok(text)) => crash_of(&text, &templates),
                Ok(Err(_)) => None,
                Err(_) => Some("panic in source::decode".to_string()),
            }
        } else {
            crash_of(std::str::from_utf8(&input).unwrap_or_default(), &templates)
        };
        let t = &mut tallies[which];
        t.slowest = t.slowest.max(start.elapsed());
        t.executions += 1;
        if let Some(m) = crash {
            let n = t.crashes.len();
            t.crashes.push(save(
                ["random_text", "mutated_sample", "raw_bytes"][which],
                seed,
                n,
                &input,
                &m,
            ));
        }
    }
    tallies
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A session's settings from `scripts/fuzz`: how long (`XXGK_FUZZ_SECS`,
/// default 600 s), on how many threads (`XXGK_FUZZ_THREADS`, default every
/// core), from which seed (`XXGK_FUZZ_SEED`, default the clock).
pub(crate) struct Settings {
    pub secs: u64,
    pub deadline: Instant,
    pub threads: usize,
    pub seed: u64,
}

pub(crate) fn settings() -> Settings {
    let secs: u64 = env_or("XXGK_FUZZ_SECS", 600);
    let clock = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    Settings {
        secs,
        deadline: Instant::now() + Duration::from_secs(secs),
        threads: env_or(
            "XXGK_FUZZ_THREADS",
            std::thread::available_parallelism().map_or(1, |n| n.get()),
        ),
        seed: env_or("XXGK_FUZZ_SEED", clock),
    }
}

/// A proptest runner drawing from `seed` alone, so a session can be replayed.
pub(crate) fn seeded_runner(seed: u64) -> TestRunner {
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    )
}

#[test]
#[ignore = "long; run by scripts/fuzz"]
fn fuzz_text_reader() {
    let Settings { secs, deadline, threads, seed } = settings();
    let per_thread: Vec<[Tally; 3]> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads as u64)
            .map(|k| s.spawn(move || session(seed.wrapping_add(k), deadline)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a fuzz thread died outside the reader"))
            .collect()
    });
    println!("fuzz text reader: seed {seed} (threads use seed+0..{threads}), {secs} s, {threads} threads");
    let mut total = (0u64, 0usize);
    let mut crashes = Vec::new();
    for (k, name) in ["random_text", "mutated_sample", "raw_bytes"].iter().enumerate() {
        let executions: u64 = per_thread.iter().map(|t| t[k].executions).sum();
        let slowest = per_thread.iter().map(|t| t[k].slowest).max().unwrap_or_default();
        let found: Vec<&String> = per_thread.iter().flat_map(|t| &t[k].crashes).collect();
        println!(
            "  {name}: {executions} executions, {} crashes, slowest case {:.1} ms",
            found.len(),
            slowest.as_secs_f64() * 1000.0
        );
        total.0 += executions;
        total.1 += found.len();
        crashes.extend(found.into_iter().cloned());
    }
    println!("fuzz total: {} executions, {} crashes", total.0, total.1);
    assert!(crashes.is_empty(), "crashes (inputs saved):\n{}", crashes.join("\n"));
}

/// Byte edits of a real file: the damage archives show (bit rot, truncated
/// downloads, spliced or zeroed blocks).
#[derive(Clone, Debug)]
enum FileEdit {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
    Zero(usize, usize),
    Duplicate(usize, usize),
}

fn file_edit() -> impl Strategy<Value = FileEdit> {
    prop_oneof![
        3 => (any::<usize>(), 1..=255u8).prop_map(|(i, b)| FileEdit::Flip(i, b)),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| FileEdit::Insert(i, b)),
        2 => any::<usize>().prop_map(FileEdit::Delete),
        1 => any::<usize>().prop_map(FileEdit::Truncate),
        1 => (any::<usize>(), 1..512usize).prop_map(|(i, n)| FileEdit::Zero(i, n)),
        1 => (any::<usize>(), 1..512usize).prop_map(|(i, n)| FileEdit::Duplicate(i, n)),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[FileEdit]) -> Vec<u8> {
    for e in edits {
        let n = bytes.len();
        if n == 0 {
            break;
        }
        match *e {
            FileEdit::Flip(i, b) => bytes[i % n] ^= b,
            FileEdit::Insert(i, b) => bytes.insert(i % (n + 1), b),
            FileEdit::Delete(i) => {
                bytes.remove(i % n);
            }
            FileEdit::Truncate(i) => bytes.truncate(i % n),
            FileEdit::Zero(i, len) => {
                let start = i % n;
                bytes[start..(start + len).min(n)].fill(0);
            }
            FileEdit::Duplicate(i, len) => {
                let start = i % n;
                let chunk = bytes[start..(start + len).min(n)].to_vec();
                bytes.splice(start..start, chunk);
            }
        }
    }
    bytes
}

/// Sample files of one kind (by content), good and broken, for mutation.
fn files_of_kind(kind: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in ["samples/pdf", "samples/scanned", "samples/broken", "samples/html", "samples/docx"]
    {
        let Ok(rd) = std::fs::read_dir(crate::util::root().join(dir)) else {
            continue;
        };
        let mut paths: Vec<_> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| !p.to_string_lossy().ends_with(".json"))
            .collect();
        paths.sort();
        for p in paths {
            if let Ok(bytes) = std::fs::read(&p) {
                if xxgk::source::sniff(&bytes) == kind {
                    out.push((p.display().to_string(), bytes));
                }
            }
        }
    }
    out
}

/// Long fuzz session of one file reader (`XXGK_FUZZ_KIND`: `pdf`, `image`,
/// `html` or `zip`): mutated sample files through `extract_bytes`, on every
/// core until `XXGK_FUZZ_SECS`. Run by `scripts/fuzz SECS KIND`.
#[test]
#[ignore = "long; run by scripts/fuzz"]
fn fuzz_file_reader() {
    let kind: String = env_or("XXGK_FUZZ_KIND", "pdf".to_string());
    let Settings { secs, deadline, threads, seed } = settings();
    let samples = files_of_kind(&kind);
    assert!(!samples.is_empty(), "no sample files of kind {kind}");
    let tallies: Vec<Tally> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads as u64)
            .map(|k| {
                let (samples, kind) = (&samples, &kind);
                s.spawn(move || {
                    let templates = TemplateSet::builtin().expect("built-in models");
                    let mut runner = seeded_runner(seed.wrapping_add(k));
                    let strategy = (0..samples.len(), prop::collection::vec(file_edit(), 0..8));
                    let mut t = Tally::default();
                    while Instant::now() < deadline {
                        let (which, edits) = strategy
                            .new_tree(&mut runner)
                            .expect("generators do not reject")
                            .current();
                        let input = apply(samples[which].1.clone(), &edits);
                        let start = Instant::now();
                        let result = xxgk::extract_bytes(&input, &samples[which].0, &templates);
                        t.slowest = t.slowest.max(start.elapsed());
                        t.executions += 1;
                        if let Err(DocumentError::Panic(m)) = result {
                            let n = t.crashes.len();
                            t.crashes.push(save(kind, seed.wrapping_add(k), n, &input, &m));
                        }
                    }
                    t
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a fuzz thread died outside the reader"))
            .collect()
    });
    let executions: u64 = tallies.iter().map(|t| t.executions).sum();
    let crashes: Vec<&String> = tallies.iter().flat_map(|t| &t.crashes).collect();
    let slowest = tallies.iter().map(|t| t.slowest).max().unwrap_or_default();
    println!(
        "fuzz {kind} reader: seed {seed}, {secs} s, {threads} threads, {} sample files",
        samples.len()
    );
    println!(
        "fuzz total: {executions} executions, {} crashes, slowest case {:.1} ms",
        crashes.len(),
        slowest.as_secs_f64() * 1000.0
    );
    assert!(
        crashes.is_empty(),
        "crashes (inputs saved):\n{}",
        crashes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n")
    );
}
