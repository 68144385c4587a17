//! How a scanned report's pages are read, through the real Tesseract: in
//! parallel with the same bytes out as one at a time, and the text outside
//! the tables (titles and headings read, narrative body lines skipped).

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
    // Exit 1: read, with findings (a corrected cell); 2 would be a failure.
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
