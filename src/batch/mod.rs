//! Batch conversion: many inputs → one outcome per input, in input order,
//! with one JSON file per report under an output folder and the CSVs that
//! sum a run up.
//!
//! # Steps
//! 1. [`discover()`]: walk the arguments into [`Input`]s (deterministic order,
//!    relative output paths), optionally keep one [`Shard`].
//! 2. [`run`]: process the inputs on a rayon pool of `jobs` threads. Per
//!    input: skip it if its output is whole and records the same input
//!    hash (unless `force`); otherwise extract under a time limit
//!    ([`watchdog`]) and `catch_unwind`, and write its JSON atomically
//!    ([`output`]). Every failure of one input, panics included, becomes
//!    that input's [`Failure`]; nothing one input does stops the run.
//! 3. [`Summary::write_csvs`]: `summary.csv` and `errors.csv`, in input
//!    order, so the files a run writes are the same whatever `jobs` is.
//!
//! The library prints nothing: the caller sees progress through an
//! [`Observer`] and the end through the [`Summary`].
//!
//! A reader that needs a per-thread engine (OCR: Tesseract's handle is
//! `Send` but not `Sync`) can move it into the job and get it back with the
//! result; when a job is abandoned at the time limit, its engine goes with
//! it and the worker makes a new one.

pub mod discover;
pub mod output;
pub mod watchdog;

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::Value;

pub use discover::{discover, Discovery, Grouping, Input, Shard};

use crate::error::{BatchError, DocumentError};
use crate::report::{csv_header, csv_line, csv_row, failed_rules_json, to_json};
use crate::{extract_file, extract_pages, Options, TemplateSet};
use output::{file_sha256, output_path, previous_output, write_atomic};
use watchdog::{run_bounded, Stopped};

/// Resolved settings of a batch run.
#[derive(Clone, Debug, Default)]
pub struct BatchOptions {
    /// Worker threads; 0 means one per core.
    pub jobs: usize,
    /// Redo inputs whose output is already there.
    pub force: bool,
    /// Time limit per input; `None` for none.
    pub timeout: Option<Duration>,
    pub extract: Options,
    /// Where to write one JSON per input. Without it, each outcome keeps
    /// its JSON for the caller instead (fine for a few files, not for an
    /// archive).
    pub out_dir: Option<PathBuf>,
}

/// What happened to one input.
#[derive(Clone, Debug)]
pub struct FileOutcome {
    pub path: PathBuf,
    /// [`crate::source::sniff`]'s kind of the first bytes, or `unreadable`.
    pub kind: &'static str,
    /// Wall time spent on this input, resume check included.
    pub elapsed: Duration,
    /// The output was already there from the same input bytes.
    pub resumed: bool,
    pub result: Result<Done, Failure>,
    /// This input's line of `summary.csv`.
    pub row: String,
}

/// A report was made (now or by an earlier run).
#[derive(Clone, Debug)]
pub struct Done {
    pub failed_rules: usize,
    pub warnings: usize,
    /// The report's JSON, kept only when there is no output folder.
    pub json: Option<Value>,
}

/// No report: at which stage and why, in words for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// `discover`, `read`, `classify`, `extract`, `timeout` or `write`.
    pub stage: &'static str,
    pub message: String,
}

impl FileOutcome {
    /// A report with a failed rule or a warning.
    pub fn has_findings(&self) -> bool {
        self.result.as_ref().is_ok_and(|d| d.failed_rules > 0 || d.warnings > 0)
    }
}

/// Sees a run as it goes. Called from worker threads.
pub trait Observer: Sync {
    /// An input is finished; in completion order, as soon as it happens.
    fn finished(&self, _outcome: &FileOutcome) {}
    /// An input is finished; in input order (held back until the inputs
    /// before it are done), for messages that should read the same at any
    /// `jobs`.
    fn in_order(&self, _outcome: &FileOutcome) {}
}

/// The stage a reader's error belongs to, for `errors.csv`.
pub fn stage_of(e: &DocumentError) -> &'static str {
    e.stage()
}

struct Ctx<'a> {
    templates: Arc<TemplateSet>,
    options: &'a BatchOptions,
    columns: &'a [String],
}

/// Processes every input; outcomes come back in input order.
pub fn run(
    inputs: &[Input],
    templates: &TemplateSet,
    options: &BatchOptions,
    observer: &dyn Observer,
) -> Result<Summary, BatchError> {
    let start = Instant::now();
    if let Some(dir) = &options.out_dir {
        std::fs::create_dir_all(dir).map_err(|e| BatchError::Write {
            path: dir.display().to_string(),
            message: e.to_string(),
        })?;
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs)
        .thread_name(|i| format!("xxgk-worker-{i}"))
        .build()
        .map_err(|e| BatchError::Pool(e.to_string()))?;
    let columns = templates.all_field_ids();
    let ctx = Ctx { templates: Arc::new(templates.clone()), options, columns: &columns };
    let order = Mutex::new(InOrder { next: 0, pending: BTreeMap::new() });
    let outcomes: Vec<FileOutcome> = pool.install(|| {
        inputs
            .par_iter()
            .enumerate()
            .map(|(i, input)| {
                let outcome = process(input, &ctx);
                observer.finished(&outcome);
                release_in_order(&order, i, &outcome, observer);
                outcome
            })
            .collect()
    });
    Ok(Summary { outcomes, columns, elapsed: start.elapsed() })
}

struct InOrder {
    next: usize,
    pending: BTreeMap<usize, FileOutcome>,
}

fn release_in_order(
    order: &Mutex<InOrder>,
    index: usize,
    outcome: &FileOutcome,
    observer: &dyn Observer,
) {
    // A panic in an observer must not poison the run for everyone else.
    let mut state = order.lock().unwrap_or_else(|p| p.into_inner());
    if index != state.next {
        let mut held = outcome.clone();
        if let Ok(done) = &mut held.result {
            done.json = None;
        }
        state.pending.insert(index, held);
        return;
    }
    observer.in_order(outcome);
    state.next += 1;
    loop {
        let next = state.next;
        let Some(held) = state.pending.remove(&next) else { break };
        observer.in_order(&held);
        state.next += 1;
    }
}

fn process(input: &Input, ctx: &Ctx) -> FileOutcome {
    let start = Instant::now();
    // A set of page images is named by its stem; its first page tells the kind.
    let first = input.pages.first().unwrap_or(&input.path);
    let kind = discover::read_head(first).map_or("unreadable", |h| crate::source::sniff(&h));
    let path_text = input.path.display().to_string();
    let finish = |result: Result<(Value, bool), Failure>| {
        let (result, row) = match result {
            Ok((json, resumed)) => {
                let row = csv_row(&path_text, ctx.columns, Ok(&json));
                let done = Done {
                    failed_rules: failed_rules_json(&json),
                    warnings: json["warnings"].as_array().map_or(0, Vec::len),
                    json: ctx.options.out_dir.is_none().then_some(json),
                };
                return FileOutcome {
                    path: input.path.clone(),
                    kind,
                    elapsed: start.elapsed(),
                    resumed,
                    result: Ok(done),
                    row,
                };
            }
            Err(f) => {
                let row = csv_row(&path_text, ctx.columns, Err(&f.message));
                (Err(f), row)
            }
        };
        FileOutcome {
            path: input.path.clone(),
            kind,
            elapsed: start.elapsed(),
            resumed: false,
            result,
            row,
        }
    };
    if let Some(problem) = &input.problem {
        return finish(Err(Failure { stage: "discover", message: problem.clone() }));
    }
    let out = ctx.options.out_dir.as_ref().map(|d| output_path(d, &input.rel));
    if let Some(out) = out.as_ref().filter(|o| !ctx.options.force && o.exists()) {
        if let Some(previous) = file_sha256(&input.path, ctx.options.extract.max_bytes)
            .and_then(|sha| previous_output(out, &sha))
        {
            return finish(Ok((previous, true)));
        }
    }
    let (path, pages, templates, extract_options, want_bytes) = (
        input.path.clone(),
        input.pages.clone(),
        ctx.templates.clone(),
        ctx.options.extract.clone(),
        out.is_some(),
    );
    let job = move || {
        catch_unwind(AssertUnwindSafe(|| {
            let report = if pages.is_empty() {
                extract_file(&path, &templates, &extract_options)?
            } else {
                extract_pages(&pages, &templates, &extract_options)?
            };
            let json = to_json(&report);
            let bytes = if want_bytes {
                serde_json::to_string_pretty(&json).map(|s| s + "\n").ok()
            } else {
                None
            };
            Ok((json, bytes))
        }))
        .unwrap_or_else(|panic| Err(DocumentError::Panic(crate::panic_message(&panic))))
    };
    let result = match run_bounded(ctx.options.timeout, job) {
        Err(Stopped::TimedOut) => Err(Failure {
            stage: "timeout",
            message: format!(
                "gave up after {} s (--timeout); its worker thread was abandoned",
                ctx.options.timeout.unwrap_or_default().as_secs_f64()
            ),
        }),
        Err(Stopped::Lost(m)) => Err(Failure {
            stage: "extract",
            message: format!("internal error while reading the file: {m}"),
        }),
        Ok(Err(e)) => Err(Failure { stage: stage_of(&e), message: e.to_string() }),
        Ok(Ok((json, bytes))) => match (&out, bytes) {
            (Some(out), Some(bytes)) => match write_atomic(out, bytes.as_bytes()) {
                Ok(()) => Ok((json, false)),
                Err(e) => Err(Failure {
                    stage: "write",
                    message: format!("cannot write {}: {e}", out.display()),
                }),
            },
            (Some(_), None) => {
                Err(Failure { stage: "write", message: "cannot serialize the report".into() })
            }
            (None, _) => Ok((json, false)),
        },
    };
    finish(result)
}

/// The end of a run.
#[derive(Debug)]
pub struct Summary {
    /// One per input, in input order.
    pub outcomes: Vec<FileOutcome>,
    /// The field-id columns of `summary.csv` (every edition's, see
    /// [`TemplateSet::all_field_ids`]).
    pub columns: Vec<String>,
    pub elapsed: Duration,
}

/// Counts over a run's outcomes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub inputs: usize,
    /// Reports where every rule holds and nothing warns.
    pub ok: usize,
    /// Reports with a failed rule or a warning.
    pub findings: usize,
    /// Inputs that gave no report.
    pub failed: usize,
    /// Inputs skipped because their output was already there.
    pub resumed: usize,
}

impl Summary {
    pub fn counts(&self) -> Counts {
        let mut c = Counts { inputs: self.outcomes.len(), ..Counts::default() };
        for o in &self.outcomes {
            match &o.result {
                Err(_) => c.failed += 1,
                Ok(_) if o.has_findings() => c.findings += 1,
                Ok(_) => c.ok += 1,
            }
            c.resumed += usize::from(o.resumed);
        }
        c
    }

    /// 0 every input read and every rule holds; 1 some report has a failed
    /// rule or warnings; 2 some input gave no report.
    pub fn exit_code(&self) -> u8 {
        let c = self.counts();
        if c.failed > 0 {
            2
        } else if c.findings > 0 {
            1
        } else {
            0
        }
    }

    /// Per input kind, over the inputs processed in this run (not resumed):
    /// kind, count, total wall time.
    pub fn per_kind(&self) -> Vec<(&'static str, usize, Duration)> {
        let mut by: BTreeMap<&'static str, (usize, Duration)> = BTreeMap::new();
        for o in self.outcomes.iter().filter(|o| !o.resumed) {
            let e = by.entry(o.kind).or_default();
            e.0 += 1;
            e.1 += o.elapsed;
        }
        by.into_iter().map(|(k, (n, t))| (k, n, t)).collect()
    }

    /// Writes `summary.csv` and `errors.csv` into `dir` (with a shard,
    /// `summary.shard-K-of-N.csv` and `errors.shard-K-of-N.csv`, so that
    /// shards can share one output folder). Every file starts with the same
    /// header line, so shards merge with `tail -n +2`.
    pub fn write_csvs(&self, dir: &Path, shard: Option<Shard>) -> Result<[PathBuf; 2], BatchError> {
        let suffix = shard.map_or(String::new(), |s| format!(".shard-{}-of-{}", s.index, s.count));
        let summary_path = dir.join(format!("summary{suffix}.csv"));
        let errors_path = dir.join(format!("errors{suffix}.csv"));
        let mut summary = csv_header(&self.columns) + "\n";
        let mut errors = csv_line(&["file", "stage", "message"]) + "\n";
        for o in &self.outcomes {
            summary += &o.row;
            summary.push('\n');
            if let Err(f) = &o.result {
                errors += &csv_line(&[o.path.display().to_string().as_str(), f.stage, &f.message]);
                errors.push('\n');
            }
        }
        for (path, text) in [(&summary_path, summary), (&errors_path, errors)] {
            write_atomic(path, text.as_bytes()).map_err(|e| BatchError::Write {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
        }
        Ok([summary_path, errors_path])
    }
}

impl std::fmt::Display for Summary {
    /// Two lines for the end of a run: the counts, then time per kind.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = self.counts();
        write!(
            f,
            "{} inputs in {:.1} s: {} ok, {} with failed rules or warnings, {} failed to read; {} processed now, {} already done (skipped)",
            c.inputs,
            self.elapsed.as_secs_f64(),
            c.ok,
            c.findings,
            c.failed,
            c.inputs - c.resumed,
            c.resumed
        )?;
        let kinds: Vec<String> = self
            .per_kind()
            .iter()
            .map(|(k, n, t)| format!("{k} {n} × {:.1} ms", t.as_secs_f64() * 1000.0 / *n as f64))
            .collect();
        if !kinds.is_empty() {
            write!(f, "\ntime per input kind: {}", kinds.join(", "))?;
        }
        Ok(())
    }
}
