//! Rows whose labels and numbers the converter moved apart. Plain
//! `pdftotext` and similar tools print a table cell by cell in the order
//! their layout analysis finds, which is not always the row's: a wrapped
//! label is printed after the numbers of the rows beside it, so that several
//! rows' numbers run on after one label and their labels come later in a
//! bunch (`8.属于行政查询事项 1 0 … 1 11 2 … 13 0 … 0 3 1 … 4 … 1.本机关… 2.没有… 3.补正…`),
//! or a table comes out column by column (pdfminer).
//!
//! - A run of numbers that is a whole multiple of the table's row width is
//!   cut into rows of that width: the first is its label's, the others have
//!   no label and are placed by the template's row order (the alignment's
//!   positional matching, which requires the counts to agree exactly).
//! - A row of numbers without a label, followed by a label without numbers,
//!   is that label's row (the label printed after its numbers).
//! - A region whose row labels mostly stand apart from numbers (followed by
//!   another label or a header: `规章 规范性文件 1 0 13 …`) is a table printed
//!   column by column or its labels gathered apart: no number in it is
//!   attributed to a row (null, with a warning), never by guess.

use super::{Kind, LRow, Token, HEADER_MATCH};
use crate::normalize::similarity;
use crate::template::{RowKind, Template};

/// Labels this close name a row for sure (a converter prints labels whole).
const SURE_LABEL: f32 = 0.9;

/// The one width every data row of the table has (s3: 7), if any.
pub(super) fn row_width(t: &Template) -> Option<usize> {
    let mut widths = t.rows.iter().filter(|r| r.kind.has_values()).map(|r| r.columns.len());
    let w = widths.next()?;
    (w >= 2 && widths.all(|x| x == w)).then_some(w)
}

/// Cuts runs of several rows' numbers into rows, and joins a label printed
/// after its numbers to them.
pub(super) fn regroup(rows: Vec<LRow>, t: &Template) -> Vec<LRow> {
    let Some(width) = row_width(t) else {
        return rows;
    };
    let mut out: Vec<LRow> = Vec::with_capacity(rows.len());
    for row in rows {
        let values = row.values();
        let present = values.iter().filter(|v| v.kind != Kind::Blank).count();
        let plain = values.iter().all(|v| v.kind == Kind::Value);
        // Only a run that a row label opens: numbers after a column header
        // are a table printed column by column.
        let labeled =
            row.texts().last().is_some_and(|tok| !sure_data_rows_of(&[tok], t).is_empty());
        if present <= width || present % width != 0 || !plain || !labeled {
            out.push(row);
            continue;
        }
        let start = row.tokens.len() - values.len();
        let end = start + values.len();
        out.push(LRow { tokens: row.tokens[..start + width].to_vec() });
        for chunk in row.tokens[start + width..end].chunks(width) {
            out.push(LRow { tokens: chunk.to_vec() });
        }
    }
    let out = labels_before(pair_bunches(out, t), t);
    // A label printed after its numbers: [numbers] [label] → one row.
    let mut joined: Vec<LRow> = Vec::with_capacity(out.len());
    let mut k = 0;
    while k < out.len() {
        let unlabeled = out[k].texts().next().is_none() && out[k].has_values();
        let next_is_label = out.get(k + 1).is_some_and(|n| {
            !n.has_values() && n.texts().count() == 1 && sure_data_rows(n, t).len() == 1
        });
        if unlabeled && next_is_label {
            let mut row = out[k + 1].clone();
            row.tokens.extend(out[k].tokens.iter().cloned());
            joined.push(row);
            k += 2;
        } else {
            joined.push(out[k].clone());
            k += 1;
        }
    }
    joined
}

/// A chain of labels each followed by a row of numbers without a label
/// (`[L1] [N1] [L2] [N2]`: mutool prints a label wrapped over three lines
/// as a block of its own, its numbers as the next) pairs each label with
/// the numbers after it: read the other way, each label with the numbers
/// before it, the last numbers would have no label. So only a chain that
/// opens with a label and closes with numbers (no unlabeled numbers before
/// or after it, no label after it), its labels in template order. The
/// label's wrapped lines go with it, on rows of their own or before the
/// numbers (`1.本机关不掌握相关政府` / `信息 11 2 … 13`): text naming no row
/// that makes the label closer to its template label.
fn labels_before(rows: Vec<LRow>, t: &Template) -> Vec<LRow> {
    // A row's own label (its last text) matching one data row; a wrapped
    // label is sure only with its other lines.
    let label_of = |r: &LRow| -> Option<usize> {
        // A column header row names several columns (其他, 总计), not a row.
        let headers = r
            .texts()
            .filter(|tok| {
                t.columns
                    .iter()
                    .flat_map(|c| &c.cores)
                    .any(|l| similarity(&tok.core, l) >= HEADER_MATCH)
            })
            .count();
        if headers >= 2 {
            return None;
        }
        let texts: Vec<&str> = r.texts().map(|tok| tok.text.as_str()).collect();
        let (j, s) = (0..texts.len())
            .filter_map(|k| best_data_row(&crate::normalize::core(&texts[k..].concat()), t))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .filter(|_| !r.has_values())?;
        (s >= super::LABEL_MATCH).then_some(j)
    };
    let unlabeled = |r: &LRow| r.texts().next().is_none() && r.has_values();
    let mut out: Vec<LRow> = Vec::with_capacity(rows.len());
    let mut k = 0;
    while k < rows.len() {
        // (label row and its wrapped lines, numbers row) pairs from k.
        let mut pairs: Vec<(std::ops::Range<usize>, usize)> = Vec::new();
        let mut at = k;
        let mut last_label = None;
        while let Some(j) = rows.get(at).and_then(label_of) {
            let mut end = at + 1;
            while rows.get(end).is_some_and(|r| !r.has_values() && wraps(&rows[at..=end], j, t)) {
                end += 1;
            }
            let numbers = rows
                .get(end)
                .is_some_and(|r| unlabeled(r) || (r.has_values() && wraps(&rows[at..=end], j, t)));
            let sure = label_score(&rows[at..=end.min(rows.len() - 1)], j, t) >= SURE_LABEL;
            if last_label.is_some_and(|l| l >= j) || !numbers || !sure {
                break;
            }
            pairs.push((at..end, end));
            last_label = Some(j);
            at = end + 1;
        }
        let bounded = !out.last().is_some_and(unlabeled)
            && rows.get(at).is_none_or(|r| !unlabeled(r) && label_of(r).is_none());
        if pairs.is_empty() || !bounded {
            out.push(rows[k].clone());
            k += 1;
            continue;
        }
        for (label, numbers) in pairs {
            let mut row =
                LRow { tokens: rows[label].iter().flat_map(|r| r.tokens.clone()).collect() };
            row.tokens.extend(rows[numbers].tokens.iter().cloned());
            out.push(row);
        }
        k = at;
    }
    out
}

/// Whether the texts of the last of `rows` (naming no data row, not a layout
/// line's) continue the label of template row `j` that the first opens: the
/// label with them is closer to the template's than without.
fn wraps(rows: &[LRow], j: usize, t: &Template) -> bool {
    let Some((last, before)) = rows.split_last() else {
        return false;
    };
    last.texts().next().is_some()
        && last.texts().all(|tok| !tok.layout)
        && sure_data_rows(last, t).is_empty()
        && label_score(rows, j, t) > label_score(before, j, t)
}

/// Similarity to template row `j`'s label of the texts of `rows` (the
/// first row's from where its label starts: group labels may come first).
fn label_score(rows: &[LRow], j: usize, t: &Template) -> f32 {
    let Some((first, rest)) = rows.split_first() else {
        return 0.0;
    };
    let own: Vec<&str> = first.texts().map(|tok| tok.text.as_str()).collect();
    let after: String = rest.iter().flat_map(|r| r.texts()).map(|tok| tok.text.as_str()).collect();
    (0..own.len())
        .map(|k| {
            let c = crate::normalize::core(&(own[k..].concat() + &after));
            t.rows[j].cores.iter().map(|l| similarity(&c, l)).fold(0.0, f32::max)
        })
        .fold(0.0, f32::max)
}

/// The data row a label's core is most similar to, and how similar.
fn best_data_row(core: &str, t: &Template) -> Option<(usize, f32)> {
    t.rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.kind == RowKind::Data)
        .map(|(j, r)| (j, r.cores.iter().map(|c| similarity(core, c)).fold(0.0, f32::max)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// A bunch of k row labels, in template order, followed by exactly k rows
/// of numbers (the first after the bunch, the rest without labels of their
/// own, or naming again a row of the bunch: a header fragment such as 总计):
/// the labels were printed apart from their rows, and the order pairs them.
fn pair_bunches(rows: Vec<LRow>, t: &Template) -> Vec<LRow> {
    let mut out: Vec<LRow> = Vec::with_capacity(rows.len());
    let mut b = 0;
    while b < rows.len() {
        // Each row named once (a later naming is a header fragment: 其他, 总计).
        let mut labels: Vec<(usize, &Token)> = Vec::new();
        for tok in rows[b].texts() {
            if let Some(&j) = sure_data_rows_of(&[tok], t).first() {
                if !labels.iter().any(|l| l.0 == j) {
                    labels.push((j, tok));
                }
            }
        }
        let named: Vec<usize> = labels.iter().map(|l| l.0).collect();
        let following = rows[b + 1..]
            .iter()
            .take_while(|r| {
                r.has_values() && sure_data_rows(r, t).iter().all(|j| named.contains(j))
            })
            .count();
        // The last k labels, for the k rows of numbers: they must be k
        // consecutive data rows of the template, in order.
        let k = following + 1;
        let tail = &labels[labels.len().saturating_sub(k)..];
        let consecutive = tail.len() == k
            && tail.windows(2).all(|w| w[0].0 < w[1].0)
            && (tail[0].0..=tail[k - 1].0).filter(|&j| t.rows[j].kind == RowKind::Data).count()
                == k;
        if k < 2 || !rows[b].has_values() || !consecutive {
            out.push(rows[b].clone());
            b += 1;
            continue;
        }
        let labels = tail;
        for (k, (_, label)) in labels.iter().enumerate() {
            let mut tokens = vec![(*label).clone()];
            tokens.extend(rows[b + k].values().iter().cloned());
            out.push(LRow { tokens });
        }
        b += labels.len();
    }
    out
}

/// The template data rows that a row's text tokens name for sure, one per
/// token, in order.
fn sure_data_rows(row: &LRow, t: &Template) -> Vec<usize> {
    sure_data_rows_of(&row.texts().collect::<Vec<_>>(), t)
}

pub(super) fn sure_data_rows_of(tokens: &[&Token], t: &Template) -> Vec<usize> {
    tokens
        .iter()
        .filter_map(|tok| {
            best_data_row(&tok.core, t).filter(|(_, s)| *s >= SURE_LABEL).map(|(j, _)| j)
        })
        .collect()
}

/// Whether the region's row labels mostly stand apart from numbers (a label
/// followed by another label or a header, not by its numbers): a table
/// printed column by column, or its labels gathered in one place. Labels
/// of layout rows do not count: a layout line holds a row's cells, so a
/// label alone there is a row left blank (a sparse table's most rows).
pub(super) fn labels_detached(rows: &[LRow], t: &Template) -> bool {
    let (mut named, mut followed) = (0, 0);
    for row in rows {
        for (k, tok) in row.tokens.iter().enumerate() {
            if tok.kind == Kind::Text && !tok.layout && !sure_data_rows_of(&[tok], t).is_empty() {
                named += 1;
                followed +=
                    usize::from(row.tokens.get(k + 1).is_some_and(|n| n.kind != Kind::Text));
            }
        }
    }
    named >= 3 && followed * 2 < named
}

#[cfg(test)]
pub(super) mod tests {
    use crate::doc::{Cell, Line};
    use crate::template::TemplateSet;

    pub(in crate::table) fn lines(cells: &[&str]) -> Vec<Line> {
        cells
            .iter()
            .enumerate()
            .map(|(k, c)| Line {
                number: k + 1,
                text: c.to_string(),
                cells: vec![Cell { text: c.to_string(), loc: None, span: None }],
                row_end: true,
            })
            .collect()
    }

    pub(in crate::table) fn values(
        read: &crate::table::TableRead,
        t: &crate::template::Template,
        key: &str,
    ) -> Vec<String> {
        let j = t.row_index(key).expect("row");
        let f = t.rows[j].first_field;
        read.units
            .iter()
            .find(|u| u.fields[0] == f)
            .map(|u| u.candidates[0].iter().map(|c| c.cell.raw.clone()).collect())
            .unwrap_or_default()
    }

    /// Plain pdftotext of a LibreOffice table: three rows' numbers after one
    /// label, their labels printed later; a label after its numbers.
    #[test]
    fn numbers_moved_from_their_labels_are_placed_by_row_order() {
        let ts = TemplateSet::builtin().expect("models");
        let t = ts.table("2019", "s3").expect("s3");
        let mut cells = vec!["8.属于行政查询事项"];
        cells.extend(["1", "0", "0", "0", "0", "0", "1"]);
        cells.extend(["11", "2", "0", "0", "0", "0", "13"]);
        cells.extend(["0"; 7]);
        cells.extend(["3", "1", "0", "0", "0", "0", "4"]);
        cells.extend(["1.信访举报投诉类申请", "0", "0", "0", "0", "0", "0", "0"]);
        cells.extend(["（七）总计", "40", "10", "1", "0", "1", "2", "54"]);
        cells.extend(["3", "1", "0", "0", "0", "0", "4", "四、结转下年度继续办理"]);
        let read = crate::table::read_table(&lines(&cells), t, false);
        assert_eq!(values(&read, t, "unable.not_held"), ["11", "2", "0", "0", "0", "0", "13"]);
        assert_eq!(values(&read, t, "unable.unclear"), ["3", "1", "0", "0", "0", "0", "4"]);
        assert_eq!(values(&read, t, "carried_forward"), ["3", "1", "0", "0", "0", "0", "4"]);
    }

    /// mutool prints a label wrapped over several lines as a block of its
    /// own, its numbers as the next block, or the label's last line with
    /// the numbers: each label takes the numbers after it (read the other
    /// way, the last numbers would have no label).
    #[test]
    fn a_label_printed_before_its_numbers_takes_them() {
        let ts = TemplateSet::builtin().expect("models");
        let t = ts.table("2021", "s3").expect("s3");
        let block = |cells: &[&str]| {
            let mut l = lines(cells);
            for line in &mut l {
                line.row_end = false;
            }
            l.last_mut().expect("cells").row_end = true;
            l
        };
        let mut l = block(&["8.属于行政查询事项", "1", "0", "0", "0", "0", "0", "1"]);
        l.extend(block(&["1.本机关不掌握相关政府"]));
        l.extend(block(&["信息", "11", "2", "0", "0", "0", "0", "13"]));
        l.extend(block(&["2.没有现成信息需要另行制作", "0", "0", "0", "0", "0", "0", "0"]));
        l.extend(block(&[
            "1.申请人无正当理由逾期",
            "不补正、行政机关不再处",
            "理其政府信息公开申请",
        ]));
        l.extend(block(&["1", "0", "0", "0", "0", "0", "1"]));
        l.extend(block(&[
            "2.申请人逾期未按收费通",
            "知要求缴纳费用、行政机",
            "关不再处理其政府信息公",
            "开申请",
        ]));
        l.extend(block(&["0", "0", "0", "0", "0", "0", "0"]));
        l.extend(block(&["3.其他", "0", "0", "0", "0", "0", "0", "0"]));
        let read = crate::table::read_table(&l, t, false);
        assert_eq!(values(&read, t, "unable.not_held"), ["11", "2", "0", "0", "0", "0", "13"]);
        assert_eq!(values(&read, t, "other.no_correction"), ["1", "0", "0", "0", "0", "0", "1"]);
        assert_eq!(values(&read, t, "other.unpaid_fee"), ["0"; 7]);
    }

    /// pdfminer prints tables column by column, labels first: no number is
    /// read, whatever row label it follows.
    #[test]
    fn a_table_printed_column_by_column_is_not_read() {
        let ts = TemplateSet::builtin().expect("models");
        let t = ts.table("2019", "s2").expect("s2");
        let cells = [
            "规章",
            "规范性文件",
            "1",
            "0",
            "13",
            "对外公开总数量",
            "23",
            "212",
            "第二十条第（六）项",
            "信息内容",
            "行政处罚",
            "行政强制",
            "上一年项目数量",
            "本年增/减",
            "处理决定数量",
            "0",
            "15",
            "15",
            "9",
            "1801",
            "0",
            "行政事业性收费",
            "上一年项目数量",
            "15",
        ];
        let read = crate::table::read_table(&lines(&cells), t, false);
        assert!(read.units.is_empty());
        assert!(read.warnings.iter().any(|w| w.code == "table-scrambled"));
    }
}
