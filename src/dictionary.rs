//! The field dictionary: every field id of the templates with its Chinese
//! table, row and column labels, its kind, and the rules it takes part in
//! (the report's own, and the checks across years). Generated from the
//! templates, never written by hand: `xxgk models fields` prints it, and
//! the long CSV and the workbook take their labels from it.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::csv::csv_line;
use crate::template::{ColumnKind, TemplateSet};

/// A rule instance a field is an operand of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleUse {
    /// `R1`… for the report's rules, the check id for checks across years.
    pub rule: String,
    /// The row or column the instance is for (`s3.new`, `s3.*.natural`).
    pub instance: String,
    pub across_years: bool,
}

/// One field of one edition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldInfo {
    pub edition: String,
    pub id: String,
    pub table: String,
    /// What reports call the table (表三).
    pub table_name: String,
    pub table_title: String,
    pub row: String,
    pub row_label: String,
    pub column: String,
    pub column_label: String,
    pub kind: ColumnKind,
    pub rules: Vec<RuleUse>,
}

impl FieldInfo {
    /// `表三 / 一、本年新收政府信息公开申请数量 / 自然人`: a header for people.
    pub fn label_zh(&self) -> String {
        format!("{} / {} / {}", self.table_name, self.row_label, self.column_label)
    }
}

pub fn kind_name(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Count => "count",
        ColumnKind::Signed => "signed",
        ColumnKind::Amount => "amount",
    }
}

/// Every field of `edition` (all editions when `None`), editions in order,
/// fields in template order.
pub fn fields(set: &TemplateSet, edition: Option<&str>) -> Vec<FieldInfo> {
    let mut out = Vec::new();
    for ed in set.editions().into_iter().filter(|e| edition.is_none_or(|x| x == *e)) {
        for t in set.edition_tables(ed) {
            for (i, f) in t.fields.iter().enumerate() {
                let (row, column) = (&t.rows[f.row], &t.columns[f.column]);
                let mut rules: Vec<RuleUse> = t
                    .checks
                    .iter()
                    .filter(|c| c.lhs.contains(&i) || c.rhs.contains(&i))
                    .map(|c| RuleUse {
                        rule: c.rule.clone(),
                        instance: c.name.clone(),
                        across_years: false,
                    })
                    .collect();
                for check in set
                    .across
                    .iter()
                    .filter(|c| c.editions.is_empty() || c.editions.iter().any(|e| e == ed))
                {
                    for inst in &check.instances {
                        if inst.lhs.iter().chain(&inst.rhs).any(|term| term.field == f.id) {
                            rules.push(RuleUse {
                                rule: check.id.clone(),
                                instance: inst.name.clone(),
                                across_years: true,
                            });
                        }
                    }
                }
                out.push(FieldInfo {
                    edition: ed.to_string(),
                    id: f.id.clone(),
                    table: t.table.clone(),
                    table_name: t.name.clone(),
                    table_title: t.title.clone(),
                    row: row.key.clone(),
                    row_label: row.labels[0].clone(),
                    column: column.key.clone(),
                    column_label: column.labels[0].clone(),
                    kind: column.kind,
                    rules,
                });
            }
        }
    }
    out
}

/// The fields by edition and id, for the writers that label values.
pub struct Labels(BTreeMap<(String, String), FieldInfo>);

impl Labels {
    pub fn new(set: &TemplateSet) -> Labels {
        Labels(
            fields(set, None).into_iter().map(|f| ((f.edition.clone(), f.id.clone()), f)).collect(),
        )
    }

    pub fn get(&self, edition: &str, id: &str) -> Option<&FieldInfo> {
        self.0.get(&(edition.to_string(), id.to_string()))
    }

    /// The field in the latest edition that has it (for columns shared by
    /// every edition, such as a batch's).
    pub fn latest(&self, id: &str) -> Option<&FieldInfo> {
        self.0.values().rev().find(|f| f.id == id)
    }
}

pub const CSV_COLUMNS: &[&str] = &[
    "edition",
    "field",
    "table",
    "table_name",
    "row",
    "row_label",
    "column",
    "column_label",
    "kind",
    "rules",
];

fn rules_text(f: &FieldInfo) -> String {
    f.rules.iter().map(|r| format!("{} {}", r.rule, r.instance)).collect::<Vec<_>>().join("; ")
}

pub fn to_csv(fields: &[FieldInfo]) -> String {
    let mut text = csv_line(CSV_COLUMNS) + "\n";
    for f in fields {
        text += &csv_line(&[
            f.edition.as_str(),
            &f.id,
            &f.table,
            &f.table_name,
            &f.row,
            &f.row_label,
            &f.column,
            &f.column_label,
            kind_name(f.kind),
            &rules_text(f),
        ]);
        text.push('\n');
    }
    text
}

pub fn to_json(fields: &[FieldInfo]) -> Value {
    Value::Array(
        fields
            .iter()
            .map(|f| {
                json!({
                    "edition": f.edition,
                    "field": f.id,
                    "table": f.table,
                    "table_name": f.table_name,
                    "table_title": f.table_title,
                    "row": f.row,
                    "row_label": f.row_label,
                    "column": f.column,
                    "column_label": f.column_label,
                    "kind": kind_name(f.kind),
                    "rules": f.rules.iter().map(|r| json!({
                        "rule": r.rule,
                        "instance": r.instance,
                        "across_years": r.across_years,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// Markdown: per edition and table, the fields and a legend of the rules.
pub fn to_markdown(set: &TemplateSet, fields: &[FieldInfo]) -> String {
    let mut md = String::from(
        "# 字段词典 / Field dictionary\n\n\
         Generated from `models/` by `xxgk models fields --format md`; do not edit by\n\
         hand (a test checks that this copy is current). Field ids are\n\
         `<table>.<row>.<column>`; the labels are the official template's. `kind`:\n\
         `count` a non-negative integer, `signed` an integer that may be negative,\n\
         `amount` an exact decimal in 万元. `rules`: the rules of the report the field\n\
         is an operand of (R1–R5, see each table's legend) and the checks across\n\
         years that a batch makes (see the end).\n",
    );
    let mut current = (String::new(), String::new());
    for (i, f) in fields.iter().enumerate() {
        if current.0 != f.edition {
            md += &format!("\n## {} edition\n", f.edition);
        }
        if current != (f.edition.clone(), f.table.clone()) {
            current = (f.edition.clone(), f.table.clone());
            md += &format!("\n### {} {} (`{}`)\n\n", f.table_name, f.table_title, f.table);
            md += "| field | 行 (row) | 列 (column) | kind | rules |\n|---|---|---|---|---|\n";
        }
        let mut ids: Vec<&str> = Vec::new();
        for r in &f.rules {
            if !ids.contains(&r.rule.as_str()) {
                ids.push(&r.rule);
            }
        }
        md += &format!(
            "| `{}` | {} | {} | {} | {} |\n",
            f.id,
            f.row_label,
            f.column_label,
            kind_name(f.kind),
            ids.join(", ")
        );
        let last_of_table =
            fields.get(i + 1).is_none_or(|g| g.edition != f.edition || g.table != f.table);
        if let Some(t) =
            set.table(&f.edition, &f.table).filter(|t| last_of_table && !t.rules.is_empty())
        {
            md += "\n";
            for r in &t.rules {
                md += &format!("- {}: {}\n", r.id, r.description);
            }
        }
    }
    if !set.across.is_empty() {
        md += "\n## Checks across years (batch findings)\n\n";
        for c in &set.across {
            let editions = if c.editions.is_empty() {
                String::new()
            } else {
                format!(" (editions: {})", c.editions.join(", "))
            };
            md += &format!("- `{}`{editions}: {}\n", c.id, c.description);
        }
    }
    md
}
