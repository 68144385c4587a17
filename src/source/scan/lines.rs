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

/// The rules of `faint` (found in the ink with faint strokes added) that
/// continue a rule of `found` (the same line, within a pixel or two),
/// added to it: a rule crossing a faded band is found on both sides of
/// it and now across it too. A faint rule with no rule of dark ink on its
/// line is left out: faint text, fattened, can make runs as long.
pub fn extend_collinear(found: &mut Vec<Segment>, faint: &[Segment]) {
    let more: Vec<Segment> = faint
        .iter()
        .filter(|f| {
            found.iter().any(|s| {
                s.horizontal == f.horizontal && (s.at - f.at).abs() <= 2.0f32.max(s.thickness)
            })
        })
        .copied()
        .collect();
    found.extend(more);
}

/// Closes the frames of tables whose border a scan lost (a faded band
/// along the table's edge): where [`FRAME_RULES`] or more rules of one
/// direction end at the same place (within a millimetre), none between
/// them runs on past it, and no rule across runs there, a rule is added
/// along their ends, from the first to the last. Rows ruled to the
/// table's right edge with that edge gone left the last column out of the
/// grid, and its values unread. Only an outer edge is closed: no rule
/// across lies beyond it (a faded band inside a table ends every rule
/// together too, and a rule drawn there cut the table's rows apart). Given
/// only the rules of tables found already: the strokes of a large bold
/// title end together too, and a frame drawn along them made a table of
/// the title (scan_48). Returns whether a rule was added.
pub fn close_frames(segs: &mut Vec<Segment>, dpi: f32) -> bool {
    let tol = px_per_mm(dpi);
    let mut added = Vec::new();
    for horizontal in [true, false] {
        let along: Vec<&Segment> = segs.iter().filter(|s| s.horizontal == horizontal).collect();
        let across: Vec<&Segment> = segs.iter().filter(|s| s.horizontal != horizontal).collect();
        for end in [false, true] {
            let at = |s: &Segment| if end { s.to } else { s.from };
            let mut ends: Vec<&Segment> = along.clone();
            ends.sort_by(|a, b| at(a).total_cmp(&at(b)));
            let mut i = 0;
            while i < ends.len() {
                let mut j = i + 1;
                while j < ends.len() && at(ends[j]) - at(ends[i]) <= tol {
                    j += 1;
                }
                let group = &ends[i..j];
                i = j;
                if group.len() < FRAME_RULES {
                    continue;
                }
                let x = group.iter().map(|s| at(s)).sum::<f32>() / group.len() as f32;
                let from = group.iter().map(|s| s.at).fold(f32::MAX, f32::min);
                let to = group.iter().map(|s| s.at).fold(f32::MIN, f32::max);
                // An edge: no rule between them runs on past it (where
                // rules broken by noise happen to end together, others do).
                let reach = FRAME_NEAR_MM * tol;
                let beyond = |s: &&Segment| s.from < x - reach && s.to > x + reach;
                if along.iter().filter(|s| s.at > from && s.at < to).any(beyond) {
                    continue;
                }
                // An outer edge: no rule across lies beyond it.
                let past = |c: &&&Segment| if end { c.at > x + reach } else { c.at < x - reach };
                if across.iter().filter(past).any(|c| c.to > from && c.from < to) {
                    continue;
                }
                // Covered already by rules across, for most of its length?
                let covered: f32 = across
                    .iter()
                    .filter(|c| (c.at - x).abs() <= FRAME_NEAR_MM * tol)
                    .map(|c| (c.to.min(to) - c.from.max(from)).max(0.0))
                    .sum();
                if covered >= 0.9 * (to - from) {
                    continue;
                }
                let thickness = group.iter().map(|s| s.thickness).fold(1.0, f32::max);
                added.push(Segment { horizontal: !horizontal, at: x, from, to, thickness });
            }
        }
    }
    let closed = !added.is_empty();
    segs.extend(added);
    closed
}

/// Rules ending together that make a table's edge.
const FRAME_RULES: usize = 3;
/// A rule across this near the ends (mm) is the edge already: rules
/// ending a little beyond it must not make a column of their own.
const FRAME_NEAR_MM: f32 = 2.5;

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

    fn rule(horizontal: bool, at: f32, from: f32, to: f32) -> Segment {
        Segment { horizontal, at, from, to, thickness: 2.0 }
    }

    /// Rows ruled to a right edge that faded away: the edge is drawn along
    /// their ends. Columns ending together at a faded band inside the
    /// table, with the table's rows going on below it: nothing is drawn.
    #[test]
    fn only_a_lost_outer_edge_is_closed() {
        // 200 dpi: 7.9 px per mm. Rows at y 100..400 from x 100 to 900,
        // columns at x 100, 400 and 700 down to y 400; no edge at x 900.
        let rows = (0..4).map(|k| rule(true, 100.0 + 100.0 * k as f32, 100.0, 900.0));
        let cols = [100.0, 400.0, 700.0].map(|x| rule(false, x, 100.0, 400.0));
        let mut segs: Vec<Segment> = rows.chain(cols).collect();
        assert!(close_frames(&mut segs, 200.0));
        assert_eq!(segs.last(), Some(&rule(false, 900.0, 100.0, 400.0)));
        // The inner columns end at y 250 (a faded band from there), while
        // the rows at y 300 and 400 run on below it to the right edge.
        let rows = (0..4).map(|k| rule(true, 100.0 + 100.0 * k as f32, 100.0, 900.0));
        let cols = [100.0, 400.0, 700.0].map(|x| rule(false, x, 100.0, 250.0));
        let edges = [rule(false, 100.0, 250.0, 400.0), rule(false, 900.0, 100.0, 400.0)];
        let mut segs: Vec<Segment> = rows.chain(cols).chain(edges).collect();
        let before = segs.len();
        assert!(!close_frames(&mut segs, 200.0));
        assert_eq!(segs.len(), before);
    }

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
