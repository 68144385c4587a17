//! Text PDFs with pages only OCR can read. In: the PDF's bytes. Out: the
//! text layer's pages when it serves every page, else a [`ScanDoc`] of all
//! pages in page order: the text layer where it decodes, and OCR of the
//! page rendered by `pdftoppm` where it does not.
//!
//! Pages for OCR ([`TextLayer::ocr_pages`]): text whose fonts decode to
//! garbage (no ToUnicode and a custom encoding, as some Word and WPS
//! exports are), pages without text that draw an image (scanned pages in a
//! text report), and every page when no page has text (text drawn as
//! outlines, or text in an encoding nothing maps). Rendering, not the
//! page's own images, because such a page's text is vector glyphs.
//!
//! Each OCR'd page keeps its number: its cells' locations say the page, the
//! rule-guided rereading (`crate::reread`, through [`super::evidence`])
//! finds the page image by it, and the debug view is written per OCR'd
//! page. The text pages' words carry no OCR confidence, so only OCR'd
//! values are folded and flagged.
//!
//! Without `pdftoppm` the file is refused, naming the pages and
//! poppler-utils: reading only the decodable pages would give a report
//! with the tables of the other pages silently missing.

use super::input::{PageImage, PageSource};
use super::render::rendered_size;
use super::render::{render_page, RenderError, RENDER_DPI};
use super::{layout_params, read_pages, ScanDoc, ScanParams};
use crate::budget::{Budget, PixelCount};
use crate::error::DocumentError;
use crate::layout::{self, Page};
use crate::source::pdf::{self, page_list, TextLayer};

/// A text PDF, read.
#[derive(Debug)]
pub enum PdfRead {
    /// Every page from its text layer.
    Text(Vec<Page>),
    /// Some pages by OCR.
    Ocr(Box<ScanDoc>),
}

/// Reads a PDF that has a text layer somewhere (see the module docs),
/// parsed by [`pdf::load`]; `bytes` are its bytes, for `pdftoppm`.
pub fn read(
    doc: &lopdf::Document,
    bytes: &[u8],
    budget: &Budget,
    params: &ScanParams,
) -> Result<PdfRead, DocumentError> {
    let layer = pdf::read_layer_of(doc, budget)?;
    let wanted = layer.ocr_pages();
    if wanted.is_empty() {
        return Ok(PdfRead::Text(layer.pages));
    }
    // Every page to render is counted before the first is.
    let mut count = PixelCount::default();
    let mut sizes = Vec::with_capacity(wanted.len());
    for &n in &wanted {
        let size = layer
            .pages
            .iter()
            .find(|p| p.number == n)
            .map_or((595.0, 842.0), |p| (p.width, p.height));
        let (w, h) = rendered_size(size);
        count.add(w, h, budget)?;
        sizes.push(size);
    }
    let why = why(&layer);
    let sources: Vec<PageSource> = wanted
        .iter()
        .zip(sizes)
        .map(|(&n, size)| {
            let wanted = &wanted;
            Box::new(move || {
                render_page(bytes, n, size, budget)
                    .map(|(gray, red)| PageImage::new(gray, RENDER_DPI as f32, red))
                    .map_err(|e| render_error(e, why, wanted, n))
            }) as PageSource
        })
        .collect();
    let mut read = read_pages(sources, params)?;
    // `read_images` numbers the pages it is given 1, 2, …; give them theirs.
    for (page, &n) in read.pages.iter_mut().zip(&wanted) {
        page.number = n;
    }
    for (scan, &n) in read.scans.iter_mut().zip(&wanted) {
        scan.page = n;
    }
    for cell in &mut read.cells {
        cell.page = wanted.get(cell.page.wrapping_sub(1)).copied().unwrap_or(cell.page);
    }
    let mut pages: Vec<Page> = layer
        .pages
        .into_iter()
        .filter(|p| !wanted.contains(&p.number))
        .chain(std::mem::take(&mut read.pages))
        .collect();
    pages.sort_by_key(|p| p.number);
    // One layout for all pages, so that a table split across a text page and
    // an OCR'd page still joins; the scan tolerances, which exact text-layer
    // rules meet as well.
    read.doc = layout::pages_to_doc_with(&pages, &layout_params());
    read.pages = pages;
    Ok(PdfRead::Ocr(Box::new(read)))
}

fn render_error(e: RenderError, why: &str, wanted: &[usize], page: usize) -> DocumentError {
    match e {
        RenderError::Missing => {
            DocumentError::PdfNeedsRenderer { pages: page_list(wanted), why: why.into() }
        }
        RenderError::TooLarge(e) => e,
        RenderError::Failed(m) => DocumentError::Scan(format!(
            "page {page} needs OCR ({why}), but rendering it failed: {m}"
        )),
    }
}

/// Why the pages need OCR, as the error messages say it.
fn why(layer: &TextLayer) -> &'static str {
    match (layer.has_no_text(), layer.undecodable.is_empty(), layer.scanned.is_empty()) {
        (true, _, _) => "no page has a text layer",
        (false, false, true) => {
            "the text cannot be decoded: a font without a usable Unicode mapping"
        }
        (false, true, false) => "scanned images without text",
        _ => "text that cannot be decoded, or scanned images without text",
    }
}
