//! PDF reader, step 3: glyphs → words, segments → rules, per page.
//!
//! Words: glyphs on one line (vertical centres within a fraction of the
//! size) that follow each other with a gap below [`WordParams::max_gap`]
//! of the font size, and with no vertical rule between them. Producers
//! place CJK text glyph by glyph (WPS: a `Tj` per glyph), so words are
//! rebuilt from geometry, never from the order of operations. Fake bold
//! (the same glyph painted twice, slightly shifted) is painted once.
//!
//! Rules: horizontal and vertical segments, with collinear pieces that
//! touch or overlap merged (Word strokes every cell's border separately, so
//! most rules arrive as several overlapping pieces).

use crate::geom::{merge_collinear, Collinear, MergedAt, Seg as Line};
use crate::layout::{Rect, Rule, Word};

use super::interp::{Glyph, Seg};

/// Word-building thresholds, in units of the font size.
#[derive(Clone, Debug)]
pub struct WordParams {
    /// A horizontal gap larger than this ends a word. Cell padding is about
    /// half an em on each side, justified CJK text stretches gaps to about
    /// 0.2 em: 0.3 separates the two. Empirically chosen.
    pub max_gap: f32,
    /// Glyphs whose vertical centres differ by more than this are on
    /// different lines.
    pub line_tolerance: f32,
}

impl Default for WordParams {
    fn default() -> Self {
        WordParams { max_gap: 0.3, line_tolerance: 0.35 }
    }
}

/// Collinear rule pieces closer than this (points) are one rule.
const JOIN: f32 = 1.0;
/// Rules whose positions differ by less than this (points) are collinear.
const SAME_LINE: f32 = 0.6;

fn mid_y(g: &Glyph) -> f32 {
    (g.y0 + g.y1) / 2.0
}

pub fn words(glyphs: &[Glyph], rules: &[Rule], p: &WordParams) -> Vec<Word> {
    let mut order: Vec<usize> = (0..glyphs.len()).collect();
    order.sort_by(|&a, &b| {
        mid_y(&glyphs[a]).total_cmp(&mid_y(&glyphs[b])).then(glyphs[a].x0.total_cmp(&glyphs[b].x0))
    });
    // Vertical rules, sorted by x, to split words at cell borders.
    let mut verticals: Vec<&Rule> = rules.iter().filter(|r| r.x1 - r.x0 < r.y1 - r.y0).collect();
    verticals.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    let mut out = Vec::new();
    let mut line: Vec<usize> = Vec::new();
    let mut line_y = f32::NAN;
    let mut line_size = 0f32;
    for &i in &order {
        let g = &glyphs[i];
        if !line.is_empty() && (mid_y(g) - line_y).abs() > p.line_tolerance * line_size.min(g.size)
        {
            flush_line(glyphs, &mut line, &verticals, p, &mut out);
        }
        if line.is_empty() {
            line_y = mid_y(g);
            line_size = g.size;
        }
        line.push(i);
    }
    flush_line(glyphs, &mut line, &verticals, p, &mut out);
    out
}

fn flush_line(
    glyphs: &[Glyph],
    line: &mut Vec<usize>,
    verticals: &[&Rule],
    p: &WordParams,
    out: &mut Vec<Word>,
) {
    line.sort_by(|&a, &b| glyphs[a].x0.total_cmp(&glyphs[b].x0));
    let mut cur: Option<(String, Rect, f32)> = None;
    let mut prev: Option<&Glyph> = None;
    for &i in line.iter() {
        let g = &glyphs[i];
        if let Some(q) = prev {
            let w = (q.x1 - q.x0).max(0.1);
            if q.text == g.text
                && (g.x0 - q.x0).abs() < 0.3 * w
                && (mid_y(g) - mid_y(q)).abs() < 0.3 * g.size
            {
                continue; // fake bold
            }
        }
        let blank = g.text.chars().all(char::is_whitespace);
        let split = match (prev, &cur) {
            (Some(q), Some(_)) => {
                let gap = g.x0 - q.x1;
                let size = q.size.max(g.size);
                let (a, b) = ((q.x0 + q.x1) / 2.0, (g.x0 + g.x1) / 2.0);
                let y = mid_y(g);
                let from = verticals.partition_point(|r| r.x0 <= a);
                let ruled = verticals[from..]
                    .iter()
                    .take_while(|r| r.x0 < b)
                    .any(|r| r.y0 <= y && y <= r.y1);
                gap > p.max_gap * size || ruled || g.size > q.size * 1.5 || q.size > g.size * 1.5
            }
            _ => false,
        };
        if split || blank {
            if let Some((text, rect, _)) = cur.take() {
                out.push(Word { text, rect, confidence: None });
            }
        }
        prev = Some(g);
        if blank {
            continue;
        }
        match cur.as_mut() {
            Some((text, rect, _)) => {
                text.push_str(&g.text);
                rect.x0 = rect.x0.min(g.x0);
                rect.y0 = rect.y0.min(g.y0);
                rect.x1 = rect.x1.max(g.x1);
                rect.y1 = rect.y1.max(g.y1);
            }
            None => {
                cur =
                    Some((g.text.clone(), Rect { x0: g.x0, y0: g.y0, x1: g.x1, y1: g.y1 }, g.size))
            }
        }
    }
    if let Some((text, rect, _)) = cur {
        out.push(Word { text, rect, confidence: None });
    }
    line.clear();
}

/// Merges collinear, touching segments into rules: horizontal ones first,
/// each at the mean position of its pieces.
pub fn rules(segs: &[Seg]) -> Vec<Rule> {
    let p = Collinear { same_line: SAME_LINE, join: JOIN, at: MergedAt::Pieces };
    let (hs, vs): (Vec<&Seg>, Vec<&Seg>) = segs.iter().partition(|s| s.x1 - s.x0 >= s.y1 - s.y0);
    let hs = hs.iter().map(|s| Line { at: s.y0, from: s.x0, to: s.x1 }).collect();
    let vs = vs.iter().map(|s| Line { at: s.x0, from: s.y0, to: s.y1 }).collect();
    let h = merge_collinear(hs, p).into_iter().map(|l| Rule {
        x0: l.from,
        y0: l.at,
        x1: l.to,
        y1: l.at,
    });
    let v = merge_collinear(vs, p).into_iter().map(|l| Rule {
        x0: l.at,
        y0: l.from,
        x1: l.at,
        y1: l.to,
    });
    h.chain(v).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(text: &str, x0: f32, y: f32, w: f32) -> Glyph {
        Glyph { text: text.into(), x0, y0: y - 8.5, x1: x0 + w, y1: y + 1.5, size: 10.0 }
    }

    fn texts(ws: &[Word]) -> Vec<&str> {
        ws.iter().map(|w| w.text.as_str()).collect()
    }

    #[test]
    fn glyphs_group_by_line_and_gap_in_any_paint_order() {
        let glyphs = vec![
            g("4", 140.0, 100.0, 5.0),
            g("规", 10.0, 100.0, 10.0),
            g("章", 20.0, 100.0, 10.0),
            g("1", 120.0, 100.0, 5.0),
            g("2", 125.0, 100.3, 5.0),
            g("下", 10.0, 120.0, 10.0),
        ];
        let ws = words(&glyphs, &[], &WordParams::default());
        assert_eq!(texts(&ws), vec!["规章", "12", "4", "下"]);
        assert_eq!(ws[0].rect, Rect { x0: 10.0, y0: 91.5, x1: 30.0, y1: 101.5 });
    }

    #[test]
    fn spaces_rules_and_fake_bold_split_or_dedupe() {
        let glyphs = vec![
            g("1", 10.0, 50.0, 5.0),
            g("1", 10.3, 50.0, 5.0),
            g(" ", 15.0, 50.0, 2.5),
            g("2", 17.5, 50.0, 5.0),
            g("3", 22.5, 50.0, 5.0),
            g("4", 27.5, 50.0, 5.0),
        ];
        let rule = Rule { x0: 27.6, y0: 0.0, x1: 27.6, y1: 100.0 };
        let ws = words(&glyphs, &[rule], &WordParams::default());
        assert_eq!(texts(&ws), vec!["1", "23", "4"]);
    }

    #[test]
    fn collinear_pieces_merge() {
        let segs = vec![
            Seg { x0: 0.0, y0: 10.0, x1: 50.0, y1: 10.0 },
            Seg { x0: 50.5, y0: 10.2, x1: 90.0, y1: 10.2 },
            Seg { x0: 95.0, y0: 10.0, x1: 99.0, y1: 10.0 },
            Seg { x0: 5.0, y0: 0.0, x1: 5.0, y1: 40.0 },
            Seg { x0: 5.0, y0: 20.0, x1: 5.0, y1: 60.0 },
        ];
        let r = rules(&segs);
        assert_eq!(r.len(), 3);
        assert_eq!((r[0].x0, r[0].x1), (0.0, 90.0));
        assert!((r[0].y0 - 10.1).abs() < 1e-4);
        assert_eq!((r[2].y0, r[2].y1), (0.0, 60.0));
    }
}
