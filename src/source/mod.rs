//! Source: read an input file, tell its kind by content, and decode text.
//!
//! In: a path. Out: a [`Document`]: [`SourceInfo`] and the content as a
//! [`TextDoc`] (lines of cells with row breaks), which is what every reader
//! produces so that one pipeline serves every input kind. A reader of
//! markup or pages emits one line per table row with one cell per grid
//! column (merged cells: the text in the first slot, empty cells for the
//! rest, so that positions line up with the header), `row_end` set, and each
//! cell's [`crate::doc::Loc`]; paragraphs become one-cell lines ([`markup`] does
//! this for HTML and DOCX; `scan` for page images and image-only PDFs,
//! through [`crate::layout`]). Kinds without a reader yet are recognized by
//! their bytes and refused with a clear reason.

mod boxes;
pub mod docx;
pub mod evidence;
pub mod html;
pub mod markup;
pub mod pdf;
#[cfg(feature = "ocr")]
pub mod scan;
pub mod text;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::budget::Budget;
use crate::doc::TextDoc;
use crate::error::DocumentError;
use crate::findings::SourceInfo;

/// A loaded input: where it came from and what it says.
#[derive(Clone, Debug)]
pub struct Document {
    pub info: SourceInfo,
    pub doc: TextDoc,
    /// For scans: the page images, cells and OCR readings behind `doc`, for
    /// the rule-guided rereading and the debug view.
    #[cfg(feature = "ocr")]
    pub scan: Option<Box<scan::ScanDoc>>,
    #[cfg(not(feature = "ocr"))]
    pub scan: Option<()>,
}

/// Inputs larger than this are refused (see [`Budget::max_bytes`]).
pub const DEFAULT_MAX_BYTES: u64 = crate::budget::DEFAULT_MAX_BYTES;

/// What the first bytes say the file is.
pub fn sniff(bytes: &[u8]) -> &'static str {
    let head = &bytes[..bytes.len().min(1024)];
    let starts = |m: &[u8]| head.starts_with(m);
    if starts(b"%PDF") || head.windows(5).any(|w| w == b"%PDF-") {
        "pdf"
    } else if starts(b"\x89PNG")
        || starts(b"\xff\xd8\xff")
        || starts(b"II*\0")
        || starts(b"MM\0*")
        || starts(b"GIF8")
        || starts(b"BM")
    {
        "image"
    } else if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        "zip"
    } else if starts(b"\xd0\xcf\x11\xe0") {
        "doc"
    } else {
        let lower: String = match encoding_rs::Encoding::for_bom(head) {
            Some((enc, bom)) => enc.decode_without_bom_handling(&head[bom..]).0.to_lowercase(),
            None => String::from_utf8_lossy(head).to_lowercase(),
        };
        // A saved fragment has no <html>: it starts with a tag of the body.
        let fragment = lower
            .trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n'])
            .starts_with('<')
            && ["<body", "<div", "<p>", "<p ", "<meta", "<head"].iter().any(|t| lower.contains(t));
        if fragment
            || lower.contains("<html")
            || lower.contains("<!doctype html")
            || lower.contains("<table")
        {
            "html"
        } else {
            "text"
        }
    }
}

/// Decodes text: BOM first, then UTF-8, then GB18030 (a superset of GBK).
pub fn decode(bytes: &[u8]) -> Result<String, DocumentError> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom..]);
        return if had_errors { Err(DocumentError::NotText) } else { Ok(text.into_owned()) };
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => unmangle_latin1(t).unwrap_or_else(|| t.to_string()),
        Err(_) => {
            let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err(DocumentError::NotText);
            }
            text.into_owned()
        }
    };
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    if controls * 100 > text.chars().count().max(1) {
        return Err(DocumentError::NotText);
    }
    Ok(text)
}

/// GBK text that a tool decoded as Latin-1 and wrote out as UTF-8 (`lynx
/// -dump` of a page that does not declare its charset: `Ë³µÂÇø` for
/// 顺德区), decoded again as GBK; None when `text` is not such text.
///
/// Such text has no CJK character and its other characters are all in
/// U+00A0..U+00FF. The tool may have dropped bytes it took for controls
/// (0x80..0x9F), so a byte that cannot start a pair becomes `?`: a lost
/// byte garbles a character or two of a label, never a digit (a lead byte
/// followed by a digit would otherwise start a GB18030 four-byte sequence
/// and swallow it).
fn unmangle_latin1(text: &str) -> Option<String> {
    let high = text.chars().filter(|c| !c.is_ascii()).count();
    if high < 16 || text.chars().any(|c| !c.is_ascii() && !('\u{a0}'..='\u{ff}').contains(&c)) {
        return None;
    }
    let raw: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
    let mut bytes = Vec::with_capacity(raw.len());
    let (mut i, mut high_pairs) = (0, 0);
    while i < raw.len() {
        let b = raw[i];
        if b.is_ascii() {
            bytes.push(b);
            i += 1;
        } else if raw.get(i + 1).is_some_and(|&t| t >= 0x40 && t != 0x7f) && b != 0xff {
            high_pairs += usize::from(raw[i + 1] >= 0xa1);
            bytes.extend_from_slice(&raw[i..i + 2]);
            i += 2;
        } else {
            bytes.push(b'?');
            i += 1;
        }
    }
    // Chinese in GBK is pairs of high bytes (GB2312: A1..F7, A1..FE); real
    // Latin-1 text (French, say) has its accented letters between ASCII.
    if high_pairs * 2 * 10 < high * 8 {
        return None;
    }
    let (decoded, _, _) = encoding_rs::GB18030.decode(&bytes);
    let cjk = decoded.chars().filter(|&c| crate::value::is_cjk(c)).count();
    (cjk * 2 * 10 >= high * 8).then(|| decoded.into_owned())
}

/// Reads a file into a [`Document`].
pub fn load(path: &Path, budget: &Budget) -> Result<Document, DocumentError> {
    load_with(path, budget, &ScanOptions::default())
}

/// How scanned inputs are read (only used for images and image-only PDFs).
#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    #[cfg(feature = "ocr")]
    pub params: scan::ScanParams,
}

/// [`load`] with the scan reader's options.
pub fn load_with(
    path: &Path,
    budget: &Budget,
    scan: &ScanOptions,
) -> Result<Document, DocumentError> {
    // `metadata` follows links without opening anything, so a FIFO is not
    // opened here; `read_input` checks again on the file it opens.
    let meta = std::fs::metadata(path).map_err(|e| DocumentError::Io(e.to_string()))?;
    if meta.is_dir() {
        return load_pages(&[path.to_path_buf()], budget, scan);
    }
    let bytes = read_input(path, budget.max_bytes)?;
    read_with(&bytes, &path.display().to_string(), budget, scan)
}

/// Opens an input for reading; only a regular file is read. A FIFO would
/// block the open and then every read until a writer comes, a device such
/// as `/dev/zero` never ends, so they are refused before a byte is read. The
/// open itself does not block (`O_NONBLOCK`), and the type is checked on
/// the file opened, so nothing can be swapped in between.
pub fn open_input(path: &Path) -> Result<std::fs::File, DocumentError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| DocumentError::Io(e.to_string()))?;
    let kind = file.metadata().map_err(|e| DocumentError::Io(e.to_string()))?.file_type();
    if kind.is_file() {
        return Ok(file);
    }
    Err(DocumentError::NotAFile(file_kind(&kind)))
}

/// What a file that is not a regular file is, in words.
fn file_kind(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a folder"
    } else {
        "not a file"
    }
}

/// An input's bytes, at most `limit` of them. The limit is enforced by
/// reading, not only by the reported size: a file that grows, or reports no
/// size, is cut at `limit` + 1 bytes and refused.
pub fn read_input(path: &Path, limit: u64) -> Result<Vec<u8>, DocumentError> {
    use std::io::Read;
    let file = open_input(path)?;
    let size = file.metadata().map_err(|e| DocumentError::Io(e.to_string()))?.len();
    if size > limit {
        return Err(DocumentError::TooLarge { size, limit });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| DocumentError::Io(e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(DocumentError::GrewTooLarge { limit });
    }
    Ok(bytes)
}

/// The first `n` bytes of an input (fewer when it is shorter), with the
/// checks of [`open_input`].
pub fn read_head(path: &Path, n: u64) -> Result<Vec<u8>, DocumentError> {
    use std::io::Read;
    let mut head = Vec::with_capacity(n as usize);
    open_input(path)?
        .take(n)
        .read_to_end(&mut head)
        .map_err(|e| DocumentError::Io(e.to_string()))?;
    Ok(head)
}

/// Reads a document from bytes already in memory; `path` is only recorded.
pub fn read(bytes: &[u8], path: &str) -> Result<Document, DocumentError> {
    read_with(bytes, path, &Budget::default(), &ScanOptions::default())
}

/// [`read`] with a budget and the scan reader's options.
pub fn read_with(
    bytes: &[u8],
    path: &str,
    budget: &Budget,
    scan: &ScanOptions,
) -> Result<Document, DocumentError> {
    if bytes.len() as u64 > budget.max_bytes {
        return Err(DocumentError::TooLarge { size: bytes.len() as u64, limit: budget.max_bytes });
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(DocumentError::Empty);
    }
    let kind = sniff(bytes);
    let sha256 = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    // The only ZIP we read is a DOCX; say what it was.
    let shown = if kind == "zip" { "docx" } else { kind };
    let info =
        SourceInfo { path: path.to_string(), kind: shown, sha256, bytes: bytes.len() as u64 };
    match kind {
        "image" => read_scan(info, bytes, budget, scan),
        #[cfg(feature = "ocr")]
        "pdf" => read_pdf(info, bytes, budget, scan),
        _ => Ok(Document { info, doc: read_bytes(kind, bytes, budget)?, scan: None }),
    }
}

/// Several page images as one report (see [`group_inputs`]): the files in
/// the order given, or the images of a directory.
pub fn load_pages(
    paths: &[PathBuf],
    budget: &Budget,
    scan: &ScanOptions,
) -> Result<Document, DocumentError> {
    let files: Vec<PathBuf> = if paths.len() == 1 && paths[0].is_dir() {
        group_inputs(paths).into_iter().next().unwrap_or_default()
    } else {
        paths.to_vec()
    };
    if files.is_empty() {
        return Err(DocumentError::Io("no page images (.png, .jpg, .tif) in the directory".into()));
    }
    if files.len() > budget.max_pages {
        return Err(DocumentError::TooManyPages { limit: budget.max_pages });
    }
    let name = if paths.len() == 1 {
        paths[0].display().to_string()
    } else {
        scan_report_name(paths).display().to_string()
    };
    read_scan_files(&files, name, budget, scan)
}

/// The name a group of page images is reported under: `NAME` for
/// `NAME.p1.jpg`, `NAME.p2.jpg`, …; `FIRST-LAST` for pages named by a
/// counter (`IMG_1000-IMG_1002` for IMG_1000.jpg … IMG_1002.jpg); the
/// file for one.
pub fn scan_report_name(group: &[PathBuf]) -> PathBuf {
    let stem = |f: &PathBuf| f.file_stem().map(|s| s.to_string_lossy().to_string());
    match group {
        [] => PathBuf::new(),
        [first, .., last] if scan_page_stem(first).is_none() => match (stem(first), stem(last)) {
            (Some(a), Some(b)) => first.with_file_name(format!("{a}-{b}")),
            _ => first.clone(),
        },
        [first, ..] => scan_page_stem(first).map_or_else(|| first.clone(), PathBuf::from),
    }
}

#[cfg(feature = "ocr")]
fn scan_page_stem(f: &Path) -> Option<String> {
    scan::page_of(f).map(|(stem, _)| stem)
}

#[cfg(not(feature = "ocr"))]
fn scan_page_stem(_: &Path) -> Option<String> {
    None
}

/// Groups inputs into reports: `NAME.p1.jpg`, `NAME.p2.jpg`, … are the pages
/// of one report; a directory is one report; other files stand alone.
pub fn group_inputs(files: &[PathBuf]) -> Vec<Vec<PathBuf>> {
    #[cfg(feature = "ocr")]
    return scan::group_inputs(files);
    #[cfg(not(feature = "ocr"))]
    files.iter().map(|f| vec![f.clone()]).collect()
}

/// How the page images of a batch folder named by a counter (`IMG_1000.jpg`
/// …, `scan0001.tif` …; not `NAME.pN`) are grouped into reports.
#[derive(Clone, Debug, Default)]
pub struct PageGrouping {
    /// `--pages-per-report N`: every N pages of a run are one report.
    pub pages_per_report: Option<usize>,
    /// The first section's heading labels (normalized, as in
    /// `TemplateSet::sections`): a page showing one may start a report.
    pub first_section: Vec<String>,
}

/// `groups` (as [`group_inputs`] made them, in walk order) with each run of
/// counter-named page images among the single files (see
/// `scan::counter_runs`) cut into reports: every `pages_per_report` pages,
/// or where a page starts a report by its content (a title naming
/// 政府信息公开…年度报告, or the first section's heading; see `scan::head`).
/// A run's reports stand where its first page stood.
pub fn group_counter_runs(
    groups: Vec<Vec<PathBuf>>,
    grouping: &PageGrouping,
    scan: &ScanOptions,
    budget: &Budget,
) -> Vec<Vec<PathBuf>> {
    #[cfg(feature = "ocr")]
    return scan::group_counter_runs(groups, grouping, &scan.params, budget);
    #[cfg(not(feature = "ocr"))]
    {
        let _ = (grouping, scan, budget);
        groups
    }
}

/// A PDF, parsed once ([`pdf::load`] says why one does not load), its
/// pages routed by [`pdf::route`]: an image-only one is read as a scan; a
/// text one by its text layer, with the pages only OCR can read read as
/// scans among them.
#[cfg(feature = "ocr")]
fn read_pdf(
    info: SourceInfo,
    bytes: &[u8],
    budget: &Budget,
    opts: &ScanOptions,
) -> Result<Document, DocumentError> {
    let doc = pdf::load(bytes, budget)?;
    let (kind, read) = match pdf::route::pages(&doc, bytes, budget)? {
        pdf::route::PdfPages::Text(pages) => {
            return Ok(Document { info, doc: crate::layout::pages_to_doc(&pages), scan: None })
        }
        pdf::route::PdfPages::Scan(images) => {
            ("scanned-pdf", scan::read_pages(images, &opts.params)?)
        }
        pdf::route::PdfPages::Mixed { text, images } => {
            ("pdf-ocr", scan::read_among_text(text, images, &opts.params)?)
        }
    };
    let info = SourceInfo { kind, ..info };
    Ok(Document { info, doc: read.doc.clone(), scan: Some(Box::new(read)) })
}

#[cfg(feature = "ocr")]
fn read_scan(
    info: SourceInfo,
    bytes: &[u8],
    budget: &Budget,
    opts: &ScanOptions,
) -> Result<Document, DocumentError> {
    let read = scan::read_bytes(bytes, budget, &opts.params)?;
    Ok(Document { info, doc: read.doc.clone(), scan: Some(Box::new(read)) })
}

#[cfg(not(feature = "ocr"))]
fn read_scan(
    _: SourceInfo,
    _: &[u8],
    _: &Budget,
    _: &ScanOptions,
) -> Result<Document, DocumentError> {
    Err(DocumentError::Unsupported(
        "scanned image (this build has no OCR: enable the `ocr` feature)",
    ))
}

#[cfg(feature = "ocr")]
fn read_scan_files(
    files: &[PathBuf],
    name: String,
    budget: &Budget,
    opts: &ScanOptions,
) -> Result<Document, DocumentError> {
    let (read, bytes) = scan::read_files(files, budget, &opts.params)?;
    let sha256 = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    let info = SourceInfo { path: name, kind: "image", sha256, bytes: bytes.len() as u64 };
    Ok(Document { info, doc: read.doc.clone(), scan: Some(Box::new(read)) })
}

#[cfg(not(feature = "ocr"))]
fn read_scan_files(
    _: &[PathBuf],
    _: String,
    _: &Budget,
    _: &ScanOptions,
) -> Result<Document, DocumentError> {
    Err(DocumentError::Unsupported(
        "scanned image (this build has no OCR: enable the `ocr` feature)",
    ))
}

/// Dispatches to the reader of `kind` (from [`sniff`]).
fn read_bytes(kind: &str, bytes: &[u8], budget: &Budget) -> Result<TextDoc, DocumentError> {
    match kind {
        "pdf" => Ok(crate::layout::pages_to_doc(&pdf::read(bytes, budget)?)),
        "image" => Err(DocumentError::Unsupported("image")),
        "zip" => docx::read_limited(bytes, budget.max_inflate),
        "doc" => Err(DocumentError::WordBinary),
        "html" => {
            at_most(bytes.iter().filter(|&&b| b == b'<').count(), "tags", budget)?;
            Ok(html::read(bytes))
        }
        _ => {
            let text = decode(bytes)?;
            at_most(text.bytes().filter(|&b| b == b'\n').count(), "lines", budget)?;
            Ok(text::read(&text))
        }
    }
}

/// `count` lines or tags against the budget's.
fn at_most(count: usize, what: &'static str, budget: &Budget) -> Result<(), DocumentError> {
    if count as u64 > budget.max_lines {
        return Err(DocumentError::TooManyLines { what, limit: budget.max_lines });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_content() {
        assert_eq!(sniff(b"PK\x03\x04\x14\0"), "zip");
        assert_eq!(sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), "doc");
        assert_eq!(sniff(b"\n<div class=\"content\"><p>\xb9\xe6\xd5\xc2</p></div>"), "html");
        assert_eq!(sniff(b"\xff\xfe<\0h\0t\0m\0l\0>\0"), "html");
        assert_eq!(sniff("一、总体情况\n<p>不是网页</p>".as_bytes()), "text");
    }

    /// GBK read as Latin-1 and written as UTF-8 (`lynx -dump` of a page
    /// without a charset): decoded again; a byte the tool dropped garbles
    /// its character, never the digits after it.
    #[test]
    fn gbk_seen_as_latin1_is_decoded_again() {
        let (gbk, _, _) = encoding_rs::GBK.encode("规章 0 0 15\n行政许可 18 -3 218\n申请人情况");
        let mangled: String = gbk.iter().map(|&b| b as char).collect();
        assert_eq!(
            decode(mangled.as_bytes()).expect("text"),
            "规章 0 0 15\n行政许可 18 -3 218\n申请人情况"
        );
        // 许 is D0ED: drop its second byte, as lynx drops 0x80..0x9F.
        let dropped = mangled.replacen('\u{ed}', "", 1);
        let text = decode(dropped.as_bytes()).expect("text");
        assert!(text.contains(" 18 -3 218\n"), "{text}");
        let french = "Données générales: à revoir, été, château, forêt, où, déjà vu. ".repeat(3);
        assert_eq!(decode(french.as_bytes()).expect("text"), french);
    }
}
