//! Stage: table reading. Lines of one table region → [`Unit`]s of candidate
//! cell readings, bound to template fields.
//!
//! 1. Tokens: cells classified as text, value, blank, or a label with a glued
//!    digit run; a cell holding several numbers ("0 0 C") gives several.
//! 2. Logical rows: tokens up to a hard row break; a text token after a value
//!    starts a new row, so raw one-cell-per-line text splits at its labels.
//! 3. Alignment: logical rows are aligned to the template's row sequence by
//!    dynamic programming over label similarity. The order is a strong prior:
//!    a row whose label is garbled lands by position when it is the only
//!    candidate between two matched rows; unknown rows are skipped without
//!    shifting the rows after them.
//! 4. Columns: a row's numbers are bound to columns by the header's positions
//!    when the header and the row agree, otherwise in order; a row with fewer
//!    numbers than columns gets every order-preserving placement, a glued
//!    digit run every split, and the rules choose later (`solve`).

mod columns;
mod flat;
mod regroup;

use crate::doc::{Line, Loc};
use crate::findings::{Status, Warning};
use crate::normalize::{core, similarity};
use crate::source::text::display_width;
use crate::template::{ColumnKind, RowKind, Template};
use crate::value::{classify, header_unit, parse_cell, CellValue, TokenClass};

/// A label at least this similar is a match on its own. Empirically chosen:
/// one lost character in a 4-character label still scores 0.75.
const LABEL_MATCH: f32 = 0.6;
/// Header tokens must be closer: they decide column positions.
const HEADER_MATCH: f32 = 0.8;
/// Enumerating more placements or splits than this is pointless: so many
/// readings never narrow to one.
const MAX_CANDIDATES: usize = 5000;
/// Splits of a glued run are enumerated up to this many before the row's own
/// rules prune them (17 digits over 7 columns make 8008).
const MAX_SPLITS: usize = 100_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Blank,
    Value,
    Glued,
    Text,
}

#[derive(Clone, Debug)]
struct Token {
    text: String,
    /// [`core()`] of a text token, computed once: alignment and header lookup
    /// compare it many times.
    core: String,
    kind: Kind,
    loc: Loc,
    /// Reading order of the token's line, for tie-breaks.
    line: usize,
    x: (f32, f32),
    /// `x` is a display column range (layout text), not a cell index.
    layout: bool,
}

#[derive(Clone, Debug, Default)]
struct LRow {
    tokens: Vec<Token>,
}

impl LRow {
    fn texts(&self) -> impl Iterator<Item = &Token> {
        self.tokens.iter().filter(|t| t.kind == Kind::Text)
    }

    /// Value and blank tokens after the last text token.
    fn cells(&self) -> &[Token] {
        let start = self.tokens.iter().rposition(|t| t.kind == Kind::Text).map_or(0, |p| p + 1);
        &self.tokens[start..]
    }

    /// [`Self::cells`] with trailing blanks cut (see [`trim_blanks`]).
    fn values(&self) -> &[Token] {
        trim_blanks(self.cells())
    }

    fn has_values(&self) -> bool {
        self.values().iter().any(|t| t.kind != Kind::Blank)
    }

    fn line(&self) -> usize {
        self.tokens
            .iter()
            .find(|t| t.kind != Kind::Blank)
            .or(self.tokens.first())
            .map_or(0, |t| t.line)
    }
}

/// Cells with the trailing blanks cut, except the cells of a table (markup
/// or a page's grid), where a blank at the end is a column like any other.
fn trim_blanks(cells: &[Token]) -> &[Token] {
    let mut end = cells.len();
    while end > 0
        && cells[end - 1].kind == Kind::Blank
        && !matches!(cells[end - 1].loc, Loc::Cell { .. } | Loc::Box { .. })
    {
        end -= 1;
    }
    &cells[..end]
}

/// How a row's label was matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LabelMatch {
    Exact,
    Fuzzy,
    /// Label unreadable; the row is the only candidate at its position.
    Position,
    /// The table printed its values without row labels (s4's single row).
    Flat,
}

/// One reading of a cell.
#[derive(Clone, Debug, PartialEq)]
pub struct CellRead {
    pub cell: CellValue,
    pub loc: Option<Loc>,
}

impl CellRead {
    fn missing() -> CellRead {
        CellRead {
            cell: CellValue {
                raw: String::new(),
                value: None,
                status: Status::Missing,
                note: None,
            },
            loc: None,
        }
    }
}

/// A group of fields read together (a row, or a whole flat table), with every
/// reading of them that the text allows.
#[derive(Clone, Debug)]
pub struct Unit {
    pub fields: Vec<usize>,
    pub candidates: Vec<Vec<CellRead>>,
    /// The header-positional reading, tried first when it satisfies the rules.
    pub preferred: Option<usize>,
    pub label: LabelMatch,
    pub label_score: f32,
    pub line: usize,
    /// How many readings the text allows before any rule is applied (the
    /// ways to place the row's numbers, or to split its glued run). Above
    /// one, a reading the rules pick is a choice a person should see,
    /// unless it is the header-positional one or every reading gives the
    /// same values.
    pub forms: usize,
    /// A rule has ruled out some reading (`solve` sets it as it narrows).
    pub pruned: bool,
}

/// What was found in one region.
#[derive(Clone, Debug, Default)]
pub struct TableRead {
    pub units: Vec<Unit>,
    /// Template rows with values that were not found, by row index.
    pub missing_rows: Vec<usize>,
    /// Findings of reading (e.g. a row with more numbers than columns).
    pub warnings: Vec<crate::findings::Warning>,
}

fn tokenize(lines: &[Line]) -> Vec<LRow> {
    let mut rows = Vec::new();
    let mut cur = LRow::default();
    let flush = |cur: &mut LRow, rows: &mut Vec<LRow>| {
        if cur.tokens.iter().any(|t| t.kind != Kind::Blank) {
            rows.push(std::mem::take(cur));
        } else {
            cur.tokens.clear();
        }
    };
    let mut idx = 0usize;
    for line in lines {
        if continues_label(line, &cur, rows.last()) {
            let target =
                if cur.has_values() { &mut cur } else { rows.last_mut().unwrap_or(&mut cur) };
            if let Some(tok) = target.tokens.iter_mut().rev().find(|t| t.kind == Kind::Text) {
                for cell in &line.cells {
                    tok.text.push_str(&cell.text);
                }
                tok.core = core(&tok.text);
            }
            continue;
        }
        for cell in &line.cells {
            let (x, layout) = match cell.span {
                Some(span) => (span, true),
                None => ((idx as f32, idx as f32 + 1.0), false),
            };
            idx += 1;
            // The k-th of n pieces of a layout cell's columns.
            let share = |x: (f32, f32), n: usize, k: usize| {
                if layout {
                    let w = (x.1 - x.0) / n as f32;
                    (x.0 + k as f32 * w, x.0 + (k + 1) as f32 * w)
                } else {
                    x
                }
            };
            let tok = |text: &str, kind: Kind, x: (f32, f32)| Token {
                text: text.to_string(),
                core: if kind == Kind::Text { core(text) } else { String::new() },
                kind,
                loc: cell.loc.unwrap_or(Loc::Line(line.number)),
                line: line.number,
                x,
                layout,
            };
            let mut push = |t: Token, cur: &mut LRow| {
                if t.kind == Kind::Text && cur.has_values() {
                    flush(cur, &mut rows);
                }
                cur.tokens.push(t);
            };
            match classify(&cell.text) {
                TokenClass::Blank => push(tok("", Kind::Blank, x), &mut cur),
                TokenClass::Value => push(tok(&cell.text, Kind::Value, x), &mut cur),
                TokenClass::Values(words) => {
                    for (k, word) in words.iter().enumerate() {
                        push(tok(word, Kind::Value, share(x, words.len(), k)), &mut cur);
                    }
                }
                TokenClass::Glued { label, digits } => {
                    push(tok(&label, Kind::Text, x), &mut cur);
                    push(tok(&digits, Kind::Glued, x), &mut cur);
                }
                TokenClass::Labeled { label, values } => {
                    // Layout: the label takes its own display width, the
                    // numbers share the rest of the cell.
                    let at =
                        if layout { (x.0 + display_width(&label) + 1.0).min(x.1) } else { x.0 };
                    push(tok(&label, Kind::Text, if layout { (x.0, at) } else { x }), &mut cur);
                    for (k, word) in values.iter().enumerate() {
                        let sub = if layout { share((at, x.1), values.len(), k) } else { x };
                        push(tok(word, Kind::Value, sub), &mut cur);
                    }
                }
                TokenClass::Text => push(tok(&cell.text, Kind::Text, x), &mut cur),
            }
        }
        if line.row_end {
            flush(&mut cur, &mut rows);
            idx = 0;
        }
    }
    flush(&mut cur, &mut rows);
    rows
}

/// A layout line holding only text, that starts inside the label of the row
/// above (which has its numbers): the rest of a label wrapped in its cell
/// ("5.要求行政机关确认或重新出" / "具已获取信息").
fn continues_label(line: &Line, cur: &LRow, last: Option<&LRow>) -> bool {
    let Some(first) = line.cells.first().and_then(|c| c.span) else {
        return false;
    };
    if line.cells.iter().any(|c| c.span.is_none() || classify(&c.text) != TokenClass::Text) {
        return false;
    }
    // A numbered text starts the next row's label (`1.申请人…` under the
    // wrapped `5.要求…`), however far it is indented.
    if line.cells.first().is_some_and(|c| crate::normalize::is_numbered(&c.text)) {
        return false;
    }
    let prev = if cur.has_values() {
        Some(cur)
    } else if cur.tokens.is_empty() {
        last
    } else {
        None
    };
    let Some(label) = prev.filter(|r| r.has_values()).and_then(|r| r.texts().last()) else {
        return false;
    };
    label.layout
        && first.0 >= label.x.0 - 1.0
        && first.0 < label.x.1
        && line.cells.iter().all(|c| c.span.is_some_and(|s| s.1 <= label.x.1 + 4.0))
}

/// Best similarity of a logical row's labels to one template row. The last
/// text token is the row's own label; earlier ones are usually group labels
/// sharing the line ("三、本年度办理结果 | （一）予以公开"), so they weigh less.
fn row_similarity(cores: &[String], joined: &str, labels: &[String], own_label_only: bool) -> f32 {
    let n = cores.len();
    let mut best = 0f32;
    for (k, c) in cores.iter().enumerate() {
        let weight = match (k + 1 == n, own_label_only) {
            (true, _) => 1.0,
            (false, false) => 0.9,
            // A group that can carry values (2021 （六）) shares its first
            // child's line; there its label is not the row's label.
            (false, true) => 0.0,
        };
        for l in labels {
            best = best.max(weight * similarity(c, l));
        }
    }
    if n > 1 && !own_label_only {
        for l in labels {
            best = best.max(similarity(joined, l));
        }
    }
    best
}

const NEG: f32 = -1e9;

#[derive(Clone, Copy)]
enum Step {
    Match,
    SkipRow,
    SkipTemplate,
}

/// Aligns logical rows to template rows; returns (logical row, template row,
/// similarity, by position).
fn align(rows: &[LRow], t: &Template) -> Vec<(usize, usize, f32, bool)> {
    let cores: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.texts().map(|tk| tk.core.clone()).filter(|c| !c.is_empty()).collect())
        .collect();
    let (n, m) = (rows.len(), t.rows.len());
    let sim: Vec<Vec<f32>> = cores
        .iter()
        .map(|c| {
            let joined = c.concat();
            t.rows
                .iter()
                .map(|r| row_similarity(c, &joined, &r.cores, r.kind == RowKind::Sum))
                .collect()
        })
        .collect();
    // Rows above the table's own column header cannot be its data rows by
    // position (they are another table's, when OCR lost the heading between).
    let first_label = (0..n).find(|&i| {
        rows[i].has_values()
            && (0..m).any(|j| t.rows[j].kind.has_values() && sim[i][j] >= LABEL_MATCH)
    });
    let header = column_header_row(rows, t).filter(|&h| first_label.is_none_or(|f| h < f));
    let score = |i: usize, j: usize| -> f32 {
        let s = sim[i][j];
        let has_values = rows[i].has_values();
        match (t.rows[j].kind.has_values(), has_values) {
            (true, true) if s >= LABEL_MATCH => 1.0 + s,
            // By position only onto a plain data row: a group row printed
            // as one row (2021 （六）) must show its label.
            (true, true) if t.rows[j].kind == RowKind::Data && header.is_none_or(|h| i > h) => 0.1,
            (true, false) if s >= HEADER_MATCH => 0.5 * s,
            (false, false) if s >= 0.7 => 0.5 * s,
            _ => NEG,
        }
    };
    // dp[i][j]: best total for the first i logical rows and first j template
    // rows; step[i][j] says which move got there.
    let mut dp = vec![vec![0f32; m + 1]; n + 1];
    let mut step = vec![vec![Step::SkipTemplate; m + 1]; n + 1];
    for row in step.iter_mut().skip(1) {
        row[0] = Step::SkipRow;
    }
    for i in 1..=n {
        for j in 1..=m {
            let s = score(i - 1, j - 1);
            let diag = if s > 0.0 { dp[i - 1][j - 1] + s } else { NEG };
            let (up, left) = (dp[i - 1][j], dp[i][j - 1]);
            (dp[i][j], step[i][j]) = if diag >= up && diag >= left {
                (diag, Step::Match)
            } else if up >= left {
                (up, Step::SkipRow)
            } else {
                (left, Step::SkipTemplate)
            };
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 && j > 0 {
        match step[i][j] {
            Step::Match => {
                let s = sim[i - 1][j - 1];
                pairs.push((i - 1, j - 1, s, s < LABEL_MATCH && rows[i - 1].has_values()));
                i -= 1;
                j -= 1;
            }
            Step::SkipRow => i -= 1,
            Step::SkipTemplate => j -= 1,
        }
    }
    pairs.reverse();
    keep_sound_positional(pairs, rows, t)
}

/// A by-position match stands only when the value rows between two
/// label-matched rows are exactly as many as the template data rows between
/// their matches (or the region's start or end, on one side): then the order
/// pairs them one to one (OCR garbles runs of labels; the order of the rows
/// survives).
fn keep_sound_positional(
    pairs: Vec<(usize, usize, f32, bool)>,
    rows: &[LRow],
    t: &Template,
) -> Vec<(usize, usize, f32, bool)> {
    let strong: Vec<(usize, usize)> = pairs.iter().filter(|p| !p.3).map(|p| (p.0, p.1)).collect();
    // Before the first label match, the table's own column header (a row
    // without values naming one of its columns) bounds the data rows: what
    // comes above it belongs to something else (another table whose heading
    // OCR lost shares the region).
    let first_strong = strong.first().map_or(rows.len(), |s| s.0);
    let header = column_header_row(rows, t).filter(|&h| h < first_strong);
    pairs
        .iter()
        .copied()
        .filter(|&(i, j, _, positional)| {
            if !positional {
                return true;
            }
            let prev = strong.iter().rev().find(|(si, _)| *si < i).copied();
            let next = strong.iter().find(|(si, _)| *si > i).copied();
            let (pi, pj) = prev.map_or((None, None), |(a, b)| (Some(a), Some(b)));
            let (ni, nj) = next.map_or((None, None), |(a, b)| (Some(a), Some(b)));
            let from = pi.or(header.filter(|&h| h < i)).map_or(0, |p| p + 1);
            // After the last label match, the rows run to the first row
            // without values (a heading or another table's header).
            let to = ni.unwrap_or_else(|| {
                (i..rows.len()).find(|&k| !rows[k].has_values()).unwrap_or(rows.len())
            });
            let value_rows = (from..to).filter(|&k| rows[k].has_values()).count();
            let data_rows = (pj.map_or(0, |p| p + 1)..nj.unwrap_or(t.rows.len()))
                .filter(|&k| t.rows[k].kind == RowKind::Data)
                .count();
            // Before the first or after the last label match, the region's
            // edge is the other bound: the counts still have to agree.
            value_rows == data_rows
                && value_rows >= 1
                && (prev.is_some() || next.is_some())
                && pj.is_none_or(|p| j > p)
        })
        .collect()
}

/// The first row without values that names one of the table's columns. It
/// bounds positional matches only when it comes before the first row whose
/// label matched (a table with sub-tables repeats its headers further down).
fn column_header_row(rows: &[LRow], t: &Template) -> Option<usize> {
    rows.iter().position(|r| {
        !r.has_values()
            && r.texts().any(|tk| {
                let c = core(&tk.text);
                t.columns
                    .iter()
                    .flat_map(|col| &col.cores)
                    .any(|l| similarity(&c, l) >= HEADER_MATCH)
            })
    })
}

/// A column's header cell: where it stands and what it says.
#[derive(Clone, Debug)]
struct HeaderCell {
    x: (f32, f32),
    text: String,
    layout: bool,
}

/// Column → its header cell, from the header rows above row `i`.
fn header_map(
    rows: &[LRow],
    i: usize,
    t: &Template,
    cols: &[usize],
    stop_at: &[usize],
) -> Vec<Option<HeaderCell>> {
    let mut map: Vec<Option<HeaderCell>> = vec![None; cols.len()];
    for k in (0..i).rev() {
        if rows[k].has_values() {
            continue;
        }
        for tok in rows[k].texts() {
            let best = cols
                .iter()
                .enumerate()
                .map(|(slot, &col)| {
                    (
                        slot,
                        t.columns[col]
                            .cores
                            .iter()
                            .map(|l| similarity(&tok.core, l))
                            .fold(0f32, f32::max),
                    )
                })
                .max_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((slot, s)) = best {
                if s >= HEADER_MATCH && map[slot].is_none() {
                    map[slot] =
                        Some(HeaderCell { x: tok.x, text: tok.text.clone(), layout: tok.layout });
                }
            }
        }
        // A caption starts the sub-table: headers above it belong to another.
        if stop_at.contains(&k) {
            break;
        }
    }
    map
}

/// Binds value tokens to columns by the header's positions, if the header
/// gives every column a position, left to right, and every number lands on
/// exactly one column.
fn positional(values: &[&Token], header: &[Option<HeaderCell>]) -> Option<Vec<Option<usize>>> {
    let pos: Vec<((f32, f32), bool)> =
        header.iter().map(|h| h.as_ref().map(|h| (h.x, h.layout))).collect::<Option<_>>()?;
    let centers: Vec<f32> = pos.iter().map(|((a, b), _)| (a + b) / 2.0).collect();
    if centers.windows(2).any(|w| w[0] >= w[1]) {
        return None;
    }
    let mut slots: Vec<Option<usize>> = vec![None; pos.len()];
    for (vi, v) in values.iter().enumerate() {
        let on_column =
            if v.layout { None } else { pos.iter().position(|((a, _), _)| *a == v.x.0) };
        if v.kind == Kind::Blank && on_column.is_none() {
            // An empty cell under a label column (merged label cells).
            continue;
        }
        let slot = if v.layout {
            let c = (v.x.0 + v.x.1) / 2.0;
            let k = centers
                .iter()
                .enumerate()
                .min_by(|a, b| (a.1 - c).abs().total_cmp(&(b.1 - c).abs()))?
                .0;
            let gap = |a: usize, b: usize| (centers[a] - centers[b]).abs() / 2.0;
            let tol = match (k.checked_sub(1), (k + 1 < centers.len()).then_some(k + 1)) {
                (Some(p), Some(n)) => gap(k, p).min(gap(k, n)),
                (Some(p), None) => gap(k, p),
                (None, Some(n)) => gap(k, n),
                (None, None) => f32::MAX,
            };
            ((centers[k] - c).abs() <= tol).then_some(k)?
        } else {
            if pos.iter().any(|(_, layout)| *layout) {
                return None;
            }
            on_column?
        };
        if slots[slot].is_some() {
            return None;
        }
        slots[slot] = Some(vi);
    }
    Some(slots)
}

/// Whether a region's row breaks say nothing: one cell per line with a
/// blank line after nearly every cell (plain `pdftotext`, which prints a
/// table cell by cell, each a paragraph of its own). Then the region is read
/// as one stream of cells that labels split into rows, as raw text is.
/// A paragraph of lines of text alone is one cell wrapped (pdfminer prints
/// a header cell `结果` / `维持` as a paragraph of two lines).
fn is_cell_stream(lines: &[Line]) -> bool {
    let (mut segments, mut single, mut cells) = (0usize, 0usize, 0usize);
    let mut wrapped = true;
    for line in lines {
        let texts: Vec<&str> =
            line.cells.iter().map(|c| c.text.as_str()).filter(|t| !t.is_empty()).collect();
        cells += texts.len();
        wrapped &= texts.len() <= 1 && texts.iter().all(|t| classify(t) == TokenClass::Text);
        if line.row_end {
            segments += 1;
            single += usize::from(cells <= 1 || wrapped);
            (cells, wrapped) = (0, true);
        }
    }
    segments >= 10 && single * 10 >= segments * 8
}

/// Whether the document glues adjacent cells (a web page's text): then a bare
/// digit run is read as several cells, not as one number.
pub fn is_glued(lines: &[Line]) -> bool {
    lines
        .iter()
        .flat_map(|l| &l.cells)
        .filter(|c| matches!(classify(&c.text), TokenClass::Glued { .. }))
        .count()
        >= 3
}

/// Reads one table region against a template.
pub fn read_table(lines: &[Line], t: &Template, glued: bool) -> TableRead {
    let unflattened;
    let flattened = flat::is_flat(lines);
    let (lines, glued) = if flattened {
        let (cut, touched) = flat::unflatten(lines, &flat::Anchors::new(t));
        unflattened = cut;
        (&unflattened[..], glued || touched)
    } else {
        (lines, glued)
    };
    let streamed;
    let lines = if is_cell_stream(lines) {
        streamed = lines.iter().map(|l| Line { row_end: false, ..l.clone() }).collect::<Vec<_>>();
        &streamed[..]
    } else {
        lines
    };
    let mut rows = tokenize(lines);
    if glued {
        for tok in rows.iter_mut().flat_map(|r| r.tokens.iter_mut()) {
            if tok.kind == Kind::Value
                && tok.text.len() > 1
                && tok.text.chars().all(|c| c.is_ascii_digit())
            {
                tok.kind = Kind::Glued;
            }
        }
    }
    let mut out = TableRead::default();
    if t.flat {
        if let Some(unit) = flat_unit(&rows, t, flattened) {
            out.units.push(unit);
            return out;
        }
    }
    let rows = regroup::regroup(columns::transpose(rows, t, &mut out.warnings), t);
    if regroup::labels_detached(&rows, t) {
        out.warnings.push(crate::findings::Warning::new(
            "table-scrambled",
            format!(
                "{}: most row labels stand apart from the numbers (a table printed column by column?); no number is attributed to a row",
                t.table
            ),
        ));
        out.missing_rows = data_rows(t);
        return out;
    }
    let pairs = align(&rows, t);
    if tracing::enabled!(target: "xxgk::table", tracing::Level::DEBUG) {
        for (i, r) in rows.iter().enumerate() {
            let m = pairs.iter().find(|p| p.0 == i).map(|p| {
                format!("{} {:.2}{}", t.rows[p.1].key, p.2, if p.3 { " (pos)" } else { "" })
            });
            tracing::debug!(
                target: "xxgk::table",
                "{}: {:?} -> {:?}",
                t.table,
                r.tokens.iter().map(|t| format!("{}@{}", t.text, t.x.0)).collect::<Vec<_>>(),
                m
            );
        }
    }
    let captions: Vec<usize> =
        pairs.iter().filter(|p| t.rows[p.1].kind == RowKind::Caption).map(|p| p.0).collect();
    for &(i, j, s, by_position) in &pairs {
        let row = &t.rows[j];
        if !row.kind.has_values() {
            continue;
        }
        if !by_position && numbers_follow_a_header(&rows[i], j, t) {
            out.warnings.push(crate::findings::Warning::new(
                "row-unsure",
                format!(
                    "{}.{}: its numbers follow a caption or column header, not its label (a label printed after its numbers?); left null",
                    t.table, row.key
                ),
            ));
            continue;
        }
        let header = header_map(&rows, i, t, &row.columns, &captions);
        let fields: Vec<usize> = (0..row.columns.len()).map(|k| row.first_field + k).collect();
        let spec = RowSpec {
            kinds: row.columns.iter().map(|&c| t.columns[c].kind).collect(),
            units: header.iter().map(|h| h.as_ref().and_then(|h| header_unit(&h.text))).collect(),
            checks: local_checks(t, &fields),
            header,
            runs: flattened,
        };
        let (candidates, preferred, forms) = row_candidates(rows[i].cells(), &spec);
        let candidates_len = candidates.len();
        if let [only] = &candidates[..] {
            out.warnings.extend(split_in_a_box(&rows[i], only, &fields, t));
        }
        let numbers = rows[i].values().iter().filter(|v| v.kind != Kind::Blank).count();
        if numbers > fields.len()
            && candidates.iter().all(|c| c.iter().all(|r| r.cell.value.is_none()))
        {
            let scope = format!("{}.{}", t.table, row.key);
            out.warnings.push(crate::findings::Warning::scoped("extra-numbers", &scope, format!("{scope}: {numbers} numbers for {} columns (a subtotal column or a merged row?); left null", fields.len())));
        }
        let label = if by_position {
            LabelMatch::Position
        } else if s >= 0.999 {
            LabelMatch::Exact
        } else {
            LabelMatch::Fuzzy
        };
        out.units.push(Unit {
            fields,
            candidates,
            preferred,
            label,
            label_score: s,
            line: rows[i].line(),
            pruned: forms > candidates_len,
            forms,
        });
    }
    let found: Vec<usize> = pairs.iter().map(|p| p.1).collect();
    out.missing_rows = data_rows(t).into_iter().filter(|j| !found.contains(j)).collect();
    out
}

/// Whether the text right before a row's numbers is a caption or a column
/// header rather than the row's label: plain pdftotext prints a label after
/// its numbers (`5 0 行政事业性收费 第二十条第（九）项 … 采购总金额 31 317.39`),
/// and the numbers after the headers are the next row's.
fn numbers_follow_a_header(row: &LRow, j: usize, t: &Template) -> bool {
    let Some(last) = row.texts().last() else {
        return false;
    };
    let is_own = t.rows[j].cores.iter().any(|l| similarity(&last.core, l) >= LABEL_MATCH);
    let heading = t
        .rows
        .iter()
        .filter(|r| r.kind == RowKind::Caption)
        .flat_map(|r| &r.cores)
        .chain(t.columns.iter().flat_map(|c| &c.cores))
        .any(|l| similarity(&last.core, l) >= HEADER_MATCH);
    heading && !is_own && row.has_values()
}

fn data_rows(t: &Template) -> Vec<usize> {
    (0..t.rows.len()).filter(|j| t.rows[*j].kind == RowKind::Data).collect()
}

/// A table printed as one run of numbers without row labels (s4): the run
/// fills the fields in row-major order.
fn flat_unit(rows: &[LRow], t: &Template, flattened: bool) -> Option<Unit> {
    let widest = t.rows.iter().map(|r| r.columns.len()).max().unwrap_or(0);
    let (i, row) = rows.iter().enumerate().max_by_key(|(_, r)| {
        (r.values().iter().filter(|v| v.kind != Kind::Blank).count(), usize::MAX - r.line())
    })?;
    let holds_the_table = |row: &LRow| {
        let values = row.values();
        let count = values.iter().filter(|v| v.kind != Kind::Blank).count();
        let glued_run =
            count == 1 && values.iter().any(|v| is_digit_run(v) && v.text.len() > widest);
        // A table's row of one cell per field, however many are blank.
        let one_cell_per_field = values.len() == t.fields.len()
            && values.iter().all(|v| matches!(v.loc, Loc::Cell { .. } | Loc::Box { .. }));
        count > widest || glued_run || one_cell_per_field
    };
    // No one row holds the table: its numbers gathered from the region,
    // placed by their headers where each names its column, else as printed.
    let gathered = match header_placed_run(rows, t) {
        Some(run) => Some(run),
        None if !holds_the_table(row) => Some(gather_values(rows, t.fields.len())?),
        None => None,
    };
    let (i, row) = match &gathered {
        Some(run) => (rows.iter().position(|r| r.has_values())?, run),
        None => (i, row),
    };
    let count = row.values().iter().filter(|v| v.kind != Kind::Blank).count();
    let fields: Vec<usize> = (0..t.fields.len()).collect();
    let spec = RowSpec {
        kinds: t.fields.iter().map(|f| t.columns[f.column].kind).collect(),
        units: vec![None; fields.len()],
        header: vec![None; fields.len()],
        checks: local_checks(t, &fields),
        runs: flattened,
    };
    let (mut candidates, mut preferred, mut forms) = row_candidates(row.cells(), &spec);
    // One reading, every cell filled: the run may as well be the table
    // printed column by column (pdfminer prints a grid so). Both orders are
    // readings; the row order is taken when the rules hold with it.
    if let Some(order) = column_major(t).filter(|_| candidates.len() == 1 && count == fields.len())
    {
        let down: Vec<CellRead> = order.iter().map(|&k| candidates[0][k].clone()).collect();
        if down.iter().zip(&candidates[0]).any(|(a, b)| a.cell.value != b.cell.value) {
            candidates.push(down);
            preferred = Some(0);
            forms = forms.max(2);
        }
    }
    if gathered.is_some() {
        // Numbers gathered from the region are a reading only where the
        // table's rules hold with it, never values kept from a failed one.
        let holds = |c: &Vec<CellRead>| {
            !breaks_rule(&c.iter().map(|r| r.cell.value).collect::<Vec<_>>(), &spec.checks)
        };
        preferred = preferred.filter(|&k| holds(&candidates[k])).map(|_| 0);
        candidates.retain(holds);
        if candidates.is_empty() {
            return None;
        }
    }
    let candidates_len = candidates.len();
    Some(Unit {
        fields,
        candidates,
        preferred,
        label: LabelMatch::Flat,
        label_score: 1.0,
        line: rows[i].line(),
        pruned: forms > candidates_len,
        forms,
    })
}

/// The numbers of a table printed one by one with a header before each
/// (pdfminer prints 表四 so: `结 果 维 持 2 结 果 纠 正 0 …`), placed by those
/// headers: when every number's row holds that one number, the region holds
/// one number per field, and the text before each ends with one column's
/// header, each number goes to the first field of its column still free
/// (pdfminer may print a group's 总计 after the next group's cells).
fn header_placed_run(rows: &[LRow], t: &Template) -> Option<LRow> {
    let numbered: Vec<&LRow> = rows.iter().filter(|r| !r.values().is_empty()).collect();
    let single =
        numbered.iter().all(|r| r.values().len() == 1 && r.values()[0].kind == Kind::Value);
    if !single || numbered.len() != t.fields.len() || numbered.len() < 2 {
        return None;
    }
    let column_of = |r: &LRow| {
        let before: String = r.texts().map(|x| x.core.as_str()).collect();
        let named: Vec<usize> = (0..t.columns.len())
            .filter(|&c| {
                t.columns[c].cores.iter().any(|h| !h.is_empty() && before.ends_with(h.as_str()))
            })
            .collect();
        (named.len() == 1).then(|| named[0])
    };
    let mut slots: Vec<Option<Token>> = vec![None; t.fields.len()];
    for r in &numbered {
        let c = column_of(r)?;
        let f = (0..t.fields.len()).find(|&f| t.fields[f].column == c && slots[f].is_none())?;
        slots[f] = Some(r.values()[0].clone());
    }
    Some(LRow { tokens: slots.into_iter().flatten().collect() })
}

/// Every number of a region, when there are exactly as many as the table
/// has fields and no blanks among them: plain `pdftotext` prints 表四's
/// vertical header characters between its groups of numbers
/// (`2 0 0 1 3 结 果 维 持 … 0 0 0 0 0 复议后起诉 … 1 0 0 0 1`), so no
/// single row holds the run. Read as one run, row by row or column by
/// column, and the rules choose.
fn gather_values(rows: &[LRow], n: usize) -> Option<LRow> {
    let tokens: Vec<Token> = rows.iter().flat_map(|r| r.values()).cloned().collect();
    (tokens.len() == n && tokens.iter().all(|v| v.kind == Kind::Value)).then_some(LRow { tokens })
}

/// For a table whose data rows tile its fields with equal widths and one
/// column kind: field → the position of its number when the table is
/// printed column by column.
fn column_major(t: &Template) -> Option<Vec<usize>> {
    let rows: Vec<_> = t.rows.iter().filter(|r| r.kind == RowKind::Data).collect();
    let width = rows.first()?.columns.len();
    let tiled = rows
        .iter()
        .enumerate()
        .all(|(i, r)| r.columns.len() == width && r.first_field == i * width)
        && rows.len() * width == t.fields.len();
    let kind = t.columns[t.fields.first()?.column].kind;
    if !tiled || rows.len() < 2 || t.fields.iter().any(|f| t.columns[f.column].kind != kind) {
        return None;
    }
    Some((0..t.fields.len()).map(|f| (f % width) * rows.len() + f / width).collect())
}

fn is_digit_run(t: &Token) -> bool {
    t.kind == Kind::Glued
        || (t.kind == Kind::Value
            && t.text.len() > 1
            && t.text.starts_with('0')
            && t.text.chars().all(|c| c.is_ascii_digit()))
}

/// What reading a row needs to know about its columns.
struct RowSpec {
    kinds: Vec<ColumnKind>,
    /// Unit stated in each column's header.
    units: Vec<Option<crate::value::Unit>>,
    header: Vec<Option<HeaderCell>>,
    /// Rules lying wholly inside the row, as (lhs, rhs) column slots: they
    /// prune glued-run splits as they are made.
    checks: Vec<(Vec<usize>, Vec<usize>)>,
    /// The row comes from a flattened table (table/flat.rs): its numbers
    /// are runs cut from one text, a space between some, and each run may
    /// hold several cells. Elsewhere only a lone run is split: separate
    /// cells (a PDF's, a tab export's) are one number each.
    runs: bool,
}

/// The template's rule instances whose operands are all in `fields`, in
/// slots of `fields`.
fn local_checks(t: &Template, fields: &[usize]) -> Vec<(Vec<usize>, Vec<usize>)> {
    let slot = |f: &usize| fields.iter().position(|x| x == f);
    t.checks
        .iter()
        .filter_map(|c| {
            Some((
                c.lhs.iter().map(slot).collect::<Option<Vec<_>>>()?,
                c.rhs.iter().map(slot).collect::<Option<Vec<_>>>()?,
            ))
        })
        .collect()
}

/// Whether a complete split breaks one of the row's own rules.
fn breaks_local_rule(parts: &[&str], checks: &[(Vec<usize>, Vec<usize>)]) -> bool {
    let values: Vec<Option<crate::decimal::Dec>> =
        parts.iter().map(|p| crate::decimal::Dec::parse(p)).collect();
    breaks_rule(&values, checks)
}

/// Whether some rule of `checks` with all its operands present fails.
fn breaks_rule(
    values: &[Option<crate::decimal::Dec>],
    checks: &[(Vec<usize>, Vec<usize>)],
) -> bool {
    checks.iter().any(|(l, r)| {
        let side = |s: &[usize]| {
            s.iter().map(|&k| values[k]).collect::<Option<Vec<_>>>().map(crate::decimal::Dec::sum)
        };
        matches!((side(l), side(r)), (Some(a), Some(b)) if a != b)
    })
}

/// The note of a value cut from a glued run of digits.
const GLUED_NOTE: &str = "split from the glued digits";

/// A cell of a grid (a PDF's or a scan's) holds one number. A run of digits
/// in one box that fills several columns means the box's boundaries were
/// lost or OCR ran its neighbours together (a scan's "1 0 18" read "11 00"
/// and cut as 11, 0, 0): the cut is unique to the digits, not to the page,
/// so each value it gives is for review.
fn split_in_a_box(
    row: &LRow,
    reading: &[CellRead],
    fields: &[usize],
    t: &Template,
) -> Vec<Warning> {
    let boxed = row.values().iter().any(|v| matches!(v.loc, Loc::Box { .. }) && !v.layout);
    let cut = |c: &CellRead| {
        c.cell.value.is_some() && c.cell.note.as_deref().is_some_and(|n| n.starts_with(GLUED_NOTE))
    };
    if !boxed || !reading.iter().any(cut) {
        return Vec::new();
    }
    let shown: Vec<String> = reading
        .iter()
        .map(|c| c.cell.value.map_or_else(|| "(blank)".to_string(), |v| v.to_string()))
        .collect();
    reading
        .iter()
        .zip(fields)
        .filter(|(c, _)| cut(c))
        .map(|(c, &f)| {
            let id = &t.fields[f].id;
            Warning::field(
                "split-cell",
                id,
                c.loc,
                format!("{id}: one box read as the digits {:?}, cut into one number per column as {}; the box does not show the cut", c.cell.raw, shown.join(" | ")),
            )
        })
        .collect()
}

/// Every reading of a row's value tokens over the row's columns.
/// Also returns the header-positional reading's index and how many
/// readings the text allows before the row's rules prune them.
fn row_candidates(cells: &[Token], spec: &RowSpec) -> (Vec<Vec<CellRead>>, Option<usize>, usize) {
    let values = trim_blanks(cells);
    let (kinds, units, header) = (&spec.kinds, &spec.units, &spec.header);
    let n = kinds.len();
    let read = |tok: &Token, k: usize| CellRead {
        cell: parse_cell(&tok.text, kinds[k], units[k]),
        loc: Some(tok.loc),
    };
    let blank = |tok: &Token| CellRead {
        cell: parse_cell("", ColumnKind::Count, None),
        loc: Some(tok.loc),
    };
    let present: Vec<&Token> = values.iter().filter(|v| v.kind != Kind::Blank).collect();
    let mut candidates: Vec<Vec<CellRead>> = Vec::new();
    let mut preferred = None;

    // Glued digit runs (a web page's cells without separators, a stray
    // space left between some): every way to cut each run into numbers, one
    // per column.
    let lone_run = present.len() == 1 && is_digit_run(present[0]);
    let glued_row = n > 1
        && (lone_run
            || (spec.runs
                && present.len() < n
                && present.iter().any(|t| is_digit_run(t))
                && present
                    .iter()
                    .all(|t| is_digit_run(t) || t.text.bytes().all(|b| b.is_ascii_digit()))));
    if glued_row {
        let raw: String = present.iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join(" ");
        let last = present[present.len() - 1].text.as_str();
        let (tail, unit) = ["万元", "元"]
            .iter()
            .find_map(|u| last.strip_suffix(u).map(|d| (d, *u)))
            .unwrap_or((last, ""));
        let mut runs: Vec<&str> =
            present[..present.len() - 1].iter().map(|t| t.text.as_str()).collect();
        runs.push(tail);
        let (found, forms) = splits(&runs, kinds, &|parts| !breaks_local_rule(parts, &spec.checks));
        for mut split in found {
            if let Some(last) = split.last_mut() {
                last.push_str(unit);
            }
            candidates.push(
                split
                    .iter()
                    .enumerate()
                    .map(|(k, part)| {
                        let mut c = read(present[0], k);
                        c.cell = parse_cell(part, kinds[k], units[k]);
                        c.cell.raw = raw.clone();
                        if c.cell.value.is_some() {
                            c.cell.status = Status::Normalized;
                            c.cell.note = Some(format!("{GLUED_NOTE} {raw}"));
                        }
                        c
                    })
                    .collect(),
            );
        }
        if candidates.is_empty() {
            candidates.push((0..n).map(|_| CellRead::missing()).collect());
        }
        return (candidates, None, forms);
    }
    // Header positions: blanks are real cells (trailing ones too), holes
    // are cells the export lost.
    let in_row: Vec<&Token> = values.iter().collect();
    let all_cells: Vec<&Token> = cells.iter().collect();
    if let Some(slots) = positional(&all_cells, header) {
        let cand: Vec<CellRead> = slots
            .iter()
            .enumerate()
            .map(|(k, s)| {
                s.map_or_else(CellRead::missing, |vi| {
                    if all_cells[vi].kind == Kind::Blank {
                        blank(all_cells[vi])
                    } else {
                        read(all_cells[vi], k)
                    }
                })
            })
            .collect();
        // Positions by display column (layout text) stand on their own; by
        // cell index they hold only for a row with a cell for every column:
        // one lost separator shifts every index after it.
        let trusted = all_cells.iter().all(|t| t.layout) || slots.iter().all(Option::is_some);
        if cand.iter().any(|c| c.cell.value.is_some()) || present.is_empty() {
            preferred = trusted.then_some(0);
            candidates.push(cand);
        }
    }
    // A row of a ruled grid (a scan's, a PDF's), one cell per column: the
    // rules fix each number's column, and a blank or unread cell is a hole,
    // not a sign of numbers shifted. Other ways to place the numbers could
    // only make a misread digit fit the rules in the wrong columns.
    let ruled =
        in_row.len() == n && in_row.iter().all(|t| matches!(t.loc, Loc::Box { .. }) && !t.layout);
    // Explicit cells, one per column: blanks are where they stand.
    if in_row.len() == n && (present.len() < n || ruled) {
        let cand: Vec<CellRead> = in_row
            .iter()
            .enumerate()
            .map(|(k, tok)| if tok.kind == Kind::Blank { blank(tok) } else { read(tok, k) })
            .collect();
        if !candidates.contains(&cand) {
            preferred = preferred.or(Some(candidates.len()));
            candidates.push(cand);
        }
    }
    if present.len() <= n && !ruled {
        for placement in placements(n, present.len()) {
            let mut cand: Vec<CellRead> = (0..n).map(|_| CellRead::missing()).collect();
            for (vi, &k) in placement.iter().enumerate() {
                cand[k] = read(present[vi], k);
            }
            if !candidates.contains(&cand) {
                candidates.push(cand);
            }
        }
    }
    if candidates.is_empty() {
        candidates.push((0..n).map(|_| CellRead::missing()).collect());
    }
    let forms = candidates.len();
    (candidates, preferred, forms)
}

/// Order-preserving ways to put `k` values into `n` columns (at most
/// [`MAX_CANDIDATES`]).
fn placements(n: usize, k: usize) -> Vec<Vec<usize>> {
    fn go(n: usize, k: usize, from: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if out.len() > MAX_CANDIDATES {
            return;
        }
        if cur.len() == k {
            out.push(cur.clone());
            return;
        }
        for c in from..n {
            if n - c < k - cur.len() {
                break;
            }
            cur.push(c);
            go(n, k, c + 1, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    go(n, k, 0, &mut Vec::new(), &mut out);
    if out.len() > MAX_CANDIDATES {
        out.clear();
    }
    out
}

/// Ways to cut a glued run into one number per column: no leading zeros
/// (a lone 0 is fine), a sign only in a signed column, a decimal point only
/// in an amount column. `keep` sees each split's parts and decides; only
/// kept splits are returned, at most [`MAX_CANDIDATES`] of them after at
/// most [`MAX_SPLITS`] tried.
/// Also returns how many splits were well-formed before `keep` judged them.
fn splits(
    runs: &[&str],
    kinds: &[ColumnKind],
    keep: &dyn Fn(&[&str]) -> bool,
) -> (Vec<Vec<String>>, usize) {
    fn valid(part: &str, kind: ColumnKind) -> bool {
        let body = match kind {
            ColumnKind::Signed => part.strip_prefix('-').unwrap_or(part),
            _ => part,
        };
        let (int, frac) = match body.split_once('.') {
            Some((i, f)) if kind == ColumnKind::Amount => (i, Some(f)),
            Some(_) => return false,
            None => (body, None),
        };
        !int.is_empty()
            && int.bytes().all(|c| c.is_ascii_digit())
            && (int == "0" || !int.starts_with('0'))
            && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|c| c.is_ascii_digit()))
    }
    struct Walk<'a> {
        run: &'a str,
        /// Where one run ends and the next begins: a cut is forced there.
        bounds: Vec<usize>,
        kinds: &'a [ColumnKind],
        keep: &'a dyn Fn(&[&str]) -> bool,
        parts: Vec<&'a str>,
        tried: usize,
        out: Vec<Vec<String>>,
    }
    fn go(w: &mut Walk, at: usize) {
        if w.tried > MAX_SPLITS || w.out.len() > MAX_CANDIDATES {
            return;
        }
        let k = w.parts.len();
        let rest = &w.run[at..];
        if k == w.kinds.len() {
            if rest.is_empty() {
                w.tried += 1;
                if (w.keep)(&w.parts) {
                    w.out.push(w.parts.iter().map(|p| p.to_string()).collect());
                }
            }
            return;
        }
        let left = w.kinds.len() - k - 1;
        let bound = w.bounds.iter().find(|&&b| b > at).map_or(w.run.len(), |&b| b);
        for len in 1..=rest.len().saturating_sub(left).min(bound - at) {
            let part = &rest[..len];
            if valid(part, w.kinds[k]) {
                w.parts.push(&w.run[at..at + len]);
                go(w, at + len);
                w.parts.pop();
            }
        }
    }
    if !runs.iter().all(|r| r.is_ascii() && !r.is_empty()) {
        return (Vec::new(), 0);
    }
    let run = runs.concat();
    let bounds = runs
        .iter()
        .scan(0, |end, r| {
            *end += r.len();
            Some(*end)
        })
        .collect();
    let mut w = Walk {
        run: &run,
        bounds,
        kinds,
        keep,
        parts: Vec::with_capacity(kinds.len()),
        tried: 0,
        out: Vec::new(),
    };
    go(&mut w, 0);
    if w.tried > MAX_SPLITS || w.out.len() > MAX_CANDIDATES {
        w.out.clear();
    }
    (w.out, w.tried)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_respect_leading_zeros_and_kinds() {
        use ColumnKind::*;
        let all = |_: &[&str]| true;
        assert_eq!(splits(&["000"], &[Count, Count, Count], &all).0, vec![vec!["0", "0", "0"]]);
        assert_eq!(splits(&["6233440"], &[Count, Count, Count], &all).0.len(), 15);
        assert_eq!(splits(&["10-8"], &[Count, Signed], &all).0, vec![vec!["10", "-8"]]);
        assert_eq!(
            splits(&["115.8952"], &[Count, Amount], &all).0,
            vec![vec!["1", "15.8952"], vec!["11", "5.8952"]]
        );
        // A row rule prunes as the splits are made: 2 + 1 = 3.
        let sums = |p: &[&str]| {
            p[0].parse::<u32>().unwrap() + p[1].parse::<u32>().unwrap()
                == p[2].parse::<u32>().unwrap()
        };
        // Six splits are well-formed; the rule keeps one.
        assert_eq!(
            splits(&["12315"], &[Count, Count, Count], &sums),
            (vec![vec!["12".to_string(), "3".into(), "15".into()]], 6)
        );
        // A stray space between runs is a cut: no part spans it.
        assert_eq!(
            splits(&["1400", "14"], &[Count, Count, Count, Count], &all).0,
            vec![
                vec!["1", "40", "0", "14"],
                vec!["1", "400", "1", "4"],
                vec!["14", "0", "0", "14"],
                vec!["140", "0", "1", "4"]
            ]
        );
    }

    /// 表四 as pdfminer.six's `pdf2txt.py` prints a Chromium PDF
    /// (../shared/eval/e2 r2027-0000, pdf-chrome): every cell a paragraph,
    /// the two-line header cells (`结果` / `维持`) too, then the fifteen
    /// numbers. The header paragraphs do not make it a table of rows.
    #[test]
    fn pdfminer_paragraphs_of_wrapped_headers_are_a_cell_stream() {
        let mut text = "⾏政复议\n\n⾏政诉讼\n\n".to_string();
        for group in ["", "未经复议直接起诉\n\n复议后起诉\n\n", ""] {
            text += group;
            text += "结果\n维持\n\n结果\n纠正\n\n其他\n结果\n\n尚未\n审结\n\n总计\n\n";
        }
        for n in ["2", "0", "0", "1", "3", "0", "0", "0", "0", "0", "1", "0", "0", "0", "1"] {
            text += &format!("{n}\n\n");
        }
        assert!(is_cell_stream(&crate::source::text::read(&text).lines));
        assert_eq!(
            first_reading_of_s4(&text, "2021"),
            ["2", "0", "0", "1", "3", "0", "0", "0", "0", "0", "1", "0", "0", "0", "1"]
        );
    }

    /// The raw texts of the first reading of 表四 read from `text`, which
    /// must give one unit.
    fn first_reading_of_s4(text: &str, edition: &str) -> Vec<String> {
        let lines = crate::source::text::read(text).lines;
        let ts = crate::template::TemplateSet::builtin().expect("models");
        let read = read_table(&lines, ts.table(edition, "s4").expect("s4"), false);
        let [unit] = &read.units[..] else { panic!("{:?}", read.units.len()) };
        unit.candidates[0].iter().map(|c| c.cell.raw.clone()).collect()
    }

    /// 表四 as pdfminer prints a LibreOffice PDF (../shared/eval/e2
    /// r2027-0000, pdf-lo): one character a line, each number after its
    /// header, and 未经复议直接起诉's 总计 after the next group's cells. Each
    /// number goes to its header's column, the groups filled in order.
    #[test]
    fn pdfminer_numbers_after_their_headers_go_to_their_columns() {
        let printed = "行政复议 行政诉讼 结 果 维 持 2 结 果 纠 正 0 其 他 结 果 0 尚 未 审 结 1 \
                       未经复议直接起诉 复议后起诉 总 计 3 结 果 维 持 0 结 果 纠 正 0 其 他 结 果 0 \
                       尚 未 审 结 0 结 果 维 持 1 结 果 纠 正 0 其 他 结 果 0 尚 未 审 结 0 总 计 0 \
                       总 计 1";
        let text: String = printed.split(' ').map(|w| format!("{w}\n\n")).collect();
        assert_eq!(
            first_reading_of_s4(&text, "2019"),
            ["2", "0", "0", "1", "3", "0", "0", "0", "0", "0", "1", "0", "0", "0", "1"]
        );
    }

    #[test]
    fn placements_are_order_preserving() {
        assert_eq!(placements(3, 2), vec![vec![0, 1], vec![0, 2], vec![1, 2]]);
        assert_eq!(placements(7, 6).len(), 7);
        assert_eq!(placements(15, 15).len(), 1);
    }

    /// A row with an unread cell: from a ruled grid (cells with boxes) the
    /// numbers stay in their columns; from a text export they may have
    /// lost a cell anywhere, so every order-preserving placement is kept.
    #[test]
    fn ruled_rows_keep_their_columns() {
        use crate::doc::Cell;
        let ts = crate::template::TemplateSet::builtin().unwrap();
        let t = ts.table("2021", "s3").unwrap();
        let texts = ["（一）予以公开", "2", "", "0", "5", "1", "0", "3"];
        let line = |boxed: bool| Line {
            number: 1,
            text: texts.join(" "),
            cells: texts
                .iter()
                .enumerate()
                .map(|(k, x)| Cell {
                    text: x.to_string(),
                    span: None,
                    loc: boxed.then_some(Loc::Box {
                        page: 1,
                        x0: k as f32 * 40.0,
                        y0: 0.0,
                        x1: k as f32 * 40.0 + 40.0,
                        y1: 20.0,
                    }),
                })
                .collect(),
            row_end: true,
        };
        let granted = |boxed: bool| {
            read_table(&[line(boxed)], t, false)
                .units
                .into_iter()
                .find(|u| u.label != LabelMatch::Flat)
                .expect("a row")
        };
        let ruled = granted(true);
        assert_eq!(ruled.candidates.len(), 1);
        let read: Vec<String> = ruled.candidates[0].iter().map(|c| c.cell.raw.clone()).collect();
        assert_eq!(read, ["2", "", "0", "5", "1", "0", "3"]);
        assert!(granted(false).candidates.len() > 1);
    }

    /// `pdftotext -layout` wraps labels around their numbers; a numbered
    /// line under a wrapped label starts the next row's label, however far
    /// it is indented.
    #[test]
    fn numbered_lines_start_a_label() {
        let ts = crate::template::TemplateSet::builtin().unwrap();
        let t = ts.table("2021", "s3").unwrap();
        let text = "              ５．要求行政机关确认或重新出具已获取\n                                              ０     ０        ０         ０       ０       ０     ０\n                       信息\n              １．申请人无正当理由逾期不补正、行政\n                                              ２     ０        ０         ０       ０       ０     ２\n                机关不再处理其政府信息公开申请\n";
        let doc = crate::source::text::read(text);
        let read = read_table(&doc.lines, t, false);
        let row = |key: &str| t.rows.iter().find(|r| r.key == key).expect("row").first_field;
        let first_raw = |key: &str| {
            let u = read.units.iter().find(|u| u.fields[0] == row(key)).expect("unit");
            u.candidates[0][0].cell.raw.clone()
        };
        assert_eq!(first_raw("rejected.confirm"), "０");
        assert_eq!(first_raw("other.no_correction"), "２");
    }

    /// pdfminer prints 表四 column by column: both orders are readings, the
    /// row order first.
    #[test]
    fn a_flat_grid_is_read_in_both_orders() {
        let ts = crate::template::TemplateSet::builtin().unwrap();
        let t = ts.table("2021", "s4").unwrap();
        let text = "2\n\n1\n\n1\n\n0\n\n0\n\n0\n\n0\n\n0\n\n0\n\n0\n\n0\n\n0\n\n2\n\n1\n\n1\n";
        let doc = crate::source::text::read(text);
        let read = read_table(&doc.lines, t, false);
        let unit = read.units.iter().find(|u| u.label == LabelMatch::Flat).expect("flat unit");
        let values = |k: usize| -> Vec<String> {
            unit.candidates[k].iter().map(|c| c.cell.raw.clone()).collect()
        };
        assert_eq!(unit.preferred, Some(0));
        assert_eq!(values(0)[..5], ["2", "1", "1", "0", "0"]);
        assert_eq!(values(1)[..5], ["2", "0", "0", "0", "2"]);
        assert_eq!(values(1)[5..10], ["1", "0", "0", "0", "1"]);
    }
}
