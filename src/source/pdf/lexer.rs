//! PDF reader, step 1: content-stream tokens. Bytes of a decoded content
//! stream (or a CMap, which uses the same syntax) → operators with their
//! operands, in order.
//!
//! Written here rather than taken from lopdf's `Content::decode` because a
//! content stream with one bad token must still give the operations around
//! it (lopdf fails the whole stream), inline images must be skipped by
//! scanning for `EI`, and the interpreter wants borrowed operands without an
//! allocation per operation.

/// An operand. Numbers are `f32`: content streams need no more precision.
#[derive(Clone, Debug, PartialEq)]
pub enum Obj {
    Num(f32),
    Name(Vec<u8>),
    Str(Vec<u8>),
    Arr(Vec<Obj>),
    /// Dictionaries occur only as operands of marked content and inline
    /// images; their content never matters here.
    Dict,
    Bool(bool),
    Null,
}

impl Obj {
    pub fn num(&self) -> Option<f32> {
        match self {
            Obj::Num(n) if n.is_finite() => Some(*n),
            _ => None,
        }
    }
}

/// Operands beyond this many are dropped: real operators take at most a
/// handful, and a garbage stream must not grow the stack without bound.
const MAX_OPERANDS: usize = 64;
/// Arrays nest at most this deep (a `TJ` array has depth 1).
const MAX_DEPTH: usize = 8;
/// Elements of one array beyond this are dropped.
const MAX_ARRAY: usize = 1 << 16;

pub struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
}

fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'\0')
}

fn is_delim(b: u8) -> bool {
    matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

/// A token: an operand, an operator keyword, or an array/dict bracket.
#[derive(Debug, PartialEq)]
pub enum Token<'a> {
    Obj(Obj),
    Op(&'a [u8]),
    ArrOpen,
    ArrClose,
    DictOpen,
    DictClose,
}

impl<'a> Lexer<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Lexer { data, pos: 0 }
    }

    fn skip_space(&mut self) {
        while self.pos < self.data.len() {
            let b = self.data[self.pos];
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                while self.pos < self.data.len() && !matches!(self.data[self.pos], b'\n' | b'\r') {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    pub fn next_token(&mut self) -> Option<Token<'a>> {
        self.skip_space();
        let d = self.data;
        let b = *d.get(self.pos)?;
        let start = self.pos;
        Some(match b {
            b'/' => {
                self.pos += 1;
                let s = self.pos;
                while self.pos < d.len() && !is_white(d[self.pos]) && !is_delim(d[self.pos]) {
                    self.pos += 1;
                }
                Token::Obj(Obj::Name(unescape_name(&d[s..self.pos])))
            }
            b'(' => Token::Obj(Obj::Str(self.literal_string())),
            b'<' if d.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                Token::DictOpen
            }
            b'<' => Token::Obj(Obj::Str(self.hex_string())),
            b'>' if d.get(self.pos + 1) == Some(&b'>') => {
                self.pos += 2;
                Token::DictClose
            }
            b'[' => {
                self.pos += 1;
                Token::ArrOpen
            }
            b']' => {
                self.pos += 1;
                Token::ArrClose
            }
            b'+' | b'-' | b'.' | b'0'..=b'9' => {
                while self.pos < d.len() && matches!(d[self.pos], b'+' | b'-' | b'.' | b'0'..=b'9')
                {
                    self.pos += 1;
                }
                Token::Obj(Obj::Num(parse_number(&d[start..self.pos])))
            }
            _ => {
                while self.pos < d.len() && !is_white(d[self.pos]) && !is_delim(d[self.pos]) {
                    self.pos += 1;
                }
                if self.pos == start {
                    // A stray delimiter (`)`, `>`, `{`): skip it.
                    self.pos += 1;
                    return self.next_token();
                }
                match &d[start..self.pos] {
                    b"true" => Token::Obj(Obj::Bool(true)),
                    b"false" => Token::Obj(Obj::Bool(false)),
                    b"null" => Token::Obj(Obj::Null),
                    kw => Token::Op(kw),
                }
            }
        })
    }

    fn literal_string(&mut self) -> Vec<u8> {
        let d = self.data;
        self.pos += 1;
        let mut out = Vec::new();
        let mut depth = 1;
        while self.pos < d.len() {
            let b = d[self.pos];
            self.pos += 1;
            match b {
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    out.push(b);
                }
                b'\\' => {
                    let Some(&e) = d.get(self.pos) else { break };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match d.get(self.pos) {
                                    Some(&o @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(o - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xff) as u8);
                        }
                        b'\r' => {
                            if d.get(self.pos) == Some(&b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        other => out.push(other),
                    }
                }
                _ => out.push(b),
            }
        }
        out
    }

    fn hex_string(&mut self) -> Vec<u8> {
        let d = self.data;
        self.pos += 1;
        let mut out = Vec::new();
        let mut hi: Option<u8> = None;
        while self.pos < d.len() {
            let b = d[self.pos];
            self.pos += 1;
            if b == b'>' {
                break;
            }
            let Some(v) = (b as char).to_digit(16) else {
                continue;
            };
            match hi.take() {
                Some(h) => out.push(h << 4 | v as u8),
                None => hi = Some(v as u8),
            }
        }
        if let Some(h) = hi {
            out.push(h << 4);
        }
        out
    }

    /// After `ID`: skips the image data up to and including `EI`.
    fn skip_inline_image(&mut self) {
        let d = self.data;
        self.pos += 1; // the single white-space byte after ID
        while self.pos + 1 < d.len() {
            if d[self.pos] == b'E'
                && d[self.pos + 1] == b'I'
                && self.pos > 0
                && is_white(d[self.pos - 1])
                && d.get(self.pos + 2).is_none_or(|b| is_white(*b))
            {
                self.pos += 2;
                return;
            }
            self.pos += 1;
        }
        self.pos = d.len();
    }

    /// Calls `f(operator, operands)` for every operation, in order.
    pub fn for_each_op(mut self, mut f: impl FnMut(&[u8], &[Obj])) {
        let mut stack: Vec<Obj> = Vec::new();
        // Open arrays, innermost last.
        let mut arrays: Vec<Vec<Obj>> = Vec::new();
        let mut dict_depth = 0usize;
        while let Some(tok) = self.next_token() {
            let item = match tok {
                Token::Obj(o) => o,
                Token::ArrOpen => {
                    if arrays.len() < MAX_DEPTH {
                        arrays.push(Vec::new());
                    }
                    continue;
                }
                Token::ArrClose => match arrays.pop() {
                    Some(a) => Obj::Arr(a),
                    None => continue,
                },
                Token::DictOpen => {
                    dict_depth += 1;
                    continue;
                }
                Token::DictClose => {
                    dict_depth = dict_depth.saturating_sub(1);
                    if dict_depth > 0 {
                        continue;
                    }
                    Obj::Dict
                }
                Token::Op(op) => {
                    if dict_depth > 0 {
                        continue; // keys and values of a dictionary
                    }
                    arrays.clear();
                    if op == b"ID" {
                        self.skip_inline_image();
                        stack.clear();
                        continue;
                    }
                    f(op, &stack);
                    stack.clear();
                    continue;
                }
            };
            if dict_depth > 0 {
                continue;
            }
            if let Some(a) = arrays.last_mut() {
                if a.len() < MAX_ARRAY {
                    a.push(item);
                }
            } else if stack.len() < MAX_OPERANDS {
                stack.push(item);
            }
        }
    }
}

fn parse_number(s: &[u8]) -> f32 {
    // Lenient like viewers: "--5", "5-" and "1.2.3" occur in broken producers.
    let t = std::str::from_utf8(s).unwrap_or("0");
    if let Ok(v) = t.parse::<f32>() {
        return v;
    }
    let neg = t.starts_with('-');
    let digits: String = t
        .trim_start_matches(['+', '-'])
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let mut parts = digits.splitn(3, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next().unwrap_or("");
    let v = format!(
        "{}.{}",
        if int.is_empty() { "0" } else { int },
        if frac.is_empty() { "0" } else { frac }
    )
    .parse::<f32>()
    .unwrap_or(0.0);
    if neg {
        -v
    } else {
        v
    }
}

fn unescape_name(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'#' && i + 2 < raw.len() + 1 {
            if let (Some(h), Some(l)) = (
                raw.get(i + 1).and_then(|b| (*b as char).to_digit(16)),
                raw.get(i + 2).and_then(|b| (*b as char).to_digit(16)),
            ) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(s: &[u8]) -> Vec<(String, Vec<Obj>)> {
        let mut out = Vec::new();
        Lexer::new(s).for_each_op(|op, args| {
            out.push((String::from_utf8_lossy(op).into_owned(), args.to_vec()))
        });
        out
    }

    #[test]
    fn operands_and_operators() {
        let got = ops(b"1 0 0 -1 .5 -3. cm /F1 12 Tf [(a\\)b) -250 <4e2d>] TJ (x\\101\\n) Tj");
        assert_eq!(
            got[0],
            (
                "cm".into(),
                vec![
                    Obj::Num(1.0),
                    Obj::Num(0.0),
                    Obj::Num(0.0),
                    Obj::Num(-1.0),
                    Obj::Num(0.5),
                    Obj::Num(-3.0)
                ]
            )
        );
        assert_eq!(got[1], ("Tf".into(), vec![Obj::Name(b"F1".to_vec()), Obj::Num(12.0)]));
        assert_eq!(
            got[2],
            (
                "TJ".into(),
                vec![Obj::Arr(vec![
                    Obj::Str(b"a)b".to_vec()),
                    Obj::Num(-250.0),
                    Obj::Str(vec![0x4e, 0x2d])
                ])]
            )
        );
        assert_eq!(got[3], ("Tj".into(), vec![Obj::Str(b"xA\n".to_vec())]));
    }

    #[test]
    fn inline_images_dicts_and_garbage_are_skipped() {
        let got =
            ops(b"/P <</MCID 0>> BDC BI /W 2 /H 1 ID \x00EI\xffx EI Q ) } 5 5 m %comment\n 7 8 l");
        let names: Vec<&str> = got.iter().map(|(o, _)| o.as_str()).collect();
        assert_eq!(names, vec!["BDC", "BI", "Q", "m", "l"]);
        assert_eq!(got[0].1, vec![Obj::Name(b"P".to_vec()), Obj::Dict]);
        assert_eq!(got[4].1, vec![Obj::Num(7.0), Obj::Num(8.0)]);
    }

    #[test]
    fn lenient_numbers_and_names() {
        assert_eq!(parse_number(b"--5"), -5.0);
        assert_eq!(parse_number(b"1.2.3"), 1.2);
        assert_eq!(unescape_name(b"A#20B"), b"A B".to_vec());
    }
}
