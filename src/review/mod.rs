//! Stage: output. The review page of an output folder (`xxgk review
//! OUT_DIR`): one static `review.html` listing, report by report, every
//! entry of each JSON's `review` list with its evidence (a crop of the
//! user's own page around the cell, or the source line with the cell
//! marked), filters by reason and report, and a form that downloads the
//! person's decisions as `review.csv` (see [`crate::decisions`]); and the
//! labelled overlays of every PDF and scanned page ([`overlay`]).
//!
//! It reads the JSON outputs and the inputs they name; it does not extract
//! again. Its files go under `OUT_DIR/review-files/`, named after each
//! input's path under the output folder, so no two inputs collide. The
//! same outputs and inputs give the same bytes.

pub mod crop;
mod html;
pub mod overlay;

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::batch::output::write_under;
use crate::decisions::Entry;
use crate::doc::{Loc, TextDoc};
use crate::template::TemplateSet;

/// The folder under OUT_DIR that holds the crops and overlays.
pub const FILES: &str = "review-files";

/// What a review page holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub reports: usize,
    pub entries: usize,
    /// Entries shown with a crop of the page, or with their source line.
    pub crops: usize,
    pub lines: usize,
    pub overlays: usize,
    /// Bytes of review.html and of every file under [`FILES`] written.
    pub bytes: u64,
}

/// One report's JSON, under the output folder.
struct Found {
    /// The input's path under the output folder (`a/r.pdf`).
    rel: String,
    json: Value,
}

/// Evidence for one entry.
enum Evidence {
    /// A crop file (under OUT_DIR), its size, and the region it shows.
    Crop {
        file: String,
        region: crop::Rect,
    },
    /// The source line's cells, with the index of the one concerned.
    Line {
        number: usize,
        cells: Vec<String>,
        hit: Option<usize>,
    },
    None(&'static str),
}

/// Writes `OUT_DIR/review.html` and its files; `decisions` already made
/// (a `review.csv`) are shown chosen.
pub fn write(
    out_dir: &Path,
    templates: &TemplateSet,
    decisions: &[Entry],
) -> std::io::Result<Written> {
    let mut found = Vec::new();
    collect(out_dir, out_dir, &mut found)?;
    found.sort_by(|a, b| a.rel.cmp(&b.rel));
    let mut written = Written { reports: found.len(), ..Written::default() };
    let mut sections = Vec::new();
    for f in &found {
        let input = PathBuf::from(f.json["source"]["path"].as_str().unwrap_or_default());
        let kind = f.json["source"]["kind"].as_str().unwrap_or_default();
        let mut pages = crop::Pages::new(&input, kind);
        let doc = if kind.contains("pdf") || kind == "image" { None } else { text_of(&input) };
        let entries = f.json["review"].as_array().cloned().unwrap_or_default();
        let mut evidence = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            let ev = match loc_of(&e["location"]) {
                Some(Loc::Box { page, x0, y0, x1, y1 }) => match pages.page(page) {
                    Some(p) => match crop::crop(p, (x0, y0, x1, y1), turned(&f.json, page)) {
                        Some((bytes, region)) => {
                            let file = format!("{FILES}/{}.e{}.jpg", f.rel, i + 1);
                            written.bytes += put(out_dir, &file, &bytes)?;
                            Evidence::Crop { file, region }
                        }
                        None => Evidence::None("the box lies outside the page"),
                    },
                    None => {
                        Evidence::None("the page could not be loaded (input moved, or no pdftoppm)")
                    }
                },
                Some(loc) => match doc.as_ref().and_then(|d| line_of(d, loc, &e["raw"])) {
                    Some(ev) => ev,
                    None => Evidence::None("the input could not be read again"),
                },
                None if e["field"].is_null() => Evidence::None("about the report, not one cell"),
                None => Evidence::None("the value was not read from one cell"),
            };
            match ev {
                Evidence::Crop { .. } => written.crops += 1,
                Evidence::Line { .. } => written.lines += 1,
                Evidence::None(_) => {}
            }
            evidence.push(ev);
        }
        written.entries += entries.len();
        let overlays = overlays(out_dir, f, templates, &mut pages, &mut written)?;
        let sha = f.json["source"]["sha256"].as_str().unwrap_or_default();
        let decided = |field: &str| {
            decisions
                .iter()
                .rev()
                .find(|d| {
                    d.file == f.rel && d.field == field && (d.sha256.is_empty() || d.sha256 == sha)
                })
                .map(|d| d.decision.clone())
        };
        sections.push(html::section(&f.rel, &f.json, &entries, &evidence, &overlays, &decided));
    }
    let page =
        html::page(&found.iter().map(|f| (f.rel.as_str(), &f.json)).collect::<Vec<_>>(), &sections);
    written.bytes += put(out_dir, "review.html", page.as_bytes())?;
    Ok(written)
}

/// How far page `page` of a scan lay turned clockwise (the JSON's `pages`).
fn turned(json: &Value, page: usize) -> u64 {
    json["pages"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["page"].as_u64() == Some(page as u64)))
        .and_then(|p| p["turned"].as_u64())
        .unwrap_or(0)
}

/// Writes a file under `out_dir`; its size.
fn put(out_dir: &Path, rel: &str, bytes: &[u8]) -> std::io::Result<u64> {
    write_under(out_dir, &out_dir.join(rel), bytes)?;
    Ok(bytes.len() as u64)
}

/// The overlays of every page of a PDF or scanned input that has a cell;
/// their SVG files under OUT_DIR.
fn overlays(
    out_dir: &Path,
    f: &Found,
    templates: &TemplateSet,
    pages: &mut crop::Pages,
    written: &mut Written,
) -> std::io::Result<Vec<String>> {
    let mut numbers: Vec<usize> = f.json["cells"]
        .as_object()
        .map(|c| c.values().filter_map(|c| c["location"]["page"].as_u64()).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|p| p as usize)
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    let labels = overlay::short_labels(templates, f.json["edition"].as_str().unwrap_or_default());
    let mut files = Vec::new();
    for n in numbers {
        let Some(img) = pages.page(n) else { continue };
        let stem = format!("{}.p{n}", f.rel);
        let name =
            Path::new(&stem).file_name().map_or(String::new(), |s| s.to_string_lossy().to_string());
        let Some((jpeg, svg)) = overlay::page(&f.json, &labels, n, img, &format!("{name}.jpg"))
        else {
            continue;
        };
        written.bytes += put(out_dir, &format!("{FILES}/{stem}.jpg"), &jpeg)?;
        let file = format!("{FILES}/{stem}.svg");
        written.bytes += put(out_dir, &file, svg.as_bytes())?;
        written.overlays += 1;
        files.push(file);
    }
    Ok(files)
}

/// Every report JSON under `dir` (not the review's own files).
fn collect(root: &Path, dir: &Path, found: &mut Vec<Found>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let rel = p.strip_prefix(root).unwrap_or(&p).to_string_lossy().replace('\\', "/");
        if rel == FILES || p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
            continue;
        }
        if p.is_dir() {
            collect(root, &p, found)?;
            continue;
        }
        let Some(stem) = rel.strip_suffix(".json") else { continue };
        let Ok(json) = std::fs::read(&p).map(|b| serde_json::from_slice::<Value>(&b)) else {
            continue;
        };
        let Ok(json) = json else { continue };
        if json["review"].is_array() && json["source"].is_object() {
            found.push(Found { rel: stem.to_string(), json });
        }
    }
    Ok(())
}

/// A JSON `location` back as a [`Loc`].
pub fn loc_of(v: &Value) -> Option<Loc> {
    let n = |k: &str| v[k].as_u64().map(|n| n as usize);
    if let Some(line) = n("line") {
        return Some(Loc::Line(line));
    }
    if let (Some(table), Some(row), Some(col)) = (n("table"), n("row"), n("col")) {
        return Some(Loc::Cell { table, row, col });
    }
    let b: Vec<f32> =
        v["box"].as_array()?.iter().filter_map(|x| x.as_f64()).map(|x| x as f32).collect();
    let [x0, y0, x1, y1] = b[..] else { return None };
    Some(Loc::Box { page: n("page")?, x0, y0, x1, y1 })
}

/// The text of a text, HTML or DOCX input, read again.
fn text_of(input: &Path) -> Option<TextDoc> {
    let budget = crate::budget::Budget::default();
    crate::source::load_with(input, &budget, &Default::default()).ok().map(|d| d.doc)
}

/// The line holding `loc`, and which of its cells (for a text line, the
/// first whose text holds the raw reading).
fn line_of(doc: &TextDoc, loc: Loc, raw: &Value) -> Option<Evidence> {
    let line = doc.lines.iter().find(|l| match loc {
        Loc::Line(n) => l.number == n,
        _ => l.cells.iter().any(|c| c.loc == Some(loc)),
    })?;
    let raw = raw.as_str().unwrap_or_default().trim();
    let hit = match loc {
        Loc::Line(_) => line.cells.iter().position(|c| !raw.is_empty() && c.text.contains(raw)),
        _ => line.cells.iter().position(|c| c.loc == Some(loc)),
    };
    Some(Evidence::Line {
        number: line.number,
        cells: line.cells.iter().map(|c| c.text.clone()).collect(),
        hit,
    })
}

/// Text escaped for HTML and SVG.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
