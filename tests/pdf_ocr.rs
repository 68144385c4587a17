//! Text PDFs whose text cannot be decoded (made by
//! `scripts/gen_undecodable_pdf.py` from Chromium's own PDFs): the pages
//! concerned are rendered by the real `pdftoppm` and read by the real
//! Tesseract, merged with the text pages into one report; without
//! `pdftoppm` the file is refused with one line naming the pages.
//! `samples/scanned/scan_39_notounicode_2021.pdf`, where every page needs
//! OCR, is checked with the 300 dpi scans (tests/scan.rs).

use std::collections::BTreeMap;
use std::process::{Command, Output};

use serde_json::Value;

use crate::util::{root, xxgk, TempDir};

const MIXED: &str = "samples/pdf/pdf_07_chromium_notounicode_2019.pdf";

/// The tables are on pages 4 and 5, whose Type 3 fonts lost their
/// ToUnicode: every value is read by OCR, exactly, and located on its page;
/// title and organization come from the text layer of page 1. The debug
/// view has the OCR'd pages only, under their own numbers.
#[test]
fn undecodable_pages_are_read_by_ocr_with_their_page() {
    let dir = TempDir::new("pdf-ocr-debug");
    let out = xxgk(&["extract", "--debug-dir", dir.0.to_str().unwrap(), MIXED]);
    let got: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("no JSON; stderr: {}", String::from_utf8_lossy(&out.stderr)));
    let truth: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join(MIXED.replace(".pdf", ".truth.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(got["source"]["kind"], "pdf-ocr");
    assert_eq!(
        (&got["edition"], &got["year"], &got["organization"]),
        (&truth["edition"], &truth["year"], &truth["organization"])
    );
    let wrong: Vec<String> = truth["values"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(id, v)| &got["values"][id.as_str()] != *v)
        .map(|(id, v)| format!("{id}: got {}, truth {v}", got["values"][id.as_str()]))
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} wrong:\n{}",
        wrong.len(),
        truth["values"].as_object().unwrap().len(),
        wrong.join("\n")
    );
    // Which table each located value is on, per page: s2 and the first s3
    // rows on page 4, the rest of s3 and s4 on page 5.
    let mut pages: BTreeMap<(String, u64), usize> = BTreeMap::new();
    for (id, cell) in got["cells"].as_object().unwrap() {
        if let Some(page) = cell["location"]["page"].as_u64() {
            *pages.entry((id.split('.').next().unwrap().to_string(), page)).or_default() += 1;
        }
    }
    let tables: Vec<(String, u64)> = pages.keys().cloned().collect();
    assert_eq!(
        tables,
        [("s2", 4), ("s3", 4), ("s3", 5), ("s4", 5)].map(|(t, p)| (t.to_string(), p))
    );
    assert_eq!(got["cells"]["s2.rules.made"]["location"]["page"], 4);
    assert_eq!(got["cells"]["s3.total.total"]["location"]["page"], 5);
    assert_eq!(got["cells"]["s4.review.corrected"]["location"]["page"], 5);
    let mut written: Vec<String> = std::fs::read_dir(&dir.0)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "pdf_07_chromium_notounicode_2019.pdf.p4.png",
            "pdf_07_chromium_notounicode_2019.pdf.p5.png"
        ]
    );
}

/// Runs the binary with a PATH that holds no `pdftoppm` (an empty
/// directory: an unset PATH would make the OS search its default one).
fn xxgk_without_pdftoppm(args: &[&str], dir: &TempDir) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xxgk"))
        .args(args)
        .current_dir(root())
        .env("PATH", &dir.0)
        .output()
        .expect("run xxgk")
}

/// Without `pdftoppm`, one line per file naming the pages and what to
/// install: reading only the text pages would silently lose the tables.
/// The second file is pdf_05 with its font claiming Identity-H: glyph ids
/// that mean nothing without a ToUnicode map, on every page.
#[test]
fn without_pdftoppm_the_pages_are_named() {
    let dir = TempDir::new("no-pdftoppm");
    let gbk = std::fs::read(root().join("samples/pdf/pdf_05_gbk_2021.pdf")).expect("sample");
    // Same length, so the cross-reference offsets stay right.
    let edited =
        crate::pdf::replace_same_len(&gbk, b"/Encoding /GBK-EUC-H", b"/Encoding /Identity-H");
    let identity = dir.0.join("identity.pdf");
    std::fs::write(&identity, edited).expect("write");
    let identity = identity.to_string_lossy().to_string();
    let out = xxgk_without_pdftoppm(
        &["extract", "--format", "csv", MIXED, &identity, "samples/pdf/pdf_05_gbk_2021.pdf"],
        &dir,
    );
    assert_eq!(out.status.code(), Some(2));
    let why = "the text cannot be decoded: a font without a usable Unicode mapping";
    let expected = [
        format!("xxgk: {MIXED}: pages 4, 5 need OCR ({why}), which needs pdftoppm to render them: install poppler-utils"),
        format!("xxgk: {identity}: pages 1, 2, 3, 4, 5 need OCR ({why}), which needs pdftoppm to render them: install poppler-utils"),
    ];
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().collect::<Vec<_>>(), expected);
    // The text PDF beside them is read all the same.
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(csv.lines().any(|l| l.starts_with("samples/pdf/pdf_05_gbk_2021.pdf,")), "{csv}");
}

const JPX: &str = "samples/scanned/scan_42_jpx_2021.pdf";
const JBIG2: &str = "samples/scanned/scan_46_jbig2_2019.pdf";

/// JPEG 2000 pages and JBIG2 pages (scripts/gen_rendered_pdfs.py), which
/// xxgk does not decode itself: rendered by pdftoppm, every value and the
/// organization exactly the truth of the scan they were made from
/// (scan_32; scan_31 binarized), and nothing wrong left unflagged.
#[test]
fn jpx_and_jbig2_pages_are_rendered_and_exact() {
    for pdf in [JPX, JBIG2] {
        let o = crate::scan::check(
            &root().join(pdf.replace(".pdf", ".truth.json")),
            &[root().join(pdf)],
        );
        assert!(o.wrong.is_empty(), "{pdf}: {} wrong:\n{}", o.wrong.len(), o.wrong.join("\n"));
        assert!(o.organization.is_empty(), "{}", o.organization.join("\n"));
    }
}

/// Without pdftoppm, one line naming every page to render and why.
#[test]
fn jpx_and_jbig2_without_pdftoppm_are_one_clear_line() {
    for (pdf, filter) in [(JPX, "JPXDecode"), (JBIG2, "JBIG2Decode")] {
        let dir = TempDir::new(&format!("no-pdftoppm-{filter}"));
        let out = xxgk_without_pdftoppm(&["extract", pdf], &dir);
        assert_eq!(out.status.code(), Some(2));
        let expected = format!("xxgk: {pdf}: pages 1, 2, 3 need OCR (a {filter} image, which xxgk does not decode itself), which needs pdftoppm to render them: install poppler-utils");
        assert_eq!(String::from_utf8_lossy(&out.stderr).lines().collect::<Vec<_>>(), [expected]);
        assert!(out.stdout.is_empty());
    }
}
