//! Label normalization and similarity, shared by every matching step.
//!
//! Real labels differ from the template's in width (（一） vs (一)), quotes,
//! spaces inside words, numbering (1. / 1、 / 1．), trailing glosses in
//! parentheses, Kangxi radicals from bad ToUnicode maps, and OCR damage. We
//! compare *cores*: the label with all of that removed.

use unicode_normalization::UnicodeNormalization;

/// NFKC, which also maps full-width ASCII and Kangxi/CJK radicals (⼀ → 一).
pub fn nfkc(s: &str) -> String {
    s.nfkc().collect()
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

/// Similarity of two cores in [0, 1]. Edit distance over characters, with
/// credit when the template label stands whole at the end of a longer text
/// (a group label glued before it: 三、本年度办理结果（一）予以公开).
pub fn similarity(text_core: &str, label_core: &str) -> f32 {
    if text_core.is_empty() || label_core.is_empty() {
        return 0.0;
    }
    if text_core == label_core {
        return 1.0;
    }
    let lev = strsim::normalized_levenshtein(text_core, label_core) as f32;
    let label_len = label_core.chars().count();
    let text_len = text_core.chars().count();
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
    lev.max(contained)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cores() {
        assert_eq!(core("（二）部分公开（区分处理的，只计这一情形，不计其他情形）"), "部分公开");
        assert_eq!(core("(二) 部分公开 (区分处理的, 只计这一情形, 不计其他情形)"), "部分公开");
        assert_eq!(core("(=)"), "");
        assert_eq!(core("3.危及\"三安全一稳定\""), "危及三安全一稳定");
        assert_eq!(core("3.危及“三安全一稳定”"), "危及三安全一稳定");
        assert_eq!(core("一、本年新收政府信息公开申请数量"), "本年新收政府信息公开申请数量");
        assert_eq!(core("1．属于国家秘密"), "属于国家秘密");
        assert_eq!(core("2、重复申请"), "重复申请");
        assert_eq!(core("社会公益 组织"), "社会公益组织");
        assert_eq!(core("处理决定数量（指2020年办件量）"), "处理决定数量");
        assert_eq!(core("第二十条第 (一) 项"), "第二十条第(一)项");
        assert_eq!(core("⼀、总体情况"), "总体情况");
        assert_eq!(core("本年增/减"), "本年增/减");
    }

    #[test]
    fn similarity_tolerates_damage() {
        assert!(similarity(&core("政许可"), &core("行政许可")) >= 0.7);
        assert!(similarity(&core("三、本年度办理结果（一）予以公开"), &core("（一）予以公开")) >= 0.8);
        assert!(similarity(&core("行政处罚"), &core("行政强制")) < 0.6);
        assert!(similarity(&core("社会公益"), &core("社会公益组织")) >= 0.8);
        assert!(similarity(&core("1.申请人无正当理由逾期不补"), &core("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")) >= 0.6);
        assert!(similarity(&core("其他"), &core("其他组织")) < 0.6);
        assert_eq!(similarity("", "规章"), 0.0);
    }
}
