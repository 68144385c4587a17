//! Scan stage 3c: text outside the tables. In: the page's ink and table
//! boxes ([`find_lines`]: geometry only), then the lines chosen
//! ([`read_lines`]: OCR). Out: one word per text line.
//!
//! Lines are cut by the ink's row profile and read with chi_sim in
//! single-line mode: cheaper than Tesseract's own page layout analysis,
//! which the rules and tables would only confuse.
//!
//! Only lines that can matter are read. The report's fields come from the
//! tables, its title, and the section headings that delimit the tables;
//! the body of the narrative sections (often pages of it) holds none, and
//! chi_sim costs about 2.5 ms per character. A body line is recognized by
//! its geometry alone: as tall as the page's common line and reaching both
//! margins of the text column. Titles (taller), headings and the last line
//! of each paragraph (short) are read. The first body line of the report is
//! read too: with no title, the organization is named there (我局, 本镇…);
//! `read_images` picks it once every page's lines are known.

use image::{GrayImage, Luma};

use super::blobs::each_piece;
use super::ocr::{Engines, OcrError, Psm};
use super::prep::px_per_mm;
use super::read::{crop_padded, for_chi_sim, join_words, mean_conf};
use crate::layout::{Rect, Word};

/// A band of rows holding text outside the tables, with its ink's extent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Band {
    pub y0: u32,
    pub y1: u32,
    pub x0: u32,
    pub x1: u32,
    /// The widest run of blank columns inside x0..x1.
    pub gap: u32,
}

/// The page's text lines outside the tables, each with whether it is a
/// body line (see [`body_lines`]). Geometry only, no OCR.
pub fn find_lines(
    ink: &[bool],
    w: u32,
    h: u32,
    dpi: f32,
    tables: &[(f32, f32, f32, f32)],
) -> Vec<(Band, bool)> {
    let bands = bands(ink, w, h, dpi, tables, MAX_LINE_MM);
    let body = body_lines(&bands);
    bands.into_iter().zip(body).collect()
}

/// The rows of a table without rules outside the page's grids (`tables`,
/// page pixels), with the page's line height, when there is such a table: at least two bands with
/// column gaps (see [`is_table_row`]; two, not more: an s4 table continued
/// on a new page is a header and one row of values). Bands up to
/// [`MAX_ROW_MM`] count, since a header of stacked cells is taller than any
/// line of text. `lines` are the page's text lines, which give the line
/// height. Such a page goes to the fallback; a page of prose is read line
/// by line.
pub fn unruled_rows(
    ink: &[bool],
    w: u32,
    h: u32,
    dpi: f32,
    tables: &[(f32, f32, f32, f32)],
    lines: &[(Band, bool)],
) -> Option<(Vec<Band>, u32)> {
    let line = line_height(&lines.iter().map(|l| l.0).collect::<Vec<_>>())?;
    let rows: Vec<Band> = bands(ink, w, h, dpi, tables, MAX_ROW_MM)
        .into_iter()
        .filter(|b| is_table_row(b, line))
        .collect();
    tracing::debug!(target: "xxgk::cells", "line height {line}, unruled table rows {rows:?}");
    (rows.len() >= 2).then_some((rows, line))
}

/// The tallest row of a table without rules: a header whose cells stack
/// up to four lines.
const MAX_ROW_MM: f32 = 30.0;

/// The page's common line height: the median band.
pub fn line_height(bands: &[Band]) -> Option<u32> {
    let mut heights: Vec<u32> = bands.iter().map(|b| b.y1 - b.y0).collect();
    heights.sort_unstable();
    heights.get(heights.len() / 2).copied()
}

/// A line with a blank wider than two and a half lines inside: prose has
/// none, a row of a table without rules has one between its columns. A
/// band of several lines is a header of stacked cells (结果/维持) when a
/// blank a line wide separates them: its columns are narrow.
pub fn is_table_row(b: &Band, line: u32) -> bool {
    let (gap, line) = (b.gap as f32, line as f32);
    gap >= 2.5 * line || ((b.y1 - b.y0) as f32 >= 1.8 * line && gap >= line)
}

/// A text line as OCR read it: one word in points, and where its ink is
/// (for rereading the title, see `heading.rs`).
#[derive(Clone, Debug, PartialEq)]
pub struct LineRead {
    pub page: usize,
    /// The line's ink, page pixels.
    pub band: Band,
    pub word: Word,
}

/// Reads `lines` of page `page` with chi_sim. `tables` (page pixels) are
/// whited out of each line's crop.
pub fn read_lines(
    page: usize,
    gray: &GrayImage,
    dpi: f32,
    tables: &[(f32, f32, f32, f32)],
    lines: &[Band],
    pad: f32,
    engines: &mut Engines,
) -> Result<Vec<LineRead>, OcrError> {
    let pt = 72.0 / dpi;
    let mut words = Vec::new();
    for b in lines {
        let mut crop = crop_padded(gray, (b.x0, b.y0, b.x1, b.y1), pad);
        blank_tables(&mut crop, b, pad, tables);
        let (crop, crop_dpi) = for_chi_sim(&crop, dpi as u32);
        let got = engines.text.read(&crop, Psm::Line, crop_dpi)?;
        let text = join_words(&got, false);
        if text.trim().is_empty() {
            continue;
        }
        let rect = Rect {
            x0: b.x0 as f32 * pt,
            y0: b.y0 as f32 * pt,
            x1: b.x1 as f32 * pt,
            y1: b.y1 as f32 * pt,
        };
        words.push(LineRead {
            page,
            band: *b,
            word: Word { text, rect, confidence: Some(mean_conf(&got)) },
        });
    }
    Ok(words)
}

/// Whites out any table that reaches into a line's crop.
fn blank_tables(crop: &mut GrayImage, b: &Band, pad: f32, tables: &[(f32, f32, f32, f32)]) {
    let pad = (pad * (b.y1 - b.y0) as f32).round().max(4.0) as i64;
    let (ox, oy) = (b.x0 as i64 - pad, b.y0 as i64 - pad);
    for (cx, cy, px) in crop.enumerate_pixels_mut() {
        let (gx, gy) = ((cx as i64 + ox) as f32, (cy as i64 + oy) as f32);
        if tables
            .iter()
            .any(|&(a, b, c, d)| gx >= a - 2.0 && gx <= c + 2.0 && gy >= b - 2.0 && gy <= d + 2.0)
        {
            *px = Luma([255]);
        }
    }
}

/// The tallest band read as one line of text: a title in large type.
pub const MAX_LINE_MM: f32 = 12.0;

/// Bands of rows holding text outside the tables: rows with ink, joined
/// over gaps under 0.8 mm, 1.8 to `max_mm` tall.
pub fn bands(
    ink: &[bool],
    w: u32,
    h: u32,
    dpi: f32,
    tables: &[(f32, f32, f32, f32)],
    max_mm: f32,
) -> Vec<Band> {
    let mm = px_per_mm(dpi);
    let ink = &text_ink(ink, w, h, dpi);
    // Per row, the x ranges that tables cover (with a 2 px margin).
    let covered = |y: u32| -> Vec<(u32, u32)> {
        let yf = y as f32;
        let mut v: Vec<(u32, u32)> = tables
            .iter()
            .filter(|t| yf >= t.1 - 2.0 && yf <= t.3 + 2.0)
            .map(|t| ((t.0 - 2.0).max(0.0) as u32, ((t.2 + 2.0).max(0.0) as u32 + 1).min(w)))
            .collect();
        v.sort_unstable();
        v
    };
    let outside = |y: u32| -> (u32, Option<(u32, u32)>) {
        let row = &ink[(y * w) as usize..((y + 1) * w) as usize];
        let cov = covered(y);
        let mut n = 0;
        let (mut lo, mut hi) = (u32::MAX, 0);
        let mut x = 0u32;
        for &(a, b) in cov.iter().chain(std::iter::once(&(w, w))) {
            for xx in x..a.min(w) {
                if row[xx as usize] {
                    n += 1;
                    lo = lo.min(xx);
                    hi = xx + 1;
                }
            }
            x = x.max(b);
        }
        (n, (n > 0).then_some((lo, hi)))
    };
    let mut out = Vec::new();
    let gap = (0.8 * mm) as u32;
    let mut cur: Option<Band> = None;
    let mut last = 0;
    for y in 0..h {
        let (n, span) = outside(y);
        if n >= 2 {
            let (lo, hi) = span.unwrap_or((0, 0));
            cur = Some(match cur {
                Some(b) => Band { y1: y + 1, x0: b.x0.min(lo), x1: b.x1.max(hi), ..b },
                None => Band { y0: y, y1: y + 1, x0: lo, x1: hi, gap: 0 },
            });
            last = y;
        } else if cur.is_some() && y - last > gap {
            out.extend(cur.take());
        }
    }
    out.extend(cur);
    tracing::debug!(target: "xxgk::lines", "bands up to {max_mm} mm: {:?}",
        out.iter().map(|b| (b.y0, b.y1, b.x0, b.x1)).collect::<Vec<_>>());
    out.retain(|b| (b.y1 - b.y0) as f32 >= 1.8 * mm && (b.y1 - b.y0) as f32 <= max_mm * mm);
    let in_table = |x: u32, y: u32| {
        tables.iter().any(|t| {
            (x as f32) >= t.0 - 2.0
                && (x as f32) <= t.2 + 2.0
                && (y as f32) >= t.1 - 2.0
                && (y as f32) <= t.3 + 2.0
        })
    };
    for b in &mut out {
        let (mut run, mut widest) = (0, 0);
        for x in b.x0..b.x1 {
            if (b.y0..b.y1).any(|y| ink[(y * w + x) as usize] && !in_table(x, y)) {
                run = 0;
            } else {
                run += 1;
                widest = widest.max(run);
            }
        }
        b.gap = widest;
    }
    out
}

/// The ink that can belong to a line of text: without pieces taller than
/// a line of the largest type, and without specks under
/// [`MIN_PIECE_MM2`]. Where a binding shadow meets a white lid (or the
/// paper beyond a shifted sheet), the flattening leaves a strip of ink
/// down the sheet's edge, and divided out, the shadow's noise leaves
/// specks beside it: both run through every row of the page, so the text
/// lines merged into one band and were lost, the title with them. Nor
/// pieces at the image's edge ([`EDGE_MM`]).
fn text_ink(ink: &[bool], w: u32, h: u32, dpi: f32) -> Vec<bool> {
    let mm = px_per_mm(dpi);
    let (tall, speck) = ((MAX_LINE_MM * mm) as usize, (MIN_PIECE_MM2 * mm * mm) as usize);
    let edge = (EDGE_MM * mm) as usize;
    let mut out = ink.to_vec();
    each_piece(ink, w as usize, h as usize, |b, cells| {
        let at_edge = b.2 < edge || b.0 + edge >= w as usize;
        if b.3 - b.1 + 1 > tall || cells.len() < speck || at_edge {
            for &i in cells {
                out[i] = false;
            }
        }
    });
    out
}

/// Ink this close to the image's left or right edge is no text: a
/// report's margins are 15 mm or more, and there a shadow along the
/// sheet's edge leaves pieces too small to be dropped as a strip (see
/// [`text_ink`]), one above the other: every line of the page beside them
/// merged into one band, title and all.
const EDGE_MM: f32 = 8.0;

/// The smallest piece of ink that counts towards a text line, mm²: noise
/// specks are a pixel or a few, a full stop in 10.5 pt type about 0.2 mm².
const MIN_PIECE_MM2: f32 = 0.1;

/// The share of the page's ink outside the tables that lies in none of
/// `bands` (lines of text, rows of a table without rules), or `None` when
/// there is too little ink to tell: about 0 on an upright page of text,
/// about 1 on a page turned sideways, whose lines run down the page and
/// so make no band (see `orient.rs`).
pub fn unlined_share(
    ink: &[bool],
    w: u32,
    dpi: f32,
    tables: &[(f32, f32, f32, f32)],
    bands: &[Band],
) -> Option<f32> {
    let in_table = |x: usize, y: usize| {
        tables.iter().any(|t| {
            (x as f32) >= t.0 - 2.0
                && (x as f32) <= t.2 + 2.0
                && (y as f32) >= t.1 - 2.0
                && (y as f32) <= t.3 + 2.0
        })
    };
    let (mut all, mut lined) = (0usize, 0usize);
    for (y, row) in ink.chunks_exact(w as usize).enumerate() {
        let row_bands: Vec<&Band> =
            bands.iter().filter(|b| (b.y0 as usize..b.y1 as usize).contains(&y)).collect();
        for (x, _) in row.iter().enumerate().filter(|p| *p.1) {
            if in_table(x, y) {
                continue;
            }
            all += 1;
            if row_bands.iter().any(|b| (b.x0 as usize..b.x1 as usize).contains(&x)) {
                lined += 1;
            }
        }
    }
    let mm2 = px_per_mm(dpi) * px_per_mm(dpi);
    (all as f32 >= MIN_UNLINED_INK_MM2 * mm2).then(|| 1.0 - lined as f32 / all as f32)
}

/// Ink outside tables of at least this many mm² says something of how the
/// page's text runs: about half a line of 10.5 pt text across the column
/// (a page holding only the s4 table and a few lines has 370 mm²; specks
/// of noise on a blank page, a few).
const MIN_UNLINED_INK_MM2: f32 = 50.0;

/// Which bands are body lines of a paragraph: about the page's common line
/// height (a title is taller), reaching both margins of the text column (a
/// heading or a paragraph's last line stops short; a first line is
/// indented by at most a few characters), and with no blank wider than a
/// couple of characters inside (a row of a table without rules has such
/// gaps between its columns: it must be read).
pub fn body_lines(bands: &[Band]) -> Vec<bool> {
    if bands.len() < 3 {
        return vec![false; bands.len()];
    }
    let mut heights: Vec<u32> = bands.iter().map(|b| b.y1 - b.y0).collect();
    heights.sort_unstable();
    let line = heights[heights.len() / 2] as f32;
    let left = bands.iter().map(|b| b.x0).min().unwrap_or(0) as f32;
    let right = bands.iter().map(|b| b.x1).max().unwrap_or(0) as f32;
    bands
        .iter()
        .map(|b| {
            let hgt = (b.y1 - b.y0) as f32;
            hgt <= 1.15 * line
                && b.x0 as f32 <= left + 3.0 * line
                && b.x1 as f32 >= right - 1.5 * line
                && !is_table_row(b, line as u32)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band(x0: u32, x1: u32, y0: u32, h: u32) -> Band {
        Band { y0, y1: y0 + h, x0, x1, gap: 10 }
    }

    #[test]
    fn body_lines_reach_both_margins_at_the_common_height() {
        let bands = [
            band(400, 2000, 100, 60),                      // title: taller
            band(200, 700, 200, 40),                       // heading: short
            band(280, 2200, 260, 40),                      // first line, indented
            band(200, 2190, 310, 40),                      // body
            band(200, 1300, 360, 40),                      // last line: short
            band(200, 2200, 420, 40),                      // body
            Band { gap: 300, ..band(200, 2200, 480, 40) }, // a table row without rules
        ];
        assert_eq!(body_lines(&bands), vec![false, false, true, true, false, true, false]);
    }

    #[test]
    fn few_lines_are_all_read() {
        assert_eq!(
            body_lines(&[band(200, 2200, 0, 40), band(200, 2200, 50, 40)]),
            vec![false, false]
        );
    }

    #[test]
    fn bands_skip_table_ink_and_keep_extent() {
        let (w, h) = (100u32, 100u32);
        let mut ink = vec![false; (w * h) as usize];
        // At 5 px/mm: a text line at rows 10..20 (2 mm), columns 5..60; a
        // table at rows 40..90.
        for y in 10..20 {
            for x in 5..60 {
                ink[(y * w + x) as usize] = true;
            }
        }
        for y in 40..90 {
            for x in 0..100 {
                ink[(y * w + x) as usize] = true;
            }
        }
        let got = bands(&ink, w, h, 127.0, &[(0.0, 40.0, 99.0, 89.0)], MAX_LINE_MM);
        assert_eq!(got, vec![Band { y0: 10, y1: 20, x0: 5, x1: 60, gap: 0 }]);
    }

    /// A shadow along the sheet's edge leaves small pieces of ink one
    /// above the other (e2 r2027-0006, scan200-pdf): they joined every
    /// line of the page into one band, too tall to be a line.
    #[test]
    fn ink_at_the_edge_joins_no_lines() {
        let (w, h) = (200u32, 100u32);
        let mut ink = vec![false; (w * h) as usize];
        // At 5 px/mm: two text lines 2 mm high, 4 mm apart; pieces of 3 x 3
        // px down the right edge, a pixel apart.
        for (x, y) in (60..140).flat_map(|x| (10..20).chain(40..50).map(move |y| (x, y))) {
            ink[(y * w + x) as usize] = true;
        }
        for y in (0..h).filter(|y| y % 4 != 3) {
            for x in 195..198 {
                ink[(y * w + x) as usize] = true;
            }
        }
        let got: Vec<(u32, u32)> =
            bands(&ink, w, h, 127.0, &[], MAX_LINE_MM).iter().map(|b| (b.y0, b.y1)).collect();
        assert_eq!(got, vec![(10, 20), (40, 50)]);
    }
}
