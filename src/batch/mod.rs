//! Batch conversion: many inputs → one outcome per input, in input order,
//! with one JSON file per report under an output folder and the CSVs that
//! sum a run up.
//!
//! # Steps
//! 1. [`discover()`]: walk the arguments into [`Input`]s (deterministic order,
//!    relative output paths), optionally keep one [`Shard`].
//! 2. [`run`]: process the inputs, `jobs` at a time, with the output folder
//!    locked against a second run ([`lock`]). Per input: skip it if its
//!    output is whole and records the same input hash and the same `tool`
//!    (build and templates; unless `force`); otherwise read it under its
//!    time limit, in a worker process
//!    ([`worker`]: an abort, an out-of-memory kill or a stack overflow
//!    there is that input's `crash`) or, without a worker command, on a
//!    thread of this process ([`watchdog`], `catch_unwind`); then write its
//!    JSON atomically ([`output`]). Every failure of one input becomes that
//!    input's [`Failure`]; nothing one input does stops the run.
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

pub mod derived;
pub mod discover;
pub mod findings;
pub mod lock;
pub mod output;
pub mod watchdog;
pub mod workbook;
pub mod worker;

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::Value;

pub use discover::{discover, Discovery, Grouping, Input, Shard};

use crate::error::{BatchError, DocumentError};
use crate::report::{
    csv_header, csv_line, csv_row, failed_rules_json, report_ok, to_json, UTF8_BOM,
};
use crate::{extract_file, extract_pages, Options, TemplateSet};
use output::{file_sha256, output_path, previous_output, write_atomic, write_under};
use watchdog::{run_bounded, Stopped};
pub use worker::WorkerCommand;
use worker::{Lost, Worker};

/// Resolved settings of a batch run.
#[derive(Clone, Debug, Default)]
pub struct BatchOptions {
    /// Worker threads; 0 means one per core.
    pub jobs: usize,
    /// Redo inputs whose output is already there.
    pub force: bool,
    /// How inputs are read; its budget's `timeout` is the time limit per
    /// input.
    pub extract: Options,
    /// Where to write one JSON per input. Without it, each outcome keeps
    /// its JSON for the caller instead (fine for a few files, not for an
    /// archive).
    pub out_dir: Option<PathBuf>,
    /// Read each input in a worker process started by this command (see
    /// [`worker`]); without it, on threads of this process, where an abort
    /// ends the whole run.
    pub worker: Option<WorkerCommand>,
    /// The shard this run is: its lock of the output folder and its CSVs'
    /// names are its own.
    pub shard: Option<Shard>,
    /// A person's decisions to apply to the reports (`--decisions`).
    pub decisions: Vec<crate::decisions::Entry>,
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
    /// Decisions for this input that were not applied, and why.
    pub refused: Vec<String>,
}

/// A report was made (now or by an earlier run).
#[derive(Clone, Debug)]
pub struct Done {
    pub failed_rules: usize,
    pub warnings: usize,
    /// Nothing to review and nothing missing (`verification.status`).
    pub ok: bool,
    /// The report's JSON, kept only when there is no output folder.
    pub json: Option<Value>,
    /// Its output file, in an output folder.
    pub output: Option<PathBuf>,
    /// What findings across reports need of it ([`findings`]).
    pub facts: Option<findings::Facts>,
}

/// No report: at which stage and why, in words for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// `discover`, `read`, `classify`, `extract`, `timeout`, `crash` or
    /// `write`.
    pub stage: &'static str,
    pub message: String,
}

impl FileOutcome {
    /// A report that is not `ok`: something to review, or a field missing.
    pub fn has_findings(&self) -> bool {
        self.result.as_ref().is_ok_and(|d| !d.ok)
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
    /// This run's `tool` (an output by another is redone).
    tool: Value,
}

/// Processes every input; outcomes come back in input order.
pub fn run(
    inputs: &[Input],
    templates: &TemplateSet,
    options: &BatchOptions,
    observer: &dyn Observer,
) -> Result<Summary, BatchError> {
    let start = Instant::now();
    let lock = match &options.out_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| BatchError::Write {
                path: dir.display().to_string(),
                message: e.to_string(),
            })?;
            Some(lock::Lock::take(dir, options.shard)?)
        }
        None => None,
    };
    let jobs = match options.jobs {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let columns = templates.all_field_ids();
    let ctx = Ctx {
        templates: Arc::new(templates.clone()),
        options,
        columns: &columns,
        tool: crate::provenance::Tool::current(&templates.hash).to_json(),
    };
    let order = Mutex::new(InOrder { next: 0, pending: BTreeMap::new() });
    let reserved = csv_names(options.shard);
    let one = |i: usize, reader: &mut Reader| {
        let outcome = process(&inputs[i], &ctx, &reserved, reader);
        observer.finished(&outcome);
        release_in_order(&order, i, &outcome, observer);
        outcome
    };
    let outcomes: Vec<FileOutcome> = match &options.worker {
        None => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(jobs)
                .thread_name(|i| format!("xxgk-worker-{i}"))
                .build()
                .map_err(|e| BatchError::Pool(e.to_string()))?;
            pool.install(|| {
                (0..inputs.len()).into_par_iter().map(|i| one(i, &mut Reader::Here)).collect()
            })
        }
        Some(command) => {
            // As many workers as inputs allow; what is left of the jobs
            // reads one input's pages in parallel.
            let workers = jobs.min(inputs.len()).max(1);
            let threads = (jobs / workers).max(1);
            let next = std::sync::atomic::AtomicUsize::new(0);
            let done = Mutex::new(vec![None; inputs.len()]);
            std::thread::scope(|s| {
                for _ in 0..workers {
                    s.spawn(|| {
                        let mut reader = Reader::Process { command, threads, worker: None };
                        loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            if i >= inputs.len() {
                                break;
                            }
                            let outcome = one(i, &mut reader);
                            done.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(outcome);
                        }
                    });
                }
            });
            done.into_inner().unwrap_or_else(|p| p.into_inner()).into_iter().flatten().collect()
        }
    };
    Ok(Summary { outcomes, columns, elapsed: start.elapsed(), _lock: lock })
}

/// The CSVs a run writes into its output folder.
fn csv_names(shard: Option<Shard>) -> [String; 2] {
    let suffix = shard.map_or(String::new(), |s| format!(".shard-{}-of-{}", s.index, s.count));
    [format!("summary{suffix}.csv"), format!("errors{suffix}.csv")]
}

/// Where an input is read: on a thread here, or in a worker process (kept
/// from one input to the next, started again after a timeout or a crash).
enum Reader<'a> {
    Here,
    Process { command: &'a WorkerCommand, threads: usize, worker: Option<Worker> },
}

impl Reader<'_> {
    fn read(&mut self, input: &Input, ctx: &Ctx) -> Result<Value, Failure> {
        let timeout = ctx.options.extract.budget.timeout;
        let timed_out = |what: &str| Failure {
            stage: "timeout",
            message: format!(
                "gave up after {} s (--timeout); {what}",
                timeout.unwrap_or_default().as_secs_f64()
            ),
        };
        let (command, threads, slot) = match self {
            Reader::Here => {
                return read_here(input, ctx)
                    .map_err(|_| timed_out("its worker thread was abandoned"))?
            }
            Reader::Process { command, threads, worker } => (*command, *threads, worker),
        };
        if slot.is_none() {
            *slot = Some(Worker::start(command, threads).map_err(|e| Failure {
                stage: "crash",
                message: format!("cannot start a worker process: {e}"),
            })?);
        }
        let worker = slot.as_mut().expect("started above");
        match worker.read(input, timeout) {
            Ok(result) => result,
            Err(lost) => {
                *slot = None;
                Err(match lost {
                    Lost::TimedOut => timed_out("its worker process was stopped"),
                    Lost::Crashed(message) => Failure { stage: "crash", message },
                })
            }
        }
    }
}

/// Reads an input on a thread of this process, under its time limit;
/// `Err(())` when it timed out.
fn read_here(input: &Input, ctx: &Ctx) -> Result<Result<Value, Failure>, ()> {
    let (path, pages, templates, extract_options) = (
        input.path.clone(),
        input.pages.clone(),
        ctx.templates.clone(),
        ctx.options.extract.clone(),
    );
    let job = move || {
        catch_unwind(AssertUnwindSafe(|| {
            let report = if pages.is_empty() {
                extract_file(&path, &templates, &extract_options)?
            } else {
                extract_pages(&pages, &templates, &extract_options)?
            };
            Ok(to_json(&report))
        }))
        .unwrap_or_else(|panic| Err(DocumentError::Panic(crate::panic_message(&panic))))
    };
    match run_bounded(ctx.options.extract.budget.timeout, job) {
        Err(Stopped::TimedOut) => Err(()),
        Err(Stopped::Lost(m)) => Ok(Err(Failure {
            stage: "extract",
            message: format!("internal error while reading the file: {m}"),
        })),
        Ok(Err(e)) => Ok(Err(Failure { stage: stage_of(&e), message: e.to_string() })),
        Ok(Ok(json)) => Ok(Ok(json)),
    }
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
        let Some(held) = state.pending.remove(&next) else {
            break;
        };
        observer.in_order(&held);
        state.next += 1;
    }
}

fn process(input: &Input, ctx: &Ctx, reserved: &[String; 2], reader: &mut Reader) -> FileOutcome {
    let start = Instant::now();
    // A set of page images is named by its stem; its first page tells the
    // kind (a FIFO or a device is not opened: it is "unreadable").
    let first = input.pages.first().unwrap_or(&input.path);
    let kind = discover::read_head(first).map_or("unreadable", |h| crate::source::sniff(&h));
    let path_text = input.path.display().to_string();
    let rel_text = input.rel.to_string_lossy().replace('\\', "/");
    let out = ctx.options.out_dir.as_ref().map(|d| output_path(d, &input.rel));
    let mine: Vec<&crate::decisions::Entry> = ctx
        .options
        .decisions
        .iter()
        .filter(|d| d.file == path_text || d.file == rel_text)
        .collect();
    let mut refused = Vec::new();
    let finish = |result: Result<(Value, bool), Failure>, refused: Vec<String>| {
        let (result, row) = match result {
            Ok((json, resumed)) => {
                let row = csv_row(&path_text, ctx.columns, Ok(&json));
                let done = Done {
                    failed_rules: failed_rules_json(&json),
                    warnings: json["warnings"].as_array().map_or(0, Vec::len),
                    ok: report_ok(&json),
                    output: ctx.options.out_dir.as_ref().map(|d| output_path(d, &input.rel)),
                    facts: findings::Facts::of(&json),
                    json: ctx.options.out_dir.is_none().then_some(json),
                };
                return FileOutcome {
                    path: input.path.clone(),
                    kind,
                    elapsed: start.elapsed(),
                    resumed,
                    result: Ok(done),
                    row,
                    refused,
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
            refused,
        }
    };
    if let Some(problem) = &input.problem {
        return finish(Err(Failure { stage: "discover", message: problem.clone() }), refused);
    }
    // An input folder named like a CSV of the run would put its outputs
    // where the CSV goes.
    if let Some(top) = input.rel.components().next().filter(|_| input.rel.components().count() > 1)
    {
        if out.is_some() && reserved.iter().any(|r| top.as_os_str() == r.as_str()) {
            return finish(Err(Failure {
                stage: "discover",
                message: format!(
                    "its output would go inside the folder {}, where this run writes its CSV; rename that input folder",
                    top.as_os_str().to_string_lossy()
                ),
            }), refused);
        }
    }
    if let Some(out) = out.as_ref().filter(|o| !ctx.options.force && o.exists()) {
        if let Some(previous) = file_sha256(&input.path, ctx.options.extract.budget.max_bytes)
            .and_then(|sha| previous_output(out, &sha, &ctx.tool))
        {
            if mine.is_empty() {
                return finish(Ok((previous, true)), refused);
            }
            let mut json = previous;
            refused = crate::decisions::apply(&mut json, &mine);
            let result = write_json(&json, Some(out), ctx).map(|_| (json, true));
            return finish(result, refused);
        }
    }
    let result = reader.read(input, ctx).and_then(|mut json| {
        refused = crate::decisions::apply(&mut json, &mine);
        write_json(&json, out.as_deref(), ctx)?;
        Ok((json, false))
    });
    finish(result, refused)
}

/// Writes a report's JSON under the output folder (none: kept in memory).
fn write_json(json: &Value, out: Option<&Path>, ctx: &Ctx) -> Result<(), Failure> {
    {
        let (Some(out), Some(dir)) = (out, &ctx.options.out_dir) else {
            return Ok(());
        };
        let bytes = serde_json::to_string_pretty(&json).map_err(|_| Failure {
            stage: "write",
            message: "cannot serialize the report".into(),
        })? + "\n";
        write_under(dir, out, bytes.as_bytes()).map_err(|e| Failure {
            stage: "write",
            message: format!("cannot write {}: {e}", out.display()),
        })
    }
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
    /// The output folder stays locked until the summary is dropped, so that
    /// its CSVs are written under the lock too.
    _lock: Option<lock::Lock>,
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

    /// 0 every report is `ok`; 1 some report has something to review or a
    /// field missing; 2 some input gave no report.
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
    /// header line, so shards merge with `tail -n +2`. `bom`: each starts
    /// with a UTF-8 byte-order mark, for Excel (`--excel`).
    pub fn write_csvs(
        &self,
        dir: &Path,
        shard: Option<Shard>,
        bom: bool,
    ) -> Result<[PathBuf; 2], BatchError> {
        let [summary_name, errors_name] = csv_names(shard);
        let summary_path = dir.join(summary_name);
        let errors_path = dir.join(errors_name);
        let start = if bom { UTF8_BOM } else { "" };
        let mut summary = start.to_string() + &csv_header(&self.columns) + "\n";
        let mut errors = start.to_string() + &csv_line(&["file", "stage", "message"]) + "\n";
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
            "{} inputs in {:.1} s: {} ok, {} to check (review entries or missing fields), {} failed to read; {} processed now, {} already done (skipped)",
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
