//! `xxgk models fields`: the field dictionary, and the generated copy in
//! docs/ that the README links.

use serde_json::Value;

use crate::util::{root, xxgk};

#[test]
fn the_committed_dictionary_is_current() {
    let out = xxgk(&["models", "fields", "--format", "md"]);
    assert_eq!(out.status.code(), Some(0));
    let committed = std::fs::read_to_string(root().join("docs/fields.md")).unwrap();
    assert!(
        committed == String::from_utf8(out.stdout).unwrap(),
        "docs/fields.md is stale: run `target/release/xxgk models fields > docs/fields.md`"
    );
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(readme.contains("(docs/fields.md)"), "the README links the dictionary");
}

#[test]
fn every_field_of_both_editions_is_listed_with_its_chinese_labels() {
    let templates = xxgk::TemplateSet::builtin().unwrap();
    let out = xxgk(&["models", "fields", "--format", "json"]);
    let fields: Value = serde_json::from_slice(&out.stdout).unwrap();
    let fields = fields.as_array().unwrap();
    for ed in ["2019", "2021"] {
        let listed: Vec<&str> = fields
            .iter()
            .filter(|f| f["edition"] == ed)
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(listed, templates.field_ids(ed), "{ed}");
    }
    assert_eq!(fields.len(), 198 + 207);
    let han = |v: &Value| {
        v.as_str().is_some_and(|s| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
    };
    for f in fields {
        for key in ["table_name", "table_title", "row_label", "column_label"] {
            assert!(han(&f[key]), "{}: {key} {}", f["field"], f[key]);
        }
    }
    let find = |ed: &str, id: &str| {
        fields.iter().find(|f| f["edition"] == ed && f["field"] == id).unwrap().clone()
    };
    let f = find("2021", "s3.denied.third_party.total");
    assert_eq!(
        (&f["table_name"], &f["row_label"], &f["column_label"], &f["kind"]),
        (&"表三".into(), &"4.保护第三方合法权益".into(), &"总计".into(), &"count".into())
    );
    let rules: Vec<String> = f["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r["rule"].as_str().unwrap(), r["instance"].as_str().unwrap()))
        .collect();
    assert_eq!(rules, ["R2 s3.denied.third_party", "R3 s3.*.total"]);
    let f = find("2021", "s2.normative.repealed");
    assert_eq!(f["row_label"], "行政规范性文件");
    assert_eq!(f["rules"][0]["rule"], "in-force");
    assert_eq!(f["rules"][0]["across_years"], true);
    assert_eq!(find("2019", "s2.procurement.amount_wan")["kind"], "amount");
    assert_eq!(find("2019", "s2.licensing.change")["kind"], "signed");

    // CSV and an edition alone.
    let out = xxgk(&["models", "fields", "--format", "csv", "--edition", "2019"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1 + 198);
    assert_eq!(
        text.lines().next().unwrap(),
        "edition,field,table,table_name,row,row_label,column,column_label,kind,rules"
    );
    assert!(text.contains("\n2019,s3.carried_forward.total,s3,表三,carried_forward,四、结转下年度继续办理,total,总计,count,R1 s3.*.total; R2 s3.carried_forward; carried-over s3.carried_over.total\n"), "{text}");
    let out = xxgk(&["models", "fields", "--edition", "2030"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "xxgk: no edition 2030 in the models (editions: 2019, 2021)\n"
    );
}
