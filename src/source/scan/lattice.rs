//! Scan stage 2b: the lattice. In: rule [`Segment`]s of one page (pixels).
//! Out: [`Table`]s, each a grid of [`GridCell`]s with row and column spans
//! and a box, so that every cell can be cropped and read on its own.
//!
//! Rules that cross or touch form one table. Their positions, clustered,
//! give the grid lines; two neighbouring elementary cells are one merged
//! cell when the rule between them is absent (covers less than half the
//! shared edge). This is the scan reader's own lattice, used to crop cells
//! before OCR; `layout::pages_to_doc` rebuilds the same grid from the
//! [`super::Rule`]s for the text.

use super::lines::Segment;

/// One cell of a table: elementary rows `row..row+rowspan` and columns
/// `col..col+colspan`; `rect` in pixels (x0, y0, x1, y1) on the grid lines.
#[derive(Clone, Debug, PartialEq)]
pub struct GridCell {
    pub row: usize,
    pub col: usize,
    pub rowspan: usize,
    pub colspan: usize,
    pub rect: (f32, f32, f32, f32),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Grid line positions, increasing.
    pub ys: Vec<f32>,
    pub xs: Vec<f32>,
    /// Row-major by top-left corner.
    pub cells: Vec<GridCell>,
}

impl Table {
    pub fn bbox(&self) -> (f32, f32, f32, f32) {
        (self.xs[0], self.ys[0], *self.xs.last().unwrap_or(&0.0), *self.ys.last().unwrap_or(&0.0))
    }
}

/// Finds the tables; `tol` is the distance (px) within which rules meet.
pub fn tables(segs: &[Segment], tol: f32) -> Vec<Table> {
    let n = segs.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while p[r] != r {
            r = p[r];
        }
        let mut i = i;
        while p[i] != r {
            let next = p[i];
            p[i] = r;
            i = next;
        }
        r
    }
    for i in 0..n {
        for j in 0..n {
            let (a, b) = (&segs[i], &segs[j]);
            if a.horizontal && !b.horizontal && b.at >= a.from - tol && b.at <= a.to + tol && a.at >= b.from - tol && a.at <= b.to + tol {
                let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                parent[ri] = rj;
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut root_of: Vec<(usize, usize)> = Vec::new();
    for i in 0..n {
        let r = find(&mut parent, i);
        match root_of.iter().find(|(root, _)| *root == r) {
            Some(&(_, g)) => groups[g].push(i),
            None => {
                root_of.push((r, groups.len()));
                groups.push(vec![i]);
            }
        }
    }
    let mut out: Vec<Table> = groups.iter().filter_map(|g| table(&g.iter().map(|&i| segs[i]).collect::<Vec<_>>(), tol)).collect();
    out.sort_by(|a, b| a.ys[0].total_cmp(&b.ys[0]));
    out
}

fn cluster(mut v: Vec<f32>, tol: f32) -> Vec<f32> {
    v.sort_by(f32::total_cmp);
    let mut out: Vec<(f32, usize)> = Vec::new();
    for x in v {
        match out.last_mut() {
            Some((m, k)) if x - *m / *k as f32 <= tol => {
                *m += x;
                *k += 1;
            }
            _ => out.push((x, 1)),
        }
    }
    out.into_iter().map(|(m, k)| m / k as f32).collect()
}

/// Fraction of `[a, b]` covered by the segments at `at` (within `tol`).
fn coverage(segs: &[&Segment], at: f32, a: f32, b: f32, tol: f32) -> f32 {
    let mut spans: Vec<(f32, f32)> = segs.iter().filter(|s| (s.at - at).abs() <= tol).map(|s| (s.from.max(a), s.to.min(b))).filter(|(x, y)| y > x).collect();
    spans.sort_by(|p, q| p.0.total_cmp(&q.0));
    let (mut covered, mut end) = (0.0, a);
    for (x, y) in spans {
        let x = x.max(end);
        if y > x {
            covered += y - x;
            end = y;
        }
    }
    covered / (b - a).max(1.0)
}

fn table(segs: &[Segment], tol: f32) -> Option<Table> {
    let hs: Vec<&Segment> = segs.iter().filter(|s| s.horizontal).collect();
    let vs: Vec<&Segment> = segs.iter().filter(|s| !s.horizontal).collect();
    if hs.len() < 2 || vs.len() < 2 {
        return None;
    }
    let ys = cluster(hs.iter().map(|s| s.at).collect(), tol);
    let xs = cluster(vs.iter().map(|s| s.at).collect(), tol);
    if ys.len() < 2 || xs.len() < 2 {
        return None;
    }
    let (nr, nc) = (ys.len() - 1, xs.len() - 1);
    // Edge between (r, c) and (r, c+1): the vertical rule at xs[c+1] over
    // the row's middle; between (r, c) and (r+1, c): the horizontal at ys[r+1].
    let inset = |a: f32, b: f32| (a + (b - a) * 0.2, b - (b - a) * 0.2);
    let mut parent: Vec<usize> = (0..nr * nc).collect();
    fn find(p: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while p[r] != r {
            r = p[r];
        }
        p[i] = r;
        r
    }
    for r in 0..nr {
        for c in 0..nc {
            if c + 1 < nc {
                let (a, b) = inset(ys[r], ys[r + 1]);
                if coverage(&vs, xs[c + 1], a, b, tol) < 0.5 {
                    let (x, y) = (find(&mut parent, r * nc + c), find(&mut parent, r * nc + c + 1));
                    parent[x] = y;
                }
            }
            if r + 1 < nr {
                let (a, b) = inset(xs[c], xs[c + 1]);
                if coverage(&hs, ys[r + 1], a, b, tol) < 0.5 {
                    let (x, y) = (find(&mut parent, r * nc + c), find(&mut parent, (r + 1) * nc + c));
                    parent[x] = y;
                }
            }
        }
    }
    let mut cells: Vec<GridCell> = Vec::new();
    let mut seen: Vec<(usize, usize)> = Vec::new();
    for r in 0..nr {
        for c in 0..nc {
            let root = find(&mut parent, r * nc + c);
            if seen.iter().any(|(k, _)| *k == root) {
                continue;
            }
            let members: Vec<(usize, usize)> = (0..nr * nc).filter(|&i| find(&mut parent, i) == root).map(|i| (i / nc, i % nc)).collect();
            let (r1, c1) = members.iter().fold((r, c), |(a, b), &(x, y)| (a.max(x), b.max(y)));
            let c0 = members.iter().map(|m| m.1).min().unwrap_or(c);
            seen.push((root, cells.len()));
            cells.push(GridCell { row: r, col: c0, rowspan: r1 - r + 1, colspan: c1 - c0 + 1, rect: (xs[c0], ys[r], xs[c1 + 1], ys[r1 + 1]) });
        }
    }
    // A "table" of one cell is a frame or a box around text, not a table.
    (cells.len() >= 2).then_some(Table { ys, xs, cells })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(at: f32, from: f32, to: f32) -> Segment {
        Segment { horizontal: true, at, from, to, thickness: 2.0 }
    }
    fn v(at: f32, from: f32, to: f32) -> Segment {
        Segment { horizontal: false, at, from, to, thickness: 2.0 }
    }

    /// A header cell spanning two columns over a row of two cells, and a
    /// label merged down two rows.
    #[test]
    fn merged_cells_get_spans() {
        let segs = vec![
            h(0.0, 0.0, 300.0),
            h(50.0, 100.0, 300.0),
            h(100.0, 0.0, 300.0),
            h(150.0, 0.0, 300.0),
            v(0.0, 0.0, 150.0),
            v(100.0, 0.0, 150.0),
            v(200.0, 50.0, 150.0),
            v(300.0, 0.0, 150.0),
        ];
        let t = &tables(&segs, 4.0)[0];
        assert_eq!(t.xs.len(), 4);
        let spans: Vec<(usize, usize, usize, usize)> = t.cells.iter().map(|c| (c.row, c.col, c.rowspan, c.colspan)).collect();
        assert_eq!(spans, vec![(0, 0, 2, 1), (0, 1, 1, 2), (1, 1, 1, 1), (1, 2, 1, 1), (2, 0, 1, 1), (2, 1, 1, 1), (2, 2, 1, 1)]);
    }
}
