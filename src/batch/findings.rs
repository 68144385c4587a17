//! Findings across the reports of a batch: what no single report can show.
//!
//! Reports are grouped by organization (compared after
//! [`crate::normalize::fold`]: width, spaces, quotes and brackets folded,
//! nothing else, so 某县人民政府办公室 and 某县人民政府 stay apart) and
//! year. Then:
//! - **checks across years** (`models/across.toml`, e.g. this year's
//!   上年结转 against last year's 结转下年度继续办理, per column): every
//!   report of year Y against every report of Y−1 of the same
//!   organization; an instance whose operands are all present and that does
//!   not hold is a finding. Missing values are no finding.
//! - **duplicates**: two reports of the same organization and year (the
//!   first in input order against each other one): one finding per field
//!   whose values differ, or one saying they agree (or that the editions
//!   differ).
//!
//! Each finding names both files and both values. A finding is about the
//! reports (a published report may contradict last year's), not a doubt
//! about a reading: it changes no verdict, status or exit code.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use super::output::write_atomic;
use crate::decimal::Dec;
use crate::dictionary::Labels;
use crate::error::BatchError;
use crate::normalize::fold;
use crate::report::{csv_line, json_text};
use crate::template::{AcrossCheck, AcrossInstance, TemplateSet, Term};

/// What findings need of one report, kept for the whole run (small: no
/// labels, the values as one string).
#[derive(Clone, Debug, PartialEq)]
pub struct Facts {
    pub organization: String,
    pub year: i64,
    pub edition: String,
    /// The values in the order of the report's `values`, as in the JSON
    /// ("" for null), joined by ','.
    values: String,
    /// The report's `findings` as it stands in its JSON (from a run before).
    pub before: Option<Value>,
}

impl Facts {
    /// `None` for a report without organization or year: it can be matched
    /// with nothing.
    pub fn of(report: &Value) -> Option<Facts> {
        let organization = report["organization"].as_str().filter(|o| !o.trim().is_empty())?;
        let values = report["values"].as_object()?;
        Some(Facts {
            organization: organization.to_string(),
            year: report["year"].as_i64()?,
            edition: report["edition"].as_str()?.to_string(),
            values: values.values().map(json_text).collect::<Vec<_>>().join(","),
            before: report.get("findings").cloned(),
        })
    }

    fn key(&self) -> String {
        fold(&self.organization)
    }

    /// Field id → value text, by the edition's field order.
    fn values(&self, templates: &TemplateSet) -> BTreeMap<String, Option<String>> {
        let ids = templates.field_ids(&self.edition);
        let texts: Vec<&str> = self.values.split(',').collect();
        if ids.len() != texts.len() {
            return BTreeMap::new();
        }
        ids.into_iter()
            .zip(texts)
            .map(|(id, t)| (id, (!t.is_empty()).then(|| t.to_string())))
            .collect()
    }
}

/// One report as findings see it: its place in the run's inputs, its file.
#[derive(Clone, Debug)]
pub struct Entry {
    pub index: usize,
    pub file: String,
    pub facts: Facts,
}

/// One finding; `this` and `other` are the two reports' input indices.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub check: String,
    pub organization: String,
    pub year: i64,
    pub file: String,
    pub field: Option<String>,
    pub value: Option<String>,
    /// What the check expects `value` to be (the other side of its equation).
    pub expected: Option<String>,
    pub other_year: i64,
    pub other_file: String,
    pub other_field: Option<String>,
    pub other_value: Option<String>,
    pub message: String,
    pub message_zh: String,
    pub this: usize,
    pub other: usize,
}

/// The columns of `findings.csv` (and the workbook's findings sheet).
pub const FINDING_COLUMNS: &[&str] = &[
    "check",
    "organization",
    "year",
    "file",
    "field",
    "value",
    "expected",
    "other_year",
    "other_file",
    "other_field",
    "other_value",
    "message",
    "message_zh",
];

impl Finding {
    pub fn cells(&self) -> Vec<String> {
        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
        vec![
            self.check.clone(),
            self.organization.clone(),
            self.year.to_string(),
            self.file.clone(),
            opt(&self.field),
            opt(&self.value),
            opt(&self.expected),
            self.other_year.to_string(),
            self.other_file.clone(),
            opt(&self.other_field),
            opt(&self.other_value),
            self.message.clone(),
            self.message_zh.clone(),
        ]
    }

    /// As it stands in each report concerned (`findings` in the JSON).
    pub fn to_json(&self) -> Value {
        let number = |o: &Option<String>| {
            o.as_deref().and_then(|t| serde_json::from_str::<Value>(t).ok()).unwrap_or(Value::Null)
        };
        json!({
            "check": self.check,
            "organization": self.organization,
            "year": self.year,
            "file": self.file,
            "field": self.field,
            "value": number(&self.value),
            "expected": number(&self.expected),
            "other_year": self.other_year,
            "other_file": self.other_file,
            "other_field": self.other_field,
            "other_value": number(&self.other_value),
            "message": self.message,
            "message_zh": self.message_zh,
        })
    }
}

/// `findings.csv`: the header, then one line per finding.
pub fn findings_csv(findings: &[Finding]) -> String {
    let mut text = csv_line(FINDING_COLUMNS) + "\n";
    for f in findings {
        text += &csv_line(&f.cells());
        text.push('\n');
    }
    text
}

/// Every finding over `entries`, ordered by organization, year, then file
/// name (not input order: a batch and `xxgk findings` over its output
/// folder, or its shards' outputs together, give the same findings).
pub fn find(entries: &[Entry], templates: &TemplateSet) -> Vec<Finding> {
    let labels = Labels::new(templates);
    let mut groups: BTreeMap<(String, i64), Vec<&Entry>> = BTreeMap::new();
    for e in entries {
        groups.entry((e.facts.key(), e.facts.year)).or_default().push(e);
    }
    for group in groups.values_mut() {
        group.sort_by(|a, b| a.file.as_bytes().cmp(b.file.as_bytes()));
    }
    let mut out = Vec::new();
    for ((key, year), this_year) in &groups {
        if let Some((first, rest)) = this_year.split_first() {
            for other in rest {
                duplicates(first, other, templates, &labels, &mut out);
            }
        }
        let Some(last_year) = groups.get(&(key.clone(), year - 1)) else { continue };
        for this in this_year {
            for last in last_year {
                for check in templates
                    .across
                    .iter()
                    .filter(|c| c.applies(&this.facts.edition, &last.facts.edition))
                {
                    across(check, this, last, templates, &labels, &mut out);
                }
            }
        }
    }
    out
}

fn finding(check: &str, this: &Entry, other: &Entry) -> Finding {
    Finding {
        check: check.to_string(),
        organization: this.facts.organization.clone(),
        year: this.facts.year,
        file: this.file.clone(),
        field: None,
        value: None,
        expected: None,
        other_year: other.facts.year,
        other_file: other.file.clone(),
        other_field: None,
        other_value: None,
        message: String::new(),
        message_zh: String::new(),
        this: this.index,
        other: other.index,
    }
}

fn label_zh(labels: &Labels, edition: &str, id: &str) -> String {
    labels.get(edition, id).map_or_else(
        || id.to_string(),
        |f| format!("{}“{}”{}", f.table_name, f.row_label, f.column_label),
    )
}

fn duplicates(
    first: &Entry,
    other: &Entry,
    templates: &TemplateSet,
    labels: &Labels,
    out: &mut Vec<Finding>,
) {
    let base = finding("duplicate", other, first);
    let same = format!("the same organization and year as {}", first.file);
    let same_zh = format!("与 {} 为同一机关、同一年度的报告", first.file);
    if other.facts.edition != first.facts.edition {
        out.push(Finding {
            message: format!(
                "{same}, but read as the {} edition, not the {}",
                other.facts.edition, first.facts.edition
            ),
            message_zh: format!(
                "{same_zh}，但格式版本不同（{} 版与 {} 版）",
                other.facts.edition, first.facts.edition
            ),
            ..base
        });
        return;
    }
    let (a, b) = (other.facts.values(templates), first.facts.values(templates));
    let differ: Vec<(&String, &Option<String>, &Option<String>)> =
        a.iter().filter_map(|(id, v)| b.get(id).filter(|w| *w != v).map(|w| (id, v, w))).collect();
    if differ.is_empty() {
        out.push(Finding {
            message: format!("{same}: every value agrees"),
            message_zh: format!("{same_zh}：数值全部一致"),
            ..base
        });
        return;
    }
    // In template order, not id order.
    let order = templates.field_ids(&other.facts.edition);
    let mut differ = differ;
    differ.sort_by_key(|(id, _, _)| order.iter().position(|o| o == *id));
    let n = differ.len();
    for (id, v, w) in differ {
        let show = |x: &Option<String>| x.clone().unwrap_or_else(|| "null".into());
        out.push(Finding {
            field: Some(id.clone()),
            value: v.clone(),
            other_field: Some(id.clone()),
            other_value: w.clone(),
            message: format!(
                "{same}, whose values differ in {n} fields: {id} is {} here, {} there",
                show(v),
                show(w)
            ),
            message_zh: format!(
                "{same_zh}，两者有 {n} 个数值不同：{} 此处为 {}，彼处为 {}",
                label_zh(labels, &other.facts.edition, id),
                show(v),
                show(w)
            ),
            ..base.clone()
        });
    }
}

fn across(
    check: &AcrossCheck,
    this: &Entry,
    last: &Entry,
    templates: &TemplateSet,
    labels: &Labels,
    out: &mut Vec<Finding>,
) {
    let (now, before) = (this.facts.values(templates), last.facts.values(templates));
    for inst in &check.instances {
        if let Some(f) = evaluate(check, inst, this, last, &now, &before, labels) {
            out.push(f);
        }
    }
}

/// A term with its value; `None` when absent or null in its report.
fn term_value(
    t: &Term,
    now: &BTreeMap<String, Option<String>>,
    before: &BTreeMap<String, Option<String>>,
) -> Option<Dec> {
    let values = if t.last_year { before } else { now };
    values.get(&t.field)?.as_deref().and_then(Dec::parse)
}

fn evaluate(
    check: &AcrossCheck,
    inst: &AcrossInstance,
    this: &Entry,
    last: &Entry,
    now: &BTreeMap<String, Option<String>>,
    before: &BTreeMap<String, Option<String>>,
    labels: &Labels,
) -> Option<Finding> {
    let side = |terms: &[Term]| -> Option<(Dec, Vec<(String, String)>)> {
        let mut sum = Dec::ZERO;
        let (mut en, mut zh) = (Vec::new(), Vec::new());
        for (i, t) in terms.iter().enumerate() {
            let v = term_value(t, now, before)?;
            sum = if t.negative { sum - v } else { sum + v };
            let (year, edition) = if t.last_year {
                (last.facts.year, &last.facts.edition)
            } else {
                (this.facts.year, &this.facts.edition)
            };
            let sign = match (i, t.negative) {
                (0, false) => "",
                (0, true) => "−",
                (_, false) => " + ",
                (_, true) => " − ",
            };
            en.push(format!("{sign}{} ({year}) {v}", t.field));
            zh.push(format!("{sign}{year}年{} {v}", label_zh(labels, edition, &t.field)));
        }
        Some((sum, en.into_iter().zip(zh).collect()))
    };
    let (lhs, lhs_text) = side(&inst.lhs)?;
    let (rhs, rhs_text) = side(&inst.rhs)?;
    if lhs == rhs {
        return None;
    }
    let join = |parts: &[(String, String)], zh: bool| -> String {
        parts.iter().map(|(e, z)| if zh { z.as_str() } else { e.as_str() }).collect()
    };
    let other = inst.lhs.iter().chain(&inst.rhs).find(|t| t.last_year)?;
    let compound = |parts: &[(String, String)], sum: Dec, zh: bool| {
        if parts.len() > 1 {
            format!("{} = {sum}", join(parts, zh))
        } else {
            join(parts, zh)
        }
    };
    Some(Finding {
        field: Some(inst.lhs[0].field.clone()),
        value: Some(lhs.to_string()),
        expected: Some(rhs.to_string()),
        other_field: Some(other.field.clone()),
        other_value: term_value(other, now, before).map(|v| v.to_string()),
        message: format!(
            "{}: {}, but {}",
            check.id,
            compound(&lhs_text, lhs, false),
            compound(&rhs_text, rhs, false)
        ),
        message_zh: format!(
            "{}：{}，而{}",
            check.description,
            compound(&lhs_text, lhs, true),
            compound(&rhs_text, rhs, true)
        ),
        ..finding(&check.id, this, last)
    })
}

/// Per report of `entries`, its new `findings` value when it differs from
/// what its JSON holds.
pub fn changes(entries: &[Entry], findings: &[Finding]) -> Vec<(usize, Option<Value>)> {
    let mut by: BTreeMap<usize, Vec<Value>> = BTreeMap::new();
    for f in findings {
        let j = f.to_json();
        by.entry(f.this).or_default().push(j.clone());
        if f.other != f.this {
            by.entry(f.other).or_default().push(j);
        }
    }
    entries
        .iter()
        .filter_map(|e| {
            let now = by.remove(&e.index).map(Value::Array);
            (now != e.facts.before).then_some((e.index, now))
        })
        .collect()
}

impl super::Summary {
    /// The reports of the run that findings can match (organization and
    /// year read), in input order.
    pub fn finding_entries(&self) -> Vec<Entry> {
        self.outcomes
            .iter()
            .enumerate()
            .filter_map(|(index, o)| {
                let facts = o.result.as_ref().ok()?.facts.clone()?;
                Some(Entry { index, file: o.path.display().to_string(), facts })
            })
            .collect()
    }

    /// Writes each report's findings into it (`findings`, last key; removed
    /// when it has none any more): into its output file, atomically, or its
    /// JSON kept in memory. Reports whose findings did not change are not
    /// touched.
    pub fn attach_findings(
        &mut self,
        entries: &[Entry],
        findings: &[Finding],
    ) -> Result<(), BatchError> {
        for (index, now) in changes(entries, findings) {
            let Ok(done) = &mut self.outcomes[index].result else { continue };
            if let Some(json) = &mut done.json {
                set_findings(json, now.clone());
            } else if let Some(out) = &done.output {
                rewrite(out, now.clone())?;
            }
            if let Some(f) = &mut done.facts {
                f.before = now;
            }
        }
        Ok(())
    }
}

/// Sets `findings` in the report at `out`.
fn rewrite(out: &Path, now: Option<Value>) -> Result<(), BatchError> {
    let error = |e: String| BatchError::Write { path: out.display().to_string(), message: e };
    let text = std::fs::read_to_string(out).map_err(|e| error(e.to_string()))?;
    let mut json: Value = serde_json::from_str(&text).map_err(|e| error(e.to_string()))?;
    set_findings(&mut json, now);
    let bytes = serde_json::to_string_pretty(&json).map_err(|e| error(e.to_string()))?;
    write_atomic(out, (bytes + "\n").as_bytes()).map_err(|e| error(e.to_string()))
}

/// `xxgk findings DIR`: the findings over every report under `dir`, an
/// output folder (of several shards, say), written into the reports
/// concerned. Returns them and the number of reports read. Files that are
/// not report JSON are passed over.
pub fn refresh_folder(
    dir: &Path,
    templates: &TemplateSet,
) -> Result<(Vec<Finding>, usize), BatchError> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| BatchError::Write {
            path: d.display().to_string(),
            message: format!("reading the folder: {e}"),
        })?;
        for e in entries.flatten() {
            let (p, name) = (e.path(), e.file_name().to_string_lossy().to_string());
            if name.starts_with('.') {
                continue;
            } else if p.is_dir() {
                stack.push(p);
            } else if name.ends_with(".json") {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut entries = Vec::new();
    let mut outputs = Vec::new();
    for p in files {
        let Ok(text) = std::fs::read_to_string(&p) else { continue };
        let Ok(json) = serde_json::from_str::<Value>(&text) else { continue };
        let Some(file) = json["source"]["path"].as_str() else { continue };
        if let Some(facts) = Facts::of(&json) {
            entries.push(Entry { index: outputs.len(), file: file.to_string(), facts });
        }
        outputs.push(p);
    }
    let findings = find(&entries, templates);
    for (index, now) in changes(&entries, &findings) {
        rewrite(&outputs[index], now)?;
    }
    Ok((findings, outputs.len()))
}

fn set_findings(json: &mut Value, findings: Option<Value>) {
    let Some(map) = json.as_object_mut() else { return };
    match findings {
        Some(f) => {
            map.insert("findings".into(), f);
        }
        None => {
            map.shift_remove("findings");
        }
    }
}
