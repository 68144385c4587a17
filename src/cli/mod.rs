//! Command-line interface: arguments → runs of the library → files and exit
//! codes. Only this module prints.

mod extract;

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};

use xxgk::batch::Shard;
use xxgk::TemplateSet;

/// The exit-status paragraph of `--help`, shared by the top level and
/// `extract` (a macro, since `concat!` takes only literals).
macro_rules! exit_status_help {
    () => {
        "Exit status:
  0  every input read and every rule holds
  1  finished, but some report has a failed rule or warnings
  2  some input could not be read (one line each on stderr: `xxgk: FILE: reason`;
     the other inputs are still processed), or the run itself failed"
    };
}
pub(crate) use exit_status_help;

/// Turn 政府信息公开工作年度报告 into verified, structured data.
#[derive(Parser, Debug)]
#[command(name = "xxgk", version, after_help = exit_status_help!())]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Extract the tables of reports: one file, several, or whole folders.
    #[command(after_help = extract::AFTER_HELP)]
    Extract(ExtractArgs),
    /// Work with the template files.
    Models {
        #[command(subcommand)]
        action: ModelsAction,
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
    /// Output format: one JSON document per report, or one CSV row per report.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Output path. One input file: the JSON file to write. A folder or
    /// several inputs (or an existing folder here): the output folder, with
    /// one JSON per input mirroring the input tree (a/r.txt → a/r.txt.json),
    /// summary.csv and errors.csv. With --format csv: the CSV file.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Load templates from this directory instead of the built-in ones.
    #[arg(long)]
    models: Option<PathBuf>,
    /// Refuse inputs larger than this many bytes (bounds memory per file).
    #[arg(long, value_name = "BYTES", default_value_t = xxgk::source::DEFAULT_MAX_BYTES)]
    max_bytes: u64,
    /// Refuse images with more pixels than this (decompression bombs).
    #[arg(long, value_name = "PIXELS", default_value_t = 20_000 * 20_000)]
    max_pixels: u64,
    /// Write, per scanned page, a PNG with the detected rules, cells and
    /// matched fields drawn on it.
    #[arg(long, value_name = "DIR")]
    debug_dir: Option<PathBuf>,
    /// Benchmark only: read page images with the word boxes of
    /// DIR/<stem>.tsv (from `tesseract IMAGE STEM -l chi_sim tsv`).
    #[arg(long, value_name = "DIR", hide = true)]
    tesseract_tsv: Option<PathBuf>,
    /// In folders, page images named by a counter (IMG_1000.jpg …,
    /// scan0001.tif …) are grouped into reports where a page shows a
    /// report's title or first section; with this, every N of them instead.
    /// Pages named NAME.p1.jpg, NAME.p2.jpg… are always one report.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pages_per_report: Option<u64>,
    /// Worker threads [default: one per core]. Outputs are the same for any value.
    #[arg(short, long, value_name = "N")]
    jobs: Option<usize>,
    /// Give up on an input after this many seconds (0: no limit). Its worker
    /// thread cannot be stopped and is abandoned; the batch goes on.
    #[arg(long, value_name = "SECS", default_value_t = 120.0)]
    timeout: f64,
    /// Redo inputs whose output JSON is already there from the same bytes.
    #[arg(long)]
    force: bool,
    /// Process only the inputs of shard K of N (0 <= K < N), chosen by a
    /// stable hash of each input's relative path.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// No progress bar and no summary; errors are still printed.
    #[arg(short, long)]
    quiet: bool,
    /// Also name each input skipped as already done, and each file in the
    /// folders that was not taken as an input.
    #[arg(short, long, conflicts_with = "quiet")]
    verbose: bool,
}

impl ExtractArgs {
    /// The library's options from the flags.
    fn options(&self) -> xxgk::Options {
        #[cfg_attr(not(feature = "ocr"), allow(unused_mut))]
        let mut options = xxgk::Options {
            max_bytes: self.max_bytes,
            debug_dir: self.debug_dir.clone(),
            ..Default::default()
        };
        #[cfg(feature = "ocr")]
        {
            options.scan.params.limits.max_pixels = self.max_pixels;
            options.scan.params.tsv_dir = self.tesseract_tsv.clone();
        }
        options
    }

    /// How page images in folders are grouped into reports.
    fn grouping(&self, templates: &TemplateSet) -> xxgk::batch::Grouping {
        let first_section = templates.sections.first().map(|s| s.cores.clone()).unwrap_or_default();
        xxgk::batch::Grouping {
            pages: xxgk::source::PageGrouping {
                pages_per_report: self.pages_per_report.map(|n| n as usize),
                first_section,
            },
            scan: self.options().scan,
        }
    }
}

#[derive(Subcommand, Debug)]
enum ModelsAction {
    /// Validate template files: unknown keys, duplicate ids, bad references.
    Check {
        /// Directory to check (default: the built-in models).
        dir: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Json,
    Csv,
}

pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
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
        Command::Extract(args) => {
            let templates = match &args.models {
                Some(d) => TemplateSet::load_dir(d)
                    .with_context(|| format!("loading models from {}", d.display()))?,
                None => TemplateSet::builtin()?,
            };
            extract::run(args, &templates)
        }
    }
}
