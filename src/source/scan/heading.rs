//! Scan stage 5b: the report's organization and year, checked by reading
//! the title again. In: the [`Report`] and the [`ScanDoc`]. Out: the same
//! report, with a `low-confidence` warning for each of the two that the
//! readings disagree on.
//!
//! The organization and year come from the title, where no rule can check
//! them and a misread looks right (武侯区 read 武修区). chi_sim reads a
//! title's large bold type worse than body text, and the rare characters of
//! place names worst; its confidences do not tell (a misread 修 scored 0.87,
//! a right 雁 0.88 on the samples). Two readings of the same ink that
//! disagree do: the title line is read once more as it is on the page
//! (lines are first read squeezed to 0.7 of their width, see
//! `read::for_chi_sim`). Neither reading is preferred: on the samples each
//! was right where the other was wrong, and a third reading (1.5 times
//! the size) agreed with the wrong one on one sample and with neither on
//! two. So the first is kept and both are named in the warning. A title costs one more chi_sim call.

use super::ocr::{with_engines, Psm};
use super::read::{crop_padded, join_words};
use super::text::LineRead;
use super::ScanDoc;
use crate::layout::Rect;
use crate::normalize::nfkc;
use crate::report::{Report, Warning};
use crate::segment::title_parts;
use crate::source::text::Loc;

/// Rereads the title line and flags the organization and the year when
/// the second reading gives another.
pub fn check_title(r: &mut Report, scan: &ScanDoc) {
    let Some(title) = r.title.clone() else { return };
    let Some(line) = line_of(&scan.lines, &title) else { return };
    let (org, year) = title_parts(&title);
    let (org2, year2) = reread(scan, line).map_or((None, None), |t| title_parts(&t));
    let page = line.page;
    let Rect { x0, y0, x1, y1 } = line.word.rect;
    let loc = Some(Loc::Box { page, x0, y0, x1, y1 });
    let show = |t: Option<String>| t.map_or("nothing".to_string(), |t| format!("{t:?}"));
    let mut flag = |what: &str, first: Option<String>, second: Option<String>| {
        if first != second {
            let message = format!("{what}: two readings of the title give {} and {}; the first is kept; check it against page {page}", show(first), show(second));
            r.warnings.push(Warning { code: "low-confidence", message, field: None, loc });
        }
    };
    flag("organization", org, org2);
    flag("year", year.map(|y| y.to_string()), year2.map(|y| y.to_string()));
}

/// Reads a text line again with chi_sim, unsqueezed, at the page's size.
fn reread(scan: &ScanDoc, l: &LineRead) -> Option<String> {
    let page = scan.scans.iter().find(|s| s.page == l.page)?;
    let b = l.band;
    let crop = crop_padded(&page.gray, (b.x0, b.y0, b.x1, b.y1), 0.5);
    with_engines(|e| e.text.read(&crop, Psm::Line, page.dpi as u32).ok().map(|w| join_words(&w, false))).ok().flatten()
}

/// The first text line holding `needle`, both normalized, spaces ignored.
fn line_of<'a>(lines: &'a [LineRead], needle: &str) -> Option<&'a LineRead> {
    let squash = |t: &str| nfkc(t).chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let needle = squash(needle);
    lines.iter().find(|l| !needle.is_empty() && squash(&l.word.text).contains(&needle))
}
