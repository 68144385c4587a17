//! Source: text exports. Text → [`TextDoc`]: lines of cells with row breaks.
//!
//! Recognized per line, so one document may mix them:
//! - one cell per line, tab-indented, blank lines between rows (Word → text);
//!   an unindented short line right after a text cell continues that cell
//!   ("本年新\n制作数量");
//! - tab-separated rows, empty cells kept (their positions matter);
//! - `cell |` pipe dumps, a row ending at a line with `||` padding;
//! - Markdown tables (`| a | b |`, separator rows skipped);
//! - `pdftotext -layout` rows: cells split at runs of two or more spaces,
//!   with their display columns (a CJK character is two columns wide);
//! - plain lines (narrative, or `pdftotext` raw output: one cell per line);
//!   these end a row only at a blank line, so a raw table reads as one stream
//!   that the table stage re-splits at labels.

use crate::doc::{Cell, Line, TextDoc};

enum Shape {
    Blank,
    /// Markdown separator row or page furniture: no cells.
    Skip,
    /// A single cell that only a blank line ends (indented: may take a continuation).
    Single {
        indented: bool,
    },
    Row,
}

pub fn read(text: &str) -> TextDoc {
    let cjk = cjk_columns(text);
    let mut lines: Vec<Line> = Vec::new();
    let mut prev_indented_text = false;
    for (number, raw) in super::boxes::join_bands(text) {
        let raw = raw.trim_end_matches('\r').replace('\u{c}', "");
        let (shape, cells) = split_line(&raw, cjk);
        match shape {
            Shape::Blank => {
                if let Some(last) = lines.last_mut() {
                    last.row_end = true;
                }
                prev_indented_text = false;
                continue;
            }
            Shape::Skip => continue,
            Shape::Single { indented: false }
                if prev_indented_text && is_continuation(&cells[0].text) =>
            {
                // Word breaks header cells inside the cell: join to the previous cell.
                if let Some(last) = lines.last_mut() {
                    if let Some(cell) = last.cells.last_mut() {
                        cell.text.push_str(&cells[0].text);
                        last.text.push_str(&cells[0].text);
                        continue;
                    }
                }
            }
            _ => {}
        }
        prev_indented_text = matches!(shape, Shape::Single { indented: true })
            && cells.first().is_some_and(|c| is_text_cell(&c.text));
        let row_end = matches!(shape, Shape::Row);
        let joined = cells
            .iter()
            .map(|c| c.text.as_str())
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        lines.push(Line { number, text: joined, cells, row_end });
    }
    // An indented single cell keeps its display columns only among layout
    // rows (`pdftotext -layout`, where indentation places a wrapped label);
    // in a text of single cells (docx2txt centres them) it says nothing.
    if !lines.iter().any(|l| l.cells.len() > 1 && l.cells.iter().all(|c| c.span.is_some())) {
        for cell in lines.iter_mut().flat_map(|l| l.cells.iter_mut()) {
            cell.span = None;
        }
    }
    TextDoc { lines }
}

fn split_line(raw: &str, cjk: f32) -> (Shape, Vec<Cell>) {
    let trimmed = raw.trim_matches(|c: char| c.is_whitespace());
    let plain = |t: &str| {
        vec![Cell { text: unemphasize(t.trim_matches(char::is_whitespace)), span: None, loc: None }]
    };
    if trimmed.is_empty() {
        return if raw.contains('\t') {
            (Shape::Single { indented: true }, plain(""))
        } else {
            (Shape::Blank, vec![])
        };
    }
    if is_page_furniture(trimmed) || is_box_rule(trimmed) {
        return (Shape::Skip, vec![]);
    }
    // Box-drawing tables (`w3m -dump`): a vertical bar is a cell border.
    let boxed;
    let trimmed = if trimmed.contains(BOX_BARS) {
        boxed = trimmed.replace(BOX_BARS, "|");
        boxed.as_str()
    } else {
        trimmed
    };
    if trimmed.starts_with('|') && trimmed.ends_with('|') && trimmed.len() > 1 {
        let inner = &trimmed[1..trimmed.len() - 1];
        if inner.chars().all(|c| "-:| ".contains(c)) {
            return (Shape::Skip, vec![]);
        }
        return (Shape::Row, inner.split('|').map(|c| plain(c).remove(0)).collect());
    }
    if trimmed.ends_with('|') {
        let pieces: Vec<&str> = trimmed.split('|').collect();
        let body = &pieces[..pieces.len() - 1];
        let mut cells = vec![plain(body[0]).remove(0)];
        cells.extend(body[1..].iter().filter(|p| !p.trim().is_empty()).map(|p| plain(p).remove(0)));
        let padded = body[1..].iter().any(|p| p.trim().is_empty());
        return (if padded { Shape::Row } else { Shape::Single { indented: false } }, cells);
    }
    // Markdown rows without outer bars (html2text): `规章 | 0 | 0 | 0`, and
    // their `---|---` separator.
    if trimmed.contains('|') {
        if trimmed.chars().all(|c| "-:| ".contains(c)) {
            return (Shape::Skip, vec![]);
        }
        let cells: Vec<Cell> = trimmed.split('|').map(|c| plain(c).remove(0)).collect();
        if cells.iter().filter(|c| !c.text.is_empty()).count() >= 2 {
            return (Shape::Row, cells);
        }
    }
    if raw.contains('\t') {
        let fields: Vec<&str> = raw.split('\t').collect();
        if fields.len() == 2 && fields[0].trim().is_empty() {
            return (Shape::Single { indented: true }, plain(fields[1]));
        }
        return (Shape::Row, fields.iter().map(|f| plain(f).remove(0)).collect());
    }
    if let Some(cells) = layout_cells(raw, cjk) {
        return (Shape::Row, cells);
    }
    // An indented plain line keeps its display columns: in `pdftotext -layout`
    // output that is how a wrapped label's second line is recognized.
    let indent: f32 =
        raw.chars().take_while(|c| *c == ' ' || *c == '\u{3000}').map(|c| char_width(c, cjk)).sum();
    let mut cells = plain(trimmed);
    if indent >= 2.0 {
        cells[0].span =
            Some((indent, indent + trimmed.chars().map(|c| char_width(c, cjk)).sum::<f32>()));
    }
    (Shape::Single { indented: false }, cells)
}

/// Columns a character takes: `cjk` for wide characters (2 on a terminal,
/// 1 in `pdftotext -layout`, which gives every glyph one column).
fn char_width(ch: char, cjk: f32) -> f32 {
    if crate::value::is_cjk(ch)
        || ('\u{3000}'..='\u{303f}').contains(&ch)
        || ('\u{ff00}'..='\u{ffef}').contains(&ch)
        || ('\u{2014}'..='\u{201f}').contains(&ch)
    {
        cjk
    } else {
        1.0
    }
}

/// Display columns of `t` (a CJK character is two columns wide).
pub fn display_width(t: &str) -> f32 {
    t.chars().map(|c| char_width(c, 2.0)).sum()
}

/// How many columns a wide character takes in this text's layout: 2 where
/// the text was laid out for a terminal, 1 where each glyph got one column
/// (`pdftotext -layout` places glyphs by their x on the page). Decided by
/// the numbers' columns: under the right width a table's numbers line up
/// whatever the length of the labels before them, so their cells start at
/// fewer distinct columns.
fn cjk_columns(text: &str) -> f32 {
    let distinct = |cjk: f32| {
        let mut starts: Vec<i64> = text
            .lines()
            .filter_map(|raw| layout_cells(raw, cjk))
            .flatten()
            .filter(|c| c.text.chars().all(|ch| ch.is_numeric() || ch == '.' || ch == ','))
            .filter_map(|c| c.span.map(|s| s.0 as i64))
            .collect();
        starts.sort_unstable();
        starts.dedup();
        starts.len()
    };
    let (wide, narrow) = (distinct(2.0), distinct(1.0));
    if narrow * 10 < wide * 8 {
        1.0
    } else {
        2.0
    }
}

/// Splits at runs of two or more spaces (or an ideographic space), recording
/// display columns. `None` when the line has no such gap.
fn layout_cells(raw: &str, cjk: f32) -> Option<Vec<Cell>> {
    let mut cells = Vec::new();
    let mut col = 0f32;
    let mut cur = String::new();
    let mut start = 0f32;
    let mut gap = 0f32;
    let mut split = false;
    for ch in raw.chars() {
        let w = char_width(ch, cjk);
        if ch == ' ' || ch == '\u{3000}' || ch == '\u{a0}' {
            gap += w;
        } else {
            if gap >= 2.0 && !cur.is_empty() {
                cells.push(Cell {
                    text: std::mem::take(&mut cur),
                    span: Some((start, col - gap)),
                    loc: None,
                });
                split = true;
            } else if gap > 0.0 && !cur.is_empty() {
                cur.push(' ');
            }
            if cur.is_empty() {
                start = col;
            }
            gap = 0.0;
            cur.push(ch);
        }
        col += w;
    }
    if !cur.is_empty() {
        cells.push(Cell { text: cur, span: Some((start, col - gap)), loc: None });
    }
    split.then_some(cells)
}

/// Page numbers and running footers that `pdftotext` leaves in tables:
/// "— 3 —", "- 12 -", "第 3 页", "3/6". A bare number is *not* furniture:
/// in raw output it is a cell.
fn is_page_furniture(t: &str) -> bool {
    let s: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    let dashes = |c: char| "-—–－".contains(c);
    let inner = s.trim_matches(dashes);
    let decorated = s.starts_with(dashes)
        && s.ends_with(dashes)
        && !inner.is_empty()
        && inner.len() <= 4
        && inner.chars().all(|c| c.is_ascii_digit());
    let page = s.starts_with('第') && s.ends_with('页') && s.chars().count() <= 8;
    let of = s.split_once('/').is_some_and(|(a, b)| {
        !a.is_empty()
            && !b.is_empty()
            && a.len() <= 3
            && b.len() <= 3
            && (a.to_string() + b).chars().all(|c| c.is_ascii_digit())
    });
    decorated || page || of
}

/// Markdown emphasis around a whole cell (`**一、总体情况**`) is not text.
fn unemphasize(t: &str) -> String {
    for mark in ["**", "__"] {
        if let Some(inner) = t.strip_prefix(mark).and_then(|r| r.strip_suffix(mark)) {
            if !inner.is_empty() {
                return inner.trim().to_string();
            }
        }
    }
    t.to_string()
}

const BOX_BARS: [char; 3] = ['│', '┃', '║'];

/// A rule of a box-drawing table: only line-drawing characters.
fn is_box_rule(t: &str) -> bool {
    t.chars().all(|c| ('\u{2500}'..='\u{257f}').contains(&c) || c == ' ')
        && t.chars().any(|c| !BOX_BARS.contains(&c) && c != ' ')
}

fn is_text_cell(t: &str) -> bool {
    !t.is_empty() && t.chars().any(crate::value::is_cjk)
}

fn is_continuation(t: &str) -> bool {
    let n = t.chars().count();
    n > 0
        && n <= 10
        && is_text_cell(t)
        && !t.starts_with(|c: char| c.is_ascii_digit() || "一二三四五六七八九十（(".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(doc: &TextDoc) -> Vec<Vec<String>> {
        doc.lines.iter().map(|l| l.cells.iter().map(|c| c.text.clone()).collect()).collect()
    }

    /// `pdftotext -layout` gives a CJK glyph one column: the numbers under
    /// 现行有效件数 start at the same column whatever the label's length.
    #[test]
    fn glyph_columns_are_measured_as_the_numbers_line_up() {
        let pdftotext = "   信息内容        本年制发件数            本年废止件数   现行有效件数\n    规章           0                          0\n  行政规范性文件        4                  0       97\n";
        let doc = read(pdftotext);
        assert_eq!(doc.lines[0].cells[3].span, Some((42.0, 48.0)));
        assert_eq!(doc.lines[1].cells[2].span, Some((44.0, 45.0)));
        assert_eq!(doc.lines[2].cells[3].span, Some((44.0, 46.0)));
        // Laid out for a terminal: the same numbers two columns per glyph.
        let terminal = "规章            0    0\n行政规范性文件  4    9\n";
        assert_eq!(read(terminal).lines[1].cells[1].span, Some((16.0, 17.0)));
    }

    #[test]
    fn word_cells_and_continuations() {
        let doc = read("\t信息内容\n\t本年新\n制作数量\n\t对外公开总数量\n\n\t规章\n\t0\n");
        assert_eq!(
            cells(&doc),
            vec![
                vec!["信息内容"],
                vec!["本年新制作数量"],
                vec!["对外公开总数量"],
                vec!["规章"],
                vec!["0"]
            ]
        );
        assert!(doc.lines[2].row_end && !doc.lines[3].row_end);
    }

    #[test]
    fn pipes_tabs_markdown_layout() {
        let doc = read("规章 |\n0 |\n0 | ||\n| 规章 | 1 | 2 |\n|---|---|---|\n规章\t0\t\t3\n规章      12     3\n— 3 —\n-8\n");
        assert_eq!(
            cells(&doc),
            vec![
                vec!["规章"],
                vec!["0"],
                vec!["0"],
                vec!["规章", "1", "2"],
                vec!["规章", "0", "", "3"],
                vec!["规章", "12", "3"],
                vec!["-8"]
            ]
        );
        assert!(!doc.lines[1].row_end && doc.lines[2].row_end);
        assert_eq!(doc.lines[5].cells[1].span, Some((10.0, 12.0)));
    }

    /// w3m's box-drawing tables and html2text's rows without outer bars.
    #[test]
    fn box_tables_and_bare_pipes() {
        let doc = read("┌────┬──┐\n│规章│0 │\n├────┼──┤\n│    │12│\n└────┴──┘\n信息内容 | 本年制发件数\n---|---\n规章 | 0 | 3  \n");
        assert_eq!(
            cells(&doc),
            vec![
                vec!["规章", "0"],
                vec!["", "12"],
                vec!["信息内容", "本年制发件数"],
                vec!["规章", "0", "3"]
            ]
        );
    }
}
