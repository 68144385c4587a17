//! Checks across reports (`models/across.toml`): what the same organization
//! reports in consecutive years must agree on. Compiled here into instances
//! over field ids; a batch evaluates them (`crate::batch::findings`).

use std::collections::BTreeSet;

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AcrossFile {
    schema: u32,
    checks: Vec<CheckFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckFile {
    id: String,
    description: String,
    #[serde(default)]
    editions: Vec<String>,
    lhs: Vec<String>,
    rhs: Vec<String>,
}

/// One field of one of the two reports, added or subtracted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    pub field: String,
    /// The report of the year before (`last:`), else this year's.
    pub last_year: bool,
    pub negative: bool,
}

/// `sum(lhs) = sum(rhs)` for one row or column.
#[derive(Clone, Debug)]
pub struct AcrossInstance {
    /// The first term's field id.
    pub name: String,
    pub lhs: Vec<Term>,
    pub rhs: Vec<Term>,
}

#[derive(Clone, Debug)]
pub struct AcrossCheck {
    pub id: String,
    pub description: String,
    /// Both reports must be of one of these editions; empty: any.
    pub editions: Vec<String>,
    pub instances: Vec<AcrossInstance>,
}

impl AcrossCheck {
    pub fn applies(&self, this_edition: &str, last_edition: &str) -> bool {
        self.editions.is_empty()
            || [this_edition, last_edition].iter().all(|e| self.editions.iter().any(|x| x == e))
    }
}

/// Compiles the file against `field_ids(edition)` of every edition.
pub(super) fn compile(
    name: &str,
    text: &str,
    schema: u32,
    field_ids: &dyn Fn(&str) -> Vec<String>,
    editions: &[&str],
) -> Result<Vec<AcrossCheck>, Vec<String>> {
    let file: AcrossFile =
        toml::from_str(text).map_err(|e| vec![super::toml_error(name, text, &e)])?;
    let mut problems = Vec::new();
    if file.schema != schema {
        problems
            .push(format!("{name}: schema {} is not supported (expected {schema})", file.schema));
    }
    let mut checks = Vec::new();
    let mut seen = BTreeSet::new();
    for c in file.checks {
        if !seen.insert(c.id.clone()) {
            problems.push(format!("{name}: duplicate check id {}", c.id));
        }
        for e in c.editions.iter().filter(|e| !editions.contains(&e.as_str())) {
            problems.push(format!("{name}: check {}: unknown edition {e}", c.id));
        }
        // The fields of the editions concerned, once each, in template order.
        let mut known: Vec<String> = Vec::new();
        for e in
            editions.iter().filter(|e| c.editions.is_empty() || c.editions.contains(&e.to_string()))
        {
            for id in field_ids(e) {
                if !known.contains(&id) {
                    known.push(id);
                }
            }
        }
        match expand(&c, &known) {
            Ok(instances) => checks.push(AcrossCheck {
                id: c.id,
                description: c.description,
                editions: c.editions,
                instances,
            }),
            Err(p) => problems.push(format!("{name}: check {}: {p}", c.id)),
        }
    }
    if problems.is_empty() {
        Ok(checks)
    } else {
        Err(problems)
    }
}

fn parse_term(text: &str) -> Term {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (last_year, field) = match rest.strip_prefix("last:") {
        Some(r) => (true, r),
        None => (false, rest),
    };
    Term { field: field.to_string(), last_year, negative }
}

/// One instance per value of `*` that makes every term a known field id.
fn expand(c: &CheckFile, known: &[String]) -> Result<Vec<AcrossInstance>, String> {
    let lhs: Vec<Term> = c.lhs.iter().map(|t| parse_term(t)).collect();
    let rhs: Vec<Term> = c.rhs.iter().map(|t| parse_term(t)).collect();
    let all: Vec<&Term> = lhs.iter().chain(&rhs).collect();
    if lhs.is_empty() || rhs.is_empty() {
        return Err("lhs and rhs must each name a field".into());
    }
    if !all.iter().any(|t| t.last_year) || all.iter().all(|t| t.last_year) {
        return Err("it must compare this year's fields with last year's (`last:`)".into());
    }
    let stars: BTreeSet<usize> = all.iter().map(|t| t.field.matches('*').count()).collect();
    let wildcards: Vec<String> = match stars.iter().copied().collect::<Vec<_>>()[..] {
        [0] => vec![String::new()],
        [1] => {
            // The values `*` takes in the first term, in field order.
            let (prefix, suffix) = lhs[0].field.split_once('*').unwrap_or_default();
            let mut out: Vec<String> = Vec::new();
            for id in known {
                if let Some(w) = id.strip_prefix(prefix).and_then(|r| r.strip_suffix(suffix)) {
                    if !w.is_empty() && !out.iter().any(|x| x == w) {
                        out.push(w.to_string());
                    }
                }
            }
            out
        }
        _ => return Err("every term must have the same number (0 or 1) of `*`".into()),
    };
    let instances: Vec<AcrossInstance> = wildcards
        .iter()
        .filter_map(|w| {
            let fill = |ts: &[Term]| -> Option<Vec<Term>> {
                ts.iter()
                    .map(|t| {
                        let field = t.field.replacen('*', w, 1);
                        known.contains(&field).then(|| Term { field, ..t.clone() })
                    })
                    .collect()
            };
            let (l, r) = (fill(&lhs)?, fill(&rhs)?);
            Some(AcrossInstance { name: l[0].field.clone(), lhs: l, rhs: r })
        })
        .collect();
    if instances.is_empty() {
        return Err("applies to no field".into());
    }
    Ok(instances)
}

#[cfg(test)]
mod tests {
    use crate::template::TemplateSet;

    #[test]
    fn the_shipped_checks_expand_over_columns_and_rows() {
        let set = TemplateSet::builtin().unwrap();
        let names = |id: &str| -> Vec<String> {
            let c = set.across.iter().find(|c| c.id == id).unwrap();
            c.instances.iter().map(|i| i.name.clone()).collect()
        };
        let columns =
            ["natural", "commercial", "research", "nonprofit", "legal", "other_org", "total"];
        assert_eq!(names("carried-over"), columns.map(|c| format!("s3.carried_over.{c}")));
        assert_eq!(names("in-force"), ["s2.rules.in_force", "s2.normative.in_force"]);
        let c = set.across.iter().find(|c| c.id == "in-force").unwrap();
        let rhs: Vec<(String, bool, bool)> =
            c.instances[1].rhs.iter().map(|t| (t.field.clone(), t.last_year, t.negative)).collect();
        assert_eq!(
            rhs,
            [
                ("s2.normative.in_force".to_string(), true, false),
                ("s2.normative.issued".to_string(), false, false),
                ("s2.normative.repealed".to_string(), false, true)
            ]
        );
        assert!(c.applies("2021", "2021") && !c.applies("2021", "2019"));
    }

    #[test]
    fn bad_checks_are_reported_with_the_file() {
        let known = |_: &str| vec!["s2.rules.in_force".to_string()];
        let text = "schema = 1\n[[checks]]\nid = \"x\"\ndescription = \"d\"\nlhs = [\"s2.*.in_force\"]\nrhs = [\"s2.*.in_force\"]\n[[checks]]\nid = \"y\"\ndescription = \"d\"\neditions = [\"2030\"]\nlhs = [\"s9.a\"]\nrhs = [\"last:s9.a\"]\n";
        let err = super::compile("across.toml", text, 1, &known, &["2021"]).unwrap_err();
        assert_eq!(
            err,
            [
                "across.toml: check x: it must compare this year's fields with last year's (`last:`)",
                "across.toml: check y: unknown edition 2030",
                "across.toml: check y: applies to no field",
            ]
        );
    }
}
