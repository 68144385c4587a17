//! PDF reader: affine matrices in PDF's row-vector convention
//! (`[a b c d e f]`, a point maps to `(a x + c y + e, b x + d y + f)`).

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Matrix {
    pub a: f32,
    pub b: f32,
    pub c: f32,
    pub d: f32,
    pub e: f32,
    pub f: f32,
}

impl Matrix {
    pub const IDENTITY: Matrix = Matrix { a: 1.0, b: 0.0, c: 0.0, d: 1.0, e: 0.0, f: 0.0 };

    pub fn new(v: [f32; 6]) -> Matrix {
        Matrix { a: v[0], b: v[1], c: v[2], d: v[3], e: v[4], f: v[5] }
    }

    pub fn from_slice(v: &[f32]) -> Option<Matrix> {
        (v.len() == 6 && v.iter().all(|x| x.is_finite()))
            .then(|| Matrix::new([v[0], v[1], v[2], v[3], v[4], v[5]]))
    }

    pub fn translate(x: f32, y: f32) -> Matrix {
        Matrix { e: x, f: y, ..Matrix::IDENTITY }
    }

    /// `self` first, then `then`.
    pub fn then(&self, then: &Matrix) -> Matrix {
        let (m, n) = (self, then);
        Matrix {
            a: m.a * n.a + m.b * n.c,
            b: m.a * n.b + m.b * n.d,
            c: m.c * n.a + m.d * n.c,
            d: m.c * n.b + m.d * n.d,
            e: m.e * n.a + m.f * n.c + n.e,
            f: m.e * n.b + m.f * n.d + n.f,
        }
    }

    pub fn apply(&self, x: f32, y: f32) -> (f32, f32) {
        (self.a * x + self.c * y + self.e, self.b * x + self.d * y + self.f)
    }

    /// Length of the image of the unit y vector: the vertical scale.
    pub fn y_scale(&self) -> f32 {
        (self.c * self.c + self.d * self.d).sqrt()
    }

    /// The axis-aligned box around the image of `[x0, x1] × [y0, y1]`.
    pub fn bbox(&self, x0: f32, y0: f32, x1: f32, y1: f32) -> [f32; 4] {
        let pts = [self.apply(x0, y0), self.apply(x1, y0), self.apply(x0, y1), self.apply(x1, y1)];
        let mut r = [f32::INFINITY, f32::INFINITY, f32::NEG_INFINITY, f32::NEG_INFINITY];
        for (x, y) in pts {
            r[0] = r[0].min(x);
            r[1] = r[1].min(y);
            r[2] = r[2].max(x);
            r[3] = r[3].max(y);
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composition_order() {
        let scale = Matrix::new([2.0, 0.0, 0.0, 2.0, 0.0, 0.0]);
        let m = Matrix::translate(10.0, 0.0).then(&scale);
        assert_eq!(m.apply(1.0, 1.0), (22.0, 2.0));
        let flip = Matrix::new([1.0, 0.0, 0.0, -1.0, 0.0, 100.0]);
        assert_eq!(flip.bbox(0.0, 10.0, 5.0, 20.0), [0.0, 80.0, 5.0, 90.0]);
    }
}
