//! Scan stage 3, a shortcut for the readers: ink seen before on the same
//! page reads the same. In: a cell's ink (the binarized page with rules
//! erased, cut to the ink's box). Out: the reading of an earlier cell whose
//! ink is the same, or nothing.
//!
//! Tables repeat themselves: in real reports nearly every value is "0"
//! (the seeds: 189 to 198 of 198 values), and the 2019 and 2021 s2 tables
//! repeat their column headers (信息内容, 本年新制作数量…) in every
//! sub-table. One font, one size, one scan: the same text leaves the same
//! ink up to a pixel along its edges, while a different digit or character
//! differs by whole strokes. So the comparison forgives a pixel of shift and
//! of edge jitter, and nothing else: every window one character wide must
//! agree, so that one different character in a long label is seen.
//! What is not found here is simply read by Tesseract: a miss costs a
//! comparison, a wrong hit would cost a wrong value, hence the tight bound.

/// A cell's ink, cut to its box, with its 3×3 dilation for the tolerant
/// comparison.
#[derive(Clone, Debug)]
pub struct Ink {
    w: u32,
    h: u32,
    bits: Vec<bool>,
    grown: Vec<bool>,
    count: u32,
}

impl Ink {
    /// The ink of `page` (width `page_w`) inside `b` (x0, y0, x1, y1).
    pub fn of(page: &[bool], page_w: u32, b: (u32, u32, u32, u32)) -> Ink {
        let (w, h) = (b.2.saturating_sub(b.0), b.3.saturating_sub(b.1));
        let mut bits = Vec::with_capacity((w * h) as usize);
        for y in b.1..b.3 {
            let row = (y * page_w) as usize;
            bits.extend_from_slice(&page[row + b.0 as usize..row + b.2 as usize]);
        }
        Ink::from_bits(w, h, bits)
    }

    fn from_bits(w: u32, h: u32, bits: Vec<bool>) -> Ink {
        let at = |x: i64, y: i64| {
            x >= 0 && y >= 0 && x < w as i64 && y < h as i64 && bits[(y * w as i64 + x) as usize]
        };
        let mut grown = vec![false; bits.len()];
        for y in 0..h as i64 {
            for x in 0..w as i64 {
                grown[(y * w as i64 + x) as usize] =
                    (-1..=1).any(|dy| (-1..=1).any(|dx| at(x + dx, y + dy)));
            }
        }
        let count = bits.iter().filter(|&&b| b).count() as u32;
        Ink { w, h, bits, grown, count }
    }

    fn get(v: &[bool], w: u32, h: u32, x: i64, y: i64) -> bool {
        x >= 0 && y >= 0 && x < w as i64 && y < h as i64 && v[(y * w as i64 + x) as usize]
    }

    /// Whether `self` and `o` are the same ink: same size within a pixel or
    /// two, and, at the best of nine one-pixel shifts, no ink of either more
    /// than a pixel away from the other's but specks: no two-by-two block of
    /// it, and at most [`MISMATCH`] of the ink in all.
    pub fn same(&self, o: &Ink) -> bool {
        let tol = 1 + self.h.max(o.h) / 25;
        if self.h.min(o.h) < MIN_HEIGHT
            || self.w.abs_diff(o.w) > tol
            || self.h.abs_diff(o.h) > tol
            || self.count == 0
            || o.count == 0
        {
            return false;
        }
        if self.count.abs_diff(o.count) as f32 > 0.15 * self.count.max(o.count) as f32 {
            return false;
        }
        (-1..=1).any(|dy| (-1..=1).any(|dx| self.agrees(o, dx, dy)))
    }

    /// `o` shifted by (dx, dy) against `self`. Edges that moved by a pixel
    /// are forgiven by the dilation, and leave at worst scattered single
    /// pixels; a stroke that one has and the other lacks is at least two
    /// pixels thick (see [`MIN_HEIGHT`]) and leaves a solid block.
    fn agrees(&self, o: &Ink, dx: i64, dy: i64) -> bool {
        let (w, h) = (self.w.max(o.w) as i64, self.h.max(o.h) as i64);
        let unmatched = |x: i64, y: i64| {
            let a = Ink::get(&self.bits, self.w, self.h, x, y)
                && !Ink::get(&o.grown, o.w, o.h, x - dx, y - dy);
            a || Ink::get(&o.bits, o.w, o.h, x - dx, y - dy)
                && !Ink::get(&self.grown, self.w, self.h, x, y)
        };
        // Row by row, two rows kept: most comparisons are of different ink
        // and end within a few rows, on too much unmatched ink or a block.
        let limit = MISMATCH * (self.count + o.count) as f32;
        let (mut above, mut row) = (vec![false; w as usize], vec![false; w as usize]);
        let mut total = 0usize;
        for y in 0..h {
            for (x, m) in row.iter_mut().enumerate() {
                *m = unmatched(x as i64, y);
                total += *m as usize;
            }
            if total as f32 > limit
                || y > 0
                    && (0..w as usize - 1).any(|x| above[x] && above[x + 1] && row[x] && row[x + 1])
            {
                return false;
            }
            std::mem::swap(&mut above, &mut row);
        }
        true
    }
}

/// Unmatched ink allowed in all: JPEG and binarization move a few edge
/// pixels by more than the dilation forgives.
const MISMATCH: f32 = 0.02;

/// Ink lower than this many pixels is never taken for the same: a pixel of
/// tolerance is then a large part of a stroke, and a "3" passed for an "8"
/// (at 150 and 200 dpi, where 10 pt digits are 13 to 21 pixels high, and
/// strokes one or two). 10 pt digits at 300 dpi are about 30 pixels high,
/// their strokes three or four wide.
const MIN_HEIGHT: u32 = 24;

/// Entries kept per cache: beyond, comparing costs more than it saves.
const MAX_ENTRIES: usize = 48;

/// Readings of the cells of one page, found by their ink.
#[derive(Debug)]
pub struct InkCache<T> {
    entries: Vec<(Ink, String, T)>,
}

impl<T: Clone> Default for InkCache<T> {
    fn default() -> Self {
        InkCache { entries: Vec::new() }
    }
}

impl<T: Clone> InkCache<T> {
    /// The reading of the earlier ink `ink` is the same as, when every such
    /// earlier ink read the same text (`key`).
    pub fn get(&self, ink: &Ink) -> Option<T> {
        let mut found: Option<&(Ink, String, T)> = None;
        for e in self.entries.iter().filter(|e| e.0.same(ink)) {
            match found {
                Some(f) if f.1 != e.1 => return None,
                Some(_) => {}
                None => found = Some(e),
            }
        }
        found.map(|f| f.2.clone())
    }

    /// Remembers that `ink` read `key` (the text) with `value`.
    pub fn put(&mut self, ink: Ink, key: &str, value: T) {
        if self.entries.len() < MAX_ENTRIES
            && !self.entries.iter().any(|e| e.1 == key && e.0.same(&ink))
        {
            self.entries.push((ink, key.to_string(), value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Draws `rects` (x0, y0, x1, y1, inclusive-exclusive) on a w × h bitmap.
    fn draw(w: u32, h: u32, rects: &[(u32, u32, u32, u32)]) -> Ink {
        let mut bits = vec![false; (w * h) as usize];
        for &(x0, y0, x1, y1) in rects {
            for y in y0..y1 {
                for x in x0..x1 {
                    bits[(y * w + x) as usize] = true;
                }
            }
        }
        Ink::from_bits(w, h, bits)
    }

    /// A "0" as a ring of 4-pixel strokes, 24 × 40, at offset (ox, oy).
    fn zero(ox: u32, oy: u32, bar: bool) -> Ink {
        let mut r = vec![
            (ox, oy, ox + 24, oy + 4),
            (ox, oy + 36, ox + 24, oy + 40),
            (ox, oy, ox + 4, oy + 40),
            (ox + 20, oy, ox + 24, oy + 40),
        ];
        if bar {
            r.push((ox, oy + 18, ox + 24, oy + 22));
        }
        draw(ox + 24, oy + 40, &r)
    }

    #[test]
    fn the_same_digit_a_pixel_off_is_the_same_ink() {
        let a = zero(0, 0, false);
        // One pixel wider and shifted: the box grew by a column.
        let b = zero(1, 0, false);
        assert!(a.same(&b));
        let mut cache = InkCache::default();
        cache.put(a, "0", 0.97f32);
        assert_eq!(cache.get(&b), Some(0.97));
    }

    #[test]
    fn a_stroke_more_is_another_digit() {
        // "0" and "8" drawn alike but for the middle bar.
        let mut cache = InkCache::default();
        cache.put(zero(0, 0, false), "0", 1u8);
        assert_eq!(cache.get(&zero(0, 0, true)), None);
    }

    #[test]
    fn one_different_character_in_a_long_label_is_seen() {
        // Ten "characters" 40 px apart; in the second label the seventh has
        // a second bar (一 → 二): 1 of 10 characters, a window of it differs.
        let label = |second: bool| {
            let mut r = Vec::new();
            for k in 0..10 {
                let x = k * 40 + 4;
                r.push((x, 18, x + 32, 22));
                if second && k == 6 {
                    r.push((x + 4, 8, x + 28, 12));
                }
                r.push((x + 14, 2, x + 18, 38));
            }
            draw(400, 40, &r)
        };
        assert!(label(false).same(&label(false)));
        assert!(!label(false).same(&label(true)));
    }

    #[test]
    fn inks_read_differently_before_are_not_guessed_between() {
        let mut cache = InkCache::default();
        cache.put(zero(0, 0, false), "0", "0");
        cache.put(zero(1, 0, false), "O", "O");
        assert_eq!(cache.get(&zero(0, 0, false)), None);
    }
}
