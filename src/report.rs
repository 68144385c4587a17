//! Stage: output. The [`Report`] of one input, and its JSON and CSV forms.
//!
//! # JSON format (one object per report; the contract users build on)
//!
//! ```text
//! {
//!   "edition": "2019" | "2021",
//!   "year": 2020 | null,              report year, from the title or narrative
//!   "organization": "…" | null,       issuing organ
//!   "title": "…" | null,
//!   "source": {"path", "kind", "sha256", "bytes"},
//!   "tool": {"name": "xxgk", "version": "0.1.0", "commit": "<git commit
//!       it was built from, -dirty if the sources differed>" | null,
//!       "tesseract": "5.3.0" | null, "leptonica": "1.82.0" | null,
//!       "templates": "<SHA-256 of the model files>"},
//!                                     which build made it: a resumed batch
//!                                     redoes an output whose tool differs
//!   "verification": {"status": "ok" | "check", "confirmed": n,
//!       "unconfirmed": n, "review": n, "missing": n, "reviewed": n},
//!                                     reviewed: only with --decisions,
//!                                     values a person decided
//!                                     ok: the review list is empty and
//!                                     no field of the template is missing
//!                                     (a blank cell that was found is not
//!                                     missing); counts of values by
//!                                     verdict, of review entries, and of
//!                                     fields whose cell was not found
//!   "values": {"s2.rules.made": 0, …}, every field id of the edition, in
//!                                      template order; null where absent
//!   "cells": {"<field id>": {
//!       "raw": "0" | null,            text read for the cell
//!       "status": "read" | "normalized" | "inferred" | "corrected" |
//!                 "missing" | "reviewed",  reviewed: a person decided it
//!                                     (--decisions); then "decision":
//!                                     {"decision": "accept" | "value" |
//!                                     "null", "who", "when", "previous":
//!                                     {"value", "status"}}          corrected: scans only; OCR read
//!                                     `raw`, and the only other reading
//!                                     that makes every rule hold was taken
//!                                     (a "corrected-cell" warning says both)
//!       "confidence": 0.0 … 1.0,      for scans, OCR confidence folded in;
//!                                     below 0.6 exactly when the value is
//!                                     in the review list
//!       "verdict": "confirmed" | "unconfirmed" | "review" | null,
//!                                     confirmed: every kind of rule over
//!                                     it (表三: its row's and its column's)
//!                                     holds with operands read
//!                                     independently; unconfirmed: no
//!                                     holding rule covers it; review: in
//!                                     the review list; null: no value
//!       "location": {"line": 12} (text) | {"table": 0, "row": 3, "col": 2}
//!                   (HTML, DOCX) | {"page": 2, "box": [x0, y0, x1, y1]} (PDF,
//!                   scans; points, origin top-left) | null }},
//!   "checks": [{"rule": "R2", "instance": "s3.new", "status": "ok" |
//!       "failed" | "skipped", "lhs": [ids], "rhs": [ids], "lhs_value",
//!       "rhs_value", "holds_if_blanks_zero": true|false|null}],
//!   "warnings": [{"code": "…", "message": "…", "message_zh": "…",
//!       "field": id|null, "scope": "s3.granted" | "s3" | null,
//!       "location": …|null}],
//!   "review": [{"field": id|null,     null: about the report (a table,
//!                                     row, title, organization, year
//!                                     missing; a page read turned)
//!       "table": "表三", "row_label": "（一）予以公开",
//!       "column_label": "商业企业",     the template's labels (null where
//!                                     the entry is not about one)
//!       "value", "raw", "confidence", "reason": "rule-failed" | "inferred" |
//!       "placement" | "low-confidence" | "corrected" | "unverifiable" |
//!       <a warning's code>, "message", "message_zh", "location"}],
//!   "pages": [{"page": 1, "unit": "px" | "pt", "width", "height",
//!       "dpi", "read_dpi", "turned": 0 | 90 | 180 | 270, "skew_deg"}]
//!                                     scans only (absent otherwise): each
//!                                     page's size in the unit of its boxes,
//!                                     the resolution the input gives it and
//!                                     the one it was read at, how far it
//!                                     lay turned clockwise and the skew it
//!                                     was straightened by
//! }
//! ```
//! Amounts are exact decimals in 万元; counts are integers. Keys are written
//! in a fixed order, so the same input gives the same bytes.

use serde_json::{json, Map, Value};

use crate::decimal::Dec;
use crate::doc::Loc;
use crate::findings::Report;
use crate::provenance::Tool;

pub mod long;

pub use crate::csv::csv_line;

/// Starts a CSV file for Excel (`--excel`): without it, Excel on a Chinese
/// Windows reads UTF-8 as the ANSI code page (GBK) and garbles every label.
pub const UTF8_BOM: &str = "\u{feff}";

fn number(d: Dec) -> Value {
    // Exact: serde_json keeps the decimal text (feature arbitrary_precision).
    serde_json::from_str(&d.to_string()).unwrap_or(Value::Null)
}

fn opt_number(d: Option<Dec>) -> Value {
    d.map_or(Value::Null, number)
}

/// A float with at most two decimals, printed the same way every time.
fn rounded(c: f32) -> Value {
    let text = format!("{c:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    serde_json::from_str(if text.is_empty() { "0" } else { text }).unwrap_or(Value::Null)
}

fn location(loc: Loc) -> Value {
    let round = rounded;
    match loc {
        Loc::Line(n) => json!({"line": n}),
        Loc::Cell { table, row, col } => json!({"table": table, "row": row, "col": col}),
        Loc::Box { page, x0, y0, x1, y1 } => {
            json!({"page": page, "box": [round(x0), round(y0), round(x1), round(y1)]})
        }
    }
}

pub fn to_json(r: &Report) -> Value {
    let mut values = Map::new();
    let mut cells = Map::new();
    for (id, c) in r.field_ids.iter().zip(&r.cells) {
        values.insert(id.clone(), opt_number(c.value));
        cells.insert(
            id.clone(),
            json!({
                "raw": c.raw,
                "status": c.status,
                "confidence": rounded(c.confidence),
                "verdict": c.verdict,
                "location": c.loc.map(location),
            }),
        );
    }
    let checks: Vec<Value> = r
        .checks
        .iter()
        .map(|c| {
            json!({
                "rule": c.rule,
                "instance": c.instance,
                "status": c.status,
                "lhs": c.lhs,
                "rhs": c.rhs,
                "lhs_value": opt_number(c.lhs_value),
                "rhs_value": opt_number(c.rhs_value),
                "holds_if_blanks_zero": c.holds_if_blanks_zero,
            })
        })
        .collect();
    let warnings: Vec<Value> = r
        .warnings
        .iter()
        .map(|w| json!({"code": w.code, "message": w.message, "message_zh": w.message_zh, "field": w.field, "scope": w.scope, "location": w.loc.map(location)}))
        .collect();
    let review: Vec<Value> = r
        .review
        .iter()
        .map(|e| {
            json!({
                "field": e.field,
                "table": e.table,
                "row_label": e.row_label,
                "column_label": e.column_label,
                "value": opt_number(e.value),
                "raw": e.raw,
                "confidence": e.confidence.map(rounded),
                "reason": e.reason,
                "message": e.message,
                "message_zh": e.message_zh,
                "location": e.loc.map(location),
            })
        })
        .collect();
    let t = &r.tally;
    let mut out = json!({
        "edition": r.edition,
        "year": r.year,
        "organization": r.organization,
        "title": r.title,
        "source": {"path": r.source.path, "kind": r.source.kind, "sha256": r.source.sha256, "bytes": r.source.bytes},
        "tool": r.tool.as_ref().map(Tool::to_json),
        "verification": {"status": if t.ok() { "ok" } else { "check" }, "confirmed": t.confirmed, "unconfirmed": t.unconfirmed, "review": t.review, "missing": t.missing},
        "values": values,
        "cells": cells,
        "checks": checks,
        "warnings": warnings,
        "review": review,
    });
    if !r.pages.is_empty() {
        let pages: Vec<Value> = r
            .pages
            .iter()
            .map(|p| {
                json!({"page": p.page, "unit": p.unit, "width": rounded(p.width), "height": rounded(p.height), "dpi": rounded(p.dpi), "read_dpi": rounded(p.read_dpi), "turned": p.turned, "skew_deg": rounded(p.skew_deg)})
            })
            .collect();
        out["pages"] = Value::Array(pages);
    }
    out
}

/// Metadata columns of the CSV, before the field ids.
/// `status` is `ok` when the report's review list is empty and no field is
/// missing, `check` otherwise, `error: <reason>` when it gave no report.
pub const CSV_META: &[&str] = &[
    "file",
    "status",
    "edition",
    "year",
    "organization",
    "title",
    "failed_rules",
    "warnings",
    "confirmed",
    "unconfirmed",
    "review",
    "missing",
    "reviewed",
];

/// One CSV row per report, built from the report's JSON (see [`to_json`]) so
/// that a report read back from an earlier run's output gives the same row
/// as a fresh one. `file` is the input as the user named it; `columns` are
/// the field ids to write. A failed input gets `error: <reason>` in `status`.
pub fn csv_row(file: &str, columns: &[String], outcome: Result<&Value, &str>) -> String {
    csv_line(&summary_cells(file, columns, outcome))
}

/// The cells of [`csv_row`], for writers of other formats (the workbook's
/// reports sheet holds the same values).
pub fn summary_cells(file: &str, columns: &[String], outcome: Result<&Value, &str>) -> Vec<String> {
    let mut cells: Vec<String> = Vec::with_capacity(CSV_META.len() + columns.len());
    cells.push(file.to_string());
    match outcome {
        Ok(r) => {
            let failed = failed_rules_json(r);
            let text = |key: &str| json_text(&r[key]);
            let tally = &r["verification"];
            cells.push(if report_ok(r) { "ok".into() } else { "check".into() });
            cells.extend(["edition", "year", "organization", "title"].map(text));
            cells.push(failed.to_string());
            cells.push(r["warnings"].as_array().map_or(0, Vec::len).to_string());
            cells.extend(
                ["confirmed", "unconfirmed", "review", "missing"]
                    .map(|k| tally[k].as_u64().map_or_else(String::new, |n| n.to_string())),
            );
            // Values a person decided (`--decisions`): 0 when none.
            cells.push(tally["reviewed"].as_u64().unwrap_or(0).to_string());
            let values = &r["values"];
            cells.extend(columns.iter().map(|c| match values.get(c) {
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            }));
        }
        Err(message) => {
            cells.push(format!("error: {message}"));
            cells.extend(std::iter::repeat_n(String::new(), CSV_META.len() - 2 + columns.len()));
        }
    }
    cells
}

/// A JSON scalar as a CSV cell: strings bare, null empty, others as JSON.
pub fn json_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        v => v.to_string(),
    }
}

/// Whether a report's JSON says it may be used unchecked (see
/// `verification.status`).
pub fn report_ok(r: &Value) -> bool {
    r["verification"]["status"] == "ok"
}

/// Failed rule instances in a report's JSON.
pub fn failed_rules_json(r: &Value) -> usize {
    r["checks"].as_array().map_or(0, |c| c.iter().filter(|c| c["status"] == "failed").count())
}

pub fn csv_header(columns: &[String]) -> String {
    csv_line(
        &CSV_META.iter().map(|s| s.to_string()).chain(columns.iter().cloned()).collect::<Vec<_>>(),
    )
}
