//! Source: the half the markup readers share. Blocks (paragraphs and tables
//! with spans, from [`super::html`] or [`super::docx`]) → [`TextDoc`].
//!
//! A data table becomes one line per row with one cell per grid column: a
//! merged cell's text sits in its top-left slot and the slots it covers are
//! empty, so value columns line up with the header rows above them. Only the
//! innermost tables hold data: a table that holds another table, or is one
//! column wide, is page layout, and its cells are read as more blocks, so
//! nothing is read twice. Everything else is one line per paragraph.

use crate::doc::{Cell, Line, Loc, TextDoc};
use crate::value::is_cjk;

/// Spans wider than this are clamped: HTML allows 1000, and no report table
/// is anywhere near as wide, but a hostile page could make the grid huge.
const MAX_COLS: usize = 256;
/// Grid slots per document past which rows are dropped (memory guard); a
/// real report has a few hundred.
const MAX_SLOTS: usize = 4_000_000;

/// Content as the markup readers see it.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    Para(String),
    Table(Table),
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub rows: Vec<Vec<TableCell>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TableCell {
    pub blocks: Vec<Block>,
    pub colspan: usize,
    /// HTML `rowspan`: 0 means "to the end of the table", as in HTML. DOCX
    /// vertical merges arrive as explicit empty cells instead, so 1 there.
    pub rowspan: usize,
}

impl TableCell {
    pub fn new(blocks: Vec<Block>, colspan: usize, rowspan: usize) -> TableCell {
        TableCell { blocks, colspan, rowspan }
    }
}

/// Lays out blocks as lines, numbering them in reading order.
pub fn to_text_doc(blocks: &[Block]) -> TextDoc {
    let mut out = Out { lines: Vec::new(), tables: 0, slots: 0 };
    out.blocks(blocks);
    TextDoc { lines: out.lines }
}

struct Out {
    lines: Vec<Line>,
    /// Data tables emitted so far: the `table` of each cell's [`Loc`].
    tables: usize,
    slots: usize,
}

impl Out {
    fn blocks(&mut self, blocks: &[Block]) {
        for block in blocks {
            match block {
                Block::Para(text) => self.para(text),
                Block::Table(t) if is_data_table(t) => self.table(t),
                Block::Table(t) => {
                    for cell in t.rows.iter().flatten() {
                        self.blocks(&cell.blocks);
                    }
                }
            }
        }
    }

    fn para(&mut self, raw: &str) {
        let text = tidy(raw);
        if !text.is_empty() {
            let number = self.lines.len() + 1;
            let cells = vec![Cell { text: text.clone(), span: None, loc: None }];
            self.lines.push(Line { number, text, cells, row_end: true });
        }
    }

    fn table(&mut self, t: &Table) {
        let grid = expand(t, MAX_SLOTS.saturating_sub(self.slots));
        let table = self.tables;
        self.tables += 1;
        for (row, slots) in grid.into_iter().enumerate() {
            self.slots += slots.len();
            let cells: Vec<Cell> = slots
                .into_iter()
                .enumerate()
                .map(|(col, text)| Cell {
                    text,
                    span: None,
                    loc: Some(Loc::Cell { table, row, col }),
                })
                .collect();
            let text = Line::text_of(&cells);
            let number = self.lines.len() + 1;
            self.lines.push(Line { number, text, cells, row_end: true });
        }
    }
}

/// A table with data: no table inside it, and at least two columns (a
/// one-column table is a frame around text).
fn is_data_table(t: &Table) -> bool {
    let nested =
        t.rows.iter().flatten().flat_map(|c| &c.blocks).any(|b| matches!(b, Block::Table(_)));
    let width = t
        .rows
        .iter()
        .map(|r| r.iter().map(|c| c.colspan.clamp(1, MAX_COLS)).sum::<usize>())
        .max()
        .unwrap_or(0);
    !nested && width >= 2
}

/// The table as a dense grid of cell texts, spans expanded (the HTML table
/// model: a cell takes the first slot its row leaves free, and covers
/// `colspan` × `rowspan` slots). At most `budget` slots.
fn expand(t: &Table, budget: usize) -> Vec<Vec<String>> {
    let n = t.rows.len();
    let mut grid: Vec<Vec<Option<String>>> = vec![Vec::new(); n];
    for (r, row) in t.rows.iter().enumerate() {
        let mut col = 0;
        for cell in row {
            while grid[r].get(col).is_some_and(Option::is_some) {
                col += 1;
            }
            if col >= MAX_COLS {
                break;
            }
            let width = cell.colspan.clamp(1, MAX_COLS - col);
            let height = if cell.rowspan == 0 { n - r } else { cell.rowspan.min(n - r) };
            for (k, slots) in grid[r..r + height].iter_mut().enumerate() {
                if slots.len() < col + width {
                    slots.resize(col + width, None);
                }
                for (j, slot) in slots[col..col + width].iter_mut().enumerate() {
                    // A later cell overlapping an earlier span loses: the
                    // earlier one was placed first, as browsers do.
                    if slot.is_none() {
                        *slot = Some(if k == 0 && j == 0 {
                            cell_text(&cell.blocks)
                        } else {
                            String::new()
                        });
                    }
                }
            }
            col += width;
        }
    }
    let width = grid.iter().map(Vec::len).max().unwrap_or(0);
    let rows = budget.checked_div(width).map_or(n, |r| n.min(r));
    grid.into_iter()
        .take(rows)
        .map(|mut slots| {
            slots.resize(width, None);
            slots.into_iter().map(Option::unwrap_or_default).collect()
        })
        .collect()
}

/// A cell's text: its paragraphs joined as a reader sees them (a label
/// broken over two lines of its cell is one label).
fn cell_text(blocks: &[Block]) -> String {
    let mut raw = String::new();
    collect(blocks, &mut raw);
    tidy(&raw)
}

fn collect(blocks: &[Block], out: &mut String) {
    for b in blocks {
        match b {
            Block::Para(t) => {
                out.push_str(t);
                out.push('\n');
            }
            Block::Table(t) => {
                for cell in t.rows.iter().flatten() {
                    collect(&cell.blocks, out);
                }
            }
        }
    }
}

/// Collapses white space the way a reader of Chinese reads it: a run of
/// spaces or line breaks between two CJK characters (source line wraps in
/// Word's HTML, a label split over two lines) is nothing, between other
/// characters one space; none at the ends.
pub fn tidy(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut gap = false;
    for ch in raw.chars() {
        if is_space(ch) {
            gap = !out.is_empty();
            continue;
        }
        if gap && !(out.chars().next_back().is_some_and(is_wide) || is_wide(ch)) {
            out.push(' ');
        }
        gap = false;
        out.push(ch);
    }
    out
}

fn is_space(ch: char) -> bool {
    ch.is_whitespace() || matches!(ch, '\u{200b}' | '\u{feff}')
}

/// CJK characters and full-width punctuation: no spaces between them.
fn is_wide(ch: char) -> bool {
    is_cjk(ch)
        || ('\u{3000}'..='\u{303f}').contains(&ch)
        || ('\u{ff00}'..='\u{ffef}').contains(&ch)
        || ('\u{2014}'..='\u{201f}').contains(&ch)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(text: &str, colspan: usize, rowspan: usize) -> TableCell {
        TableCell::new(vec![Block::Para(text.to_string())], colspan, rowspan)
    }

    fn grid(rows: Vec<Vec<TableCell>>) -> Vec<Vec<String>> {
        expand(&Table { rows }, usize::MAX)
    }

    #[test]
    fn spans_put_text_top_left_and_leave_covered_slots_empty() {
        // The s3 header: a note over 3×3, 申请人情况 over seven columns, then
        // 自然人 and 总计 down two rows around the five sub-columns.
        let rows = vec![
            vec![cell("注", 3, 3), cell("申请人情况", 7, 1)],
            vec![cell("自然人", 1, 2), cell("法人或其他组织", 5, 1), cell("总计", 1, 2)],
            vec![
                cell("商业企业", 1, 1),
                cell("科研机构", 1, 1),
                cell("社会公益组织", 1, 1),
                cell("法律服务机构", 1, 1),
                cell("其他", 1, 1),
            ],
            vec![
                cell("一、本年新收", 3, 1),
                cell("1", 1, 1),
                cell("2", 1, 1),
                cell("3", 1, 1),
                cell("4", 1, 1),
                cell("5", 1, 1),
                cell("6", 1, 1),
                cell("21", 1, 1),
            ],
        ];
        let g = grid(rows);
        assert!(g.iter().all(|r| r.len() == 10));
        assert_eq!(g[0][..4], ["注", "", "", "申请人情况"]);
        assert_eq!(g[1][3..], ["自然人", "法人或其他组织", "", "", "", "", "总计"]);
        assert_eq!(
            g[2][3..],
            ["", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""]
        );
        assert_eq!(g[3][..4], ["一、本年新收", "", "", "1"]);
        assert_eq!(g[3][9], "21");
    }

    #[test]
    fn a_group_cell_down_the_side_shifts_the_rows_it_covers() {
        let rows = vec![
            vec![cell("（三）不予公开", 1, 2), cell("1.属于国家秘密", 1, 1), cell("7", 1, 1)],
            vec![cell("2.其他法律行政法规禁止公开", 1, 1), cell("8", 1, 1)],
            vec![cell("（七）总计", 2, 1), cell("9", 1, 1)],
        ];
        assert_eq!(
            grid(rows),
            vec![
                vec!["（三）不予公开", "1.属于国家秘密", "7"],
                vec!["", "2.其他法律行政法规禁止公开", "8"],
                vec!["（七）总计", "", "9"]
            ]
        );
    }

    #[test]
    fn rowspan_zero_and_overlong_spans_stop_at_the_table_end() {
        let rows = vec![vec![cell("a", 1, 0), cell("b", 1, 9)], vec![cell("c", 1, 1)], vec![]];
        assert_eq!(grid(rows), vec![vec!["a", "b", ""], vec!["", "", "c"], vec!["", "", ""]]);
        let wide = grid(vec![vec![cell("x", 100_000, 1), cell("y", 1, 1)]]);
        assert_eq!(wide[0].len(), MAX_COLS);
    }

    #[test]
    fn docx_merges_arrive_as_empty_cells_and_need_no_rowspan() {
        // vMerge continue → an empty cell with the restart cell's gridSpan.
        let rows = vec![
            vec![cell("三、本年度办理结果", 1, 1), cell("（一）予以公开", 2, 1), cell("5", 1, 1)],
            vec![cell("", 1, 1), cell("（二）部分公开", 2, 1), cell("1", 1, 1)],
        ];
        assert_eq!(grid(rows)[1], ["", "（二）部分公开", "", "1"]);
    }

    #[test]
    fn layout_tables_are_read_as_blocks_and_data_tables_once() {
        let inner = Table { rows: vec![vec![cell("规章", 1, 1), cell("3", 1, 1)]] };
        let outer = Table {
            rows: vec![vec![
                TableCell::new(
                    vec![Block::Para("二、主动公开政府信息情况".into()), Block::Table(inner)],
                    1,
                    1,
                ),
                cell("侧栏", 1, 1),
            ]],
        };
        let doc = to_text_doc(&[Block::Para("标题".into()), Block::Table(outer)]);
        let texts: Vec<Vec<&str>> =
            doc.lines.iter().map(|l| l.cells.iter().map(|c| c.text.as_str()).collect()).collect();
        assert_eq!(
            texts,
            vec![vec!["标题"], vec!["二、主动公开政府信息情况"], vec!["规章", "3"], vec!["侧栏"]]
        );
        assert_eq!(doc.lines[2].cells[1].loc, Some(Loc::Cell { table: 0, row: 0, col: 1 }));
        assert_eq!(doc.lines.iter().map(|l| l.number).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    }

    #[test]
    fn white_space_between_cjk_is_a_line_wrap() {
        assert_eq!(tidy("\u{a0}本年新\n  制作数量 \n"), "本年新制作数量");
        assert_eq!(tidy("251000 元"), "251000元");
        assert_eq!(tidy("Tel:\t 12 345"), "Tel: 12 345");
        assert_eq!(tidy("\u{3000}\u{3000}2020年，我局"), "2020年，我局");
    }
}
