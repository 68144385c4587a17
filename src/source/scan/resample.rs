//! Scan: resizing a gray page in strips of rows. `image::imageops::resize`
//! filters the columns of the whole image first into an RGBA float image
//! (16 bytes a pixel of the source's width and the new height: 2.1 GB for a
//! 20000 × 20000 page reduced to 400 dpi), then the rows. Here the same two
//! passes run a strip of output rows at a time, with a float buffer of one
//! strip of one channel, and give the same bytes: the same weights, added
//! in the same order, rounded the same way.

use image::imageops::FilterType;
use image::GrayImage;

/// Output rows per strip: the float buffer is this many source-width rows.
const STRIP: u32 = 64;

/// `img` resized to `w` × `h` with `filter` (Triangle or CatmullRom; others
/// as Triangle), byte for byte as `image::imageops::resize` resizes it.
pub fn resize(img: &GrayImage, w: u32, h: u32, filter: FilterType) -> GrayImage {
    let (sw, sh) = img.dimensions();
    if sw == 0 || sh == 0 || w == 0 || h == 0 {
        return GrayImage::new(w, h);
    }
    if (w, h) == (sw, sh) {
        return img.clone();
    }
    let (kernel, support): (fn(f32) -> f32, f32) = match filter {
        FilterType::CatmullRom => (catmull_rom, 2.0),
        _ => (triangle, 1.0),
    };
    let rows = Weights::new(sh, h, kernel, support);
    let cols = Weights::new(sw, w, kernel, support);
    let src = img.as_raw();
    let mut out = vec![0u8; w as usize * h as usize];
    let mut strip = vec![0f32; sw as usize * STRIP as usize];
    for y0 in (0..h).step_by(STRIP as usize) {
        let n = STRIP.min(h - y0);
        // Columns: each output row of the strip from its source rows.
        for k in 0..n {
            let (left, ws) = rows.of(y0 + k);
            let dst = &mut strip[(k * sw) as usize..][..sw as usize];
            for (x, d) in dst.iter_mut().enumerate() {
                let mut t = 0.0f32;
                for (i, &wt) in ws.iter().enumerate() {
                    t += src[(left + i) * sw as usize + x] as f32 * wt;
                }
                *d = t;
            }
        }
        // Rows: each output pixel from its strip row.
        for k in 0..n {
            let row = &strip[(k * sw) as usize..][..sw as usize];
            let dst = &mut out[((y0 + k) * w) as usize..][..w as usize];
            for (x, d) in dst.iter_mut().enumerate() {
                let (left, ws) = cols.of(x as u32);
                let mut t = 0.0f32;
                for (i, &wt) in ws.iter().enumerate() {
                    t += row[left + i] * wt;
                }
                *d = t.clamp(0.0, 255.0).round() as u8;
            }
        }
    }
    GrayImage::from_raw(w, h, out).expect("buffer of w*h bytes")
}

/// The normalized filter weights of every output position along one axis.
struct Weights {
    /// Per output position: its first source position and its weights'
    /// range in `all`.
    at: Vec<(usize, usize, usize)>,
    all: Vec<f32>,
}

impl Weights {
    fn new(from: u32, to: u32, kernel: fn(f32) -> f32, support: f32) -> Weights {
        let ratio = from as f32 / to as f32;
        let sratio = if ratio < 1.0 { 1.0 } else { ratio };
        let src_support = support * sratio;
        let mut at = Vec::with_capacity(to as usize);
        let mut all = Vec::new();
        for out in 0..to {
            let input = (out as f32 + 0.5) * ratio;
            let left = ((input - src_support).floor() as i64).clamp(0, from as i64 - 1);
            let right = ((input + src_support).ceil() as i64).clamp(left + 1, from as i64) as usize;
            let left = left as usize;
            let centre = input - 0.5;
            let start = all.len();
            let mut sum = 0.0;
            for i in left..right {
                let w = kernel((i as f32 - centre) / sratio);
                all.push(w);
                sum += w;
            }
            for w in &mut all[start..] {
                *w /= sum;
            }
            at.push((left, start, all.len()));
        }
        Weights { at, all }
    }

    fn of(&self, out: u32) -> (usize, &[f32]) {
        let (left, a, b) = self.at[out as usize];
        (left, &self.all[a..b])
    }
}

fn triangle(x: f32) -> f32 {
    if x.abs() < 1.0 {
        1.0 - x.abs()
    } else {
        0.0
    }
}

/// The Catmull-Rom cubic (Mitchell–Netravali with B = 0, C = 0.5), written
/// as `image` writes it so that the floats come out the same.
fn catmull_rom(x: f32) -> f32 {
    let (b, c) = (0.0f32, 0.5f32);
    let a = x.abs();
    let k = if a < 1.0 {
        (12.0 - 9.0 * b - 6.0 * c) * a.powi(3)
            + (-18.0 + 12.0 * b + 6.0 * c) * a.powi(2)
            + (6.0 - 2.0 * b)
    } else if a < 2.0 {
        (-b - 6.0 * c) * a.powi(3)
            + (6.0 * b + 30.0 * c) * a.powi(2)
            + (-12.0 * b - 48.0 * c) * a
            + (8.0 * b + 24.0 * c)
    } else {
        0.0
    };
    k / 6.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Same bytes as `image`'s resize, reducing and enlarging, both filters,
    /// on sizes that are not multiples of the strip.
    #[test]
    fn strips_give_the_bytes_of_image_resize() {
        let img = GrayImage::from_fn(301, 187, |x, y| {
            image::Luma([(((x * 7 + y * 13) % 251) ^ ((x * y) % 37)) as u8])
        });
        for (w, h) in [(100, 62), (75, 200), (602, 374), (301, 90)] {
            for f in [FilterType::Triangle, FilterType::CatmullRom] {
                let want = image::imageops::resize(&img, w, h, f);
                assert_eq!(resize(&img, w, h, f).as_raw(), want.as_raw(), "{w}x{h} {f:?}");
            }
        }
    }
}
