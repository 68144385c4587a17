//! The outputs beyond one JSON per report: findings across reports
//! (`findings.csv`, and `findings` in each report concerned), the long
//! CSV, and `xxgk findings DIR` for an output folder filled by shards.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use xxgk::batch::derived::write_streamed;
use xxgk::batch::findings::{find, findings_csv, refresh_folder, Finding};
use xxgk::batch::workbook::workbook;
use xxgk::batch::Summary;
use xxgk::dictionary::Labels;
use xxgk::error::BatchError;
use xxgk::report::long::{long_rows, LONG_COLUMNS};
use xxgk::report::{csv_line, UTF8_BOM};
use xxgk::TemplateSet;

use super::{ExtractArgs, Format};

/// After a batch into `dir`: findings (not per shard: they need every
/// report; `xxgk findings DIR` makes them once the shards are done), then
/// what the format adds. Returns lines for the end-of-run summary.
pub fn folder(
    summary: &mut Summary,
    dir: &Path,
    args: &ExtractArgs,
    templates: &TemplateSet,
) -> Result<Vec<String>> {
    let bom = if args.excel { UTF8_BOM } else { "" };
    let mut lines = Vec::new();
    let suffix = args.shard.map_or(String::new(), |s| format!(".shard-{}-of-{}", s.index, s.count));
    let findings = match args.shard {
        None => {
            let findings = attach_findings(summary, templates)?;
            write_findings(dir, &findings, bom)?;
            lines.push(findings_line(&findings));
            findings
        }
        Some(_) => {
            lines.push(
                "findings across reports need every report: run `xxgk findings DIR` when all shards are done"
                    .into(),
            );
            Vec::new()
        }
    };
    match args.format {
        Format::Long => {
            let path = dir.join(format!("long{suffix}.csv"));
            write_streamed(&path, |w| write_long(summary, templates, bom, w))?;
        }
        Format::Xlsx => {
            let path = dir.join(format!("summary{suffix}.xlsx"));
            let bytes = workbook(summary, templates, &findings)?;
            xxgk::batch::output::write_atomic(&path, &bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Format::Json | Format::Csv => {}
    }
    Ok(lines)
}

fn findings_line(findings: &[Finding]) -> String {
    let concerned: std::collections::BTreeSet<&str> =
        findings.iter().flat_map(|f| [f.file.as_str(), f.other_file.as_str()]).collect();
    format!(
        "{} findings across reports (findings.csv), about {} reports",
        findings.len(),
        concerned.len()
    )
}

fn write_findings(dir: &Path, findings: &[Finding], bom: &str) -> Result<()> {
    let path = dir.join("findings.csv");
    let text = bom.to_string() + &findings_csv(findings);
    xxgk::batch::output::write_atomic(&path, text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Findings over the run's reports, written into each report concerned.
pub fn attach_findings(summary: &mut Summary, templates: &TemplateSet) -> Result<Vec<Finding>> {
    let entries = summary.finding_entries();
    let findings = find(&entries, templates);
    summary.attach_findings(&entries, &findings)?;
    Ok(findings)
}

fn write_long(
    summary: &Summary,
    templates: &TemplateSet,
    bom: &str,
    w: &mut dyn Write,
) -> Result<(), BatchError> {
    let labels = Labels::new(templates);
    let error =
        |e: std::io::Error| BatchError::Write { path: "long.csv".into(), message: e.to_string() };
    writeln!(w, "{bom}{}", csv_line(LONG_COLUMNS)).map_err(error)?;
    summary.each_report(|file, report| {
        for row in long_rows(file, report, &labels) {
            writeln!(w, "{}", csv_line(&row)).map_err(error)?;
        }
        Ok(())
    })
}

/// The long CSV of a run without an output folder.
pub fn long_csv(summary: &Summary, templates: &TemplateSet, bom: &str) -> Result<String> {
    let mut bytes = Vec::new();
    write_long(summary, templates, bom, &mut bytes)?;
    Ok(String::from_utf8(bytes)?)
}

/// `xxgk findings`, as typed.
#[derive(clap::Args, Debug)]
pub struct FindingsArgs {
    /// An output folder of `xxgk extract -o DIR` (of all its shards).
    dir: PathBuf,
    /// The templates the reports were made with (default: built in).
    #[arg(long)]
    models: Option<PathBuf>,
    /// Start findings.csv with a UTF-8 byte-order mark, for Excel.
    #[arg(long)]
    excel: bool,
}

pub fn findings_command(args: FindingsArgs) -> Result<u8> {
    let templates = match &args.models {
        Some(d) => TemplateSet::load_dir(d)?,
        None => TemplateSet::builtin()?,
    };
    let (findings, reports) = refresh_folder(&args.dir, &templates)?;
    write_findings(&args.dir, &findings, if args.excel { UTF8_BOM } else { "" })?;
    let _ = writeln!(std::io::stderr(), "xxgk: {reports} reports; {}", findings_line(&findings));
    Ok(0)
}
