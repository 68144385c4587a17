//! Stage: output. A person's decisions on review entries (`review.csv`,
//! downloaded from the review page or written by hand), applied to a
//! report's JSON on a later run (`xxgk extract --decisions`): the value
//! gets status `reviewed`, the decision and who made it when are kept in
//! the cell, its review entries leave the review list. A decision made on
//! other bytes of the input (another sha256) is not applied but reported.
//!
//! ```text
//! file,sha256,field,decision,who,when
//! a/r.pdf,3f…,s3.total.total,accept,li,2026-12-07T10:00:00Z
//! a/r.pdf,3f…,s2.rules.made,value 12,li,2026-12-07T10:00:00Z
//! a/r.pdf,,s3.new.natural,null,li,2026-12-07
//! ```
//! `file` is the input's path as the run names it, or its path under the
//! output folder; an empty `sha256` applies to any bytes.

use serde_json::{json, Value};

use crate::decimal::Dec;

#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    Accept,
    Value(Dec),
    Null,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub file: String,
    pub sha256: String,
    pub field: String,
    pub decision: Decision,
    pub who: String,
    pub when: String,
}

/// Parses `review.csv`; an error names the line and what is wrong.
pub fn parse(text: &str) -> Result<Vec<Entry>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let cells = split(line);
        if n == 0 && cells.first().is_some_and(|c| c == "file") || line.trim().is_empty() {
            continue;
        }
        let [file, sha256, field, decision, who, when] = &cells[..] else {
            return Err(format!(
                "line {}: {} columns, expected 6 (file,sha256,field,decision,who,when)",
                n + 1,
                cells.len()
            ));
        };
        let decision = match decision.trim() {
            "accept" => Decision::Accept,
            "null" => Decision::Null,
            d => match d.strip_prefix("value").map(str::trim).and_then(Dec::parse) {
                Some(v) => Decision::Value(v),
                _ => {
                    return Err(format!(
                        "line {}: decision {d:?}: expected accept, null or value N",
                        n + 1
                    ))
                }
            },
        };
        out.push(Entry {
            file: file.clone(),
            sha256: sha256.trim().to_string(),
            field: field.trim().to_string(),
            decision,
            who: who.clone(),
            when: when.clone(),
        });
    }
    Ok(out)
}

/// One CSV line's cells (RFC 4180 quoting).
fn split(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            (c, _) => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

/// Applies `decisions` (those of this input) to a report's JSON; returns
/// one message per decision not applied.
pub fn apply(json: &mut Value, decisions: &[&Entry]) -> Vec<String> {
    let mut refused = Vec::new();
    if decisions.is_empty() {
        return refused;
    }
    let sha = json["source"]["sha256"].as_str().unwrap_or_default().to_string();
    for d in decisions {
        if !d.sha256.is_empty() && d.sha256 != sha {
            refused.push(format!(
                "decision on {} not applied: the input changed since it was reviewed (sha256 {} then, {} now)",
                d.field, d.sha256, sha
            ));
            continue;
        }
        if json["values"].get(&d.field).is_none() {
            refused
                .push(format!("decision on {} not applied: no such field in this report", d.field));
            continue;
        }
        let cell = &json["cells"][&d.field];
        // A value decided again keeps what the tool first gave.
        let previous = if cell["status"] == "reviewed" {
            cell["decision"]["previous"].clone()
        } else {
            json!({"value": json["values"][&d.field], "status": cell["status"]})
        };
        let (name, value) = match &d.decision {
            Decision::Accept => ("accept", json["values"][&d.field].clone()),
            Decision::Value(v) => {
                ("value", serde_json::from_str(&v.to_string()).unwrap_or(Value::Null))
            }
            Decision::Null => ("null", Value::Null),
        };
        let cell = &mut json["cells"][&d.field];
        let was_missing = cell["status"] == "missing" && cell["location"].is_null();
        cell["status"] = json!("reviewed");
        cell["decision"] =
            json!({"decision": name, "who": d.who, "when": d.when, "previous": previous});
        json["values"][&d.field] = value;
        if let Some(review) = json["review"].as_array_mut() {
            review.retain(|e| e["field"] != d.field.as_str());
        }
        let v = &mut json["verification"];
        if was_missing {
            v["missing"] = json!(v["missing"].as_u64().unwrap_or(0).saturating_sub(1));
        }
    }
    recount(json);
    refused
}

/// The verification block after decisions: review entries left, values
/// reviewed, and the status they give.
fn recount(json: &mut Value) {
    let review = json["review"].as_array().map_or(0, Vec::len);
    let reviewed = json["cells"]
        .as_object()
        .map_or(0, |c| c.values().filter(|c| c["status"] == "reviewed").count());
    let v = &mut json["verification"];
    v["review"] = json!(review);
    v["reviewed"] = json!(reviewed);
    let ok = review == 0 && v["missing"].as_u64() == Some(0);
    v["status"] = json!(if ok { "ok" } else { "check" });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quoted_cells_and_refuses_a_bad_decision() {
        let got = parse(
            "file,sha256,field,decision,who,when\n\"a,b.pdf\",,s2.x,value 1.5,\"Li \"\"Q\"\"\",t\n",
        )
        .unwrap();
        assert_eq!(got[0].file, "a,b.pdf");
        assert_eq!(got[0].who, "Li \"Q\"");
        assert_eq!(got[0].decision, Decision::Value(Dec::parse("1.5").unwrap()));
        assert_eq!(
            parse("a,,s2.x,maybe,li,t").unwrap_err(),
            "line 1: decision \"maybe\": expected accept, null or value N"
        );
    }
}
