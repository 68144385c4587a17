//! Verification, messages: the English and Chinese text of review entries
//! and warnings, from the reason code and the template's labels.

use super::{Place, LOW_CONFIDENCE};
use crate::decimal::Dec;
use crate::findings::{Doubt, FieldOut, Report, ReviewEntry, Warning};
use crate::template::{Row, Template};

/// A value's entry; its confidence is capped as the cell's will be.
pub(super) fn entry(
    id: &str,
    place: &Place,
    cell: &FieldOut,
    reason: &'static str,
    message: String,
    message_zh: String,
) -> ReviewEntry {
    ReviewEntry {
        field: Some(id.to_string()),
        table: Some(place.t.name.clone()),
        row_label: Some(place.row_label().to_string()),
        column_label: Some(place.column_label().to_string()),
        value: cell.value,
        raw: cell.raw.clone(),
        confidence: cell.value.map(|_| cell.confidence.min(LOW_CONFIDENCE - 0.01)),
        reason,
        message,
        message_zh,
        loc: cell.loc,
    }
}

fn show(v: Option<Dec>) -> String {
    v.map_or_else(|| "?".to_string(), |v| v.to_string())
}

/// `表三 “（一）予以公开” 行 “商业企业” 列`
fn zh_cell(place: &Place) -> String {
    format!("{} “{}” 行 “{}” 列", place.t.name, place.row_label(), place.column_label())
}

/// The English and Chinese message of a value's review entry.
pub(super) fn value_messages(
    r: &Report,
    f: usize,
    place: &Place,
    code: &str,
    message: Option<String>,
    failed: &[usize],
) -> (String, String) {
    let cell = &r.cells[f];
    let id = &r.field_ids[f];
    let v = show(cell.value);
    let conf = cell.confidence;
    let at = zh_cell(place);
    let en_at = format!("{} {} / {} ({id})", place.t.name, place.row_label(), place.column_label());
    match code {
        "rule-failed" => {
            let rules: Vec<&str> = failed.iter().map(|&c| r.checks[c].rule.as_str()).collect();
            let details: Vec<String> = failed
                .iter()
                .map(|&c| {
                    let ch = &r.checks[c];
                    format!("{} {}: {} ≠ {}", ch.rule, ch.instance, show(ch.lhs_value), show(ch.rhs_value))
                })
                .collect();
            let zh_rules: Vec<String> = failed
                .iter()
                .map(|&c| {
                    let ch = &r.checks[c];
                    let desc = place.t.rules.iter().find(|x| x.id == ch.rule).map_or("", |x| x.description.as_str());
                    format!("{}（{desc}）：{} ≠ {}", ch.rule, show(ch.lhs_value), show(ch.rhs_value))
                })
                .collect();
            (
                format!("{en_at}: read {v}, in a rule that fails ({})", details.join("; ")),
                format!("{at} 读作 {v}，所在勾稽关系 {} 不成立：{}", rules.join("、"), zh_rules.join("；")),
            )
        }
        "placement" => {
            let (n, reading) = match &cell.doubt {
                Some(Doubt::Chosen { readings, reading }) => (*readings, reading.as_str()),
                _ => (0, ""),
            };
            (
                format!("{en_at}: {v}; the row's numbers fit its columns in {n} ways and the rules left one: {reading}"),
                format!("{at} 取 {v}：该行数字可按 {n} 种方式对应各列，按勾稽关系选定的读法为 {reading}"),
            )
        }
        "inferred" => (
            format!("{en_at}: not printed or unreadable; the rules give {v}"),
            format!("{at} 原文缺失或无法读取，按勾稽关系推算为 {v}"),
        ),
        "low-confidence" => (
            format!("{en_at}: read {v} with confidence {conf:.2}, and no rule confirms it"),
            format!("{at} 读作 {v}，识别把握不足（置信度 {conf:.2}），且无勾稽关系印证"),
        ),
        "unverifiable" => (
            format!("{en_at}: read {v}, but its rules cannot be evaluated (operands missing) and would fail with blanks as 0"),
            format!("{at} 读作 {v}，所在勾稽关系因缺少数据无法核对，且按空白为 0 计算不成立"),
        ),
        "corrected" => (
            format!("{en_at}: {}", message.unwrap_or_else(|| format!("corrected to {v}"))),
            format!("{at} 识别为 “{}”，唯有更正为 {v} 才使全部勾稽关系成立", cell.raw.as_deref().unwrap_or("")),
        ),
        _ => {
            let en = message.unwrap_or_else(|| format!("{en_at}: {code}"));
            let zh = r.warnings.iter().find(|w| w.code == code && w.field.as_deref() == Some(id.as_str())).map_or_else(|| format!("{at} 需核对：{en}"), |w| zh_for_warning(w, Some(place), cell));
            (en, zh)
        }
    }
}

/// The Chinese message of a warning that names a field.
pub(super) fn zh_for_warning(w: &Warning, place: Option<&Place>, cell: &FieldOut) -> String {
    let at = place.map_or_else(String::new, zh_cell);
    let raw = cell.raw.as_deref().unwrap_or("");
    match (w.code, &cell.doubt) {
        ("ambiguous-cell", Some(Doubt::Ambiguous { readings, values })) => {
            format!("{at} 留空：该行数字可按 {readings} 种方式对应各列，勾稽关系无法确定此格为 {} 中的哪一个", values.join("、"))
        }
        ("split-cell", _) => format!(
            "{at} 一个单元格读出数字 “{raw}”，按各列拆分后取 {}；单元格本身看不出拆分处，需核对",
            show(cell.value)
        ),
        ("unreadable-cell", _) => format!("{at} 无法读取（原文 “{raw}”），留空"),
        ("column-order", _) => format!("{at} 读作 {}：该表被逐列输出（一列的各行之后才是下一列），总计列由勾稽关系印证，其余各列按输出顺序对应", show(cell.value)),
        ("no-unit", _) => format!("{at} 金额未注明单位，按万元计：{}", show(cell.value)),
        ("low-confidence", _) => format!(
            "{at} 读作 {}，识别把握不足（置信度 {:.2}），且无勾稽关系印证",
            show(cell.value),
            cell.confidence
        ),
        ("corrected-cell", _) => {
            format!("{at} 识别为 “{raw}”，唯有更正为 {} 才使全部勾稽关系成立", show(cell.value))
        }
        _ => format!("{at} 需核对（{}）：{}", w.code, w.message),
    }
}

/// The Chinese message of a warning about a row, a table or the report.
pub(super) fn zh_for_report_warning(w: &Warning, tables: &[&Template]) -> String {
    let (table, row) = scope(w, tables);
    let name = table.map_or("", |t| t.name.as_str());
    match (w.code, row) {
        ("table-not-found", _) => format!("{name}（{}）未找到，其数据全部缺失", table.map_or("", |t| t.title.as_str())),
        ("row-not-found", Some(row)) => format!("{name} “{}” 行未找到，该行数据缺失", row.labels[0]),
        ("extra-numbers", Some(row)) => format!("{name} “{}” 行的数字多于列数（可能含小计列或合并行），该行留空", row.labels[0]),
        ("rule-failed", _) => format!("{name} 勾稽关系不成立：{}", w.message),
        ("no-consistent-reading", _) => format!("{name} 没有一种读法能使全部勾稽关系成立；有多种读法的行只保留各读法一致的数字，不作推算"),
        ("too-ambiguous", _) => format!("{name} 可能的读法过多，无法一并核对；有歧义的行留空"),
        ("page-turned", _) => format!("页面扫描时方向颠倒或横置，已转正后读取：{}", w.message),
        ("organization-missing", _) => "未读出发布机关名称".to_string(),
        ("year-missing", _) => "未读出报告年度".to_string(),
        ("no-title", _) => "未读出报告标题（机关名称和年度均缺）".to_string(),
        ("low-confidence", _) if w.scope.as_deref() == Some("title") => format!("标题识别把握不足，请对照原件核对：{}", w.message),
        ("organization-unsure", _) => format!("发布机关名称识别把握不足，请对照原件核对：{}", w.message),
        ("year-unsure", _) => format!("报告年度识别把握不足，请对照原件核对：{}", w.message),
        ("edition-year-mismatch", _) => format!("表格格式与报告年度所对应的模板不一致，以表格为准：{}", w.message),
        ("edition-from-year", _) => "表格未显示所用模板，按报告年度判定".to_string(),
        ("edition-from-structure", _) => "标签与年度均未显示所用模板，按表格行结构与勾稽关系判定".to_string(),
        _ => format!("需核对（{}）：{}", w.code, w.message),
    }
}

/// The table and row a report-level warning is about (`scope`: "s3" or
/// "s3.granted").
pub(super) fn scope<'t>(
    w: &Warning,
    tables: &[&'t Template],
) -> (Option<&'t Template>, Option<&'t Row>) {
    let scope = w.scope.as_deref().unwrap_or("");
    let table = tables.iter().copied().find(|t| scope.split('.').next() == Some(t.table.as_str()));
    let row = table.and_then(|t| {
        scope.split_once('.').and_then(|(_, key)| t.rows.iter().find(|r| r.key == key))
    });
    (table, row)
}
