//! Stage: verification, the last before output. A [`Report`] → a
//! [`Verdict`] for every value, one review list, the Chinese messages, and
//! the counts that say whether the report may be used unchecked.
//!
//! - **confirmed**: every kind of rule over the value holds in an instance
//!   whose operands were read independently. 表三 has rules along rows (R2,
//!   the 总计 column) and down columns (R1, R3, R5): a value needs one of
//!   each, because a row rule alone cannot tell a row whose values moved to
//!   another row. An inferred operand counts only when it is corroborated
//!   (below).
//! - **review**: a person must look. Corrected; inferred, unless rules of
//!   every kind over it hold with it (the one it came from and another: a
//!   lost 总计 that its column agrees with, a 2021 （六） summed from its
//!   three rows); placed by a choice among several readings; in a failed
//!   rule; named by a warning; under the confidence threshold; or in a rule
//!   that cannot be evaluated for missing operands and would fail with
//!   blanks as zeros.
//! - **unconfirmed**: the rest (表二 has no rules; a rule skipped for blanks
//!   that, as zeros, would hold).
//!
//! Every review value, every warning that names a field, and every
//! report-level doubt (a table, row, title, organization or year missing; a
//! page read turned) is one entry of the review list; nothing else is. A
//! value in review has its confidence capped below [`LOW_CONFIDENCE`], so
//! that `confidence < 0.6` and the review list say the same thing.

mod messages;

use std::collections::{BTreeMap, BTreeSet};

pub use crate::findings::LOW_CONFIDENCE;
use crate::findings::{CheckStatus, Doubt, Report, ReviewEntry, Status, Tally, Verdict, Warning};
use crate::template::{CheckInstance, Over, RowKind, Template, TemplateSet};
use messages::{entry, scope, value_messages, zh_for_report_warning, zh_for_warning};

/// Warnings that are summed up elsewhere and make no entry of their own:
/// a failed rule puts its operands in review; a page with unruled tables
/// or seals caps the confidence of the cells concerned; the edition taken
/// from the year is information; `no-title` is the organization and year
/// entries.
const SUMMED_UP: &[&str] =
    &["rule-failed", "unruled-table", "sealed-cells", "edition-from-year", "no-title"];

/// Where a report's field sits in its template.
pub(super) struct Place<'a> {
    pub(super) t: &'a Template,
    pub(super) field: usize,
}

impl Place<'_> {
    pub(super) fn row_label(&self) -> &str {
        &self.t.rows[self.t.fields[self.field].row].labels[0]
    }

    pub(super) fn column_label(&self) -> &str {
        &self.t.columns[self.t.fields[self.field].column].labels[0]
    }
}

/// Fills `verdict` of every value, `review`, `tally`, and `message_zh` of
/// every warning.
pub fn verify(r: &mut Report, templates: &TemplateSet) {
    let tables = templates.edition_tables(&r.edition);
    let Some(layout) = Layout::of(r, &tables) else {
        // Not the pipeline's layout (cannot happen for a report it made):
        // nothing can be verified, so everything is for review.
        r.review = report_entries(r, &tables);
        r.tally = Tally { review: r.review.len(), ..Tally::default() };
        return;
    };
    let places: Vec<Option<&Place>> = layout.places.iter().map(Some).collect();
    let operands = &layout.operands;
    let index = |id: &str| r.field_ids.iter().position(|f| f == id);
    let inapplicable: Vec<bool> =
        (0..r.checks.len()).map(|c| sum_row_not_split(r, &layout, c)).collect();
    let mut covering: Vec<Vec<usize>> = vec![Vec::new(); r.cells.len()];
    for (c, ops) in operands.iter().enumerate() {
        if !inapplicable[c] {
            for &f in ops {
                covering[f].push(c);
            }
        }
    }
    let axes: Vec<Option<Over>> = (0..r.checks.len())
        .map(|c| {
            let p = places[*operands[c].first()?]?;
            p.t.rules.iter().find(|rule| rule.id == r.checks[c].rule).map(|rule| rule.over)
        })
        .collect();
    let axis = |c: usize| axes[c];
    let plain: Vec<bool> = r
        .cells
        .iter()
        .map(|cell| {
            matches!(cell.status, Status::Read | Status::Normalized) && cell.doubt.is_none()
        })
        .collect();
    let lost_rows: BTreeSet<&str> = r
        .warnings
        .iter()
        .filter(|w| w.code == "row-not-found")
        .filter_map(|w| w.scope.as_deref())
        .collect();
    // A row the input lost whole, rebuilt from its columns, makes its own
    // row rule hold whatever the truth, and the column rules it was
    // rebuilt from too: whatever the values beside it in those columns.
    let rebuilt: Vec<bool> = (0..r.cells.len())
        .map(|f| {
            r.cells[f].status == Status::Inferred && lost_rows.contains(row_id(&r.field_ids[f]))
        })
        .collect();
    // An inferred value that rules of every kind over it hold with (two
    // instances at least: the one it came from and one more) is as sure as
    // the values it came from: a lost 总计 that its row gives and its column
    // agrees with, a 2021 （六） summed from its three rows, a row of zeros
    // that lost one cell somewhere. A rule that holds with a rebuilt value
    // among its operands is no such second rule: a row read one row off,
    // next to a lost row, holds its column rules with the lost row rebuilt
    // from what it should have held.
    let corroborated: Vec<bool> = (0..r.cells.len())
        .map(|f| {
            let cell = &r.cells[f];
            let Some(p) = places[f] else { return false };
            let held: Vec<usize> = covering[f]
                .iter()
                .copied()
                .filter(|&c| r.checks[c].status == CheckStatus::Ok)
                .filter(|&c| operands[c].iter().all(|&g| !rebuilt[g]))
                .collect();
            cell.status == Status::Inferred
                && cell.doubt.is_none()
                && !rebuilt[f]
                && held.len() >= 2
                && held.len() == covering[f].len()
                && p.t.rules.iter().all(|rule| held.iter().any(|&c| axis(c) == Some(rule.over)))
        })
        .collect();
    let independent: Vec<bool> = (0..r.checks.len())
        .map(|c| {
            r.checks[c].status == CheckStatus::Ok
                && operands[c].iter().all(|&g| plain[g] || corroborated[g])
        })
        .collect();
    let independent = |c: usize| independent[c];
    let mut warned: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (w, warning) in r.warnings.iter().enumerate() {
        if let Some(f) = warning.field.as_deref().and_then(index) {
            warned.entry(f).or_default().push(w);
        }
    }

    // A row is found when any of its cells was: its other null cells are
    // blanks, not gaps.
    let row_of = |f: usize| places[f].map(|p| (p.t.table.as_str(), p.t.fields[p.field].row));
    let mut found_rows = BTreeSet::new();
    for (f, cell) in r.cells.iter().enumerate() {
        if cell.value.is_some() || cell.raw.is_some() || cell.loc.is_some() {
            found_rows.extend(row_of(f));
        }
    }
    let row_found: Vec<bool> =
        (0..r.cells.len()).map(|f| row_of(f).is_some_and(|k| found_rows.contains(&k))).collect();
    let mut review = Vec::new();
    let mut tally = Tally::default();
    let mut verdicts: Vec<Option<Verdict>> = vec![None; r.cells.len()];
    for f in 0..r.cells.len() {
        let Some(place) = places[f] else { continue };
        let cell = &r.cells[f];
        let warnings: Vec<&Warning> =
            warned.get(&f).map_or_else(Vec::new, |ws| ws.iter().map(|&w| &r.warnings[w]).collect());
        // Per kind of rule over the value (rows, columns): (covered, held
        // independently, would fail with blanks as zeros).
        let mut kinds = [(false, false, false); 2];
        for &c in &covering[f] {
            let Some(o) = axis(c) else { continue };
            let k = &mut kinds[o as usize];
            k.0 = true;
            k.1 |= independent(c);
            k.2 |= r.checks[c].holds_if_blanks_zero == Some(false);
        }
        if cell.value.is_none() {
            // A null value is reviewed only when a warning says why it is
            // null (unreadable, ambiguous); a blank cell is not a doubt.
            if let Some(w) = warnings.first() {
                review.push(entry(
                    &r.field_ids[f],
                    place,
                    cell,
                    w.code,
                    w.message.clone(),
                    zh_for_warning(w, Some(place), cell),
                ));
            }
            let not_applicable = operands.iter().enumerate().any(|(c, ops)| {
                inapplicable[c] && ops.contains(&f) && !r.checks[c].lhs.contains(&r.field_ids[f])
            });
            if !row_found[f] && !not_applicable {
                tally.missing += 1;
            }
            continue;
        }
        let failed: Vec<usize> = covering[f]
            .iter()
            .copied()
            .filter(|&c| r.checks[c].status == CheckStatus::Failed)
            .collect();
        let doubt = if cell.status == Status::Corrected {
            Some(("corrected", warnings.first().map(|w| w.message.clone())))
        } else if !failed.is_empty() {
            Some(("rule-failed", None))
        } else if let Some(Doubt::Chosen { .. }) = &cell.doubt {
            Some(("placement", None))
        } else if cell.status == Status::Inferred && !corroborated[f] {
            Some(("inferred", None))
        } else if let Some(w) = warnings.first() {
            Some((w.code, Some(w.message.clone())))
        } else if cell.confidence < LOW_CONFIDENCE {
            Some(("low-confidence", None))
        } else {
            None
        };
        let unverifiable = kinds.iter().any(|&(covered, held, fails)| covered && !held && fails);
        let doubt = doubt.or_else(|| unverifiable.then_some(("unverifiable", None)));
        let verdict = match doubt {
            Some((code, message)) => {
                let (en, zh) = value_messages(r, f, place, code, message, &failed);
                review.push(entry(&r.field_ids[f], place, cell, code, en, zh));
                Verdict::Review
            }
            None if kinds.iter().any(|k| k.0) && kinds.iter().all(|k| !k.0 || k.1) => {
                Verdict::Confirmed
            }
            None => Verdict::Unconfirmed,
        };
        match verdict {
            Verdict::Confirmed => tally.confirmed += 1,
            Verdict::Unconfirmed => tally.unconfirmed += 1,
            Verdict::Review => {}
        }
        verdicts[f] = Some(verdict);
    }
    for (cell, verdict) in r.cells.iter_mut().zip(verdicts) {
        cell.verdict = verdict;
        if verdict == Some(Verdict::Review) && cell.confidence >= LOW_CONFIDENCE {
            cell.confidence = LOW_CONFIDENCE - 0.01;
        }
    }
    review.extend(report_entries(r, &tables));
    for w in 0..r.warnings.len() {
        let place =
            r.warnings[w].field.as_deref().and_then(index).and_then(|f| places[f].map(|p| (p, f)));
        let zh = match place {
            Some((p, f)) => zh_for_warning(&r.warnings[w], Some(p), &r.cells[f]),
            None => zh_for_report_warning(&r.warnings[w], &tables),
        };
        r.warnings[w].message_zh = Some(zh);
    }
    tally.review = review.len();
    r.review = review;
    r.tally = tally;
}

/// The row part of a field id: `s3.rejected.confirm` of
/// `s3.rejected.confirm.natural`.
fn row_id(field: &str) -> &str {
    field.rsplit_once('.').map_or(field, |(row, _)| row)
}

/// A rule defining a sum row (2021 （六） = its three rows) does not apply
/// where the report prints that row alone: all its parts are absent.
fn sum_row_not_split(r: &Report, layout: &Layout, c: usize) -> bool {
    let (t, base, check) = layout.checks[c];
    let [total] = check.lhs.as_slice() else { return false };
    t.rows[t.fields[*total].row].kind == RowKind::Sum
        && r.cells[base + total].status != Status::Inferred
        && check.rhs.iter().all(|&g| r.cells[base + g].value.is_none())
}

/// Where each field and rule instance of a report sits in the templates:
/// the pipeline writes the edition's tables' fields, and their rule
/// instances, one table after the other in template order.
struct Layout<'a> {
    places: Vec<Place<'a>>,
    /// Per rule instance: its template, the table's first report field,
    /// and the instance (in template field indices).
    checks: Vec<(&'a Template, usize, &'a CheckInstance)>,
    /// Per rule instance: its operands, as report field indices.
    operands: Vec<Vec<usize>>,
}

impl<'a> Layout<'a> {
    fn of(r: &Report, tables: &[&'a Template]) -> Option<Layout<'a>> {
        let mut places = Vec::new();
        let mut checks = Vec::new();
        for &t in tables {
            let base = places.len();
            places.extend((0..t.fields.len()).map(|field| Place { t, field }));
            checks.extend(t.checks.iter().map(|c| (t, base, c)));
        }
        let same = places.len() == r.field_ids.len()
            && places.iter().zip(&r.field_ids).all(|(p, id)| &p.t.fields[p.field].id == id)
            && checks.len() == r.checks.len()
            && checks.iter().zip(&r.checks).all(|((_, _, c), rc)| c.name == rc.instance);
        let operands = checks
            .iter()
            .map(|(_, base, c)| c.lhs.iter().chain(&c.rhs).map(|&f| base + f).collect())
            .collect();
        same.then_some(Layout { places, checks, operands })
    }
}

/// Review entries for the report as a whole: its warnings that name no
/// field (less those summed up elsewhere), and a missing organization or
/// year.
fn report_entries(r: &Report, tables: &[&Template]) -> Vec<ReviewEntry> {
    let mut about: Vec<Warning> = r
        .warnings
        .iter()
        .filter(|w| w.field.is_none() && !SUMMED_UP.contains(&w.code))
        .cloned()
        .collect();
    if r.organization.is_none() {
        about.push(Warning::new(
            "organization-missing",
            "the issuing organization was not read".into(),
        ));
    }
    if r.year.is_none() {
        about.push(Warning::new("year-missing", "the report year was not read".into()));
    }
    about
        .into_iter()
        .map(|w| {
            let (table, row) = scope(&w, tables);
            ReviewEntry {
                field: None,
                table: table.map(|t| t.name.clone()),
                row_label: row.map(|r| r.labels[0].clone()),
                column_label: None,
                value: None,
                raw: None,
                confidence: None,
                reason: w.code,
                message_zh: zh_for_report_warning(&w, tables),
                message: w.message,
                loc: w.loc,
            }
        })
        .collect()
}
