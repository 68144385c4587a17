//! Scan, for grouping pages into reports: does a page start a report? In:
//! one page image. Out: whether its text before any table holds a report's
//! title (…政府信息公开工作年度报告) or its first section's heading.
//!
//! Scanners and phones name pages by a counter (`IMG_1000.jpg` …
//! `IMG_1005.jpg`, `scan0001.tif` …); a folder of them may hold several
//! reports, and only the pages tell where one starts. Only the page's head
//! is read: its text lines above its first table that are not body lines
//! of a paragraph (a title is taller, a heading short), at most
//! [`MAX_LINES`] of them, so a page costs its preprocessing and a few
//! chi_sim lines, not a full reading.

use super::ocr::with_engines;
use super::{at_working_dpi, can_be_table, layout_params, lines, margins, prep, text};
use super::{PageImage, ScanParams};
use crate::error::DocumentError;
use crate::layout::find_grids;
use crate::normalize::{core, similarity};
use crate::title::names_a_report_fuzzily;

/// Head lines read per page: a title of two lines, a subtitle, a date or
/// a document number, and the first heading.
const MAX_LINES: usize = 6;

/// What the head of a page shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PageStart {
    /// A line names the report: 政府信息公开 … 年度报告, as OCR reads it.
    pub title: bool,
    /// A line is the first section's heading (`first_section`).
    pub first_section: bool,
}

/// How close a line must be to the first section's heading.
const MIN_SIMILARITY: f32 = 0.75;

/// Reads the head of a page image. `first_section`: the first section's
/// heading labels (`models/sections.toml`).
pub fn page_start(
    img: PageImage,
    first_section: &[String],
    params: &ScanParams,
) -> Result<PageStart, DocumentError> {
    let img = at_working_dpi(img);
    let (gray, dpi) = (&img.gray, img.dpi);
    let cleared = margins::clear(gray, dpi);
    let prepared = prep::prepare(cleared.as_ref().unwrap_or(gray), dpi, &params.prep);
    let (w, h) = prepared.gray.dimensions();
    let found = lines::find(&prepared.ink, w, h, dpi, &params.lines);
    let pt = 72.0 / dpi;
    let mut tables = find_grids(&super::to_rules(&found, dpi), &layout_params());
    tables.retain(can_be_table);
    let boxes: Vec<(f32, f32, f32, f32)> = tables
        .iter()
        .map(|t| (t.bbox.x0 / pt, t.bbox.y0 / pt, t.bbox.x1 / pt, t.bbox.y1 / pt))
        .collect();
    let first_table = boxes.iter().map(|b| b.1).fold(h as f32, f32::min);
    let head: Vec<text::Band> = text::find_lines(&prepared.ink, w, h, dpi, &boxes)
        .into_iter()
        .filter(|(b, body)| !body && (b.y1 as f32) < first_table)
        .map(|(b, _)| b)
        .take(MAX_LINES)
        .collect();
    let read = with_engines(|e| {
        text::read_lines(1, &prepared.gray, dpi, &boxes, &head, params.read.pad, e)
    })
    .and_then(|r| r)
    .map_err(|e| DocumentError::Scan(e.to_string()))?;
    let texts: Vec<String> = read.iter().map(|l| core(&l.word.text)).collect();
    Ok(PageStart {
        title: names_a_report(&texts),
        first_section: texts
            .iter()
            .any(|c| first_section.iter().any(|s| similarity(c, &core(s)) >= MIN_SIMILARITY)),
    })
}

/// Whether a line, or a line with the next (a title wrapped in two, its
/// keys split: …2019年政府信 / 息公开工作年度报告), names a report as OCR
/// may garble it.
fn names_a_report(lines: &[String]) -> bool {
    let pairs = lines.windows(2).map(|w| w.concat());
    lines.iter().cloned().chain(pairs).any(|t| names_a_report_fuzzily(&t))
}

/// Groups a run of page heads into reports: a page starts a new report
/// when it shows a title, or the first section's heading while the report
/// so far has one already (a title page followed by a page that opens
/// with 一、总体情况 is one report). Returns the index of each group's
/// first page.
pub fn group_starts(heads: &[PageStart]) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut has_section = false;
    for (i, p) in heads.iter().enumerate() {
        let new = i == 0 || p.title || (p.first_section && has_section);
        if new {
            starts.push(i);
            has_section = false;
        }
        has_section |= p.first_section;
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_garbled_title_is_still_a_title() {
        let ok = |t: &[&str]| names_a_report(&t.iter().map(|l| core(l)).collect::<Vec<_>>());
        assert!(ok(&["贵阳市云岩区中山乡人民政府2021年政府信息公开工作年度报告"]));
        assert!(ok(&["2021年政府信息公开工作年度报重"]));
        assert!(ok(&["2023年政府倍息公开工作年度报旧"]));
        // Wrapped, a key split across the lines, and garbled.
        assert!(ok(&[
            "一、总体情况",
            "骂州市草页区长安镇人民政府2019年政府信",
            "上恩公开工作年度报生"
        ]));
        assert!(!ok(&[
            "(二)依申请公开。严格按照《条例》规定的程序和时限受理、办理政府信息公开申请"
        ]));
        assert!(!ok(&["四、政府信息公开行政复议、行政诉讼情况", "(一)主动公开情况"]));
    }

    #[test]
    fn pages_group_at_titles_and_at_a_second_first_section() {
        let p = |title: bool, first_section: bool| PageStart { title, first_section };
        let none = p(false, false);
        // Title page with 一、; two more pages; a title page alone, then a
        // page opening with 一、; a report without title.
        let heads =
            [p(true, true), none, none, p(true, false), p(false, true), none, p(false, true), none];
        assert_eq!(group_starts(&heads), vec![0, 3, 6]);
    }
}
