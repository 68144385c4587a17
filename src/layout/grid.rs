//! Ruled tables: ruling segments → lattice → merged cells.
//!
//! Segments are snapped to horizontal and vertical lines, collinear pieces
//! merged (Chromium draws one rectangle per cell border, Word one stroke per
//! cell side), and grouped into tables by intersection. A table's column and
//! row boundaries are the distinct x of its vertical lines and y of its
//! horizontal lines; two neighbouring atomic cells are one merged cell when
//! no rule runs along most of the boundary between them.

use super::lines::{join, text_lines};
use super::{LayoutParams, Rect, Rule, Word};
use crate::geom::{merge_collinear, Collinear, MergedAt, Seg};

/// A boundary counts as ruled when rules cover this share of it. Below 1 so
/// that rules which stop short of a crossing (scans, some producers) count.
const COVERAGE: f32 = 0.6;

/// A cell of the lattice, possibly spanning several atomic rows and columns.
#[derive(Clone, Debug, PartialEq)]
pub struct GridCell {
    /// Position in [`Grid::cells`].
    pub index: usize,
    pub row: usize,
    pub col: usize,
    pub rowspan: usize,
    pub colspan: usize,
    pub rect: Rect,
}

/// One ruled table.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    pub bbox: Rect,
    /// Column boundaries, left to right (`cols() + 1` values).
    pub xs: Vec<f32>,
    /// Row boundaries, top to bottom (`rows() + 1` values).
    pub ys: Vec<f32>,
    /// Merged cells in row-major order of their top-left atomic cell.
    pub cells: Vec<GridCell>,
    /// Atomic cell (row-major) → index in `cells`.
    slots: Vec<usize>,
}

impl Grid {
    pub fn rows(&self) -> usize {
        self.ys.len().saturating_sub(1)
    }

    pub fn cols(&self) -> usize {
        self.xs.len().saturating_sub(1)
    }

    /// The merged cell covering atomic cell (row, col).
    pub fn cell_at(&self, row: usize, col: usize) -> Option<&GridCell> {
        (row < self.rows() && col < self.cols())
            .then(|| &self.cells[self.slots[row * self.cols() + col]])
    }

    /// The atomic cell containing a point, if inside the table.
    pub fn locate(&self, (x, y): (f32, f32)) -> Option<(usize, usize)> {
        let find = |bounds: &[f32], v: f32| {
            (v >= bounds[0] && v <= bounds[bounds.len() - 1])
                .then(|| bounds.windows(2).position(|w| v <= w[1]).unwrap_or(bounds.len() - 2))
        };
        Some((find(&self.ys, y)?, find(&self.xs, x)?))
    }

    /// The text of each cell (index as in `cells`) from the words whose
    /// centre lies in it; marks those words used.
    pub fn fill(&self, words: &[Word], used: &mut [bool]) -> Vec<String> {
        let mut per_cell: Vec<Vec<&Word>> = vec![Vec::new(); self.cells.len()];
        for (w, u) in words.iter().zip(used.iter_mut()) {
            if *u {
                continue;
            }
            if let Some((r, c)) = self.locate(w.rect.center()) {
                per_cell[self.slots[r * self.cols() + c]].push(w);
                *u = true;
            }
        }
        per_cell
            .iter()
            .map(|ws| text_lines(ws).iter().map(|l| join(l)).collect::<String>())
            .collect()
    }
}

/// Snaps, merges and splits rules into horizontal and vertical segments.
fn segments(rules: &[Rule], snap: f32) -> (Vec<Seg>, Vec<Seg>) {
    let mut h = Vec::new();
    let mut v = Vec::new();
    for r in rules {
        let (dx, dy) = ((r.x1 - r.x0).abs(), (r.y1 - r.y0).abs());
        if !(dx.is_finite() && dy.is_finite()) {
            continue;
        }
        if dy <= snap && dx > snap {
            h.push(Seg { at: (r.y0 + r.y1) / 2.0, from: r.x0.min(r.x1), to: r.x0.max(r.x1) });
        } else if dx <= snap && dy > snap {
            v.push(Seg { at: (r.x0 + r.x1) / 2.0, from: r.y0.min(r.y1), to: r.y0.max(r.y1) });
        }
    }
    (merge(h, snap), merge(v, snap))
}

/// Merges collinear segments that overlap or nearly touch; a line drawn as
/// pieces at 100.0 and 100.4 is one line, at one position.
fn merge(segs: Vec<Seg>, snap: f32) -> Vec<Seg> {
    merge_collinear(segs, Collinear { same_line: snap, join: snap, at: MergedAt::Line })
}

fn crosses(h: &Seg, v: &Seg, snap: f32) -> bool {
    v.at >= h.from - snap && v.at <= h.to + snap && h.at >= v.from - snap && h.at <= v.to + snap
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb)] = ra.min(rb);
    }
}

/// Distinct positions, snapped.
fn boundaries(mut at: Vec<f32>, snap: f32) -> Vec<f32> {
    at.sort_by(f32::total_cmp);
    let mut out: Vec<f32> = Vec::new();
    for a in at {
        if out.last().is_none_or(|l| a - l > snap) {
            out.push(a);
        }
    }
    out
}

/// How much of `[from, to]` the segments at `at` cover, as a share.
fn coverage(segs: &[&Seg], at: f32, from: f32, to: f32, snap: f32) -> f32 {
    let len = (to - from).max(f32::EPSILON);
    let covered: f32 = segs
        .iter()
        .filter(|s| (s.at - at).abs() <= snap)
        .map(|s| (s.to.min(to) - s.from.max(from)).max(0.0))
        .sum();
    covered / len
}

/// Every ruled table on a page, top to bottom.
pub fn find_grids(rules: &[Rule], params: &LayoutParams) -> Vec<Grid> {
    let snap = params.snap;
    let (h, v) = segments(rules, snap);
    let n = h.len() + v.len();
    let mut parent: Vec<usize> = (0..n).collect();
    for (i, hs) in h.iter().enumerate() {
        for (j, vs) in v.iter().enumerate() {
            if crosses(hs, vs, snap) {
                union(&mut parent, i, h.len() + j);
            }
        }
    }
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    for k in 0..n {
        let root = find(&mut parent, k);
        match groups.iter_mut().find(|(r, _)| *r == root) {
            Some((_, members)) => members.push(k),
            None => groups.push((root, vec![k])),
        }
    }
    let mut grids: Vec<Grid> = groups
        .iter()
        .filter_map(|(_, members)| {
            let hs: Vec<&Seg> = members.iter().filter(|&&k| k < h.len()).map(|&k| &h[k]).collect();
            let vs: Vec<&Seg> =
                members.iter().filter(|&&k| k >= h.len()).map(|&k| &v[k - h.len()]).collect();
            build(&hs, &vs, snap)
        })
        .collect();
    grids.sort_by(|a, b| a.bbox.y0.total_cmp(&b.bbox.y0));
    grids
}

fn build(hs: &[&Seg], vs: &[&Seg], snap: f32) -> Option<Grid> {
    if hs.len() < 2 || vs.len() < 2 {
        return None;
    }
    let xs = boundaries(vs.iter().map(|s| s.at).collect(), snap);
    let mut ys = boundaries(hs.iter().map(|s| s.at).collect(), snap);
    open_edges(&mut ys, vs, snap);
    let (rows, cols) = (ys.len().checked_sub(1)?, xs.len().checked_sub(1)?);
    if rows == 0 || cols == 0 || rows * cols > 100_000 {
        return None;
    }
    let mut parent: Vec<usize> = (0..rows * cols).collect();
    for r in 0..rows {
        for c in 0..cols {
            if c + 1 < cols && coverage(vs, xs[c + 1], ys[r], ys[r + 1], snap) < COVERAGE {
                union(&mut parent, r * cols + c, r * cols + c + 1);
            }
            if r + 1 < rows && coverage(hs, ys[r + 1], xs[c], xs[c + 1], snap) < COVERAGE {
                union(&mut parent, r * cols + c, (r + 1) * cols + c);
            }
        }
    }
    // Each merged cell's extent in atomic cells; cells in row-major order of
    // their top-left corner.
    let mut extent: Vec<Option<(usize, usize, usize, usize)>> = vec![None; rows * cols];
    for r in 0..rows {
        for c in 0..cols {
            let root = find(&mut parent, r * cols + c);
            let e = extent[root].get_or_insert((r, c, r, c));
            *e = (e.0.min(r), e.1.min(c), e.2.max(r), e.3.max(c));
        }
    }
    let mut roots: Vec<usize> = (0..rows * cols).filter(|&k| extent[k].is_some()).collect();
    roots.sort_by_key(|&k| extent[k].map(|(r, c, _, _)| (r, c)));
    let mut cells = Vec::with_capacity(roots.len());
    let mut index_of = vec![0usize; rows * cols];
    for (index, &root) in roots.iter().enumerate() {
        let (r0, c0, r1, c1) = extent[root].unwrap_or_default();
        index_of[root] = index;
        cells.push(GridCell {
            index,
            row: r0,
            col: c0,
            rowspan: r1 - r0 + 1,
            colspan: c1 - c0 + 1,
            rect: Rect { x0: xs[c0], y0: ys[r0], x1: xs[c1 + 1], y1: ys[r1 + 1] },
        });
    }
    let slots = (0..rows * cols).map(|k| index_of[find(&mut parent, k)]).collect();
    let bbox = Rect { x0: xs[0], y0: ys[0], x1: xs[cols], y1: ys[rows] };
    Some(Grid { bbox, xs, ys, cells, slots })
}

/// A table cut by a page break may have no horizontal rule at the cut:
/// Chromium draws a collapsed border once, on the page before, so the rows
/// continued on the next page are open at the top. When several vertical
/// rules run on past the outermost horizontal one to a common end, that end
/// is a row boundary.
fn open_edges(ys: &mut Vec<f32>, vs: &[&Seg], snap: f32) {
    let (Some(&first), Some(&last)) = (ys.first(), ys.last()) else {
        return;
    };
    let top = vs.iter().map(|s| s.from).fold(f32::INFINITY, f32::min);
    let bottom = vs.iter().map(|s| s.to).fold(f32::NEG_INFINITY, f32::max);
    let shared = |end: f32, of: fn(&Seg) -> f32| {
        vs.iter().filter(|s| (of(s) - end).abs() <= snap).count() >= 2
    };
    if first - top > 3.0 * snap && shared(top, |s| s.from) {
        ys.insert(0, top);
    }
    if bottom - last > 3.0 * snap && shared(bottom, |s| s.to) {
        ys.push(bottom);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(y: f32, x0: f32, x1: f32) -> Rule {
        Rule { x0, y0: y, x1, y1: y }
    }

    fn v(x: f32, y0: f32, y1: f32) -> Rule {
        Rule { x0: x, y0, x1: x, y1 }
    }

    /// A 3x3 grid (x: 0,10,20,30; y: 0,10,20,30) with the top-left cell merged
    /// down over two rows and the bottom row's right two cells merged.
    fn sample_rules() -> Vec<Rule> {
        vec![
            h(0.0, 0.0, 30.0),
            h(10.0, 10.0, 30.0), // no rule under (0,0): merged down
            h(20.0, 0.0, 30.0),
            h(30.0, 0.0, 30.0),
            v(0.0, 0.0, 30.0),
            v(10.0, 0.0, 30.0),
            v(20.0, 0.0, 20.0), // stops above the bottom row: merged across
            v(30.0, 0.0, 30.0),
        ]
    }

    #[test]
    fn lattice_with_merged_cells() {
        let grids = find_grids(&sample_rules(), &LayoutParams::default());
        assert_eq!(grids.len(), 1);
        let g = &grids[0];
        assert_eq!((g.rows(), g.cols()), (3, 3));
        let spans: Vec<(usize, usize, usize, usize)> =
            g.cells.iter().map(|c| (c.row, c.col, c.rowspan, c.colspan)).collect();
        assert_eq!(
            spans,
            vec![
                (0, 0, 2, 1),
                (0, 1, 1, 1),
                (0, 2, 1, 1),
                (1, 1, 1, 1),
                (1, 2, 1, 1),
                (2, 0, 1, 1),
                (2, 1, 1, 2)
            ]
        );
        assert_eq!(g.cell_at(1, 0).map(|c| c.index), Some(0));
    }

    #[test]
    fn pieces_and_near_misses_merge_into_one_line() {
        // Chromium-style: each cell border its own short piece, 0.4 pt apart.
        let mut rules = Vec::new();
        for k in 0..3 {
            let x = k as f32 * 10.0;
            rules.push(h(0.0, x, x + 10.0));
            rules.push(h(10.4, x, x + 10.0));
        }
        for k in 0..4 {
            rules.push(v(k as f32 * 10.0 + 0.3, 0.0, 10.4));
        }
        let grids = find_grids(&rules, &LayoutParams::default());
        assert_eq!((grids[0].rows(), grids[0].cols(), grids[0].cells.len()), (1, 3, 3));
    }

    #[test]
    fn words_fill_their_cells_top_to_bottom() {
        let g = &find_grids(&sample_rules(), &LayoutParams::default())[0];
        let word = |t: &str, x: f32, y: f32| Word {
            text: t.into(),
            rect: Rect { x0: x, y0: y, x1: x + 4.0, y1: y + 4.0 },
            confidence: None,
        };
        // Vertical text in the merged cell, a number in (0,1), one outside.
        let words = vec![
            word("本", 3.0, 2.0),
            word("年", 3.0, 8.0),
            word("度", 3.0, 14.0),
            word("12", 12.0, 3.0),
            word("x", 50.0, 50.0),
        ];
        let mut used = vec![false; words.len()];
        let texts = g.fill(&words, &mut used);
        assert_eq!(texts[0], "本年度");
        assert_eq!(texts[1], "12");
        assert_eq!(used, vec![true, true, true, true, false]);
    }

    /// See: samples/pdf/pdf_04_chromium_2019.pdf, page 5: the continued s3
    /// has no rule above its first row.
    #[test]
    fn a_table_continued_without_top_rule_keeps_its_first_row() {
        let rules = vec![
            v(0.0, 0.0, 40.0),
            v(50.0, 0.0, 40.0),
            v(100.0, 0.0, 40.0),
            h(20.0, 0.0, 100.0),
            h(40.0, 0.0, 100.0),
        ];
        let grids = find_grids(&rules, &LayoutParams::default());
        assert_eq!(grids.len(), 1);
        assert_eq!(grids[0].ys, vec![0.0, 20.0, 40.0]);
        assert_eq!((grids[0].rows(), grids[0].cols()), (2, 2));
    }

    #[test]
    fn lone_lines_are_not_tables() {
        assert!(find_grids(&[h(0.0, 0.0, 100.0), v(200.0, 0.0, 50.0)], &LayoutParams::default())
            .is_empty());
    }
}
