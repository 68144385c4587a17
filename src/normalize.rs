//! Label normalization and similarity, shared by every matching step.
//!
//! Real labels differ from the template's in width (（一） vs (一)), quotes,
//! spaces inside words, numbering (1. / 1、 / 1．), trailing glosses in
//! parentheses, Kangxi radicals from bad ToUnicode maps, and OCR damage. We
//! compare *cores*: the label with all of that removed.

use unicode_normalization::UnicodeNormalization;

/// NFKC, which also maps full-width ASCII and Kangxi radicals (⼀ → 一),
/// then the CJK Radicals Supplement forms that NFKC leaves alone but PDF
/// fonts map text to (⻓安镇人⺠政府 → 长安镇人民政府).
pub fn nfkc(s: &str) -> String {
    let out: String = s.nfkc().collect();
    if !out.chars().any(|c| ('\u{2e80}'..='\u{2eff}').contains(&c)) {
        return out;
    }
    out.chars().map(|c| radical_ideograph(c).unwrap_or(c)).collect()
}

/// The unified ideograph a CJK Radicals Supplement character stands for,
/// for the radicals that are whole characters.
fn radical_ideograph(c: char) -> Option<char> {
    const MAP: &[(char, char)] = &[
        ('\u{2e81}', '厂'),
        ('\u{2e87}', '几'),
        ('\u{2e8a}', '卜'),
        ('\u{2e92}', '巳'),
        ('\u{2e93}', '幺'),
        ('\u{2e97}', '心'),
        ('\u{2e9d}', '月'),
        ('\u{2e9f}', '母'),
        ('\u{2ea0}', '民'),
        ('\u{2ea7}', '牛'),
        ('\u{2ea9}', '王'),
        ('\u{2eab}', '目'),
        ('\u{2ead}', '示'),
        ('\u{2eae}', '竹'),
        ('\u{2eb3}', '网'),
        ('\u{2ebb}', '聿'),
        ('\u{2ebc}', '月'),
        ('\u{2ec1}', '虎'),
        ('\u{2ec4}', '西'),
        ('\u{2ec5}', '见'),
        ('\u{2ec6}', '角'),
        ('\u{2ec8}', '讠'),
        ('\u{2ec9}', '贝'),
        ('\u{2ecb}', '车'),
        ('\u{2ed1}', '長'),
        ('\u{2ed3}', '长'),
        ('\u{2ed4}', '门'),
        ('\u{2ed7}', '雨'),
        ('\u{2ed8}', '青'),
        ('\u{2ed9}', '韦'),
        ('\u{2eda}', '页'),
        ('\u{2edb}', '风'),
        ('\u{2edc}', '飞'),
        ('\u{2edd}', '食'),
        ('\u{2ee2}', '马'),
        ('\u{2ee5}', '鱼'),
        ('\u{2ee6}', '鸟'),
        ('\u{2ee8}', '麦'),
        ('\u{2ee9}', '黄'),
        ('\u{2eec}', '齐'),
        ('\u{2eee}', '齿'),
        ('\u{2ef0}', '龙'),
        ('\u{2ef3}', '龟'),
    ];
    MAP.iter().find(|(r, _)| *r == c).map(|(_, u)| *u)
}

/// Width, quotes, brackets and spaces folded; numbering and glosses kept.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in nfkc(s).chars() {
        match c {
            c if c.is_whitespace() => {}
            '“' | '”' | '"' | '\'' | '‘' | '’' | '「' | '」' | '『' | '』' => {}
            '【' | '〔' | '［' | '[' | '｛' | '{' => out.push('('),
            '】' | '〕' | '］' | ']' | '｝' | '}' => out.push(')'),
            '．' | '。' => out.push('.'),
            '，' => out.push(','),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

const CN_NUMERALS: &str = "一二三四五六七八九十";

/// The comparable core: [`fold`], then the leading numbering (一、 (一) 1. 1、
/// and OCR-damaged forms like (=)) and a trailing parenthesised gloss removed.
pub fn core(s: &str) -> String {
    strip_gloss(strip_numbering(&fold(s))).to_string()
}

/// Whether a text begins with an item's numbering (一、 (一) 1. 1、): the
/// start of a label, never the rest of one wrapped in its cell.
pub fn is_numbered(s: &str) -> bool {
    let f = fold(s);
    let rest = strip_numbering(&f);
    let marked = f.starts_with(|c: char| c == '(' || c.is_ascii_digit() || CN_NUMERALS.contains(c));
    marked && rest.len() < f.len() && !rest.is_empty()
}

fn strip_numbering(s: &str) -> &str {
    let mut t = s.trim_start_matches(['-', '*', '#', '>', '·', '•']);
    // "(一)", "(=)", "(1)": a short bracketed prefix.
    if let Some(rest) = t.strip_prefix('(') {
        if let Some(end) = rest.find(')') {
            if rest[..end].chars().count() <= 3 {
                t = &rest[end + 1..];
            }
        }
    }
    // "一、", "十二、", "1.", "1、", "2)".
    let n = t.chars().take_while(|c| c.is_ascii_digit() || CN_NUMERALS.contains(*c)).count();
    if n > 0 && n <= 3 {
        let rest: &str = &t[t.char_indices().nth(n).map_or(t.len(), |(i, _)| i)..];
        if let Some(r) = rest.strip_prefix(['、', '.', ')', ':']) {
            t = r;
        }
    }
    t.trim_start_matches(['、', '.', ' '])
}

/// Removes one trailing "(...)" gloss: 处理决定数量（指2020年办件量） → 处理决定数量.
fn strip_gloss(s: &str) -> &str {
    let t = s.trim_end_matches([':', ',', '.']);
    if t.ends_with(')') {
        if let Some(open) = t.rfind('(') {
            if open > 0 {
                return &t[..open];
            }
        }
    }
    // An unclosed gloss, as when a wrapped label lost its second line.
    if let Some(open) = t.find('(') {
        if open > 0 && !t[open..].contains(')') {
            return &t[..open];
        }
    }
    t
}

/// Below this, similarities are reported as 0: every caller's threshold is
/// higher, and skipping the edit distance there is most of the speed.
const FLOOR: f32 = 0.5;

/// Whether some stretch of `text` (one character shorter than `word` to
/// one longer) is at least `min` similar to `word` by normalized edit
/// distance: a phrase as OCR may garble it (政府信息公开工作年度报重).
pub fn fuzzy_contains(text: &str, word: &str, min: f32) -> bool {
    fuzzy_find(text, word, min).is_some()
}

/// The byte offset in `text` of the first stretch [`fuzzy_contains`]
/// accepts.
pub fn fuzzy_find(text: &str, word: &str, min: f32) -> Option<usize> {
    if let Some(at) = text.find(word) {
        return Some(at);
    }
    let t: Vec<(usize, char)> = text.char_indices().collect();
    let n = word.chars().count();
    (0..t.len()).find_map(|i| {
        (n.saturating_sub(1).max(1)..=n + 1).find_map(|len| {
            let end = i + len;
            if end > t.len() {
                return None;
            }
            let part: String = t[i..end].iter().map(|c| c.1).collect();
            (strsim::normalized_levenshtein(&part, word) as f32 >= min).then_some(t[i].0)
        })
    })
}

/// Similarity of two cores in [0, 1]. Edit distance over characters, with
/// credit when the template label stands whole at the end of a longer text
/// (a group label glued before it: 三、本年度办理结果（一）予以公开) or the
/// text is the start of the label (a label cut by a line break). Values
/// below 0.5 come out as 0.
pub fn similarity(text_core: &str, label_core: &str) -> f32 {
    if text_core.is_empty() || label_core.is_empty() {
        return 0.0;
    }
    if text_core == label_core {
        return 1.0;
    }
    let label_len = label_core.chars().count();
    let text_len = text_core.chars().count();
    // Edit distance is at least the length difference.
    let longest = label_len.max(text_len);
    let bound = 1.0 - text_len.abs_diff(label_len) as f32 / longest as f32;
    let lev = if bound < FLOOR
        || shared_bound(text_core, label_core, text_len.min(label_len), longest) < FLOOR
    {
        0.0
    } else {
        normalized_levenshtein(text_core, label_core, longest)
    };
    let contained = if label_len >= 4 && text_core.ends_with(label_core) {
        0.9
    } else if text_len >= 4 && 3 * text_len >= 2 * label_len && label_core.starts_with(text_core) {
        // A label cut by a line break: 社会公益 / 组织.
        0.85
    } else if text_len >= 8 && label_core.starts_with(text_core) {
        0.9
    } else if label_len >= 4 && text_core.contains(label_core) {
        0.8
    } else {
        0.0
    };
    let s = lev.max(contained);
    if s < FLOOR {
        0.0
    } else {
        s
    }
}

/// An upper bound of the normalized edit similarity from shared characters:
/// every character of the text absent from the label costs an edit. Chars
/// are hashed into 64 bits; a collision only loosens the bound.
fn shared_bound(text: &str, label: &str, shortest: usize, longest: usize) -> f32 {
    let bit = |c: char| 1u64 << (c as u32 % 64);
    let mask = label.chars().fold(0u64, |m, c| m | bit(c));
    let shared = text.chars().filter(|&c| mask & bit(c) != 0).count();
    shared.min(shortest) as f32 / longest as f32
}

/// 1 − edit distance / longer length, over characters.
fn normalized_levenshtein(a: &str, b: &str, longest: usize) -> f32 {
    1.0 - strsim::levenshtein(a, b) as f32 / longest as f32
}
