//! The strict search: a table's readings checked with its rows' blank cells
//! counted as 0.
//!
//! A converter that drops blank cells leaves a row with fewer numbers than
//! columns. The lenient check skips every rule with a blank operand, so with
//! a few such rows it cannot tell where their numbers go. Counted as 0 (what
//! a blank means in these tables), the blanks let every rule speak. But a 0
//! satisfies every sum wherever it stands: readings of a row that differ only
//! in where its zeros and blanks go are one class here, and the caller leaves
//! null the cells that the surviving readings disagree on.
//!
//! Backtracking over each row's classes, rows with fewest classes first
//! (those the rules force go first); a partial assignment is cut as soon as
//! the bounds of some rule (assigned rows exact, the others between their
//! least and greatest values, rows not found unbounded) exclude equality.

use super::{failures, propagate, Grid};
use crate::decimal::Dec;
use crate::table::{CellRead, Unit};
use crate::template::{CheckInstance, ColumnKind};

/// Search nodes before giving up: the tables the rules do not narrow are
/// left to the lenient path (and null).
const MAX_NODES: usize = 50_000;

/// A cell as the strict check sees it: a blank is 0, an unreadable cell
/// unknown.
fn strict_value(c: &CellRead) -> Option<Dec> {
    c.cell.value.or_else(|| c.cell.raw.trim().is_empty().then_some(Dec::ZERO))
}

/// Readings of one unit with the same strict values.
struct Class {
    values: Vec<Option<Dec>>,
    members: Vec<usize>,
}

/// `None` is unbounded on that side.
type Bounds = (Option<Dec>, Option<Dec>);

struct Search<'a> {
    classes: Vec<Vec<Class>>,
    /// Live classes of each unit.
    domain: Vec<Vec<usize>>,
    assigned: Vec<Option<usize>>,
    owner: Vec<Option<(usize, usize)>>,
    kinds: &'a [ColumnKind],
    all: &'a [&'a CheckInstance],
    /// The rules each unit has a field in.
    touching: Vec<Vec<usize>>,
    nf: usize,
    nodes: usize,
    supported: Vec<Vec<bool>>,
}

impl Search<'_> {
    fn unbounded(&self, f: usize) -> Bounds {
        match self.kinds[f] {
            ColumnKind::Signed => (None, None),
            _ => (Some(Dec::ZERO), None),
        }
    }

    fn bounds(&self, f: usize) -> Bounds {
        let Some((ui, slot)) = self.owner[f] else {
            return self.unbounded(f);
        };
        let ks: &[usize] = match &self.assigned[ui] {
            Some(k) => std::slice::from_ref(k),
            None => &self.domain[ui],
        };
        let mut vals = ks.iter().map(|&k| self.classes[ui][k].values[slot]);
        let Some(Some(first)) = vals.next() else {
            return self.unbounded(f);
        };
        let mut b = (first, first);
        for v in vals {
            let Some(v) = v else {
                return self.unbounded(f);
            };
            b = (b.0.min(v), b.1.max(v));
        }
        (Some(b.0), Some(b.1))
    }

    /// Whether `lhs - rhs` can still be 0.
    fn feasible(&self, c: &CheckInstance) -> bool {
        let add = |a: Option<Dec>, b: Option<Dec>| a.zip(b).map(|(a, b)| a + b);
        let (mut lo, mut hi) = (Some(Dec::ZERO), Some(Dec::ZERO));
        for &f in &c.lhs {
            let (l, h) = self.bounds(f);
            (lo, hi) = (add(lo, l), add(hi, h));
        }
        for &f in &c.rhs {
            let (l, h) = self.bounds(f);
            (lo, hi) = (add(lo, h.map(|h| Dec::ZERO - h)), add(hi, l.map(|l| Dec::ZERO - l)));
        }
        lo.is_none_or(|lo| lo <= Dec::ZERO) && hi.is_none_or(|hi| hi >= Dec::ZERO)
    }

    fn fits(&self, ui: usize) -> bool {
        self.touching[ui].iter().all(|&r| self.feasible(self.all[r]))
    }

    /// Drops the classes that no values of the other units can complete, to
    /// a fixpoint. False when some unit has none left.
    fn prune(&mut self) -> bool {
        loop {
            let mut changed = false;
            for ui in 0..self.domain.len() {
                let live = self.domain[ui].clone();
                let kept: Vec<usize> = live
                    .iter()
                    .copied()
                    .filter(|&k| {
                        self.assigned[ui] = Some(k);
                        let ok = self.fits(ui);
                        self.assigned[ui] = None;
                        ok
                    })
                    .collect();
                if kept.is_empty() {
                    return false;
                }
                changed |= kept.len() < live.len();
                self.domain[ui] = kept;
            }
            if !changed {
                return true;
            }
        }
    }

    /// Every complete assignment in `order[depth..]`; false when over budget.
    fn go(&mut self, order: &[usize], depth: usize) -> bool {
        let Some(&ui) = order.get(depth) else {
            self.leaf();
            return true;
        };
        for i in 0..self.domain[ui].len() {
            self.nodes += 1;
            if self.nodes > MAX_NODES {
                return false;
            }
            self.assigned[ui] = Some(self.domain[ui][i]);
            if self.fits(ui) && !self.go(order, depth + 1) {
                return false;
            }
        }
        self.assigned[ui] = None;
        true
    }

    fn leaf(&mut self) {
        let mut grid: Grid = vec![None; self.nf];
        for (f, o) in self.owner.iter().enumerate() {
            if let Some((ui, slot)) = *o {
                grid[f] = self.assigned[ui].and_then(|k| self.classes[ui][k].values[slot]);
            }
        }
        if propagate(&mut grid, self.kinds, self.all).is_some() && failures(&grid, self.all) == 0 {
            for (ui, k) in self.assigned.iter().enumerate() {
                if let Some(k) = *k {
                    for &m in &self.classes[ui][k].members {
                        self.supported[ui][m] = true;
                    }
                }
            }
        }
    }
}

fn classes(u: &Unit) -> Vec<Class> {
    let mut out: Vec<Class> = Vec::new();
    for (k, cand) in u.candidates.iter().enumerate() {
        let values: Vec<Option<Dec>> = cand.iter().map(strict_value).collect();
        match out.iter_mut().find(|c| c.values == values) {
            Some(c) => c.members.push(k),
            None => out.push(Class { values, members: vec![k] }),
        }
    }
    out
}

/// For each unit, whether each of its readings belongs to some reading of
/// the whole table under which every rule holds with blanks as 0. `None`
/// when there is no such reading, or the search would take too long.
pub(super) fn supported(
    units: &[Unit],
    nf: usize,
    kinds: &[ColumnKind],
    all: &[&CheckInstance],
) -> Option<Vec<Vec<bool>>> {
    let mut owner = vec![None; nf];
    for (ui, u) in units.iter().enumerate() {
        for (slot, &f) in u.fields.iter().enumerate() {
            owner[f] = Some((ui, slot));
        }
    }
    let touching = units
        .iter()
        .map(|u| {
            (0..all.len())
                .filter(|&r| all[r].lhs.iter().chain(&all[r].rhs).any(|f| u.fields.contains(f)))
                .collect()
        })
        .collect();
    let classes: Vec<Vec<Class>> = units.iter().map(classes).collect();
    let mut s = Search {
        domain: classes.iter().map(|c| (0..c.len()).collect()).collect(),
        assigned: vec![None; units.len()],
        supported: units.iter().map(|u| vec![false; u.candidates.len()]).collect(),
        classes,
        owner,
        kinds,
        all,
        touching,
        nf,
        nodes: 0,
    };
    if !s.prune() {
        return None;
    }
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by_key(|&ui| s.domain[ui].len());
    if !s.go(&order, 0) {
        return None;
    }
    s.supported.iter().all(|u| u.iter().any(|&b| b)).then_some(s.supported)
}
