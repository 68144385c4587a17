//! PDF reader, fonts: text repair and plausibility. Unicode text of one
//! glyph (from a ToUnicode map or an encoding) → the character a reader
//! sees; a page's characters → whether they can be text at all.
//!
//! Some producers' ToUnicode maps give Kangxi radicals (⼀ U+2F00 for 一) or
//! CJK radical supplements (⻓ U+2ED3 for 长): they look right and compare
//! wrong. NFKC maps the Kangxi block and the compatibility ideographs; the
//! supplement block has no decompositions, so a table covers the radicals
//! that stand for whole simplified characters. Only those blocks are
//! normalized: NFKC on everything would also turn the template's full-width
//! （一） into (一), which is not what the page says.

use unicode_normalization::UnicodeNormalization;

/// CJK radical supplement code points that print as a whole character.
const RADICALS: &[(char, char)] = &[
    ('\u{2E9F}', '母'),
    ('\u{2EA0}', '民'),
    ('\u{2EC1}', '虎'),
    ('\u{2EC4}', '西'),
    ('\u{2EC5}', '见'),
    ('\u{2EC6}', '角'),
    ('\u{2EC9}', '贝'),
    ('\u{2ECB}', '车'),
    ('\u{2ED1}', '長'),
    ('\u{2ED3}', '长'),
    ('\u{2ED4}', '门'),
    ('\u{2ED7}', '雨'),
    ('\u{2ED8}', '青'),
    ('\u{2ED9}', '韦'),
    ('\u{2EDA}', '页'),
    ('\u{2EDB}', '风'),
    ('\u{2EDC}', '飞'),
    ('\u{2EDD}', '食'),
    ('\u{2EE1}', '首'),
    ('\u{2EE2}', '马'),
    ('\u{2EE5}', '鱼'),
    ('\u{2EE6}', '鸟'),
    ('\u{2EE7}', '卤'),
    ('\u{2EE8}', '麦'),
    ('\u{2EE9}', '黄'),
    ('\u{2EEA}', '黾'),
    ('\u{2EEC}', '齐'),
    ('\u{2EEE}', '齿'),
    ('\u{2EF0}', '龙'),
    ('\u{2EF3}', '龟'),
];

fn needs_nfkc(c: char) -> bool {
    matches!(c as u32, 0x2F00..=0x2FDF | 0xF900..=0xFAFF | 0xFB00..=0xFB06 | 0x2F800..=0x2FA1F)
}

/// Repairs the text of one glyph. Returns the input unchanged (no
/// allocation beyond the copy) in the common case.
pub fn repair(text: &str) -> String {
    if !text.chars().any(|c| needs_nfkc(c) || ('\u{2E80}'..='\u{2EFF}').contains(&c) || c == '\0') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\0' {
            continue;
        } else if needs_nfkc(c) {
            out.extend(std::iter::once(c).nfkc());
        } else if let Some(&(_, to)) = RADICALS.iter().find(|(from, _)| *from == c) {
            out.push(to);
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether a character is one a Chinese report's text layer can contain.
/// Undecodable text shows up as U+FFFD, private-use code points, control
/// characters, or (GBK bytes read as a Latin encoding) runs of accented
/// Latin letters.
pub fn plausible(c: char) -> bool {
    match c as u32 {
        0x20..=0x7E => true,
        0xA0..=0xFF => matches!(
            c,
            '\u{a0}'
                | '·'
                | '×'
                | '÷'
                | '°'
                | '±'
                | '§'
                | '¥'
                | '®'
                | '©'
                | '«'
                | '»'
                | '¹'
                | '²'
                | '³'
        ),
        0x2000..=0x2BFF => true, // punctuation, symbols, arrows, ①, box drawing
        0x2E80..=0x2FDF | 0x3000..=0x30FF => true, // radicals, CJK punctuation, kana
        0x3100..=0x31BF | 0x3200..=0x33FF => true, // bopomofo, enclosed CJK, CJK compatibility
        0x3400..=0x4DBF | 0x4E00..=0x9FFF => true,
        0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF => true,
        0x20000..=0x3134F => true,
        0x391..=0x3C9 | 0x401..=0x451 => true, // Greek and Cyrillic letters used as symbols
        _ => c == '\t' || c == '\n',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kangxi_and_radicals_become_characters() {
        assert_eq!(repair("\u{2F00}\u{2ED3}期"), "一长期");
        assert_eq!(repair("（一）予以公开"), "（一）予以公开");
        assert_eq!(repair("\u{F9D1}"), "六");
    }

    #[test]
    fn plausibility() {
        assert!("（一）予以公开 1,234 “三安全一稳定” ①".chars().all(plausible));
        assert!(!plausible('\u{FFFD}'));
        assert!(!plausible('\u{E000}'));
        assert!(!plausible('Ê'));
        assert!(!plausible('\u{1}'));
    }
}
