//! Errors a user can act on. A finding about a table is not an error (see
//! `findings::Warning`); these are reasons a file gives no report at all.

use thiserror::Error;

/// Why one input file could not be turned into a report. The message names
/// the reason; the CLI prefixes the file name.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DocumentError {
    #[error("cannot read the file: {0}")]
    Io(String),
    #[error("the file is empty")]
    Empty,
    #[error("the file is too large ({size} bytes; the limit is {limit} bytes)")]
    TooLarge { size: u64, limit: u64 },
    /// Read through the limit: the size the file reported was smaller.
    #[error("the file is larger than the limit of {limit} bytes (more than the size it reported)")]
    GrewTooLarge { limit: u64 },
    #[error("not a regular file ({0}): only files and folders are read")]
    NotAFile(&'static str),
    #[error("the document has more than {limit} pages; that is not one annual report")]
    TooManyPages { limit: usize },
    /// Lines of a text export, tags of a web page.
    #[error("the document has more than {limit} {what}; that is not one annual report")]
    TooManyLines { what: &'static str, limit: u64 },
    #[error("{what}, above the limit of {limit} pixels per {per} (a decompression bomb, or a scan at an absurd resolution)")]
    TooManyPixels { what: String, limit: u64, per: &'static str },
    #[error("refusing to decompress {what}: it is larger than {limit} bytes uncompressed (a guard against decompression bombs)")]
    Inflate { what: String, limit: u64 },
    #[error("{0} files are not supported yet; convert the report to text first")]
    Unsupported(&'static str),
    #[error("an old Office binary file (Word 97-2003 .doc, or .wps): convert it to DOCX first, e.g. `libreoffice --headless --convert-to docx FILE`")]
    WordBinary,
    #[error("not a readable DOCX: the ZIP archive is broken ({0})")]
    BadZip(String),
    #[error("a ZIP archive without word/document.xml: not a DOCX file")]
    NotDocx,
    #[error("broken DOCX: {part} is not well-formed XML ({message})")]
    BadXml { part: String, message: String },
    #[error("refusing to unpack {part}: it is larger than {limit} bytes uncompressed (a guard against ZIP bombs)")]
    PartTooLarge { part: String, limit: u64 },
    #[error("the file is not text in a known encoding (tried UTF-8, UTF-16 and GB18030)")]
    NotText,
    #[error(
        "no Chinese text found: this does not look like a government information-disclosure report"
    )]
    NotChinese,
    #[error("not an annual report: none of the report tables (主动公开, 依申请公开, 行政复议) were found")]
    NotAReport,
    #[error("a pre-2019 report in the old free format (legacy): it has none of the 2019/2021 template tables")]
    Legacy,
    #[error("the PDF is damaged and cannot be read ({0})")]
    PdfDamaged(String),
    #[error("the PDF is truncated (it ends before its trailer); download it again")]
    PdfTruncated,
    #[error("the PDF is encrypted with a password that is needed to open it")]
    PdfPassword,
    #[error("the PDF is encrypted (no password needed to open it); encrypted PDFs are not read yet: save a decrypted copy (e.g. qpdf --decrypt in.pdf out.pdf)")]
    PdfEncrypted,
    #[error("the PDF has no pages")]
    PdfNoPages,
    #[error("the PDF has no text layer{}; OCR is needed, which is not supported yet", if *.images { " (its pages are scanned images)" } else { "" })]
    PdfNoText { images: bool },
    #[error("the text of page {0} cannot be decoded (a font without a usable Unicode mapping); OCR is needed for that page")]
    PdfUndecodable(String),
    /// Pages that only OCR can read, and no `pdftoppm` to render them.
    #[error("{}", needs_renderer(pages, why))]
    PdfNeedsRenderer { pages: String, why: String },
    /// A scanned page could not be decoded or read (the message says why).
    #[error("{0}")]
    Scan(String),
    #[error("internal error while reading the file: {0}")]
    Panic(String),
}

impl DocumentError {
    /// Where in the pipeline the file failed, for `errors.csv`: `read` (the
    /// bytes could not be turned into a document), `classify` (a document,
    /// but not a report we read), `extract` (a failure while extracting).
    /// Exhaustive on purpose: a new variant must say its stage.
    pub fn stage(&self) -> &'static str {
        match self {
            DocumentError::Io(_)
            | DocumentError::Empty
            | DocumentError::TooLarge { .. }
            | DocumentError::GrewTooLarge { .. }
            | DocumentError::NotAFile(_)
            | DocumentError::TooManyPages { .. }
            | DocumentError::TooManyLines { .. }
            | DocumentError::TooManyPixels { .. }
            | DocumentError::Inflate { .. }
            | DocumentError::Unsupported(_)
            | DocumentError::NotText
            | DocumentError::WordBinary
            | DocumentError::BadZip(_)
            | DocumentError::NotDocx
            | DocumentError::BadXml { .. }
            | DocumentError::PartTooLarge { .. }
            | DocumentError::PdfDamaged(_)
            | DocumentError::PdfTruncated
            | DocumentError::PdfPassword
            | DocumentError::PdfEncrypted
            | DocumentError::PdfNoPages
            | DocumentError::PdfNoText { .. }
            | DocumentError::PdfUndecodable(_)
            | DocumentError::PdfNeedsRenderer { .. }
            | DocumentError::Scan(_) => "read",
            DocumentError::NotChinese | DocumentError::NotAReport | DocumentError::Legacy => {
                "classify"
            }
            DocumentError::Panic(_) => "extract",
        }
    }
}

fn needs_renderer(pages: &str, why: &str) -> String {
    let (noun, verb, it) =
        if pages.contains(',') { ("pages", "need", "them") } else { ("page", "needs", "it") };
    format!("{noun} {pages} {verb} OCR ({why}), which needs pdftoppm to render {it}: install poppler-utils")
}

/// A problem in the model files; lists every problem found.
#[derive(Debug, Error)]
pub enum TemplateError {
    #[error("cannot read {path}: {message}")]
    Io { path: String, message: String },
    #[error("invalid model files:\n{}", .0.join("\n"))]
    Invalid(Vec<String>),
}

/// Why a batch run as a whole could not go on (exit status 2). A bad input
/// is never this: it is that input's failure, and the run continues.
#[derive(Debug, Error)]
pub enum BatchError {
    #[error("cannot write {path}: {message}")]
    Write { path: String, message: String },
    #[error("cannot start the worker threads: {0}")]
    Pool(String),
    #[error("another xxgk run is writing into {dir}; wait for it to finish, or give another output folder")]
    Locked { dir: String },
}
