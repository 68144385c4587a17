//! The rule-guided rereading of OCR'd values, a stage after the pipeline.
//! In: the [`Report`] the pipeline made of a reader's [`TextDoc`], and the
//! reader's [`Evidence`] (the scan reader's: `source::scan::evidence`).
//! Out: the report, with OCR confidence folded into each value, unsure
//! values reread, and at most one correction per reading that the rules
//! single out.
//!
//! A separate step after the pipeline rather than more "candidates" for the
//! solver (`solve.rs`): the solver chooses where printed numbers belong,
//! while here the question is what a printed number says, and answering it
//! costs OCR calls that are only worth making for the few cells in doubt.
//!
//! 1. The pipeline has run on the first readings.
//! 2. Cells in doubt: a number the reader is unsure of
//!    ([`ReadCell::unsure`]) or that lies under a seal, and every cell of a
//!    failed rule instance.
//! 3. Their alternative readings ([`Evidence::alternatives`]: for scans,
//!    Tesseract's other choices for each symbol and rereads of the crop
//!    with other settings).
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

use crate::doc::{Line, Loc, TextDoc};
use crate::findings::Status;
use crate::findings::{CheckStatus, Report, Warning, LOW_CONFIDENCE};
use crate::pipeline;
use crate::source::evidence::{Evidence, ReadCell};
use crate::template::TemplateSet;

/// Enumerating pairs of changes is limited to this many single changes.
const MAX_PAIR_CANDIDATES: usize = 24;

/// Another reading of one cell: (field, index into [`Evidence::cells`],
/// text).
type Change = (usize, usize, String);

/// Rereads the cells in doubt of `first`, the pipeline's report of `doc`,
/// and corrects one reading when the rules single it out.
pub fn reread(
    first: Report,
    doc: &TextDoc,
    evidence: &dyn Evidence,
    templates: &TemplateSet,
) -> Report {
    let cells = evidence.cells();
    let owner: Vec<Option<usize>> =
        first.cells.iter().map(|c| c.loc.and_then(|l| cell_at(&cells, l))).collect();
    let failed_fields: BTreeSet<usize> = failed(&first);
    let doubtful: Vec<usize> = (0..first.cells.len())
        .filter(|&f| {
            owner[f].is_some_and(|ci| {
                cells[ci].number
                    && (cells[ci].unsure || cells[ci].sealed || failed_fields.contains(&f))
            })
        })
        .collect();
    let mut report = first.clone();
    if !failed_fields.is_empty() && !doubtful.is_empty() {
        let mut changes: Vec<Change> = Vec::new();
        for &f in &doubtful {
            let Some(ci) = owner[f] else { continue };
            let cell = &cells[ci];
            for alt in evidence.alternatives(ci) {
                if alt != cell.text && !changes.iter().any(|(g, _, t)| *g == f && *t == alt) {
                    changes.push((f, ci, alt));
                }
            }
        }
        let try_changes = |set: &[&Change]| -> Option<Report> {
            let mut doc = doc.clone();
            for (_, ci, text) in set {
                set_text(&mut doc, &cells[*ci], text);
            }
            // A reread may fix a number, never the reading of the report:
            // same edition, or the change is not taken.
            let r = pipeline::extract(&doc, first.source.clone(), templates)
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
                let before = cells[*ci].text.clone();
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
    fold_confidence(&mut report, &cells, &evidence.unruled_pages(), &owner);
    report
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
fn fold_confidence(r: &mut Report, cells: &[ReadCell], unruled: &[usize], owner: &[Option<usize>]) {
    let mut placed_only = vec![0usize; unruled.len()];
    // Per page with sealed value cells: how many, and how many unconfirmed.
    let mut sealed: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    let read_pages: BTreeSet<usize> = cells.iter().map(|c| c.page).collect();
    for f in 0..r.cells.len() {
        let Some(ci) = owner.get(f).copied().flatten() else {
            unowned(r, f, &read_pages);
            continue;
        };
        let read = &cells[ci];
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
        if read.unsure && !confirmed {
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
    for (&page, n) in unruled.iter().zip(placed_only) {
        r.warnings.push(Warning::new("unruled-table", format!("page {page}: a table has no ruling lines, so its cells were rebuilt from the gaps in the ink and placed by position; {}", rest(n))));
    }
    for (page, (cells, n)) in sealed {
        r.warnings.push(Warning::new("sealed-cells", format!("page {page}: red ink (a seal) covers {cells} value cell{}, read with the red dropped; {}", if cells == 1 { "" } else { "s" }, rest(n))));
    }
}

/// A value read on an OCR'd page but from no cell the reader read (from
/// a cell of the layout without a box, or outside every read cell) has no
/// OCR confidence to fold in, and nothing says it is a number the reader
/// saw: a garbled cell "9好呈TIPT…" of a noisy scan gave its leading 9 as a
/// value. Unless a rule confirms it, it is capped below
/// [`LOW_CONFIDENCE`] with a `low-confidence` warning naming it. (Values
/// on the pages a reader did not OCR, a text PDF's, have boxes there.)
fn unowned(r: &mut Report, f: usize, read_pages: &BTreeSet<usize>) {
    let c = &r.cells[f];
    let on_read_page = match c.loc {
        Some(Loc::Box { page, .. }) => read_pages.contains(&page),
        _ => !read_pages.is_empty(),
    };
    if c.value.is_none() || c.status != Status::Read || !on_read_page || in_ok_check(r, f) {
        return;
    }
    let id = r.field_ids[f].clone();
    let raw = c.raw.clone().unwrap_or_default();
    let c = &mut r.cells[f];
    c.confidence = c.confidence.min(LOW_CONFIDENCE - 0.01);
    r.warnings.push(Warning::field(
        "low-confidence",
        &id,
        c.loc,
        format!("{id}: {raw:?} was read in OCR'd text outside the cells read one by one, and no rule confirms it"),
    ));
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
fn cell_at(cells: &[ReadCell], loc: Loc) -> Option<usize> {
    let Loc::Box { page, x0, y0, x1, y1 } = loc else {
        return None;
    };
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    cells.iter().position(|c| {
        c.page == page && cx >= c.rect.x0 && cx <= c.rect.x1 && cy >= c.rect.y0 && cy <= c.rect.y1
    })
}

fn set_text(doc: &mut TextDoc, cell: &ReadCell, text: &str) {
    for line in &mut doc.lines {
        for c in &mut line.cells {
            if c.loc.is_some_and(|l| cell_at(std::slice::from_ref(cell), l).is_some())
                && !c.text.is_empty()
            {
                c.text = text.to_string();
            }
        }
        line.text = Line::text_of(&line.cells);
    }
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

    /// The rereading's policy on a real report (a text sample, each cell
    /// given a box of its own on page 1) through a stand-in for the scan
    /// reader: what OCR read is the cell text, what it might have read
    /// instead is given per cell.
    mod policy {
        use std::cell::RefCell;
        use std::collections::BTreeMap;

        use super::*;
        use crate::decimal::Dec;
        use crate::doc::Loc;
        use crate::findings::SourceInfo;
        use crate::layout::Rect;

        struct Reader {
            cells: Vec<ReadCell>,
            others: BTreeMap<usize, Vec<String>>,
            asked: RefCell<Vec<usize>>,
        }

        impl Evidence for Reader {
            fn cells(&self) -> Vec<ReadCell> {
                self.cells.clone()
            }
            fn alternatives(&self, cell: usize) -> Vec<String> {
                self.asked.borrow_mut().push(cell);
                self.others.get(&cell).cloned().unwrap_or_default()
            }
            fn unruled_pages(&self) -> Vec<usize> {
                Vec::new()
            }
        }

        /// The 2021 sample with every cell boxed, and its reader.
        fn scanned() -> (TextDoc, Reader) {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/text/gen_02_cells_2021.txt");
            let mut doc = crate::source::text::read(&std::fs::read_to_string(path).unwrap());
            let mut cells = Vec::new();
            for (y, line) in doc.lines.iter_mut().enumerate() {
                for (x, cell) in line.cells.iter_mut().enumerate() {
                    let (x0, y0) = (x as f32 * 10.0, y as f32 * 10.0);
                    cell.loc = Some(Loc::Box { page: 1, x0, y0, x1: x0 + 8.0, y1: y0 + 8.0 });
                    let text = cell.text.trim().to_string();
                    cells.push(ReadCell {
                        page: 1,
                        rect: Rect { x0, y0, x1: x0 + 8.0, y1: y0 + 8.0 },
                        number: !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()),
                        text,
                        confidence: 0.97,
                        unsure: false,
                        placed: false,
                        sealed: false,
                    });
                }
            }
            (doc, Reader { cells, others: BTreeMap::new(), asked: RefCell::new(Vec::new()) })
        }

        fn run(doc: &TextDoc, reader: &Reader) -> (Report, Report) {
            let templates = TemplateSet::builtin().unwrap();
            let info = SourceInfo {
                path: "scan.png".to_string(),
                kind: "image",
                sha256: String::new(),
                bytes: 0,
            };
            let first = pipeline::extract(doc, info, &templates).unwrap();
            (first.clone(), reread(first, doc, reader, &templates))
        }

        /// The reader's index of the cell the field `id` was read from, with
        /// OCR having read `text` there.
        fn misread(doc: &mut TextDoc, reader: &mut Reader, id: &str, text: &str) -> usize {
            let (clean, _) = run(doc, reader);
            let f = clean.field_ids.iter().position(|f| f == id).unwrap();
            let ci = cell_at(&reader.cells, clean.cells[f].loc.unwrap()).unwrap();
            set_text(doc, &reader.cells[ci].clone(), text);
            reader.cells[ci].text = text.to_string();
            ci
        }

        fn value(r: &Report, id: &str) -> (Option<Dec>, Status) {
            let f = r.field_ids.iter().position(|f| f == id).unwrap();
            (r.cells[f].value, r.cells[f].status)
        }

        #[test]
        fn a_sure_reading_that_every_rule_holds_is_not_reread() {
            let (doc, reader) = scanned();
            let (first, r) = run(&doc, &reader);
            assert!(reader.asked.borrow().is_empty());
            assert_eq!(value(&r, "s3.new.research"), (Some(Dec::from_int(74)), Status::Read));
            assert_eq!(r.warnings.len(), first.warnings.len());
        }

        #[test]
        fn the_one_other_reading_that_makes_every_rule_hold_is_taken() {
            let (mut doc, mut reader) = scanned();
            // 74 read as 71; OCR's other readings: 14 (no rule holds) and 74.
            let ci = misread(&mut doc, &mut reader, "s3.new.research", "71");
            reader.others.insert(ci, vec!["14".to_string(), "74".to_string()]);
            let (first, r) = run(&doc, &reader);
            assert_eq!(value(&first, "s3.new.research").0, Some(Dec::from_int(71)));
            assert!(reader.asked.borrow().contains(&ci));
            assert_eq!(value(&r, "s3.new.research"), (Some(Dec::from_int(74)), Status::Corrected));
            let f = r.field_ids.iter().position(|f| f == "s3.new.research").unwrap();
            assert_eq!(r.cells[f].raw.as_deref(), Some("71"));
            assert_eq!(r.cells[f].confidence, 0.8);
            assert!(r.checks.iter().all(|c| c.status != CheckStatus::Failed));
            let w: Vec<_> = r.warnings.iter().filter(|w| w.code == "corrected-cell").collect();
            assert_eq!(w.len(), 1);
            assert_eq!(w[0].message, "s3.new.research: OCR read \"71\"; \"74\" is the only other reading that makes every rule hold, so it was taken");
        }

        #[test]
        fn an_unsure_reading_no_rule_confirms_is_kept_with_low_confidence() {
            let (mut doc, mut reader) = scanned();
            let ci = misread(&mut doc, &mut reader, "s3.new.research", "71");
            reader.cells[ci].unsure = true;
            reader.cells[ci].confidence = 0.5;
            reader.others.insert(ci, vec!["14".to_string()]);
            let (_, r) = run(&doc, &reader);
            assert_eq!(value(&r, "s3.new.research"), (Some(Dec::from_int(71)), Status::Read));
            let f = r.field_ids.iter().position(|f| f == "s3.new.research").unwrap();
            assert!(r.cells[f].confidence < LOW_CONFIDENCE);
            let w: Vec<_> = r.warnings.iter().filter(|w| w.code == "low-confidence").collect();
            assert_eq!(w.len(), 1);
            assert_eq!(
                w[0].message,
                "s3.new.research: OCR is unsure of \"71\" (confidence 0.50) and no rule confirms it"
            );
            assert!(r.warnings.iter().all(|w| w.code != "corrected-cell"));
        }
    }
}
