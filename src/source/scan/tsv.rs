//! The comparison route of the benchmark (`scripts/bench-scan`): word boxes
//! from the `tesseract` command line (full page, chi_sim, TSV output) instead
//! of our cell-by-cell OCR, fed through the same rules, layout and pipeline.
//! In: page images and one `NAME.tsv` per page image `NAME.jpg`. Out: a
//! [`ScanDoc`] without cell readings (nothing to reread).
//!
//! The page is not deskewed (TSV boxes are in the image's own pixels); the
//! ruling lines come from our detector, so the two routes differ only in
//! how the text is read.

use std::path::{Path, PathBuf};

use super::{input, layout_params, lines, prep, to_rules, PageScan, ScanDoc, ScanParams};
use crate::budget::Budget;
use crate::error::DocumentError;
use crate::layout::{self, find_grids, Page, Rect, Word};

/// Reads `paths` with the words of `dir/<file stem>.tsv`.
pub fn read(
    paths: &[PathBuf],
    dir: &Path,
    budget: &Budget,
    params: &ScanParams,
) -> Result<(ScanDoc, Vec<u8>), DocumentError> {
    let mut pages = Vec::new();
    let mut scans = Vec::new();
    let mut all = Vec::new();
    let no_skew = prep::PrepParams { max_skew_deg: 0.0, ..params.prep.clone() };
    for (i, p) in paths.iter().enumerate() {
        let bytes =
            std::fs::read(p).map_err(|e| DocumentError::Io(format!("{}: {e}", p.display())))?;
        let stem = p.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
        let tsv_path = dir.join(format!("{stem}.tsv"));
        let tsv = std::fs::read_to_string(&tsv_path)
            .map_err(|e| DocumentError::Io(format!("{}: {e}", tsv_path.display())))?;
        for img in input::decode(&bytes, budget)? {
            let prepared = prep::prepare(&img.gray, img.dpi, &no_skew);
            let (w, h) = prepared.gray.dimensions();
            let mut ink = prepared.ink;
            let segments = lines::detect(&mut ink, w, h, img.dpi, &params.lines);
            let rules = to_rules(&segments, img.dpi);
            let pt = 72.0 / img.dpi;
            let words = parse(&tsv, pt);
            pages.push(Page {
                number: i + 1,
                width: w as f32 * pt,
                height: h as f32 * pt,
                words,
                rules: rules.clone(),
            });
            let tables = find_grids(&rules, &layout_params());
            scans.push(PageScan {
                page: i + 1,
                gray: prepared.gray,
                dpi: img.dpi,
                tables,
                segments,
                skew_deg: 0.0,
                fallback: false,
                turned: 0,
                source: (w, h, img.dpi),
            });
        }
        all.extend(bytes);
    }
    let doc = layout::pages_to_doc_with(&pages, &layout_params());
    Ok((ScanDoc { doc, pages, scans, cells: Vec::new(), lines: Vec::new() }, all))
}

/// Words (level 5 rows) of Tesseract's TSV: level, page, block, par, line,
/// word, left, top, width, height, conf, text.
fn parse(tsv: &str, pt: f32) -> Vec<Word> {
    tsv.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            if f.len() < 12 || f[0] != "5" || f[11].trim().is_empty() {
                return None;
            }
            let n = |k: usize| f[k].parse::<f32>().ok();
            let (x, y, w, h, conf) = (n(6)?, n(7)?, n(8)?, n(9)?, n(10)?);
            Some(Word {
                text: f[11].trim().to_string(),
                rect: Rect { x0: x * pt, y0: y * pt, x1: (x + w) * pt, y1: (y + h) * pt },
                confidence: Some((conf / 100.0).clamp(0.0, 1.0)),
            })
        })
        .collect()
}
