//! `xxgk extract`: raw arguments → [`BatchOptions`], one run of
//! [`xxgk::batch`], then the outputs of the mode the arguments ask for:
//! a folder of JSON files with `summary.csv` and `errors.csv`, one JSON
//! file, JSON on stdout, or one CSV. Progress and messages go to stderr.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use xxgk::batch::{self, BatchOptions, FileOutcome, Observer};
use xxgk::report::csv_header;
use xxgk::TemplateSet;

use super::{ExtractArgs, Format};

pub const AFTER_HELP: &str = concat!(
    "\
Folders are walked recursively in name order. Hidden files, .json/.csv and
other non-report extensions are skipped; files with unknown extensions are
taken when their first bytes are a document or Chinese text. A file named on
the command line is always taken.

A batch is resumable: an input whose output JSON exists and records the same
input SHA-256 (source.sha256) is skipped, so re-running a killed or finished
command only does what is left. --force redoes everything. Outputs are
written to a temporary file and renamed, so they are never partial.

",
    super::exit_status_help!()
);

pub fn run(args: ExtractArgs, templates: &TemplateSet) -> Result<u8> {
    let out_is_dir = args
        .output
        .as_deref()
        .is_some_and(|o| o.is_dir() || o.as_os_str().to_string_lossy().ends_with('/'));
    // Page images of one report given together (NAME.p1.jpg NAME.p2.jpg) are
    // one input, not a batch.
    let reports = xxgk::source::group_inputs(&args.paths).len();
    let to_folder = args.format == Format::Json
        && args.output.is_some()
        && (reports > 1 || args.paths.iter().any(|p| p.is_dir()) || out_is_dir);
    if let Some(o) = args.output.as_deref().filter(|o| to_folder && o.exists() && !o.is_dir()) {
        bail!(
            "{} is a file; with a folder or several inputs, -o names an output folder",
            o.display()
        );
    }
    let timeout =
        match args.timeout {
            0.0 => None,
            t => Some(Duration::try_from_secs_f64(t).map_err(|_| {
                anyhow::anyhow!("--timeout takes a number of seconds >= 0, not {t}")
            })?),
        };
    let options = BatchOptions {
        jobs: args.jobs.unwrap_or(0),
        force: args.force,
        timeout,
        extract: args.options(),
        out_dir: args.output.clone().filter(|_| to_folder),
    };

    let found = batch::discover(&args.paths, options.out_dir.as_deref(), &args.grouping(templates));
    let mut inputs = found.inputs;
    if let Some(shard) = args.shard {
        inputs.retain(|i| shard.owns(&i.rel));
    }
    let progress = Progress::new(inputs.len() as u64, args.quiet, args.verbose);
    if args.verbose {
        for p in &found.not_inputs {
            progress.line(&format!("xxgk: {}: not taken as an input", p.display()));
        }
    }
    let summary = batch::run(&inputs, templates, &options, &progress)?;
    progress.done();

    if let Some(dir) = &options.out_dir {
        summary.write_csvs(dir, args.shard)?;
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
        }
        return Ok(summary.exit_code());
    }
    let output = args.output.as_deref();
    match args.format {
        Format::Csv => {
            let mut text = csv_header(&summary.columns) + "\n";
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
            Err(f) => self.line(&format!("xxgk: {}: {}", outcome.path.display(), f.message)),
            Ok(_) if outcome.resumed && self.verbose => {
                self.line(&format!("xxgk: {}: already done, skipped", outcome.path.display()))
            }
            Ok(_) => {}
        }
    }
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
            std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
            std::fs::rename(&tmp, p)
                .with_context(|| format!("renaming {} to {}", tmp.display(), p.display()))?;
            Ok(())
        }
    }
}
