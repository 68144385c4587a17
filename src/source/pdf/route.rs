//! Source: how each page of a PDF is read, decided here and only here. In:
//! a PDF parsed by [`super::load`]. Out: [`PdfPages`]: the pages its text
//! layer serves, and every other page as a page image for the scan reader,
//! which sees no PDF object.
//!
//! Each page is one of three ([`Route`]):
//! - **text**: its text layer decodes;
//! - **image**: the file is a scan ([`super::is_image_only`]) and the page
//!   draws one image large that xxgk decodes itself ([`super::images`]);
//! - **render**: any other page only OCR can read, rendered by `pdftoppm`
//!   ([`super::render`]): in a scan, JBIG2 or JPX images, several images or
//!   none; in a text PDF, text whose fonts decode to garbage (no ToUnicode
//!   and a custom encoding, as some Word and WPS exports are), pages without
//!   text that draw an image (scanned pages in a text report), and every
//!   page when no page has text (text drawn as outlines, or text in an
//!   encoding nothing maps). A text PDF's pages are rendered, not decoded
//!   from their own images, because such a page's text is vector glyphs.
//!
//! Every page image is counted against the budget before the first is
//! decoded. Without `pdftoppm`, a file with pages to render is refused with
//! one message naming every such page, why, and poppler-utils: reading only
//! the other pages would give a report with the tables of those pages
//! silently missing.

use lopdf::{Document, ObjectId};

use super::images::{own_image, plan_page, Own};
use super::render::{render_page, rendered_size, RenderError, RENDER_DPI};
use super::{is_image_only, no_pages, page_frame, page_ids, page_list, read_layer_of, TextLayer};
use crate::budget::{Budget, PixelCount};
use crate::error::DocumentError;
use crate::layout::Page;
use crate::source::scan::input::{PageImage, PageSource};

/// A PDF's pages, as its readers take them.
pub enum PdfPages<'a> {
    /// Every page from its text layer.
    Text(Vec<Page>),
    /// An image-only PDF: every page as an image, in page order.
    Scan(Vec<PageSource<'a>>),
    /// A text PDF with pages only OCR can read: the pages its text layer
    /// serves, and the others as images with their 1-based page numbers.
    Mixed { text: Vec<Page>, images: Vec<(usize, PageSource<'a>)> },
}

/// How one page is read.
enum Route<'a> {
    Text,
    /// Its own image, decoded here.
    Own(Own<'a>),
    /// Rendered, for this reason.
    Render(String),
}

/// Classifies every page of a PDF parsed by [`super::load`] and gives the
/// pages that need OCR as images, counted against the budget; `bytes` are
/// the file's, for `pdftoppm`.
pub fn pages<'a>(
    doc: &'a Document,
    bytes: &'a [u8],
    budget: &'a Budget,
) -> Result<PdfPages<'a>, DocumentError> {
    if is_image_only(doc, budget)? {
        let ids = page_ids(doc, budget)?;
        if ids.is_empty() {
            return Err(no_pages(doc));
        }
        let mut routes = Vec::with_capacity(ids.len());
        for (i, &id) in ids.iter().enumerate() {
            let route = match plan_page(doc, id, i + 1, budget)? {
                Ok(own) => Route::Own(own),
                Err(reason) => Route::Render(reason),
            };
            routes.push((i + 1, id, route));
        }
        let images = images(doc, bytes, budget, routes)?;
        return Ok(PdfPages::Scan(images.into_iter().map(|(_, page)| page).collect()));
    }
    let layer = read_layer_of(doc, budget)?;
    let wanted = layer.ocr_pages();
    if wanted.is_empty() {
        return Ok(PdfPages::Text(layer.pages));
    }
    let why = why(&layer);
    let ids = page_ids(doc, budget)?;
    let routes = ids
        .into_iter()
        .enumerate()
        .map(|(i, id)| {
            let route =
                if wanted.contains(&(i + 1)) { Route::Render(why.into()) } else { Route::Text };
            (i + 1, id, route)
        })
        .collect();
    let images = images(doc, bytes, budget, routes)?;
    let text = layer.pages.into_iter().filter(|p| !wanted.contains(&p.number)).collect();
    Ok(PdfPages::Mixed { text, images })
}

/// The page images of every page not routed to its text layer, each
/// decoded (or rendered) when the scan reader reads it. Every one is
/// counted first, pages and pixels against the budget.
fn images<'a>(
    doc: &'a Document,
    bytes: &'a [u8],
    budget: &'a Budget,
    routes: Vec<(usize, ObjectId, Route<'a>)>,
) -> Result<Vec<(usize, PageSource<'a>)>, DocumentError> {
    let mut count = PixelCount::default();
    let mut unread = Vec::new();
    let mut reasons: Vec<String> = Vec::new();
    for (number, id, route) in &routes {
        let (w, h) = match route {
            Route::Text => continue,
            Route::Own(own) => own.size(),
            Route::Render(_) => rendered_size(display_size(doc, *id)),
        };
        count.add(w, h, budget)?;
        if let Route::Render(reason) = route {
            unread.push(*number);
            if !reasons.contains(reason) {
                reasons.push(reason.clone());
            }
        }
    }
    let why = reasons.join("; ");
    Ok(routes
        .into_iter()
        .filter(|(.., route)| !matches!(route, Route::Text))
        .map(|(number, id, route)| {
            let (unread, why) = (unread.clone(), why.clone());
            let page = Box::new(move || {
                let reason = match route {
                    Route::Own(own) => match own_image(doc, id, &own, budget) {
                        Ok(page) => return Ok(page),
                        Err(reason) => reason,
                    },
                    Route::Render(reason) => reason,
                    Route::Text => unreachable!("text pages were left out"),
                };
                render_page(bytes, number, display_size(doc, id), budget)
                    .map(|(gray, red)| PageImage::new(gray, RENDER_DPI as f32, red))
                    .map_err(|e| render_error(e, number, &reason, unread, why))
            }) as PageSource<'a>;
            (number, page)
        })
        .collect())
}

/// A page's size as displayed (its crop box, turned by `/Rotate`), in
/// points: what `pdftoppm` renders.
fn display_size(doc: &Document, id: ObjectId) -> (f32, f32) {
    doc.get_dictionary(id).map_or((595.0, 842.0), |dict| {
        let (_, w, h) = page_frame(doc, dict);
        (w, h)
    })
}

/// The one error of a page that could not be rendered. Without `pdftoppm`:
/// every page to render, with this one if decoding its own image failed.
fn render_error(
    e: RenderError,
    number: usize,
    reason: &str,
    mut unread: Vec<usize>,
    mut why: String,
) -> DocumentError {
    match e {
        RenderError::Missing => {
            if !unread.contains(&number) {
                unread.push(number);
                unread.sort_unstable();
                why = [why.as_str(), reason]
                    .into_iter()
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
                    .join("; ");
            }
            DocumentError::PdfNeedsRenderer { pages: page_list(&unread), why }
        }
        RenderError::TooLarge(e) => e,
        RenderError::Failed(m) => DocumentError::Scan(format!(
            "page {number} needs OCR ({reason}), but rendering it failed: {m}"
        )),
    }
}

/// Why a text PDF's pages need OCR, as the error messages say it.
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
