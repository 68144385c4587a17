//! Scan stage 1b: pages scanned upside down or sideways. In: a page as
//! first read. Out: whether to read it again turned, and the turned image.
//!
//! Archives hold pages fed into the scanner the wrong way round. Deskew
//! only corrects a few degrees, and a turned page still has its grid (rules
//! stay rules), so it is only its labels that show it: chi_sim reads
//! turned characters as rare characters, unsure. Orientation detection
//! (Tesseract's OSD) costs about a second a page, so it runs only on a
//! page whose labels read that badly, and the turned reading is kept only
//! when its labels read better.

use image::GrayImage;

use super::input::PageImage;
use super::read::CellRead;

/// A page needs this many label cells before their reading says anything
/// about its orientation.
const MIN_LABELS: usize = 6;

/// A label read with at least this confidence counts as read.
const SURE_LABEL: f32 = 0.6;

/// Below this share of labels read, the page may be turned. Upright pages
/// of the samples, down to 150 dpi, read over 80%; turned ones (a half
/// or a quarter turn) 5% or less.
const UPRIGHT_SHARE: f32 = 0.3;

/// OSD's margin over the next orientation needed to act on it.
pub const MIN_OSD_CONFIDENCE: f32 = 1.5;

/// How many of a page's label cells were read with confidence, of how many.
pub fn labels_read(cells: &[CellRead]) -> (usize, usize) {
    let labels: Vec<&CellRead> = cells.iter().filter(|c| !c.number && c.text.chars().count() >= 2).collect();
    (labels.iter().filter(|c| c.confidence >= SURE_LABEL).count(), labels.len())
}

/// Whether a page's labels read so badly that it may be turned.
pub fn doubtful(cells: &[CellRead]) -> bool {
    let (sure, all) = labels_read(cells);
    all >= MIN_LABELS && (sure as f32) < UPRIGHT_SHARE * all as f32
}

/// The page turned upright, given how far it is turned clockwise.
pub fn upright(img: &PageImage, turned_cw: u32) -> PageImage {
    let turn = |g: &GrayImage| match turned_cw {
        90 => image::imageops::rotate270(g),
        180 => image::imageops::rotate180(g),
        270 => image::imageops::rotate90(g),
        _ => g.clone(),
    };
    PageImage { gray: turn(&img.gray), dpi: img.dpi, red: img.red.as_ref().map(turn) }
}
