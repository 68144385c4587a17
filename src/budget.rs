//! The resource budget of one input: every limit a reader enforces, in one
//! place. Each is checked before the work it bounds (sizes from headers,
//! pages counted before any is decoded) and, where a header can lie, again
//! while the work is done (bytes read through the limit, streams inflated
//! through it). Going over is that input's one-line error, never an abort.
//!
//! What the limits bound, per input:
//! - `max_bytes`: the file as read (and every decoded text built from it);
//! - `max_pages`: pages of a text PDF, an image-only PDF, a TIFF or a set
//!   of page images;
//! - `max_page_pixels`, `max_doc_pixels`: a page image, and all of one
//!   document's page images, from their headers; image work then keeps
//!   gray at one byte a pixel and float buffers to strips of rows;
//! - `max_inflate`: what one compressed stream, one page's content with
//!   its forms, or one archive part may inflate to;
//! - `max_lines`: lines of a text export and tags of a web page, counted
//!   before they are read: the structures a reader builds take some 70
//!   bytes per line or tag, so 30 MiB of `1\t2\t3\t4` lines took 2 GB;
//! - `timeout`: processor time of the worker process reading the input
//!   and of what it started, enforced by the batch (`crate::batch`), which
//!   stops them all. Processor time, not wall time, so that a busy machine
//!   does not change which inputs are read; a worker that waits without
//!   computing is stopped at ten times the limit in wall time. Where the
//!   system does not report processor time, and for inputs read on a
//!   thread of the calling process (no worker), the limit is wall time.

use std::time::Duration;

/// Limits for one input (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub max_bytes: u64,
    pub max_pages: usize,
    pub max_page_pixels: u64,
    pub max_doc_pixels: u64,
    pub max_inflate: u64,
    pub max_lines: u64,
    pub timeout: Option<Duration>,
}

/// 64 MiB: a report is rarely more than a few MiB, even scanned.
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;
/// More pages than this is not one annual report.
pub const DEFAULT_MAX_PAGES: usize = 500;
/// 150 megapixels: A2 at 600 dpi; an A4 page at 300 dpi is 8.7.
pub const DEFAULT_MAX_PAGE_PIXELS: u64 = 150_000_000;
/// 600 megapixels: 69 A4 pages at 300 dpi, more than the default time
/// limit lets OCR read.
pub const DEFAULT_MAX_DOC_PIXELS: u64 = 600_000_000;
/// 64 MiB: far above any real page's content or a DOCX's document part.
pub const DEFAULT_MAX_INFLATE: u64 = 64 * 1024 * 1024;
/// 200,000: a report is a few thousand lines, or tags in its web page
/// (Word's exports are verbose); at 70 bytes each, 14 MB of structures.
pub const DEFAULT_MAX_LINES: u64 = 200_000;
/// Two minutes of processor time: a 20-page scan takes well under one.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

impl Default for Budget {
    fn default() -> Self {
        Budget {
            max_bytes: DEFAULT_MAX_BYTES,
            max_pages: DEFAULT_MAX_PAGES,
            max_page_pixels: DEFAULT_MAX_PAGE_PIXELS,
            max_doc_pixels: DEFAULT_MAX_DOC_PIXELS,
            max_inflate: DEFAULT_MAX_INFLATE,
            max_lines: DEFAULT_MAX_LINES,
            timeout: Some(DEFAULT_TIMEOUT),
        }
    }
}

impl Budget {
    /// `max_inflate` as a buffer size (it always fits on 64-bit targets).
    pub fn inflate_limit(&self) -> usize {
        usize::try_from(self.max_inflate).unwrap_or(usize::MAX)
    }
}

/// Pixels of a document's page images, added up page by page against the
/// budget before any page is decoded.
#[derive(Clone, Copy, Debug, Default)]
pub struct PixelCount {
    pages: usize,
    pixels: u64,
}

impl PixelCount {
    /// Adds a `w` × `h` page: `Err` names the limit it passes.
    pub fn add(&mut self, w: u64, h: u64, budget: &Budget) -> Result<(), crate::DocumentError> {
        use crate::DocumentError;
        if w == 0 || h == 0 {
            return Err(DocumentError::Scan("the image has no pixels".into()));
        }
        let px = w.saturating_mul(h);
        if px > budget.max_page_pixels {
            return Err(DocumentError::TooManyPixels {
                what: format!("the image is {w}x{h} pixels"),
                limit: budget.max_page_pixels,
                per: "page",
            });
        }
        self.pages += 1;
        if self.pages > budget.max_pages {
            return Err(DocumentError::TooManyPages { limit: budget.max_pages });
        }
        self.pixels = self.pixels.saturating_add(px);
        if self.pixels > budget.max_doc_pixels {
            return Err(DocumentError::TooManyPixels {
                what: format!("pages 1 to {} have {} pixels in all", self.pages, self.pixels),
                limit: budget.max_doc_pixels,
                per: "document",
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_pixels_add_up_against_the_budget() {
        let b =
            Budget { max_pages: 3, max_page_pixels: 100, max_doc_pixels: 250, ..Budget::default() };
        let mut c = PixelCount::default();
        assert!(c.add(10, 10, &b).is_ok());
        assert!(c.add(10, 10, &b).is_ok());
        assert_eq!(
            c.add(10, 6, &b).unwrap_err().to_string(),
            "pages 1 to 3 have 260 pixels in all, above the limit of 250 pixels per document (a decompression bomb, or a scan at an absurd resolution)"
        );
        let mut c = PixelCount::default();
        assert!(c.add(11, 10, &b).unwrap_err().to_string().contains("the image is 11x10 pixels"));
        let mut c = PixelCount::default();
        for _ in 0..3 {
            c.add(1, 1, &b).unwrap();
        }
        assert_eq!(
            c.add(1, 1, &b).unwrap_err().to_string(),
            "the document has more than 3 pages; that is not one annual report"
        );
    }
}
