//! Source: PDFs, every one of them. PDF bytes → one [`Page`] per page:
//! words with boxes and ruling lines, in points, origin top-left, y down
//! (the input of [`crate::layout::pages_to_doc`]); or, for pages only OCR
//! can read, page images for the scan reader.
//!
//! Every PDF is parsed once, by [`load`], the one place its errors are
//! said: damaged, truncated, encrypted (with a password needed to open it
//! or not: both refused, whatever the pages hold, see
//! [`READ_OWNER_ONLY_ENCRYPTED`]). [`route`] then decides for each page
//! whether its text layer, its own image ([`images`]) or a rendering
//! ([`render`]) reads it.
//!
//! Steps of the text layer: [`lexer`] tokenizes content streams, [`interp`]
//! runs them with fonts from [`font`] and [`cmap`], then [`words`] groups
//! glyphs into words and merges rule pieces. Whatever else is wrong with
//! the file becomes one [`DocumentError`]: empty, too large, undecodable.
//! Pages that need OCR (text that cannot be decoded, or no text layer) are
//! listed by [`read_layer`]; without the `ocr` feature [`read`] refuses the
//! file naming them. No panic escapes: lopdf runs under `catch_unwind`, and
//! every loop over document data has a limit.

mod cmap;
mod font;
mod geom;
#[cfg(feature = "ocr")]
pub mod images;
mod interp;
mod lexer;
mod objects;
#[cfg(feature = "ocr")]
pub mod render;
#[cfg(feature = "ocr")]
pub mod route;
mod unicode;
mod words;

use std::panic::{catch_unwind, AssertUnwindSafe};

use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId};

use crate::budget::Budget;
use crate::error::DocumentError;
use crate::layout::Page;
use geom::Matrix;
use interp::{FontCache, Interp};
use objects::{deref, get, num};
pub use words::WordParams;

/// A page is undecodable when more than this share of its characters are
/// implausible (U+FFFD, private use, controls, stray Latin-1 letters).
const MAX_BAD_SHARE: f32 = 0.1;
/// … and it has at least this many characters (a page number alone decides nothing).
const MIN_CHARS: usize = 8;
/// Page-tree attributes are inherited through at most this many parents.
const MAX_PARENTS: usize = 32;

/// Whether a PDF that opens without a password (owner password only) is
/// read. Issue 3 asks for an error on every encrypted PDF, scanned or not;
/// flip this to read them, as viewers do.
pub const READ_OWNER_ONLY_ENCRYPTED: bool = false;

/// The text layer of every page, and the pages it does not serve.
#[derive(Clone, Debug)]
pub struct TextLayer {
    /// In page order; a page whose dictionary is broken is left out.
    pub pages: Vec<Page>,
    /// 1-based pages whose text cannot be decoded (their words are garbage).
    pub undecodable: Vec<usize>,
    /// 1-based pages without text that draw an image: scanned pages.
    pub scanned: Vec<usize>,
}

impl TextLayer {
    /// No page has text: the whole file is a scan, or its text is drawn as
    /// outlines.
    pub fn has_no_text(&self) -> bool {
        self.pages.iter().all(|p| p.words.is_empty())
    }

    /// The pages whose content only OCR can read, in page order: every
    /// page when no page has text, else the undecodable and scanned ones.
    pub fn ocr_pages(&self) -> Vec<usize> {
        if self.has_no_text() {
            return self.pages.iter().map(|p| p.number).collect();
        }
        let mut v: Vec<usize> = self.undecodable.iter().chain(&self.scanned).copied().collect();
        v.sort_unstable();
        v
    }
}

/// Reads every page of a PDF; a page that needs OCR is an error.
pub fn read(bytes: &[u8], budget: &Budget) -> Result<Vec<Page>, DocumentError> {
    let layer = read_layer(bytes, budget)?;
    if layer.has_no_text() {
        return Err(DocumentError::PdfNoText { images: !layer.scanned.is_empty() });
    }
    if !layer.undecodable.is_empty() {
        return Err(DocumentError::PdfUndecodable(page_list(&layer.undecodable)));
    }
    Ok(layer.pages)
}

/// "4, 5": pages as error messages name them.
pub fn page_list(pages: &[usize]) -> String {
    pages.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ")
}

/// Reads the text layer of every page, whatever it holds.
pub fn read_layer(bytes: &[u8], budget: &Budget) -> Result<TextLayer, DocumentError> {
    catch_unwind(AssertUnwindSafe(|| read_pages(&load(bytes, budget)?, budget)))
        .unwrap_or_else(|_| Err(parser_failed()))
}

/// [`read_layer`] of a PDF already parsed by [`load`].
pub fn read_layer_of(doc: &Document, budget: &Budget) -> Result<TextLayer, DocumentError> {
    catch_unwind(AssertUnwindSafe(|| read_pages(doc, budget)))
        .unwrap_or_else(|_| Err(parser_failed()))
}

fn parser_failed() -> DocumentError {
    DocumentError::PdfDamaged("the PDF parser failed on it".into())
}

/// Whether a PDF parsed by [`load`] is a scan, read by OCR page by page
/// ([`route`]): no page draws text. More pages than the budget allows, or a
/// page whose content inflates past it, is an error here already.
pub fn is_image_only(doc: &Document, budget: &Budget) -> Result<bool, DocumentError> {
    for (i, id) in page_ids(doc, budget)?.into_iter().enumerate() {
        if shows_text(doc, id, i + 1, budget)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Parses a PDF, its object and cross-reference streams inflated through
/// the budget (lopdf decodes them while loading): the one place a PDF is
/// parsed, and its errors said. An encrypted PDF is refused here, before
/// any page is looked at, so that a scan and a text PDF get the same
/// answer.
pub fn load(bytes: &[u8], budget: &Budget) -> Result<Document, DocumentError> {
    let options = LoadOptions {
        max_decompressed_size: Some(budget.inflate_limit()),
        ..LoadOptions::default()
    };
    let doc = Document::load_mem_with_options(bytes, options).map_err(|e| match e {
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
            DocumentError::Inflate { what: "an object stream".into(), limit: budget.max_inflate }
        }
        e => load_error(bytes, &e.to_string()),
    })?;
    // lopdf decrypts a file that opens with the empty user password and
    // drops `/Encrypt` from the trailer; one that needs a password keeps it.
    if doc.trailer.get(b"Encrypt").is_ok() && doc.encryption_state.is_none() {
        return Err(DocumentError::PdfPassword);
    }
    if doc.was_encrypted() && !READ_OWNER_ONLY_ENCRYPTED {
        return Err(DocumentError::PdfEncrypted);
    }
    Ok(doc)
}

/// The page objects in page order, counted before any is read: more than
/// the budget's pages is an error.
pub fn page_ids(doc: &Document, budget: &Budget) -> Result<Vec<ObjectId>, DocumentError> {
    let ids: Vec<ObjectId> = doc.page_iter().take(budget.max_pages + 1).collect();
    if ids.len() > budget.max_pages {
        return Err(DocumentError::TooManyPages { limit: budget.max_pages });
    }
    Ok(ids)
}

fn read_pages(doc: &Document, budget: &Budget) -> Result<TextLayer, DocumentError> {
    let params = &WordParams::default();
    let ids = page_ids(doc, budget)?;
    if ids.is_empty() {
        return Err(no_pages(doc));
    }
    let mut fonts = FontCache::default();
    let mut pages = Vec::with_capacity(ids.len());
    let mut undecodable = Vec::new();
    let mut scanned = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let Ok(dict) = doc.get_dictionary(*id) else {
            continue;
        };
        let (page, images, bad) = read_page(doc, dict, *id, i + 1, &mut fonts, budget, params)?;
        if bad {
            undecodable.push(i + 1);
        } else if page.words.is_empty() && images > 0 {
            scanned.push(i + 1);
        }
        pages.push(page);
    }
    Ok(TextLayer { pages, undecodable, scanned })
}

/// Why a PDF has no page to read: none, or a page tree that says it has
/// some but leads to none.
fn no_pages(doc: &Document) -> DocumentError {
    let count = doc
        .catalog()
        .ok()
        .and_then(|c| get(doc, c, b"Pages"))
        .and_then(|p| p.as_dict().ok())
        .and_then(|p| get(doc, p, b"Count"))
        .and_then(num)
        .unwrap_or(0.0);
    if count > 0.0 {
        DocumentError::PdfDamaged("its page tree is broken".into())
    } else {
        DocumentError::PdfNoPages
    }
}

/// Why lopdf could not load the file: truncated files lack their trailer.
fn load_error(bytes: &[u8], message: &str) -> DocumentError {
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        DocumentError::PdfTruncated
    } else {
        DocumentError::PdfDamaged(message.lines().next().unwrap_or("unknown error").to_string())
    }
}

/// An attribute of a page, inherited from its ancestors in the page tree.
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..MAX_PARENTS {
        if let Some(v) = get(doc, node, key) {
            return Some(v);
        }
        node = get(doc, node, b"Parent")?.as_dict().ok()?;
    }
    None
}

fn page_box(doc: &Document, page: &Dictionary) -> [f32; 4] {
    let read = |key: &[u8]| -> Option<[f32; 4]> {
        let a = inherited(doc, page, key)?.as_array().ok()?;
        let v: Vec<f32> = a.iter().filter_map(|o| num(deref(doc, o))).collect();
        (v.len() == 4)
            .then(|| [v[0].min(v[2]), v[1].min(v[3]), v[0].max(v[2]), v[1].max(v[3])])
            .filter(|b| b[2] - b[0] > 1.0 && b[3] - b[1] > 1.0)
    };
    let media = read(b"MediaBox").unwrap_or([0.0, 0.0, 595.0, 842.0]);
    match read(b"CropBox") {
        Some(c) => {
            let b =
                [c[0].max(media[0]), c[1].max(media[1]), c[2].min(media[2]), c[3].min(media[3])];
            if b[2] - b[0] > 1.0 && b[3] - b[1] > 1.0 {
                b
            } else {
                media
            }
        }
        None => media,
    }
}

/// The matrix from PDF space to the page as displayed (origin top-left, y
/// down, the page's `/Rotate` applied), and the displayed width and height.
fn page_frame(doc: &Document, dict: &Dictionary) -> (Matrix, f32, f32) {
    let [bx0, by0, bx1, by1] = page_box(doc, dict);
    let (w, h) = (bx1 - bx0, by1 - by0);
    let rotate =
        inherited(doc, dict, b"Rotate").and_then(num).map_or(0, |r| (r as i64).rem_euclid(360));
    let flip = Matrix::new([1.0, 0.0, 0.0, -1.0, -bx0, by1]);
    let (turn, width, height) = match rotate {
        90 => (Matrix::new([0.0, 1.0, -1.0, 0.0, h, 0.0]), h, w),
        180 => (Matrix::new([-1.0, 0.0, 0.0, -1.0, w, h]), w, h),
        270 => (Matrix::new([0.0, -1.0, 1.0, 0.0, 0.0, w]), h, w),
        _ => (Matrix::IDENTITY, w, h),
    };
    (flip.then(&turn), width, height)
}

/// Runs a page's content streams; they and the forms they draw inflate to
/// at most the budget's `max_inflate` bytes in all, or the page is an error.
fn run_page(
    doc: &Document,
    dict: &Dictionary,
    (id, number): (ObjectId, usize),
    fonts: &mut FontCache,
    frame: Matrix,
    budget: &Budget,
) -> Result<interp::Ink, DocumentError> {
    let mut it = Interp::new(doc, fonts, frame, budget.inflate_limit());
    let mut content = Vec::new();
    for sid in doc.get_page_contents(id) {
        if let Ok(Object::Stream(s)) = doc.get_object(sid) {
            if let Some(b) = it.inflate(s) {
                content.extend_from_slice(&b);
                content.push(b'\n');
            }
        }
    }
    let resources = inherited(doc, dict, b"Resources").and_then(|r| r.as_dict().ok());
    it.run(&content, resources);
    let ink = it.finish();
    if ink.over_inflate {
        return Err(DocumentError::Inflate {
            what: format!("page {number}'s content"),
            limit: budget.max_inflate,
        });
    }
    Ok(ink)
}

/// An image a page draws: the object, and where its pixels go on the page
/// as displayed, in points (origin top-left, y down): the page vectors of
/// one step along a pixel row (`across`) and down a column (`down`), whole
/// image lengths.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Drawn {
    pub id: ObjectId,
    pub across: (f32, f32),
    pub down: (f32, f32),
}

impl Drawn {
    /// The area it covers on the page, square points.
    pub fn area(&self) -> f32 {
        (self.across.0 * self.down.1 - self.across.1 * self.down.0).abs()
    }
}

/// The image XObjects page `number` draws (form XObjects followed), in
/// drawing order. An image's row 0 is its top: PDF maps its unit square
/// with y up.
pub fn drawn_images(
    doc: &Document,
    id: ObjectId,
    number: usize,
    budget: &Budget,
) -> Result<Vec<Drawn>, DocumentError> {
    let Ok(dict) = doc.get_dictionary(id) else {
        return Ok(Vec::new());
    };
    let (frame, ..) = page_frame(doc, dict);
    let ink = run_page(doc, dict, (id, number), &mut FontCache::default(), frame, budget)?;
    Ok(ink
        .placed
        .into_iter()
        .map(|(id, m)| Drawn { id, across: (m.a, m.b), down: (-m.c, -m.d) })
        .collect())
}

/// Whether a page shows text: its content (inflated through the budget)
/// has a text-showing operator. A quick test, for telling scans from text
/// PDFs before reading either.
pub fn shows_text(
    doc: &Document,
    id: ObjectId,
    number: usize,
    budget: &Budget,
) -> Result<bool, DocumentError> {
    match doc.get_page_content_with_limit(id, budget.inflate_limit()) {
        Ok(content) => Ok(content.windows(2).any(|w| w == b"Tj" || w == b"TJ")),
        Err(_) => Err(DocumentError::Inflate {
            what: format!("page {number}'s content"),
            limit: budget.max_inflate,
        }),
    }
}

/// Interprets one page; returns it, its image count, and whether its text
/// is undecodable.
fn read_page(
    doc: &Document,
    dict: &Dictionary,
    id: ObjectId,
    number: usize,
    fonts: &mut FontCache,
    budget: &Budget,
    params: &WordParams,
) -> Result<(Page, usize, bool), DocumentError> {
    let (frame, width, height) = page_frame(doc, dict);
    let mut ink = run_page(doc, dict, (id, number), fonts, frame, budget)?;
    // Text outside the page (hidden by producers, or a crop) is not on the page.
    ink.glyphs.retain(|g| {
        let (cx, cy) = ((g.x0 + g.x1) / 2.0, (g.y0 + g.y1) / 2.0);
        (-1.0..=width + 1.0).contains(&cx) && (-1.0..=height + 1.0).contains(&cy)
    });
    let (mut chars, mut bad) = (0usize, 0usize);
    for c in ink.glyphs.iter().flat_map(|g| g.text.chars()).filter(|c| !c.is_whitespace()) {
        chars += 1;
        bad += usize::from(!unicode::plausible(c));
    }
    let undecodable = chars >= MIN_CHARS && bad as f32 > MAX_BAD_SHARE * chars as f32;
    let rules = words::rules(&ink.segs);
    let words = words::words(&ink.glyphs, &rules, params);
    Ok((Page { number, width, height, words, rules }, ink.images, undecodable))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_and_damaged_files_are_told_apart() {
        assert_eq!(load_error(b"%PDF-1.7\n1 0 obj <<", "x"), DocumentError::PdfTruncated);
        assert!(
            matches!(load_error(b"%PDF-1.7\ngarbage\n%%EOF\n", "bad xref\nmore"), DocumentError::PdfDamaged(m) if m == "bad xref")
        );
    }
}
