//! The canonical templates, loaded from the data files in `models/`.
//!
//! In: TOML files (`models/<edition>/<table>.toml`, `models/sections.toml`;
//! the format is documented in `models/README.md`). Out: a [`TemplateSet`]
//! of compiled [`Template`]s: label cores precomputed, field ids in output
//! order, and every consistency rule expanded into instances over field
//! indices. Nothing about rows, labels or rules lives in Rust code.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use crate::error::TemplateError;
use crate::normalize::core;

/// The model files compiled into the binary, so it runs from anywhere.
/// `--models DIR` loads a directory instead (for curators).
const BUILTIN: &[(&str, &str)] = &[
    ("2019/s2.toml", include_str!("../models/2019/s2.toml")),
    ("2019/s3.toml", include_str!("../models/2019/s3.toml")),
    ("2019/s4.toml", include_str!("../models/2019/s4.toml")),
    ("2021/s2.toml", include_str!("../models/2021/s2.toml")),
    ("2021/s3.toml", include_str!("../models/2021/s3.toml")),
    ("2021/s4.toml", include_str!("../models/2021/s4.toml")),
    ("sections.toml", include_str!("../models/sections.toml")),
];

const SCHEMA: u32 = 1;

// ---- the files, as written -------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    schema: u32,
    edition: String,
    table: String,
    name: String,
    title: String,
    #[serde(default)]
    headers: Vec<String>,
    #[serde(default)]
    flat: bool,
    columns: Vec<ColumnFile>,
    rows: Vec<RowFile>,
    #[serde(default)]
    checks: Vec<CheckFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnFile {
    key: String,
    labels: Vec<String>,
    kind: ColumnKind,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RowFile {
    key: String,
    labels: Vec<String>,
    #[serde(default)]
    kind: RowKind,
    columns: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckFile {
    id: String,
    description: String,
    over: Over,
    lhs: Vec<String>,
    rhs: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionsFile {
    schema: u32,
    sections: Vec<SectionFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionFile {
    key: String,
    labels: Vec<String>,
    table: Option<String>,
}

// ---- compiled --------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// Non-negative integer.
    Count,
    /// Integer that may be negative (2019 本年增/减).
    Signed,
    /// Decimal amount, normalized to 万元.
    Amount,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RowKind {
    /// A row with values.
    #[default]
    Data,
    /// A label-only cell merged over its children.
    Group,
    /// A group whose values are the sum of its children (a check says which),
    /// or its own values where a report prints it as one row.
    Sum,
    /// A caption row (第二十条第（一）项) that starts a sub-table.
    Caption,
}

impl RowKind {
    pub fn has_values(self) -> bool {
        matches!(self, RowKind::Data | RowKind::Sum)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Over {
    /// One instance per column; `lhs`/`rhs` name rows.
    Columns,
    /// One instance per row that has all the named columns; `lhs`/`rhs` name columns.
    Rows,
}

#[derive(Clone, Debug)]
pub struct Column {
    pub key: String,
    pub labels: Vec<String>,
    pub cores: Vec<String>,
    pub kind: ColumnKind,
}

#[derive(Clone, Debug)]
pub struct Row {
    pub key: String,
    pub labels: Vec<String>,
    pub cores: Vec<String>,
    pub kind: RowKind,
    /// Indices into `Template::columns`, left to right.
    pub columns: Vec<usize>,
    /// Index of this row's first field in `Template::fields`.
    pub first_field: usize,
}

/// One cell of the output: `<table>.<row>.<column>`.
#[derive(Clone, Debug)]
pub struct Field {
    pub id: String,
    pub row: usize,
    pub column: usize,
}

/// One instance of a rule: `sum(lhs) = sum(rhs)` over field indices.
#[derive(Clone, Debug)]
pub struct CheckInstance {
    pub rule: String,
    /// Which row or column the instance is for ("s3.new", "s3.*.natural").
    pub name: String,
    pub lhs: Vec<usize>,
    pub rhs: Vec<usize>,
}

#[derive(Clone, Debug)]
pub struct RuleInfo {
    pub id: String,
    pub description: String,
    /// Whether its instances run along rows or down columns: a value in a
    /// table with both kinds needs one of each to be confirmed.
    pub over: Over,
}

#[derive(Clone, Debug)]
pub struct Template {
    pub edition: String,
    pub table: String,
    /// What reports call the table (表三), for messages.
    pub name: String,
    pub title: String,
    pub header_cores: Vec<String>,
    pub flat: bool,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub fields: Vec<Field>,
    pub rules: Vec<RuleInfo>,
    pub checks: Vec<CheckInstance>,
}

impl Template {
    pub fn row_index(&self, key: &str) -> Option<usize> {
        self.rows.iter().position(|r| r.key == key)
    }

    pub fn column_index(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.key == key)
    }

    /// The field index of (row, column), if that row has that column.
    pub fn field(&self, row: usize, column: usize) -> Option<usize> {
        let r = &self.rows[row];
        r.columns
            .iter()
            .position(|&c| c == column)
            .filter(|_| r.kind.has_values())
            .map(|i| r.first_field + i)
    }
}

#[derive(Clone, Debug)]
pub struct Section {
    pub key: String,
    pub cores: Vec<String>,
    pub table: Option<String>,
}

/// A label only one edition has: seeing it votes for that edition.
#[derive(Clone, Debug)]
pub struct EditionSignal {
    pub edition: String,
    pub core: String,
    /// Column headers weigh 3 (the decisive signal of fields.md), rows 2.
    pub weight: u32,
}

/// Every template of every edition, plus the section headings.
#[derive(Clone, Debug)]
pub struct TemplateSet {
    pub tables: Vec<Template>,
    pub sections: Vec<Section>,
    pub edition_signals: Vec<EditionSignal>,
}

impl TemplateSet {
    /// The templates compiled into the binary from `models/`.
    pub fn builtin() -> Result<TemplateSet, TemplateError> {
        let files: Vec<(String, String)> =
            BUILTIN.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
        TemplateSet::from_files(&files)
    }

    /// Loads `<dir>/sections.toml` and `<dir>/<edition>/<table>.toml`.
    pub fn load_dir(dir: &Path) -> Result<TemplateSet, TemplateError> {
        let mut files = Vec::new();
        let mut walk = vec![dir.to_path_buf()];
        while let Some(d) = walk.pop() {
            let entries = std::fs::read_dir(&d).map_err(|e| TemplateError::Io {
                path: d.display().to_string(),
                message: e.to_string(),
            })?;
            for entry in entries.flatten() {
                let p = entry.path();
                if p.is_dir() {
                    walk.push(p);
                } else if p.extension().is_some_and(|e| e == "toml") {
                    let text = std::fs::read_to_string(&p).map_err(|e| TemplateError::Io {
                        path: p.display().to_string(),
                        message: e.to_string(),
                    })?;
                    let name =
                        p.strip_prefix(dir).unwrap_or(&p).to_string_lossy().replace('\\', "/");
                    files.push((name, text));
                }
            }
        }
        files.sort();
        TemplateSet::from_files(&files)
    }

    fn from_files(files: &[(String, String)]) -> Result<TemplateSet, TemplateError> {
        let mut tables = Vec::new();
        let mut sections = None;
        let mut problems = Vec::new();
        for (name, text) in files {
            let result = if name.ends_with("sections.toml") {
                compile_sections(name, text).map(|s| sections = Some(s))
            } else {
                compile_table(name, text).map(|t| tables.push(t))
            };
            if let Err(e) = result {
                problems.push(e);
            }
        }
        if !problems.is_empty() {
            // Later checks would only repeat these.
            return Err(TemplateError::Invalid(problems));
        }
        let Some(sections) = sections else {
            problems.push("sections.toml: missing".to_string());
            return Err(TemplateError::Invalid(problems));
        };
        let editions: BTreeSet<&str> = tables.iter().map(|t| t.edition.as_str()).collect();
        for ed in &editions {
            let mut seen = BTreeSet::new();
            for t in tables.iter().filter(|t| t.edition == *ed) {
                if !seen.insert(t.table.as_str()) {
                    problems.push(format!("edition {ed}: table {} defined twice", t.table));
                }
            }
            for s in sections.iter().filter_map(|s| s.table.as_deref()) {
                if !seen.contains(s) {
                    problems.push(format!(
                        "edition {ed}: no template for table {s} named in sections.toml"
                    ));
                }
            }
        }
        if !problems.is_empty() {
            return Err(TemplateError::Invalid(problems));
        }
        let edition_signals = edition_signals(&tables);
        Ok(TemplateSet { tables, sections, edition_signals })
    }

    pub fn editions(&self) -> Vec<&str> {
        let set: BTreeSet<&str> = self.tables.iter().map(|t| t.edition.as_str()).collect();
        set.into_iter().collect()
    }

    pub fn table(&self, edition: &str, table: &str) -> Option<&Template> {
        self.tables.iter().find(|t| t.edition == edition && t.table == table)
    }

    /// The tables of one edition in section order.
    pub fn edition_tables(&self, edition: &str) -> Vec<&Template> {
        self.sections
            .iter()
            .filter_map(|s| s.table.as_deref())
            .filter_map(|t| self.table(edition, t))
            .collect()
    }

    /// Every field id of an edition, in output order.
    pub fn field_ids(&self, edition: &str) -> Vec<String> {
        self.edition_tables(edition)
            .iter()
            .flat_map(|t| t.fields.iter().map(|f| f.id.clone()))
            .collect()
    }

    /// Every field id of every edition, once each, editions in order and
    /// fields in template order. A batch's CSV uses these as its columns so
    /// that they depend on the models only, never on which reports came in:
    /// shards and reruns then give CSVs that concatenate.
    pub fn all_field_ids(&self) -> Vec<String> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for ed in self.editions() {
            for id in self.field_ids(ed) {
                if seen.insert(id.clone()) {
                    out.push(id);
                }
            }
        }
        out
    }
}

/// Labels (column headers, then rows) that no other edition has.
fn edition_signals(tables: &[Template]) -> Vec<EditionSignal> {
    let mut out: Vec<EditionSignal> = Vec::new();
    for t in tables {
        let labels = t
            .columns
            .iter()
            .flat_map(|c| c.cores.iter().map(|l| (l, 3)))
            .chain(t.rows.iter().flat_map(|r| r.cores.iter().map(|l| (l, 2))));
        for (l, weight) in labels {
            let elsewhere = tables.iter().filter(|o| o.edition != t.edition).any(|o| {
                o.columns
                    .iter()
                    .flat_map(|c| &c.cores)
                    .chain(o.rows.iter().flat_map(|r| &r.cores))
                    .any(|x| x == l)
            });
            if !elsewhere && !out.iter().any(|s| s.edition == t.edition && &s.core == l) {
                out.push(EditionSignal { edition: t.edition.clone(), core: l.clone(), weight });
            }
        }
    }
    out
}

fn compile_sections(name: &str, text: &str) -> Result<Vec<Section>, String> {
    let file: SectionsFile = toml::from_str(text).map_err(|e| toml_error(name, text, &e))?;
    if file.schema != SCHEMA {
        return Err(format!("{name}: schema {} is not supported (expected {SCHEMA})", file.schema));
    }
    Ok(file
        .sections
        .into_iter()
        .map(|s| Section {
            key: s.key,
            cores: s.labels.iter().map(|l| core(l)).collect(),
            table: s.table,
        })
        .collect())
}

fn compile_table(name: &str, text: &str) -> Result<Template, String> {
    let file: TableFile = toml::from_str(text).map_err(|e| toml_error(name, text, &e))?;
    let mut problems = Vec::new();
    if file.schema != SCHEMA {
        problems.push(format!("schema {} is not supported (expected {SCHEMA})", file.schema));
    }
    let columns: Vec<Column> = file
        .columns
        .iter()
        .map(|c| Column {
            key: c.key.clone(),
            labels: c.labels.clone(),
            cores: c.labels.iter().map(|l| core(l)).collect(),
            kind: c.kind,
        })
        .collect();
    check_unique("column", columns.iter().map(|c| c.key.as_str()), &mut problems);
    check_unique("row", file.rows.iter().map(|r| r.key.as_str()), &mut problems);
    let mut rows = Vec::new();
    let mut fields = Vec::new();
    for r in &file.rows {
        if r.labels.is_empty() {
            problems.push(format!("row {}: no labels", r.key));
        }
        let cols: Vec<usize> = match &r.columns {
            Some(keys) => keys
                .iter()
                .filter_map(|k| {
                    let i = columns.iter().position(|c| &c.key == k);
                    if i.is_none() {
                        problems.push(format!("row {}: unknown column {k}", r.key));
                    }
                    i
                })
                .collect(),
            None => (0..columns.len()).collect(),
        };
        if r.columns.is_some() && !r.kind.has_values() {
            problems.push(format!("row {}: a {:?} row has no columns", r.key, r.kind));
        }
        let first_field = fields.len();
        if r.kind.has_values() {
            for &c in &cols {
                fields.push(Field {
                    id: format!("{}.{}.{}", file.table, r.key, columns[c].key),
                    row: rows.len(),
                    column: c,
                });
            }
        }
        rows.push(Row {
            key: r.key.clone(),
            labels: r.labels.clone(),
            cores: r.labels.iter().map(|l| core(l)).collect(),
            kind: r.kind,
            columns: cols,
            first_field,
        });
    }
    let mut template = Template {
        edition: file.edition.clone(),
        table: file.table.clone(),
        name: file.name,
        title: file.title,
        header_cores: file.headers.iter().map(|h| core(h)).collect(),
        flat: file.flat,
        columns,
        rows,
        fields,
        rules: file
            .checks
            .iter()
            .map(|c| RuleInfo {
                id: c.id.clone(),
                description: c.description.clone(),
                over: c.over,
            })
            .collect(),
        checks: Vec::new(),
    };
    for c in &file.checks {
        match expand_check(&template, c) {
            Ok(mut inst) => template.checks.append(&mut inst),
            Err(e) => problems.push(e),
        }
    }
    if problems.is_empty() {
        Ok(template)
    } else {
        Err(problems.iter().map(|p| format!("{name}: {p}")).collect::<Vec<_>>().join("\n"))
    }
}

/// "2019/s2.toml:5: unknown field `colour`, expected one of …" on one line.
fn toml_error(name: &str, text: &str, e: &toml::de::Error) -> String {
    let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
    let message = e.message().trim().replace('\n', " ");
    match line {
        Some(l) => format!("{name}:{l}: {message}"),
        None => format!("{name}: {message}"),
    }
}

fn check_unique<'a>(what: &str, keys: impl Iterator<Item = &'a str>, problems: &mut Vec<String>) {
    let mut seen = BTreeSet::new();
    for k in keys {
        if !seen.insert(k) {
            problems.push(format!("duplicate {what} key {k}"));
        }
    }
}

fn expand_check(t: &Template, c: &CheckFile) -> Result<Vec<CheckInstance>, String> {
    let mut out = Vec::new();
    match c.over {
        Over::Columns => {
            let find = |k: &String| {
                t.row_index(k).ok_or_else(|| format!("check {}: unknown row {k}", c.id))
            };
            let lhs = c.lhs.iter().map(find).collect::<Result<Vec<_>, _>>()?;
            let rhs = c.rhs.iter().map(find).collect::<Result<Vec<_>, _>>()?;
            for (ci, col) in t.columns.iter().enumerate() {
                let cells = |rows: &[usize]| {
                    rows.iter().map(|&r| t.field(r, ci)).collect::<Option<Vec<_>>>()
                };
                if let (Some(l), Some(r)) = (cells(&lhs), cells(&rhs)) {
                    out.push(CheckInstance {
                        rule: c.id.clone(),
                        name: format!("{}.*.{}", t.table, col.key),
                        lhs: l,
                        rhs: r,
                    });
                }
            }
        }
        Over::Rows => {
            let find = |k: &String| {
                t.column_index(k).ok_or_else(|| format!("check {}: unknown column {k}", c.id))
            };
            let lhs = c.lhs.iter().map(find).collect::<Result<Vec<_>, _>>()?;
            let rhs = c.rhs.iter().map(find).collect::<Result<Vec<_>, _>>()?;
            for (ri, row) in t.rows.iter().enumerate() {
                let cells = |cols: &[usize]| {
                    cols.iter().map(|&col| t.field(ri, col)).collect::<Option<Vec<_>>>()
                };
                if let (Some(l), Some(r)) = (cells(&lhs), cells(&rhs)) {
                    out.push(CheckInstance {
                        rule: c.id.clone(),
                        name: format!("{}.{}", t.table, row.key),
                        lhs: l,
                        rhs: r,
                    });
                }
            }
        }
    }
    if out.is_empty() {
        return Err(format!("check {}: applies to no row or column", c.id));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_templates_compile_with_the_documented_field_counts() {
        let set = TemplateSet::builtin().unwrap();
        assert_eq!(set.editions(), vec!["2019", "2021"]);
        assert_eq!(set.field_ids("2019").len(), 22 + 161 + 15);
        assert_eq!(set.field_ids("2021").len(), 10 + 182 + 15);
        let s3 = set.table("2021", "s3").unwrap();
        let count = |rule: &str| s3.checks.iter().filter(|c| c.rule == rule).count();
        assert_eq!((count("R1"), count("R2"), count("R3"), count("R5")), (7, 26, 7, 7));
        assert_eq!(set.table("2019", "s4").unwrap().checks.len(), 3);
    }

    #[test]
    fn unknown_keys_and_bad_references_are_reported_with_the_file() {
        let bad = "schema = 1\nedition = \"2019\"\ntable = \"s9\"\nname = \"表九\"\ntitle = \"x\"\ncolour = 1\ncolumns = []\nrows = []\n";
        let err = compile_table("2019/s9.toml", bad).unwrap_err();
        assert!(
            err.starts_with("2019/s9.toml:6: unknown field `colour`, expected one of"),
            "{err}"
        );
        let bad_ref = "schema = 1\nedition = \"2019\"\ntable = \"s9\"\nname = \"表九\"\ntitle = \"x\"\n[[columns]]\nkey = \"a\"\nlabels = [\"A\"]\nkind = \"count\"\n[[rows]]\nkey = \"r\"\nlabels = [\"R\"]\ncolumns = [\"b\"]\n";
        let err = compile_table("2019/s9.toml", bad_ref).unwrap_err();
        assert_eq!(err, "2019/s9.toml: row r: unknown column b");
    }
}
