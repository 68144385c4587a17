//! Temporary stand-in for the shared `layout` module (being written on
//! main): the same types and `pages_to_doc` signature, with a minimal grid
//! rebuild, so the scan reader can be built and tested before it lands.
//! Delete this file and import `crate::layout` when it does.
//!
//! In: [`Page`]s (points, origin top-left). Out: a [`TextDoc`]: one line per
//! table row with one cell per grid column (a merged cell's text in its
//! first slot), text outside tables as one-cell lines, in reading order.

use crate::source::text::{Cell, Line, Loc, TextDoc};

#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Rect {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Word {
    pub text: String,
    pub rect: Rect,
    pub confidence: Option<f32>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rule {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    pub number: usize,
    pub width: f32,
    pub height: f32,
    pub words: Vec<Word>,
    pub rules: Vec<Rule>,
}

pub fn pages_to_doc(pages: &[Page]) -> TextDoc {
    let mut lines = Vec::new();
    for page in pages {
        let segs: Vec<super::lines::Segment> = page
            .rules
            .iter()
            .map(|r| {
                let horizontal = (r.x1 - r.x0) >= (r.y1 - r.y0);
                let (at, from, to) = if horizontal { ((r.y0 + r.y1) / 2.0, r.x0, r.x1) } else { ((r.x0 + r.x1) / 2.0, r.y0, r.y1) };
                super::lines::Segment { horizontal, at, from, to, thickness: 1.0 }
            })
            .collect();
        let tables = super::lattice::tables(&segs, 3.0);
        // (y, line) pairs sorted by y at the end.
        let mut items: Vec<(f32, Line)> = Vec::new();
        let mut used = vec![false; page.words.len()];
        for t in &tables {
            let nc = t.xs.len() - 1;
            for r in 0..t.ys.len() - 1 {
                let mut cells: Vec<Cell> = (0..nc).map(|_| Cell { text: String::new(), loc: None, span: None }).collect();
                let mut any = false;
                for c in t.cells.iter().filter(|c| c.row == r) {
                    let (x0, y0, x1, y1) = c.rect;
                    let mut words: Vec<(usize, &Word)> = page.words.iter().enumerate().filter(|(_, w)| {
                        let (cx, cy) = ((w.rect.x0 + w.rect.x1) / 2.0, (w.rect.y0 + w.rect.y1) / 2.0);
                        cx > x0 && cx < x1 && cy > y0 && cy < y1
                    }).collect();
                    words.sort_by(|a, b| a.1.rect.y0.total_cmp(&b.1.rect.y0).then(a.1.rect.x0.total_cmp(&b.1.rect.x0)));
                    let text = words.iter().map(|(_, w)| w.text.as_str()).collect::<Vec<_>>().join("");
                    for (i, _) in &words {
                        used[*i] = true;
                    }
                    any |= !text.is_empty();
                    cells[c.col] = Cell { text, loc: Some(Loc::Box { page: page.number, x0, y0, x1, y1 }), span: None };
                }
                if any {
                    let text = cells.iter().map(|c| c.text.as_str()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join(" ");
                    items.push((t.ys[r], Line { number: 0, text, cells, row_end: true }));
                }
            }
        }
        // Words outside tables: rows by vertical overlap; a row of several
        // words keeps their positions as display columns (one column per
        // half of the median word height, like a CJK half-width).
        let mut rest: Vec<&Word> = page.words.iter().enumerate().filter(|(i, _)| !used[*i]).map(|(_, w)| w).collect();
        rest.sort_by(|a, b| a.rect.y0.total_cmp(&b.rect.y0));
        let mut heights: Vec<f32> = rest.iter().map(|w| w.rect.y1 - w.rect.y0).collect();
        heights.sort_by(f32::total_cmp);
        let unit = heights.get(heights.len() / 2).copied().unwrap_or(10.0).max(1.0) / 2.0;
        let mut rows: Vec<Vec<&Word>> = Vec::new();
        for w in rest {
            let mid = (w.rect.y0 + w.rect.y1) / 2.0;
            match rows.iter_mut().find(|r| r.iter().any(|o| mid > o.rect.y0 && mid < o.rect.y1)) {
                Some(r) => r.push(w),
                None => rows.push(vec![w]),
            }
        }
        for mut row in rows {
            row.sort_by(|a, b| a.rect.x0.total_cmp(&b.rect.x0));
            let several = row.len() > 1;
            let cells: Vec<Cell> = row
                .iter()
                .map(|w| Cell { text: w.text.clone(), loc: Some(Loc::Box { page: page.number, x0: w.rect.x0, y0: w.rect.y0, x1: w.rect.x1, y1: w.rect.y1 }), span: several.then_some((w.rect.x0 / unit, w.rect.x1 / unit)) })
                .collect();
            let text = row.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
            let y = row.iter().map(|w| w.rect.y0).fold(f32::MAX, f32::min);
            items.push((y, Line { number: 0, text, cells, row_end: true }));
        }
        items.sort_by(|a, b| a.0.total_cmp(&b.0));
        lines.extend(items.into_iter().map(|(_, l)| l));
    }
    for (i, l) in lines.iter_mut().enumerate() {
        l.number = i + 1;
    }
    TextDoc { lines }
}
