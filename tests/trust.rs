//! Trust: no wrong value leaves the tool unpointed-at. Every text sample is
//! broken the ways real exports break (a separator lost between two number
//! cells of a 表三 or 表四 row, a number cell dropped, two adjacent rows'
//! values swapped), one break at a time, and every value of the output that
//! differs from what the broken text means must be in the review list.
//!
//! What the broken text means: a lost separator or a dropped cell does not
//! change the values the report states (the text just no longer shows them
//! all), so the truth stays; swapped rows state each other's values, so the
//! truth swaps too.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::util::{root, samples_with_truth};

/// A number cell of the text: where its token stands.
#[derive(Clone, Copy, Debug)]
struct Token {
    line: usize,
    start: usize,
    end: usize,
}

fn is_separator(c: char) -> bool {
    c == '\t' || c == ' ' || c == '|' || c == '\u{3000}'
}

/// Number tokens of a line: digit runs (with one decimal point) that stand
/// between separators or the line's ends, so a label's "1." is none.
fn number_tokens(line: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit()
            && (i == 0 || line[..i].chars().next_back().is_some_and(is_separator))
        {
            let mut j = i;
            while j < b.len()
                && (b[j].is_ascii_digit()
                    || (b[j] == b'.' && j + 1 < b.len() && b[j + 1].is_ascii_digit()))
            {
                j += 1;
            }
            if j == b.len() || line[j..].chars().next().is_some_and(is_separator) {
                out.push((i, j));
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// The number token of each located value of 表三 and 表四, by row id, in
/// column order; rows whose values cannot all be found are left out.
fn located_rows(lines: &[String], report: &Value) -> BTreeMap<String, Vec<(String, Token)>> {
    let mut by_line: BTreeMap<usize, Vec<(String, String)>> = BTreeMap::new();
    for (id, cell) in report["cells"].as_object().unwrap() {
        if !(id.starts_with("s3.") || id.starts_with("s4.")) {
            continue;
        }
        let (Some(line), Some(raw)) = (cell["location"]["line"].as_u64(), cell["raw"].as_str())
        else {
            continue;
        };
        if !raw.is_empty()
            && raw.bytes().all(|c| c.is_ascii_digit() || c == b'.')
            && cell["status"] == "read"
        {
            by_line.entry(line as usize).or_default().push((id.clone(), raw.to_string()));
        }
    }
    let mut rows: BTreeMap<String, Vec<(String, Token)>> = BTreeMap::new();
    let order: Vec<&String> = report["cells"].as_object().unwrap().keys().collect();
    for (line, mut cells) in by_line {
        let Some(text) = lines.get(line - 1) else { continue };
        cells.sort_by_key(|(id, _)| order.iter().position(|o| *o == id));
        let tokens = number_tokens(text);
        // Match the line's values to its tokens in order, from the right
        // (values follow the label).
        let mut k = tokens.len();
        for (id, raw) in cells.iter().rev() {
            while k > 0 && &text[tokens[k - 1].0..tokens[k - 1].1] != raw {
                k -= 1;
            }
            if k == 0 {
                break;
            }
            k -= 1;
            let (start, end) = tokens[k];
            let row = id.rsplit_once('.').unwrap().0.to_string();
            rows.entry(row).or_default().push((id.clone(), Token { line: line - 1, start, end }));
        }
    }
    for cells in rows.values_mut() {
        cells.sort_by_key(|(id, _)| order.iter().position(|o| *o == id));
    }
    rows
}

/// One broken copy of the text and the values it states.
struct Mutant {
    what: String,
    text: String,
    truth: BTreeMap<String, Value>,
}

/// `order`: the report's field ids in template order.
fn mutants(
    lines: &[String],
    rows: &BTreeMap<String, Vec<(String, Token)>>,
    truth: &BTreeMap<String, Value>,
    order: &[String],
) -> Vec<Mutant> {
    let join = |ls: &[String]| ls.join("\n");
    let mut out = Vec::new();
    for (row, cells) in rows {
        for w in cells.windows(2) {
            let ((a_id, a), (_, b)) = (&w[0], &w[1]);
            let mut ls = lines.to_vec();
            if a.line == b.line {
                let between = &ls[a.line][a.end..b.start];
                if between.is_empty() || !between.chars().all(is_separator) {
                    continue;
                }
                ls[a.line].replace_range(a.end..b.start, "");
            } else {
                // One cell per line: the next number line comes up.
                if !(a.line + 1..b.line).all(|l| ls[l].trim().is_empty())
                    || ls[b.line].trim() != &ls[b.line][b.start..b.end]
                {
                    continue;
                }
                let next = ls[b.line][b.start..b.end].to_string();
                ls[a.line].insert_str(a.end, &next);
                ls.drain(a.line + 1..=b.line);
            }
            out.push(Mutant {
                what: format!("glue {a_id} and its right neighbour"),
                text: join(&ls),
                truth: truth.clone(),
            });
        }
        for (id, t) in cells {
            let mut ls = lines.to_vec();
            let line = &ls[t.line];
            if line.trim() == &line[t.start..t.end] {
                ls.remove(t.line);
            } else {
                // The token and the separators before it.
                let from = line[..t.start].trim_end_matches(is_separator).len();
                ls[t.line].replace_range(from..t.end, "");
            }
            out.push(Mutant { what: format!("drop {id}"), text: join(&ls), truth: truth.clone() });
        }
        let _ = row;
    }
    // Rows next to each other in the template, with as many located values.
    let row_order: Vec<&str> = {
        let mut r: Vec<&str> = order.iter().map(|id| id.rsplit_once('.').unwrap().0).collect();
        r.dedup();
        r
    };
    for pair in row_order.windows(2) {
        if !rows.contains_key(pair[0]) || !rows.contains_key(pair[1]) {
            continue;
        }
        let (r1, r2) = (&rows[pair[0]], &rows[pair[1]]);
        let cols = |r: &Vec<(String, Token)>| {
            r.iter().map(|(id, _)| id.rsplit_once('.').unwrap().1.to_string()).collect::<Vec<_>>()
        };
        if cols(r1) != cols(r2) || r1.len() < 2 {
            continue;
        }
        let texts = |r: &Vec<(String, Token)>| {
            r.iter().map(|(_, t)| lines[t.line][t.start..t.end].to_string()).collect::<Vec<_>>()
        };
        let (v1, v2) = (texts(r1), texts(r2));
        if v1 == v2 {
            continue;
        }
        let mut edits: Vec<(Token, String)> = r1
            .iter()
            .map(|(_, t)| *t)
            .zip(v2.iter().cloned())
            .chain(r2.iter().map(|(_, t)| *t).zip(v1.iter().cloned()))
            .collect();
        edits.sort_by_key(|(t, _)| std::cmp::Reverse((t.line, t.start)));
        let mut ls = lines.to_vec();
        for (t, v) in edits {
            ls[t.line].replace_range(t.start..t.end, &v);
        }
        let mut truth = truth.clone();
        for ((a, _), (b, _)) in r1.iter().zip(r2) {
            let (va, vb) = (truth[a].clone(), truth[b].clone());
            truth.insert(a.clone(), vb);
            truth.insert(b.clone(), va);
        }
        out.push(Mutant {
            what: format!("swap {} and {}", pair[0], pair[1]),
            text: join(&ls),
            truth,
        });
    }
    out
}

fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        _ => a.is_null() && b.is_null(),
    }
}

/// Every text export sample, broken one way at a time: 0 silent wrong values.
#[test]
fn broken_exports_give_no_silent_wrong_value() {
    let templates = xxgk::TemplateSet::builtin().unwrap();
    let mut ran = 0;
    let mut kinds: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    let mut silent = Vec::new();
    for sub in ["seeds", "text"] {
        for sample in samples_with_truth(&root().join("samples").join(sub)) {
            let text = std::fs::read_to_string(&sample).unwrap();
            let name = sample.file_name().unwrap().to_string_lossy().to_string();
            let truth: Value = serde_json::from_str(
                &std::fs::read_to_string(crate::util::truth_path(&sample)).unwrap(),
            )
            .unwrap();
            let truth: BTreeMap<String, Value> =
                truth["values"].as_object().unwrap().clone().into_iter().collect();
            let original =
                xxgk::report::to_json(&xxgk::extract_str(&text, &name, &templates).unwrap());
            let order: Vec<String> =
                original["values"].as_object().unwrap().keys().cloned().collect();
            let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
            let rows = located_rows(&lines, &original);
            for m in mutants(&lines, &rows, &truth, &order) {
                ran += 1;
                let kind = m.what.split(' ').next().unwrap_or("");
                let entry = kinds
                    .entry(match kind {
                        "glue" => "glue",
                        "drop" => "drop",
                        _ => "swap",
                    })
                    .or_default();
                entry.0 += 1;
                let Ok(report) = xxgk::extract_str(&m.text, &name, &templates) else {
                    continue;
                };
                let out = xxgk::report::to_json(&report);
                let review: Vec<&str> = out["review"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|e| e["field"].as_str())
                    .collect();
                let mut exact = true;
                for (id, want) in &m.truth {
                    let got = &out["values"][id];
                    if same(got, want) {
                        continue;
                    }
                    exact = false;
                    if !got.is_null() && !review.contains(&id.as_str()) {
                        silent.push(format!("{name}: {}: {id} = {got}, truth {want}", m.what));
                    }
                }
                entry.1 += usize::from(exact);
                entry.2 += usize::from(!review.is_empty());
            }
        }
    }
    eprintln!("mutated inputs: {ran}; per kind (inputs, exact, with review entries): {kinds:?}");
    assert!(ran > 5000, "only {ran} mutated inputs");
    assert!(silent.is_empty(), "{} silent wrong values:\n{}", silent.len(), silent.join("\n"));
}
