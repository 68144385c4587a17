//! Scan stage 5b: the report's organization and year, checked by reading
//! the title again. In: the [`Report`] and the [`ScanDoc`]. Out: the same
//! report, with a `low-confidence` warning for each of the two on which
//! readings of the title disagree (and the majority reading, if any).
//!
//! The organization and year come from the title, where no rule can check
//! them and a misread looks right (武侯区 read 武修区). chi_sim reads a
//! title's large bold type worse than body text, and the rare characters of
//! place names worst; its confidences do not tell (a misread 修 scored 0.87,
//! a right 雁 0.88 on the samples). Two readings of the same ink that
//! disagree do: the title line is read once more as it is on the page
//! (lines are first read squeezed to 0.7 of their width, see
//! `read::for_chi_sim`); if the organization or year differs, a third
//! reading at 1.5 times the size decides by majority. A title read the same
//! twice costs one chi_sim call per report.

use image::{imageops, GrayImage};

use super::ocr::{with_engines, Psm};
use super::read::{crop_padded, join_words};
use super::text::LineRead;
use super::ScanDoc;
use crate::layout::Rect;
use crate::normalize::nfkc;
use crate::report::{Report, Warning};
use crate::segment::title_parts;
use crate::source::text::Loc;

/// Rereads the title line and flags (or settles by majority) the
/// organization and year when the readings disagree.
pub fn check_title(r: &mut Report, scan: &ScanDoc) {
    let Some(title) = r.title.clone() else { return };
    let Some(line) = line_of(&scan.lines, &title) else { return };
    let first = title_parts(&title);
    let mut readings = vec![first.clone(), reread(scan, line, 1.0).map_or((None, None), |t| title_parts(&t))];
    if readings[1] == first {
        return;
    }
    readings.push(reread(scan, line, 1.5).map_or((None, None), |t| title_parts(&t)));
    let page = line.page;
    let Rect { x0, y0, x1, y1 } = line.word.rect;
    let loc = Some(Loc::Box { page, x0, y0, x1, y1 });
    let orgs: Vec<Option<String>> = readings.iter().map(|p| p.0.clone()).collect();
    if let Some((chosen, how)) = settle(&orgs) {
        if let (Some(old), Some(new)) = (&r.organization, &chosen) {
            r.title = Some(title.replacen(old.as_str(), new, 1));
        }
        let message = format!("organization: the title read three ways gives {}; {how}; check it against page {page}", listed(&orgs, |o| format!("{o:?}")));
        r.organization = chosen.or(r.organization.take());
        r.warnings.push(Warning { code: "low-confidence", message, field: None, loc });
    }
    let years: Vec<Option<i32>> = readings.iter().map(|p| p.1).collect();
    if let Some((chosen, how)) = settle(&years) {
        if let (Some(old), Some(new), Some(t)) = (r.year, chosen, r.title.as_mut()) {
            *t = t.replacen(&format!("{old}年"), &format!("{new}年"), 1);
        }
        let message = format!("year: the title read three ways gives {}; {how}; check it against page {page}", listed(&years, |y| y.to_string()));
        r.year = chosen.or(r.year);
        r.warnings.push(Warning { code: "low-confidence", message, field: None, loc });
    }
}

/// `None` when every reading agrees. Otherwise the reading to keep (the
/// one at least two readings give, else the first) and how it was chosen.
fn settle<T: Clone + PartialEq>(readings: &[Option<T>]) -> Option<(Option<T>, &'static str)> {
    if readings.iter().all(|r| *r == readings[0]) {
        return None;
    }
    let majority = readings.iter().find(|r| r.is_some() && readings.iter().filter(|o| o == r).count() >= 2);
    Some(match majority {
        Some(m) if *m == readings[0] => (m.clone(), "kept the first, which two readings agree on"),
        Some(m) => (m.clone(), "took the one two readings agree on"),
        None => (readings[0].clone(), "no two agree, so the first is kept"),
    })
}

fn listed<T>(readings: &[Option<T>], show: impl Fn(&T) -> String) -> String {
    readings.iter().map(|r| r.as_ref().map_or("nothing".to_string(), &show)).collect::<Vec<_>>().join(", ")
}

/// Reads a text line again with chi_sim, unsqueezed, at `scale` times the
/// page's size.
fn reread(scan: &ScanDoc, l: &LineRead, scale: f32) -> Option<String> {
    let page = scan.scans.iter().find(|s| s.page == l.page)?;
    let b = l.band;
    let crop = crop_padded(&page.gray, (b.x0, b.y0, b.x1, b.y1), 0.5);
    let size = |n: u32| ((n as f32 * scale).round() as u32).max(1);
    let img: GrayImage = if scale == 1.0 { crop } else { imageops::resize(&crop, size(crop.width()), size(crop.height()), imageops::FilterType::CatmullRom) };
    let dpi = (page.dpi * scale) as u32;
    with_engines(|e| e.text.read(&img, Psm::Line, dpi).ok().map(|w| join_words(&w, false))).ok().flatten()
}

/// The first text line holding `needle`, both normalized, spaces ignored.
fn line_of<'a>(lines: &'a [LineRead], needle: &str) -> Option<&'a LineRead> {
    let squash = |t: &str| nfkc(t).chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let needle = squash(needle);
    lines.iter().find(|l| !needle.is_empty() && squash(&l.word.text).contains(&needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_settle_by_majority_or_keep_the_first() {
        let s = |t: &str| Some(t.to_string());
        assert_eq!(settle(&[s("甲"), s("甲")]), None);
        assert_eq!(settle(&[s("甲"), s("乙"), s("乙")]), Some((s("乙"), "took the one two readings agree on")));
        assert_eq!(settle(&[s("甲"), s("乙"), s("甲")]), Some((s("甲"), "kept the first, which two readings agree on")));
        assert_eq!(settle(&[s("甲"), s("乙"), s("丙")]), Some((s("甲"), "no two agree, so the first is kept")));
        // Two readings that find nothing are no majority.
        assert_eq!(settle(&[s("甲"), None, None]), Some((s("甲"), "no two agree, so the first is kept")));
    }
}
