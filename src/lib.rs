//! xxgk turns Chinese government information-disclosure annual reports
//! (政府信息公开工作年度报告) into verified, structured data.
//!
//! # Steps
//! 1. [`source`]: read the file, tell its kind, decode the text into lines of
//!    cells ([`source::text`]; HTML and DOCX through [`source::markup`];
//!    PDFs ([`source::pdf`]) and scans ([`source::scan`]) through the shared
//!    page [`layout`]; PDF pages whose text cannot be decoded are rendered
//!    and read as scans); [`batch`] runs it over folders.
//! 2. [`segment`]: find the six sections, the table regions, the title,
//!    organization and year.
//! 3. [`pipeline`]: decide the template edition (2019 or 2021).
//! 4. [`table`]: align each region's rows to the template ([`template`],
//!    loaded from `models/`), bind numbers to columns, list every reading.
//! 5. [`value`]: parse cell text into exact numbers ([`decimal`]).
//! 6. [`solve`]: apply the consistency rules: choose among readings, infer
//!    what they prove, report what fails.
//! 7. [`reread`], for scans (and OCR'd PDF pages): reread unsure cells and
//!    cells of failed rules; take another reading only when it alone makes
//!    every rule hold (`corrected`).
//! 8. [`verify`]: a verdict per value (confirmed by the rules, unconfirmed,
//!    or for review) and one review list of everything a person must check.
//! 9. [`report`]: JSON per report, CSV across a batch; [`review`]: the
//!    review page of an output folder, with crops and overlays.

pub mod batch;
pub mod budget;
pub mod csv;
pub mod decimal;
pub mod decisions;
pub mod dictionary;
pub mod doc;
pub mod error;
pub mod findings;
pub mod geom;
pub mod layout;
pub mod normalize;
pub mod pipeline;
pub mod process;
pub mod provenance;
pub mod report;
pub mod reread;
pub mod review;
pub mod segment;
pub mod solve;
pub mod source;
pub mod table;
pub mod template;
pub mod title;
pub mod value;
pub mod verify;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

pub use budget::Budget;
pub use error::{BatchError, DocumentError, TemplateError};
pub use findings::Report;
pub use template::TemplateSet;

/// Options for [`extract_file`].
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// What one input may take (bytes, pages, pixels, inflation, time).
    pub budget: Budget,
    /// How scans are read (pixel limit, preprocessing, OCR).
    pub scan: source::ScanOptions,
    /// Where to write the debug overlays of scanned pages, if anywhere.
    pub debug_dir: Option<PathBuf>,
}

/// Extracts one file, or a directory of page images as one report. Never
/// panics: a panic anywhere in reading the file becomes
/// [`DocumentError::Panic`].
pub fn extract_file(
    path: &Path,
    templates: &TemplateSet,
    options: &Options,
) -> Result<Report, DocumentError> {
    extract_pages(std::slice::from_ref(&path.to_path_buf()), templates, options)
}

/// Extracts one report from several page images (`NAME.p1.jpg`, …; see
/// [`source::group_inputs`]), or from one file when `paths` has one entry.
pub fn extract_pages(
    paths: &[PathBuf],
    templates: &TemplateSet,
    options: &Options,
) -> Result<Report, DocumentError> {
    catch_unwind(AssertUnwindSafe(|| {
        let document = match paths {
            [one] => source::load_with(one, &options.budget, &options.scan)?,
            many => source::load_pages(many, &options.budget, &options.scan)?,
        };
        finish(document, templates, options)
    }))
    .unwrap_or_else(|panic| Err(DocumentError::Panic(panic_message(&panic))))
}

#[cfg(feature = "ocr")]
fn finish(
    document: source::Document,
    templates: &TemplateSet,
    options: &Options,
) -> Result<Report, DocumentError> {
    let Some(scan) = document.scan else {
        return verified(pipeline::extract(&document.doc, document.info, templates), templates);
    };
    let name = Path::new(&document.info.path)
        .file_name()
        .map_or_else(|| "scan".to_string(), |n| n.to_string_lossy().to_string());
    let pdf = document.info.kind != "image";
    let report = pipeline::extract(&scan.doc, document.info, templates).map(|first| {
        let mut r = reread::reread(first, &scan.doc, &*scan, templates);
        source::scan::evidence::check_read(&mut r, &scan);
        r
    });
    let mut report = verified(report, templates);
    if let Some(dir) = &options.debug_dir {
        source::scan::debug::write(dir, &name, &scan, report.as_ref().ok()).map_err(|e| {
            DocumentError::Io(format!("writing debug images to {}: {e}", dir.display()))
        })?;
    }
    if let Ok(r) = &mut report {
        source::scan::geometry::to_input(r, &scan, pdf);
    }
    report
}

#[cfg(not(feature = "ocr"))]
fn finish(
    document: source::Document,
    templates: &TemplateSet,
    _: &Options,
) -> Result<Report, DocumentError> {
    verified(pipeline::extract(&document.doc, document.info, templates), templates)
}

/// The last stage: verdicts and the review list ([`verify`]), and the
/// provenance ([`provenance`]).
fn verified(
    report: Result<Report, DocumentError>,
    templates: &TemplateSet,
) -> Result<Report, DocumentError> {
    report.map(|mut r| {
        verify::verify(&mut r, templates);
        r.tool = Some(provenance::Tool::current(&templates.hash));
        r
    })
}

/// Extracts from a file's bytes already in memory, of any kind (`path` is
/// only recorded). Never panics, like [`extract_file`].
pub fn extract_bytes(
    bytes: &[u8],
    path: &str,
    templates: &TemplateSet,
) -> Result<Report, DocumentError> {
    catch_unwind(AssertUnwindSafe(|| {
        let options = Options::default();
        finish(source::read_with(bytes, path, &options.budget, &options.scan)?, templates, &options)
    }))
    .unwrap_or_else(|panic| Err(DocumentError::Panic(panic_message(&panic))))
}

/// Extracts from text already in memory (`path` is only recorded).
pub fn extract_str(
    text: &str,
    path: &str,
    templates: &TemplateSet,
) -> Result<Report, DocumentError> {
    catch_unwind(AssertUnwindSafe(|| {
        use sha2::Digest;
        let sha256 =
            sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        let info = findings::SourceInfo {
            path: path.to_string(),
            kind: "text",
            sha256,
            bytes: text.len() as u64,
        };
        verified(pipeline::extract_text(text, info, templates), templates)
    }))
    .unwrap_or_else(|panic| Err(DocumentError::Panic(panic_message(&panic))))
}

pub(crate) fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}
