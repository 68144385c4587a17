//! The workbook of a run (`--format xlsx`, `summary.xlsx`): the reports
//! (summary.csv's rows under Chinese headers), the long form, the review
//! entries and the findings across reports, one sheet each. Built from the
//! reports' JSON like the CSVs, so a resumed run gives the same workbook;
//! byte for byte, since the document's creation time is fixed.
//!
//! Numbers are cells of numbers, with a format that shows them as the
//! report printed them: counts as integers, amounts with their own
//! decimals (528.15 as 528.15, 1477.4955 as 1477.4955), so that a sheet
//! saved as CSV gives back summary.csv's text.

use std::collections::BTreeMap;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use serde_json::Value;

use super::findings::{Finding, FINDING_COLUMNS};
use super::Summary;
use crate::dictionary::{fields, Labels};
use crate::error::BatchError;
use crate::report::long::{long_rows, LONG_COLUMNS};
use crate::report::{json_text, summary_cells, CSV_META};
use crate::template::{ColumnKind, TemplateSet};

/// Rows of a sheet (Excel's limit); the long sheet stops one short of it
/// with a row that says so.
const MAX_ROWS: u32 = 1_048_576;

const META_ZH: &[&str] = &[
    "文件",
    "状态",
    "格式版本",
    "年度",
    "机关",
    "标题",
    "未通过的勾稽规则",
    "警告数",
    "已确认",
    "未确认",
    "待复核",
    "缺失",
    "已人工复核",
];
// One Chinese header per column of the summary: checked when it builds.
const _: () = assert!(META_ZH.len() == CSV_META.len());

const LONG_ZH: &[&str] = &[
    "文件",
    "机关",
    "年度",
    "格式版本",
    "字段",
    "表",
    "表名",
    "行",
    "列",
    "行名称",
    "列名称",
    "数值",
    "判定",
    "置信度",
    "位置",
];

/// The review sheet: one row per entry of each report's `review`.
const REVIEW_COLUMNS: &[&str] = &[
    "file",
    "organization",
    "year",
    "field",
    "table",
    "row_label",
    "column_label",
    "value",
    "raw",
    "confidence",
    "reason",
    "message_zh",
    "location",
];

const REVIEW_ZH: &[&str] = &[
    "文件",
    "机关",
    "年度",
    "字段",
    "表",
    "行名称",
    "列名称",
    "数值",
    "原文",
    "置信度",
    "原因",
    "说明",
    "位置",
];

const FINDING_ZH: &[&str] = &[
    "检查",
    "机关",
    "年度",
    "文件",
    "字段",
    "数值",
    "应为",
    "对比年度",
    "对比文件",
    "对比字段",
    "对比数值",
    "说明（英文）",
    "说明",
];

/// How a column's cells are written.
#[derive(Clone, Copy, PartialEq)]
enum Cell {
    Text,
    /// A whole number when the text is one (year, counts of the summary).
    Integer,
    /// A field's value, by its kind.
    Value(ColumnKind),
    /// Any number as it is (confidence).
    Number,
}

/// One sheet being filled: its next row and the formats it needs.
struct Sheet {
    sheet: Worksheet,
    row: u32,
    kinds: Vec<Cell>,
}

impl Sheet {
    fn new(name: &str, zh: &[&str], ids: &[String], kinds: Vec<Cell>) -> Result<Sheet, XlsxError> {
        let mut sheet = Worksheet::new();
        sheet.set_name(name)?;
        let bold = Format::new().set_bold();
        for (c, (z, id)) in zh.iter().zip(ids).enumerate() {
            let c = col(c);
            sheet.write_string_with_format(0, c, *z, &bold)?;
            sheet.write_string(1, c, id)?;
            sheet.set_column_width(c, if c == 0 { 40 } else { 14 })?;
        }
        sheet.set_freeze_panes(2, 1)?;
        Ok(Sheet { sheet, row: 2, kinds })
    }

    fn push(&mut self, cells: &[String]) -> Result<(), XlsxError> {
        for (c, text) in cells.iter().enumerate() {
            if text.is_empty() {
                continue;
            }
            let kind = self.kinds.get(c).copied().unwrap_or(Cell::Text);
            match number(kind, text) {
                Some((n, format)) => {
                    self.sheet.write_number_with_format(self.row, col(c), n, &format)?
                }
                None => self.sheet.write_string(self.row, col(c), text)?,
            };
        }
        self.row += 1;
        Ok(())
    }

    /// Whether one more row fits, leaving one for the note that it did not.
    fn full(&self) -> bool {
        self.row + 1 >= MAX_ROWS
    }
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// `text` as a number cell of `kind`, with the format that shows it as
/// written; `None` to keep it text.
fn number(kind: Cell, text: &str) -> Option<(f64, Format)> {
    let plain =
        text.bytes().enumerate().all(|(i, b)| {
            b.is_ascii_digit() || b == b'.' || (i == 0 && b == b'-' && text.len() > 1)
        }) && text.bytes().filter(|&b| b == b'.').count() <= 1
            && !text.ends_with('.')
            && !text.starts_with('.');
    if !plain || kind == Cell::Text {
        return None;
    }
    let decimals = text.split_once('.').map_or(0, |(_, d)| d.len());
    let format = match kind {
        Cell::Number => Format::new(),
        Cell::Integer | Cell::Value(ColumnKind::Count | ColumnKind::Signed) if decimals > 0 => {
            return None
        }
        _ if decimals == 0 => Format::new().set_num_format("0"),
        _ => Format::new().set_num_format(format!("0.{}", "0".repeat(decimals))),
    };
    Some((text.parse().ok()?, format))
}

fn sheet_error(e: XlsxError) -> BatchError {
    BatchError::Write { path: "summary.xlsx".into(), message: e.to_string() }
}

/// The workbook of the run: reports, long form, review, findings.
pub fn workbook(
    summary: &Summary,
    templates: &TemplateSet,
    findings: &[Finding],
) -> Result<Vec<u8>, BatchError> {
    let labels = Labels::new(templates);
    let kinds: BTreeMap<String, ColumnKind> =
        fields(templates, None).into_iter().map(|f| (f.id, f.kind)).collect();
    let strings = |cols: &[&str]| cols.iter().map(|c| c.to_string()).collect::<Vec<_>>();

    let mut ids = strings(CSV_META);
    ids.extend(summary.columns.iter().cloned());
    let mut zh = META_ZH.to_vec();
    let field_zh: Vec<String> = summary
        .columns
        .iter()
        .map(|id| labels.latest(id).map_or_else(|| id.clone(), |f| f.label_zh()))
        .collect();
    zh.extend(field_zh.iter().map(String::as_str));
    let mut cells: Vec<Cell> = CSV_META
        .iter()
        .map(|m| match *m {
            "file" | "status" | "edition" | "organization" | "title" => Cell::Text,
            _ => Cell::Integer,
        })
        .collect();
    cells.extend(
        summary.columns.iter().map(|id| kinds.get(id).map_or(Cell::Text, |k| Cell::Value(*k))),
    );
    let mut reports = Sheet::new("报告", &zh, &ids, cells).map_err(sheet_error)?;

    let long_kinds = LONG_COLUMNS
        .iter()
        .map(|c| match *c {
            "year" => Cell::Integer,
            "confidence" => Cell::Number,
            _ => Cell::Text,
        })
        .collect();
    let mut long =
        Sheet::new("长表", LONG_ZH, &strings(LONG_COLUMNS), long_kinds).map_err(sheet_error)?;
    let review_kinds = REVIEW_COLUMNS
        .iter()
        .map(|c| match *c {
            "year" => Cell::Integer,
            "value" | "confidence" => Cell::Number,
            _ => Cell::Text,
        })
        .collect();
    let mut review = Sheet::new("待复核", REVIEW_ZH, &strings(REVIEW_COLUMNS), review_kinds)
        .map_err(sheet_error)?;
    let mut long_cut = false;

    summary.each_outcome(|file, outcome| {
        reports.push(&summary_cells(file, &summary.columns, outcome)).map_err(sheet_error)?;
        let Ok(report) = outcome else { return Ok(()) };
        for mut row in long_rows(file, report, &labels) {
            if long.full() {
                long_cut = true;
                break;
            }
            // The value by its field's kind (an amount keeps its decimals).
            let kind = kinds.get(&row[4]).copied();
            if let (Some(k), Some(v)) = (kind, row.get_mut(11)) {
                if let Some((n, format)) = number(Cell::Value(k), v) {
                    long.sheet
                        .write_number_with_format(long.row, 11, n, &format)
                        .map_err(sheet_error)?;
                    v.clear();
                }
            }
            long.push(&row).map_err(sheet_error)?;
        }
        for entry in report["review"].as_array().into_iter().flatten() {
            review.push(&review_cells(file, report, entry)).map_err(sheet_error)?;
        }
        Ok(())
    })?;
    if long_cut {
        let note = format!(
            "… more rows than a sheet holds ({MAX_ROWS}): the whole long form is in long.csv (--format long)"
        );
        long.sheet.write_string(long.row, 0, note).map_err(sheet_error)?;
    }

    let mut found = Sheet::new(
        "跨报告发现",
        FINDING_ZH,
        &strings(FINDING_COLUMNS),
        FINDING_COLUMNS
            .iter()
            .map(|c| match *c {
                "year" | "other_year" => Cell::Integer,
                "value" | "expected" | "other_value" => Cell::Number,
                _ => Cell::Text,
            })
            .collect(),
    )
    .map_err(sheet_error)?;
    for f in findings {
        found.push(&f.cells()).map_err(sheet_error)?;
    }

    let mut book = Workbook::new();
    // A fixed creation time: the same run gives the same bytes.
    let epoch = ExcelDateTime::from_ymd(2000, 1, 1).map_err(sheet_error)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&epoch));
    for s in [reports, long, review, found] {
        book.push_worksheet(s.sheet);
    }
    book.save_to_buffer().map_err(sheet_error)
}

fn review_cells(file: &str, report: &Value, entry: &Value) -> Vec<String> {
    let mut cells =
        vec![file.to_string(), json_text(&report["organization"]), json_text(&report["year"])];
    cells.extend(REVIEW_COLUMNS[3..].iter().map(|k| match &entry[*k] {
        v @ Value::Object(_) => v.to_string(),
        v => json_text(v),
    }));
    cells
}
