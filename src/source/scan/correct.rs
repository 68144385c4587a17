//! Scan stage 5: rule-guided reading. In: a read [`ScanDoc`]. Out: the
//! [`Report`], with OCR confidence folded into each value, unsure values
//! reread, and at most one correction per reading that the rules single out.
//!
//! A separate step after the pipeline rather than more "candidates" for the
//! solver (`solve.rs`): the solver chooses where printed numbers belong,
//! while here the question is what a printed number says, and answering it
//! costs OCR calls that are only worth making for the few cells in doubt.
//!
//! 1. The pipeline runs on the first readings.
//! 2. Cells in doubt: a number whose OCR confidence is below
//!    [`UNSURE`], and every cell of a failed rule instance.
//! 3. Their alternative readings: Tesseract's other choices for each symbol,
//!    and rereads of the crop with other settings (twice the size; three
//!    times the size in word and raw-line segmentation, which return nothing
//!    on small crops; an Otsu-binarized copy; the chi_sim model).
//! 4. When some rule fails, each alternative is tried alone (then pairs of
//!    alternatives in two different cells, when no single one works): the
//!    pipeline reruns on the changed text. A change is accepted only if every
//!    rule then holds, the changed cell takes part in a rule that was
//!    evaluated, and it is the only change that does this. Its value gets the
//!    status `corrected`, its `raw` keeps what OCR first read, and a
//!    `corrected-cell` warning states both readings.
//! 5. Otherwise nothing changes; an unsure value that no evaluated rule
//!    confirms keeps a low confidence and gets a `low-confidence` warning
//!    naming the cell.

use std::collections::{BTreeMap, BTreeSet};

use image::{imageops, GrayImage, Luma};

use super::ocr::{with_engines, Engines, Psm};
use super::read::{crop_padded, is_number, CellRead, UNSURE};
use super::ScanDoc;
use crate::doc::{Loc, TextDoc};
use crate::error::DocumentError;
use crate::findings::Status;
use crate::findings::{CheckStatus, Report, SourceInfo, Warning};
use crate::pipeline;
use crate::template::TemplateSet;

/// Values below this confidence are to be checked by a person (stated in the
/// JSON docs of `report.rs`); unconfirmed unsure cells are capped at it.
pub const LOW_CONFIDENCE: f32 = 0.6;
/// Enumerating pairs of changes is limited to this many single changes.
const MAX_PAIR_CANDIDATES: usize = 24;

/// Another reading of one cell: (field, index into `ScanDoc::cells`, text).
type Change = (usize, usize, String);

/// Extracts a report from a scan: pipeline, rereading, correction.
pub fn extract(
    scan: &ScanDoc,
    source: SourceInfo,
    templates: &TemplateSet,
) -> Result<Report, DocumentError> {
    let first = pipeline::extract(&scan.doc, source.clone(), templates)?;
    let owner: Vec<Option<usize>> =
        first.cells.iter().map(|c| c.loc.and_then(|l| cell_at(&scan.cells, l))).collect();
    let failed_fields: BTreeSet<usize> = failed(&first);
    let doubtful: Vec<usize> = (0..first.cells.len())
        .filter(|&f| {
            owner[f].is_some_and(|ci| {
                scan.cells[ci].number
                    && (scan.cells[ci].confidence < UNSURE
                        || scan.cells[ci].sealed
                        || failed_fields.contains(&f))
            })
        })
        .collect();
    let mut report = first.clone();
    if !failed_fields.is_empty() && !doubtful.is_empty() {
        let mut changes: Vec<Change> = Vec::new();
        for &f in &doubtful {
            let Some(ci) = owner[f] else { continue };
            let cell = &scan.cells[ci];
            for alt in alternatives(scan, cell) {
                if alt != cell.text && !changes.iter().any(|(g, _, t)| *g == f && *t == alt) {
                    changes.push((f, ci, alt));
                }
            }
        }
        let try_changes = |set: &[&Change]| -> Option<Report> {
            let mut doc = scan.doc.clone();
            for (_, ci, text) in set {
                set_text(&mut doc, &scan.cells[*ci], text);
            }
            // A reread may fix a number, never the reading of the report:
            // same edition, or the change is not taken.
            let r = pipeline::extract(&doc, source.clone(), templates)
                .ok()
                .filter(|r| r.edition == first.edition)?;
            let all_hold = r.checks.iter().all(|c| c.status != CheckStatus::Failed);
            let confirmed = set.iter().all(|(f, _, _)| in_ok_check(&r, *f));
            (all_hold && confirmed).then_some(r)
        };
        let mut fixes = unique_fixes(
            &changes,
            |c| c.0,
            try_changes,
            |r: &Report| r.cells.iter().map(|c| c.value).collect::<Vec<_>>(),
        );
        if fixes.len() == 1 {
            let (set, mut r) = fixes.remove(0);
            for (f, ci, text) in set {
                let before = scan.cells[*ci].text.clone();
                let c = &mut r.cells[*f];
                c.status = Status::Corrected;
                c.raw = Some(before.clone());
                c.confidence = 0.8;
                c.note = Some(format!("read as {before:?}, corrected to {text:?}"));
                let id = &r.field_ids[*f];
                r.warnings.push(Warning::field("corrected-cell", id, c.loc, format!("{id}: OCR read {before:?}; {text:?} is the only other reading that makes every rule hold, so it was taken")));
            }
            report = r;
        } else if fixes.len() > 1 {
            report.warnings.push(Warning::new(
                "ambiguous-correction",
                format!(
                    "{} different rereadings would each make every rule hold; none was taken",
                    fixes.len()
                ),
            ));
        }
    }
    fold_confidence(&mut report, scan, &owner);
    super::heading::check_title(&mut report, scan);
    for s in scan.scans.iter().filter(|s| s.turned != 0) {
        report.warnings.push(Warning::new(
            "page-turned",
            format!(
                "page {}: the page lies turned {}° clockwise; it was read turned upright",
                s.page, s.turned
            ),
        ));
    }
    Ok(report)
}

/// The sets of changes under which every rule holds: single changes first;
/// pairs of changes to two different fields only when no single one works
/// (and there are few). Sets whose results have the same key (the same
/// values, reached through two spellings of a reading) count once.
fn unique_fixes<'a, C, R, K: PartialEq>(
    changes: &'a [C],
    field: impl Fn(&C) -> usize,
    mut holds: impl FnMut(&[&'a C]) -> Option<R>,
    key: impl Fn(&R) -> K,
) -> Vec<(Vec<&'a C>, R)> {
    let mut fixes: Vec<(Vec<&'a C>, R)> = Vec::new();
    let push = |set: Vec<&'a C>, r: R, fixes: &mut Vec<(Vec<&'a C>, R)>| {
        if !fixes.iter().any(|(_, o)| key(o) == key(&r)) {
            fixes.push((set, r));
        }
    };
    for c in changes {
        if let Some(r) = holds(&[c]) {
            push(vec![c], r, &mut fixes);
        }
    }
    if fixes.is_empty() && changes.len() <= MAX_PAIR_CANDIDATES {
        for (i, a) in changes.iter().enumerate() {
            for b in &changes[i + 1..] {
                if field(a) != field(b) {
                    if let Some(r) = holds(&[a, b]) {
                        push(vec![a, b], r, &mut fixes);
                    }
                }
            }
        }
    }
    fixes
}

/// Field indices that appear in a failed rule instance.
fn failed(r: &Report) -> BTreeSet<usize> {
    r.checks
        .iter()
        .filter(|c| c.status == CheckStatus::Failed)
        .flat_map(|c| c.lhs.iter().chain(&c.rhs))
        .filter_map(|id| r.field_ids.iter().position(|f| f == id))
        .collect()
}

/// Whether a rule that held vouches for field `f`: one in which it takes
/// part and whose other fields were all read. A rule with an inferred
/// field holds by construction (the field was computed from it).
fn in_ok_check(r: &Report, f: usize) -> bool {
    let id = &r.field_ids[f];
    let read = |other: &String| {
        other == id
            || r.field_ids.iter().position(|g| g == other).is_some_and(|g| {
                r.cells[g].value.is_some() && r.cells[g].status != Status::Inferred
            })
    };
    r.checks.iter().any(|c| {
        c.status == CheckStatus::Ok
            && (c.lhs.contains(id) || c.rhs.contains(id))
            && c.lhs.iter().chain(&c.rhs).all(read)
    })
}

/// OCR confidence into each value read from a cell; warnings for unsure
/// values that no evaluated rule confirms. Two kinds of cell are unsure
/// however clearly OCR read them, and a value there that no rule confirms
/// is capped below [`LOW_CONFIDENCE`], with one warning per page saying
/// why: in a table without ruling lines (the fallback) a value's column
/// comes from its position alone (`unruled-table`); under a red seal the
/// digits may be the seal's strokes (`sealed-cells`). Last, a value
/// inferred from the rules is no surer than the values it came from.
fn fold_confidence(r: &mut Report, scan: &ScanDoc, owner: &[Option<usize>]) {
    let unruled: Vec<usize> = scan.scans.iter().filter(|s| s.fallback).map(|s| s.page).collect();
    let mut placed_only = vec![0usize; unruled.len()];
    // Per page with sealed value cells: how many, and how many unconfirmed.
    let mut sealed: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for f in 0..r.cells.len() {
        let Some(ci) = owner.get(f).copied().flatten() else {
            continue;
        };
        let read = &scan.cells[ci];
        let ocr = read.confidence;
        if r.cells[f].value.is_none() || r.cells[f].status == Status::Corrected {
            continue;
        }
        let confirmed = in_ok_check(r, f);
        if read.sealed {
            sealed.entry(read.page).or_default().0 += 1;
        }
        let c = &mut r.cells[f];
        let mut conf = c.confidence * if confirmed { ocr.max(0.95) } else { ocr };
        if ocr < UNSURE && !confirmed {
            conf = conf.min(LOW_CONFIDENCE - 0.01);
            let id = r.field_ids[f].clone();
            r.warnings.push(Warning::field(
                "low-confidence",
                &id,
                c.loc,
                format!(
                    "{id}: OCR is unsure of {:?} (confidence {ocr:.2}) and no rule confirms it",
                    read.text
                ),
            ));
        } else if !confirmed {
            if read.sealed {
                conf = conf.min(LOW_CONFIDENCE - 0.01);
                sealed.entry(read.page).or_default().1 += 1;
            } else if let Some(k) =
                unruled.iter().position(|&p| p == read.page).filter(|_| read.placed)
            {
                conf = conf.min(LOW_CONFIDENCE - 0.01);
                placed_only[k] += 1;
            }
        }
        c.confidence = (conf * 100.0).round() / 100.0;
    }
    cap_inferred(r);
    let rest = |n: usize| match n {
        0 => "every value read there is confirmed by a rule".to_string(),
        1 => "the 1 value there that no rule confirms has low confidence".to_string(),
        n => format!("the {n} values there that no rule confirms have low confidence"),
    };
    for (page, n) in unruled.into_iter().zip(placed_only) {
        r.warnings.push(Warning::new("unruled-table", format!("page {page}: a table has no ruling lines, so its cells were rebuilt from the gaps in the ink and placed by position; {}", rest(n))));
    }
    for (page, (cells, n)) in sealed {
        r.warnings.push(Warning::new("sealed-cells", format!("page {page}: red ink (a seal) covers {cells} value cell{}, read with the red dropped; {}", if cells == 1 { "" } else { "s" }, rest(n))));
    }
}

/// An inferred value takes the confidence of its best derivation: of the
/// rules that held with it, the one whose least sure other value is surest.
fn cap_inferred(r: &mut Report) {
    for f in 0..r.cells.len() {
        if r.cells[f].status != Status::Inferred || r.cells[f].value.is_none() {
            continue;
        }
        let id = &r.field_ids[f];
        let conf_of = |other: &String| {
            r.field_ids.iter().position(|g| g == other).map_or(0.0, |g| r.cells[g].confidence)
        };
        let best = r
            .checks
            .iter()
            .filter(|c| c.status == CheckStatus::Ok && (c.lhs.contains(id) || c.rhs.contains(id)))
            .map(|c| {
                c.lhs.iter().chain(&c.rhs).filter(|o| *o != id).map(conf_of).fold(1.0, f32::min)
            })
            .fold(0.0, f32::max);
        if best < r.cells[f].confidence {
            r.cells[f].confidence = (best * 100.0).round() / 100.0;
        }
    }
}

/// The read cell whose box holds the location's centre.
fn cell_at(cells: &[CellRead], loc: Loc) -> Option<usize> {
    let Loc::Box { page, x0, y0, x1, y1 } = loc else {
        return None;
    };
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    cells.iter().position(|c| {
        c.page == page && cx >= c.rect.x0 && cx <= c.rect.x1 && cy >= c.rect.y0 && cy <= c.rect.y1
    })
}

fn set_text(doc: &mut TextDoc, cell: &CellRead, text: &str) {
    for line in &mut doc.lines {
        for c in &mut line.cells {
            if c.loc.is_some_and(|l| cell_at(std::slice::from_ref(cell), l).is_some())
                && !c.text.is_empty()
            {
                c.text = text.to_string();
            }
        }
        line.text = line
            .cells
            .iter()
            .map(|c| c.text.as_str())
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
    }
}

/// Other readings of a number cell, best first, each a well-formed number.
pub fn alternatives(scan: &ScanDoc, cell: &CellRead) -> Vec<String> {
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
    let crop = crop_padded(&page.gray, cell.ink, 0.5);
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
pub(super) fn binarize(img: &GrayImage) -> GrayImage {
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

#[cfg(test)]
mod tests {
    //! The choice among rereadings, on a toy table: fields a + b = total.
    use super::*;

    /// (field, value) changes; the first reading is a=3, b=5, total=9.
    fn holds(set: &[&(usize, i64)]) -> Option<[i64; 3]> {
        let mut v = [3, 5, 9];
        for &&(f, x) in set {
            v[f] = x;
        }
        (v[0] + v[1] == v[2]).then_some(v)
    }

    fn fixes(changes: &[(usize, i64)]) -> Vec<[i64; 3]> {
        unique_fixes(changes, |c| c.0, holds, |r| *r).into_iter().map(|(_, r)| r).collect()
    }

    #[test]
    fn the_only_reading_that_makes_the_rule_hold_is_found() {
        // a read 3; Tesseract also offered 4 and 8: only 4 fits.
        assert_eq!(fixes(&[(0, 4), (0, 8)]), vec![[4, 5, 9]]);
    }

    #[test]
    fn two_readings_that_both_fit_are_ambiguous() {
        // a → 4 or total → 8 would each make the rule hold.
        assert_eq!(fixes(&[(0, 4), (2, 8)]).len(), 2);
    }

    #[test]
    fn pairs_only_when_no_single_change_fits() {
        // No single change fits; a → 2 with total → 7 does.
        assert_eq!(fixes(&[(0, 2), (2, 7), (1, 1)]), vec![[2, 5, 7]]);
        // Two spellings of the same value are one fix.
        assert_eq!(unique_fixes(&[(0, 4), (0, 4)], |c| c.0, holds, |r| *r).len(), 1);
    }
}
