//! Stage: segmentation. [`TextDoc`] → sections, table regions and metadata.
//!
//! Headings are found by similarity to the six known section titles (from
//! `models/sections.toml`), in order, so that 一、总体情况's own 一、二、三
//! sub-numbering, renumbered sections and heading variants all work. The
//! title, organization and report year come from the title line, or from the
//! narrative when a report has no title.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::doc::{Cell, Line, TextDoc};
use crate::normalize::{core, nfkc, similarity};
use crate::template::TemplateSet;
use crate::title::{
    clean_title, looks_like_org, names_a_report_fuzzily, organization_from_title, year_in,
    years_in, ORG_SUFFIXES,
};

/// A heading must be at least this close to a known title.
/// Empirically chosen: variants like 政府信息公开行政复议及行政诉讼情况 score
/// ≥ 0.9, narrative sub-headings like （一）主动公开 score < 0.5.
const HEADING_SIMILARITY: f32 = 0.75;
/// Headings are short; longer lines are narrative that may quote a title.
const HEADING_MAX_CHARS: usize = 40;

#[derive(Clone, Debug, PartialEq)]
pub struct Segments {
    /// Line index range (into `TextDoc::lines`) of each table's section, by
    /// table id ("s2", …). A table whose heading is missing gets the space
    /// between its neighbours.
    pub regions: BTreeMap<String, Range<usize>>,
    pub title: Option<String>,
    pub organization: Option<String>,
    pub year: Option<i32>,
    /// Line index where the body after the last section ends (footers cut).
    pub end: usize,
}

pub fn segment(doc: &TextDoc, templates: &TemplateSet) -> Segments {
    let heads = find_headings(doc, templates);
    let n = doc.lines.len();
    // The end of the report: section 六's paragraph(s), before a website
    // footer. Section 六 is short; stop at the first blank-separated run of
    // footer-like lines.
    let end = n;
    let mut regions = BTreeMap::new();
    let found: Vec<(usize, usize)> =
        heads.iter().enumerate().filter_map(|(k, h)| h.map(|line| (k, line))).collect();
    for (k, section) in templates.sections.iter().enumerate() {
        let Some(table) = &section.table else {
            continue;
        };
        let start = match heads[k] {
            Some(line) => line + 1,
            // Missing heading: start after the previous found heading.
            None => found.iter().filter(|(j, _)| *j < k).map(|(_, l)| l + 1).max().unwrap_or(0),
        };
        let stop = found.iter().filter(|(j, _)| *j > k).map(|(_, l)| *l).min().unwrap_or(end);
        if start < stop {
            regions.insert(table.clone(), start..stop);
        }
    }
    let first_heading = found.first().map_or(n.min(30), |(_, l)| *l);
    let (title, org_line) = find_title(doc, first_heading);
    let year = title.as_deref().and_then(year_in).or_else(|| most_common_year(doc));
    let organization = title
        .as_deref()
        .and_then(|t| organization_from_title(t, org_line.as_deref()))
        .or_else(|| organization_from_narrative(doc));
    Segments { regions, title, organization, year, end }
}

/// A line this long holding two section headings is a page's text
/// flattened to one line (a scraper's `get_text()`).
const FLAT_LINE_CHARS: usize = 200;

/// The document with every flattened line cut at the section headings it
/// holds (`…一、总体情况2021年，…二、主动公开政府信息情况第二十条…`): the
/// heading on a line of its own, the text between on lines of their own.
/// `None` when no line is flattened.
pub fn unfold(doc: &TextDoc, templates: &TemplateSet) -> Option<TextDoc> {
    let mut next = 0;
    let mut out: Option<Vec<Line>> = None;
    for (i, line) in doc.lines.iter().enumerate() {
        let chars: Vec<char> = line.text.chars().collect();
        let heads = if chars.len() >= FLAT_LINE_CHARS {
            headings_inside(&chars, templates, next)
        } else {
            Vec::new()
        };
        if heads.len() < 2 {
            if let Some(out) = out.as_mut() {
                out.push(line.clone());
            }
            continue;
        }
        next = heads.last().map_or(next, |h| h.0 + 1);
        let out = out.get_or_insert_with(|| doc.lines[..i].to_vec());
        let mut cuts: Vec<usize> = heads.iter().flat_map(|&(_, a, b)| [a, b]).collect();
        cuts.insert(0, 0);
        cuts.push(chars.len());
        for w in cuts.windows(2) {
            let text: String = chars[w[0]..w[1]].iter().collect::<String>().trim().to_string();
            if text.is_empty() {
                continue;
            }
            let loc = line.cells.first().and_then(|c| c.loc);
            out.push(Line {
                number: line.number,
                text: text.clone(),
                cells: vec![Cell { text, loc, span: None }],
                row_end: true,
            });
        }
    }
    out.map(|lines| TextDoc { lines })
}

/// Section headings inside a flattened line, in order, from section `from`
/// on: (section index, start, end) in chars. A heading is a numeral and `、`
/// (not inside brackets: （一）) followed by text close to a section title;
/// the title's own length, give or take a few characters, bounds it.
fn headings_inside(
    chars: &[char],
    templates: &TemplateSet,
    from: usize,
) -> Vec<(usize, usize, usize)> {
    let mut found = Vec::new();
    let mut next = from;
    for p in 0..chars.len().saturating_sub(2) {
        if !"一二三四五六七八九十".contains(chars[p])
            || chars[p + 1] != '、'
            || (p > 0 && "（(第".contains(chars[p - 1]))
        {
            continue;
        }
        let mut best: Option<(f32, usize, usize)> = None;
        for (k, section) in templates.sections.iter().enumerate().skip(next) {
            for label in &section.cores {
                let n = label.chars().count();
                for len in n.saturating_sub(1)..=n + 3 {
                    let end = p + 2 + len;
                    if end > chars.len() {
                        break;
                    }
                    let text: String = chars[p + 2..end].iter().collect();
                    let s = similarity(&core(&text), label);
                    if s >= HEADING_SIMILARITY && best.is_none_or(|b| s > b.0) {
                        best = Some((s, k, end));
                    }
                }
            }
        }
        if let Some((_, k, end)) = best {
            found.push((k, p, end));
            next = k + 1;
        }
    }
    found
}

/// Line index of each section's heading, in `templates.sections` order.
fn find_headings(doc: &TextDoc, templates: &TemplateSet) -> Vec<Option<usize>> {
    let mut heads = vec![None; templates.sections.len()];
    let mut next = 0;
    for (i, line) in doc.lines.iter().enumerate() {
        let text = line.text.trim_start_matches(['#', ' ']);
        if text.chars().count() > HEADING_MAX_CHARS
            || line.cells.iter().filter(|c| !c.text.is_empty()).count() > 1
        {
            continue;
        }
        if is_wrapped_sentence(text) {
            continue;
        }
        let c = core(strip_artifacts(text));
        let best = templates
            .sections
            .iter()
            .enumerate()
            .skip(next)
            .map(|(k, s)| {
                (k, s.cores.iter().map(|l| heading_similarity(&c, l)).fold(0.0, f32::max))
            })
            .filter(|(_, s)| *s >= HEADING_SIMILARITY)
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        if let Some((k, _)) = best {
            heads[k] = Some(i);
            next = k + 1;
        }
    }
    heads
}

/// Similarity of a line to a section title, as a heading: the line must
/// begin where the title begins (a narrative line that lists the sections,
/// 文包括总体情况、主动公开政府信息情况、…, only contains them), unless it is
/// nearly the title (an OCR'd heading whose first character is damaged).
fn heading_similarity(text: &str, title: &str) -> f32 {
    let s = similarity(text, title);
    let same_start = text.chars().next().is_some_and(|c| title.chars().take(2).any(|t| t == c))
        || title.chars().next().is_some_and(|c| text.chars().take(2).any(|t| t == c));
    if same_start || s >= 0.9 {
        s
    } else {
        0.0
    }
}

/// A line of a wrapped paragraph, not a heading: it starts with the
/// punctuation that ends the previous line's clause, holds a full stop
/// before its end, or states a count (a number of 件, 条, 次, 个): headings
/// name sections and count nothing. PDF text wraps narrative anywhere,
/// and such a line can resemble a heading ("。因政府信息公开工作被申请行政复议1件、
/// 被提起行政诉讼2件。", which is also a paragraph's last line on its own).
fn is_wrapped_sentence(t: &str) -> bool {
    let t = t.trim();
    let inner = t.trim_end_matches(['。', ' ']);
    let chars: Vec<char> = t.chars().filter(|c| !c.is_whitespace()).collect();
    let counts = chars.windows(2).any(|w| w[0].is_ascii_digit() && "件条次个".contains(w[1]));
    t.starts_with(['。', '，', '、', '；', '：', '）', '”', ',', '.', ';', ':'])
        || inner.contains('。')
        || counts
}

/// Word artifacts glued to headings: "[bookmark: _GoBack]二、主动公开…".
fn strip_artifacts(t: &str) -> &str {
    let mut t = t.trim();
    while t.starts_with('[') {
        match t.find(']') {
            Some(end) => t = t[end + 1..].trim_start(),
            None => break,
        }
    }
    t
}

const TITLE_KEYS: [&str; 2] = ["政府信息公开", "报告"];

fn names_a_report(t: &str) -> bool {
    TITLE_KEYS.iter().all(|k| t.contains(k)) || names_a_report_fuzzily(t)
}

/// The title line, and the line before it when that line holds the
/// organization on its own ("重庆市大渡口区茄子溪街道办事处" / "2020年政府信息公开工作年度报告").
fn find_title(doc: &TextDoc, before: usize) -> (Option<String>, Option<String>) {
    let candidates = doc.lines[..before.min(doc.lines.len())]
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.text.trim().is_empty());
    // A title wrapped in PDF text (…工作年度报 / 告, …年政府信 / 息公开工作年度报告)
    // is read joined; in a line of several cells, the cell that holds it.
    let title_text = |l: &Line| {
        let texts = l.cells.iter().map(|c| short_title(&c.text));
        let keyed: Vec<String> =
            texts.filter(|t| TITLE_KEYS.iter().all(|k| t.contains(k))).collect();
        keyed
            .iter()
            .find(|t| year_in(t).is_some())
            .or(keyed.first())
            .cloned()
            .unwrap_or_else(|| short_title(&l.text))
    };
    let has_keys = |t: &str| TITLE_KEYS.iter().all(|k| t.contains(k));
    // The line with the short lines after it joined until `done`.
    let join_until = |i: usize, l: &Line, done: &dyn Fn(&str) -> bool| {
        let mut t = title_text(l);
        // pdftotext -raw may put each full-width digit of the year on a line.
        for next in doc.lines.iter().skip(i + 1).take(6).map(title_text) {
            if done(&t) || next.chars().count() > 16 {
                break;
            }
            t.push_str(&next);
        }
        done(&t).then_some(t)
    };
    // The keys as printed first; a scan's title in large type, wrapped, is
    // OCR'd with a character of its keys garbled as often as not (…2019年
    // 政府信 / 上恩公开工作年度报生): then the keys found by similarity.
    let joined = |i: usize, l: &Line| {
        join_until(i, l, &has_keys)
            .or_else(|| join_until(i, l, &names_a_report))
            .unwrap_or_else(|| title_text(l))
    };
    let titles: Vec<(usize, String)> = candidates
        .map(|(i, l)| (i, joined(i, l)))
        .filter(|(_, t)| names_a_report(t) && t.chars().count() <= 60)
        .collect();
    // A web page's breadcrumb (首页>政府信息公开>年度报告) comes first and
    // has the keys too, but no year.
    let best = titles.iter().position(|(_, t)| year_in(t).is_some()).unwrap_or(0);
    let Some((i, title)) = titles.into_iter().nth(best) else {
        return (None, None);
    };
    let prev = doc.lines[..i]
        .iter()
        .rev()
        .find(|l| !l.text.trim().is_empty())
        .map(|l| clean_title(&l.text));
    let org_line =
        prev.filter(|p| p.chars().count() <= 30 && !p.contains("附件") && looks_like_org(p));
    (Some(title), org_line)
}

/// A cell's text as a title: cleaned, and when long, the title inside it.
fn short_title(text: &str) -> String {
    let t = clean_title(text);
    if t.chars().count() <= 60 {
        return t;
    }
    embedded_title(&t).unwrap_or(t)
}

/// A title inside a long line (a page flattened into one line or one
/// table cell): `<organ><YYYY>年(度)政府信息公开工作年度报告`, the organ
/// running back from the year to the first character that is not CJK.
fn embedded_title(t: &str) -> Option<String> {
    t.match_indices("政府信息公开").find_map(|(end, _)| title_before(t, end))
}

fn title_before(t: &str, end: usize) -> Option<String> {
    let tail = &t[end..];
    let report = tail.find("报告").filter(|&r| r <= 30)? + "报告".len();
    let chars: Vec<char> = t[..end].chars().collect();
    let year = chars.iter().rposition(|c| *c == '年').filter(|&y| y + 3 >= chars.len())?;
    let mut start = year.checked_sub(4)?;
    if !chars[start..year].iter().all(char::is_ascii_digit) {
        return None;
    }
    while start > 0 && crate::value::is_cjk(chars[start - 1]) && year - start < 34 {
        start -= 1;
    }
    let title: String = chars[start..].iter().collect::<String>() + &tail[..report];
    (year - start > 4 + 1).then_some(title)
}

/// The year most often named, for reports without a title.
fn most_common_year(doc: &TextDoc) -> Option<i32> {
    let mut counts: BTreeMap<i32, usize> = BTreeMap::new();
    for line in &doc.lines {
        for y in years_in(&nfkc(&line.text)) {
            *counts.entry(y).or_default() += 1;
        }
    }
    counts.into_iter().max_by_key(|(y, c)| (*c, *y)).map(|(y, _)| y)
}

/// A report without a title names itself in the narrative: "2020年,峡口镇依
/// 申请公开信息0条", with "我镇" saying which kind of organ it is.
fn organization_from_narrative(doc: &TextDoc) -> Option<String> {
    let text: String = doc.lines.iter().map(|l| nfkc(&l.text)).collect::<Vec<_>>().join("\n");
    let kinds: Vec<&str> = ORG_SUFFIXES
        .iter()
        .copied()
        .filter(|s| text.contains(&format!("我{s}")) || text.contains(&format!("本{s}")))
        .collect();
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let chars: Vec<char> = text.chars().collect();
    for kind in &kinds {
        let k: Vec<char> = kind.chars().collect();
        for end in 0..chars.len() {
            if end + k.len() > chars.len() || chars[end..end + k.len()] != k[..] {
                continue;
            }
            // The name: 2–8 CJK characters before the suffix, after a boundary.
            let mut start = end;
            while start > 0
                && end - start < 8
                && crate::value::is_cjk(chars[start - 1])
                && !"年我本在的和及对向由".contains(chars[start - 1])
            {
                start -= 1;
            }
            let boundary =
                start == 0 || !crate::value::is_cjk(chars[start - 1]) || chars[start - 1] == '年';
            if end - start >= 2 && boundary {
                let name: String = chars[start..end + k.len()].iter().collect();
                let e = counts.entry(name).or_insert((0, end));
                e.0 += 1;
            }
        }
    }
    counts.into_iter().max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1))).map(|(n, _)| n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::text::read;

    #[test]
    fn organization_and_year_from_title_forms() {
        assert_eq!(
            organization_from_title("湛北路街道办事处2021年政府信息公开工作年度报告", None)
                .as_deref(),
            Some("湛北路街道办事处")
        );
        assert_eq!(
            organization_from_title("2020年南关区桃源街道政府信息公开工作年度报告", None)
                .as_deref(),
            Some("南关区桃源街道")
        );
        assert_eq!(
            organization_from_title("2020年政府信息公开工作年度报告", Some("某某镇")).as_deref(),
            Some("某某镇")
        );
        assert_eq!(
            organization_from_title("某市人民政府办公室关于2021年度政府信息公开工作年度报告", None)
                .as_deref(),
            Some("某市人民政府办公室")
        );
        assert_eq!(
            organization_from_title("政府信息公开工作年度报告(2021年)", Some("某县自然资源局"))
                .as_deref(),
            Some("某县自然资源局")
        );
        assert_eq!(year_in("湛北路街道办事处2021年政府信息公开"), Some(2021));
        assert_eq!(year_in("电话6930100年"), None);
        // A digit of the year misread (scan_52): the organ is still the
        // text before it, and the year is not guessed.
        let garbled = "南京市鼓楼区宁海路街道办事处202]年政府信息公开工作年度报告";
        assert_eq!(
            organization_from_title(garbled, None).as_deref(),
            Some("南京市鼓楼区宁海路街道办事处")
        );
        assert_eq!(year_in(garbled), None);
        assert_eq!(organization_from_title("电话6930100年政府信息公开", None), None);
        // The year garbled past recognition: the organ's line of its own
        // still names it. A speck before the year names nothing.
        assert_eq!(
            organization_from_title(
                "202(0年政府信息公开工作年度报重",
                Some("某州市某区某街道办事处")
            )
            .as_deref(),
            Some("某州市某区某街道办事处")
        );
        assert_eq!(organization_from_title("|2019年政府信息公开工作年度报和", None), None);
        assert_eq!(
            organization_from_title("|2019年政府信息公开工作年度报和", Some("某某镇")).as_deref(),
            Some("某某镇")
        );
    }

    /// See: samples/pdf/pdf_06_gbk_2019.pdf, where the wrapped line was
    /// taken for section 四 and hid the table headings after it.
    #[test]
    fn a_wrapped_paragraph_line_is_not_a_heading() {
        let t = TemplateSet::builtin().expect("models");
        let doc = read("一、总体情况\n全年共收到申请50件，结转下年度继续办理3件\n。因政府信息公开工作被申请行政复议1件、被提起行政诉讼2件。\n二、主动公开政府信息情况\n");
        let heads = find_headings(&doc, &t);
        assert_eq!(heads[1], Some(3));
        assert!(!heads.contains(&Some(2)));
        // The same sentence as a paragraph's last line, read on its own
        // from a scan (scan_53): it took section 四's place before 二 and 三.
        let doc = read("一、总体情况\n因政府信息公开工作被申请行政复议4件、被提起行政诉讼10件。\n二、主动公开政府信息情况\n");
        assert_eq!(find_headings(&doc, &t)[..4], [Some(0), Some(2), None, None]);
    }

    /// See: shared/real/shanghai-govoffice-2025.md, whose intro lists the
    /// sections and took the places of 二、三、四.
    #[test]
    fn a_line_listing_the_sections_is_not_a_heading() {
        let t = TemplateSet::builtin().expect("models");
        let doc = read("文包括总体情况、主动公开政府信息情况、收到和处理政府信息\n公开申请情况、因政府信息公开工作被申请行政复议和提起行政\n一、总体情况\n二、主动公开政府信息情况\n");
        assert_eq!(find_headings(&doc, &t)[..2], [Some(2), Some(3)]);
    }

    #[test]
    fn a_breadcrumb_is_not_the_title() {
        let doc = read("当前位置：首页 > 政府信息公开 > 年度报告\n某某区人民政府办公室2023年政府信息公开工作年度报告\n一、总体情况\n");
        assert_eq!(
            find_title(&doc, 2).0.as_deref(),
            Some("某某区人民政府办公室2023年政府信息公开工作年度报告")
        );
    }

    /// Titles as converters and crawlers leave them.
    #[test]
    fn titles_wrapped_prefixed_or_inside_a_long_line() {
        let title = |text: &str| find_title(&read(text), 8).0;
        let want = Some("某某区长安镇人民政府2024年政府信息公开工作年度报告".to_string());
        // pdftotext wraps the title; -raw puts full-width digits on lines.
        assert_eq!(
            title("某某区长安镇人民政府 2024 年政府信\n息公开工作年度报告\n一、总体情况\n"),
            want
        );
        assert_eq!(title("某某区长安镇人民政府２\n０\n２\n４\n年政府信息公开工作年度报告\n"), want);
        // A crawler's field name; Chrome's radical forms (⻓, ⺠).
        assert_eq!(title("标题: 某某区⻓安镇人⺠政府2024年政府信息公开工作年度报告\n"), want);
        // Inside a page flattened into one line, after a breadcrumb.
        let page = format!("当前位置：首页 > 政府信息公开 > 年度报告 | 发布时间：2025-01-25 | **某某区长安镇人民政府2024年政府信息公开工作年度报告** {}", "正文".repeat(30));
        assert_eq!(title(&page), want);
    }

    /// A scan's wrapped title in large type, a character of each key
    /// misread, one key split by OCR (e2 scans): still the title, joined.
    #[test]
    fn a_wrapped_title_garbled_by_ocr() {
        let title = |text: &str| find_title(&read(text), 8).0;
        assert_eq!(
            title("某某区长安镇人民政府2019年政府信\n上恩公开工作年度报生\n一、总体情况\n"),
            Some("某某区长安镇人民政府2019年政府信上恩公开工作年度报生".to_string())
        );
        assert_eq!(
            title("某某区茶园街道2021年政府信息公开工作年\n度报各\n下总体情况\n"),
            Some("某某区茶园街道2021年政府信息公开工作年度报各".to_string())
        );
    }

    #[test]
    fn organization_from_a_report_without_title() {
        let doc =
            read("一、总体情况\n我镇把主动公开作为重点。\n2020年,峡口镇依申请公开信息0条。\n");
        assert_eq!(organization_from_narrative(&doc).as_deref(), Some("峡口镇"));
    }

    #[test]
    fn headings_in_order_skip_sub_numbering() {
        let t = TemplateSet::builtin().unwrap();
        let doc = read("一、总体情况\n一、加强组织领导\n二、主动公开政府信息情况\nx\n三、收到和处理政府信息公开申请情况\ny\n政府信息公开行政复议及行政诉讼情况\nz\n五、存在的主要问题及改进情况\n");
        let s = segment(&doc, &t);
        assert_eq!(s.regions.get("s2"), Some(&(3..4)));
        assert_eq!(s.regions.get("s3"), Some(&(5..6)));
        assert_eq!(s.regions.get("s4"), Some(&(7..8)));
    }
}
