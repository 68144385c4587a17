//! Scan stage 3, fallback: a page with a table but no rules to grid it
//! (printed without borders, or rules lost to the scan). In: the prepared
//! page and its table rows (text bands with column gaps, see
//! [`super::text::is_table_row`]). Out: a layout [`Page`] with one word per
//! piece of ink, and a [`CellRead`] per piece for the rule-guided rereading.
//!
//! Without rules the cells are rebuilt from the ink: a row is cut into
//! pieces at blanks wider than [`COLUMN_GAP`] lines (the padding between
//! columns; characters and digits of one cell stand closer), and each piece
//! into its own lines, since a label wrapped over two lines shares its row
//! with a number centred between them. Each piece is then read the way a
//! ruled cell is: the digits engine first, on a tight crop, chi_sim for
//! what is text. `layout::pages_to_doc` groups the words into rows by their
//! vertical overlap and the table stage binds the numbers to columns by the
//! header's positions where it can and by the template's column order
//! otherwise: the path a `pdftotext -layout` export takes.
//!
//! Full-page OCR is not used: Tesseract's page layout drops lone digits
//! (every "0" of a sparse table) and glues columns, and chi_sim misreads
//! the digits it keeps.

use super::cache::InkCache;
use super::ocr::{Engines, OcrError};
use super::read::{
    crop_cell, first_reading_seen, ink_box, median_height, read_text_seen, read_unsure_value,
    strip_trailing_digits, under_seal, CellRead, NumberRead, PageInput, PxBox, ReadParams, Reading,
    MAX_NUMBER_ASPECT, NARROW, TALLER,
};
use super::text::Band;
use crate::layout::{Page, Rect, Word};

/// A blank this many line heights wide separates two cells of a row: the
/// padding of two cells, while the widest blank inside a cell (after a
/// full-width comma or quote) is about half a character.
const COLUMN_GAP: f32 = 0.6;
/// A blank this many line heights tall separates two lines of a piece;
/// shorter ones are inside characters (二, 三).
const LINE_GAP: f32 = 0.2;
/// Pieces lower than this many line heights are a fragment of a character
/// cut by [`LINE_GAP`] and go back to their neighbour.
const MIN_PIECE: f32 = 0.4;

/// Reads the pieces of ink of `rows`, the table rows of a page without
/// rules; `line` is the page's common line height in pixels.
pub fn read_page(
    p: &PageInput,
    rows: &[Band],
    line: u32,
    engines: &mut Engines,
    params: &ReadParams,
) -> Result<(Page, Vec<CellRead>), OcrError> {
    let pt = 72.0 / p.dpi;
    let (w, h) = p.gray.dimensions();
    let found = pieces(p, rows, line);
    // As in a ruled table: narrow pieces first, so that the digits' height
    // is known before deciding what is too tall to be a number.
    let aspect = |b: PxBox| (b.2 - b.0) as f32 / (b.3 - b.1).max(1) as f32;
    let mut order: Vec<usize> = (0..found.len()).collect();
    order.sort_by_key(|&i| (aspect(found[i].1) > NARROW, found[i].1 .1, found[i].1 .0));
    let mut numbers_seen: InkCache<NumberRead> = InkCache::default();
    let mut labels_seen: InkCache<Option<Reading>> = InkCache::default();
    let mut first: Vec<Option<NumberRead>> = vec![None; found.len()];
    let mut digit_h: Option<u32> = None;
    let mut done: Vec<usize> = Vec::new();
    for i in order {
        let ink = found[i].1;
        if digit_h.is_none() && aspect(ink) > NARROW {
            digit_h = median_height(
                done.iter()
                    .filter(|&&k| first[k].as_ref().is_some_and(|n| n.sure(params)))
                    .map(|&k| found[k].1),
            );
        }
        let text_like = digit_h.is_some_and(|d| (ink.3 - ink.1) as f32 > TALLER * d as f32)
            || aspect(ink) > MAX_NUMBER_ASPECT;
        if !text_like {
            first[i] = Some(first_reading_seen(
                engines,
                p,
                &crop_cell(p.gray, ink, params.pad),
                ink,
                params,
                &mut numbers_seen,
            )?);
        }
        done.push(i);
    }
    let sure: Vec<bool> =
        first.iter().map(|n| n.as_ref().is_some_and(|n| n.sure(params))).collect();
    // Below or above confident numbers stands a value column: there a piece
    // the digits engine could not read is an unsure value, reread as a
    // ruled value cell is (chi_sim first, so a label keeps its words).
    let overlaps = |a: PxBox, b: PxBox| a.0 < b.2 && b.0 < a.2;
    // So does a row at least half of whose pieces are confident numbers
    // (the s4 table has a single row of values).
    let in_value_column = |i: usize| {
        (0..found.len())
            .filter(|&k| sure[k] && found[k].0 != found[i].0 && overlaps(found[i].1, found[k].1))
            .count()
            >= 2
    };
    let in_value_row = |i: usize| {
        let row = (0..found.len()).filter(|&k| found[k].0 == found[i].0);
        let (n, s) = row.fold((0, 0), |(n, s), k| (n + 1, s + sure[k] as usize));
        s >= 2 && 2 * s >= n
    };
    let is_number: Vec<bool> = (0..found.len())
        .map(|i| {
            first[i].as_ref().is_some_and(|n| n.shaped)
                || (first[i].is_some() && (in_value_column(i) || in_value_row(i)))
        })
        .collect();
    let is_number = labels_first(&found, is_number);
    let found = split_rows(found, &is_number);
    let mut words = Vec::new();
    let mut cells = Vec::new();
    // Text: as in a ruled label cell, digits OCR put at its end are a
    // misread character (不 read as 7), not a value glued on: a value is a
    // piece of its own, past a column's gap.
    let label = |r: Option<Reading>| {
        r.map(|(t, c, n, s)| if n { (t, c, n, s) } else { (strip_trailing_digits(&t), c, n, s) })
    };
    for unit in units(&found, &is_number) {
        let ink = unit.iter().map(|&i| found[i].1).reduce(union).unwrap_or_default();
        let crop = crop_cell(p.gray, ink, params.pad);
        let read = match unit.as_slice() {
            [i] if first[*i].as_ref().is_some_and(|n| n.sure(params)) => {
                first[*i].clone().map(|n| (n.text, n.confidence, true, n.symbols))
            }
            // A well-formed number the engine is unsure of: reread, and
            // kept with its low confidence if it stays a number.
            [i] if is_number[*i] => read_unsure_value(
                engines,
                p,
                &crop,
                ink,
                params,
                first[*i].clone(),
                true,
                &mut labels_seen,
            )?,
            [i] if first[*i].is_some() => {
                // chi_sim sees digits and no words ("]1"): a value the digits
                // engine misread, reread as one.
                let text = read_text_seen(engines, p, &crop, ink, true, &mut labels_seen)?;
                let digits_only = text.as_ref().is_some_and(|t| {
                    t.0.chars().any(|c| c.is_ascii_digit())
                        && t.0.chars().filter(|&c| crate::value::is_cjk(c)).count() < 2
                });
                if digits_only {
                    read_unsure_value(
                        engines,
                        p,
                        &crop,
                        ink,
                        params,
                        first[*i].clone(),
                        true,
                        &mut labels_seen,
                    )?
                } else {
                    label(text)
                }
            }
            _ => label(read_text_seen(
                engines,
                p,
                &crop,
                ink,
                (ink.3 - ink.1) as f32 <= 1.5 * line as f32,
                &mut labels_seen,
            )?),
        };
        tracing::debug!(target: "xxgk::cells", "p{} piece {ink:?} -> {:?}",
                p.number,
                read.as_ref().map(|r| (&r.0, r.1, r.2)));
        let Some((text, confidence, number, symbols)) = read else {
            continue;
        };
        let rect = Rect {
            x0: ink.0 as f32 * pt,
            y0: ink.1 as f32 * pt,
            x1: ink.2 as f32 * pt,
            y1: ink.3 as f32 * pt,
        };
        words.push(Word { text: text.clone(), rect, confidence: Some(confidence) });
        if number {
            cells.push(CellRead {
                page: p.number,
                rect,
                ink,
                text,
                confidence,
                number,
                symbols,
                placed: true,
                sealed: under_seal(p, (ink.0 as f32, ink.1 as f32, ink.2 as f32, ink.3 as f32)),
            });
        }
    }
    Ok((
        Page {
            number: p.number,
            width: w as f32 * pt,
            height: h as f32 * pt,
            words,
            rules: Vec::new(),
        },
        cells,
    ))
}

fn union(a: PxBox, b: PxBox) -> PxBox {
    (a.0.min(b.0), a.1.min(b.1), a.2.max(b.2), a.3.max(b.3))
}

/// The pieces of ink of each row, with the row's index: the row cut at
/// column gaps, each part into its lines, each line again at column gaps
/// (a header cell spanning several columns hides their gaps from the
/// row's profile).
fn pieces(p: &PageInput, rows: &[Band], line: u32) -> Vec<(usize, PxBox)> {
    let (w, h) = p.gray.dimensions();
    let gap = (COLUMN_GAP * line as f32).ceil() as u32;
    let mut out = Vec::new();
    for (r, b) in rows.iter().enumerate() {
        for (x0, x1) in runs(column_ink(p.ink, w, (b.x0, b.y0, b.x1, b.y1)), gap, 0) {
            let (x0, x1) = (b.x0 + x0, b.x0 + x1);
            for (y0, y1) in lines_of(p.ink, w, (x0, b.y0, x1, b.y1), line) {
                for (a0, a1) in runs(column_ink(p.ink, w, (x0, y0, x1, y1)), gap, 0) {
                    if let Some(ink) = ink_box(
                        p.ink,
                        w,
                        h,
                        ((x0 + a0) as f32, y0 as f32, (x0 + a1) as f32, y1 as f32),
                        p.dpi,
                    ) {
                        out.push((r, ink));
                    }
                }
            }
        }
    }
    out
}

/// In every table of the templates a row's label stands left of its
/// values: a "number" with text to its right in the same row is part of
/// the label ("二、" read as "-4"), and is read as text with it.
fn labels_first(found: &[(usize, PxBox)], is_number: Vec<bool>) -> Vec<bool> {
    (0..found.len())
        .map(|i| {
            is_number[i]
                && !(0..found.len()).any(|k| {
                    !is_number[k] && found[k].0 == found[i].0 && found[k].1 .0 >= found[i].1 .2
                })
        })
        .collect()
}

/// A band holds several table rows when a label spanning them (the
/// "(四)无法提供" of two rows) bridges the blank between them: its numbers
/// then stand at different heights. The band is cut between each group of
/// numbers of one height, and each piece goes to the part holding its
/// middle. Row indices are renumbered in order.
fn split_rows(found: Vec<(usize, PxBox)>, is_number: &[bool]) -> Vec<(usize, PxBox)> {
    let nrows = found.iter().map(|f| f.0 + 1).max().unwrap_or(0);
    let mut cuts: Vec<Vec<u32>> = vec![Vec::new(); nrows];
    for (r, cut) in cuts.iter_mut().enumerate() {
        let mut spans: Vec<(u32, u32)> = found
            .iter()
            .zip(is_number)
            .filter(|(f, &n)| n && f.0 == r)
            .map(|(f, _)| (f.1 .1, f.1 .3))
            .collect();
        spans.sort_unstable();
        let mut groups: Vec<(u32, u32)> = Vec::new();
        for (y0, y1) in spans {
            match groups.last_mut() {
                Some(g) if y0 < g.1 => g.1 = g.1.max(y1),
                _ => groups.push((y0, y1)),
            }
        }
        *cut = groups.windows(2).map(|g| (g[0].1 + g[1].0) / 2).collect();
    }
    let ids: Vec<(usize, usize)> = found
        .iter()
        .map(|&(r, b)| (r, cuts[r].iter().filter(|&&c| (b.1 + b.3) / 2 >= c).count()))
        .collect();
    let mut order = ids.clone();
    order.sort_unstable();
    order.dedup();
    ids.iter()
        .map(|id| order.binary_search(id).unwrap_or(0))
        .zip(found)
        .map(|(r, (_, b))| (r, b))
        .collect()
}

/// Groups a row's pieces into what is read as one: the lines of a wrapped
/// label or of a stacked header cell (text pieces one above the other),
/// and the parts of a row's label left of its first number (a label's
/// "(一)" or "一、" stands a column gap from its text). A header piece
/// above two or more others (法人或其他组织 over its columns) stays alone,
/// and so does every number. Indices into `found`, in reading order.
fn units(found: &[(usize, PxBox)], is_number: &[bool]) -> Vec<Vec<usize>> {
    let overlaps = |a: PxBox, b: PxBox| a.0 < b.2 && b.0 < a.2;
    let mut out = Vec::new();
    let nrows = found.iter().map(|f| f.0 + 1).max().unwrap_or(0);
    for r in 0..nrows {
        let row: Vec<usize> = (0..found.len()).filter(|&i| found[i].0 == r).collect();
        let spans = |i: usize| {
            row.iter()
                .filter(|&&k| {
                    k != i && found[k].1 .1 >= found[i].1 .3 && overlaps(found[i].1, found[k].1)
                })
                .count()
                >= 2
        };
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for &i in &row {
            if is_number[i] || spans(i) {
                groups.push(vec![i]);
                continue;
            }
            let joined: Vec<usize> = (0..groups.len())
                .filter(|&g| {
                    groups[g].iter().all(|&k| !is_number[k] && !spans(k))
                        && groups[g].iter().any(|&k| overlaps(found[i].1, found[k].1))
                })
                .collect();
            let mut g: Vec<usize> = vec![i];
            for &j in joined.iter().rev() {
                g.extend(groups.remove(j));
            }
            groups.push(g);
        }
        let bbox = |g: &Vec<usize>| g.iter().map(|&k| found[k].1).reduce(union).unwrap_or_default();
        groups.sort_by_key(|g| (bbox(g).0, bbox(g).1));
        // The label: the text groups left of the row's first number.
        if let Some(first_num) =
            groups.iter().filter(|g| g.iter().any(|&k| is_number[k])).map(|g| bbox(g).0).min()
        {
            let (label, rest): (Vec<Vec<usize>>, Vec<Vec<usize>>) = groups
                .into_iter()
                .partition(|g| bbox(g).2 <= first_num && g.iter().all(|&k| !is_number[k]));
            groups = rest;
            if !label.is_empty() {
                groups.insert(0, label.concat());
            }
        }
        for mut g in groups {
            g.sort_by_key(|&k| (found[k].1 .1, found[k].1 .0));
            out.push(g);
        }
    }
    out
}

/// Ink pixels per column of a box.
fn column_ink(ink: &[bool], w: u32, b: PxBox) -> Vec<u32> {
    (b.0..b.2).map(|x| (b.1..b.3).filter(|&y| ink[(y * w + x) as usize]).count() as u32).collect()
}

/// The runs of a profile holding more than `floor` ink, joined over blanks
/// narrower than `gap`: (start, end) offsets.
fn runs(profile: Vec<u32>, gap: u32, floor: u32) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for (i, &n) in profile.iter().enumerate() {
        if n <= floor {
            continue;
        }
        let i = i as u32;
        match out.last_mut() {
            Some(r) if i - r.1 < gap => r.1 = i + 1,
            _ => out.push((i, i + 1)),
        }
    }
    out
}

/// The lines of a piece (x0, y0, x1, y1): its rows split at blanks of
/// [`LINE_GAP`] lines, fragments lower than [`MIN_PIECE`] joined to the
/// nearer neighbour.
fn lines_of(ink: &[bool], w: u32, b: PxBox, line: u32) -> Vec<(u32, u32)> {
    let profile: Vec<u32> = (b.1..b.3)
        .map(|y| (b.0..b.2).filter(|&x| ink[(y * w + x) as usize]).count() as u32)
        .collect();
    let gap = ((LINE_GAP * line as f32).ceil() as u32).max(2);
    let mut parts = runs(profile, gap, 0);
    let min = MIN_PIECE * line as f32;
    let mut i = 0;
    while parts.len() > 1 && i < parts.len() {
        if ((parts[i].1 - parts[i].0) as f32) < min {
            let prev = (i > 0).then(|| parts[i].0 - parts[i - 1].1);
            let next = parts.get(i + 1).map(|n| n.0 - parts[i].1);
            let with = match (prev, next) {
                (Some(a), Some(b)) if b < a => i + 1,
                (Some(_), _) => i - 1,
                _ => i + 1,
            };
            let (lo, hi) = (i.min(with), i.max(with));
            parts[lo] = (parts[lo].0, parts[hi].1);
            parts.remove(hi);
            i = lo;
        } else {
            i += 1;
        }
    }
    parts.into_iter().map(|(y0, y1)| (b.1 + y0, b.1 + y1)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_join_over_small_blanks_only() {
        let p = vec![0, 3, 3, 0, 4, 0, 0, 0, 0, 2, 1, 0];
        assert_eq!(runs(p.clone(), 2, 0), vec![(1, 5), (9, 11)]);
        assert_eq!(runs(p.clone(), 10, 0), vec![(1, 11)]);
        assert_eq!(runs(p.clone(), 2, 2), vec![(1, 5)]);
        assert_eq!(runs(p, 1, 2), vec![(1, 3), (4, 5)]);
    }

    #[test]
    fn a_label_spanning_two_rows_is_cut_between_their_numbers() {
        // One band: a label at mid height, two numbers stacked in a column.
        let found = vec![
            (0, (0, 40, 100, 60)),
            (0, (200, 10, 220, 30)),
            (0, (200, 70, 220, 90)),
            (1, (0, 150, 100, 170)),
        ];
        let is_number = vec![false, true, true, false];
        let rows: Vec<usize> = split_rows(found, &is_number).into_iter().map(|f| f.0).collect();
        assert_eq!(rows, vec![1, 0, 1, 2]);
    }

    #[test]
    fn a_number_left_of_text_is_part_of_the_label() {
        // "二、" read as a number, then the label, then a value.
        let found = vec![
            (0, (0, 0, 20, 20)),
            (0, (30, 0, 200, 20)),
            (0, (300, 0, 320, 20)),
            (1, (300, 40, 320, 60)),
        ];
        assert_eq!(
            labels_first(&found, vec![true, false, true, true]),
            vec![false, false, true, true]
        );
    }

    #[test]
    fn a_wrapped_label_splits_into_lines_and_a_broken_character_does_not() {
        // 40 px lines: two text lines 12 px apart, then a character whose
        // strokes leave a 10 px blank: cut there (over LINE_GAP's 8 px),
        // but its 6 px top stroke is a fragment and joins the rest.
        let (w, h) = (10u32, 200u32);
        let mut ink = vec![false; (w * h) as usize];
        let mut fill = |y0: u32, y1: u32| {
            for y in y0..y1 {
                for x in 2..8 {
                    ink[(y * w + x) as usize] = true;
                }
            }
        };
        fill(0, 40);
        fill(52, 92);
        fill(130, 136);
        fill(146, 176);
        assert_eq!(lines_of(&ink, w, (0, 0, w, h), 40), vec![(0, 40), (52, 92), (130, 176)]);
    }
}
