//! The pipeline: text → segments → edition → tables → checks → [`Report`].

use crate::doc::TextDoc;
use crate::error::DocumentError;
use crate::findings::FieldOut;
use crate::findings::Status;
use crate::findings::{Report, SourceInfo, Warning};
use crate::normalize::{core, similarity};
use crate::segment::{segment, Segments};
use crate::solve::resolve;
use crate::source::text;
use crate::table::read_table;
use crate::template::{RowKind, Template, TemplateSet};
use crate::value::{classify, is_cjk, TokenClass};

/// A document with fewer CJK characters than this is not a Chinese report.
const MIN_CJK: usize = 20;
/// An edition label counts as seen at this similarity (strict: 处理决定数量
/// and 本年处理决定数量 must not both count).
const EDITION_SIGNAL: f32 = 0.85;

/// Extracts a report from the text of a text export.
pub fn extract_text(
    text: &str,
    source: SourceInfo,
    templates: &TemplateSet,
) -> Result<Report, DocumentError> {
    extract(&text::read(text), source, templates)
}

/// Extracts a report from a document of any kind.
pub fn extract(
    doc: &TextDoc,
    source: SourceInfo,
    templates: &TemplateSet,
) -> Result<Report, DocumentError> {
    let cjk: usize = doc
        .lines
        .iter()
        .flat_map(|l| &l.cells)
        .map(|c| c.text.chars().filter(|c| is_cjk(*c)).count())
        .sum();
    if cjk < MIN_CJK {
        return Err(DocumentError::NotChinese);
    }
    let unfolded = crate::segment::unfold(doc, templates);
    let doc = unfolded.as_ref().unwrap_or(doc);
    let seg = segment(doc, templates);
    let mut warnings = Vec::new();
    let edition = decide_edition(doc, &seg, templates, &mut warnings)?;
    let mut field_ids = Vec::new();
    let mut cells: Vec<FieldOut> = Vec::new();
    let mut checks = Vec::new();
    let mut rows_found = 0;
    let glued = crate::table::is_glued(&doc.lines);
    for t in templates.edition_tables(&edition) {
        let region = seg.regions.get(&t.table).cloned();
        let read = match &region {
            Some(r) => read_table(&doc.lines[r.clone()], t, glued),
            None => {
                warnings.push(Warning::scoped(
                    "table-not-found",
                    &t.table,
                    format!("{}: table {} ({}) not found", t.table, t.table, t.title),
                ));
                Default::default()
            }
        };
        rows_found += read.units.len();
        let excused = parts_of_unsplit_sums(t, &read.missing_rows);
        for &j in &read.missing_rows {
            if region.is_some() && t.rows[j].kind == RowKind::Data && !excused.contains(&j) {
                warnings.push(Warning::scoped(
                    "row-not-found",
                    &format!("{}.{}", t.table, t.rows[j].key),
                    format!(
                        "{}: row {} ({}) not found",
                        t.table, t.rows[j].key, t.rows[j].labels[0]
                    ),
                ));
            }
        }
        warnings.extend(read.warnings.iter().cloned());
        let resolved = resolve(t, &read);
        for (f, cell) in t.fields.iter().zip(&resolved.cells) {
            if let Some(note) = &cell.note {
                if note.contains("taken as") {
                    warnings.push(Warning::field(
                        "no-unit",
                        &f.id,
                        cell.loc,
                        format!("{}: {note}", f.id),
                    ));
                }
            }
        }
        field_ids.extend(t.fields.iter().map(|f| f.id.clone()));
        cells.extend(resolved.cells);
        checks.extend(resolved.checks);
        warnings.extend(resolved.warnings);
    }
    if rows_found == 0 {
        return Err(if seg.year.is_some_and(|y| y <= 2018) {
            DocumentError::Legacy
        } else {
            DocumentError::NotAReport
        });
    }
    debug_assert!(cells.iter().all(|c| c.value.is_some() || c.status == Status::Missing));
    Ok(Report {
        edition,
        year: seg.year,
        organization: seg.organization,
        title: seg.title,
        source,
        field_ids,
        cells,
        checks,
        warnings,
        review: Vec::new(),
        tally: Default::default(),
        tool: None,
        pages: Vec::new(),
    })
}

/// The rows under a sum row that the report printed as one row (2021
/// （六）其他处理 without its three rows): they are absent by the template's
/// own allowance, not lost.
fn parts_of_unsplit_sums(t: &Template, missing: &[usize]) -> Vec<usize> {
    let mut excused = Vec::new();
    for c in &t.checks {
        let [total] = c.lhs.as_slice() else { continue };
        let sum_row = t.fields[*total].row;
        let parts: Vec<usize> = c.rhs.iter().map(|&f| t.fields[f].row).collect();
        if t.rows[sum_row].kind == RowKind::Sum
            && !missing.contains(&sum_row)
            && parts.iter().all(|p| missing.contains(p))
        {
            excused.extend(parts);
        }
    }
    excused
}

/// Decides the edition from the labels that only one edition has (s2 column
/// headers weigh most, then rows such as 政府集中采购 or 1.申请人无正当理由逾期不补正…),
/// with the report year as a prior. Tables win over the year, with a warning.
fn decide_edition(
    doc: &TextDoc,
    seg: &Segments,
    templates: &TemplateSet,
    warnings: &mut Vec<Warning>,
) -> Result<String, DocumentError> {
    let editions = templates.editions();
    let signals = &templates.edition_signals;
    let lines: Vec<usize> = if seg.regions.is_empty() {
        (0..doc.lines.len()).collect()
    } else {
        seg.regions.values().flat_map(|r| r.clone()).collect()
    };
    // Labels both editions share: a text closer to one of them than to any
    // signal is not evidence (OCR turns 第二十条第（五）项, in both, into
    // something as close to 2019's 第二十条第（九）项).
    let shared: Vec<&String> = editions
        .iter()
        .flat_map(|e| templates.edition_tables(e))
        .flat_map(|t| {
            t.rows.iter().flat_map(|r| &r.cores).chain(t.columns.iter().flat_map(|c| &c.cores))
        })
        .filter(|c| !signals.iter().any(|s| &s.core == *c))
        .collect();
    let mut seen = vec![false; signals.len()];
    for &i in &lines {
        for cell in &doc.lines[i].cells {
            let c = match classify(&cell.text) {
                TokenClass::Text => core(&cell.text),
                TokenClass::Glued { label, .. } | TokenClass::Labeled { label, .. } => core(&label),
                _ => continue,
            };
            if c.is_empty() {
                continue;
            }
            // The single best label for this text; on a tie the longer, more specific one.
            let best = signals
                .iter()
                .enumerate()
                .map(|(k, s)| (k, similarity(&c, &s.core), s.core.len()))
                .filter(|x| x.1 >= EDITION_SIGNAL)
                .max_by(|a, b| a.1.total_cmp(&b.1).then(a.2.cmp(&b.2)));
            let best = best.filter(|b| !shared.iter().any(|l| similarity(&c, l) >= b.1));
            if let Some((k, _, _)) = best {
                tracing::debug!(target: "xxgk::table", "edition signal {} {:?} from {:?}",
                        signals[k].edition, signals[k].core, cell.text);
                seen[k] = true;
            }
        }
    }
    let score = |ed: &str| {
        signals
            .iter()
            .zip(&seen)
            .filter(|(s, seen)| **seen && s.edition == ed)
            .map(|(s, _)| s.weight)
            .sum::<u32>()
    };
    let scores: Vec<(u32, &str)> = editions.iter().map(|e| (score(e), *e)).collect();
    let best = scores.iter().max().copied();
    let by_year = seg.year.map(|y| {
        if y <= 2018 {
            "legacy"
        } else if y <= 2020 {
            "2019"
        } else {
            "2021"
        }
    });
    let from_tables = best
        .filter(|(s, _)| *s > 0)
        .filter(|(s, _)| scores.iter().filter(|x| x.0 == *s).count() == 1)
        .map(|(_, e)| e);
    match (from_tables, by_year) {
        (Some(e), Some(y)) if y != e => {
            warnings.push(Warning::new("edition-year-mismatch", format!("the tables follow the {e} template but the report year is {}; trusting the tables", seg.year.unwrap_or_default())));
            Ok(e.to_string())
        }
        (Some(e), _) => Ok(e.to_string()),
        (None, Some("legacy")) => Err(DocumentError::Legacy),
        (None, Some(y)) => {
            warnings.push(Warning::new("edition-from-year", format!("the tables do not show which template they follow; using the {y} edition from the report year")));
            Ok(y.to_string())
        }
        (None, None) => match by_structure(doc, seg, templates) {
            Some(e) => {
                warnings.push(Warning::new("edition-from-structure", format!("neither the labels nor the year show the template; the tables fit the {e} edition's rows and rules best")));
                Ok(e)
            }
            None => Err(DocumentError::NotAReport),
        },
    }
}

/// The edition under whose templates the tables satisfy the most rule
/// instances, less those they fail (ties: none). For text whose labels are too garbled to name
/// the edition (OCR of poor scans): the rows' order and the arithmetic
/// still tell the 2019 and 2021 s3 apart.
fn by_structure(doc: &TextDoc, seg: &Segments, templates: &TemplateSet) -> Option<String> {
    let glued = crate::table::is_glued(&doc.lines);
    use crate::findings::CheckStatus;
    let mut scores: Vec<(i64, &str)> = Vec::new();
    for ed in templates.editions().into_iter().filter(|e| *e != "legacy") {
        let mut score = 0i64;
        for t in templates.edition_tables(ed) {
            let Some(r) = seg.regions.get(&t.table) else {
                continue;
            };
            let read = read_table(&doc.lines[r.clone()], t, glued);
            let checks = resolve(t, &read).checks;
            tracing::debug!(target: "xxgk::table", "edition {ed} {}: {:?}",
                    t.table,
                    checks
                        .iter()
                        .map(|c| format!("{}:{:?}", c.instance, c.status))
                        .collect::<Vec<_>>());
            score += checks
                .iter()
                .map(|c| match c.status {
                    CheckStatus::Ok => 1,
                    CheckStatus::Failed => -1,
                    CheckStatus::Skipped => 0,
                })
                .sum::<i64>();
        }
        scores.push((score, ed));
    }
    let best = scores.iter().max()?;
    (best.0 > 0 && scores.iter().filter(|s| s.0 == best.0).count() == 1).then(|| best.1.to_string())
}
