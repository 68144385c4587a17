//! Scan stage 5: what the scan reader tells the rule-guided rereading
//! (`crate::reread`) after the pipeline, through [`Evidence`]: each cell's
//! box and OCR confidence, and other readings of a number cell (Tesseract's
//! other choices for each symbol, and rereads of the crop with other
//! settings: twice the size; three times the size in word and raw-line
//! segmentation, which return nothing on small crops; an Otsu-binarized
//! copy; the chi_sim model). Then [`check_read`]: what the reader itself
//! flags in the finished report (the title read twice, pages read turned).

use image::{imageops, GrayImage, Luma};

use super::ocr::{with_engines, Engines, Psm};
use super::read::{crop_cell, is_number, CellRead, UNSURE};
use super::ScanDoc;
use crate::findings::{Report, Warning};
use crate::source::evidence::{Evidence, ReadCell};

impl Evidence for ScanDoc {
    fn cells(&self) -> Vec<ReadCell> {
        self.cells
            .iter()
            .map(|c| ReadCell {
                page: c.page,
                rect: c.rect,
                text: c.text.clone(),
                confidence: c.confidence,
                unsure: c.confidence < UNSURE,
                number: c.number,
                placed: c.placed,
                sealed: c.sealed,
            })
            .collect()
    }

    fn alternatives(&self, cell: usize) -> Vec<String> {
        alternatives(self, &self.cells[cell])
    }

    fn unruled_pages(&self) -> Vec<usize> {
        self.scans.iter().filter(|s| s.fallback).map(|s| s.page).collect()
    }
}

/// After the rereading: the title checked by reading it again
/// (`heading.rs`), and a `page-turned` warning for each page read turned.
pub fn check_read(report: &mut Report, scan: &ScanDoc) {
    super::heading::check_title(report, scan);
    for s in scan.scans.iter().filter(|s| s.turned != 0) {
        report.warnings.push(Warning::new(
            "page-turned",
            format!(
                "page {}: the page lies turned {}° clockwise; it was read turned upright",
                s.page, s.turned
            ),
        ));
    }
}

/// Other readings of a number cell, best first, each a well-formed number.
fn alternatives(scan: &ScanDoc, cell: &CellRead) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |t: String| {
        let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        if is_number(&t) && !out.contains(&t) {
            out.push(t);
        }
    };
    // Tesseract's own alternatives, one symbol at a time.
    for (i, s) in cell.symbols.iter().enumerate() {
        for (alt, conf) in &s.alternatives {
            if *conf > 0.02 {
                let text: String = cell
                    .symbols
                    .iter()
                    .enumerate()
                    .map(|(j, t)| if j == i { alt.as_str() } else { t.text.as_str() })
                    .collect();
                push(text);
            }
        }
    }
    let Some(page) = scan.scans.iter().find(|s| s.page == cell.page) else {
        return out;
    };
    let crop = crop_cell(&page.gray, cell.ink, 0.5);
    let dpi = page.dpi as u32;
    let rereads = with_engines(|e: &mut Engines| -> Vec<String> {
        let mut got = Vec::new();
        let mut read = |eng: &mut super::ocr::Engine, img: &GrayImage, psm: Psm, dpi: u32| {
            if let Ok(words) = eng.read(img, psm, dpi) {
                got.push(words.iter().map(|w| w.text.as_str()).collect::<String>());
            }
        };
        // Word and raw-line modes return nothing on crops this small, so
        // they are given the crop enlarged three times.
        let big = imageops::resize(
            &crop,
            crop.width() * 2,
            crop.height() * 2,
            imageops::FilterType::CatmullRom,
        );
        let bigger = imageops::resize(
            &crop,
            crop.width() * 3,
            crop.height() * 3,
            imageops::FilterType::CatmullRom,
        );
        read(&mut e.numbers, &big, Psm::Line, dpi * 2);
        read(&mut e.numbers, &bigger, Psm::Word, dpi * 3);
        read(&mut e.numbers, &bigger, Psm::RawLine, dpi * 3);
        read(&mut e.numbers, &binarize(&big), Psm::Line, dpi * 2);
        read(&mut e.text, &crop, Psm::Line, dpi);
        got
    })
    .unwrap_or_default();
    for t in rereads {
        push(t);
    }
    out
}

/// Otsu threshold of a crop: another view of a blurred or faint number.
fn binarize(img: &GrayImage) -> GrayImage {
    let mut hist = [0u64; 256];
    for p in img.pixels() {
        hist[p[0] as usize] += 1;
    }
    let total: u64 = hist.iter().sum();
    let sum: f64 = hist.iter().enumerate().map(|(i, &n)| i as f64 * n as f64).sum();
    let (mut wb, mut sb, mut best, mut t) = (0f64, 0f64, 0f64, 128u8);
    for (i, &n) in hist.iter().enumerate() {
        wb += n as f64;
        if wb == 0.0 {
            continue;
        }
        let wf = total as f64 - wb;
        if wf == 0.0 {
            break;
        }
        sb += i as f64 * n as f64;
        let (mb, mf) = (sb / wb, (sum - sb) / wf);
        let between = wb * wf * (mb - mf) * (mb - mf);
        if between > best {
            best = between;
            t = i as u8;
        }
    }
    GrayImage::from_fn(img.width(), img.height(), |x, y| {
        Luma([if img.get_pixel(x, y)[0] <= t { 0 } else { 255 }])
    })
}
