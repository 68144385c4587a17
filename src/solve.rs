//! Stage: checks and repair. [`TableRead`] → one value per field, the rule
//! results, and warnings.
//!
//! The rules (勾稽关系) are linear: `sum(lhs) = sum(rhs)`. Three things use them:
//! 1. **Inference.** While some rule instance has exactly one unknown operand,
//!    that operand is solved (a count must come out a non-negative integer).
//! 2. **Choosing among readings.** A row with fewer numbers than columns, or a
//!    glued digit run, has several readings. Every combination is tried; the
//!    ones under which every rule holds are kept. A cell gets a value only if
//!    all kept combinations agree on it: otherwise it is `null` with a
//!    warning. Nothing is ever guessed.
//! 3. **Reporting.** Every rule instance is evaluated on the final values.
//!
//! When no combination satisfies the rules, the source's own numbers are
//! kept, nothing is inferred, and the failed rules are reported.

use crate::decimal::Dec;
use crate::findings::Status;
use crate::findings::{CheckResult, CheckStatus, Doubt, FieldOut, Warning};
use crate::table::{CellRead, LabelMatch, TableRead, Unit};
use crate::template::{CheckInstance, ColumnKind, Template};

mod search;

/// Joint enumeration limit; beyond it rows are resolved one by one.
const MAX_COMBOS: usize = 20_000;

#[derive(Clone, Debug, Default)]
pub struct Resolved {
    pub cells: Vec<FieldOut>,
    pub checks: Vec<CheckResult>,
    pub warnings: Vec<Warning>,
}

type Grid = Vec<Option<Dec>>;

fn kind_ok(v: Dec, kind: ColumnKind) -> bool {
    match kind {
        ColumnKind::Count => v.is_integer() && !v.is_negative(),
        ColumnKind::Signed => v.is_integer(),
        ColumnKind::Amount => !v.is_negative(),
    }
}

/// Fills every operand that a rule instance determines alone. Returns the
/// filled fields, or `None` when a filled value is impossible for its column
/// (the readings contradict the rules).
pub fn propagate(
    grid: &mut Grid,
    kinds: &[ColumnKind],
    checks: &[&CheckInstance],
) -> Option<Vec<usize>> {
    let mut filled = Vec::new();
    loop {
        let mut changed = false;
        for c in checks {
            let mut unknown = None;
            let mut count = 0;
            for &f in c.lhs.iter().chain(&c.rhs) {
                if grid[f].is_none() {
                    unknown = Some(f);
                    count += 1;
                }
            }
            let Some(f) = unknown.filter(|_| count == 1) else {
                continue;
            };
            let sum = |side: &[usize]| Dec::sum(side.iter().filter_map(|&g| grid[g]));
            let (l, r) = (sum(&c.lhs), sum(&c.rhs));
            let v = if c.lhs.contains(&f) { r - l } else { l - r };
            if !kind_ok(v, kinds[f]) {
                return None;
            }
            grid[f] = Some(v);
            filled.push(f);
            changed = true;
        }
        if !changed {
            return Some(filled);
        }
    }
}

/// Rule instances whose operands are all present and whose sides differ.
fn failures(grid: &Grid, checks: &[&CheckInstance]) -> usize {
    checks.iter().filter(|c| evaluate(grid, c).0 == Some(false)).count()
}

/// (holds?, lhs, rhs) when every operand is present.
fn evaluate(grid: &Grid, c: &CheckInstance) -> (Option<bool>, Option<Dec>, Option<Dec>) {
    let side =
        |fs: &[usize]| fs.iter().map(|&f| grid[f]).collect::<Option<Vec<Dec>>>().map(Dec::sum);
    let (l, r) = (side(&c.lhs), side(&c.rhs));
    match (l, r) {
        (Some(a), Some(b)) => (Some(a == b), l, r),
        _ => (None, l, r),
    }
}

fn place(grid: &mut Grid, unit: &Unit, k: usize) {
    for (slot, &f) in unit.fields.iter().enumerate() {
        grid[f] = unit.candidates[k][slot].cell.value;
    }
}

struct Combo {
    choice: Vec<usize>,
    grid: Grid,
    inferred: Vec<usize>,
    consistent: bool,
    /// Stands for every combination of its units' readings that the strict
    /// search kept (see [`strict_reading`]): `grid` holds what they agree on.
    merged: bool,
}

/// The reading to try first: every ambiguous unit's header-positional one.
/// `None` when some ambiguous unit has no such reading.
fn preferred_choice(units: &[Unit]) -> Option<Vec<usize>> {
    units.iter().map(|u| if u.candidates.len() == 1 { Some(0) } else { u.preferred }).collect()
}

/// Places one reading per unit, infers, and checks. `None` when inference
/// meets an impossible value.
fn evaluate_combo(
    units: &[Unit],
    choice: &[usize],
    nf: usize,
    kinds: &[ColumnKind],
    all: &[&CheckInstance],
) -> Option<Combo> {
    let mut grid = vec![None; nf];
    for (u, &k) in units.iter().zip(choice) {
        place(&mut grid, u, k);
    }
    let inferred = propagate(&mut grid, kinds, all)?;
    let consistent = failures(&grid, all) == 0;
    Some(Combo { choice: choice.to_vec(), grid, inferred, consistent, merged: false })
}

pub fn resolve(t: &Template, read: &TableRead) -> Resolved {
    let nf = t.fields.len();
    let kinds: Vec<ColumnKind> = t.fields.iter().map(|f| t.columns[f.column].kind).collect();
    let all: Vec<&CheckInstance> = t.checks.iter().collect();
    let mut units = read.units.clone();
    for u in &mut units {
        narrow_by_local_rules(u, nf, &kinds, &all);
    }
    let mut warnings = Vec::new();
    let kept = choose_readings(t, &mut units, &kinds, &all, &mut warnings);
    let owner: Vec<Option<(usize, usize)>> = (0..nf)
        .map(|f| {
            units
                .iter()
                .enumerate()
                .find_map(|(ui, u)| u.fields.iter().position(|&x| x == f).map(|slot| (ui, slot)))
        })
        .collect();
    let cells: Vec<FieldOut> = (0..nf)
        .map(|f| match &kept {
            Some(kept) => agreed(f, &units, owner[f], kept),
            None => shared_by_all_readings(&units, owner[f]),
        })
        .collect();
    let mut cells = cells;
    let readings: Vec<Option<String>> =
        units.iter().enumerate().map(|(ui, u)| chosen_reading(u, ui, kept.as_deref())).collect();
    for (f, cell) in cells.iter_mut().enumerate() {
        let Some((ui, slot)) = owner[f] else { continue };
        cell.doubt = readings[ui].as_ref().map(|reading| {
            doubt(&units[ui], reading, slot, f, cell.value.is_some(), kept.as_deref())
        });
        if cell.status != Status::Missing {
            continue;
        }
        let id = &t.fields[f].id;
        if let Some(Doubt::Ambiguous { readings, values }) = &cell.doubt {
            warnings.push(Warning::field(
                "ambiguous-cell",
                id,
                cell.loc,
                format!(
                    "{id}: the row's numbers fit its columns in {readings} ways and the rules do not decide between {}; left null",
                    values.join(" and ")
                ),
            ));
        } else if cell.raw.as_deref().is_some_and(|r| !r.trim().is_empty()) {
            warnings.push(Warning::field(
                "unreadable-cell",
                id,
                cell.loc,
                format!("{id}: unreadable (source text {:?})", cell.raw.as_deref().unwrap_or("")),
            ));
        }
    }
    let grid: Grid = cells.iter().map(|c| c.value).collect();
    let checks = t.checks.iter().map(|c| check_result(t, &grid, c)).collect::<Vec<_>>();
    for c in checks.iter().filter(|c| c.status == CheckStatus::Failed) {
        warnings.push(Warning::scoped(
            "rule-failed",
            &t.table,
            format!(
                "{} fails for {}: {} ≠ {}",
                c.rule,
                c.instance,
                c.lhs_value.map_or("?".into(), |v| v.to_string()),
                c.rhs_value.map_or("?".into(), |v| v.to_string())
            ),
        ));
    }
    Resolved { cells, checks, warnings }
}

/// The combinations of readings under which every rule holds, after
/// inference; `None` when there is none (or too many to try).
fn choose_readings(
    t: &Template,
    units: &mut [Unit],
    kinds: &[ColumnKind],
    all: &[&CheckInstance],
    warnings: &mut Vec<Warning>,
) -> Option<Vec<Combo>> {
    let nf = t.fields.len();
    // The header-positional reading of every row, when it satisfies every
    // rule, needs no search.
    if let Some(c) = preferred_choice(units)
        .and_then(|p| evaluate_combo(units, &p, nf, kinds, all))
        .filter(|c| c.consistent)
    {
        return Some(vec![c]);
    }
    narrow_jointly(units, nf, kinds, all);
    if let Some(c) = strict_reading(units, nf, kinds, all) {
        return Some(vec![c]);
    }
    let radices: Vec<usize> = units.iter().map(|u| u.candidates.len()).collect();
    let Some(product) =
        radices.iter().try_fold(1usize, |p, &r| p.checked_mul(r)).filter(|&p| p <= MAX_COMBOS)
    else {
        warnings.push(Warning::new(
            "too-ambiguous",
            format!(
                "{}: too many possible readings to check together; ambiguous rows are left null",
                t.table
            ),
        ));
        return None;
    };
    let mut consistent: Vec<Combo> = (0..product)
        .filter_map(|mut n| {
            let choice: Vec<usize> = radices
                .iter()
                .map(|&r| {
                    let k = n % r;
                    n /= r;
                    k
                })
                .collect();
            evaluate_combo(units, &choice, nf, kinds, all).filter(|c| c.consistent)
        })
        .collect();
    if consistent.is_empty() {
        if units.iter().any(|u| u.candidates.len() > 1) {
            warnings.push(Warning::new("no-consistent-reading", format!("{}: no reading of the table satisfies every rule; rows with several readings keep only what all readings share, and nothing is inferred", t.table)));
        }
        return None;
    }
    if let Some(p) = preferred_choice(units) {
        if let Some(k) = consistent.iter().position(|c| c.choice == p) {
            return Some(vec![consistent.swap_remove(k)]);
        }
    }
    Some(consistent)
}

/// The readings that fit the whole table with blanks as 0 (see
/// [`search`]): each unit keeps those, and the cells they agree on, with
/// what the rules infer from them, stand for all of them.
fn strict_reading(
    units: &mut [Unit],
    nf: usize,
    kinds: &[ColumnKind],
    all: &[&CheckInstance],
) -> Option<Combo> {
    let supported = search::supported(units, nf, kinds, all)?;
    let mut grid: Grid = vec![None; nf];
    for (u, ok) in units.iter().zip(&supported) {
        let kept: Vec<&Vec<CellRead>> =
            u.candidates.iter().zip(ok).filter(|(_, &ok)| ok).map(|(c, _)| c).collect();
        for (slot, &f) in u.fields.iter().enumerate() {
            let v = kept[0][slot].cell.value;
            if kept.iter().all(|c| c[slot].cell.value == v) {
                grid[f] = v;
            }
        }
    }
    let inferred = propagate(&mut grid, kinds, all)?;
    let mut choice = Vec::with_capacity(units.len());
    for (u, ok) in units.iter_mut().zip(&supported) {
        if ok.iter().any(|&b| !b) {
            keep_readings(u, ok);
        }
        choice.push(u.preferred.unwrap_or(0));
    }
    Some(Combo { choice, grid, inferred, consistent: true, merged: true })
}

fn missing_cell() -> FieldOut {
    FieldOut::missing()
}

/// A unit whose place is in doubt (its text allowed several readings and
/// the header positions did not pick the one taken): the row as taken.
fn chosen_reading(u: &Unit, ui: usize, kept: Option<&[Combo]>) -> Option<String> {
    // One reading left, and no rule removed any: every way the text could
    // be read gives these values.
    if u.forms <= 1 || (u.candidates.len() == 1 && !u.pruned) {
        return None;
    }
    let by_header = u.preferred.is_some()
        && kept.is_none_or(|k| {
            k.iter()
                .all(|c| Some(c.choice[ui]) == u.preferred && !(c.merged && u.candidates.len() > 1))
        });
    if by_header {
        return None;
    }
    // The row as taken; a value the rules gave is in parentheses.
    let reading: Vec<String> = match kept {
        Some(kept) => {
            let cand = &u.candidates[kept[0].choice[ui]];
            u.fields
                .iter()
                .zip(cand)
                .map(|(&g, c)| {
                    let v = show(kept[0].grid[g]);
                    let given = kept[0].inferred.contains(&g) || c.cell.status == Status::Inferred;
                    if given {
                        format!("({v})")
                    } else {
                        v
                    }
                })
                .collect()
        }
        None => u.candidates[0].iter().map(|c| show(c.cell.value)).collect(),
    };
    Some(reading.join(" | "))
}

fn show(v: Option<Dec>) -> String {
    v.map_or_else(|| "(blank)".to_string(), |v| v.to_string())
}

/// A field's doubt in a unit that is in doubt (`reading`: the row as
/// taken). A field with a value has it in every surviving reading; one
/// without may be left null because the readings disagree.
fn doubt(
    u: &Unit,
    reading: &str,
    slot: usize,
    f: usize,
    has_value: bool,
    kept: Option<&[Combo]>,
) -> Doubt {
    if !has_value {
        // What the surviving readings put in this cell (there may be
        // thousands of combinations: compare before formatting).
        let mut distinct: Vec<Option<Dec>> = Vec::new();
        let mut note = |v: Option<Dec>| {
            if !distinct.contains(&v) {
                distinct.push(v);
            }
        };
        match kept {
            Some(kept) if !kept[0].merged => kept.iter().for_each(|c| note(c.grid[f])),
            _ => u.candidates.iter().for_each(|c| note(c[slot].cell.value)),
        }
        if distinct.len() > 1 {
            let mut values: Vec<String> = distinct.into_iter().map(show).collect();
            values.sort();
            return Doubt::Ambiguous { readings: u.forms, values };
        }
    }
    Doubt::Chosen { readings: u.forms, reading: reading.to_string() }
}

/// A field's outcome when consistent readings were found: its value if they
/// all agree on it (inferred where some inferred it), else null.
fn agreed(f: usize, units: &[Unit], owner: Option<(usize, usize)>, kept: &[Combo]) -> FieldOut {
    let read =
        owner.map(|(ui, slot)| (&units[ui], &units[ui].candidates[kept[0].choice[ui]][slot]));
    let value = kept[0].grid[f];
    if kept.iter().any(|c| c.grid[f] != value) {
        return read.map_or_else(missing_cell, |(_, r)| ambiguous(r));
    }
    let inferred = value.is_some() && kept.iter().any(|c| c.inferred.contains(&f));
    let several = kept.len() > 1 || read.is_some_and(|(u, _)| u.candidates.len() > 1);
    match (inferred, read) {
        // A merged combination: the unit's readings disagree on the cell.
        (false, Some((_, r))) if r.cell.value != value => ambiguous(r),
        (false, Some((u, r))) => from_read(r, u, several),
        (false, None) => missing_cell(),
        (true, r) => FieldOut {
            value,
            status: Status::Inferred,
            raw: r.map(|(_, r)| r.cell.raw.clone()).filter(|s| !s.is_empty()),
            loc: r.and_then(|(_, r)| r.loc),
            confidence: if several { 0.8 } else { 0.9 },
            ..FieldOut::missing()
        },
    }
}

/// A field's outcome when the source contradicts the rules under every
/// reading: what all its unit's readings share, nothing inferred.
fn shared_by_all_readings(units: &[Unit], owner: Option<(usize, usize)>) -> FieldOut {
    let Some((ui, slot)) = owner else {
        return missing_cell();
    };
    let u = &units[ui];
    let first = &u.candidates[0][slot];
    if u.candidates.iter().all(|c| c[slot].cell.value == first.cell.value) {
        from_read(first, u, u.candidates.len() > 1)
    } else {
        ambiguous(first)
    }
}

/// Completes each reading of a unit with what the unit's own rules (R2 for a
/// row, R4 for an s4 group) prove, drops readings that break them (unless
/// that drops all), and merges readings that end up with the same values:
/// six zeros and a lost cell give all zeros whichever column was lost.
fn narrow_by_local_rules(u: &mut Unit, nf: usize, kinds: &[ColumnKind], all: &[&CheckInstance]) {
    let local: Vec<&CheckInstance> = all
        .iter()
        .copied()
        .filter(|c| c.lhs.iter().chain(&c.rhs).all(|f| u.fields.contains(f)))
        .collect();
    let mut completed: Vec<(Vec<CellRead>, bool)> = Vec::new();
    for (k, cand) in u.candidates.iter().enumerate() {
        let mut g = vec![None; nf];
        place(&mut g, u, k);
        let ok = propagate(&mut g, kinds, &local).is_some() && failures(&g, &local) == 0;
        let filled: Vec<CellRead> = cand
            .iter()
            .zip(&u.fields)
            .map(|(r, &f)| match (r.cell.value, g[f]) {
                (None, Some(v)) if ok => CellRead {
                    cell: crate::value::CellValue {
                        value: Some(v),
                        status: Status::Inferred,
                        ..r.cell.clone()
                    },
                    loc: r.loc,
                },
                _ => r.clone(),
            })
            .collect();
        completed.push((filled, ok));
    }
    let any_ok = completed.iter().any(|c| c.1);
    let preferred = u.preferred;
    let mut merged: Vec<Vec<CellRead>> = Vec::new();
    let mut new_preferred = None;
    for (k, (cand, ok)) in completed.into_iter().enumerate() {
        if any_ok && !ok {
            u.pruned = true;
            continue;
        }
        let same = merged
            .iter()
            .position(|m| m.iter().zip(&cand).all(|(a, b)| a.cell.value == b.cell.value));
        match same {
            Some(m) => {
                // Same values, different provenance: a cell read in one reading
                // and inferred in another is known, but only as inferred.
                for (a, b) in merged[m].iter_mut().zip(&cand) {
                    if a != b {
                        a.cell.status =
                            if a.cell.value.is_some() { Status::Inferred } else { Status::Missing };
                    }
                }
                if preferred == Some(k) {
                    new_preferred = Some(m);
                }
            }
            None => {
                if preferred == Some(k) {
                    new_preferred = Some(merged.len());
                }
                merged.push(cand);
            }
        }
    }
    u.candidates = merged;
    u.preferred = new_preferred;
}

/// Drops a reading when, with every unambiguous unit in place and the other
/// ambiguous units unknown, the rules already contradict it. Sound: such a
/// reading belongs to no consistent combination. Repeats to a fixpoint.
fn narrow_jointly(units: &mut [Unit], nf: usize, kinds: &[ColumnKind], all: &[&CheckInstance]) {
    loop {
        let mut changed = false;
        for ui in 0..units.len() {
            if units[ui].candidates.len() < 2 {
                continue;
            }
            let mut base = vec![None; nf];
            for (vi, v) in units.iter().enumerate() {
                if vi != ui && v.candidates.len() == 1 {
                    place(&mut base, v, 0);
                }
            }
            let ok: Vec<bool> = (0..units[ui].candidates.len())
                .map(|k| {
                    let mut g = base.clone();
                    place(&mut g, &units[ui], k);
                    propagate(&mut g, kinds, all).is_some() && failures(&g, all) == 0
                })
                .collect();
            if ok.iter().any(|&b| b) && ok.iter().any(|&b| !b) {
                keep_readings(&mut units[ui], &ok);
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// Keeps the readings of a unit marked in `ok`, a rule having ruled out
/// the others.
fn keep_readings(u: &mut Unit, ok: &[bool]) {
    u.pruned = true;
    u.preferred = u.preferred.filter(|&p| ok[p]).map(|p| ok[..p].iter().filter(|&&b| b).count());
    let mut k = 0;
    u.candidates.retain(|_| {
        k += 1;
        ok[k - 1]
    });
}

fn label_confidence(u: &Unit) -> f32 {
    match u.label {
        LabelMatch::Exact | LabelMatch::Flat => 1.0,
        LabelMatch::Fuzzy => 0.5 + 0.5 * u.label_score,
        LabelMatch::Position => 0.5,
    }
}

fn from_read(r: &CellRead, u: &Unit, several: bool) -> FieldOut {
    let value_conf = match r.cell.status {
        Status::Read => 1.0,
        Status::Normalized if r.cell.note.as_deref().is_some_and(|n| n.starts_with("OCR")) => 0.75,
        Status::Normalized => 0.9,
        Status::Inferred => 0.9,
        Status::Corrected => 0.8,
        Status::Missing => 0.0,
    };
    let conf = label_confidence(u) * value_conf * if several { 0.9 } else { 1.0 };
    FieldOut {
        value: r.cell.value,
        status: r.cell.status,
        raw: Some(r.cell.raw.clone()).filter(|s| !s.is_empty() || r.loc.is_some()),
        loc: r.loc,
        confidence: (conf * 100.0).round() / 100.0,
        note: r.cell.note.clone(),
        ..FieldOut::missing()
    }
}

fn ambiguous(r: &CellRead) -> FieldOut {
    FieldOut { loc: r.loc, ..FieldOut::missing() }
}

fn check_result(t: &Template, grid: &Grid, c: &CheckInstance) -> CheckResult {
    let ids = |fs: &[usize]| fs.iter().map(|&f| t.fields[f].id.clone()).collect::<Vec<_>>();
    let (holds, l, r) = evaluate(grid, c);
    let (status, blank_as_zero) = match holds {
        Some(true) => (CheckStatus::Ok, None),
        Some(false) => (CheckStatus::Failed, None),
        None => {
            let zeroed: Grid = grid.iter().map(|v| Some(v.unwrap_or(Dec::ZERO))).collect();
            (CheckStatus::Skipped, evaluate(&zeroed, c).0)
        }
    };
    CheckResult {
        rule: c.rule.clone(),
        instance: c.name.clone(),
        status,
        lhs: ids(&c.lhs),
        rhs: ids(&c.rhs),
        lhs_value: l,
        rhs_value: r,
        holds_if_blanks_zero: blank_as_zero,
    }
}

#[cfg(test)]
mod tests {
    //! Rules and repairs on tiny tables built directly from units, one test
    //! per rule (holds / fails) and per repair path (repairs / refuses).
    use super::*;
    use crate::doc::Loc;
    use crate::table::{LabelMatch, TableRead, Unit};
    use crate::template::TemplateSet;
    use crate::value::parse_cell;

    fn templates() -> TemplateSet {
        TemplateSet::builtin().unwrap()
    }

    fn reads(t: &Template, row: &str, cells: &[&str]) -> Vec<CellRead> {
        let r = &t.rows[t.row_index(row).unwrap()];
        cells
            .iter()
            .zip(&r.columns)
            .map(|(c, &col)| CellRead {
                cell: parse_cell(c, t.columns[col].kind, None),
                loc: Some(Loc::Line(1)),
            })
            .collect()
    }

    /// A row read once, cells as printed ("" = blank).
    fn row(t: &Template, key: &str, cells: &[&str]) -> Unit {
        rows_readings(t, key, &[cells])
    }

    /// A row with several readings (what a lost cell or a glued run gives).
    fn rows_readings(t: &Template, key: &str, readings: &[&[&str]]) -> Unit {
        let r = &t.rows[t.row_index(key).unwrap()];
        Unit {
            fields: (0..r.columns.len()).map(|k| r.first_field + k).collect(),
            candidates: readings.iter().map(|c| reads(t, key, c)).collect(),
            preferred: None,
            label: LabelMatch::Exact,
            label_score: 1.0,
            line: 1,
            forms: readings.len(),
            pruned: false,
        }
    }

    fn solve(t: &Template, units: Vec<Unit>) -> Resolved {
        resolve(t, &TableRead { units, ..Default::default() })
    }

    fn value(t: &Template, r: &Resolved, id: &str) -> Option<String> {
        let i = t.fields.iter().position(|f| f.id == id).unwrap();
        r.cells[i].value.map(|v| v.to_string())
    }

    fn status(t: &Template, r: &Resolved, id: &str) -> Status {
        r.cells[t.fields.iter().position(|f| f.id == id).unwrap()].status
    }

    fn check<'a>(r: &'a Resolved, rule: &str, instance: &str) -> &'a CheckResult {
        r.checks.iter().find(|c| c.rule == rule && c.instance == instance).unwrap()
    }

    const Z7: &[&str] = &["0", "0", "0", "0", "0", "0", "0"];

    #[test]
    fn r1_each_column_balances_new_and_carried() {
        let ts = templates();
        let t = ts.table("2019", "s3").unwrap();
        let table = |fwd: &str| {
            vec![
                row(t, "new", &["5", "0", "0", "0", "0", "0", "5"]),
                row(t, "carried_over", &["1", "0", "0", "0", "0", "0", "1"]),
                row(t, "total", &["4", "0", "0", "0", "0", "0", "4"]),
                row(t, "carried_forward", &[fwd, "0", "0", "0", "0", "0", "2"]),
            ]
        };
        let ok = solve(t, table("2"));
        assert_eq!(check(&ok, "R1", "s3.*.natural").status, CheckStatus::Ok);
        let bad = solve(t, table("3"));
        let c = check(&bad, "R1", "s3.*.natural");
        assert_eq!(
            (c.status, c.lhs_value.map(|v| v.to_string()), c.rhs_value.map(|v| v.to_string())),
            (CheckStatus::Failed, Some("6".into()), Some("7".into()))
        );
        assert!(bad
            .warnings
            .iter()
            .any(|w| w.code == "rule-failed" && w.message == "R1 fails for s3.*.natural: 6 ≠ 7"));
        // The source's own numbers are kept when a rule fails.
        assert_eq!(value(t, &bad, "s3.carried_forward.natural").as_deref(), Some("3"));
    }

    #[test]
    fn r2_each_row_total_is_the_sum_of_applicants() {
        let ts = templates();
        let t = ts.table("2021", "s3").unwrap();
        let ok = solve(t, vec![row(t, "granted", &["3", "1", "0", "0", "1", "0", "5"])]);
        assert_eq!(check(&ok, "R2", "s3.granted").status, CheckStatus::Ok);
        let bad = solve(t, vec![row(t, "granted", &["3", "1", "0", "0", "1", "0", "6"])]);
        assert_eq!(check(&bad, "R2", "s3.granted").status, CheckStatus::Failed);
    }

    #[test]
    fn r3_total_row_is_the_sum_of_outcomes() {
        let ts = templates();
        let t = ts.table("2019", "s3").unwrap();
        let outcomes: Vec<&str> = t
            .rows
            .iter()
            .filter(|r| r.kind == crate::template::RowKind::Data)
            .map(|r| r.key.as_str())
            .filter(|k| !["new", "carried_over", "total", "carried_forward"].contains(k))
            .collect();
        let table = |total: &str| {
            let mut units: Vec<Unit> = outcomes
                .iter()
                .map(|k| {
                    row(
                        t,
                        k,
                        if *k == "granted" { &["2", "0", "0", "0", "0", "0", "2"] } else { Z7 },
                    )
                })
                .collect();
            units.push(row(t, "total", &[total, "0", "0", "0", "0", "0", "2"]));
            units
        };
        assert_eq!(check(&solve(t, table("2")), "R3", "s3.*.natural").status, CheckStatus::Ok);
        assert_eq!(check(&solve(t, table("1")), "R3", "s3.*.natural").status, CheckStatus::Failed);
    }

    #[test]
    fn r4_each_review_and_suit_group_adds_up() {
        let ts = templates();
        let t = ts.table("2019", "s4").unwrap();
        let ok = solve(t, vec![row(t, "review", &["1", "2", "0", "1", "4"])]);
        assert_eq!(check(&ok, "R4", "s4.review").status, CheckStatus::Ok);
        let bad = solve(t, vec![row(t, "review", &["1", "2", "0", "1", "5"])]);
        assert_eq!(check(&bad, "R4", "s4.review").status, CheckStatus::Failed);
        assert_eq!(check(&bad, "R4", "s4.suit_direct").status, CheckStatus::Skipped);
    }

    #[test]
    fn r5_other_is_the_sum_of_its_three_rows_and_is_derived() {
        let ts = templates();
        let t = ts.table("2021", "s3").unwrap();
        let parts = vec![
            row(t, "other.no_correction", &["1", "0", "0", "0", "0", "0", "1"]),
            row(t, "other.unpaid_fee", Z7),
            row(t, "other.misc", &["2", "0", "0", "0", "0", "0", "2"]),
        ];
        let derived = solve(t, parts.clone());
        assert_eq!(value(t, &derived, "s3.other.natural").as_deref(), Some("3"));
        assert_eq!(status(t, &derived, "s3.other.natural"), Status::Inferred);
        let mut printed = parts;
        printed.push(row(t, "other", &["4", "0", "0", "0", "0", "0", "4"]));
        let bad = solve(t, printed);
        assert_eq!(check(&bad, "R5", "s3.*.natural").status, CheckStatus::Failed);
    }

    #[test]
    fn skipped_rules_say_whether_blanks_as_zero_would_hold() {
        let ts = templates();
        let t = ts.table("2019", "s4").unwrap();
        let r = solve(
            t,
            vec![
                row(t, "review", &["1", "", "", "1", "2"]),
                row(t, "suit_direct", &["1", "", "", "", "2"]),
            ],
        );
        // review: one rule, two blanks: not inferable, would hold as zeros.
        let c = check(&r, "R4", "s4.review");
        assert_eq!((c.status, c.holds_if_blanks_zero), (CheckStatus::Skipped, Some(true)));
        assert_eq!(value(t, &r, "s4.review.corrected"), None, "a blank is never written as 0");
        assert_eq!(check(&r, "R4", "s4.suit_direct").holds_if_blanks_zero, Some(false));
    }

    #[test]
    fn repair_infers_a_cell_the_rules_determine() {
        let ts = templates();
        let t = ts.table("2019", "s4").unwrap();
        let r = solve(t, vec![row(t, "review", &["1", "2", "", "1", "4"])]);
        assert_eq!(value(t, &r, "s4.review.other").as_deref(), Some("0"));
        assert_eq!(status(t, &r, "s4.review.other"), Status::Inferred);
        // An unreadable cell is inferred the same way, its text kept.
        let r = solve(t, vec![row(t, "review", &["1", "2", "x?", "1", "4"])]);
        let i = t.fields.iter().position(|f| f.id == "s4.review.other").unwrap();
        assert_eq!(
            (r.cells[i].value.map(|v| v.to_string()), r.cells[i].raw.as_deref()),
            (Some("0".into()), Some("x?"))
        );
    }

    #[test]
    fn repair_refuses_when_two_cells_share_one_rule() {
        let ts = templates();
        let t = ts.table("2019", "s4").unwrap();
        let r = solve(t, vec![row(t, "review", &["1", "", "", "1", "4"])]);
        assert_eq!(
            (value(t, &r, "s4.review.corrected"), value(t, &r, "s4.review.other")),
            (None, None)
        );
    }

    #[test]
    fn repair_refuses_an_impossible_inference() {
        // total 1 < 2 + 1: the lost cell would be negative; it stays null and
        // nothing else is invented.
        let ts = templates();
        let t = ts.table("2019", "s4").unwrap();
        let r = solve(t, vec![row(t, "review", &["2", "", "0", "1", "1"])]);
        assert_eq!(value(t, &r, "s4.review.corrected"), None);
        assert_eq!(check(&r, "R4", "s4.review").status, CheckStatus::Skipped);
    }

    #[test]
    fn lost_cell_placement_is_decided_by_the_rules() {
        // 6 numbers for 7 columns: only "the total was lost" satisfies R2.
        let ts = templates();
        let t = ts.table("2019", "s3").unwrap();
        let shown = ["5", "3", "0", "0", "0", "0"];
        let readings: Vec<Vec<&str>> = (0..7)
            .map(|lost| {
                let mut v: Vec<&str> = shown.to_vec();
                v.insert(lost, "");
                v
            })
            .collect();
        let refs: Vec<&[&str]> = readings.iter().map(|v| v.as_slice()).collect();
        let r = solve(t, vec![rows_readings(t, "granted", &refs)]);
        assert_eq!(value(t, &r, "s3.granted.natural").as_deref(), Some("5"));
        assert_eq!(value(t, &r, "s3.granted.total").as_deref(), Some("8"));
        assert_eq!(status(t, &r, "s3.granted.total"), Status::Inferred);
    }

    #[test]
    fn lost_cell_placement_refuses_when_two_readings_fit() {
        // 1 1 0 0 0 2: a lost 0 (total 2) and a lost total (… other_org 2, total 4) both fit.
        let ts = templates();
        let t = ts.table("2019", "s3").unwrap();
        let shown = ["1", "1", "0", "0", "0", "2"];
        let readings: Vec<Vec<&str>> = (0..7)
            .map(|lost| {
                let mut v: Vec<&str> = shown.to_vec();
                v.insert(lost, "");
                v
            })
            .collect();
        let refs: Vec<&[&str]> = readings.iter().map(|v| v.as_slice()).collect();
        let r = solve(t, vec![rows_readings(t, "granted", &refs)]);
        assert_eq!(value(t, &r, "s3.granted.total"), None);
        assert_eq!(value(t, &r, "s3.granted.other_org"), None);
        // Each null cell says which values the readings put there.
        let w = r.warnings.iter().find(|w| w.field.as_deref() == Some("s3.granted.total")).unwrap();
        assert_eq!(w.code, "ambiguous-cell");
        assert_eq!(w.message, "s3.granted.total: the row's numbers fit its columns in 7 ways and the rules do not decide between 2 and 4; left null");
    }

    #[test]
    fn glued_split_is_kept_only_when_unique() {
        let ts = templates();
        let t = ts.table("2019", "s4").unwrap();
        // "21003" over 5 columns has one split; R4 confirms it.
        let r = solve(t, vec![rows_readings(t, "review", &[&["2", "1", "0", "0", "3"]])]);
        assert_eq!(value(t, &r, "s4.review.total").as_deref(), Some("3"));
        // Two splits of a run that both satisfy R4: refuse.
        let s2 = ts.table("2021", "s2").unwrap();
        let r = solve(
            s2,
            vec![rows_readings(
                s2,
                "rules",
                &[&["4", "2", "58"], &["4", "25", "8"], &["42", "5", "8"]],
            )],
        );
        assert_eq!(
            (value(s2, &r, "s2.rules.issued"), value(s2, &r, "s2.rules.in_force")),
            (None, None)
        );
        // …but a cell every split agrees on is known.
        let r =
            solve(s2, vec![rows_readings(s2, "rules", &[&["4", "2", "58"], &["4", "25", "8"]])]);
        assert_eq!(value(s2, &r, "s2.rules.issued").as_deref(), Some("4"));
    }

    #[test]
    fn inconsistent_source_keeps_numbers_and_infers_across_rows_nothing() {
        let ts = templates();
        let t = ts.table("2019", "s4").unwrap();
        // review fails R4 on its own numbers, which are kept; suit_direct's
        // blank is proved by suit_direct's own R4, independent of review.
        let r = solve(
            t,
            vec![
                row(t, "review", &["1", "1", "1", "1", "9"]),
                row(t, "suit_direct", &["1", "", "0", "0", "1"]),
            ],
        );
        assert_eq!(value(t, &r, "s4.review.total").as_deref(), Some("9"));
        assert_eq!(check(&r, "R4", "s4.review").status, CheckStatus::Failed);
        assert_eq!(value(t, &r, "s4.suit_direct.corrected").as_deref(), Some("0"));
        // In s3, R1 failing in one column stops inference through the
        // column rules: the lost 总计 of 予以公开 stays null although R3
        // would give it.
        let s3 = ts.table("2019", "s3").unwrap();
        let mut units = vec![
            row(s3, "new", &["5", "0", "0", "0", "0", "0", "5"]),
            row(s3, "carried_over", Z7),
            row(s3, "carried_forward", Z7),
        ];
        units.push(row(s3, "total", &["4", "0", "0", "0", "0", "0", "4"]));
        units.push(row(s3, "granted", &["4", "0", "0", "0", "0", "", ""]));
        for k in s3
            .rows
            .iter()
            .filter(|r| r.key.contains('.') || r.key == "partial" || r.key == "other")
            .map(|r| r.key.clone())
        {
            units.push(row(s3, &k, Z7));
        }
        let r = solve(s3, units);
        assert_eq!(check(&r, "R1", "s3.*.natural").status, CheckStatus::Failed);
        assert_eq!(value(s3, &r, "s3.granted.total"), None);
    }
}
