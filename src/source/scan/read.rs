//! Scan stage 3b: reading a prepared page. In: the flattened, deskewed gray
//! page, its ink with rules erased, and its tables. Out: a layout [`Page`]
//! (one word per table cell, one per text line outside tables, boxes in
//! points) and a [`CellRead`] per non-empty cell for later rereading.
//!
//! Numbers are read cell by cell on tight crops with the digits-only engine
//! in single-line mode. A cell counts as a number only when that reading is
//! a well-formed number, confident, and fits the ink's shape (a digit is
//! about half as wide as it is tall, a Chinese character about as wide);
//! anything else is a label and is read with chi_sim (single-line mode, or
//! block mode for a label wrapped in its cell). Ink that is clearly text
//! (taller than the table's digits, or wider than any number) skips the
//! digits engine. Text outside the tables: see [`super::text`].
//!
//! Cost, for the record: chi_sim takes about 2.5 ms per character on one
//! core whatever the crop (the network sees every character at 48 px), the
//! digits engine about 1.5 ms per cell, so a page's time is mostly the
//! characters of its labels.

use image::{imageops, GrayImage, Luma};

use super::cache::{Ink, InkCache};
use super::lines::Segment;
use super::ocr::{Engines, OcrError, OcrWord, Psm, Symbol};
use super::prep::px_per_mm;
use crate::layout::{Grid, Page, Rect, Rule, Word};

/// How a page's cells were read.
#[derive(Clone, Debug)]
pub struct ReadParams {
    /// A number reading below this confidence is not trusted as a number
    /// (the cell is then read as text by chi_sim, which reads digits too).
    pub number_min_confidence: f32,
    /// White border around a crop, in multiples of the ink height.
    pub pad: f32,
}

impl Default for ReadParams {
    fn default() -> Self {
        ReadParams { number_min_confidence: 0.45, pad: 0.5 }
    }
}

/// One cell read on its own, kept for the rule-guided rereading.
#[derive(Clone, Debug)]
pub struct CellRead {
    /// 1-based page of the report.
    pub page: usize,
    /// The cell box in points (what the report's `location` holds).
    pub rect: Rect,
    /// The ink box in page pixels.
    pub ink: (u32, u32, u32, u32),
    pub text: String,
    pub confidence: f32,
    pub number: bool,
    pub symbols: Vec<Symbol>,
    /// Read by the fallback: no grid cell, its column comes from its
    /// position alone.
    pub placed: bool,
    /// Red ink (a seal) covers part of the cell: what OCR read there may
    /// be the seal's strokes, however sure it is.
    pub sealed: bool,
}

/// What the reader needs of a page.
pub struct PageInput<'a> {
    pub number: usize,
    pub gray: &'a GrayImage,
    pub ink: &'a [bool],
    /// `ink` with the strokes too pale for it (see `faint::with_faint`):
    /// a cell with no `ink` is looked at again in it.
    pub faint: &'a [bool],
    pub dpi: f32,
    pub segments: &'a [Segment],
    /// `segments` in points.
    pub rules: &'a [Rule],
    /// Grids in points.
    pub tables: &'a [Grid],
    /// Where a seal's red ink was dropped (0), page pixels; see
    /// `input::PageImage`.
    pub red: Option<&'a GrayImage>,
}

/// A share of a cell's pixels above this under red ink makes it sealed: a
/// seal's ring or lettering crossing the cell, not a speck of JPEG colour.
const SEALED_SHARE: f32 = 0.01;

/// Whether red ink covers part of the pixel box `(x0, y0, x1, y1)`.
pub(super) fn under_seal(p: &PageInput, (x0, y0, x1, y1): (f32, f32, f32, f32)) -> bool {
    let Some(red) = p.red else { return false };
    let (w, h) = red.dimensions();
    let (x0, y0) = (x0.max(0.0) as u32, y0.max(0.0) as u32);
    let (x1, y1) = ((x1.max(0.0) as u32).min(w), (y1.max(0.0) as u32).min(h));
    let area = x1.saturating_sub(x0) as f32 * y1.saturating_sub(y0) as f32;
    let inked = (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| (x, y)))
        .filter(|&(x, y)| red.get_pixel(x, y)[0] < 128)
        .count();
    area > 0.0 && inked as f32 > SEALED_SHARE * area
}

/// Reads the table cells of a page (the text outside them: [`super::text`]).
pub fn read_page(
    p: &PageInput,
    engines: &mut Engines,
    params: &ReadParams,
) -> Result<(Page, Vec<CellRead>), OcrError> {
    let pt = 72.0 / p.dpi;
    let to_rect = |(x0, y0, x1, y1): (f32, f32, f32, f32)| Rect {
        x0: x0 * pt,
        y0: y0 * pt,
        x1: x1 * pt,
        y1: y1 * pt,
    };
    let to_px = |r: Rect| (r.x0 / pt, r.y0 / pt, r.x1 / pt, r.y1 / pt);
    let (w, h) = p.gray.dimensions();
    let mut words = Vec::new();
    let mut cells = Vec::new();
    let thick =
        p.segments.iter().map(|s| s.thickness).fold(2.0f32, f32::max).min(px_per_mm(p.dpi) * 1.2);
    let inset = thick / 2.0 + px_per_mm(p.dpi) * 0.35;
    let mut numbers_seen: InkCache<NumberRead> = InkCache::default();
    let mut labels_seen: InkCache<Option<Reading>> = InkCache::default();
    for t in p.tables {
        // Pass 1: the digits engine on every non-empty cell that may hold a
        // number. Narrow cells go first: they give the digits' height, and
        // then ink clearly taller than digits (Chinese text, a wrapped
        // label) or too wide for any number is left for chi_sim (`None`).
        let mut found: Vec<(usize, PxBox)> = Vec::new();
        // Cells whose only ink is faint (a faded band): read in the faint
        // ink, and never surely (see [`FAINT_CONFIDENCE`]).
        let mut faint_only: Vec<usize> = Vec::new();
        for (k, c) in t.cells.iter().enumerate() {
            let (x0, y0, x1, y1) = to_px(c.rect);
            let inner = (x0 + inset, y0 + inset, x1 - inset, y1 - inset);
            if let Some(ink) = ink_box(p.ink, w, h, inner, p.dpi) {
                found.push((k, ink));
            } else if let Some(ink) = ink_box(p.faint, w, h, inner, p.dpi) {
                found.push((k, ink));
                faint_only.push(k);
            }
        }
        let in_faint = PageInput { ink: p.faint, ..*p };
        let page_for = |k: usize| if faint_only.contains(&k) { &in_faint } else { p };
        let aspect = |b: PxBox| (b.2 - b.0) as f32 / (b.3 - b.1).max(1) as f32;
        found.sort_by(|a, b| {
            (aspect(a.1) > NARROW).cmp(&(aspect(b.1) > NARROW)).then(a.0.cmp(&b.0))
        });
        let mut first: Vec<(usize, PxBox, GrayImage, Option<NumberRead>)> = Vec::new();
        let mut digit_h: Option<u32> = None;
        for (k, ink) in found {
            let p = page_for(k);
            let crop = crop_cell(p.gray, ink, params.pad);
            if digit_h.is_none() && aspect(ink) > NARROW {
                digit_h = median_height(
                    first
                        .iter()
                        .filter(|f| f.3.as_ref().is_some_and(|n| n.sure(params)))
                        .map(|f| f.1),
                );
            }
            let text_like = digit_h.is_some_and(|d| (ink.3 - ink.1) as f32 > TALLER * d as f32)
                || aspect(ink) > MAX_NUMBER_ASPECT;
            let n = if text_like {
                None
            } else {
                Some(first_reading_seen(engines, p, &crop, ink, params, &mut numbers_seen)?)
            };
            first.push((k, ink, crop, n));
        }
        first.sort_by_key(|f| f.0);
        // A column where most cells are confident numbers is a value column:
        // there a well-formed number reading stands even when unsure (and is
        // then reread and checked by the rules) instead of going to chi_sim,
        // which turns a faint "-1" into a character.
        // Only cells from a column's first confident number down vote: the
        // header cells above are text in every column.
        let nc = t.cols();
        let sure = |n: &Option<NumberRead>| n.as_ref().is_some_and(|n| n.sure(params));
        let mut first_number = vec![usize::MAX; nc];
        for (k, _, _, n) in &first {
            let c = &t.cells[*k];
            if c.colspan == 1 && sure(n) {
                first_number[c.col] = first_number[c.col].min(c.row);
            }
        }
        let mut votes = vec![(0usize, 0usize); nc];
        for (k, _, _, n) in &first {
            let c = &t.cells[*k];
            if c.colspan == 1 && c.row >= first_number[c.col] {
                votes[c.col].1 += 1;
                if sure(n) {
                    votes[c.col].0 += 1;
                }
            }
        }
        // A row at least half of whose cells are confident numbers is a
        // value row (an s4 column holds a single number under its headers;
        // an s2 row is a label and three numbers).
        let mut row_votes = vec![(0usize, 0usize); t.rows()];
        for (k, _, _, n) in &first {
            let c = &t.cells[*k];
            if c.rowspan == 1 {
                row_votes[c.row].1 += 1;
                if sure(n) {
                    row_votes[c.row].0 += 1;
                }
            }
        }
        // Text one line high: under twice the height of the table's digits
        // (a Chinese line is about 1.3 times it, a wrapped label 4 times).
        let digit_h = median_height(first.iter().filter(|f| sure(&f.3)).map(|f| f.1));
        let one_line = |b: PxBox| digit_h.is_some_and(|d| (b.3 - b.1) <= 2 * d);
        for (k, ink, crop, n) in first {
            let p = page_for(k);
            let c = &t.cells[k];
            let value_column = votes[c.col].0 * 2 > votes[c.col].1
                || (row_votes[c.row].0 > 0 && row_votes[c.row].0 * 2 >= row_votes[c.row].1);
            tracing::debug!(target: "xxgk::cells", "p{} r{} c{}: {:?} value column {} ink {:?}",
                    p.number,
                    c.row,
                    c.col,
                    n.as_ref().map(|n| (&n.text, n.confidence, n.shaped)),
                    value_column,
                    ink);
            let read = if let Some(n) = n.as_ref().filter(|n| n.sure(params)) {
                Some((n.text.clone(), n.confidence, true, n.symbols.clone()))
            } else if value_column {
                read_unsure_value(
                    engines,
                    p,
                    &crop,
                    ink,
                    params,
                    n,
                    one_line(ink),
                    &mut labels_seen,
                )?
            } else {
                read_text_seen(engines, p, &crop, ink, one_line(ink), &mut labels_seen)?.map(
                    |(t, c, n, s)| {
                        if n {
                            (t, c, n, s)
                        } else {
                            (strip_trailing_digits(&t), c, n, s)
                        }
                    },
                )
            };
            tracing::debug!(target: "xxgk::cells", "    -> {:?}", read.as_ref().map(|r| (&r.0, r.1, r.2)));
            let Some((text, mut confidence, number, symbols)) = read else {
                continue;
            };
            if number && wider_than_digits(&text, ink) {
                tracing::debug!(target: "xxgk::cells", "    ink wider than {text:?}: a digit lost?");
                confidence = confidence.min(WIDER_THAN_DIGITS_CONFIDENCE);
            }
            if faint_only.contains(&k) {
                confidence = confidence.min(FAINT_CONFIDENCE);
            }
            let rect = c.rect;
            let px_rect = (rect.x0 / pt, rect.y0 / pt, rect.x1 / pt, rect.y1 / pt);
            let ink_pt = to_rect((ink.0 as f32, ink.1 as f32, ink.2 as f32, ink.3 as f32));
            words.push(Word { text: text.clone(), rect: ink_pt, confidence: Some(confidence) });
            cells.push(CellRead {
                page: p.number,
                rect,
                ink,
                text,
                confidence,
                number,
                symbols,
                placed: false,
                sealed: under_seal(p, px_rect),
            });
        }
    }
    let page = Page {
        number: p.number,
        width: w as f32 * pt,
        height: h as f32 * pt,
        words,
        rules: p.rules.to_vec(),
    };
    Ok((page, cells))
}

/// What a reading of a cell seen only in the faint ink (`faint.rs`)
/// may score at most: under [`UNSURE`], so that it stands only when a rule
/// confirms it and is otherwise in review. Faint ink is ink by contrast
/// alone, and noise or a neighbour's blur can add a stroke to it.
const FAINT_CONFIDENCE: f32 = 0.85;

/// (text, confidence, is a number, symbols with alternatives)
pub(super) type Reading = (String, f32, bool, Vec<Symbol>);
/// x0, y0, x1, y1 in page pixels.
pub(super) type PxBox = (u32, u32, u32, u32);

/// Ink at most this many times as wide as tall is read by the digits
/// engine first (numbers of up to 3 digits, labels of 1 or 2 characters).
pub(super) const NARROW: f32 = 2.2;
/// Ink taller than the digits by this factor is text: Chinese characters
/// stand about 1.25 times as tall as digits in the same font size.
pub(super) const TALLER: f32 = 1.15;
/// No number of up to 12 characters is wider than this (see
/// [`fits_number_shape`]).
pub(super) const MAX_NUMBER_ASPECT: f32 = 0.85 * 12.0 + 0.35;

/// The median height of some ink boxes.
pub(super) fn median_height(boxes: impl Iterator<Item = PxBox>) -> Option<u32> {
    let mut v: Vec<u32> = boxes.map(|b| b.3 - b.1).collect();
    v.sort_unstable();
    v.get(v.len() / 2).copied()
}

/// A number read with less confidence than this is reread and must be
/// confirmed by a rule (`crate::reread`). Empirically chosen on the
/// samples: the wrong readings seen scored 0.31–0.75, nearly all right
/// ones 0.9 or more.
pub const UNSURE: f32 = 0.90;

/// A number reading sure enough to stand for the same ink elsewhere on the
/// page: what `crate::reread` would not reread.
const REUSE_NUMBER: f32 = UNSURE;

/// [`first_reading`], or the reading of the same ink met before on the
/// page (see [`super::cache`]); only readings that need no second look are
/// kept for reuse.
pub(super) fn first_reading_seen(
    engines: &mut Engines,
    p: &PageInput,
    crop: &GrayImage,
    ink: PxBox,
    params: &ReadParams,
    seen: &mut InkCache<NumberRead>,
) -> Result<NumberRead, OcrError> {
    let key = Ink::of(p.ink, p.gray.width(), ink);
    if let Some(n) = seen.get(&key) {
        return Ok(n);
    }
    let n = first_reading(engines, p, crop, ink, params)?;
    if n.sure(params) && n.confidence >= REUSE_NUMBER {
        seen.put(key, &n.text, n.clone());
    }
    Ok(n)
}

/// [`read_text`], or the reading of the same ink met before on the page.
pub(super) fn read_text_seen(
    engines: &mut Engines,
    p: &PageInput,
    crop: &GrayImage,
    ink: PxBox,
    one_line: bool,
    seen: &mut InkCache<Option<Reading>>,
) -> Result<Option<Reading>, OcrError> {
    let key = Ink::of(p.ink, p.gray.width(), ink);
    if let Some(r) = seen.get(&key) {
        return Ok(r);
    }
    let r = read_text(engines, crop, p.dpi as u32, one_line)?;
    let text = r.as_ref().map(|r| r.0.clone()).unwrap_or_default();
    seen.put(key, &text, r.clone());
    Ok(r)
}

/// The digits engine's first reading of a cell, with a leading minus
/// sign read apart.
fn first_reading(
    engines: &mut Engines,
    p: &PageInput,
    crop: &GrayImage,
    ink: PxBox,
    params: &ReadParams,
) -> Result<NumberRead, OcrError> {
    let dpi = p.dpi as u32;
    let mut n = read_number(engines, crop, ink, dpi)?;
    if let Some(rest_x) = leading_dash(p.ink, p.gray.width(), ink) {
        // The digits engine often reads a short minus as a digit or drops
        // it: read the digits alone and put the sign back.
        let rest = (rest_x, ink.1, ink.2, ink.3);
        let m = read_number(engines, &crop_cell(p.gray, rest, params.pad), rest, dpi)?;
        if m.shaped && !m.text.starts_with('-') {
            n = NumberRead {
                text: format!("-{}", m.text),
                confidence: m.confidence,
                shaped: true,
                symbols: m.symbols,
            };
        }
    }
    Ok(n)
}

/// Where the digits start when the ink begins with a minus sign: a first
/// blob (columns up to a blank column) that is flat, wider than tall, and
/// sits in the middle third of the ink's height.
fn leading_dash(ink: &[bool], w: u32, b: PxBox) -> Option<u32> {
    let h = b.3 - b.1;
    let col_rows = |x: u32| (b.1..b.3).filter(|&y| ink[(y * w + x) as usize]).collect::<Vec<u32>>();
    let mut x = b.0;
    let (mut top, mut bottom) = (u32::MAX, 0);
    while x < b.2 {
        let rows = col_rows(x);
        if rows.is_empty() {
            break;
        }
        top = top.min(rows[0]);
        bottom = bottom.max(rows[rows.len() - 1] + 1);
        x += 1;
    }
    let (width, height) = (x - b.0, bottom.saturating_sub(top));
    let mid = (top + bottom) / 2;
    let flat = height * 4 <= h && width >= height * 2 && width * 5 >= h;
    let centred = mid > b.1 + h / 3 && mid < b.3 - h / 4;
    let rest = (x..b.2).find(|&x| !col_rows(x).is_empty())?;
    (flat && centred).then_some(rest)
}

/// The digits engine's reading of a cell; `shaped`: a well-formed number
/// whose ink has the shape of that many digits.
#[derive(Clone, Debug)]
pub(super) struct NumberRead {
    pub text: String,
    pub confidence: f32,
    pub shaped: bool,
    pub symbols: Vec<Symbol>,
}

impl NumberRead {
    /// Well-formed, number-shaped and confident enough to stand as is.
    pub fn sure(&self, params: &ReadParams) -> bool {
        self.shaped && self.confidence >= params.number_min_confidence
    }
}

fn read_number(
    engines: &mut Engines,
    crop: &GrayImage,
    ink: (u32, u32, u32, u32),
    dpi: u32,
) -> Result<NumberRead, OcrError> {
    let got = engines.numbers.read(crop, Psm::Line, dpi)?;
    let text = join_words(&got, true);
    let confidence = min_conf(&got);
    let shaped = is_number(&text) && fits_number_shape(&text, ink);
    Ok(NumberRead {
        text,
        confidence,
        shaped,
        symbols: got.into_iter().flat_map(|w| w.symbols).collect(),
    })
}

/// A cell of a value column that the digits engine could not read well:
/// chi_sim's reading when it is a value (it reads units such as 万元, which
/// the digits engine turns into digits), else the best-shaped number among
/// the first reading and rereads (raw line, one word, twice the size), else
/// chi_sim's text. `first` is `None` when the ink looked like text: the
/// digits engine reads it only if chi_sim does not see words either (it
/// may be a number with a speck above it).
#[allow(clippy::too_many_arguments)]
pub(super) fn read_unsure_value(
    engines: &mut Engines,
    p: &PageInput,
    crop: &GrayImage,
    ink: PxBox,
    params: &ReadParams,
    first: Option<NumberRead>,
    one_line: bool,
    seen: &mut InkCache<Option<Reading>>,
) -> Result<Option<Reading>, OcrError> {
    let dpi = p.dpi as u32;
    let text = read_text_seen(engines, p, crop, ink, one_line, seen)?;
    if let Some(t) = &text {
        if crate::value::classify(&t.0) == crate::value::TokenClass::Value
            && t.0.chars().any(|c| c.is_ascii_digit())
        {
            return Ok(text.map(|(s, c, _, sym)| (s, c, true, sym)));
        }
        // A value with its unit glued on (24.592416万元), a digit of which
        // chi_sim misread (24.5924]16万元), while the digits engine reads the
        // unit as digits (…7576): the digits engine on the digits alone, cut
        // where the short glyphs end and the tall ones begin.
        // The reading must have a character for every piece of ink before
        // the unit: two digits run together, or one broken in two, and it
        // is not taken.
        let unit = crate::value::unit_suffix(&t.0);
        let cut = unit.and_then(|u| unit_start(p.ink, p.gray.width(), ink, u.chars().count()));
        if let (Some(unit), Some((cut, glyphs))) = (unit, cut) {
            let digits = ink_box(
                p.ink,
                p.gray.width(),
                p.gray.height(),
                (ink.0 as f32, ink.1 as f32, cut as f32, ink.3 as f32),
                p.dpi,
            );
            if let Some(digits) = digits.filter(|_| t.0.chars().any(|c| c.is_ascii_digit())) {
                let n = read_number(engines, &crop_cell(p.gray, digits, params.pad), digits, dpi)?;
                tracing::debug!(target: "xxgk::cells", "    unit {unit:?} cut at {cut}: {:?} {:.2} for {glyphs} pieces",
                        n.text, n.confidence);
                if n.sure(params) && n.text.chars().count() == glyphs {
                    return Ok(Some((format!("{}{unit}", n.text), n.confidence, true, n.symbols)));
                }
            }
        }
        // A label in a value row: chi_sim sees words, the digits engine saw
        // no number's shape; no reread will make it one.
        if !first.as_ref().is_some_and(|f| f.shaped)
            && t.0.chars().filter(|&c| crate::value::is_cjk(c)).count() >= 2
        {
            return Ok(text);
        }
    }
    let mut best = match first {
        Some(f) => f,
        None => first_reading(engines, p, crop, ink, params)?,
    };
    // A leading minus sign is read apart, as in the first reading: the
    // rereads read the digits after it and put the sign back (else a
    // reread of "-11" without its sign outscored the first reading).
    let digits_crop;
    let (crop, ink, sign) = match leading_dash(p.ink, p.gray.width(), ink) {
        Some(rest_x) => {
            let rest = (rest_x, ink.1, ink.2, ink.3);
            digits_crop = crop_cell(p.gray, rest, params.pad);
            (&digits_crop, rest, "-")
        }
        None => (crop, ink, ""),
    };
    // Word and raw-line modes return nothing on crops this small: enlarged.
    let big = imageops::resize(
        crop,
        crop.width() * 2,
        crop.height() * 2,
        imageops::FilterType::CatmullRom,
    );
    let bigger = imageops::resize(
        crop,
        crop.width() * 3,
        crop.height() * 3,
        imageops::FilterType::CatmullRom,
    );
    for (img, psm, d) in [
        (&big, Psm::Line, dpi * 2),
        (&bigger, Psm::RawLine, dpi * 3),
        (&bigger, Psm::Word, dpi * 3),
    ] {
        if best.shaped && best.confidence >= 0.6 {
            break;
        }
        let got = engines.numbers.read(img, psm, d)?;
        let digits = join_words(&got, true);
        let conf = min_conf(&got);
        let shaped = is_number(&digits) && fits_number_shape(&digits, ink);
        let t = if digits.starts_with('-') { digits } else { format!("{sign}{digits}") };
        tracing::debug!(target: "xxgk::cells", "    reread {psm:?}: {t:?} {conf:.2}");
        if shaped && (!best.shaped || conf > best.confidence) {
            best = NumberRead {
                text: t,
                confidence: conf,
                shaped,
                symbols: got.into_iter().flat_map(|w| w.symbols).collect(),
            };
        }
    }
    if best.shaped {
        return Ok(Some((best.text, best.confidence, true, best.symbols)));
    }
    Ok(text)
}

/// Where a unit of `chars` Chinese characters glued after a number
/// begins, and how many pieces of ink (runs of columns between blank
/// ones) stand before it: the ink's last `chars` pieces are square (as
/// wide as 0.8 of their height, where a digit is 0.7 at most) and as tall
/// as every piece before them. `None` unless the ink splits so cleanly.
fn unit_start(ink: &[bool], w: u32, b: PxBox, chars: usize) -> Option<(u32, usize)> {
    let mut pieces: Vec<(u32, u32, u32)> = Vec::new(); // x0, x1, height
    let mut x = b.0;
    while x < b.2 {
        let rows = |x: u32| (b.1..b.3).filter(move |&y| ink[(y * w + x) as usize]);
        if rows(x).next().is_none() {
            x += 1;
            continue;
        }
        let (start, mut top, mut bottom) = (x, u32::MAX, 0);
        while x < b.2 && rows(x).next().is_some() {
            top = top.min(rows(x).next().unwrap_or(top));
            bottom = bottom.max(rows(x).next_back().map_or(bottom, |y| y + 1));
            x += 1;
        }
        pieces.push((start, x, bottom.saturating_sub(top)));
    }
    let k = pieces.len().checked_sub(chars).filter(|&k| k > 0)?;
    let tallest_digit = pieces[..k].iter().map(|p| p.2).max()?;
    let square =
        pieces[k..].iter().all(|p| (p.1 - p.0) as f32 >= 0.8 * p.2 as f32 && p.2 >= tallest_digit);
    square.then_some((pieces[k - 1].1, k))
}

/// chi_sim on a label crop: single-line mode when the ink is one line high
/// (no layout analysis to pay for), block mode for a label wrapped in its cell.
fn read_text(
    engines: &mut Engines,
    crop: &GrayImage,
    dpi: u32,
    one_line: bool,
) -> Result<Option<Reading>, OcrError> {
    let (big, big_dpi) = for_chi_sim(crop, dpi);
    let got = engines.text.read(&big, if one_line { Psm::Line } else { Psm::Block }, big_dpi)?;
    let text = join_words(&got, false);
    if text.trim().is_empty() {
        return Ok(None);
    }
    let conf = mean_conf(&got);
    let symbols = got.into_iter().flat_map(|w| w.symbols).collect();
    let number = is_number(&text);
    Ok(Some((text, conf, number, symbols)))
}

/// How much narrower than tall a label crop is given to chi_sim. Its
/// network scales every line to 48 px high and pools width by 3, so a
/// square CJK character gets about 16 time steps where the decoder needs
/// 3 to 5: squeezing to 0.7 costs no accuracy on the samples (0.6 does)
/// and saves about a quarter of the label time, most of a page's time.
const CHI_SIM_SQUEEZE: f32 = 0.7;

/// chi_sim (the fast model Debian ships) misreads degraded characters much
/// less when they are enlarged to what a 400 dpi scan would give.
/// Empirically chosen on the 150 and 200 dpi samples; numbers need none.
pub(super) fn for_chi_sim(img: &GrayImage, dpi: u32) -> (GrayImage, u32) {
    let f = (400.0 / dpi.max(1) as f32).clamp(1.0, 2.5);
    let f = if f < 1.4 { 1.0 } else { f };
    let w = ((img.width() as f32 * f * CHI_SIM_SQUEEZE) as u32).max(1);
    let (w, h) = (w, ((img.height() as f32 * f) as u32).max(1));
    (imageops::resize(img, w, h, imageops::FilterType::CatmullRom), (dpi as f32 * f) as u32)
}

/// A label cell (outside the value columns) holds no number: digits that
/// OCR put at its end are a misread character, and would otherwise be
/// taken for a value glued to the label.
pub(super) fn strip_trailing_digits(t: &str) -> String {
    let body = t.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ' ');
    if body.chars().any(crate::value::is_cjk) {
        body.to_string()
    } else {
        t.to_string()
    }
}

/// `-8`, `1,234`, `25.1`: what the digits engine may return for a number.
pub fn is_number(t: &str) -> bool {
    let t = t.trim();
    let body = t.strip_prefix('-').unwrap_or(t);
    !body.is_empty()
        && body.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '.')
        && body.starts_with(|c: char| c.is_ascii_digit())
        && body.ends_with(|c: char| c.is_ascii_digit())
        && body.matches('.').count() <= 1
}

/// Digits are narrow: the ink of `n` digits is at most about 0.8·n times as
/// wide as it is tall, while Chinese characters are square or wider. Stops a
/// label like "总计" from passing as "11".
fn fits_number_shape(t: &str, ink: (u32, u32, u32, u32)) -> bool {
    let (aspect, units) = aspect_in_digits(t, ink);
    aspect <= 0.85 * units + 0.35
}

/// The ink's width over its height, and how many digits wide `t` is (a
/// digit 1, any other character half).
fn aspect_in_digits(t: &str, ink: PxBox) -> (f32, f32) {
    let (w, h) = ((ink.2 - ink.0) as f32, (ink.3 - ink.1).max(1) as f32);
    (w / h, t.chars().map(|c| if c.is_ascii_digit() { 1.0 } else { 0.5 }).sum())
}

/// Whether the ink of a cell read as the plain number `t` (digits, a
/// point, a sign) is wider than those characters can be by about a digit:
/// OCR that drops a digit of a number (46 for 346, in a faded or noisy
/// cell) reads the rest sure of itself, and in 表二 no rule checks it. A
/// digit of a table's type is about 0.6 of its height wide with its
/// spacing (blur widens the ink by a pixel or two); the bound leaves
/// room for that and for a narrow digit's neighbour, not for a whole digit
/// more.
fn wider_than_digits(t: &str, ink: PxBox) -> bool {
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit() || ".-".contains(c)) {
        return false;
    }
    let (aspect, units) = aspect_in_digits(t, ink);
    aspect > 0.7 * units + 0.4
}

/// A number whose ink is wider than its digits is for a person to check:
/// its confidence is capped under the verification's threshold.
const WIDER_THAN_DIGITS_CONFIDENCE: f32 = 0.5;
const _: () = assert!(WIDER_THAN_DIGITS_CONFIDENCE < crate::findings::LOW_CONFIDENCE);

pub(super) fn join_words(words: &[OcrWord], numbers: bool) -> String {
    let sep = if numbers { "" } else { " " };
    let joined = words.iter().map(|w| w.text.trim()).collect::<Vec<_>>().join(sep);
    if numbers {
        return joined;
    }
    // chi_sim separates characters by spaces; Chinese text has none.
    let mut out = String::new();
    let chars: Vec<char> = joined.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = out.chars().last();
            let next = chars.get(i + 1).copied();
            let both_ascii = prev.is_some_and(|p| p.is_ascii_alphanumeric())
                && next.is_some_and(|n| n.is_ascii_alphanumeric());
            if !both_ascii {
                continue;
            }
        }
        out.push(c);
    }
    out
}

fn min_conf(words: &[OcrWord]) -> f32 {
    words.iter().map(|w| w.confidence).fold(1.0, f32::min).max(0.0)
}

pub(super) fn mean_conf(words: &[OcrWord]) -> f32 {
    if words.is_empty() {
        return 0.0;
    }
    words.iter().map(|w| w.confidence).sum::<f32>() / words.len() as f32
}

/// The box of the ink inside `r`, or `None` when there is too little ink to
/// be a character (specks of noise, the remains of a rule).
pub fn ink_box(
    ink: &[bool],
    w: u32,
    h: u32,
    r: (f32, f32, f32, f32),
    dpi: f32,
) -> Option<(u32, u32, u32, u32)> {
    let x0 = r.0.max(0.0).ceil() as u32;
    let y0 = r.1.max(0.0).ceil() as u32;
    let x1 = (r.2.floor().max(0.0) as u32).min(w);
    let y1 = (r.3.floor().max(0.0) as u32).min(h);
    if x1 <= x0 + 1 || y1 <= y0 + 1 {
        return None;
    }
    let mm = px_per_mm(dpi);
    // A column or row needs this much ink to count: a speck is a pixel or two.
    let rows: Vec<u32> =
        (y0..y1).map(|y| (x0..x1).filter(|&x| ink[(y * w + x) as usize]).count() as u32).collect();
    let cols: Vec<u32> =
        (x0..x1).map(|x| (y0..y1).filter(|&y| ink[(y * w + x) as usize]).count() as u32).collect();
    let total: u32 = rows.iter().sum();
    // Less ink than a small "1" at this resolution: empty.
    if (total as f32) < 0.6 * mm * mm {
        return None;
    }
    let span = |v: &[u32]| -> Option<(u32, u32)> {
        let first = v.iter().position(|&n| n > 0)?;
        let last = v.iter().rposition(|&n| n > 0)?;
        Some((first as u32, last as u32 + 1))
    };
    let (ry0, ry1) = span(&rows)?;
    let (cx0, cx1) = span(&cols)?;
    // Ink that is only a thin sliver (a rule's remains along the crop edge).
    if (ry1 - ry0) as f32 <= 0.5 * mm && (cx1 - cx0) as f32 > 3.0 * mm
        || (cx1 - cx0) as f32 <= 0.25 * mm && (ry1 - ry0) as f32 > 5.0 * mm
    {
        return None;
    }
    Some((x0 + cx0, y0 + ry0, x0 + cx1, y0 + ry1))
}

/// A crop of `b` with a white border of `pad` times the ink height.
pub fn crop_padded(gray: &GrayImage, b: (u32, u32, u32, u32), pad: f32) -> GrayImage {
    padded(gray, b, pad, |_| {})
}

/// [`crop_padded`] of a table cell, its ink darkened when pale
/// ([`stretch_pale`]). Not for titles and text lines: their thin strokes
/// read as they are.
pub fn crop_cell(gray: &GrayImage, b: (u32, u32, u32, u32), pad: f32) -> GrayImage {
    padded(gray, b, pad, stretch_pale)
}

/// A crop of `b`, changed by `adjust` before its white border is added.
fn padded(
    gray: &GrayImage,
    b: (u32, u32, u32, u32),
    pad: f32,
    adjust: impl Fn(&mut GrayImage),
) -> GrayImage {
    let (w, h) = (b.2.saturating_sub(b.0).max(1), b.3.saturating_sub(b.1).max(1));
    let p = ((h as f32 * pad).round() as u32).max(4);
    let mut out = GrayImage::from_pixel(w + 2 * p, h + 2 * p, Luma([255]));
    let x0 = b.0.min(gray.width().saturating_sub(1));
    let y0 = b.1.min(gray.height().saturating_sub(1));
    let w = w.min(gray.width() - x0);
    let h = h.min(gray.height() - y0);
    let mut view = imageops::crop_imm(gray, x0, y0, w, h).to_image();
    adjust(&mut view);
    imageops::replace(&mut out, &view, p as i64, p as i64);
    out
}

/// Pale ink (a faded copy, a faded band across a scan) goes to Tesseract
/// as dark as ink scanned well: its recognizer sees gray levels, and on
/// strokes at 150 on paper at 240 it returned nothing for a plain "11"
/// (scan_57). A crop whose darkest ink (its 2nd percentile) is lighter
/// than [`PALE_INK`] is stretched linearly from that ink to its paper
/// (95th percentile): ink to [`INK_TO`], paper to white. Crops of ink
/// scanned well are left as they are. (The padding is white already and
/// stays white.)
fn stretch_pale(view: &mut GrayImage) {
    let hist = super::faint::histogram(view.as_raw());
    let at = |q: f32| super::faint::quantile(&hist, q);
    let (ink, paper) = (at(0.02), at(0.95));
    if ink <= PALE_INK || paper < ink.saturating_add(MIN_STRETCH_SPAN) {
        return;
    }
    let scale = (255.0 - INK_TO) / (paper - ink) as f32;
    for v in view.iter_mut() {
        *v = ((*v as f32 - ink as f32) * scale + INK_TO).clamp(0.0, 255.0).round() as u8;
    }
}

/// Ink darker than this is read as it is.
const PALE_INK: u8 = 100;
/// What pale ink is stretched to: ink scanned well.
const INK_TO: f32 = 40.0;
/// Less contrast than this between ink and paper is no ink (a blank crop).
const MIN_STRETCH_SPAN: u8 = 25;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ink_a_digit_wider_than_the_number_read_is_doubted() {
        // Boxes measured on a 150-dpi scan (e2 r2027-0008): "346" read as
        // "46", the same page's "46" and "8" read right.
        assert!(wider_than_digits("46", (925, 1311, 959, 1328)));
        assert!(!wider_than_digits("46", (719, 1300, 741, 1317)));
        assert!(!wider_than_digits("8", (783, 1299, 793, 1317)));
        assert!(!wider_than_digits("346", (925, 1311, 959, 1328)));
        assert!(!wider_than_digits("万元", (925, 1311, 999, 1328)));
    }

    /// Ink of `boxes` (x0, x1, y0, y1) on a 100×20 page.
    fn ink_of(boxes: &[(u32, u32, u32, u32)]) -> Vec<bool> {
        let mut ink = vec![false; 100 * 20];
        for &(x0, x1, y0, y1) in boxes {
            for y in y0..y1 {
                for x in x0..x1 {
                    ink[(y * 100 + x) as usize] = true;
                }
            }
        }
        ink
    }

    /// Three digits (6 px wide, 10 tall) and a unit of two square glyphs:
    /// the unit begins after the third digit. A last glyph as narrow as a
    /// digit is no unit, and neither is one lower than the digits.
    #[test]
    fn a_unit_glued_after_digits_is_found_by_its_square_glyphs() {
        let digits = [(2, 8, 5, 15), (10, 16, 5, 15), (18, 24, 5, 15)];
        let unit = [(27, 38, 4, 15), (40, 51, 4, 15)];
        let ink = ink_of(&[&digits[..], &unit[..]].concat());
        assert_eq!(unit_start(&ink, 100, (2, 4, 51, 15), 2), Some((24, 3)));
        let narrow = ink_of(&[&digits[..], &[(27, 38, 4, 15), (40, 46, 5, 15)][..]].concat());
        assert_eq!(unit_start(&narrow, 100, (2, 4, 46, 15), 2), None);
        let low = ink_of(&[&digits[..], &[(27, 38, 8, 15), (40, 51, 8, 15)][..]].concat());
        assert_eq!(unit_start(&low, 100, (2, 5, 51, 15), 2), None);
    }
}
