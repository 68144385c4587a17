//! Command-line interface: arguments → runs of the library → files and exit
//! codes. Only this module prints.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};

use xxgk::report::{csv_header, csv_row, to_json};
use xxgk::{Options, Report, TemplateSet};

/// Turn 政府信息公开工作年度报告 into verified, structured data.
#[derive(Parser, Debug)]
#[command(name = "xxgk", version, after_help = "Exit status: 0 every report read and every rule holds; 1 finished, but some report has a failed rule or warnings; 2 some input could not be read, or the run failed.")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Extract the tables of one or more reports.
    Extract {
        /// Report files: text exports (.txt, .md; UTF-8, UTF-16 or GBK), HTML
        /// pages, DOCX files, page images (.png, .jpg, .tif; NAME.p1.jpg
        /// NAME.p2.jpg … are one report), image-only PDFs, or a directory of
        /// one report's page images. The kind is told by content, not by name.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format: one JSON document per report, or one CSV row per report.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        /// Output path. With one input (or --format csv): a file. With several
        /// inputs and JSON: a directory, one <name>.json per input.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Load templates from this directory instead of the built-in ones.
        #[arg(long)]
        models: Option<PathBuf>,
        /// Refuse inputs larger than this many bytes.
        #[arg(long, default_value_t = xxgk::source::DEFAULT_MAX_BYTES)]
        max_bytes: u64,
        /// Refuse images with more pixels than this (decompression bombs).
        #[arg(long, default_value_t = 20_000 * 20_000)]
        max_pixels: u64,
        /// Write, per scanned page, a PNG with the detected rules, cells and
        /// matched fields drawn on it.
        #[arg(long, value_name = "DIR")]
        debug_dir: Option<PathBuf>,
        /// Benchmark only: read page images with the word boxes of
        /// DIR/<stem>.tsv (from `tesseract IMAGE STEM -l chi_sim tsv`).
        #[arg(long, value_name = "DIR", hide = true)]
        tesseract_tsv: Option<PathBuf>,
    },
    /// Work with the template files.
    Models {
        #[command(subcommand)]
        action: ModelsAction,
    },
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
                println!("edition {ed}: {} tables, {} fields", set.edition_tables(ed).len(), set.field_ids(ed).len());
            }
            println!("models ok");
            Ok(0)
        }
        Command::Extract { files, format, output, models, max_bytes, max_pixels, debug_dir, tesseract_tsv } => {
            let templates = match &models {
                Some(d) => TemplateSet::load_dir(d).with_context(|| format!("loading models from {}", d.display()))?,
                None => TemplateSet::builtin()?,
            };
            let mut options = Options { max_bytes, debug_dir, ..Options::default() };
            scan_options(&mut options, max_pixels, tesseract_tsv);
            extract(&files, format, output.as_deref(), &templates, &options)
        }
    }
}

#[cfg(feature = "ocr")]
fn scan_options(options: &mut Options, max_pixels: u64, tsv: Option<PathBuf>) {
    options.scan.params.limits.max_pixels = max_pixels;
    options.scan.params.tsv_dir = tsv;
}

#[cfg(not(feature = "ocr"))]
fn scan_options(_: &mut Options, _: u64, _: Option<PathBuf>) {}

fn extract(inputs: &[PathBuf], format: Format, output: Option<&Path>, templates: &TemplateSet, options: &Options) -> Result<u8> {
    let mut code = 0u8;
    let mut outcomes: Vec<(String, Result<Report, String>)> = Vec::new();
    // Page images named NAME.p1.jpg, NAME.p2.jpg, … are one report.
    let groups = xxgk::source::group_inputs(inputs);
    let files: Vec<PathBuf> = groups.iter().map(|g| if g.len() == 1 { g[0].clone() } else { xxgk::source::scan_report_name(g) }).collect();
    for (group, path) in groups.iter().zip(&files) {
        let shown = path.display().to_string();
        match xxgk::extract_pages(group, templates, options) {
            Ok(report) => {
                if report.failed_rules() > 0 || !report.warnings.is_empty() {
                    code = code.max(1);
                }
                outcomes.push((shown, Ok(report)));
            }
            Err(e) => {
                eprintln!("xxgk: {shown}: {e}");
                code = 2;
                outcomes.push((shown, Err(e.to_string())));
            }
        }
    }
    match format {
        Format::Csv => {
            let editions: Vec<&str> = templates.editions().into_iter().filter(|e| outcomes.iter().any(|(_, o)| o.as_ref().is_ok_and(|r| r.edition == *e))).collect();
            let mut columns: Vec<String> = Vec::new();
            for ed in editions {
                for id in templates.field_ids(ed) {
                    if !columns.contains(&id) {
                        columns.push(id);
                    }
                }
            }
            let mut text = csv_header(&columns) + "\n";
            for (path, o) in &outcomes {
                text += &csv_row(&columns, o.as_ref().map_err(|e| (path.as_str(), e.as_str())));
                text.push('\n');
            }
            write_out(output, text.as_bytes())?;
        }
        Format::Json => {
            let reports: Vec<(&String, &Report)> = outcomes.iter().filter_map(|(p, o)| o.as_ref().ok().map(|r| (p, r))).collect();
            if files.len() == 1 || output.is_none() {
                let value = if files.len() == 1 {
                    reports.first().map(|(_, r)| to_json(r))
                } else {
                    Some(serde_json::Value::Array(reports.iter().map(|(_, r)| to_json(r)).collect()))
                };
                if let Some(v) = value {
                    write_out(output, (serde_json::to_string_pretty(&v)? + "\n").as_bytes())?;
                }
            } else if let Some(dir) = output {
                std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
                for (path, r) in reports {
                    let stem = Path::new(path).file_stem().map_or("report".into(), |s| s.to_string_lossy().to_string());
                    write_out(Some(&dir.join(format!("{stem}.json"))), (serde_json::to_string_pretty(&to_json(r))? + "\n").as_bytes())?;
                }
            }
        }
    }
    Ok(code)
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
            let tmp = p.with_extension(format!("{}.tmp{}", p.extension().map_or(String::new(), |e| e.to_string_lossy().to_string()), std::process::id()));
            std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
            std::fs::rename(&tmp, p).with_context(|| format!("renaming {} to {}", tmp.display(), p.display()))?;
            Ok(())
        }
    }
}
