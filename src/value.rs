//! Stage: values. Cell text → number, keeping the raw text.
//!
//! In: the text of one cell and the kind of its column (from the template).
//! Out: a [`CellValue`]: the parsed number (or why there is none) and how much
//! normalization it took. Handles padding, full-width digits, thousands
//! separators, units (元 → 万元), placeholders (`-`, `/`, `—`, `无` → null) and
//! the usual OCR confusions (`C`/`O` for 0, `l`/`I` for 1).

use crate::decimal::Dec;
use crate::findings::Status;
use crate::normalize::nfkc;
use crate::template::ColumnKind;

/// Unit written in a cell or a header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Yuan,
    Wan,
}

/// The reading of one cell.
#[derive(Clone, Debug, PartialEq)]
pub struct CellValue {
    pub raw: String,
    pub value: Option<Dec>,
    pub status: Status,
    /// Why the value is missing or what normalization did, for warnings.
    pub note: Option<String>,
}

/// What a table token is before it is bound to a column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenClass {
    /// An empty cell.
    Blank,
    /// A number, placeholder or OCR-confused number.
    Value,
    /// Several numbers in one cell separated by spaces ("0 0 C").
    Values(Vec<String>),
    /// A label with a digit run glued to its end ("行政规范性文件6233440").
    Glued {
        label: String,
        digits: String,
    },
    /// A label followed by numbers separated by spaces ("规章 1 0 23"), as
    /// converters that join a row's cells with one space print them.
    Labeled {
        label: String,
        values: Vec<String>,
    },
    Text,
}

const PLACEHOLDERS: &[&str] = &["-", "--", "/", "\\", "—", "——", "–", "－", "无", "空", "/ ", "×"];
const COUNT_UNITS: &[&str] = &["件", "个", "项", "条", "次", "人", "笔"];

/// Characters OCR puts where a digit was.
fn ocr_digit(c: char) -> Option<char> {
    match c {
        'C' | 'O' | 'o' | 'D' | 'Q' => Some('0'),
        'l' | 'I' | '|' => Some('1'),
        _ => None,
    }
}

/// Classifies a cell of a table region.
pub fn classify(text: &str) -> TokenClass {
    let t = clean(text);
    if t.is_empty() {
        return TokenClass::Blank;
    }
    if looks_like_value(&t) {
        return TokenClass::Value;
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    if words.len() > 1 && words.iter().all(|w| looks_like_value(w)) {
        return TokenClass::Values(words.iter().map(|w| w.to_string()).collect());
    }
    if let Some((label, digits)) = split_glued(&t) {
        return TokenClass::Glued { label, digits };
    }
    if let Some((label, values)) = split_labeled(&words) {
        return TokenClass::Labeled { label, values };
    }
    TokenClass::Text
}

/// "规章 1 0 23" → ("规章", ["1", "0", "23"]): text words, then at least one
/// value word to the end. The label must read as one (two CJK characters,
/// ending in CJK or a closing bracket or quote), so that narrative ending in
/// a figure stays text.
fn split_labeled(words: &[&str]) -> Option<(String, Vec<String>)> {
    let first_value = words.iter().rposition(|w| !looks_like_value(w))? + 1;
    if first_value == words.len() {
        return None;
    }
    let label = words[..first_value].join(" ");
    let cjk = label.chars().filter(|c| is_cjk(*c)).count();
    let ends_in_label = label.chars().last().is_some_and(|c| is_cjk(c) || "）)”\"".contains(c));
    let values: Vec<String> = words[first_value..].iter().map(|w| w.to_string()).collect();
    let digits = values.iter().any(|v| v.chars().any(|c| c.is_ascii_digit()));
    // One character is a label only before a row of numbers: the tail of a
    // label wrapped in its cell (开 0 0 0 0 0 0 0).
    let enough = cjk >= 2 || (cjk == 1 && values.len() >= 2);
    (enough && ends_in_label && digits).then_some((label, values))
}

/// NFKC plus whitespace folding: full-width digits and punctuation become
/// ASCII, NBSP and ideographic spaces become plain spaces.
fn clean(text: &str) -> String {
    let t = nfkc(text);
    let t: String = t.chars().map(|c| if c.is_whitespace() { ' ' } else { c }).collect();
    t.trim().to_string()
}

fn looks_like_value(t: &str) -> bool {
    if PLACEHOLDERS.contains(&t) {
        return true;
    }
    let core = strip_units(t).0;
    if core.is_empty() {
        return false;
    }
    let digits = core.chars().filter(|c| c.is_ascii_digit()).count();
    let allowed =
        core.chars().all(|c| c.is_ascii_digit() || ",.+-".contains(c) || ocr_digit(c).is_some());
    // A lone confusable letter counts (seed 004 prints 0 as "C"), but words of
    // letters do not: "JE" is noise, not 00.
    allowed
        && (digits > 0 || core.chars().count() == 1)
        && core.chars().any(|c| c.is_ascii_digit() || ocr_digit(c).is_some())
}

/// The unit a reading ends with (万元, 元, 件…), if any.
pub fn unit_suffix(t: &str) -> Option<&'static str> {
    let t = t.trim();
    ["万元", "元"].into_iter().chain(COUNT_UNITS.iter().copied()).find(|u| t.ends_with(u))
}

fn strip_units(t: &str) -> (&str, Option<Unit>) {
    let t = t.trim();
    if let Some(s) = t.strip_suffix("万元") {
        return (s.trim(), Some(Unit::Wan));
    }
    if let Some(s) = t.strip_suffix('元') {
        return (s.trim(), Some(Unit::Yuan));
    }
    for u in COUNT_UNITS {
        if let Some(s) = t.strip_suffix(u) {
            return (s.trim(), None);
        }
    }
    (t, None)
}

/// "行政规范性文件6233440" → ("行政规范性文件", "6233440"). Only a label of at
/// least two CJK characters followed by a bare digit run qualifies.
fn split_glued(t: &str) -> Option<(String, String)> {
    let (body, unit) =
        ["万元", "元"].iter().find_map(|u| t.strip_suffix(u).map(|b| (b, *u))).unwrap_or((t, ""));
    let start = body
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit() || *c == '.' || *c == '-')
        .last()?
        .0;
    let (label, digits) = body.split_at(start);
    let digits = format!("{digits}{unit}");
    let cjk = label.chars().filter(|c| is_cjk(*c)).count();
    let ends_in_label = label.chars().last().is_some_and(|c| is_cjk(c) || "）)”\"".contains(c));
    if cjk >= 2 && ends_in_label && digits.chars().any(|c| c.is_ascii_digit()) {
        Some((label.trim().to_string(), digits.to_string()))
    } else {
        None
    }
}

pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF)
}

/// Reads a cell for a column of `kind`. `header_unit` is the unit stated in
/// the column's header, if any.
pub fn parse_cell(raw: &str, kind: ColumnKind, header_unit: Option<Unit>) -> CellValue {
    let missing = |note: &str| CellValue {
        raw: raw.to_string(),
        value: None,
        status: Status::Missing,
        note: Some(note.to_string()),
    };
    let t = clean(raw);
    if t.is_empty() {
        return missing("blank cell");
    }
    if PLACEHOLDERS.contains(&t.as_str()) {
        return missing("placeholder");
    }
    let mut normalized = t != raw.trim_matches(|c: char| c.is_whitespace());
    let (core, unit) = strip_units(&t);
    if unit.is_some() || core.len() != t.len() {
        normalized = true;
    }
    let mut digits = String::with_capacity(core.len());
    let mut ocr = false;
    for c in core.chars() {
        match c {
            '0'..='9' | '.' | '-' | '+' => digits.push(c),
            ',' => normalized = true,
            c => match ocr_digit(c) {
                Some(d) => {
                    digits.push(d);
                    ocr = true;
                }
                None => return missing("not a number"),
            },
        }
    }
    if core.contains(',') && !thousands_ok(core) {
        return missing("misplaced separator");
    }
    let Some(mut value) = Dec::parse(&digits) else {
        return missing("not a number");
    };
    match kind {
        ColumnKind::Count | ColumnKind::Signed if !value.is_integer() => {
            return missing("a count with decimals")
        }
        ColumnKind::Count if value.is_negative() || digits.starts_with('+') => {
            return missing("a negative count")
        }
        ColumnKind::Amount if value.is_negative() => return missing("a negative amount"),
        // 984361元 is money, never a count of items.
        ColumnKind::Count | ColumnKind::Signed if unit.is_some() => {
            return missing("a sum of money in a count column")
        }
        _ => {}
    }
    let mut note = None;
    if kind == ColumnKind::Amount {
        match unit.or(header_unit) {
            Some(Unit::Yuan) => {
                value = value.shift_down(4);
                normalized = true;
                note = Some("converted from 元 to 万元".to_string());
            }
            Some(Unit::Wan) => {}
            // Zero is zero in any unit, and an amount in 元 has at most two
            // decimals (fen): only a bare amount that could be either is
            // a guess.
            None if value == Dec::ZERO || decimals(&digits) > 2 => {}
            None => note = Some("no unit in cell or header; taken as 万元".to_string()),
        }
    }
    if ocr {
        note = Some(format!("OCR confusion read as {digits}"));
    }
    CellValue {
        raw: raw.to_string(),
        value: Some(value),
        status: if normalized || ocr { Status::Normalized } else { Status::Read },
        note,
    }
}

/// Digits after the decimal point.
fn decimals(number: &str) -> usize {
    number.split_once('.').map_or(0, |(_, f)| f.len())
}

/// "12,345" and "1,234,567.5" are fine; "1,23" is not a thousands separator.
fn thousands_ok(s: &str) -> bool {
    let int = s.split('.').next().unwrap_or("").trim_start_matches(['-', '+']);
    let groups: Vec<&str> = int.split(',').collect();
    groups[0].len() <= 3 && !groups[0].is_empty() && groups[1..].iter().all(|g| g.len() == 3)
}

/// The unit a header states ("采购总金额（单位：万元，保留4位小数）").
pub fn header_unit(header: &str) -> Option<Unit> {
    let t = nfkc(header);
    if t.contains("万元") {
        Some(Unit::Wan)
    } else if t.contains('元') {
        Some(Unit::Yuan)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(raw: &str, kind: ColumnKind) -> Option<String> {
        parse_cell(raw, kind, None).value.map(|v| v.to_string())
    }

    #[test]
    fn counts() {
        assert_eq!(num("\u{a0}0", ColumnKind::Count).as_deref(), Some("0"));
        assert_eq!(num("12,345", ColumnKind::Count).as_deref(), Some("12345"));
        assert_eq!(num("１２３", ColumnKind::Count).as_deref(), Some("123"));
        assert_eq!(num("C", ColumnKind::Count).as_deref(), Some("0"));
        assert_eq!(num("l2", ColumnKind::Count).as_deref(), Some("12"));
        assert_eq!(num("3件", ColumnKind::Count).as_deref(), Some("3"));
        assert_eq!(num("-8", ColumnKind::Count), None);
        assert_eq!(num("1.5", ColumnKind::Count), None);
        assert_eq!(num("1,23", ColumnKind::Count), None);
    }

    #[test]
    fn placeholders_are_null_never_zero() {
        for p in ["", " ", "-", "/", "—", "无", "\u{3000}"] {
            let v = parse_cell(p, ColumnKind::Count, None);
            assert_eq!(v.value, None, "{p:?}");
            assert_eq!(v.status, Status::Missing);
        }
    }

    #[test]
    fn signed_and_amounts() {
        assert_eq!(num("-8", ColumnKind::Signed).as_deref(), Some("-8"));
        assert_eq!(num("+1036", ColumnKind::Signed).as_deref(), Some("1036"));
        assert_eq!(num("258.181269万元", ColumnKind::Amount).as_deref(), Some("258.181269"));
        assert_eq!(num("251000元", ColumnKind::Amount).as_deref(), Some("25.1"));
        assert_eq!(
            parse_cell("251000", ColumnKind::Amount, Some(Unit::Yuan))
                .value
                .map(|v| v.to_string())
                .as_deref(),
            Some("25.1")
        );
        let bare = parse_cell("52.5", ColumnKind::Amount, None);
        assert_eq!(bare.status, Status::Read);
        assert!(bare.note.unwrap().contains("taken as 万元"));
        // More decimals than fen, or zero: 万元 is no guess.
        assert_eq!(parse_cell("477.812006", ColumnKind::Amount, None).note, None);
        assert_eq!(parse_cell("0", ColumnKind::Amount, None).note, None);
    }

    #[test]
    fn token_classes() {
        assert_eq!(classify("0"), TokenClass::Value);
        assert_eq!(classify("C"), TokenClass::Value);
        assert_eq!(classify("JE"), TokenClass::Text);
        assert_eq!(classify("0 0 C"), TokenClass::Values(vec!["0".into(), "0".into(), "C".into()]));
        assert_eq!(
            classify("行政规范性文件6233440"),
            TokenClass::Glued { label: "行政规范性文件".into(), digits: "6233440".into() }
        );
        assert_eq!(classify("1.属于国家秘密"), TokenClass::Text);
        assert_eq!(
            classify("政府集中采购35298.915296万元"),
            TokenClass::Glued {
                label: "政府集中采购".into(), digits: "35298.915296万元".into()
            }
        );
        assert_eq!(classify("第二十条第（五）项"), TokenClass::Text);
        assert_eq!(classify(" "), TokenClass::Blank);
        // pypdf, lynx: a row's cells joined by single spaces.
        assert_eq!(
            classify("规章 1 0 23"),
            TokenClass::Labeled {
                label: "规章".into(),
                values: vec!["1".into(), "0".into(), "23".into()]
            }
        );
        assert_eq!(
            classify("共收到申请 50"),
            TokenClass::Labeled { label: "共收到申请".into(), values: vec!["50".into()] }
        );
        assert_eq!(classify("政务微信公众号全年发布信息 1659 条"), TokenClass::Text);
        assert_eq!(classify("六、其他需要报告的事项 无"), TokenClass::Text);
    }
}
