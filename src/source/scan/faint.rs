//! Scan stage 1b: ink the binarization cannot see, and noise it takes for
//! ink. In: the flattened, deskewed page and its Sauvola ink. Out: the ink
//! with faint strokes added and specks removed.
//!
//! Archives hold copies whose toner faded in bands and scans saved as
//! JPEG at quality 25–40 with sensor noise: on the same page, digits whose
//! core is 25 gray levels under the paper, and paper whose noise reaches
//! 40 levels under it. Sauvola's threshold sits about 12% under the local
//! mean, so the first are lost (whole rows of a table, their rules with
//! them) and, without its paper cap, the second would be ink. Both are a
//! matter of contrast against the paper's noise, measured on the page:
//! - faint ink ([`add_faint`]): where no dark ink lies within a few
//!   millimetres (a faded band, or blank paper), a pixel of the lightly
//!   smoothed page lying [`FAINT_DEVIATIONS`] of the noise under the paper
//!   is ink;
//! - specks ([`drop_specks`]): a small piece of ink with little ink around
//!   it is noise.

use image::GrayImage;

use super::blobs::each_piece;
use super::prep::px_per_mm;

/// The paper of a flattened page, in its gray levels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Paper {
    /// Its level: the page's median (paper covers most of any page).
    pub level: f32,
    /// The spread of its noise: from the median down to the lower
    /// quartile, as for a normal distribution. The ink below the paper
    /// pulls the quartile down a little, so this errs high by a fifth on
    /// a dense page; the paper's clipping at white does not reach it
    /// (blocks of paper at their median, which the flattening puts at
    /// white, would: their spread came out half the noise).
    pub noise: f32,
}

impl Paper {
    pub fn of(px: &[u8]) -> Paper {
        let hist = histogram(px);
        let (median, quartile) = (quantile(&hist, 0.5), quantile(&hist, 0.25));
        Paper { level: median as f32, noise: (median - quartile) as f32 / 0.674 }
    }
}

/// How many of `px` have each gray level.
pub fn histogram(px: &[u8]) -> [usize; 256] {
    let mut hist = [0usize; 256];
    for &v in px {
        hist[v as usize] += 1;
    }
    hist
}

/// The value at quantile `q` of a histogram.
pub fn quantile(hist: &[usize; 256], q: f32) -> u8 {
    let n: usize = hist.iter().sum();
    let want = ((n as f32 * q).ceil() as usize).max(1);
    let mut seen = 0;
    (0..=255u8)
        .find(|&v| {
            seen += hist[v as usize];
            seen >= want
        })
        .unwrap_or(255)
}

/// `ink` (the binarization of `gray`) with the strokes too pale for it
/// added ([`add_faint`]) and specks dropped ([`drop_specks`]): where a
/// table's rules are continued across a faded band, and where a cell with
/// no `ink` is looked at again.
pub fn with_faint(gray: &GrayImage, ink: &[bool], dpi: f32) -> Vec<bool> {
    let mut faint = ink.to_vec();
    add_faint(gray, dpi, &Paper::of(gray.as_raw()), &mut faint);
    drop_specks(&mut faint, gray.width(), gray.height(), dpi);
    faint
}

/// Adds to `ink` the strokes too pale for the binarization: in the parts
/// of the page with no dark ink (darker than [`DARK_INK`]) within
/// [`DARK_REACH_MM`], the pixels of the page smoothed by a 3×3 binomial
/// kernel that lie [`FAINT_DEVIATIONS`] of the paper's noise around them
/// (and at least [`MIN_FAINT_CONTRAST`]) under the paper around them, and
/// below halfway to the darkest ink near. Where dark ink is near, the
/// binarization's reading stands as it was: around well-inked strokes JPEG
/// leaves halos this test would take for ink.
///
/// The noise is measured around each place, not once for the page: the
/// flattening amplifies it where the light was poor (a binding shadow
/// three times), and there the page's noise took the paper for faint ink.
pub fn add_faint(gray: &GrayImage, dpi: f32, paper: &Paper, ink: &mut [bool]) {
    let (w, h) = (gray.width() as usize, gray.height() as usize);
    if w < 3 || h < 3 {
        return;
    }
    let paper_level = paper.level.min(255.0);
    if paper_level - MIN_FAINT_CONTRAST <= DARK_INK as f32 {
        return;
    }
    let smooth = binomial(gray.as_raw(), w, h);
    let mm = px_per_mm(dpi);
    let b = (mm.round() as usize).max(2);
    let (bw, bh) = (w.div_ceil(b), h.div_ceil(b));
    // Per block: its darkest pixel, its median, and the spread of its
    // pixels from the median down to the lower quartile (a stroke over
    // part of a block moves it little).
    let mut darkest = vec![255u8; bw * bh];
    let mut medians = vec![0f32; bw * bh];
    let mut spread = vec![0f32; bw * bh];
    let mut buf: Vec<u8> = Vec::with_capacity(b * b);
    for by in 0..bh {
        for bx in 0..bw {
            buf.clear();
            for y in by * b..((by + 1) * b).min(h) {
                buf.extend_from_slice(&smooth[y * w + bx * b..y * w + ((bx + 1) * b).min(w)]);
            }
            let mid = buf.len() / 2;
            let median = *buf.select_nth_unstable(mid).1;
            darkest[by * bw + bx] = buf.iter().copied().min().unwrap_or(255);
            medians[by * bw + bx] = median as f32;
            // The lower quartile: the paper is clipped at white above its
            // median, often at it.
            let quartile =
                if mid == 0 { median } else { *buf[..mid].select_nth_unstable(mid / 2).1 };
            spread[by * bw + bx] = (median - quartile) as f32 / 0.674;
        }
    }
    let reach = ((DARK_REACH_MM * mm) as usize).div_ceil(b);
    let near_dark = min_filter(&darkest, bw, bh, reach);
    let local = median_filter(&medians, bw, bh, NOISE_REACH_BLOCKS);
    // Noise within a block, and between blocks: JPEG at low quality turns
    // noise into tiles of 8×8 pixels, flat inside, each its own shade.
    let within = median_filter(&spread, bw, bh, NOISE_REACH_BLOCKS);
    let off: Vec<f32> = medians.iter().zip(&local).map(|(m, l)| 1.4826 * (m - l).abs()).collect();
    let between = median_filter(&off, bw, bh, NOISE_REACH_BLOCKS);
    let noise: Vec<f32> = within.iter().zip(&between).map(|(a, b)| a.hypot(*b)).collect();
    // Not along the image's edges: a sheet's edge, a lid's rim and an edge
    // shadow lie there, shades the flattening cannot follow, and no
    // report's text (its margins are 15 mm and more).
    let edge = (EDGE_MM * mm) as usize;
    let inside = |x: usize, y: usize| x >= edge && y >= edge && x + edge < w && y + edge < h;
    let paper_here = |k: usize| local[k].min(paper_level);
    // Faded print, not blank paper: around a place, a share of the pixels
    // away from dark ink lies three deviations of the noise under the
    // paper (faint strokes; noise alone puts one pixel in 700 there, and
    // JPEG's tiles some more).
    let mut low = vec![0u32; bw * bh];
    for y in 0..h {
        let row = (y / b) * bw;
        for x in 0..w {
            let k = row + x / b;
            if near_dark[k] > DARK_INK
                && (smooth[y * w + x] as f32) < paper_here(k) - 3.0 * noise[k].max(1.0)
            {
                low[k] += 1;
            }
        }
    }
    let reach = (FADED_REACH_MM * mm / b as f32).round() as usize;
    let low = box_sum(&low, bw, bh, reach);
    let per_region = ((2 * reach + 1) * b) as f32 * ((2 * reach + 1) * b) as f32;
    for y in edge..h.saturating_sub(edge) {
        let row = (y / b) * bw;
        for x in edge..w.saturating_sub(edge) {
            let k = row + x / b;
            let dark = near_dark[k];
            if dark <= DARK_INK || !inside(x, y) || (low[k] as f32) < MIN_FADED_SHARE * per_region {
                continue;
            }
            // The paper here: flattening leaves slow shades of a few levels
            // (a sheet's edge, a shadow's rim).
            let paper = paper_here(k);
            let below = (FAINT_DEVIATIONS * noise[k]).max(MIN_FAINT_CONTRAST);
            let limit = (paper - below).min((dark as f32 + paper) / 2.0);
            if (smooth[y * w + x] as f32) < limit {
                ink[y * w + x] = true;
            }
        }
    }
}

/// Faded print around a place: this share of the pixels within
/// [`FADED_REACH_MM`] lies three deviations under the paper (a line of
/// faint text darkens a tenth of its pixels, noisy paper a few hundredths
/// of one).
const MIN_FADED_SHARE: f32 = 0.03;
const FADED_REACH_MM: f32 = 3.0;

/// Sum over a (2r+1)² square of blocks.
fn box_sum(src: &[u32], w: usize, h: usize, r: usize) -> Vec<u32> {
    let mut tmp = vec![0u32; src.len()];
    for y in 0..h {
        for x in 0..w {
            tmp[y * w + x] =
                src[y * w + x.saturating_sub(r)..=y * w + (x + r).min(w - 1)].iter().sum();
        }
    }
    let mut out = vec![0u32; src.len()];
    for y in 0..h {
        for x in 0..w {
            out[y * w + x] =
                (y.saturating_sub(r)..=(y + r).min(h - 1)).map(|yy| tmp[yy * w + x]).sum();
        }
    }
    out
}

/// How far from the image's edges faint ink is sought.
const EDGE_MM: f32 = 8.0;

/// The noise around a block is the median of the blocks' spreads this
/// many blocks (millimetres) around: strokes raise a few blocks' spread,
/// a region of the page its noise.
const NOISE_REACH_BLOCKS: usize = 3;

/// Median over a (2r+1)² square of blocks.
fn median_filter(src: &[f32], w: usize, h: usize, r: usize) -> Vec<f32> {
    let mut out = vec![0f32; src.len()];
    let mut buf: Vec<f32> = Vec::with_capacity((2 * r + 1) * (2 * r + 1));
    for y in 0..h {
        for x in 0..w {
            buf.clear();
            for yy in y.saturating_sub(r)..=(y + r).min(h - 1) {
                buf.extend_from_slice(
                    &src[yy * w + x.saturating_sub(r)..=yy * w + (x + r).min(w - 1)],
                );
            }
            let mid = buf.len() / 2;
            out[y * w + x] = *buf.select_nth_unstable_by(mid, f32::total_cmp).1;
        }
    }
    out
}

/// Ink this dark is seen by the binarization; pale ink is lighter (a
/// faded band's digits read 190–230 on the flattened page).
const DARK_INK: u8 = 150;
/// How far from dark ink the binarization alone decides: its halos and
/// the blur of its strokes stay within a millimetre or two.
const DARK_REACH_MM: f32 = 3.0;
/// Faint ink lies this many deviations of the smoothed paper's noise
/// under the paper: a noise pixel that far is rare, and alone (a speck).
const FAINT_DEVIATIONS: f32 = 4.0;
/// Whatever the noise, faint ink is at least this much darker than the
/// paper (a clean synthetic page has no noise to measure).
const MIN_FAINT_CONTRAST: f32 = 12.0;

/// The page smoothed by the 3×3 binomial kernel (1 2 1 each way): noise
/// falls to about 0.4 of itself, a stroke two pixels wide keeps most of
/// its depth.
pub fn binomial(px: &[u8], w: usize, h: usize) -> Vec<u8> {
    let mut rows = vec![0u16; w * h];
    for y in 0..h {
        let r = &px[y * w..][..w];
        let d = &mut rows[y * w..][..w];
        for x in 0..w {
            let (l, c, rr) = (r[x.saturating_sub(1)], r[x], r[(x + 1).min(w - 1)]);
            d[x] = l as u16 + 2 * c as u16 + rr as u16;
        }
    }
    let mut out = vec![0u8; w * h];
    for y in 0..h {
        let (up, mid, down) = (y.saturating_sub(1), y, (y + 1).min(h - 1));
        for x in 0..w {
            let s = rows[up * w + x] + 2 * rows[mid * w + x] + rows[down * w + x];
            out[y * w + x] = ((s + 8) / 16) as u8;
        }
    }
    out
}

/// Minimum over a (2r+1)² square, separably.
fn min_filter(src: &[u8], w: usize, h: usize, r: usize) -> Vec<u8> {
    let mut tmp = vec![0u8; src.len()];
    for y in 0..h {
        for x in 0..w {
            let (a, b) = (x.saturating_sub(r), (x + r).min(w - 1));
            tmp[y * w + x] = src[y * w + a..=y * w + b].iter().copied().min().unwrap_or(255);
        }
    }
    let mut out = vec![0u8; src.len()];
    for y in 0..h {
        let (a, b) = (y.saturating_sub(r), (y + r).min(h - 1));
        for x in 0..w {
            out[y * w + x] = (a..=b).map(|yy| tmp[yy * w + x]).min().unwrap_or(255);
        }
    }
    out
}

/// Removes specks from `ink` (row-major `w`×`h`): pieces of ink (8-connected)
/// smaller than [`SPECK_MM2`] with little ink around them (under
/// [`SPECK_DENSITY`] of the square [`SPECK_RADIUS_MM`] around). A noisy
/// scan leaves such specks across the paper; a speck next to text is kept
/// (the point of 38.0000, the pieces of a broken stroke), since the ink
/// around it is dense.
pub fn drop_specks(ink: &mut [bool], w: u32, h: u32, dpi: f32) {
    let mm = px_per_mm(dpi);
    let max_area = ((SPECK_MM2 * mm * mm) as usize).max(2);
    let (wu, hu) = (w as usize, h as usize);
    if wu == 0 || hu == 0 {
        return;
    }
    // Ink per block of about half a millimetre, for the density around a
    // speck.
    let b = ((mm * 0.5).round() as usize).max(1);
    let (bw, bh) = (wu.div_ceil(b), hu.div_ceil(b));
    let mut blocks = vec![0u32; bw * bh];
    for (i, _) in ink.iter().enumerate().filter(|p| *p.1) {
        blocks[(i / wu / b) * bw + i % wu / b] += 1;
    }
    let reach = ((SPECK_RADIUS_MM * mm) as usize).div_ceil(b).max(1);
    let mut specks = Vec::new();
    each_piece(ink, wu, hu, |_, piece| {
        if piece.len() > max_area {
            return;
        }
        let (cx, cy) = (piece[0] % wu / b, piece[0] / wu / b);
        let (x0, x1) = (cx.saturating_sub(reach), (cx + reach).min(bw - 1));
        let (y0, y1) = (cy.saturating_sub(reach), (cy + reach).min(bh - 1));
        let around: u32 =
            (y0..=y1).map(|by| blocks[by * bw + x0..=by * bw + x1].iter().sum::<u32>()).sum();
        let area = ((x1 - x0 + 1) * (y1 - y0 + 1) * b * b) as f32;
        let others = around.saturating_sub(piece.len() as u32) as f32;
        if others < SPECK_DENSITY * area {
            specks.extend_from_slice(piece);
        }
    });
    for i in specks {
        ink[i] = false;
    }
}

/// A piece of ink smaller than this (mm²) may be a speck: a full stop at
/// 10.5 pt is about 0.15 mm², a stroke of a character more.
const SPECK_MM2: f32 = 0.25;
/// How far around a speck the ink is counted.
const SPECK_RADIUS_MM: f32 = 1.5;
/// Text, even broken by fading, inks more than this share of the square
/// around one of its pieces; scattered noise under a tenth of it.
const SPECK_DENSITY: f32 = 0.03;
