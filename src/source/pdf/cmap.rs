//! PDF reader, fonts: CMaps. The bytes of a `/ToUnicode` or embedded
//! `/Encoding` CMap stream → a [`CMap`] (codespace ranges, code → Unicode,
//! code → CID); the name of a predefined CJK CMap → how its codes split and
//! decode ([`Predefined`]).
//!
//! Predefined CMaps (`GBK-EUC-H`, `UniGB-UCS2-H`, …) are not embedded in
//! the PDF and we ship no CMap files: their codes are GB/GBK bytes or UTF-16
//! code units, so the encoding itself gives the text. That is how 公文 PDFs
//! with an unembedded 宋体 and no ToUnicode stay readable.

use std::collections::BTreeMap;

use super::lexer::{Lexer, Obj, Token};

/// One codespace range: codes of `len` bytes whose every byte lies between
/// the corresponding bytes of `lo` and `hi`.
#[derive(Clone, Debug, PartialEq)]
pub struct Codespace {
    pub len: usize,
    pub lo: [u8; 4],
    pub hi: [u8; 4],
}

impl Codespace {
    fn new(lo: &[u8], hi: &[u8]) -> Option<Codespace> {
        if lo.len() != hi.len() || lo.is_empty() || lo.len() > 4 {
            return None;
        }
        let mut c = Codespace { len: lo.len(), lo: [0; 4], hi: [0; 4] };
        c.lo[..lo.len()].copy_from_slice(lo);
        c.hi[..hi.len()].copy_from_slice(hi);
        Some(c)
    }

    fn matches(&self, bytes: &[u8]) -> bool {
        bytes.len() >= self.len
            && (0..self.len).all(|i| self.lo[i] <= bytes[i] && bytes[i] <= self.hi[i])
    }
}

/// Splits `bytes` into codes by the codespace ranges; a byte sequence that
/// matches none takes the shortest range's length (PDF 32000 §9.7.6.3).
pub fn next_code(ranges: &[Codespace], bytes: &[u8]) -> (u32, usize) {
    let len = ranges
        .iter()
        .filter(|c| c.matches(bytes))
        .map(|c| c.len)
        .min()
        .or_else(|| ranges.iter().map(|c| c.len).min())
        .unwrap_or(1)
        .min(bytes.len())
        .max(1);
    (code_of(&bytes[..len]), len)
}

fn code_of(b: &[u8]) -> u32 {
    b.iter().take(4).fold(0u32, |acc, x| acc << 8 | u32::from(*x))
}

/// A parsed CMap stream.
#[derive(Clone, Debug, Default)]
pub struct CMap {
    pub codespace: Vec<Codespace>,
    /// code → Unicode text (bfchar, bfrange).
    pub unicode: BTreeMap<u32, String>,
    /// code range start → (range end, first CID) (cidchar, cidrange).
    pub cids: BTreeMap<u32, (u32, u32)>,
    /// The name given by `usecmap`, for a stream that builds on a predefined CMap.
    pub uses: Option<Vec<u8>>,
}

/// A bfrange longer than this is cut: real maps use ranges of at most 256
/// codes, and a corrupt one must not allocate millions of strings.
const MAX_RANGE: u32 = 0xffff;
/// Mappings kept per CMap: a CJK font's map has some 30,000; ranges of
/// 4-byte codes could otherwise add up to billions from 4 MiB of text.
const MAX_ENTRIES: usize = 1 << 18;
/// Codespace ranges kept: real CMaps have a handful, and every code is
/// matched against all of them.
const MAX_CODESPACES: usize = 64;

impl CMap {
    pub fn parse(data: &[u8]) -> CMap {
        let mut cmap = CMap::default();
        let mut lex = Lexer::new(data);
        let mut section: &[u8] = b"";
        let mut pending: Vec<Obj> = Vec::new();
        let mut array: Option<Vec<Obj>> = None;
        while let Some(tok) = lex.next_token() {
            match tok {
                Token::Op(op) if op.starts_with(b"begin") => {
                    section = match op {
                        b"begincodespacerange" => b"codespace",
                        b"beginbfchar" => b"bfchar",
                        b"beginbfrange" => b"bfrange",
                        b"begincidchar" => b"cidchar",
                        b"begincidrange" => b"cidrange",
                        _ => b"",
                    };
                    pending.clear();
                }
                Token::Op(b"usecmap") => {
                    if let Some(Obj::Name(n)) = pending.last() {
                        cmap.uses = Some(n.clone());
                    }
                    pending.clear();
                }
                Token::Op(op) if op.starts_with(b"end") => {
                    section = b"";
                    pending.clear();
                }
                Token::Op(_) => pending.clear(),
                Token::ArrOpen => array = Some(Vec::new()),
                Token::ArrClose => {
                    if let Some(a) = array.take() {
                        pending.push(Obj::Arr(a));
                        cmap.take(section, &mut pending);
                    }
                }
                Token::Obj(o) => match array.as_mut() {
                    Some(a) => a.push(o),
                    None => {
                        pending.push(o);
                        cmap.take(section, &mut pending);
                    }
                },
                Token::DictOpen | Token::DictClose => {}
            }
        }
        cmap
    }

    /// Consumes a complete entry of `section` from `pending`, if there is one.
    fn take(&mut self, section: &[u8], pending: &mut Vec<Obj>) {
        let need = match section {
            b"codespace" | b"bfchar" | b"cidchar" => 2,
            b"bfrange" | b"cidrange" => 3,
            _ => {
                // Outside a section only the last operand can matter (`usecmap`).
                let last = pending.pop();
                pending.clear();
                pending.extend(last);
                return;
            }
        };
        if pending.len() < need {
            return;
        }
        let entry: Vec<Obj> = std::mem::take(pending);
        match (section, entry.as_slice()) {
            _ if self.unicode.len() >= MAX_ENTRIES || self.cids.len() >= MAX_ENTRIES => {}
            (b"codespace", [Obj::Str(lo), Obj::Str(hi)]) => {
                if let Some(c) =
                    Codespace::new(lo, hi).filter(|_| self.codespace.len() < MAX_CODESPACES)
                {
                    self.codespace.push(c);
                }
            }
            (b"bfchar", [Obj::Str(src), dst]) => {
                if let Some(text) = dst_text(dst) {
                    self.unicode.insert(code_of(src), text);
                }
            }
            (b"bfrange", [Obj::Str(lo), Obj::Str(hi), dst]) => {
                let (lo, hi) = (code_of(lo), code_of(hi));
                let hi = hi.min(lo.saturating_add(MAX_RANGE));
                match dst {
                    Obj::Str(first) => {
                        let units = utf16_units(first);
                        let room = MAX_ENTRIES.saturating_sub(self.unicode.len());
                        for (i, code) in (lo..=hi).enumerate().take(room) {
                            // The last UTF-16 unit increments (PDF 32000 §9.10.3).
                            let mut u = units.clone();
                            if let Some(last) = u.last_mut() {
                                *last = last.wrapping_add(i as u16);
                            }
                            self.unicode.insert(code, String::from_utf16_lossy(&u));
                        }
                    }
                    Obj::Arr(items) => {
                        for (code, item) in (lo..=hi).zip(items) {
                            if let Some(text) = dst_text(item) {
                                self.unicode.insert(code, text);
                            }
                        }
                    }
                    _ => {}
                }
            }
            (b"cidchar", [Obj::Str(src), Obj::Num(cid)]) => {
                let c = code_of(src);
                self.cids.insert(c, (c, *cid as u32));
            }
            (b"cidrange", [Obj::Str(lo), Obj::Str(hi), Obj::Num(cid)]) => {
                self.cids.insert(code_of(lo), (code_of(hi), *cid as u32));
            }
            _ => {}
        }
    }

    pub fn cid(&self, code: u32) -> Option<u32> {
        let (&lo, &(hi, first)) = self.cids.range(..=code).next_back()?;
        (code <= hi).then(|| first + (code - lo))
    }
}

fn utf16_units(b: &[u8]) -> Vec<u16> {
    b.chunks(2).map(|c| u16::from(c[0]) << 8 | u16::from(*c.get(1).unwrap_or(&0))).collect()
}

fn dst_text(o: &Obj) -> Option<String> {
    match o {
        Obj::Str(b) => Some(String::from_utf16_lossy(&utf16_units(b))),
        // A glyph name as destination (old Acrobat maps): rare; not text.
        _ => None,
    }
}

/// How a predefined CMap encodes: which text encoding its codes are in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Predefined {
    /// `Identity-H/V`: codes are CIDs; text needs a ToUnicode map.
    Identity,
    /// GB 2312 / GBK / GB 18030 bytes (`GB-EUC-H`, `GBK-EUC-H`, `GBKp-EUC-H`, `GBK2K-H`).
    Gbk,
    /// UCS-2 / UTF-16BE code units (`UniGB-UCS2-H`, `UniGB-UTF16-H`, and the
    /// other Adobe `Uni…-UCS2/UTF16` maps).
    Utf16,
    /// Big5 bytes (`ETen-B5-H`, `B5pc-H`, …).
    Big5,
    /// A CMap we do not know: codes are split as two bytes, text needs a ToUnicode map.
    Unknown,
}

impl Predefined {
    pub fn from_name(name: &[u8]) -> Predefined {
        let n = String::from_utf8_lossy(name);
        let base = n.trim_end_matches("-H").trim_end_matches("-V");
        if base == "Identity" {
            Predefined::Identity
        } else if base.starts_with("Uni") && (base.ends_with("UCS2") || base.contains("UTF16")) {
            Predefined::Utf16
        } else if base.starts_with("GB") {
            Predefined::Gbk
        } else if base.contains("B5") {
            Predefined::Big5
        } else {
            Predefined::Unknown
        }
    }

    /// Whether the CMap's name says vertical writing.
    pub fn vertical(name: &[u8]) -> bool {
        name.ends_with(b"-V")
    }

    pub fn codespace(self) -> Vec<Codespace> {
        let r = |lo: &[u8], hi: &[u8]| Codespace::new(lo, hi).into_iter();
        match self {
            Predefined::Identity | Predefined::Unknown => r(&[0, 0], &[0xff, 0xff]).collect(),
            // GBK-EUC-H: one byte up to 0x80, two bytes lead 0x81-0xFE.
            // GB 18030's four-byte codes never occur in these fonts.
            Predefined::Gbk | Predefined::Big5 => {
                r(&[0], &[0x80]).chain(r(&[0x81, 0x40], &[0xfe, 0xfe])).collect()
            }
            Predefined::Utf16 => r(&[0, 0], &[0xd7, 0xff])
                .chain(r(&[0xd8, 0, 0xdc, 0], &[0xdb, 0xff, 0xdf, 0xff]))
                .chain(r(&[0xe0, 0], &[0xff, 0xff]))
                .collect(),
        }
    }

    /// The text of one code, from the encoding alone.
    pub fn decode(self, code: u32, len: usize) -> Option<String> {
        let bytes = &code.to_be_bytes()[4 - len.min(4)..];
        match self {
            Predefined::Gbk | Predefined::Big5 => {
                let enc =
                    if self == Predefined::Gbk { encoding_rs::GB18030 } else { encoding_rs::BIG5 };
                let (text, _, bad) = enc.decode(bytes);
                (!bad).then(|| text.into_owned())
            }
            Predefined::Utf16 => {
                char::decode_utf16(utf16_units(bytes)).collect::<Result<String, _>>().ok()
            }
            Predefined::Identity | Predefined::Unknown => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tounicode_bfchar_bfrange_and_codespace() {
        let data = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
            1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
            2 beginbfchar <0003> <0020> <0A1B> <4E2D> endbfchar\n\
            2 beginbfrange <0010> <0012> <0030> <0020> <0021> [<2F00> <D835DC00>] endbfrange\n\
            endcmap CMapName currentdict /CMap defineresource pop end end";
        let c = CMap::parse(data);
        assert_eq!(c.codespace.len(), 1);
        assert_eq!(c.unicode[&0x0003], " ");
        assert_eq!(c.unicode[&0x0a1b], "中");
        assert_eq!(c.unicode[&0x0012], "2");
        assert_eq!(c.unicode[&0x0020], "\u{2f00}");
        assert_eq!(c.unicode[&0x0021], "\u{1d400}");
        assert_eq!(next_code(&c.codespace, &[0x0a, 0x1b, 0x00]), (0x0a1b, 2));
    }

    #[test]
    fn cid_ranges_and_usecmap() {
        let c = CMap::parse(b"/GBK-EUC-H usecmap 1 begincidrange <8140> <817e> 100 endcidrange 1 begincidchar <20> 1 endcidchar");
        assert_eq!(c.uses.as_deref(), Some(&b"GBK-EUC-H"[..]));
        assert_eq!(c.cid(0x8142), Some(102));
        assert_eq!(c.cid(0x20), Some(1));
        assert_eq!(c.cid(0x817f), None);
    }

    #[test]
    fn predefined_cjk_cmaps_decode_by_encoding() {
        let gbk = Predefined::from_name(b"GBK-EUC-H");
        assert_eq!(gbk, Predefined::Gbk);
        let cs = gbk.codespace();
        // "规章1" in GBK: B9E6 D5C2 31
        let bytes = [0xb9, 0xe6, 0xd5, 0xc2, 0x31];
        let (c1, l1) = next_code(&cs, &bytes);
        assert_eq!(gbk.decode(c1, l1).as_deref(), Some("规"));
        let (c3, l3) = next_code(&cs, &bytes[4..]);
        assert_eq!((gbk.decode(c3, l3).as_deref(), l3), (Some("1"), 1));
        let ucs = Predefined::from_name(b"UniGB-UCS2-H");
        assert_eq!(ucs.decode(0x4e2d, 2).as_deref(), Some("中"));
        assert_eq!(Predefined::from_name(b"UniGB-UTF16-V"), Predefined::Utf16);
        assert!(Predefined::vertical(b"UniGB-UTF16-V"));
        assert_eq!(Predefined::from_name(b"Identity-H"), Predefined::Identity);
    }
}
