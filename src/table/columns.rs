//! Tables printed column by column. pdfminer groups the cells of a grid
//! into boxes by column, so a page of 表三 comes out as its row labels, then
//! all the numbers of the first column, then of the second, and so on
//! (`一、本年新收… 二、上年结转… … 5.属于三类内部事务信息 4 0 0 1 0 …`).
//!
//! A run of labels followed by exactly K × W numbers (W: the table's row
//! width) is such a block when the labels name K consecutive data rows of
//! the template (the first and the last label fix the range; labels wrapped
//! across lines in between need not match). The numbers are then read both
//! ways, row by row and column by column, and the row's own rules (表三's
//! 总计 column) decide: the block is turned into rows only when the
//! column-major reading keeps every row rule and the row-major reading
//! breaks one. Otherwise the row stays as it was (and, its labels standing
//! apart from its numbers, is left null as a scrambled table).
//!
//! The rules prove which column is 总计 but not the order of the others
//! (their sum is the same in any order), and pdfminer does not always print
//! the columns left to right: every value of a transposed block is kept
//! and put in review, its column taken from the order of printing.

use super::{breaks_local_rule, local_checks, regroup::sure_data_rows_of, Kind, LRow, Token};
use crate::findings::Warning;
use crate::template::{RowKind, Template};

/// Cuts every column-by-column block of `rows` into the template rows it
/// holds, each with its label and its numbers; a review warning for each
/// value placed so.
pub(super) fn transpose(rows: Vec<LRow>, t: &Template, warnings: &mut Vec<Warning>) -> Vec<LRow> {
    let Some(width) = super::regroup::row_width(t) else {
        return rows;
    };
    let data: Vec<usize> = (0..t.rows.len()).filter(|&j| t.rows[j].kind == RowKind::Data).collect();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let Some((cut, span)) = block(&row, t, width, &data) else {
            out.push(row);
            continue;
        };
        for (r, &j) in span.iter().enumerate() {
            let cells = &cut[cut.len() - span.len() + r].tokens[1..];
            for (c, tok) in cells.iter().enumerate() {
                let id = &t.fields[t.rows[j].first_field + c].id;
                warnings.push(Warning::field(
                    "column-order",
                    id,
                    Some(tok.loc),
                    format!("{id} = {}: the table was printed column by column ({} rows, then the next column); its 总计 column is proved by the rules, the order of the other columns is taken as printed", tok.text, span.len()),
                ));
            }
        }
        out.extend(cut);
    }
    out
}

/// The rows of one block (after the block's other texts) and the template
/// rows they are, or None when `row` is not a column-by-column
/// block the rules prove.
fn block<'d>(
    row: &LRow,
    t: &Template,
    width: usize,
    data: &'d [usize],
) -> Option<(Vec<LRow>, &'d [usize])> {
    let values = row.values();
    let n = values.len();
    if n < 2 * width || !n.is_multiple_of(width) || values.iter().any(|v| v.kind != Kind::Value) {
        return None;
    }
    let k = n / width;
    let texts: Vec<&Token> = row.texts().collect();
    // Each label token with the data row it names for sure, in order; a
    // column header's words (总计, 其他) also name a row, and are not labels.
    let header = |tok: &Token| t.columns.iter().flat_map(|c| &c.cores).any(|c| *c == tok.core);
    let named: Vec<(usize, &Token)> = texts
        .iter()
        .filter(|tok| !header(tok))
        .filter_map(|tok| sure_data_rows_of(&[tok], t).first().map(|&j| (j, *tok)))
        .collect();
    let (first, last) = (named.first()?.0, named.last()?.0);
    let p0 = data.iter().position(|&j| j == first)?;
    let span = data.get(p0..p0 + k)?;
    let ordered = named.windows(2).all(|w| w[0].0 < w[1].0);
    if named.len() < 2 || !ordered || span[k - 1] != last {
        return None;
    }
    let by_rows = |r: usize, c: usize| r * width + c;
    let by_columns = |r: usize, c: usize| c * k + r;
    let keeps = |at: &dyn Fn(usize, usize) -> usize| {
        span.iter().enumerate().all(|(r, &j)| {
            let fields: Vec<usize> = (0..width).map(|c| t.rows[j].first_field + c).collect();
            let checks = local_checks(t, &fields);
            let parts: Vec<&str> = (0..width).map(|c| values[at(r, c)].text.as_str()).collect();
            !checks.is_empty() && !breaks_local_rule(&parts, &checks)
        })
    };
    if !keeps(&by_columns) || keeps(&by_rows) {
        return None;
    }
    tracing::debug!(target: "xxgk::table", "{}: {k} rows printed column by column", t.table);
    let label_end = row.tokens.len() - row.cells().len();
    let others: Vec<Token> = row.tokens[..label_end]
        .iter()
        .filter(|tok| !named.iter().any(|(_, l)| std::ptr::eq(*l, *tok)))
        .cloned()
        .collect();
    let mut out = Vec::with_capacity(k + 1);
    if !others.is_empty() {
        out.push(LRow { tokens: others });
    }
    for (r, &j) in span.iter().enumerate() {
        // The row's own label where the block names it; otherwise the
        // template's, the row being fixed by the order between the two.
        let label = match named.iter().find(|(x, _)| *x == j) {
            Some((_, tok)) => (*tok).clone(),
            None => {
                let text = t.rows[j].labels.first().cloned().unwrap_or_default();
                Token { core: crate::normalize::core(&text), text, ..named[0].1.clone() }
            }
        };
        let mut tokens = vec![label];
        tokens.extend((0..width).map(|c| values[by_columns(r, c)].clone()));
        out.push(LRow { tokens });
    }
    Some((out, span))
}

#[cfg(test)]
mod tests {
    use crate::table::regroup::tests::{lines, values};
    use crate::template::TemplateSet;

    /// Page 1 of 表三 as pdfminer.six's `pdf2txt.py` prints a LibreOffice
    /// PDF (../shared/eval/e2 r2027-0001, pdf-lo): the headers, the nine row
    /// labels (wrapped ones in pieces), then the numbers column by column.
    const LABELS: [&str; 37] = [
        "（本列数据的勾稽关系为：第一项加第二",
        "项之和，等于第三项加第四项之和）",
        "申请人情况",
        "法人或其他组织",
        "自然",
        "人",
        "商业",
        "企业",
        "科研",
        "机构",
        "社会",
        "公益",
        "组织",
        "法律",
        "服务",
        "机构",
        "总计",
        "其他",
        "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量",
        "（一）予以公开",
        "（二）部分公开（区分处理的，只",
        "计这一情形，不计其他情形）",
        "三、",
        "本年",
        "度办",
        "理结",
        "果",
        "（三）",
        "不予公",
        "开",
        "1.属于国家秘密",
        "2.其他法律行政法规禁止",
        "公开",
        "3.危及“三安全一稳定”",
        "4.保护第三方合法权益",
        "5.属于三类内部事务信息",
    ];
    /// Its numbers, one column (nine rows) after another.
    const COLUMNS: [[&str; 9]; 7] = [
        ["4", "0", "0", "1", "0", "0", "0", "0", "0"],
        ["1", "0", "0", "0", "0", "0", "0", "0", "0"],
        ["0", "0", "0", "0", "0", "0", "0", "0", "0"],
        ["1", "0", "1", "0", "0", "0", "0", "0", "0"],
        ["0", "0", "0", "0", "0", "0", "0", "0", "0"],
        ["0", "0", "0", "0", "0", "0", "0", "0", "0"],
        ["6", "0", "1", "1", "0", "0", "0", "0", "0"],
    ];

    fn read(t: &crate::template::Template, columns: &[[&str; 9]]) -> crate::table::TableRead {
        let mut cells: Vec<&str> = LABELS.to_vec();
        columns.iter().for_each(|c| cells.extend(c));
        crate::table::read_table(&lines(&cells), t, false)
    }

    #[test]
    fn a_block_printed_column_by_column_is_read_by_rows_for_review() {
        let ts = TemplateSet::builtin().expect("models");
        let t = ts.table("2021", "s3").expect("s3");
        let read = read(t, &COLUMNS);
        assert_eq!(values(&read, t, "new"), ["4", "1", "0", "1", "0", "0", "6"]);
        assert_eq!(values(&read, t, "granted"), ["0", "0", "0", "1", "0", "0", "1"]);
        assert_eq!(values(&read, t, "partial"), ["1", "0", "0", "0", "0", "0", "1"]);
        assert_eq!(values(&read, t, "denied.internal"), ["0"; 7]);
        let placed: Vec<&str> = read
            .warnings
            .iter()
            .filter(|w| w.code == "column-order")
            .filter_map(|w| w.field.as_deref())
            .collect();
        assert_eq!(placed.len(), 63);
        assert_eq!(placed[..2], ["s3.new.natural", "s3.new.commercial"]);
    }

    /// Columns printed in another order than left to right (pdfminer does
    /// so): the 总计 column's rule breaks, and nothing is read.
    #[test]
    fn a_block_whose_columns_break_the_row_rule_is_not_read() {
        let mut swapped = COLUMNS;
        swapped.swap(0, 6);
        let ts = TemplateSet::builtin().expect("models");
        let read = read(ts.table("2021", "s3").expect("s3"), &swapped);
        assert!(read.units.is_empty());
        assert!(read.warnings.iter().any(|w| w.code == "table-scrambled"));
        assert!(!read.warnings.iter().any(|w| w.code == "column-order"));
    }
}
