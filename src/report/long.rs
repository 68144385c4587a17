//! The long (tidy) form: one row per field of each report, with the
//! template's Chinese labels, the value, its verdict, confidence and
//! location, so that pandas, R or a pivot table need no dictionary. Built
//! from the report's JSON, like the summary row, so a resumed run gives the
//! same rows.

use serde_json::Value;

use crate::dictionary::Labels;
use crate::report::json_text;

/// The columns of `long.csv` (and of the workbook's long sheet).
pub const LONG_COLUMNS: &[&str] = &[
    "file",
    "organization",
    "year",
    "edition",
    "field",
    "table",
    "table_name",
    "row",
    "column",
    "row_label",
    "column_label",
    "value",
    "verdict",
    "confidence",
    "location",
];

/// Every field of the report's edition, in template order (a null value
/// included: its row says the field was not read). `location` is the
/// report's location object as compact JSON (`{"line":12}`).
pub fn long_rows(file: &str, report: &Value, labels: &Labels) -> Vec<Vec<String>> {
    let edition = report["edition"].as_str().unwrap_or_default();
    let head = [
        file.to_string(),
        json_text(&report["organization"]),
        json_text(&report["year"]),
        edition.to_string(),
    ];
    let Some(values) = report["values"].as_object() else { return Vec::new() };
    values
        .iter()
        .map(|(id, value)| {
            let cell = &report["cells"][id];
            let info = labels.get(edition, id);
            let label = |f: fn(&crate::dictionary::FieldInfo) -> &String| {
                info.map(|i| f(i).clone()).unwrap_or_default()
            };
            let mut row: Vec<String> = head.to_vec();
            row.extend([
                id.clone(),
                label(|i| &i.table),
                label(|i| &i.table_name),
                label(|i| &i.row),
                label(|i| &i.column),
                label(|i| &i.row_label),
                label(|i| &i.column_label),
                json_text(value),
                json_text(&cell["verdict"]),
                // A cell with no value has nothing to be sure of.
                if value.is_null() { String::new() } else { json_text(&cell["confidence"]) },
                json_text(&cell["location"]),
            ]);
            row
        })
        .collect()
}
