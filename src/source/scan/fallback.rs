//! Scan stage 3, fallback: a page whose rules are missing or too broken to
//! give a grid. In: the prepared page. Out: a layout [`Page`] of word boxes
//! from full-page OCR (chi_sim, sparse text, so that Tesseract does not
//! merge table columns into paragraphs).
//!
//! `pages_to_doc` groups the words into rows by their vertical overlap and
//! keeps their horizontal positions, so the table stage binds numbers to
//! columns by the header's positions where it can and by the template's
//! column order otherwise, and rows by the template's row order: the same
//! path a `pdftotext -layout` export takes.

use crate::layout::{Page, Rect, Word};
use super::ocr::{Engines, OcrError, Psm};
use super::read::PageInput;

pub fn read_page(p: &PageInput, engines: &mut Engines) -> Result<Page, OcrError> {
    let pt = 72.0 / p.dpi;
    let got = engines.text.read(p.gray, Psm::Sparse, p.dpi as u32)?;
    let words = got
        .into_iter()
        .map(|w| {
            let (x0, y0, x1, y1) = w.bbox;
            Word { text: w.text.trim().to_string(), rect: Rect { x0: x0 as f32 * pt, y0: y0 as f32 * pt, x1: x1 as f32 * pt, y1: y1 as f32 * pt }, confidence: Some(w.confidence) }
        })
        .filter(|w| !w.text.is_empty())
        .collect();
    let (w, h) = p.gray.dimensions();
    Ok(Page { number: p.number, width: w as f32 * pt, height: h as f32 * pt, words, rules: Vec::new() })
}
