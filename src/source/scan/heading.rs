//! Scan stage 5b: the report's organization and year, checked by reading
//! the title again. In: the [`Report`] and the [`ScanDoc`]. Out: the same
//! report, with an `organization-unsure` or `year-unsure` warning for each
//! of the two that OCR is unsure of (an unsure organization replaced by the
//! name read most often, see `most_read`), and `no-title` when neither was read
//! (a missing organization or year is a review entry of its own, made by
//! the verification stage).
//!
//! The organization and year come from the title, where no rule can check
//! them and a misread looks right (武侯区 read 武修区). chi_sim reads a
//! title's large bold type worse than body text, and the rare characters of
//! place names worst. The title line is read once more as it is on the
//! page (lines are first read squeezed to 0.7 of their width, see
//! `read::for_chi_sim`), and a warning is given when
//! - the two readings give another organization or year: neither is
//!   preferred (each was right where the other was wrong on the samples,
//!   and a third reading sided with the wrong one as often as not), so the
//!   first is kept and both are named, unless the report's other lines
//!   (first sentence, signature) read one of them alike: an organization
//!   read the same twice or more, and more often than the first, is kept
//!   instead (still flagged); or
//! - they agree, but a character of it in the second reading has a
//!   confidence below [`UNSURE_CHAR`] (on one sample both readings gave
//!   三里鹿 for 三里庵).
//!
//! The text is never changed. A title costs one more chi_sim call.

use super::ocr::{with_engines, Psm};
use super::read::crop_padded;
use super::text::LineRead;
use super::ScanDoc;
use crate::doc::{Loc, TextDoc};
use crate::findings::{Report, Warning};
use crate::layout::Rect;
use crate::normalize::nfkc;
use crate::title::title_parts;

/// Below this confidence (of the second, unsqueezed reading) a character
/// makes the organization or year unsure. Empirically chosen on the
/// samples' titles: the misread characters scored 0.27–0.88, the right
/// ones 0.93 or more but for one 0.85 (碑, which is flagged).
pub const UNSURE_CHAR: f32 = 0.90;

/// Rereads the title line and flags the organization and the year when
/// the second reading gives another, or is unsure of a character of it.
pub fn check_title(r: &mut Report, scan: &ScanDoc) {
    if r.organization.is_none() && r.year.is_none() {
        r.warnings.push(Warning::new(
            "no-title",
            "no title naming the organization or the year was read; check the report's first page"
                .to_string(),
        ));
        return;
    }
    if let Some(org) = r.organization.clone() {
        check_org(r, scan, &org);
    }
    let Some(title) = r.title.clone() else { return };
    let Some(line) = line_of(&scan.lines, &title) else { return };
    let year = title_parts(&title).1.map(|y| y.to_string());
    let second = reread(scan, line).unwrap_or_default();
    let year2 =
        title_parts(&second.iter().map(|c| c.0).collect::<String>()).1.map(|y| y.to_string());
    let page = line.page;
    let show = |t: &Option<String>| t.as_ref().map_or("nothing".to_string(), |t| format!("{t:?}"));
    let message = if year != year2 {
        format!("year: two readings of the title give {} and {}; the first is kept; check it against page {page}", show(&year), show(&year2))
    } else if let Some((conf, ch)) =
        year2.as_deref().and_then(|t| lowest(&second, t)).filter(|l| l.0 < UNSURE_CHAR)
    {
        format!("year: OCR is unsure of {} (its character {ch:?} read with confidence {conf:.2}); check it against page {page}", show(&year))
    } else {
        return;
    };
    r.warnings
        .push(Warning { loc: line_loc(line), ..Warning::scoped("year-unsure", "title", message) });
}

/// Flags the organization when the line it was read from (the title, the
/// line above it, or the narrative) reads otherwise a second time, or
/// with a character of it unsure. A flagged organization is replaced by
/// the name read most often, when one is read more often than it (see
/// [`most_read`]).
fn check_org(r: &mut Report, scan: &ScanDoc, org: &str) {
    // As for the year: a line OCR text does not hold as read (spaced, or
    // split) is not read again (it flagged a right organization read from
    // a PDF's OCR text, pdf_07); the other lines are still compared.
    let line = line_of(&scan.lines, org);
    let page = line.map_or(1, |l| l.page);
    let second = line.map(|l| reread(scan, l).unwrap_or_default());
    let again: Option<String> = second.as_ref().map(|c| c.iter().map(|c| c.0).collect());
    // The title line gives the organization before its year; a line of
    // its own gives it whole.
    let second_org = again
        .as_ref()
        .filter(|a| !a.contains(org))
        .map(|a| title_parts(a).0.unwrap_or_else(|| a.clone()));
    let elsewhere = names_in_text(&scan.doc, org);
    let why = match (&second_org, &second) {
        (Some(other), _) => Some(format!("two readings of its line give {org:?} and {other:?}")),
        (None, Some(second)) => lowest(second, org).filter(|l| l.0 < UNSURE_CHAR).map(|(conf, ch)| {
            format!("OCR is unsure of {org:?} (its character {ch:?} read with confidence {conf:.2})")
        }),
        (None, None) => None,
    }
    .or_else(|| {
        named_otherwise(org, &elsewhere)
            .map(|other| format!("the title reads {org:?}, the text {other:?}"))
    });
    tracing::debug!(target: "xxgk::doc", "organization {org:?} (line found: {}): {why:?}, read elsewhere {elsewhere:?}", line.is_some());
    let Some(why) = why else { return };
    let readings: Vec<&str> = std::iter::once(org)
        .chain(second_org.as_deref())
        .chain(elsewhere.iter().map(String::as_str))
        .collect();
    let kept = most_read(&readings);
    let times = readings.iter().filter(|t| **t == kept).count();
    let message = format!(
        "organization: {why}; {kept:?} is kept (read {times} of {} times); check it against page {page}",
        readings.len()
    );
    r.organization = Some(kept.to_string());
    r.warnings.push(Warning {
        loc: line.and_then(line_loc),
        ..Warning::scoped("organization-unsure", "title", message)
    });
}

/// Of the readings of one name (the title's first, then the others), the
/// one read most often: another than the first only when it is read at
/// least twice and more often than the first. Two readings of a name
/// alike to the character (in the title's large type and the body's, or
/// twice in the title) rarely share a misread; the name stays flagged.
fn most_read<'a>(readings: &[&'a str]) -> &'a str {
    let count = |t: &str| readings.iter().filter(|r| **r == t).count();
    let first = readings.first().copied().unwrap_or_default();
    readings
        .iter()
        .copied()
        .filter(|t| count(t) >= 2 && count(t) > count(first))
        .max_by_key(|t| count(t))
        .unwrap_or(first)
}

/// How the report's other lines name the organization when none of them
/// names it as `org` but one names it nearly so (of `elsewhere`, see
/// [`names_in_text`], the likeliest): the same name read in body type,
/// where OCR misreads other characters than in the title's large type
/// (成都市 in the signature for 成痢市 in the title). Reports name their
/// organization again in their first sentence and their signature; a name
/// read alike there confirms nothing more than the two readings of the
/// title did, but a name read otherwise is a second reading that
/// disagrees.
fn named_otherwise<'a>(org: &str, elsewhere: &'a [String]) -> Option<&'a String> {
    if elsewhere.iter().any(|e| e == org) {
        return None;
    }
    let sim = |e: &String| strsim::normalized_levenshtein(e, org);
    elsewhere.iter().reduce(|a, b| if sim(b) > sim(a) { b } else { a })
}

/// The stretches of the report's other lines that name `org` nearly so (a
/// character or two in four apart), in text order, none overlapping
/// another, the likeliest taken first. The first line naming `org` is
/// where it was taken from; the others are joined, as a name may be
/// broken across two.
fn names_in_text(doc: &TextDoc, org: &str) -> Vec<String> {
    let want: Vec<char> = org.chars().collect();
    let n = want.len();
    if n < MIN_ORG_CHARS {
        return Vec::new();
    }
    let squash = |t: &str| nfkc(t).chars().filter(|c| !c.is_whitespace()).collect::<Vec<_>>();
    let lines: Vec<Vec<char>> = doc.lines.iter().map(|l| squash(&l.text)).collect();
    let own = lines.iter().position(|l| l.windows(n).any(|w| w == want.as_slice()));
    let text: Vec<char> = lines
        .iter()
        .enumerate()
        .filter(|&(k, _)| Some(k) != own)
        .flat_map(|(_, l)| l.iter().copied())
        .collect();
    // (similarity, length rank, start, length): of two stretches alike,
    // the one as long as the name first.
    let mut found: Vec<(f64, usize, usize, usize)> = Vec::new();
    for (rank, len) in [n, n - 1, n + 1].into_iter().enumerate() {
        for (at, w) in text.windows(len).enumerate() {
            let sim = strsim::normalized_levenshtein(&w.iter().collect::<String>(), org);
            if sim >= ORG_ALIKE {
                found.push((sim, rank, at, len));
            }
        }
    }
    found.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut taken: Vec<(usize, usize)> = Vec::new();
    for (_, _, at, len) in found {
        if taken.iter().all(|&(a, l)| at + len <= a || a + l <= at) {
            taken.push((at, len));
        }
    }
    taken.sort_unstable();
    taken.into_iter().map(|(at, len)| text[at..at + len].iter().collect()).collect()
}

/// A name this long or longer is sought in the other lines: shorter ones
/// are nearly matched by chance.
const MIN_ORG_CHARS: usize = 4;
/// Two stretches this similar (normalized edit distance) are one name read
/// twice: a character in four may differ.
const ORG_ALIKE: f64 = 0.75;

fn line_loc(line: &LineRead) -> Option<Loc> {
    let Rect { x0, y0, x1, y1 } = line.word.rect;
    Some(Loc::Box { page: line.page, x0, y0, x1, y1 })
}

/// The lowest confidence among the characters that spell `text` in
/// `reading`, with that character.
fn lowest(reading: &[(char, f32)], text: &str) -> Option<(f32, char)> {
    let want: Vec<char> = text.chars().collect();
    let at = reading
        .windows(want.len().max(1))
        .position(|w| w.iter().map(|c| c.0).eq(want.iter().copied()))?;
    reading[at..at + want.len()]
        .iter()
        .map(|&(c, conf)| (conf, c))
        .min_by(|a, b| a.0.total_cmp(&b.0))
}

/// Reads a text line again with chi_sim, unsqueezed, at the page's size:
/// its characters (normalized, spaces dropped) with their confidences.
fn reread(scan: &ScanDoc, l: &LineRead) -> Option<Vec<(char, f32)>> {
    let page = scan.scans.iter().find(|s| s.page == l.page)?;
    let b = l.band;
    let crop = crop_padded(&page.gray, (b.x0, b.y0, b.x1, b.y1), 0.5);
    let words = with_engines(|e| e.text.read(&crop, Psm::Line, page.dpi as u32)).ok()?.ok()?;
    let symbols = words.iter().flat_map(|w| &w.symbols);
    Some(
        symbols
            .flat_map(|s| {
                nfkc(&s.text)
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .map(|c| (c, s.confidence))
                    .collect::<Vec<_>>()
            })
            .collect(),
    )
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
    use crate::doc::Line;

    fn doc(lines: &[&str]) -> TextDoc {
        let line = |(k, t): (usize, &&str)| Line {
            number: k + 1,
            text: t.to_string(),
            cells: Vec::new(),
            row_end: false,
        };
        TextDoc { lines: lines.iter().enumerate().map(line).collect() }
    }

    #[test]
    fn an_organization_named_otherwise_in_the_text_is_found() {
        let org = "成痢市武侯区交通运输局";
        // The signature reads it otherwise, and the first sentence broken
        // across two lines too.
        let d = doc(&[
            org,
            "2020年政府信息公开工作年度报告",
            "2020年，成都市武伐区交通运",
            "输局深入贯彻",
            "成都市武侯区交通运输局",
        ]);
        let elsewhere = names_in_text(&d, org);
        assert_eq!(elsewhere, ["成都市武伐区交通运输局", "成都市武侯区交通运输局"]);
        assert_eq!(
            named_otherwise(org, &elsewhere).map(String::as_str),
            Some("成都市武侯区交通运输局")
        );
        // Named alike elsewhere: no second reading disagrees.
        let d = doc(&[org, "2020年，成痢市武侯区交通运输局深入", "成都市武侯区交通运输局"]);
        assert_eq!(named_otherwise(org, &names_in_text(&d, org)), None);
        // Not named again: nothing to compare.
        assert_eq!(names_in_text(&doc(&[org, "本机关深入贯彻"]), org), Vec::<String>::new());
    }

    #[test]
    fn the_name_read_most_often_is_kept() {
        // Twice in the title's second reading and the signature, once
        // otherwise in the title and the first sentence.
        assert_eq!(
            most_read(&["某州市避新镇", "某州市高新镇", "某州市高新镇", "某川市高新镇"]),
            "某州市高新镇"
        );
        // No name read twice, or none more often than the first: the first.
        assert_eq!(most_read(&["某州市避新镇", "某州市高新镇", "某川市高新镇"]), "某州市避新镇");
        assert_eq!(
            most_read(&["某州市避新镇", "某州市避新镇", "某州市高新镇", "某州市高新镇"]),
            "某州市避新镇"
        );
        assert_eq!(most_read(&["某州市避新镇"]), "某州市避新镇");
    }

    #[test]
    fn lowest_confidence_of_the_characters_that_spell_a_text() {
        let reading: Vec<(char, f32)> = "某区某局2022年"
            .chars()
            .zip([0.99, 0.95, 0.73, 0.98, 0.99, 0.99, 0.97, 0.99, 0.99])
            .collect();
        assert_eq!(lowest(&reading, "某局"), Some((0.73, '某')));
        assert_eq!(lowest(&reading, "2022"), Some((0.97, '2')));
        assert_eq!(lowest(&reading, "别局"), None);
    }
}
