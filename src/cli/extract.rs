//! `xxgk extract`: raw arguments → [`BatchOptions`], one run of
//! [`xxgk::batch`], then the outputs of the mode the arguments ask for:
//! a folder of JSON files with `summary.csv` and `errors.csv`, one JSON
//! file, JSON on stdout, or one CSV. Progress and messages go to stderr.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use xxgk::batch::{self, BatchOptions, FileOutcome, Observer, WorkerCommand};
use xxgk::report::{csv_header, UTF8_BOM};
use xxgk::TemplateSet;

use super::{formats, ExtractArgs, Format};

pub const AFTER_HELP: &str = concat!(
    "\
Folders are walked recursively in name order. Hidden files, .json/.csv and
other non-report extensions are skipped; files with unknown extensions are
taken when their first bytes are a document or Chinese text. A file named on
the command line is always taken.

A batch is resumable: an input whose output JSON exists and records the same
A batch is resumable: an input whose output JSON exists and records the same
input SHA-256 (source.sha256) and the same tool (this build and the same
templates) is skipped, so re-running a killed or finished command only does
what is left, and an upgrade or a template change redoes everything it
concerns. --force redoes everything. Outputs are written to a temporary file
and renamed, so they are never partial. One run at a time writes into an
output folder (it is locked). Each input is read in a worker process: one
that dies is that input's error (stage `crash`).

",
    super::exit_status_help!()
);

pub fn run(args: ExtractArgs, templates: &TemplateSet) -> Result<u8> {
    let out_is_dir = args
        .output
        .as_deref()
        .is_some_and(|o| o.is_dir() || o.as_os_str().to_string_lossy().ends_with('/'));
    if args.format == Format::Xlsx && args.output.is_none() {
        bail!("--format xlsx writes a workbook: give -o FILE.xlsx (or -o DIR)");
    }
    let extract = args.read.options()?;
    let grouping = batch::Grouping {
        pages: xxgk::source::PageGrouping {
            pages_per_report: args.pages_per_report.map(|n| n as usize),
            first_section: templates.sections.first().map(|s| s.cores.clone()).unwrap_or_default(),
        },
        scan: extract.scan.clone(),
        budget: extract.budget,
    };
    // The output folder is never walked (only a folder is skipped, so a
    // file named by -o changes nothing).
    let found = batch::discover(&args.paths, args.output.as_deref(), args.follow_links, &grouping);
    // Page images of one report given together (NAME.p1.jpg NAME.p2.jpg, or
    // named by a counter) are one input, not a batch.
    let reports = found.inputs.len();
    // -o DIR: a folder in every format; several inputs or a folder: a
    // folder of JSON files, unless a format asks for one file.
    let to_folder = args.output.is_some()
        && (out_is_dir
            || (args.format == Format::Json
                && (reports > 1 || args.paths.iter().any(|p| p.is_dir()))));
    if let Some(o) = args.output.as_deref().filter(|o| to_folder && o.exists() && !o.is_dir()) {
        bail!(
            "{} is a file; with a folder or several inputs, -o names an output folder",
            o.display()
        );
    }
    // Each input is read in a worker process: this program, started again.
    // On Linux through /proc/self/exe, which is this very binary even when
    // the file was replaced (a rebuild) or removed during a long run.
    let this = PathBuf::from("/proc/self/exe");
    let program = if cfg!(target_os = "linux") && this.exists() {
        this
    } else {
        std::env::current_exe().context("cannot find this program to start its workers")?
    };
    let worker = WorkerCommand { program, args: args.read.worker_args() };
    let decisions = super::read_decisions(args.decisions.as_deref())?;
    if args.review && !to_folder {
        bail!("--review needs an output folder (-o DIR with a folder or several inputs)");
    }
    let options = BatchOptions {
        decisions,
        jobs: args.jobs.unwrap_or(0),
        force: args.force,
        extract,
        out_dir: args.output.clone().filter(|_| to_folder),
        worker: Some(worker),
        shard: args.shard,
    };
    let mut inputs = found.inputs;
    if let Some(shard) = args.shard {
        inputs.retain(|i| shard.owns(&i.rel));
    }
    let progress = Progress::new(inputs.len() as u64, args.quiet, args.verbose);
    if args.verbose {
        for (p, why) in &found.not_inputs {
            progress.line(&format!("xxgk: {}: {why}", shown(p)));
        }
    }
    let mut summary = batch::run(&inputs, templates, &options, &progress)?;
    progress.done();

    for o in &summary.outcomes {
        for why in &o.refused {
            progress.line(&format!("xxgk: {}: {why}", shown(&o.path)));
        }
    }
    if let Some(dir) = &options.out_dir {
        summary.write_csvs(dir, args.shard, args.excel)?;
        let made = formats::folder(&mut summary, dir, &args, templates)?;
        if args.review {
            super::review(dir, templates, &options.decisions)?;
        }
        if !args.quiet {
            for line in summary.to_string().lines() {
                progress.line(&format!("xxgk: {line}"));
            }
            if !found.not_inputs.is_empty() {
                progress.line(&format!(
                    "xxgk: {} files in the folders were not taken as inputs (--verbose names them)",
                    found.not_inputs.len()
                ));
            }
            for line in made {
                progress.line(&format!("xxgk: {line}"));
            }
        }
        return Ok(summary.exit_code());
    }
    let output = args.output.as_deref();
    let findings = formats::attach_findings(&mut summary, templates)?;
    let bom = if args.excel { UTF8_BOM } else { "" };
    match args.format {
        Format::Xlsx => {
            let bytes = xxgk::batch::workbook::workbook(&summary, templates, &findings)?;
            write_out(output, &bytes)?;
        }
        Format::Long => write_out(output, formats::long_csv(&summary, templates, bom)?.as_bytes())?,
        Format::Csv => {
            let mut text = bom.to_string() + &csv_header(&summary.columns) + "\n";
            for o in &summary.outcomes {
                text += &o.row;
                text.push('\n');
            }
            write_out(output, text.as_bytes())?;
        }
        Format::Json => {
            let mut reports = summary
                .outcomes
                .iter()
                .filter_map(|o| o.result.as_ref().ok().and_then(|d| d.json.clone()));
            let value = if inputs.len() == 1 && !args.paths.iter().any(|p| p.is_dir()) {
                reports.next()
            } else {
                Some(serde_json::Value::Array(reports.collect()))
            };
            if let Some(v) = value {
                write_out(output, (serde_json::to_string_pretty(&v)? + "\n").as_bytes())?;
            }
        }
    }
    Ok(summary.exit_code())
}

/// The progress bar (on stderr when it is a terminal) and the per-file lines.
struct Progress {
    bar: ProgressBar,
    failures: AtomicUsize,
    verbose: bool,
}

impl Progress {
    fn new(total: u64, quiet: bool, verbose: bool) -> Progress {
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{bar:30} {pos}/{len} files  {rate}  ETA {eta}  {msg}")
            {
                // indicatif's own {per_sec} prints four decimals.
                bar.set_style(style.with_key(
                    "rate",
                    |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = w.write_fmt(format_args!("{:.1} files/s", s.per_sec()));
                    },
                ));
            }
            bar.set_message("0 failed");
            bar
        };
        Progress { bar, failures: AtomicUsize::new(0), verbose }
    }

    /// A message line, above the bar when there is one. Write errors are
    /// ignored: `eprintln!` would panic on a closed stderr, from inside a
    /// worker, and take the whole batch down.
    fn line(&self, text: &str) {
        self.bar.suspend(|| {
            let _ = writeln!(std::io::stderr(), "{text}");
        });
    }

    fn done(&self) {
        self.bar.finish_and_clear();
    }
}

impl Observer for Progress {
    fn finished(&self, outcome: &FileOutcome) {
        if outcome.result.is_err() {
            let n = self.failures.fetch_add(1, Ordering::Relaxed) + 1;
            self.bar.set_message(format!("{n} failed"));
        }
        self.bar.inc(1);
    }

    fn in_order(&self, outcome: &FileOutcome) {
        match &outcome.result {
            Err(f) => self.line(&format!("xxgk: {}: {}", shown(&outcome.path), f.message)),
            Ok(_) if outcome.resumed && self.verbose => {
                self.line(&format!("xxgk: {}: already done, skipped", shown(&outcome.path)))
            }
            Ok(_) => {}
        }
    }
}

/// A path for a line on stderr: control characters (a newline in a file
/// name would break the one-line error) shown escaped, as `\n` or `\u{1b}`.
pub fn shown(path: &Path) -> String {
    let text = path.display().to_string();
    if !text.chars().any(char::is_control) {
        return text;
    }
    text.chars()
        .map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() })
        .collect()
}

/// `xxgk worker`: serves inputs on stdin, one report or error per line on
/// stdout, on a thread with a deep stack. Stdout is kept for the answers:
/// anything else written to it (a C library's message) goes to stderr.
pub fn serve(templates: &TemplateSet, options: &xxgk::Options, threads: usize) -> Result<()> {
    // Started through /proc/self/exe its name would be "exe": say what it is.
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_NAME reads a NUL-terminated string of at most 16 bytes.
    unsafe {
        libc::prctl(libc::PR_SET_NAME, c"xxgk-worker".as_ptr());
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .thread_name(|i| format!("xxgk-page-{i}"))
        .build_global()
        .context("cannot start the worker's threads")?;
    let answers = answer_channel()?;
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("xxgk-worker".into())
            .stack_size(batch::worker::JOB_STACK)
            .spawn_scoped(s, move || {
                let stdin = std::io::stdin().lock();
                batch::worker::serve(stdin, std::io::BufWriter::new(answers), templates, options)
            })
            .context("cannot start the worker's thread")?
            .join()
            .map_err(|_| anyhow::anyhow!("the worker's thread failed"))??;
        Ok(())
    })
}

/// The worker's stdout, as its own descriptor; the standard one then
/// points at stderr.
#[cfg(unix)]
fn answer_channel() -> Result<std::fs::File> {
    use std::os::unix::io::FromRawFd;
    // SAFETY: dup and dup2 on the standard descriptors; the new descriptor
    // is owned by the File alone.
    unsafe {
        let fd = libc::dup(1);
        if fd < 0 || libc::dup2(2, 1) < 0 {
            bail!("cannot set up the worker's output: {}", std::io::Error::last_os_error());
        }
        Ok(std::fs::File::from_raw_fd(fd))
    }
}

#[cfg(not(unix))]
fn answer_channel() -> Result<std::fs::File> {
    bail!("worker processes need a Unix system")
}

/// Writes atomically (temporary file, then rename) or to stdout.
fn write_out(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match path {
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(bytes).and_then(|_| out.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                r => Ok(r?),
            }
        }
        Some(p) => {
            if p.is_dir() {
                bail!("{} is a directory; give a file name", p.display());
            }
            let tmp: PathBuf = p.with_extension(format!(
                "{}.tmp{}",
                p.extension().map_or(String::new(), |e| e.to_string_lossy().to_string()),
                std::process::id()
            ));
            let written = std::fs::write(&tmp, bytes)
                .with_context(|| format!("writing {}", tmp.display()))
                .and_then(|_| {
                    std::fs::rename(&tmp, p)
                        .with_context(|| format!("renaming {} to {}", tmp.display(), p.display()))
                });
            // Nothing written half: a failed write leaves no temporary file.
            if written.is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
            written
        }
    }
}
