//! Scan stage 2: ruling lines. In: the binarized page. Out: horizontal and
//! vertical [`Segment`]s (pixels), and the ink with those lines erased so
//! that OCR never sees a rule as a `1` or a `-`.
//!
//! A morphological opening by a long line element, done as run finding:
//! ink runs along a row (or column) at least [`LineParams::min_h_mm`] long,
//! bridging gaps of a few pixels (JPEG and blur break thin grey rules) and
//! tolerating one pixel of drift to each side (residual skew). Runs on
//! adjacent rows that overlap are one rule; collinear rules with a small gap
//! are joined.

use super::prep::px_per_mm;

#[derive(Clone, Debug)]
pub struct LineParams {
    /// Shortest horizontal rule. Text cannot make a solid run this long
    /// (a "——" placeholder is about 7 mm at 10.5 pt); the narrowest table
    /// column in the templates is wider.
    pub min_h_mm: f32,
    /// Shortest vertical rule: more than a character's height (3.5 mm at
    /// 10.5 pt), less than one table row (about 7 mm).
    pub min_v_mm: f32,
    /// Gaps bridged inside a run.
    pub gap_mm: f32,
    /// Thicker than this is a filled area, not a rule.
    pub max_thickness_mm: f32,
}

impl Default for LineParams {
    fn default() -> Self {
        LineParams { min_h_mm: 9.0, min_v_mm: 4.8, gap_mm: 0.5, max_thickness_mm: 1.2 }
    }
}

/// A rule in pixels: `at` is the centre across the line, `from..to` along it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    pub horizontal: bool,
    pub at: f32,
    pub from: f32,
    pub to: f32,
    pub thickness: f32,
}

/// Finds the rules of a page that belong to a table (meet a rule across
/// them) and erases them from `ink`. A run that meets no other rule is a
/// row of text strokes bridged by the gap tolerance (bold headings give
/// such runs): kept as ink, so OCR still sees the text.
pub fn detect(ink: &mut [bool], w: u32, h: u32, dpi: f32, p: &LineParams) -> Vec<Segment> {
    let segs = find(ink, w, h, dpi, p);
    erase(ink, w, h, &segs);
    segs
}

/// [`detect`] without erasing: the caller erases only the rules that end
/// up in a table grid (strokes of a large bold title can cross too).
pub fn find(ink: &[bool], w: u32, h: u32, dpi: f32, p: &LineParams) -> Vec<Segment> {
    let all = candidates(ink, w, h, dpi, p);
    let tol = px_per_mm(dpi);
    let meets = |a: &Segment, b: &Segment| {
        a.horizontal != b.horizontal
            && b.at >= a.from - tol
            && b.at <= a.to + tol
            && a.at >= b.from - tol
            && a.at <= b.to + tol
    };
    all.iter().filter(|a| all.iter().any(|b| meets(a, b))).copied().collect()
}

/// Rules on a page without a table grid: runs at least `min_mm` long whose
/// length is at least [`SOLID`] ink (a table ruled between rows only, a rule
/// under a heading). A bold title's strokes bridged by the gap tolerance
/// leave more blank between its characters.
pub fn free_rules(
    ink: &[bool],
    w: u32,
    h: u32,
    dpi: f32,
    p: &LineParams,
    min_mm: f32,
) -> Vec<Segment> {
    let min = min_mm * px_per_mm(dpi);
    candidates(ink, w, h, dpi, p)
        .into_iter()
        .filter(|s| s.to - s.from >= min && solidity(ink, w, h, s) >= SOLID)
        .collect()
}

/// How much of a free rule's length must be ink.
const SOLID: f32 = 0.9;

/// The share of a segment's length with ink across its thickness.
fn solidity(ink: &[bool], w: u32, h: u32, s: &Segment) -> f32 {
    let half = (s.thickness / 2.0).ceil() as i64 + 1;
    let at = s.at.round() as i64;
    let (from, to) = (s.from.max(0.0) as i64, s.to as i64);
    let inked = (from..to)
        .filter(|&along| {
            (at - half..=at + half).any(|across| {
                let (x, y) = if s.horizontal { (along, across) } else { (across, along) };
                x >= 0
                    && y >= 0
                    && (x as u32) < w
                    && (y as u32) < h
                    && ink[(y as u32 * w + x as u32) as usize]
            })
        })
        .count();
    inked as f32 / (to - from).max(1) as f32
}

/// Every long run, before the table test.
fn candidates(ink: &[bool], w: u32, h: u32, dpi: f32, p: &LineParams) -> Vec<Segment> {
    let mm = px_per_mm(dpi);
    let gap = (p.gap_mm * mm).round().max(1.0) as usize;
    let max_thick = (p.max_thickness_mm * mm).max(3.0);
    let (w, h) = (w as usize, h as usize);
    let hs = runs(w, h, gap, (p.min_h_mm * mm) as usize, |along, across| ink[across * w + along]);
    let vs = runs(h, w, gap, (p.min_v_mm * mm) as usize, |along, across| ink[along * w + across]);
    let mut segs: Vec<Segment> = Vec::new();
    for (horizontal, runs) in [(true, hs), (false, vs)] {
        for s in join(group(runs, horizontal), 1.0 * mm) {
            if s.thickness <= max_thick {
                segs.push(s);
            }
        }
    }
    segs
}

/// Clears the pixels of `segs` (and a pixel and a half around them).
pub fn erase(ink: &mut [bool], w: u32, h: u32, segs: &[Segment]) {
    let (w, h) = (w as usize, h as usize);
    for s in segs {
        let half = (s.thickness / 2.0 + 1.5).ceil() as i64;
        let (a0, a1) = ((s.at.round() as i64 - half).max(0), s.at.round() as i64 + half);
        for across in a0..=a1 {
            for along in (s.from as i64).max(0)..=(s.to as i64) {
                let (x, y) = if s.horizontal { (along, across) } else { (across, along) };
                if (x as usize) < w && (y as usize) < h {
                    ink[y as usize * w + x as usize] = false;
                }
            }
        }
    }
}

/// Runs along each line `across` (0..n_across) of length ≥ `min`, gaps of
/// up to `gap` bridged, a pixel counting as ink when it or a neighbour
/// across is ink. Returns (across, from, to).
fn runs(
    n_along: usize,
    n_across: usize,
    gap: usize,
    min: usize,
    at: impl Fn(usize, usize) -> bool,
) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    for across in 0..n_across {
        let lo = across.saturating_sub(1);
        let hi = (across + 1).min(n_across - 1);
        let mut start: Option<usize> = None;
        let mut last = 0usize;
        for along in 0..n_along {
            let on = (lo..=hi).any(|a| at(along, a));
            if on {
                if start.is_none() {
                    start = Some(along);
                }
                last = along;
            } else if let Some(s) = start {
                if along - last > gap {
                    if last - s + 1 >= min {
                        out.push((across, s, last));
                    }
                    start = None;
                }
            }
        }
        if let Some(s) = start {
            if last - s + 1 >= min {
                out.push((across, s, last));
            }
        }
    }
    out
}

/// Runs on adjacent lines that overlap are one rule.
fn group(runs: Vec<(usize, usize, usize)>, horizontal: bool) -> Vec<Segment> {
    // (first across, last across, from, to, sum of across weighted)
    let mut open: Vec<(usize, usize, usize, usize)> = Vec::new();
    let mut done: Vec<(usize, usize, usize, usize)> = Vec::new();
    for (across, from, to) in runs {
        let mut merged = false;
        for g in open.iter_mut() {
            let overlap = to.min(g.3) as i64 - from.max(g.2) as i64;
            let shorter = (to - from).min(g.3 - g.2) as i64;
            if g.1 + 1 >= across && overlap * 2 >= shorter {
                g.1 = across;
                g.2 = g.2.min(from);
                g.3 = g.3.max(to);
                merged = true;
                break;
            }
        }
        if !merged {
            open.push((across, across, from, to));
        }
        let (still, closed): (Vec<_>, Vec<_>) = open.into_iter().partition(|g| g.1 + 1 >= across);
        open = still;
        done.extend(closed);
    }
    done.extend(open);
    done.into_iter()
        .map(|(a0, a1, from, to)| Segment {
            horizontal,
            at: (a0 + a1) as f32 / 2.0,
            from: from as f32,
            to: to as f32,
            thickness: (a1 - a0 + 1) as f32,
        })
        .collect()
}

/// Joins collinear rules whose ends are within `gap` px.
fn join(mut segs: Vec<Segment>, gap: f32) -> Vec<Segment> {
    segs.sort_by(|a, b| a.at.total_cmp(&b.at).then(a.from.total_cmp(&b.from)));
    let mut out: Vec<Segment> = Vec::new();
    for s in segs {
        if let Some(o) = out.iter_mut().rev().take(8).find(|o| {
            (o.at - s.at).abs() <= 2.0f32.max(o.thickness)
                && s.from <= o.to + gap
                && s.to + gap >= o.from
        }) {
            o.from = o.from.min(s.from);
            o.to = o.to.max(s.to);
            o.thickness = o.thickness.max(s.thickness);
            continue;
        }
        out.push(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3x2 grid drawn 2 px thick with a short text-like blob: six rules
    /// found, the blob kept, the rules erased.
    #[test]
    fn grid_rules_are_found_and_erased() {
        let (w, h) = (400usize, 300usize);
        let mut ink = vec![false; w * h];
        for y in [20, 140, 260] {
            for x in 20..381 {
                ink[y * w + x] = true;
                ink[(y + 1) * w + x] = true;
            }
        }
        for x in [20, 200, 380] {
            for y in 20..262 {
                ink[y * w + x] = true;
                ink[y * w + x + 1] = true;
            }
        }
        for y in 60..70 {
            for x in 60..75 {
                ink[y * w + x] = true;
            }
        }
        let segs = detect(&mut ink, w as u32, h as u32, 100.0, &LineParams::default());
        assert_eq!(segs.iter().filter(|s| s.horizontal).count(), 3);
        assert_eq!(segs.iter().filter(|s| !s.horizontal).count(), 3);
        assert!(ink[65 * w + 65], "text is not a rule");
        assert!(!ink[140 * w + 100] && !ink[100 * w + 200]);
    }
}
