//! Scan stage 1b: pages scanned upside down or sideways. In: a page as
//! first read. Out: whether to read it again turned, and the turned image.
//!
//! Archives hold pages fed into the scanner the wrong way round. Deskew
//! only corrects a few degrees, and a turned page still has its grid (rules
//! stay rules) or its rows of pieces (a table without rules), so it is
//! mostly its labels that show it: chi_sim reads turned characters as rare
//! characters, unsure. A page with too few labels to tell shows a quarter
//! turn by its ink: its lines run down the page, so most of it lies in no
//! line. Orientation detection (Tesseract's OSD) costs about a second a
//! page, so it runs only on such pages, and the turned reading is kept only
//! when its labels read better.
//!
//! A page of prose upside down still runs in lines: it is only seen once
//! its text lines have been read, and they read as nonsense.

use image::GrayImage;

use super::input::PageImage;
use super::read::is_number;
use crate::layout::Word;

/// A page needs this many label cells before their reading says anything
/// about its orientation.
const MIN_LABELS: usize = 6;

/// A label read with at least this confidence counts as read.
const SURE_LABEL: f32 = 0.6;

/// Below this share of labels read, the page may be turned. Upright pages
/// of the samples, down to 150 dpi, read over 80%; turned ones (a half
/// or a quarter turn) 5% or less.
const UPRIGHT_SHARE: f32 = 0.3;

/// Above this share of ink in no line, a page may lie sideways. Upright
/// pages of the samples have 0.0006 at most, pages a quarter turned 0.96.
const SIDEWAYS_SHARE: f32 = 0.5;

/// OSD's margin over the next orientation needed to act on it.
pub const MIN_OSD_CONFIDENCE: f32 = 1.5;

/// How many of a page's labels (the words of its tables that are not
/// numbers: grid cells and the fallback's pieces alike) were read with
/// confidence, of how many.
pub fn labels_read(words: &[Word]) -> (usize, usize) {
    let labels: Vec<&Word> =
        words.iter().filter(|w| !is_number(&w.text) && w.text.chars().count() >= 2).collect();
    (labels.iter().filter(|w| w.confidence.unwrap_or(0.0) >= SURE_LABEL).count(), labels.len())
}

/// Whether a page may be turned, when its tables can tell: its labels read
/// that badly or, on a page with too few labels to tell, most of its ink
/// outside tables lies in no line of text (`unlined`, see
/// `text::unlined_share`). `None`: the page has too few labels and its ink
/// runs in lines; only its text lines can tell ([`lines_doubtful`]).
pub fn doubtful(words: &[Word], unlined: Option<f32>) -> Option<bool> {
    let (sure, all) = labels_read(words);
    if all >= MIN_LABELS {
        return Some((sure as f32) < UPRIGHT_SHARE * all as f32);
    }
    unlined.is_some_and(|u| u > SIDEWAYS_SHARE).then_some(true)
}

/// Whether a page that its tables could not judge may be upside down: its
/// text lines (`lines`, as read) read as badly as a turned page's labels.
pub fn lines_doubtful(lines: &[Word]) -> bool {
    let (sure, all) = labels_read(lines);
    all >= MIN_LINES && (sure as f32) < UPRIGHT_SHARE * all as f32
}

/// A page of prose has few lines read (the title, headings, one body
/// line): two are enough to tell, as a false doubt only costs the OSD.
const MIN_LINES: usize = 2;

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
