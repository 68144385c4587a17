//! Stage: page layout, shared by the PDF and scan readers.
//!
//! In: [`Page`]s (words with boxes, ruling segments). Out: a [`TextDoc`], one
//! line per table row with one cell per grid column, paragraph lines between
//! them in reading order, every cell with its [`Loc::Box`]; so the rest of
//! the pipeline is the same for every input kind.
//!
//! 1. [`grid::find_grids`]: rulings are snapped and merged, grouped into
//!    tables, and each table's lattice built; a missing rule between atomic
//!    cells merges them.
//! 2. Words go to the cell holding their centre; a cell's lines are joined
//!    top to bottom, so wrapped labels and vertical text (三、本年度办理结果
//!    written one character per line) read as one string.
//! 3. Words outside tables become text lines; on a page without rules the
//!    lines are split into cells at wide gaps and keep their x positions, as
//!    `pdftotext -layout` text does.
//! 4. A table row at the top of a page holding only the tail of numbers of
//!    the previous page's last row (a 5-digit value whose last digit wrapped)
//!    is joined to that row.
//!
//! Coordinates are PDF points (1/72 inch), origin at the page's top-left, y
//! growing downward. Scan readers convert pixels at the source boundary.

pub mod grid;
mod lines;

use crate::doc::{Cell, Line, Loc, TextDoc};

pub use crate::geom::Rect;
pub use grid::{find_grids, Grid, GridCell};

/// A run of text with its box: a glyph, a word, or an OCR word.
#[derive(Clone, Debug, PartialEq)]
pub struct Word {
    pub text: String,
    pub rect: Rect,
    /// OCR confidence in [0, 1]; `None` for a text layer.
    pub confidence: Option<f32>,
}

/// A ruling segment: horizontal (`y0 == y1`) or vertical (`x0 == x1`), or
/// nearly so; [`grid`] snaps them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rule {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

/// One page as a reader sees it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    /// 1-based.
    pub number: usize,
    pub width: f32,
    pub height: f32,
    pub words: Vec<Word>,
    pub rules: Vec<Rule>,
}

/// Tolerances, in points.
#[derive(Clone, Debug)]
pub struct LayoutParams {
    /// Rules whose positions differ by less than this are one line; ends
    /// closer than this touch. 2 pt absorbs the half-pixel offsets of
    /// producers; scans need more (their lines wobble).
    pub snap: f32,
    /// A gap between words wider than this many text heights starts a new
    /// cell on a page without rules. Empirically chosen: table columns in
    /// reports are ≥ 2 characters apart, words in a label < 1.
    pub cell_gap: f32,
    /// Split text lines outside the grids into cells on pages with grids
    /// too. A text layer's paragraph lines there stay whole; a scan reader
    /// gives each word of a text line as one box already, and gives the
    /// pieces of a table without rules (next to a ruled one) as words that
    /// must stay cells.
    pub split_free_lines: bool,
}

impl Default for LayoutParams {
    fn default() -> Self {
        LayoutParams { snap: 2.0, cell_gap: 1.5, split_free_lines: false }
    }
}

/// One output row before numbering: its top y, cells, and where it came from.
struct Row {
    y: f32,
    cells: Vec<Cell>,
    /// Set for rows of a ruled table: (grid index on the page, atomic row).
    table: Option<(usize, usize)>,
}

pub fn pages_to_doc(pages: &[Page]) -> TextDoc {
    pages_to_doc_with(pages, &LayoutParams::default())
}

pub fn pages_to_doc_with(pages: &[Page], params: &LayoutParams) -> TextDoc {
    let mut lines: Vec<Line> = Vec::new();
    // The last table row emitted, to join a number wrapped onto the next page.
    let mut last_table_row: Option<usize> = None;
    for page in pages {
        let grids = find_grids(&page.rules, params);
        let mut rows: Vec<Row> = Vec::new();
        let mut used = vec![false; page.words.len()];
        for (gi, g) in grids.iter().enumerate() {
            let texts = g.fill(&page.words, &mut used);
            for r in 0..g.rows() {
                let cells = (0..g.cols())
                    .map(|c| match g.cell_at(r, c) {
                        Some(cell) if cell.row == r && cell.col == c => Cell {
                            text: texts[cell.index].clone(),
                            span: None,
                            loc: Some(boxed(page.number, cell.rect)),
                        },
                        _ => Cell { text: String::new(), span: None, loc: None },
                    })
                    .collect();
                rows.push(Row { y: g.ys[r], cells, table: Some((gi, r)) });
            }
        }
        let free: Vec<&Word> =
            page.words.iter().zip(&used).filter(|(_, u)| !**u).map(|(w, _)| w).collect();
        for line in lines::text_lines(&free) {
            let split = grids.is_empty() || params.split_free_lines;
            let cells =
                if split { lines::split_cells(&line, params) } else { vec![lines::whole(&line)] };
            let y = line.iter().map(|w| w.rect.y0).fold(f32::MAX, f32::min);
            let cells = cells
                .into_iter()
                .map(|(text, rect)| Cell {
                    text,
                    span: split.then_some((rect.x0, rect.x1)),
                    loc: Some(boxed(page.number, rect)),
                })
                .collect();
            rows.push(Row { y, cells, table: None });
        }
        rows.sort_by(|a, b| a.y.total_cmp(&b.y));
        for (k, row) in rows.into_iter().enumerate() {
            let first_table_row = row.table.is_some_and(|(_, r)| r == 0) && k == 0;
            if first_table_row && continues_number(&row, last_table_row.map(|i| &lines[i])) {
                let prev = &mut lines[last_table_row.unwrap_or(0)];
                for (p, c) in prev.cells.iter_mut().zip(&row.cells) {
                    p.text.push_str(&c.text);
                }
                continue;
            }
            let text = Line::text_of(&row.cells);
            if row.table.is_some() {
                last_table_row = Some(lines.len());
            }
            lines.push(Line { number: lines.len() + 1, text, cells: row.cells, row_end: true });
        }
    }
    TextDoc { lines }
}

fn boxed(page: usize, r: Rect) -> Loc {
    Loc::Box { page, x0: r.x0, y0: r.y0, x1: r.x1, y1: r.y1 }
}

/// A page's first table row that holds nothing but digits, in a grid as wide
/// as the previous page's last table row, whose label cells are empty: the
/// wrapped tail of that row's numbers.
fn continues_number(row: &Row, prev: Option<&Line>) -> bool {
    let Some(prev) = prev else { return false };
    if prev.cells.len() != row.cells.len() || row.cells.iter().all(|c| c.text.is_empty()) {
        return false;
    }
    let digits_only = row.cells.iter().all(|c| c.text.chars().all(|ch| ch.is_ascii_digit()));
    // Each tail continues a number: the cell above must end in a digit.
    let continues = row
        .cells
        .iter()
        .zip(&prev.cells)
        .all(|(c, p)| c.text.is_empty() || p.text.ends_with(|ch: char| ch.is_ascii_digit()));
    digits_only && continues
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(t: &str, x: f32, y: f32) -> Word {
        let w = t.chars().map(|c| if c.is_ascii() { 5.0 } else { 10.0 }).sum::<f32>();
        Word {
            text: t.into(),
            rect: Rect { x0: x, y0: y, x1: x + w, y1: y + 10.0 },
            confidence: None,
        }
    }

    /// A ruled table: columns at `xs`, rows at `ys`, every boundary drawn.
    fn ruled(xs: &[f32], ys: &[f32]) -> Vec<Rule> {
        let (x0, x1, y0, y1) = (xs[0], xs[xs.len() - 1], ys[0], ys[ys.len() - 1]);
        ys.iter()
            .map(|&y| Rule { x0, y0: y, x1, y1: y })
            .chain(xs.iter().map(|&x| Rule { x0: x, y0, x1: x, y1 }))
            .collect()
    }

    fn cells(doc: &TextDoc) -> Vec<Vec<String>> {
        doc.lines.iter().map(|l| l.cells.iter().map(|c| c.text.clone()).collect()).collect()
    }

    #[test]
    fn paragraphs_and_table_rows_in_reading_order_with_a_number_wrapped_across_pages() {
        let p1 = Page {
            number: 1,
            width: 300.0,
            height: 100.0,
            words: vec![
                word("二、主动公开", 10.0, 5.0),
                word("规章", 12.0, 32.0),
                word("1234", 112.0, 32.0),
                word("7", 212.0, 32.0),
            ],
            rules: ruled(&[10.0, 110.0, 210.0, 290.0], &[20.0, 30.0, 45.0]),
        };
        let p2 = Page {
            number: 2,
            width: 300.0,
            height: 100.0,
            words: vec![word("5", 112.0, 12.0), word("三、收到", 10.0, 40.0)],
            rules: ruled(&[10.0, 110.0, 210.0, 290.0], &[10.0, 25.0]),
        };
        let doc = pages_to_doc(&[p1, p2]);
        assert_eq!(
            cells(&doc),
            vec![
                vec!["二、主动公开"],
                vec!["", "", ""],
                vec!["规章", "12345", "7"],
                vec!["三、收到"]
            ]
        );
        assert_eq!(
            doc.lines[2].cells[1].loc,
            Some(Loc::Box { page: 1, x0: 110.0, y0: 30.0, x1: 210.0, y1: 45.0 })
        );
    }

    #[test]
    fn pages_without_rules_split_lines_at_wide_gaps() {
        let page = Page {
            number: 1,
            width: 300.0,
            height: 100.0,
            words: vec![
                word("行政", 10.0, 10.0),
                word("许可", 30.0, 10.0),
                word("12", 120.0, 11.0),
                word("3", 200.0, 10.0),
            ],
            rules: vec![],
        };
        let doc = pages_to_doc(&[page]);
        assert_eq!(cells(&doc), vec![vec!["行政许可", "12", "3"]]);
        assert_eq!(doc.lines[0].cells[1].span, Some((120.0, 130.0)));
    }
}
