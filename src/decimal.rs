//! Exact decimal numbers for cell values.
//!
//! Sum checks compare values exactly, so values are never `f64`: a [`Dec`] is
//! an integer mantissa scaled by a power of ten (258.181269 is 258181269e-6).

use std::cmp::Ordering;
use std::fmt;

/// `mantissa × 10^-scale`, kept normalized (no trailing zeros in the
/// mantissa when `scale > 0`) so that equal values are equal structs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Dec {
    mantissa: i128,
    scale: u32,
}

/// More digits than any real report holds; keeps arithmetic far from overflow.
const MAX_DIGITS: usize = 24;

impl Dec {
    pub const ZERO: Dec = Dec { mantissa: 0, scale: 0 };

    pub fn from_int(v: i64) -> Dec {
        Dec { mantissa: v as i128, scale: 0 }
    }

    /// Parses `[-+]digits[.digits]` (ASCII only; callers normalize first).
    pub fn parse(s: &str) -> Option<Dec> {
        let (neg, body) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let (int, frac) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(int) || !all_digits(frac) || int.len() + frac.len() > MAX_DIGITS {
            return None;
        }
        let mut mantissa: i128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            mantissa = mantissa * 10 + i128::from(b - b'0');
        }
        if neg {
            mantissa = -mantissa;
        }
        Some(Dec { mantissa, scale: frac.len() as u32 }.normalized())
    }

    fn normalized(mut self) -> Dec {
        while self.scale > 0 && self.mantissa % 10 == 0 {
            self.mantissa /= 10;
            self.scale -= 1;
        }
        if self.mantissa == 0 {
            self.scale = 0;
        }
        self
    }

    fn aligned(a: Dec, b: Dec) -> (i128, i128, u32) {
        let scale = a.scale.max(b.scale);
        let up = |d: Dec| d.mantissa * 10i128.pow(scale - d.scale);
        (up(a), up(b), scale)
    }

    /// Divides by `10^places` exactly (元 → 万元 is `shift_down(4)`).
    pub fn shift_down(self, places: u32) -> Dec {
        Dec { mantissa: self.mantissa, scale: self.scale + places }.normalized()
    }

    pub fn is_integer(self) -> bool {
        self.scale == 0
    }

    pub fn is_negative(self) -> bool {
        self.mantissa < 0
    }

    pub fn sum<I: IntoIterator<Item = Dec>>(items: I) -> Dec {
        items.into_iter().fold(Dec::ZERO, |a, b| a + b)
    }
}

impl std::ops::Add for Dec {
    type Output = Dec;

    fn add(self, other: Dec) -> Dec {
        let (a, b, scale) = Dec::aligned(self, other);
        Dec { mantissa: a + b, scale }.normalized()
    }
}

impl std::ops::Sub for Dec {
    type Output = Dec;

    fn sub(self, other: Dec) -> Dec {
        let (a, b, scale) = Dec::aligned(self, other);
        Dec { mantissa: a - b, scale }.normalized()
    }
}

impl Ord for Dec {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b, _) = Dec::aligned(*self, *other);
        a.cmp(&b)
    }
}

impl PartialOrd for Dec {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.mantissa.unsigned_abs().to_string();
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_canonically() {
        for (input, shown) in [
            ("258.181269", "258.181269"),
            ("0", "0"),
            ("0.0", "0"),
            ("-8", "-8"),
            ("+12", "12"),
            ("52.50", "52.5"),
            (".5", "0.5"),
        ] {
            assert_eq!(
                Dec::parse(input).map(|d| d.to_string()),
                Some(shown.to_string()),
                "{input}"
            );
        }
        for bad in ["", "-", ".", "1.2.3", "1e5", "12a"] {
            assert_eq!(Dec::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn arithmetic_is_exact() {
        let a = Dec::parse("0.1").unwrap();
        let b = Dec::parse("0.2").unwrap();
        assert_eq!(a + b, Dec::parse("0.3").unwrap());
        assert_eq!(Dec::from_int(251000).shift_down(4).to_string(), "25.1");
        assert_eq!(Dec::from_int(3) - Dec::from_int(5), Dec::from_int(-2));
        assert!(Dec::parse("1.50").unwrap() == Dec::parse("1.5").unwrap());
    }
}
