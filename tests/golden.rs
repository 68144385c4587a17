//! Golden tests: `xxgk extract` on every sample with a truth file must give
//! exactly the truth: edition, year, organization, and every field (nulls
//! included).

use serde_json::Value;

use crate::util::{root, samples_with_truth, truth_path, xxgk};

pub(crate) fn check_dir(sub: &str, minimum: usize) {
    let dir = root().join("samples").join(sub);
    let samples = samples_with_truth(&dir);
    assert!(
        samples.len() >= minimum,
        "{}: expected at least {minimum} samples, found {}",
        dir.display(),
        samples.len()
    );
    let mut failures = Vec::new();
    for sample in &samples {
        let out = xxgk(&["extract", sample.to_str().unwrap()]);
        let name = sample.file_name().unwrap().to_string_lossy().to_string();
        if out.stdout.is_empty() {
            failures.push(format!(
                "{name}: no output; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
            continue;
        }
        let got: Value = serde_json::from_slice(&out.stdout).expect("xxgk prints JSON");
        let truth: Value =
            serde_json::from_str(&std::fs::read_to_string(truth_path(sample)).unwrap()).unwrap();
        for key in ["edition", "year", "organization"] {
            if got[key] != truth[key] {
                failures.push(format!("{name}: {key}: got {}, truth {}", got[key], truth[key]));
            }
        }
        let (g, t) = (got["values"].as_object().unwrap(), truth["values"].as_object().unwrap());
        let got_keys: Vec<&String> = g.keys().collect();
        let truth_keys: Vec<&String> = t.keys().collect();
        if got_keys != truth_keys {
            failures.push(format!(
                "{name}: field ids differ from the truth ({} vs {})",
                got_keys.len(),
                truth_keys.len()
            ));
        }
        for (k, tv) in t {
            if g.get(k) != Some(tv) {
                failures.push(format!(
                    "{name}: {k}: got {}, truth {tv}",
                    g.get(k).map_or("absent".to_string(), |v| v.to_string())
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

/// What each golden sample puts in its review list, counted by reason, and
/// why. A sample not named here must have an empty review list: these are
/// clean inputs, and a right number in review costs a person a look.
/// (sample stem, review entries counted by reason, why).
type Expected = (&'static str, &'static [(&'static str, usize)], &'static str);

const EXPECTED_REVIEW: &[Expected] = &[
    ("gen_02_cells_2021", &[("inferred", 3), ("placement", 7), ("unverifiable", 40)],
     "two s3 cells printed blank (blank_cells=2) leave R1/R3 of their columns unevaluable (the \
      40 values of those columns would fail as zeros); a block whose cells stuck together is \
      placed by the rules; a lost s4 cell and two s3 cells are inferred by one rule only"),
    ("gen_05_tabs_2021", &[("inferred", 1), ("unreadable-cell", 1)],
     "a 表二 cell printed \"-\" (null) and a 表四 cell printed \"-\" that R4 alone fills"),
    ("gen_08_pipe_2021", &[("placement", 7), ("row-not-found", 1), ("(missing fields)", 1)],
     "（二）部分公开 lost a blank cell (blank_cells=2): 6 numbers for 7 columns, placed by R2; \
      the 行政强制 row prints no value at all"),
    ("gen_11_markdown_2019", &[("inferred", 8), ("no-unit", 1), ("unreadable-cell", 1)],
     "zeros printed blank (blank_zeros) that one rule fills; a bare 采购总金额 with two \
      decimals could be 元 or 万元; 无 in 表二"),
    ("gen_14_layout_2021", &[("placement", 36)],
     "pdftotext -layout drops blank cells (blank_cells=3): rows whose numbers the header \
      positions do not place are placed by the rules"),
    ("gen_16_raw_2019", &[("ambiguous-cell", 3), ("no-unit", 1)],
     "plain pdftotext lost the blank 行政强制 处理决定数量 cell: its row's two numbers fit three \
      ways (表二 has no rules); a bare amount with two decimals"),
    ("gen_19_glued_2019", &[("ambiguous-cell", 15), ("placement", 157)],
     "a web page's text with cells glued (规章000…): digit runs that split several ways; the \
      rules pick one in 表三/表四, 表二 stays null"),
    ("gen_20_glued_2021", &[("ambiguous-cell", 3), ("placement", 28)], "glued web text, as gen_19"),
    ("gen_21_glued_2021", &[("placement", 21)], "glued web text, as gen_19"),
    ("gen_24_ocr_2021", &[("(missing fields)", 1)],
     "OCR text whose 行政事业性收费 amount was dropped (s2_missing): the one field of that row \
      is missing, so the report is `check` with nothing to review"),
    ("pdf_02_lo_2021", &[("inferred", 1)], "a blank 表四 总计 cell that R4 alone fills"),
    ("pdf_04_chromium_2019", &[("inferred", 8)],
     "blank cells the generator left in s3 that their row rule alone fills"),
    ("pdf_07_chromium_notounicode_2019", &[("inferred", 8), ("low-confidence", 2)],
     "pdf_04's blanks; two 表二 values OCR read unsure on the pages without ToUnicode"),
];

/// The review list of every golden sample is as [`EXPECTED_REVIEW`] says.
#[test]
fn review_lists_of_golden_samples_are_explained() {
    let mut failures = Vec::new();
    let mut seen = 0;
    for sub in ["seeds", "text", "pdf", "html", "docx"] {
        for sample in samples_with_truth(&root().join("samples").join(sub)) {
            let out = xxgk(&["extract", sample.to_str().unwrap()]);
            let got: Value = serde_json::from_slice(&out.stdout).expect("xxgk prints JSON");
            let stem = sample.file_stem().unwrap().to_string_lossy().to_string();
            let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
            for e in got["review"].as_array().unwrap() {
                *counts.entry(e["reason"].as_str().unwrap().to_string()).or_default() += 1;
            }
            match got["verification"]["missing"].as_u64() {
                Some(0) => {}
                Some(n) => {
                    counts.insert("(missing fields)".into(), n as usize);
                }
                None => failures.push(format!("{stem}: no verification")),
            }
            let want: std::collections::BTreeMap<String, usize> = EXPECTED_REVIEW
                .iter()
                .find(|(name, _, _)| *name == stem)
                .map(|(_, c, _)| c.iter().map(|(k, n)| (k.to_string(), *n)).collect())
                .unwrap_or_default();
            if counts != want {
                failures.push(format!("{stem}: review {counts:?}, expected {want:?}"));
            }
            let ok = got["verification"]["status"] == "ok";
            if ok != want.is_empty() {
                failures.push(format!("{stem}: status {}", got["verification"]["status"]));
            }
            seen += 1;
        }
    }
    assert!(seen >= 40, "{seen} samples");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn seeds_are_exact() {
    check_dir("seeds", 5);
}

/// Generated by `scripts/gen_text_samples.py` from truth files: every export
/// style, both editions, realistic non-zero numbers.
#[test]
fn generated_text_exports_are_exact() {
    check_dir("text", 24);
}

/// Real converters' output of the PDF, DOCX and HTML samples (pdftotext in
/// three modes, mutool, pdfminer, PyMuPDF, pypdf, markitdown, LibreOffice,
/// pandoc, docx2txt, lynx, w3m, html2text, a scraper's one-line
/// flattening), made by `scripts/converters` and copied by
/// `scripts/update-converted`: every value read equals the source's truth,
/// and every value read today stays read (the truth is null only where
/// nothing is read). See: issue 20.
#[test]
fn converter_outputs_are_exact() {
    check_dir("converted", 90);
    let dir = root().join("samples").join("converted");
    for sample in samples_with_truth(&dir) {
        let size = std::fs::metadata(&sample).expect("sample").len();
        assert!(size < 300 * 1024, "{} is over 300 KB", sample.display());
    }
}

#[test]
fn output_is_deterministic() {
    let a = xxgk(&["extract", "samples/seeds/004_1fe882b2456ae465.txt"]);
    let b = xxgk(&["extract", "samples/seeds/004_1fe882b2456ae465.txt"]);
    assert!(!a.stdout.is_empty());
    assert_eq!(a.stdout, b.stdout);
}

/// The tables decide the edition; a year that says otherwise gets a warning.
/// See: fields.md "When the tables disagree with the year, trust the tables and warn."
#[test]
fn tables_beat_the_year_with_a_warning() {
    let text = std::fs::read_to_string(root().join("samples/seeds/004_1fe882b2456ae465.txt"))
        .unwrap()
        .replace("2021年", "2020年");
    let templates = xxgk::TemplateSet::builtin().unwrap();
    let report = xxgk::extract_str(&text, "004-as-2020.txt", &templates).unwrap();
    assert_eq!((report.edition.as_str(), report.year), ("2021", Some(2020)));
    let w: Vec<&str> = report
        .warnings
        .iter()
        .filter(|w| w.code == "edition-year-mismatch")
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(
        w,
        vec![
            "the tables follow the 2021 template but the report year is 2020; trusting the tables"
        ]
    );
}

/// More numbers than columns cannot be bound without a guess: null, and a
/// warning that says so.
#[test]
fn a_row_with_extra_numbers_is_null_with_a_warning() {
    let text = "某某局2020年政府信息公开工作年度报告\n二、主动公开政府信息情况\n信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量\n规章\t1\t2\t3\t4\n规范性文件\t5\t6\t7\n三、收到和处理政府信息公开申请情况\n五、存在的主要问题及改进情况\n无。\n";
    let templates = xxgk::TemplateSet::builtin().unwrap();
    let report = xxgk::extract_str(text, "extra.txt", &templates).unwrap();
    assert_eq!(report.value("s2.rules.made"), None);
    assert_eq!(report.value("s2.normative.total").map(|v| v.to_string()).as_deref(), Some("7"));
    assert!(report.warnings.iter().any(|w| w.code == "extra-numbers" && w.message == "s2.rules: 4 numbers for 3 columns (a subtotal column or a merged row?); left null"));
}
