//! Title lines: the organization and year a report's title names. Below
//! the stages, because the segmenter reads titles in text and the scan
//! reader checks its OCR of a title with the same parser.

use crate::normalize::{fuzzy_contains, fuzzy_find, nfkc};

/// OCR garbles a character in four of a scanned title's large type
/// (政府信息公开工作年度报重): a line holding these by similarity names a
/// report too.
pub const FUZZY_TITLE_KEYS: [&str; 2] = ["政府信息公开", "年度报告"];

pub const TITLE_KEY_SIMILARITY: f32 = 0.75;

/// The keys as one phrase: a longer stretch forgives more, so a title
/// whose first key OCR split (政府信上恩公开工作年度报生) is still found.
pub const TITLE_PHRASE: &str = "政府信息公开工作年度报告";

/// Whether a line as OCR may garble it names a report: both keys, or
/// the phrase, by similarity.
pub fn names_a_report_fuzzily(t: &str) -> bool {
    FUZZY_TITLE_KEYS.iter().all(|k| fuzzy_contains(t, k, TITLE_KEY_SIMILARITY))
        || fuzzy_contains(t, TITLE_PHRASE, TITLE_KEY_SIMILARITY)
}

/// The organization and year a title line gives on its own (no line
/// before it); for checking another reading of the same title.
pub fn title_parts(line: &str) -> (Option<String>, Option<i32>) {
    let t = clean_title(line);
    (organization_from_title(&t, None), year_in(&t))
}

pub fn clean_title(t: &str) -> String {
    let t = nfkc(t.trim_start_matches(['#', ' ']));
    let t = t.trim();
    let t = t
        .strip_prefix("附件1")
        .or_else(|| t.strip_prefix("附件"))
        .unwrap_or(t)
        .trim_start_matches([':', ' ', '：']);
    // A crawler's field name before the title: 标题: …, 题目：…
    let t = match t.split_once([':', '：']) {
        Some((key, rest))
            if (1..=4).contains(&key.chars().count()) && key.chars().all(crate::value::is_cjk) =>
        {
            rest.trim()
        }
        _ => t,
    };
    t.chars().filter(|c| !c.is_whitespace()).collect()
}

pub fn year_in(t: &str) -> Option<i32> {
    years_in(t).next()
}

/// Every "YYYY年" in `t` (a four-digit run not preceded by a digit).
pub fn years_in(t: &str) -> impl Iterator<Item = i32> + '_ {
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

/// Suffixes of issuing organs, longest first.
pub const ORG_SUFFIXES: &[&str] = &[
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

pub fn looks_like_org(t: &str) -> bool {
    ORG_SUFFIXES.iter().any(|s| t.ends_with(s))
        && t.chars().all(|c| crate::value::is_cjk(c) || "()（）".contains(c))
}

/// Where the title's year stands: its byte offset and length. A year OCR
/// garbled in one digit (202]年, 20l9年) still ends the organ's name,
/// though it gives no year.
pub fn year_mark(title: &str) -> Option<(usize, usize)> {
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

pub fn organization_from_title(title: &str, org_line: Option<&str>) -> Option<String> {
    // A year OCR garbled past recognition (202(0年) hides where the organ's
    // name ends, but not a name on a line of its own.
    let Some((pos, year_len)) = year_mark(title) else {
        return org_line.map(str::to_string);
    };
    // "XX局关于2021年…", "XX局（2021年）…": the organ is before the year,
    // without the connective; "政府信息公开工作年度报告（2021年）" has none.
    let before = title[..pos].trim_end_matches(['(', '（', ' ']);
    let before = before.strip_suffix("关于").unwrap_or(before).trim();
    // A name has characters: a speck OCR read before a title standing
    // alone (|2019年…) is none.
    let cjk = |t: &str| t.chars().filter(|c| crate::value::is_cjk(*c)).count();
    if cjk(before) >= 2
        && !before.contains("报告")
        && !fuzzy_contains(before, FUZZY_TITLE_KEYS[0], TITLE_KEY_SIMILARITY)
    {
        return Some(before.to_string());
    }
    let after = &title[pos + year_len + '年'.len_utf8()..];
    let end = fuzzy_find(after, FUZZY_TITLE_KEYS[0], TITLE_KEY_SIMILARITY).unwrap_or(after.len());
    let name = after[..end].trim_start_matches(['度']);
    if cjk(name) >= 2 {
        return Some(name.to_string());
    }
    org_line.map(str::to_string)
}
