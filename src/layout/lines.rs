//! Text lines from words outside ruled tables: grouping by vertical overlap,
//! and splitting at wide gaps where a page has no rules.

use super::{LayoutParams, Rect, Word};

/// Groups words into lines (reading order: top to bottom, left to right). A
/// word joins a line when their vertical extents overlap by half the smaller.
pub fn text_lines<'a>(words: &[&'a Word]) -> Vec<Vec<&'a Word>> {
    let mut sorted: Vec<&Word> =
        words.iter().copied().filter(|w| !w.text.trim().is_empty()).collect();
    sorted.sort_by(|a, b| a.rect.y0.total_cmp(&b.rect.y0).then(a.rect.x0.total_cmp(&b.rect.x0)));
    let mut lines: Vec<(Rect, Vec<&Word>)> = Vec::new();
    for w in sorted {
        let fits = |r: &Rect| {
            let overlap = r.y1.min(w.rect.y1) - r.y0.max(w.rect.y0);
            overlap >= 0.5 * r.height().min(w.rect.height())
        };
        match lines.iter_mut().rev().take(3).find(|(r, _)| fits(r)) {
            Some((r, ws)) => {
                *r = union(*r, w.rect);
                ws.push(w);
            }
            None => lines.push((w.rect, vec![w])),
        }
    }
    lines
        .into_iter()
        .map(|(_, mut ws)| {
            ws.sort_by(|a, b| a.rect.x0.total_cmp(&b.rect.x0));
            ws
        })
        .collect()
}

pub fn union(a: Rect, b: Rect) -> Rect {
    Rect { x0: a.x0.min(b.x0), y0: a.y0.min(b.y0), x1: a.x1.max(b.x1), y1: a.y1.max(b.y1) }
}

/// Joins a line's words: no space between CJK or between a digit and a
/// digit glyph run, a space only across a real gap between Latin words.
pub fn join(words: &[&Word]) -> String {
    let mut out = String::new();
    let mut prev: Option<&Word> = None;
    for w in words {
        if let Some(p) = prev {
            let gap = w.rect.x0 - p.rect.x1;
            let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphabetic());
            if gap > 0.3 * w.rect.height().max(1.0)
                && latin(p.text.chars().last())
                && latin(w.text.chars().next())
            {
                out.push(' ');
            }
        }
        out.push_str(w.text.trim());
        prev = Some(w);
    }
    out
}

pub fn whole(line: &[&Word]) -> (String, Rect) {
    let rect = line.iter().map(|w| w.rect).reduce(union).unwrap_or(Rect {
        x0: 0.0,
        y0: 0.0,
        x1: 0.0,
        y1: 0.0,
    });
    (join(line), rect)
}

/// Splits a line at gaps wider than `cell_gap` text heights.
pub fn split_cells(line: &[&Word], params: &LayoutParams) -> Vec<(String, Rect)> {
    let mut cells: Vec<Vec<&Word>> = Vec::new();
    for w in line {
        let new_cell = match cells.last().and_then(|c| c.last()) {
            Some(p) => {
                w.rect.x0 - p.rect.x1 > params.cell_gap * p.rect.height().max(w.rect.height())
            }
            None => true,
        };
        if new_cell {
            cells.push(vec![w]);
        } else if let Some(c) = cells.last_mut() {
            c.push(w);
        }
    }
    cells.iter().map(|c| whole(c)).collect()
}
