//! HTML pages and DOCX files: every sample gives exactly its truth (made by
//! `scripts/gen_markup_samples.py`), values are located by table cell, and
//! the broken ones give one line each on stderr; edited markup never panics.

use proptest::prelude::*;
use xxgk::{extract_file, DocumentError, Options, TemplateSet};

use crate::golden::check_dir;
use crate::util::{root, xxgk, TempDir};

/// UTF-8, GBK without any charset declaration, Word's "save as web page",
/// one table per 第二十条 item, tables nested in a page layout.
#[test]
fn html_pages_are_exact() {
    check_dir("html", 6);
}

/// Both editions, merged cells as gridSpan and vMerge, every number of two
/// or more digits split over runs, a tracked change.
#[test]
fn docx_files_are_exact() {
    check_dir("docx", 2);
}

#[test]
fn values_are_located_by_table_cell() {
    let out = xxgk(&["extract", "samples/docx/docx_01_2021.docx"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("xxgk prints JSON");
    // The s3 grid: three label columns, then 自然人 … 总计; 一、本年新收 is
    // the first row under the three header rows.
    assert_eq!(
        v["cells"]["s3.new.natural"]["location"],
        serde_json::json!({"table": 1, "row": 3, "col": 3})
    );
    assert_eq!(
        v["cells"]["s3.new.total"]["location"],
        serde_json::json!({"table": 1, "row": 3, "col": 9})
    );
}

#[test]
fn broken_markup_gives_one_line_each() {
    let files = [
        "samples/broken/not_a_report.html",
        "samples/broken/truncated.docx",
        "samples/broken/word97.doc",
    ];
    let out = xxgk(&["extract", "--format", "csv", files[0], files[1], files[2]]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let expected = [
        format!("xxgk: {}: not an annual report: none of the report tables (主动公开, 依申请公开, 行政复议) were found", files[0]),
        format!("xxgk: {}: not a readable DOCX: the ZIP archive is broken (invalid Zip archive: Could not find EOCD)", files[1]),
        format!("xxgk: {}: an old Office binary file (Word 97-2003 .doc, or .wps): convert it to DOCX first, e.g. `libreoffice --headless --convert-to docx FILE`", files[2]),
    ];
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        expected.iter().map(String::as_str).collect::<Vec<_>>()
    );
}

/// Samples stay small enough to review and to keep in the repository.
#[test]
fn markup_samples_are_small() {
    for dir in ["html", "docx", "broken"] {
        for entry in
            std::fs::read_dir(root().join("samples").join(dir)).expect("samples dir").flatten()
        {
            let size = entry.metadata().expect("metadata").len();
            assert!(size < 300 * 1024, "{}: {size} bytes", entry.path().display());
        }
    }
}

/// Edits that break markup the way bad exports and cut-off downloads do.
#[derive(Clone, Debug)]
enum Edit {
    Cut(usize, usize),
    Duplicate(usize, usize),
    Insert(usize, &'static str),
    Truncate(usize),
}

const HTML_PIECES: &[&str] = &[
    "<table>",
    "</table>",
    "<tr>",
    "</tr>",
    "<td colspan=99999 rowspan=0>",
    "<td rowspan=65534>",
    "</td></tr></table>",
    "<table><tr><td><table>",
    "<br>",
    "&nbsp;",
    "<o:p>",
    "<!--",
    "<meta charset=utf-16>",
    "\u{0}",
];
const DOCX_PIECES: &[&str] = &[
    "<w:tbl>",
    "</w:tbl>",
    "<w:tr>",
    "</w:tr>",
    "<w:tc>",
    "</w:tc>",
    "<w:gridSpan w:val=\"99999\"/>",
    "<w:vMerge/>",
    "<w:gridBefore w:val=\"300\"/>",
    "<w:t>",
    "</w:t>",
    "<w:br/>",
    "&#0;",
    "<mc:Fallback>",
];

fn edits(pieces: &'static [&'static str]) -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        (any::<usize>(), 0usize..400).prop_map(|(a, n)| Edit::Cut(a, n)),
        (any::<usize>(), 0usize..400).prop_map(|(a, n)| Edit::Duplicate(a, n)),
        (any::<usize>(), prop::sample::select(pieces)).prop_map(|(a, p)| Edit::Insert(a, p)),
        any::<usize>().prop_map(Edit::Truncate),
    ];
    prop::collection::vec(edit, 1..12)
}

fn apply(bytes: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    for e in edits {
        let len = b.len().max(1);
        match *e {
            Edit::Cut(at, n) => {
                let at = at % len;
                b.drain(at.min(b.len())..(at + n).min(b.len()));
            }
            Edit::Duplicate(at, n) => {
                let at = (at % len).min(b.len());
                let piece = b[at..(at + n).min(b.len())].to_vec();
                b.splice(at..at, piece);
            }
            Edit::Insert(at, p) => {
                let at = (at % len).min(b.len());
                b.splice(at..at, p.bytes());
            }
            Edit::Truncate(at) => b.truncate(at % len),
        }
    }
    b
}

/// The document part of a DOCX sample, and the package rebuilt around an
/// edited one.
fn docx_with(xml: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).expect("start");
    w.write_all(xml).expect("write");
    w.finish().expect("finish").into_inner()
}

fn document_xml(path: &str) -> Vec<u8> {
    use std::io::Read;
    let bytes = std::fs::read(root().join(path)).expect("sample");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut xml = Vec::new();
    zip.by_name("word/document.xml").expect("part").read_to_end(&mut xml).expect("read");
    xml
}

fn never_panics(dir: &TempDir, name: &str, bytes: &[u8]) {
    thread_local!(static TEMPLATES: TemplateSet = TemplateSet::builtin().expect("models"));
    let path = dir.0.join(name);
    std::fs::write(&path, bytes).expect("write");
    if let Err(DocumentError::Panic(msg)) =
        TEMPLATES.with(|t| extract_file(&path, t, &Options::default()))
    {
        panic!("panic on an edited {name}: {msg}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn edited_html_never_panics(which in any::<usize>(), edits in edits(HTML_PIECES)) {
        let mut pages: Vec<_> = std::fs::read_dir(root().join("samples/html")).expect("dir").flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "html")).collect();
        pages.sort();
        let page = std::fs::read(&pages[which % pages.len()]).expect("page");
        thread_local!(static DIR: TempDir = TempDir::new("edited-html"));
        DIR.with(|d| never_panics(d, "page.html", &apply(&page, &edits)));
    }

    #[test]
    fn edited_docx_never_panics(which in any::<bool>(), edits in edits(DOCX_PIECES)) {
        let xml = document_xml(if which { "samples/docx/docx_01_2021.docx" } else { "samples/docx/docx_02_2019.docx" });
        thread_local!(static DIR: TempDir = TempDir::new("edited-docx"));
        DIR.with(|d| never_panics(d, "report.docx", &docx_with(&apply(&xml, &edits))));
    }
}
