//! Stage: segmentation. [`TextDoc`] → sections, table regions and metadata.
//!
//! Headings are found by similarity to the six known section titles (from
//! `models/sections.toml`), in order, so that 一、总体情况's own 一、二、三
//! sub-numbering, renumbered sections and heading variants all work. The
//! title, organization and report year come from the title line, or from the
//! narrative when a report has no title.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::doc::TextDoc;
use crate::normalize::{core, fuzzy_contains, fuzzy_find, nfkc, similarity};
use crate::template::TemplateSet;

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
        let Some(table) = &section.table else { continue };
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
            .map(|(k, s)| (k, s.cores.iter().map(|l| similarity(&c, l)).fold(0.0, f32::max)))
            .filter(|(_, s)| *s >= HEADING_SIMILARITY)
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        if let Some((k, _)) = best {
            heads[k] = Some(i);
            next = k + 1;
        }
    }
    heads
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

/// A title names 政府信息公开 and a 报告; OCR garbles a character in four
/// of a scanned title's large type (政府信息公开工作年度报重), so each key is
/// sought by similarity.
const TITLE_KEYS: [&str; 2] = ["政府信息公开", "年度报告"];
const TITLE_KEY_SIMILARITY: f32 = 0.75;

fn names_a_report(t: &str) -> bool {
    t.contains("政府信息公开") && t.contains("报告")
        || TITLE_KEYS.iter().all(|k| fuzzy_contains(t, k, TITLE_KEY_SIMILARITY))
}

/// The title line, and the line before it when that line holds the
/// organization on its own ("重庆市大渡口区茄子溪街道办事处" / "2020年政府信息公开工作年度报告").
fn find_title(doc: &TextDoc, before: usize) -> (Option<String>, Option<String>) {
    let candidates = doc.lines[..before.min(doc.lines.len())]
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.text.trim().is_empty());
    let titles: Vec<(usize, String)> = candidates
        .map(|(i, l)| (i, clean_title(&l.text)))
        .filter(|(_, t)| names_a_report(t) && t.chars().count() <= 60)
        .collect();
    // A web page's breadcrumb (首页>政府信息公开>年度报告) comes first and
    // has the keys too, but no year.
    let best = titles.iter().position(|(_, t)| year_in(t).is_some()).unwrap_or(0);
    let Some((i, title)) = titles.into_iter().nth(best) else { return (None, None) };
    let prev = doc.lines[..i]
        .iter()
        .rev()
        .find(|l| !l.text.trim().is_empty())
        .map(|l| clean_title(&l.text));
    let org_line =
        prev.filter(|p| p.chars().count() <= 30 && !p.contains("附件") && looks_like_org(p));
    (Some(title), org_line)
}

/// The organization and year a title line gives on its own (no line
/// before it); for checking another reading of the same title.
pub fn title_parts(line: &str) -> (Option<String>, Option<i32>) {
    let t = clean_title(line);
    (organization_from_title(&t, None), year_in(&t))
}

fn clean_title(t: &str) -> String {
    let t = nfkc(t.trim_start_matches(['#', ' ']));
    let t = t.trim();
    let t = t
        .strip_prefix("附件1")
        .or_else(|| t.strip_prefix("附件"))
        .unwrap_or(t)
        .trim_start_matches([':', ' ', '：']);
    t.chars().filter(|c| !c.is_whitespace()).collect()
}

fn year_in(t: &str) -> Option<i32> {
    years_in(t).next()
}

/// Every "YYYY年" in `t` (a four-digit run not preceded by a digit).
fn years_in(t: &str) -> impl Iterator<Item = i32> + '_ {
    let chars: Vec<char> = t.chars().collect();
    (0..chars.len().saturating_sub(4)).filter_map(move |i| {
        let run = &chars[i..i + 4];
        let ok = (i == 0 || !chars[i - 1].is_ascii_digit())
            && chars[i + 4] == '年'
            && run.iter().all(|c| c.is_ascii_digit());
        ok.then(|| run.iter().collect::<String>().parse().ok())
            .flatten()
            .filter(|y| (1990..=2100).contains(y))
    })
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

/// Suffixes of issuing organs, longest first.
const ORG_SUFFIXES: &[&str] = &[
    "街道办事处",
    "人民政府办公室",
    "人民政府办公厅",
    "人民政府",
    "办事处",
    "委员会",
    "管理委员会",
    "办公室",
    "办公厅",
    "街道",
    "镇",
    "乡",
    "局",
    "厅",
    "委",
    "院",
    "署",
    "中心",
    "政府",
    "分局",
    "所",
    "站",
    "队",
];

fn looks_like_org(t: &str) -> bool {
    ORG_SUFFIXES.iter().any(|s| t.ends_with(s))
        && t.chars().all(|c| crate::value::is_cjk(c) || "()（）".contains(c))
}

/// Where the title's year stands: its byte offset and length. A year OCR
/// garbled in one digit (202]年, 20l9年) still ends the organ's name,
/// though it gives no year.
fn year_mark(title: &str) -> Option<(usize, usize)> {
    if let Some(year) = year_in(title) {
        let mark = format!("{year}年");
        return title.find(&mark).map(|pos| (pos, mark.len() - '年'.len_utf8()));
    }
    let chars: Vec<(usize, char)> = title.char_indices().collect();
    (0..chars.len().saturating_sub(4)).find_map(|i| {
        let run = &chars[i..i + 4];
        let digits = run.iter().filter(|(_, c)| c.is_ascii_digit()).count();
        let plausible =
            run.iter().all(|(_, c)| c.is_ascii_graphic()) && run[0].1 == '2' && digits >= 3;
        let bounded = i == 0 || !chars[i - 1].1.is_ascii_graphic();
        (plausible && bounded && chars[i + 4].1 == '年')
            .then(|| (run[0].0, chars[i + 4].0 - run[0].0))
    })
}

fn organization_from_title(title: &str, org_line: Option<&str>) -> Option<String> {
    let (pos, year_len) = year_mark(title)?;
    // "XX局关于2021年…", "XX局（2021年）…": the organ is before the year,
    // without the connective; "政府信息公开工作年度报告（2021年）" has none.
    let before = title[..pos].trim_end_matches(['(', '（', ' ']);
    let before = before.strip_suffix("关于").unwrap_or(before).trim();
    if !before.is_empty()
        && !before.contains("报告")
        && !fuzzy_contains(before, TITLE_KEYS[0], TITLE_KEY_SIMILARITY)
    {
        return Some(before.to_string());
    }
    let after = &title[pos + year_len + '年'.len_utf8()..];
    let end = fuzzy_find(after, TITLE_KEYS[0], TITLE_KEY_SIMILARITY).unwrap_or(after.len());
    let name = after[..end].trim_start_matches(['度']);
    if name.chars().filter(|c| crate::value::is_cjk(*c)).count() >= 2 {
        return Some(name.to_string());
    }
    org_line.map(str::to_string)
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

    #[test]
    fn a_breadcrumb_is_not_the_title() {
        let doc = read("当前位置：首页 > 政府信息公开 > 年度报告\n某某区人民政府办公室2023年政府信息公开工作年度报告\n一、总体情况\n");
        assert_eq!(
            find_title(&doc, 2).0.as_deref(),
            Some("某某区人民政府办公室2023年政府信息公开工作年度报告")
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
