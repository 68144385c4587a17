//! Command-line interface: arguments → runs of the library → files and exit
//! codes. Only this module prints.

mod extract;
mod formats;
mod models;

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};

use std::ffi::OsString;
use std::time::Duration;

use xxgk::batch::Shard;
use xxgk::budget::{self, Budget};
use xxgk::TemplateSet;

/// The exit-status paragraph of `--help`, shared by the top level and
/// `extract` (a macro, since `concat!` takes only literals).
macro_rules! exit_status_help {
    () => {
        "What `ok` promises (`verification.status` in the JSON, `status` in summary.csv):
  the report's review list is empty, and every field of the template was found
  (a cell printed blank is found; it stays null). Each value is then either
  confirmed by the template's rules or read plainly with no rule to check it
  (verdict `unconfirmed`, e.g. all of 表二). Anything the tool doubts (a failed
  or unverifiable rule, an inferred, corrected or low-confidence value, numbers
  placed by a choice among several readings, a missing table, row, organization
  or year) is an entry of `review`, and the report is `check`.

Exit status:
  0  every input gave a report, and every report is `ok`
  1  finished, but some report is `check`
  2  some input could not be read (one line each on stderr: `xxgk: FILE: reason`;
     the other inputs are still processed), or the run itself failed"
    };
}
pub(crate) use exit_status_help;

/// Turn 政府信息公开工作年度报告 into verified, structured data.
#[derive(Parser, Debug)]
#[command(name = "xxgk", version, long_version = long_version(), after_help = exit_status_help!())]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Extract the tables of reports: one file, several, or whole folders.
    #[command(after_help = extract::AFTER_HELP)]
    Extract(ExtractArgs),
    /// Findings across the reports of an output folder (findings.csv, and
    /// `findings` in each report concerned): for a folder filled by shards.
    Findings(formats::FindingsArgs),
    /// Write OUT_DIR/review.html: every review entry of the JSON outputs in
    /// OUT_DIR with a crop of its cell (or its source line), labelled page
    /// overlays, and a form that saves decisions as review.csv (apply them
    /// with `extract --decisions`). Reads the outputs and the inputs they
    /// name; extracts nothing again.
    Review {
        /// An output folder of `xxgk extract -o`.
        out_dir: PathBuf,
        /// Decisions already made (review.csv): shown chosen on the page.
        #[arg(long, value_name = "CSV")]
        decisions: Option<PathBuf>,
        /// Load templates from this directory instead of the built-in ones.
        #[arg(long)]
        models: Option<PathBuf>,
    },
    /// Work with the template files.
    Models {
        #[command(subcommand)]
        action: ModelsAction,
    },
    /// Internal: a worker process of `extract` (reads the inputs it is sent
    /// on stdin, one at a time, and answers on stdout).
    #[command(hide = true)]
    Worker {
        #[command(flatten)]
        read: ReadArgs,
        /// Threads to read one input's pages on.
        #[arg(long, default_value_t = 1)]
        threads: usize,
    },
}

/// `xxgk extract`, as typed.
#[derive(clap::Args, Debug)]
struct ExtractArgs {
    /// Report files or folders (walked recursively): PDFs (text or scanned),
    /// page images (PNG, JPEG, TIFF; NAME.p1.jpg, NAME.p2.jpg… are one
    /// report), HTML and text exports (UTF-8, UTF-16 or GBK).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format (see below). With -o DIR, every format writes the
    /// folder's JSON files and CSVs, and `long` adds long.csv, `xlsx`
    /// summary.xlsx.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Start every CSV written with a UTF-8 byte-order mark, so that Excel
    /// (a Chinese Windows one too) reads it as UTF-8.
    #[arg(long)]
    excel: bool,
    /// Output path. One input file: the JSON file to write. A folder or
    /// several inputs (or an existing folder here): the output folder, with
    /// one JSON per input mirroring the input tree (a/r.txt → a/r.txt.json),
    /// summary.csv and errors.csv. With --format csv: the CSV file.
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    read: ReadArgs,
    /// Worker processes [default: one per core]. Outputs are the same for
    /// any value.
    #[arg(short, long, value_name = "N")]
    jobs: Option<usize>,
    /// Redo inputs whose output JSON is already there from the same bytes.
    #[arg(long)]
    force: bool,
    /// Process only the inputs of shard K of N (0 <= K < N), chosen by a
    /// stable hash of each input's relative path.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// In folders, also take symbolic links to files outside the input
    /// folders (named files are always taken; links to folders never).
    #[arg(long)]
    follow_links: bool,
    /// Page images named by a counter (IMG_1000.jpg …, scan0001.tif …), in
    /// a folder or named together, are grouped into reports where a page
    /// shows a report's title or first section; with this, every N of them
    /// instead.
    /// Pages named NAME.p1.jpg, NAME.p2.jpg… are always one report.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pages_per_report: Option<u64>,
    /// Apply a person's decisions (review.csv from `xxgk review`, or written
    /// by hand: file,sha256,field,decision,who,when; decision = accept |
    /// value N | null): the value gets status `reviewed` and keeps the
    /// decision; one made on other bytes of the input is reported, not
    /// applied. Outputs already there get them too.
    #[arg(long, value_name = "CSV")]
    decisions: Option<PathBuf>,
    /// Also write OUT_DIR/review.html (see `xxgk review`).
    #[arg(long)]
    review: bool,
    /// No progress bar and no summary; errors are still printed.
    #[arg(short, long)]
    quiet: bool,
    /// Also name each input skipped as already done, and each file in the
    /// folders that was not taken as an input.
    #[arg(short, long, conflicts_with = "quiet")]
    verbose: bool,
}

/// How each input is read, and what it may take: the flags a worker
/// process is started with, too.
#[derive(clap::Args, Debug, Clone)]
struct ReadArgs {
    /// Load templates from this directory instead of the built-in ones.
    #[arg(long)]
    models: Option<PathBuf>,
    /// Refuse inputs larger than this many bytes (read through the limit).
    #[arg(long, value_name = "BYTES", default_value_t = budget::DEFAULT_MAX_BYTES)]
    max_bytes: u64,
    /// Refuse documents of more pages than this (PDFs, TIFFs, page images),
    /// counted before any page is read.
    #[arg(long, value_name = "PAGES", default_value_t = budget::DEFAULT_MAX_PAGES)]
    max_pages: usize,
    /// Refuse page images with more pixels than this (decompression bombs).
    #[arg(long, value_name = "PIXELS", default_value_t = budget::DEFAULT_MAX_PAGE_PIXELS)]
    max_pixels: u64,
    /// Refuse documents whose page images have more pixels than this in all.
    #[arg(long, value_name = "PIXELS", default_value_t = budget::DEFAULT_MAX_DOC_PIXELS)]
    max_doc_pixels: u64,
    /// Refuse a compressed stream or part (a PDF page with its forms, a DOCX
    /// part) that inflates to more bytes than this (decompression bombs).
    #[arg(long, value_name = "BYTES", default_value_t = budget::DEFAULT_MAX_INFLATE)]
    max_inflate: u64,
    /// Refuse text exports of more lines than this, and web pages of more
    /// tags (what the readers build takes some 70 bytes each).
    #[arg(long, value_name = "N", default_value_t = budget::DEFAULT_MAX_LINES)]
    max_lines: u64,
    /// Give up on an input after this many seconds of processor time (0:
    /// no limit; at ten times as much wall time, whatever the load): its
    /// worker process, and any program it started, is stopped; the batch
    /// goes on.
    #[arg(long, value_name = "SECS", default_value_t = budget::DEFAULT_TIMEOUT.as_secs_f64())]
    timeout: f64,
    /// Write, per scanned page, a PNG with the detected rules, cells and
    /// matched fields drawn on it.
    #[arg(long, value_name = "DIR")]
    debug_dir: Option<PathBuf>,
    /// Benchmark only: read page images with the word boxes of
    /// DIR/<stem>.tsv (from `tesseract IMAGE STEM -l chi_sim tsv`).
    #[arg(long, value_name = "DIR", hide = true)]
    tesseract_tsv: Option<PathBuf>,
}

impl ReadArgs {
    /// The library's options from the flags.
    fn options(&self) -> Result<xxgk::Options> {
        #[cfg_attr(not(feature = "ocr"), allow(unused_mut))]
        let mut options = xxgk::Options {
            budget: Budget {
                max_bytes: self.max_bytes,
                max_pages: self.max_pages,
                max_page_pixels: self.max_pixels,
                max_doc_pixels: self.max_doc_pixels,
                max_inflate: self.max_inflate,
                max_lines: self.max_lines,
                timeout: match self.timeout {
                    0.0 => None,
                    t => Some(Duration::try_from_secs_f64(t).map_err(|_| {
                        anyhow::anyhow!("--timeout takes a number of seconds >= 0, not {t}")
                    })?),
                },
            },
            debug_dir: self.debug_dir.clone(),
            ..Default::default()
        };
        #[cfg(feature = "ocr")]
        {
            options.scan.params.tsv_dir = self.tesseract_tsv.clone();
        }
        Ok(options)
    }

    /// The flags again, for a worker process: `xxgk worker FLAGS`.
    fn worker_args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["worker".into()];
        let mut flag = |name: &str, value: OsString| {
            args.push(format!("--{name}").into());
            args.push(value);
        };
        flag("max-bytes", self.max_bytes.to_string().into());
        flag("max-pages", self.max_pages.to_string().into());
        flag("max-pixels", self.max_pixels.to_string().into());
        flag("max-doc-pixels", self.max_doc_pixels.to_string().into());
        flag("max-inflate", self.max_inflate.to_string().into());
        flag("max-lines", self.max_lines.to_string().into());
        flag("timeout", self.timeout.to_string().into());
        for (name, dir) in [
            ("models", &self.models),
            ("debug-dir", &self.debug_dir),
            ("tesseract-tsv", &self.tesseract_tsv),
        ] {
            if let Some(d) = dir {
                flag(name, absolute(d).into_os_string());
            }
        }
        args
    }

    fn templates(&self) -> Result<TemplateSet> {
        Self::templates_from(&self.models)
    }

    fn templates_from(models: &Option<PathBuf>) -> Result<TemplateSet> {
        Ok(match models {
            Some(d) => TemplateSet::load_dir(d)
                .with_context(|| format!("loading models from {}", d.display()))?,
            None => TemplateSet::builtin()?,
        })
    }
}

/// `xxgk review`, and `extract --review`: writes the page, says what it holds.
/// A decisions file (`--decisions`), parsed; none without one.
pub(crate) fn read_decisions(
    path: Option<&std::path::Path>,
) -> Result<Vec<xxgk::decisions::Entry>> {
    let Some(p) = path else { return Ok(Vec::new()) };
    std::fs::read_to_string(p)
        .map_err(anyhow::Error::from)
        .and_then(|t| xxgk::decisions::parse(&t).map_err(anyhow::Error::msg))
        .with_context(|| format!("reading decisions from {}", p.display()))
}

pub(crate) fn review(
    out_dir: &std::path::Path,
    templates: &TemplateSet,
    decisions: &[xxgk::decisions::Entry],
) -> Result<()> {
    if !out_dir.is_dir() {
        anyhow::bail!(
            "{}: not a folder (give the output folder of `xxgk extract -o`)",
            out_dir.display()
        );
    }
    let w = xxgk::review::write(out_dir, templates, decisions)
        .with_context(|| format!("writing the review page in {}", out_dir.display()))?;
    eprintln!(
        "xxgk: {}: {} review entries in {} reports ({} with a crop, {} with their line), {} overlays, {:.1} MB",
        out_dir.join("review.html").display(),
        w.entries,
        w.reports,
        w.crops,
        w.lines,
        w.overlays,
        w.bytes as f64 / 1e6
    );
    Ok(())
}

/// A path as the worker, started in the same folder, sees it the same.
fn absolute(p: &std::path::Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

#[derive(Subcommand, Debug)]
enum ModelsAction {
    /// Validate template files: unknown keys, duplicate ids, bad references.
    Check {
        /// Directory to check (default: the built-in models).
        dir: Option<PathBuf>,
    },
    /// The field dictionary: every field id with its Chinese table, row and
    /// column labels and the rules it takes part in (docs/fields.md).
    Fields(models::FieldsArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One JSON document per report.
    Json,
    /// One row per report: summary.csv's columns.
    Csv,
    /// One row per field of each report, with the Chinese labels (tidy data).
    Long,
    /// A workbook: reports under Chinese headers, the long form, review
    /// entries, findings across reports (needs -o FILE.xlsx or -o DIR).
    Xlsx,
}

/// `--version`: the build, the OCR libraries and the built-in templates
/// ([`xxgk::provenance`]); `-V` gives the crate version alone.
fn long_version() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| xxgk::provenance::Tool::current(&TemplateSet::builtin_hash()).describe())
}

pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Findings(args) => formats::findings_command(args),
        Command::Models { action: ModelsAction::Fields(args) } => models::fields(args),
        Command::Models { action: ModelsAction::Check { dir } } => {
            let set = match &dir {
                Some(d) => TemplateSet::load_dir(d)?,
                None => TemplateSet::builtin()?,
            };
            for ed in set.editions() {
                println!(
                    "edition {ed}: {} tables, {} fields",
                    set.edition_tables(ed).len(),
                    set.field_ids(ed).len()
                );
            }
            println!("models ok");
            Ok(0)
        }
        Command::Review { out_dir, models, decisions } => {
            let templates = ReadArgs::templates_from(&models)?;
            review(&out_dir, &templates, &read_decisions(decisions.as_deref())?)?;
            Ok(0)
        }
        Command::Extract(args) => {
            let templates = args.read.templates()?;
            extract::run(args, &templates)
        }
        Command::Worker { read, threads } => {
            extract::serve(&read.templates()?, &read.options()?, threads)?;
            Ok(0)
        }
    }
}
