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
use crate::report::{CheckResult, CheckStatus, Warning};
use crate::table::{CellRead, LabelMatch, TableRead, Unit};
use crate::template::{CheckInstance, ColumnKind, Template};
use crate::value::Status;

/// Joint enumeration limit; beyond it rows are resolved one by one.
const MAX_COMBOS: usize = 20_000;

/// The outcome for one field.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldOut {
    pub value: Option<Dec>,
    pub status: Status,
    pub raw: Option<String>,
    pub line: Option<usize>,
    pub confidence: f32,
    /// What normalization did, when a user should know ("taken as 万元").
    pub note: Option<String>,
}

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
/// filled fields, or `Err` when a filled value is impossible for its column
/// (the readings contradict the rules).
pub fn propagate(grid: &mut Grid, kinds: &[ColumnKind], checks: &[&CheckInstance]) -> Result<Vec<usize>, ()> {
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
            let Some(f) = unknown.filter(|_| count == 1) else { continue };
            let sum = |side: &[usize]| Dec::sum(side.iter().filter_map(|&g| grid[g]));
            let (l, r) = (sum(&c.lhs), sum(&c.rhs));
            let v = if c.lhs.contains(&f) { r.sub(l) } else { l.sub(r) };
            if !kind_ok(v, kinds[f]) {
                return Err(());
            }
            grid[f] = Some(v);
            filled.push(f);
            changed = true;
        }
        if !changed {
            return Ok(filled);
        }
    }
}

/// Rule instances whose operands are all present and whose sides differ.
fn failures(grid: &Grid, checks: &[&CheckInstance]) -> usize {
    checks.iter().filter(|c| evaluate(grid, c).0 == Some(false)).count()
}

/// (holds?, lhs, rhs) when every operand is present.
fn evaluate(grid: &Grid, c: &CheckInstance) -> (Option<bool>, Option<Dec>, Option<Dec>) {
    let side = |fs: &[usize]| fs.iter().map(|&f| grid[f]).collect::<Option<Vec<Dec>>>().map(Dec::sum);
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
}

/// The reading to try first: every ambiguous unit's header-positional one.
/// `None` when some ambiguous unit has no such reading.
fn preferred_choice(units: &[Unit]) -> Option<Vec<usize>> {
    units.iter().map(|u| if u.candidates.len() == 1 { Some(0) } else { u.preferred }).collect()
}

/// Places one reading per unit, infers, and checks. `None` when inference
/// meets an impossible value.
fn evaluate_combo(units: &[Unit], choice: &[usize], nf: usize, kinds: &[ColumnKind], all: &[&CheckInstance]) -> Option<Combo> {
    let mut grid = vec![None; nf];
    for (u, &k) in units.iter().zip(choice) {
        place(&mut grid, u, k);
    }
    let inferred = propagate(&mut grid, kinds, all).ok()?;
    let consistent = failures(&grid, all) == 0;
    Some(Combo { choice: choice.to_vec(), grid, inferred, consistent })
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
    // The header-positional reading of every row, when it satisfies every
    // rule, needs no search.
    let mut evaluated: Vec<Combo> = Vec::new();
    let mut product = Some(1);
    if let Some(c) = preferred_choice(&units).and_then(|p| evaluate_combo(&units, &p, nf, &kinds, &all)).filter(|c| c.consistent) {
        evaluated.push(c);
    } else {
        narrow_jointly(&mut units, nf, &kinds, &all);
        let radices: Vec<usize> = units.iter().map(|u| u.candidates.len()).collect();
        product = radices.iter().try_fold(1usize, |p, &r| p.checked_mul(r)).filter(|&p| p <= MAX_COMBOS);
        match product {
            Some(p) => {
                for mut n in 0..p {
                    let choice: Vec<usize> = radices.iter().map(|&r| { let k = n % r; n /= r; k }).collect();
                    if let Some(c) = evaluate_combo(&units, &choice, nf, &kinds, &all) {
                        evaluated.push(c);
                    }
                }
            }
            None => warnings.push(Warning::new("too-ambiguous", format!("{}: too many possible readings to check together; ambiguous rows are left null", t.table))),
        }
    }
    let preferred = preferred_choice(&units);
    let consistent: Vec<&Combo> = evaluated.iter().filter(|c| c.consistent).collect();
    let kept: Vec<&Combo> = match consistent.iter().find(|c| Some(&c.choice) == preferred.as_ref()) {
        Some(c) => vec![*c],
        None => consistent,
    };

    let mut cells: Vec<FieldOut> = (0..nf).map(|_| FieldOut { value: None, status: Status::Missing, raw: None, line: None, confidence: 0.0, note: None }).collect();
    let owner: Vec<Option<usize>> = (0..nf).map(|f| units.iter().position(|u| u.fields.contains(&f))).collect();
    if kept.is_empty() {
        // The source contradicts the rules under every reading: keep what is
        // the same in every reading, infer nothing.
        for (f, cell) in cells.iter_mut().enumerate() {
            let Some(ui) = owner[f] else { continue };
            let u = &units[ui];
            let slot = u.fields.iter().position(|&x| x == f).unwrap_or(0);
            let reads: Vec<&CellRead> = u.candidates.iter().map(|c| &c[slot]).collect();
            if reads.iter().all(|r| r.cell.value == reads[0].cell.value) {
                *cell = from_read(reads[0], u, u.candidates.len() > 1);
            } else {
                *cell = ambiguous(reads[0]);
            }
        }
        if !units.is_empty() && product.is_some() && units.iter().any(|u| u.candidates.len() > 1) {
            warnings.push(Warning::new("no-consistent-reading", format!("{}: no reading of the table satisfies every rule; rows with several readings keep only what all readings share, and nothing is inferred", t.table)));
        }
    } else {
        for (f, cell) in cells.iter_mut().enumerate() {
            let values: Vec<Option<Dec>> = kept.iter().map(|c| c.grid[f]).collect();
            if values.iter().any(|v| *v != values[0]) {
                let read = owner[f].map(|ui| &units[ui].candidates[kept[0].choice[ui]][slot_of(&units[ui], f)]);
                *cell = read.map_or_else(|| ambiguous(&CellRead { cell: crate::value::CellValue { raw: String::new(), value: None, status: Status::Missing, note: None }, line: None }), ambiguous);
                continue;
            }
            let Some(value) = values[0] else {
                if let Some(ui) = owner[f] {
                    *cell = from_read(&units[ui].candidates[kept[0].choice[ui]][slot_of(&units[ui], f)], &units[ui], false);
                }
                continue;
            };
            let inferred = kept.iter().any(|c| c.inferred.contains(&f));
            let several = kept.len() > 1 || owner[f].is_some_and(|ui| units[ui].candidates.len() > 1);
            let read = owner[f].map(|ui| (&units[ui], &units[ui].candidates[kept[0].choice[ui]][slot_of(&units[ui], f)]));
            *cell = match (inferred, read) {
                (false, Some((u, r))) => from_read(r, u, several),
                (_, r) => FieldOut {
                    value: Some(value),
                    status: Status::Inferred,
                    raw: r.map(|(_, r)| r.cell.raw.clone()).filter(|s| !s.is_empty()),
                    line: r.and_then(|(_, r)| r.line),
                    confidence: if several { 0.8 } else { 0.9 },
                    note: None,
                },
            };
        }
    }
    for (f, cell) in cells.iter().enumerate() {
        if cell.status == Status::Missing && cell.raw.as_deref().is_some_and(|r| !r.trim().is_empty()) && owner[f].is_some() {
            let reason = if kept.len() > 1 || units[owner[f].unwrap_or(0)].candidates.len() > 1 { "several readings fit; left null" } else { "unreadable" };
            warnings.push(Warning::field("unreadable-cell", &t.fields[f].id, cell.line, format!("{}: {reason} (source text {:?})", t.fields[f].id, cell.raw.as_deref().unwrap_or(""))));
        }
    }
    let ambiguous_fields: Vec<&str> = (0..nf).filter(|&f| cells[f].status == Status::Missing && cells[f].raw.is_none() && owner[f].is_some_and(|ui| units[ui].candidates.len() > 1 && units[ui].candidates.iter().any(|c| c[slot_of(&units[ui], f)].cell.value.is_some()))).map(|f| t.fields[f].id.as_str()).collect();
    if !ambiguous_fields.is_empty() {
        warnings.push(Warning::new("ambiguous-cells", format!("{}: the rules do not decide which column these numbers belong to; left null: {}", t.table, ambiguous_fields.join(", "))));
    }
    let grid: Grid = cells.iter().map(|c| c.value).collect();
    let checks = t.checks.iter().map(|c| check_result(t, &grid, c)).collect::<Vec<_>>();
    for c in checks.iter().filter(|c| c.status == CheckStatus::Failed) {
        warnings.push(Warning::new("rule-failed", format!("{} fails for {}: {} ≠ {}", c.rule, c.instance, c.lhs_value.map_or("?".into(), |v| v.to_string()), c.rhs_value.map_or("?".into(), |v| v.to_string()))));
    }
    Resolved { cells, checks, warnings }
}

fn slot_of(u: &Unit, f: usize) -> usize {
    u.fields.iter().position(|&x| x == f).unwrap_or(0)
}

/// Completes each reading of a unit with what the unit's own rules (R2 for a
/// row, R4 for an s4 group) prove, drops readings that break them (unless
/// that drops all), and merges readings that end up with the same values:
/// six zeros and a lost cell give all zeros whichever column was lost.
fn narrow_by_local_rules(u: &mut Unit, nf: usize, kinds: &[ColumnKind], all: &[&CheckInstance]) {
    let local: Vec<&CheckInstance> = all.iter().copied().filter(|c| c.lhs.iter().chain(&c.rhs).all(|f| u.fields.contains(f))).collect();
    let mut completed: Vec<(Vec<CellRead>, bool)> = Vec::new();
    for (k, cand) in u.candidates.iter().enumerate() {
        let mut g = vec![None; nf];
        place(&mut g, u, k);
        let ok = propagate(&mut g, kinds, &local).is_ok() && failures(&g, &local) == 0;
        let filled: Vec<CellRead> = cand
            .iter()
            .zip(&u.fields)
            .map(|(r, &f)| match (r.cell.value, g[f]) {
                (None, Some(v)) if ok => CellRead { cell: crate::value::CellValue { value: Some(v), status: Status::Inferred, ..r.cell.clone() }, line: r.line },
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
            continue;
        }
        let same = merged.iter().position(|m| m.iter().zip(&cand).all(|(a, b)| a.cell.value == b.cell.value));
        match same {
            Some(m) => {
                // Same values, different provenance: a cell read in one reading
                // and inferred in another is known, but only as inferred.
                for (a, b) in merged[m].iter_mut().zip(&cand) {
                    if a != b {
                        a.cell.status = if a.cell.value.is_some() { Status::Inferred } else { Status::Missing };
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
                    propagate(&mut g, kinds, all).is_ok() && failures(&g, all) == 0
                })
                .collect();
            if ok.iter().any(|&b| b) && ok.iter().any(|&b| !b) {
                let u = &mut units[ui];
                u.preferred = u.preferred.filter(|&p| ok[p]).map(|p| ok[..p].iter().filter(|&&b| b).count());
                let mut k = 0;
                u.candidates.retain(|_| {
                    k += 1;
                    ok[k - 1]
                });
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
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
        Status::Missing => 0.0,
    };
    let conf = label_confidence(u) * value_conf * if several { 0.9 } else { 1.0 };
    FieldOut {
        value: r.cell.value,
        status: r.cell.status,
        raw: Some(r.cell.raw.clone()).filter(|s| !s.is_empty() || r.line.is_some()),
        line: r.line,
        confidence: (conf * 100.0).round() / 100.0,
        note: r.cell.note.clone(),
    }
}

fn ambiguous(r: &CellRead) -> FieldOut {
    FieldOut { value: None, status: Status::Missing, raw: None, line: r.line, confidence: 0.0, note: None }
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
    CheckResult { rule: c.rule.clone(), instance: c.name.clone(), status, lhs: ids(&c.lhs), rhs: ids(&c.rhs), lhs_value: l, rhs_value: r, holds_if_blanks_zero: blank_as_zero }
}
