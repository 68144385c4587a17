//! How a scanned report's pages are read, through the real Tesseract: in
//! parallel with the same bytes out as one at a time, and the text outside
//! the tables (titles and headings read, narrative body lines skipped), and
//! a misread cell corrected by the rules.

use std::process::{Command, Output};

use serde_json::Value;

use crate::util::root;

fn extract_with_threads(threads: &str, inputs: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xxgk"));
    cmd.current_dir(root()).env("RAYON_NUM_THREADS", threads).arg("extract").args(inputs);
    cmd.output().expect("xxgk runs")
}

/// Pages run on the rayon pool; the report's first body line is chosen
/// after all pages are laid out. One thread or three: the same bytes.
#[test]
fn pages_read_in_parallel_give_the_same_bytes() {
    let pages = ["samples/scanned/scan_32_300_2021.p1.jpg", "samples/scanned/scan_32_300_2021.p2.jpg", "samples/scanned/scan_32_300_2021.p3.jpg"];
    let one = extract_with_threads("1", &pages);
    let three = extract_with_threads("3", &pages);
    // Exit 1: read, with findings (low-confidence cells); 2 would be a failure.
    assert_eq!(one.status.code(), Some(1), "{}", String::from_utf8_lossy(&one.stderr));
    assert_eq!(three.status.code(), Some(1));
    assert!(one.stdout == three.stdout, "output differs between 1 and 3 threads");
}

/// Every page of this PDF is rendered and OCR'd (its fonts lost their
/// ToUnicode). Its title is set large and bold, and its first two pages
/// are prose without a table: the title must come out whole (crossing
/// strokes of large characters are not table rules to erase), and the
/// organization with it rather than the short name of the narrative.
#[test]
fn title_of_an_ocr_report_is_read_whole() {
    let out = extract_with_threads("2", &["samples/scanned/scan_39_notounicode_2021.pdf"]);
    let got: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("no JSON; stderr: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(got["title"], "厦门市思明区市场监督管理局2023年政府信息公开工作年度报告");
    assert_eq!(got["organization"], "厦门市思明区市场监督管理局");
    assert_eq!(got["year"], 2023);
}

/// In this 200 dpi scan the digits engine reads s3.partial.nonprofit ("11"
/// on the page) as "1", and the s3 column and row sums fail. Rereading the
/// unsure cells finds that "11" is the only reading that makes every rule
/// hold: the value is taken, marked `corrected`, with the first reading
/// kept and both named in a warning.
#[test]
fn a_misread_cell_is_corrected_by_the_rules() {
    let pages = ["samples/scanned/scan_35_200_2021.p1.jpg", "samples/scanned/scan_35_200_2021.p2.jpg", "samples/scanned/scan_35_200_2021.p3.jpg"];
    let out = extract_with_threads("2", &pages);
    let got: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("no JSON; stderr: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(got["values"]["s3.partial.nonprofit"], 11);
    let cell = &got["cells"]["s3.partial.nonprofit"];
    assert_eq!(cell["status"], "corrected");
    assert_eq!(cell["raw"], "1");
    assert_eq!(cell["location"]["page"], 2);
    let warnings: Vec<&Value> = got["warnings"].as_array().unwrap().iter().filter(|w| w["code"] == "corrected-cell").collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0]["message"], "s3.partial.nonprofit: OCR read \"1\"; \"11\" is the only other reading that makes every rule hold, so it was taken");
    let not_ok: Vec<&Value> = got["checks"].as_array().unwrap().iter().filter(|c| c["status"] != "ok").collect();
    assert!(not_ok.is_empty(), "{not_ok:?}");
}
