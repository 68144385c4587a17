//! Source: read an input file, tell its kind by content, and decode text.
//!
//! In: a path. Out: a [`Document`]: [`SourceInfo`] and the content as a
//! [`TextDoc`] (lines of cells with row breaks), which is what every reader
//! produces so that one pipeline serves every input kind. A reader of
//! markup or pages emits one line per table row with one cell per grid
//! column (merged cells: the text in the first slot, empty cells for the
//! rest, so that positions line up with the header), `row_end` set, and each
//! cell's [`text::Loc`]; paragraphs become one-cell lines ([`markup`] does
//! this for HTML and DOCX). Kinds without a reader yet are recognized by
//! their bytes and refused with a clear reason.

pub mod docx;
pub mod html;
pub mod markup;
pub mod pdf;
pub mod text;

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::DocumentError;
use crate::report::SourceInfo;
use text::TextDoc;

/// A loaded input: where it came from and what it says.
#[derive(Clone, Debug)]
pub struct Document {
    pub info: SourceInfo,
    pub doc: TextDoc,
}

/// Inputs larger than this are refused before reading (configurable).
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// What the first bytes say the file is.
pub fn sniff(bytes: &[u8]) -> &'static str {
    let head = &bytes[..bytes.len().min(1024)];
    let starts = |m: &[u8]| head.starts_with(m);
    if starts(b"%PDF") || head.windows(5).any(|w| w == b"%PDF-") {
        "pdf"
    } else if starts(b"\x89PNG") || starts(b"\xff\xd8\xff") || starts(b"II*\0") || starts(b"MM\0*") || starts(b"GIF8") || starts(b"BM") {
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
        let fragment = lower.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']).starts_with('<') && ["<body", "<div", "<p>", "<p ", "<meta", "<head"].iter().any(|t| lower.contains(t));
        if fragment || lower.contains("<html") || lower.contains("<!doctype html") || lower.contains("<table") {
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
        Ok(t) => t.to_string(),
        Err(_) => {
            let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err(DocumentError::NotText);
            }
            text.into_owned()
        }
    };
    let controls = text.chars().filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')).count();
    if controls * 100 > text.chars().count().max(1) {
        return Err(DocumentError::NotText);
    }
    Ok(text)
}

/// Reads a file into a [`Document`].
pub fn load(path: &Path, max_bytes: u64) -> Result<Document, DocumentError> {
    let meta = std::fs::metadata(path).map_err(|e| DocumentError::Io(e.to_string()))?;
    if meta.is_dir() {
        return Err(DocumentError::Io("it is a directory".into()));
    }
    if meta.len() > max_bytes {
        return Err(DocumentError::TooLarge { size: meta.len(), limit: max_bytes });
    }
    let bytes = std::fs::read(path).map_err(|e| DocumentError::Io(e.to_string()))?;
    read(&bytes, &path.display().to_string())
}

/// Reads a document from bytes already in memory; `path` is only recorded.
pub fn read(bytes: &[u8], path: &str) -> Result<Document, DocumentError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(DocumentError::Empty);
    }
    let kind = sniff(bytes);
    let doc = read_bytes(kind, bytes)?;
    // The only ZIP we read is a DOCX; say what it was.
    let kind = if kind == "zip" { "docx" } else { kind };
    let sha256 = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    Ok(Document { info: SourceInfo { path: path.to_string(), kind, sha256, bytes: bytes.len() as u64 }, doc })
}

/// Dispatches to the reader of `kind` (from [`sniff`]).
fn read_bytes(kind: &str, bytes: &[u8]) -> Result<TextDoc, DocumentError> {
    match kind {
        "pdf" => Ok(crate::layout::pages_to_doc(&pdf::read(bytes)?)),
        "image" => Err(DocumentError::Unsupported("image")),
        "zip" => docx::read(bytes),
        "doc" => Err(DocumentError::WordBinary),
        "html" => Ok(html::read(bytes)),
        _ => Ok(text::read(&decode(bytes)?)),
    }
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
}
