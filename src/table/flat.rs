//! Flattened tables: a web page's table as one run of text, its cells glued
//! (`规章000行政规范性文件0012第二十条第（五）项…`) or joined by single spaces
//! (`规章 0 0 0 行政规范性文件 6 6 6 …`), as scrapers store pages. Such a cell
//! is cut back into lines of cells before the table is read:
//!
//! 1. Lexing: digit runs are cut from text, except where they belong to the
//!    text: a date or a count in a sentence (`2023年`, `128条，`), `第N`, a
//!    bracketed gloss (`保留4位小数`), and a row's own numbering (the `2` of
//!    `00000002.其他法律…` begins the label `2.其他法律…`).
//! 2. Anchors: the template's labels (rows, captions, column and table
//!    headers) cut the text between numbers: the label a row's numbers
//!    follow is the longest label the text ends with, and so on leftwards.
//! 3. Lines: a caption or header starts a line of its own; a label after
//!    numbers starts a new row.
//!
//! A digit run that touches text is glued: the table stage splits it by the
//! column count and the rules. Runs between spaces are single numbers.

use crate::doc::{Cell, Line};
use crate::normalize::{core, fold};
use crate::template::{RowKind, Template};
use crate::value::is_cjk;

/// A cell this long with numbers in it is a flattened table, not a label:
/// the longest template label (2021 （六）2.) has 36 characters.
const FLAT_CELL_CHARS: usize = 48;

/// Count words that make a figure part of a sentence when punctuation, not
/// a space or another cell, follows (`申请0条。`).
const COUNT_WORDS: &str = "件条次个项人笔";
/// Characters after a digit run that make it part of the text: dates,
/// times, house numbers, percentages, ordinals.
const TEXT_AFTER: &str = "年月日号时分秒位楼%％:：";
/// Units a number cell may carry (`984361元`, `2笔`).
const CELL_UNITS: [&str; 9] = ["万元", "元", "笔", "件", "个", "项", "条", "次", "人"];

/// The labels that cut flattened text, folded, longest first.
pub(super) struct Anchors {
    labels: Vec<(String, Role)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// A row label: numbers follow it.
    Row,
    /// A caption or header: a line of its own.
    Head,
}

impl Anchors {
    pub(super) fn new(t: &Template) -> Anchors {
        let mut labels: Vec<(String, Role)> = Vec::new();
        let mut add = |label: &str, role: Role| {
            for form in [fold(label), core(label)] {
                if form.chars().count() >= 2 && !labels.iter().any(|(l, _)| *l == form) {
                    labels.push((form, role));
                }
            }
        };
        for row in &t.rows {
            let role = if row.kind == RowKind::Caption { Role::Head } else { Role::Row };
            row.labels.iter().for_each(|l| add(l, role));
        }
        for col in &t.columns {
            col.labels.iter().for_each(|l| add(l, Role::Head));
        }
        for h in &t.header_cores {
            add(h, Role::Head);
        }
        labels.sort_by(|a, b| b.0.chars().count().cmp(&a.0.chars().count()).then(a.0.cmp(&b.0)));
        Anchors { labels }
    }

    /// The role of a text that is a label as it stands.
    fn role(&self, folded: &str) -> Option<Role> {
        self.labels.iter().find(|(l, _)| l == folded).map(|(_, r)| *r)
    }

    /// The longest label `folded` ends with (`suffix`) or starts with, that
    /// is shorter than it: (label length in folded chars, role).
    fn find(&self, folded: &str, suffix: bool) -> Option<(usize, Role)> {
        let n = folded.chars().count();
        if self.role(folded).is_some() {
            return None;
        }
        self.labels.iter().find_map(|(l, role)| {
            let len = l.chars().count();
            let hit =
                if suffix { folded.ends_with(l.as_str()) } else { folded.starts_with(l.as_str()) };
            (hit && len < n).then_some((len, *role))
        })
    }
}

/// Whether a region holds a flattened table: a long cell with numbers.
pub(super) fn is_flat(lines: &[Line]) -> bool {
    lines.iter().flat_map(|l| &l.cells).any(|c| {
        c.text.chars().count() >= FLAT_CELL_CHARS && c.text.chars().any(|ch| ch.is_ascii_digit())
    })
}

/// The region's lines with every flattened cell cut into lines of cells,
/// and whether any number was glued to text.
pub(super) fn unflatten(lines: &[Line], anchors: &Anchors) -> (Vec<Line>, bool) {
    let mut out = Vec::new();
    let mut glued = false;
    for line in lines {
        let flat = line.cells.iter().any(|c| {
            c.text.chars().count() >= FLAT_CELL_CHARS
                && c.text.chars().any(|ch| ch.is_ascii_digit())
        });
        if !flat {
            out.push(line.clone());
            continue;
        }
        let mut pieces = Vec::new();
        for cell in &line.cells {
            let (p, g) = lex(&cell.text);
            glued |= g;
            pieces.extend(p);
        }
        out.extend(to_lines(&pieces, anchors, line.number));
    }
    (out, glued)
}

#[derive(Clone, Debug, PartialEq)]
enum Piece {
    Text(String),
    Number(String),
}

/// Cuts text into words (at spaces) and digit runs (where they leave the
/// text); whether a run touched text.
fn lex(text: &str) -> (Vec<Piece>, bool) {
    let chars: Vec<char> = text.chars().collect();
    let mut pieces = Vec::new();
    let mut word = String::new();
    let mut glued = false;
    let mut depth = 0i32;
    let flush = |word: &mut String, pieces: &mut Vec<Piece>| {
        if !word.is_empty() {
            pieces.push(Piece::Text(std::mem::take(word)));
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            flush(&mut word, &mut pieces);
            i += 1;
            continue;
        }
        let starts_run = c.is_ascii_digit()
            || (c == '-'
                && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())
                && word.is_empty());
        if !starts_run {
            match c {
                '（' | '(' => depth += 1,
                '）' | ')' => depth = (depth - 1).max(0),
                _ => {}
            }
            word.push(c);
            i += 1;
            continue;
        }
        let mut end = i + 1;
        while end < chars.len()
            && (chars[end].is_ascii_digit()
                || (",.".contains(chars[end])
                    && chars.get(end + 1).is_some_and(|d| d.is_ascii_digit())))
        {
            end += 1;
        }
        let run: String = chars[i..end].iter().collect();
        let next = chars.get(end).copied();
        let after = chars.get(end + 1).copied();
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let ends_sentence = after.is_some_and(|a| !a.is_whitespace() && !a.is_ascii_digit());
        let textual = depth > 0
            || prev == Some('第')
            || next.is_some_and(|n| TEXT_AFTER.contains(n))
            || (next.is_some_and(|n| COUNT_WORDS.contains(n))
                && ends_sentence
                && !is_cjk(after.unwrap_or(' ')))
            || prev.is_some_and(|p| p.is_ascii_alphabetic())
            // Dates and times: 2022-01-10, 08:51 (a year before a dash).
            || (next == Some('-') && end - i == 4)
            || (i >= 2 && "-:：/".contains(chars[i - 1]) && chars[i - 2].is_ascii_digit());
        if textual {
            word.push_str(&run);
            i = end;
            continue;
        }
        // A row's numbering: `…00000002.其他法律…` — the last digit opens the
        // label that follows.
        let numbering = matches!(next, Some('.') | Some('、') | Some('．'))
            && after.is_some_and(|a| is_cjk(a) || "（(“\"".contains(a));
        let (value, label_start) = if numbering {
            let cut = run.len() - 1;
            (&run[..cut], &run[cut..])
        } else {
            (run.as_str(), "")
        };
        if !value.is_empty() {
            flush(&mut word, &mut pieces);
            let unit = CELL_UNITS
                .iter()
                .find(|u| chars[end..].iter().take(u.chars().count()).copied().eq(u.chars()))
                .filter(|_| !numbering);
            let touches = |ch: Option<char>| ch.is_some_and(|ch| !ch.is_whitespace());
            glued |= touches(prev) || (touches(next) && !numbering && unit.is_none());
            let mut v = value.to_string();
            if let Some(u) = unit {
                v.push_str(u);
                end += u.chars().count();
            }
            pieces.push(Piece::Number(v));
        }
        word.push_str(label_start);
        i = end;
    }
    flush(&mut word, &mut pieces);
    (pieces, glued)
}

/// Cuts a text piece at the anchors it holds: labels at its end first, then
/// at its start. Returns the parts with their roles (`None`: not a label).
fn cut_text(text: &str, anchors: &Anchors) -> Vec<(String, Option<Role>)> {
    let mut tail: Vec<(String, Option<Role>)> = Vec::new();
    let mut rest = text.to_string();
    loop {
        let folded = fold(&rest);
        if let Some((len, role)) = anchors.find(&folded, true) {
            let at = split_at_folded(&rest, folded.chars().count() - len);
            tail.push((rest[at..].to_string(), Some(role)));
            rest.truncate(at);
            continue;
        }
        break;
    }
    let mut head: Vec<(String, Option<Role>)> = Vec::new();
    loop {
        let folded = fold(&rest);
        let Some((len, role)) = anchors.find(&folded, false) else {
            break;
        };
        let mut at = split_at_folded(&rest, len);
        // A gloss stays with its label: 本年收费金额（单位：万元）.
        if rest[at..].starts_with(['（', '(']) {
            if let Some(close) = rest[at..].find(['）', ')']) {
                at += close + rest[at + close..].chars().next().map_or(0, char::len_utf8);
            }
        }
        head.push((rest[..at].to_string(), Some(role)));
        rest = rest[at..].to_string();
    }
    if !rest.is_empty() {
        let role = anchors.role(&fold(&rest));
        head.push((rest, role));
    }
    head.extend(tail.into_iter().rev());
    head
}

/// The byte offset in `text` after which `folded_chars` folded characters
/// have passed (characters that fold to nothing, such as spaces and quotes,
/// stay with what precedes them).
fn split_at_folded(text: &str, folded_chars: usize) -> usize {
    let mut seen = 0;
    for (at, ch) in text.char_indices() {
        if seen >= folded_chars && fold(&ch.to_string()).chars().count() > 0 {
            return at;
        }
        seen += fold(&ch.to_string()).chars().count();
    }
    text.len()
}

/// Lines of cells: a caption or header on a line of its own, a new line at
/// a label that follows numbers.
fn to_lines(pieces: &[Piece], anchors: &Anchors, number: usize) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    let mut cells: Vec<String> = Vec::new();
    let mut numbers_seen = false;
    let mut heading = false;
    let end = |cells: &mut Vec<String>, lines: &mut Vec<Line>| {
        if !cells.is_empty() {
            let text = cells.join(" ");
            let cells = std::mem::take(cells)
                .into_iter()
                .map(|text| Cell { text, loc: None, span: None })
                .collect();
            lines.push(Line { number, text, cells, row_end: true });
        }
    };
    for piece in pieces {
        match piece {
            Piece::Number(n) => {
                if heading {
                    end(&mut cells, &mut lines);
                    heading = false;
                }
                cells.push(n.clone());
                numbers_seen = true;
            }
            Piece::Text(t) => {
                for (part, role) in cut_text(t, anchors) {
                    let head = role == Some(Role::Head);
                    if numbers_seen || head != heading {
                        end(&mut cells, &mut lines);
                        numbers_seen = false;
                    }
                    heading = head;
                    cells.push(part);
                }
            }
        }
    }
    end(&mut cells, &mut lines);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::TemplateSet;

    fn lines(text: &str, table: &str) -> (Vec<Vec<String>>, bool) {
        let ts = TemplateSet::builtin().expect("models");
        let t = ts.table("2021", table).expect("table");
        let line = Line {
            number: 1,
            text: text.into(),
            cells: vec![Cell { text: text.into(), loc: None, span: None }],
            row_end: true,
        };
        let (out, glued) = unflatten(&[line], &Anchors::new(t));
        (out.iter().map(|l| l.cells.iter().map(|c| c.text.clone()).collect()).collect(), glued)
    }

    #[test]
    fn glued_rows_are_cut_at_labels_and_numbering() {
        let (got, glued) = lines(
            "第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件0012第二十条第（八）项信息内容本年收费金额（单位：万元）行政事业性收费0",
            "s2",
        );
        assert!(glued);
        assert_eq!(
            got,
            vec![
                vec![
                    "第二十条第（一）项",
                    "信息内容",
                    "本年制发件数",
                    "本年废止件数",
                    "现行有效件数"
                ],
                vec!["规章", "000"],
                vec!["行政规范性文件", "0012"],
                vec!["第二十条第（八）项", "信息内容", "本年收费金额（单位：万元）"],
                vec!["行政事业性收费", "0"],
            ]
        );
        let (got, _) = lines(
            "2023年，共收到政府信息公开申请0条。（三）不予公开1.属于国家秘密00000002.其他法律行政法规禁止公开000000 0（七）总计140000014",
            "s3",
        );
        assert_eq!(
            got,
            vec![
                vec![
                    "2023年，共收到政府信息公开申请0条。",
                    "（三）不予公开",
                    "1.属于国家秘密",
                    "0000000"
                ],
                vec!["2.其他法律行政法规禁止公开", "000000", "0"],
                vec!["（七）总计", "140000014"],
            ]
        );
    }

    #[test]
    fn spaced_rows_keep_their_numbers_apart() {
        let (got, glued) = lines(
            "规章 0 0 0 规范性文件 6 4 11 行政事业性收费 2笔 984361元 信息内容 本年制发件数",
            "s2",
        );
        assert!(!glued);
        assert_eq!(
            got,
            vec![
                vec!["规章", "0", "0", "0"],
                vec!["规范性文件", "6", "4", "11"],
                vec!["行政事业性收费", "2笔", "984361元"],
                vec!["信息内容", "本年制发件数"],
            ]
        );
    }
}
