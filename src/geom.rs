//! Geometry shared by the readers and the layout, below both: a rectangle
//! in points ([`Rect`]: PDF pages, and every box after the source
//! boundary; origin top-left, y down), axis-aligned segments ([`Seg`]) and
//! the one routine that merges collinear pieces of them
//! ([`merge_collinear`]).

/// An axis-aligned rectangle in points.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Rect {
    pub fn center(&self) -> (f32, f32) {
        ((self.x0 + self.x1) / 2.0, (self.y0 + self.y1) / 2.0)
    }

    pub fn height(&self) -> f32 {
        self.y1 - self.y0
    }

    pub fn contains(&self, (x, y): (f32, f32)) -> bool {
        x >= self.x0 && x <= self.x1 && y >= self.y0 && y <= self.y1
    }
}

/// A piece of a horizontal or vertical line: `at` is its position across
/// the line (the y of a horizontal, the x of a vertical), `from..to` its
/// extent along it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Seg {
    pub at: f32,
    pub from: f32,
    pub to: f32,
}

/// How [`merge_collinear`] tells pieces of one line.
#[derive(Clone, Copy, Debug)]
pub struct Collinear {
    /// Pieces whose positions are within this of the first piece of a line
    /// are on that line.
    pub same_line: f32,
    /// Pieces of a line that overlap or whose ends are within this are one
    /// segment.
    pub join: f32,
    /// Where a merged segment lies across its line.
    pub at: MergedAt,
}

/// The position of a merged segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergedAt {
    /// The mean of the pieces it is made of.
    Pieces,
    /// The mean of every piece on its line (one line drawn as pieces at
    /// 100.0 and 100.4 is one position, whichever pieces touch).
    Line,
}

/// Merges collinear pieces (all horizontal or all vertical) into segments:
/// the pieces are grouped into lines by position, then each line's pieces,
/// in order along it, are joined while they overlap or nearly touch.
/// Segments come out in order of position, then along their line.
pub fn merge_collinear(mut segs: Vec<Seg>, p: Collinear) -> Vec<Seg> {
    segs.sort_by(|a, b| a.at.total_cmp(&b.at).then(a.from.total_cmp(&b.from)));
    let mut out = Vec::new();
    let mut i = 0;
    while i < segs.len() {
        let mut j = i;
        while j < segs.len() && segs[j].at - segs[i].at <= p.same_line {
            j += 1;
        }
        let line_at = segs[i..j].iter().map(|s| s.at).sum::<f32>() / (j - i) as f32;
        let mut line = segs[i..j].to_vec();
        line.sort_by(|a, b| a.from.total_cmp(&b.from));
        // The segment being joined, with the sum and count of its pieces'
        // positions.
        let mut run: Option<(Seg, f32, usize)> = None;
        let done = |(s, sum, n): (Seg, f32, usize)| match p.at {
            MergedAt::Pieces => Seg { at: sum / n as f32, ..s },
            MergedAt::Line => Seg { at: line_at, ..s },
        };
        for s in line {
            match run.as_mut() {
                Some((r, sum, n)) if s.from <= r.to + p.join => {
                    r.to = r.to.max(s.to);
                    *sum += s.at;
                    *n += 1;
                }
                _ => {
                    out.extend(run.take().map(done));
                    run = Some((s, s.at, 1));
                }
            }
        }
        out.extend(run.map(done));
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(at: f32, from: f32, to: f32) -> Seg {
        Seg { at, from, to }
    }

    /// Pieces at 10.0 and 10.2 that touch are one segment at their mean;
    /// one past the join gap starts another, at its own position or at the
    /// line's, as asked.
    #[test]
    fn touching_pieces_of_a_line_merge() {
        let pieces = vec![seg(10.2, 50.5, 90.0), seg(10.0, 0.0, 50.0), seg(10.0, 95.0, 99.0)];
        let p = Collinear { same_line: 0.6, join: 1.0, at: MergedAt::Pieces };
        let got = merge_collinear(pieces.clone(), p);
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].from, got[0].to), (0.0, 90.0));
        assert!((got[0].at - 10.1).abs() < 1e-5);
        assert_eq!(got[1], seg(10.0, 95.0, 99.0));
        let got = merge_collinear(pieces, Collinear { at: MergedAt::Line, ..p });
        assert!(got.iter().all(|s| (s.at - 10.066_667).abs() < 1e-5), "{got:?}");
    }

    /// Pieces farther apart across than `same_line` are separate lines.
    #[test]
    fn lines_apart_stay_apart() {
        let p = Collinear { same_line: 0.6, join: 1.0, at: MergedAt::Pieces };
        let got = merge_collinear(vec![seg(20.0, 0.0, 10.0), seg(10.0, 0.0, 10.0)], p);
        assert_eq!(got, vec![seg(10.0, 0.0, 10.0), seg(20.0, 0.0, 10.0)]);
    }
}
