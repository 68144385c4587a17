//! PDF reader, fonts. A font dictionary → a [`Font`] that splits shown
//! strings into codes and gives each code its text and advance width.
//!
//! Text comes from, in order: the `/ToUnicode` map (lopdf and others prefer
//! `/Encoding`, which garbles fonts that have both); for CID fonts with a
//! predefined CJK CMap, the code bytes in that CMap's own encoding (GBK,
//! UTF-16); for simple fonts, the base encoding with `/Differences` glyph
//! names. A code with none of these gives U+FFFD, which the page check
//! reports. Widths come from `/W` (both the `c [w…]` and the `c1 c2 w`
//! forms) and `/DW` for CID fonts, from `/FirstChar` + `/Widths` for simple
//! and Type 3 fonts; Type 3 widths are in glyph space and scaled by the
//! `/FontMatrix`.

use std::collections::BTreeMap;

use lopdf::{Dictionary, Document, Object};

use super::cmap::{next_code, CMap, Codespace, Predefined};
use super::objects::{array, deref, dict, get, name, num, number, numbers, stream_bytes};
use super::unicode::repair;

/// CMaps and ToUnicode streams larger than this are ignored.
const MAX_CMAP_BYTES: usize = 4 << 20;

#[derive(Clone, Debug)]
enum Widths {
    Simple {
        first: u32,
        widths: Vec<f32>,
        missing: f32,
    },
    /// Range start → (range end, width); from `/W`.
    Cid {
        ranges: BTreeMap<u32, (u32, f32)>,
        default: f32,
    },
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Simple,
    Cid(Predefined),
}

/// One code of a shown string.
#[derive(Clone, Debug, PartialEq)]
pub struct Code {
    pub text: String,
    /// Advance in text space units per unit of font size (glyph width / 1000
    /// for ordinary fonts).
    pub width: f32,
    /// A single-byte code 32: word spacing (`Tw`) applies to it.
    pub word_space: bool,
}

#[derive(Clone, Debug)]
pub struct Font {
    kind: Kind,
    codespace: Vec<Codespace>,
    to_unicode: Option<CMap>,
    /// An embedded encoding CMap (code → CID).
    cid_map: Option<CMap>,
    simple: Option<Box<[Option<char>; 256]>>,
    widths: Widths,
    /// Glyph space → text space, horizontally (0.001, or a Type 3 FontMatrix's a).
    scale: f32,
    /// Height of the glyph box in text space units per unit of font size.
    pub em: f32,
    pub vertical: bool,
}

impl Font {
    pub fn load(doc: &Document, d: &Dictionary) -> Font {
        let subtype = name(doc, d, b"Subtype").unwrap_or(b"");
        let to_unicode = get(doc, d, b"ToUnicode").and_then(|o| match o {
            Object::Stream(s) => stream_bytes(s, MAX_CMAP_BYTES).ok().map(|b| CMap::parse(&b)),
            _ => None,
        });
        if subtype == b"Type0" {
            return Self::load_type0(doc, d, to_unicode);
        }
        let mut scale = 0.001;
        let mut em = 1.0;
        if subtype == b"Type3" {
            if let Some(m) =
                array(doc, d, b"FontMatrix").and_then(|a| numbers(doc, a)).filter(|m| m.len() == 6)
            {
                scale = m[0].abs().max(1e-6);
                // A Type 3 font has no em; its bounding box, else 1000 glyph units, gives the height.
                let bbox = array(doc, d, b"FontBBox")
                    .and_then(|a| numbers(doc, a))
                    .filter(|b| b.len() == 4 && (b[3] - b[1]).abs() > 0.0);
                em = bbox.map_or(1000.0 * m[3].abs(), |b| (b[3] - b[1]).abs() * m[3].abs());
                if !(0.05..=20.0).contains(&em) {
                    em = 1.0;
                }
            }
        }
        let first = number(doc, d, b"FirstChar").unwrap_or(0.0).max(0.0) as u32;
        let widths = array(doc, d, b"Widths")
            .map(|a| a.iter().map(|o| num(deref(doc, o)).unwrap_or(0.0)).collect())
            .unwrap_or_default();
        let descriptor = dict(doc, d, b"FontDescriptor");
        let missing = descriptor
            .and_then(|fd| number(doc, fd, b"MissingWidth"))
            .unwrap_or(if subtype == b"Type3" { 0.0 } else { 500.0 });
        Font {
            kind: Kind::Simple,
            codespace: vec![],
            to_unicode,
            cid_map: None,
            simple: Some(simple_encoding(doc, d)),
            widths: Widths::Simple { first, widths, missing },
            scale,
            em,
            vertical: false,
        }
    }

    fn load_type0(doc: &Document, d: &Dictionary, to_unicode: Option<CMap>) -> Font {
        let (predefined, cid_map, vertical) = match get(doc, d, b"Encoding") {
            Some(Object::Name(n)) => (Predefined::from_name(n), None, Predefined::vertical(n)),
            Some(Object::Stream(s)) => {
                let cmap = stream_bytes(s, MAX_CMAP_BYTES)
                    .ok()
                    .map(|b| CMap::parse(&b))
                    .unwrap_or_default();
                let base = cmap.uses.as_deref().map_or(Predefined::Unknown, Predefined::from_name);
                let vertical = name(doc, &s.dict, b"CMapName").is_some_and(Predefined::vertical);
                (base, Some(cmap), vertical)
            }
            _ => (Predefined::Identity, None, false),
        };
        let mut codespace = cid_map.as_ref().map(|c| c.codespace.clone()).unwrap_or_default();
        if codespace.is_empty() {
            codespace = predefined.codespace();
        }
        let descendant = array(doc, d, b"DescendantFonts")
            .and_then(|a| a.first())
            .map(|o| deref(doc, o))
            .and_then(|o| o.as_dict().ok());
        let default = descendant.and_then(|f| number(doc, f, b"DW")).unwrap_or(1000.0);
        let ranges = descendant
            .and_then(|f| array(doc, f, b"W"))
            .map(|w| parse_w(doc, w))
            .unwrap_or_default();
        Font {
            kind: Kind::Cid(predefined),
            codespace,
            to_unicode,
            cid_map,
            simple: None,
            widths: Widths::Cid { ranges, default },
            scale: 0.001,
            em: 1.0,
            vertical,
        }
    }

    /// Splits a shown string into codes.
    pub fn codes(&self, bytes: &[u8], out: &mut Vec<Code>) {
        let mut i = 0;
        while i < bytes.len() {
            let (code, len) = match self.kind {
                Kind::Simple => (u32::from(bytes[i]), 1),
                Kind::Cid(_) => next_code(&self.codespace, &bytes[i..]),
            };
            out.push(Code {
                text: self.text(code, len),
                width: self.width(code, len) * self.scale,
                word_space: len == 1 && code == 32,
            });
            i += len;
        }
    }

    fn text(&self, code: u32, len: usize) -> String {
        if let Some(t) = self.to_unicode.as_ref().and_then(|m| m.unicode.get(&code)) {
            return repair(t);
        }
        let decoded = match self.kind {
            Kind::Cid(p) => p.decode(code, len),
            Kind::Simple => {
                self.simple.as_ref().and_then(|t| t[(code & 0xff) as usize]).map(String::from)
            }
        };
        decoded.map_or_else(|| "\u{FFFD}".to_string(), |t| repair(&t))
    }

    fn width(&self, code: u32, len: usize) -> f32 {
        match &self.widths {
            Widths::Simple { first, widths, missing } => code
                .checked_sub(*first)
                .and_then(|i| widths.get(i as usize))
                .copied()
                .filter(|w| *w > 0.0)
                .unwrap_or(*missing),
            Widths::Cid { ranges, default } => {
                let cid = match (self.kind, &self.cid_map) {
                    (_, Some(m)) if m.cid(code).is_some() => m.cid(code),
                    (Kind::Cid(Predefined::Identity), _) => Some(code),
                    // Predefined CJK CMaps map single-byte ASCII to Adobe's
                    // proportional Latin CIDs 1-95; other codes keep `/DW`.
                    (_, _) if len == 1 || (code < 0x80) => {
                        Some(code.saturating_sub(31)).filter(|c| *c > 0)
                    }
                    _ => None,
                };
                let looked = cid.and_then(|c| {
                    let (&lo, &(hi, w)) = ranges.range(..=c).next_back()?;
                    (c >= lo && c <= hi).then_some(w)
                });
                match looked {
                    Some(w) => w,
                    None if cid.is_some()
                        && !matches!(self.kind, Kind::Cid(Predefined::Identity))
                        && self.cid_map.is_none() =>
                    {
                        500.0
                    }
                    None => *default,
                }
            }
        }
    }
}

/// Parses a CID font's `/W` array: `c [w1 w2 …]` gives consecutive CIDs
/// from c; `c1 c2 w` gives every CID in c1..=c2 the width w.
pub fn parse_w(doc: &Document, w: &[Object]) -> BTreeMap<u32, (u32, f32)> {
    let mut out = BTreeMap::new();
    let items: Vec<&Object> = w.iter().map(|o| deref(doc, o)).collect();
    let mut i = 0;
    while i < items.len() {
        let Some(first) = num(items[i]).filter(|f| *f >= 0.0).map(|f| f as u32) else {
            i += 1;
            continue;
        };
        match items.get(i + 1) {
            Some(Object::Array(ws)) => {
                for (k, wo) in ws.iter().enumerate() {
                    if let Some(wv) = num(deref(doc, wo)) {
                        let c = first.saturating_add(k as u32);
                        out.insert(c, (c, wv));
                    }
                }
                i += 2;
            }
            Some(last) => {
                if let (Some(last), Some(wv)) = (num(last), items.get(i + 2).and_then(|o| num(o))) {
                    if last >= first as f32 {
                        out.insert(first, (last as u32, wv));
                    }
                }
                i += 3;
            }
            None => break,
        }
    }
    out
}

/// A simple font's code → character table: WinAnsi (which is ASCII below
/// 0x80, like the Standard and MacRoman encodings in that range) with the
/// `/Differences` applied.
fn simple_encoding(doc: &Document, d: &Dictionary) -> Box<[Option<char>; 256]> {
    let mut t: Box<[Option<char>; 256]> = Box::new([None; 256]);
    for (i, slot) in t.iter_mut().enumerate() {
        *slot = match i {
            0x20..=0x7e | 0xa0..=0xff => char::from_u32(i as u32),
            0x80..=0x9f => WIN_ANSI_80.chars().nth(i - 0x80).filter(|c| *c != '\u{FFFD}'),
            _ => None,
        };
    }
    if let Some(Object::Dictionary(enc)) = get(doc, d, b"Encoding") {
        if let Some(diffs) = array(doc, enc, b"Differences") {
            let mut code = 0usize;
            for o in diffs {
                match deref(doc, o) {
                    Object::Integer(n) => code = (*n).clamp(0, 255) as usize,
                    Object::Name(g) => {
                        if code < 256 {
                            t[code] = glyph_char(g);
                        }
                        code += 1;
                    }
                    _ => {}
                }
            }
        }
    }
    t
}

const WIN_ANSI_80: &str = "€\u{FFFD}‚ƒ„…†‡ˆ‰Š‹Œ\u{FFFD}Ž\u{FFFD}\u{FFFD}‘’“”•–—˜™š›œ\u{FFFD}žŸ";

/// The character of a glyph name: `uniXXXX`, `uXXXX[XX]`, the ASCII names,
/// and a few punctuation names. Producer-private names (`g12`, `cid34`)
/// give `None`.
pub fn glyph_char(g: &[u8]) -> Option<char> {
    let s = std::str::from_utf8(g).ok()?;
    if let Some(h) = s.strip_prefix("uni").filter(|h| h.len() >= 4) {
        return u32::from_str_radix(&h[..4], 16).ok().and_then(char::from_u32);
    }
    if let Some(h) = s.strip_prefix('u').filter(|h| (4..=6).contains(&h.len())) {
        if let Ok(v) = u32::from_str_radix(h, 16) {
            return char::from_u32(v);
        }
    }
    if s.len() == 1 && s.as_bytes()[0].is_ascii_alphabetic() {
        return s.chars().next();
    }
    const NAMES: &[(&str, char)] = &[
        ("space", ' '),
        ("exclam", '!'),
        ("quotedbl", '"'),
        ("numbersign", '#'),
        ("dollar", '$'),
        ("percent", '%'),
        ("ampersand", '&'),
        ("quotesingle", '\''),
        ("quoteright", '’'),
        ("parenleft", '('),
        ("parenright", ')'),
        ("asterisk", '*'),
        ("plus", '+'),
        ("comma", ','),
        ("hyphen", '-'),
        ("minus", '−'),
        ("period", '.'),
        ("slash", '/'),
        ("zero", '0'),
        ("one", '1'),
        ("two", '2'),
        ("three", '3'),
        ("four", '4'),
        ("five", '5'),
        ("six", '6'),
        ("seven", '7'),
        ("eight", '8'),
        ("nine", '9'),
        ("colon", ':'),
        ("semicolon", ';'),
        ("less", '<'),
        ("equal", '='),
        ("greater", '>'),
        ("question", '?'),
        ("at", '@'),
        ("bracketleft", '['),
        ("backslash", '\\'),
        ("bracketright", ']'),
        ("underscore", '_'),
        ("quoteleft", '‘'),
        ("braceleft", '{'),
        ("bar", '|'),
        ("braceright", '}'),
        ("endash", '–'),
        ("emdash", '—'),
        ("quotedblleft", '“'),
        ("quotedblright", '”'),
        ("bullet", '•'),
        ("ellipsis", '…'),
        ("periodcentered", '·'),
        ("nbspace", '\u{a0}'),
    ];
    NAMES.iter().find(|(n, _)| *n == s).map(|(_, c)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    #[test]
    fn w_array_both_forms() {
        let doc = Document::new();
        let w = vec![
            1.into(),
            vec![Object::Integer(500), Object::Real(600.0)].into(),
            10.into(),
            20.into(),
            250.into(),
        ];
        let r = parse_w(&doc, &w);
        assert_eq!(r.get(&1), Some(&(1, 500.0)));
        assert_eq!(r.get(&2), Some(&(2, 600.0)));
        assert_eq!(r.get(&10), Some(&(20, 250.0)));
    }

    #[test]
    fn cid_range_widths_do_not_drift() {
        // pdf-extract 0.12 reads `c1 c2 w` wrongly; every CID in the range must get w.
        let doc = Document::new();
        let f = Font::load(
            &doc,
            &dictionary! {
                "Subtype" => "Type0", "Encoding" => "Identity-H",
                "DescendantFonts" => vec![dictionary! { "DW" => 1000, "W" => vec![16.into(), 25.into(), 500.into()] }.into()],
            },
        );
        let mut codes = Vec::new();
        f.codes(&[0, 16, 0, 20, 0, 25, 0, 26], &mut codes);
        let w: Vec<f32> = codes.iter().map(|c| c.width).collect();
        assert_eq!(w, vec![0.5, 0.5, 0.5, 1.0]);
        assert!(
            codes.iter().all(|c| c.text == "\u{FFFD}"),
            "Identity-H without ToUnicode has no text"
        );
    }

    #[test]
    fn simple_font_differences_and_widths() {
        let doc = Document::new();
        let f = Font::load(
            &doc,
            &dictionary! {
                "Subtype" => "TrueType", "FirstChar" => 48, "Widths" => vec![556.into(), 556.into()],
                "Encoding" => dictionary! { "Differences" => vec![48.into(), Object::Name(b"uni4E2D".to_vec()), Object::Name(b"g7".to_vec())] },
            },
        );
        let mut codes = Vec::new();
        f.codes(b"01 ", &mut codes);
        assert_eq!(codes[0].text, "中");
        assert_eq!(codes[1].text, "\u{FFFD}");
        assert_eq!(codes[2], Code { text: " ".into(), width: 0.5, word_space: true });
        assert!((codes[0].width - 0.556).abs() < 1e-6);
    }

    #[test]
    fn type3_widths_scale_by_font_matrix() {
        let doc = Document::new();
        let f = Font::load(
            &doc,
            &dictionary! {
                "Subtype" => "Type3", "FirstChar" => 1, "Widths" => vec![Object::Integer(1024)],
                "FontMatrix" => vec![Object::Real(1.0 / 2048.0), 0.into(), 0.into(), Object::Real(1.0 / 2048.0), 0.into(), 0.into()],
                "FontBBox" => vec![0.into(), Object::Integer(-400), 2048.into(), 1648.into()],
            },
        );
        let mut codes = Vec::new();
        f.codes(&[1], &mut codes);
        assert!((codes[0].width - 0.5).abs() < 1e-6);
        assert!((f.em - 1.0).abs() < 1e-6);
    }

    #[test]
    fn gbk_cmap_without_tounicode() {
        let doc = Document::new();
        let f = Font::load(
            &doc,
            &dictionary! {
                "Subtype" => "Type0", "Encoding" => "GBK-EUC-H",
                "DescendantFonts" => vec![dictionary! { "W" => vec![1.into(), 95.into(), 500.into()] }.into()],
            },
        );
        let mut codes = Vec::new();
        f.codes(&[0xd5, 0xc2, b'1', b'2'], &mut codes);
        let t: Vec<&str> = codes.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(t, vec!["章", "1", "2"]);
        assert_eq!(codes.iter().map(|c| c.width).collect::<Vec<_>>(), vec![1.0, 0.5, 0.5]);
    }
}
