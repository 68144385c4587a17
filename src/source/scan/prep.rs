//! Scan stage 1: preprocessing. In: a grayscale page. Out: the page
//! flattened (even background), deskewed, and binarized ([`Prepared`]).
//!
//! - Illumination: the background is estimated by a large-window maximum
//!   (text and rules are thinner than the window, paper is everywhere) on a
//!   reduced image, smoothed, and divided out, so a binding shadow or uneven
//!   light becomes white paper.
//! - Skew: projection profiles of the ink over candidate angles within
//!   ±[`PrepParams::max_skew_deg`]; ruled tables and text lines give sharp
//!   row sums at the right angle. Coarse then fine search.
//! - Binarization: Sauvola (local mean and deviation over a window a few
//!   strokes wide), which keeps thin grey rules that a global threshold loses.

use image::GrayImage;

/// Preprocessing parameters; defaults suit 150–600 dpi office scans.
#[derive(Clone, Debug)]
pub struct PrepParams {
    /// Skew searched in ±this many degrees.
    pub max_skew_deg: f32,
    /// Sauvola sensitivity. Empirically chosen: 0.2 loses blurred 150 dpi
    /// rules; 0.12 keeps them without filling counters of digits.
    pub sauvola_k: f32,
    /// Sauvola window, in millimetres (about two character strokes apart).
    pub sauvola_window_mm: f32,
    /// Background window, in millimetres: wider than any glyph or line.
    pub background_window_mm: f32,
    /// Move the binarization's paper cap towards the paper on a faded page
    /// (see [`paper_level`]). Off by default: the reader tries a faded page
    /// both ways and keeps the better reading.
    pub for_faded: bool,
}

impl Default for PrepParams {
    fn default() -> Self {
        PrepParams {
            max_skew_deg: 6.0,
            sauvola_k: 0.12,
            sauvola_window_mm: 3.0,
            background_window_mm: 4.0,
            for_faded: false,
        }
    }
}

/// A page ready for line detection and OCR.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// Flattened and deskewed gray (OCR reads crops of this).
    pub gray: GrayImage,
    /// Ink = true, same size as `gray`, row-major.
    pub ink: Vec<bool>,
    /// The skew that was removed, degrees (positive: the scan was rotated
    /// counter-clockwise).
    pub skew_deg: f32,
    /// The page's ink is faded (see [`paper_level`]).
    pub faded: bool,
}

pub fn px_per_mm(dpi: f32) -> f32 {
    dpi / 25.4
}

pub fn prepare(gray: &GrayImage, dpi: f32, params: &PrepParams) -> Prepared {
    let t = std::time::Instant::now();
    let lap = |what: &str| {
        tracing::debug!(target: "xxgk::time", "prep {what} {:?}", t.elapsed());
    };
    let flat = flatten(gray, (params.background_window_mm * px_per_mm(dpi)).round() as u32);
    let level = ink_level(&flat);
    let faded = level.is_some_and(|l| l > FADED);
    let paper = paper_level(level.filter(|_| params.for_faded));
    lap("flatten");
    let window = ((params.sauvola_window_mm * px_per_mm(dpi)).round() as u32) | 1;
    // The skew from a plain threshold of the flattened page (its paper is
    // white now) at about 100 dpi: rules and text lines are still there,
    // at a ninth of the cost; 0.02° steps are still well under a pixel.
    let f = ((dpi / 100.0).floor() as u32).max(1);
    let (sw, sh) = (flat.width() / f, flat.height() / f);
    let mut small = vec![false; (sw * sh) as usize];
    for (y, row) in
        flat.as_raw().chunks_exact(flat.width() as usize).take((sh * f) as usize).enumerate()
    {
        let dst = &mut small[(y as u32 / f * sw) as usize..][..sw as usize];
        for (d, chunk) in dst.iter_mut().zip(row.chunks_exact(f as usize)) {
            *d |= chunk.iter().any(|&v| v < paper.skew_ink);
        }
    }
    lap("small");
    let skew = estimate_skew(&small, sw, sh, params.max_skew_deg);
    lap("skew");
    let gray = if skew.abs() < 0.05 { flat } else { rotate(&flat, -skew) };
    lap("rotate");
    let ink = sauvola(&gray, window, params.sauvola_k, paper.cap);
    lap("sauvola");
    Prepared { gray, skew_deg: if skew.abs() < 0.05 { 0.0 } else { skew }, ink, faded }
}

/// Divides out the background: max filter over `window` px on an image
/// reduced by the window's quarter, box-blurred, bilinearly upsampled.
pub fn flatten(img: &GrayImage, window: u32) -> GrayImage {
    let (w, h) = img.dimensions();
    let s = (window / 4).max(1);
    let (sw, sh) = (w.div_ceil(s), h.div_ceil(s));
    let mut small = vec![0u8; (sw * sh) as usize];
    for (y, row) in img.as_raw().chunks_exact(w as usize).enumerate() {
        let dst = &mut small[(y as u32 / s * sw) as usize..][..sw as usize];
        for (d, chunk) in dst.iter_mut().zip(row.chunks(s as usize)) {
            *d = chunk.iter().fold(*d, |m, &v| m.max(v));
        }
    }
    let r = 2; // 5 cells of window/4: the whole window
    let maxed = max_filter(&small, sw, sh, r);
    let mut bg: Vec<f32> = maxed.iter().map(|&v| v as f32).collect();
    for _ in 0..2 {
        bg = box_blur(&bg, sw, sh, 2);
    }
    // Bilinear upsampling, with the per-column weights computed once.
    let lerp_at = |f: f32, n: u32| {
        let f = f.clamp(0.0, (n - 1) as f32);
        let i = f.floor() as u32;
        (i as usize, (i + 1).min(n - 1) as usize, f - i as f32)
    };
    let cols: Vec<(usize, usize, f32)> =
        (0..w).map(|x| lerp_at((x as f32 + 0.5) / s as f32 - 0.5, sw)).collect();
    let mut out = vec![0u8; (w * h) as usize];
    for (y, (src, dst)) in
        img.as_raw().chunks_exact(w as usize).zip(out.chunks_exact_mut(w as usize)).enumerate()
    {
        let (y0, y1, ay) = lerp_at((y as f32 + 0.5) / s as f32 - 0.5, sh);
        let (top, bottom) =
            (&bg[y0 * sw as usize..][..sw as usize], &bg[y1 * sw as usize..][..sw as usize]);
        for ((d, &v), &(x0, x1, ax)) in dst.iter_mut().zip(src).zip(&cols) {
            let t = top[x0] * (1.0 - ax) + top[x1] * ax;
            let b = bottom[x0] * (1.0 - ax) + bottom[x1] * ax;
            let b = (t * (1.0 - ay) + b * ay).max(24.0);
            *d = (v as f32 * 255.0 / b).min(255.0) as u8;
        }
    }
    GrayImage::from_raw(w, h, out).expect("buffer of w*h bytes")
}

/// The level of a page's ink: the gray that a tenth of its pixels darker
/// than [`PAPER`] are at or below (the cores of strokes, not their
/// blurred edges), or `None` with no such pixels.
fn ink_level(img: &GrayImage) -> Option<u8> {
    let mut hist = [0usize; 256];
    for &v in img.as_raw() {
        hist[v as usize] += 1;
    }
    let inked: usize = hist[..PAPER as usize].iter().sum();
    let want = inked.div_ceil(10).max(1);
    let mut seen = 0;
    (0..PAPER).find(|&v| {
        seen += hist[v as usize];
        seen >= want
    })
}

/// What counts as paper on a flattened page, set by how dark its ink is.
struct PaperLevel {
    /// Lighter than this is paper to the binarization, whatever the
    /// window around it (flat paper has a tiny deviation; the cap keeps
    /// its noise white).
    cap: u8,
    /// Darker than this is ink to the skew estimate.
    skew_ink: u8,
}

/// A faded page (a pale copy, worn toner, a scanner set too light) has its
/// ink (see [`ink_level`]) lighter than [`FADED`]: 110 at most on the
/// sample scans down to 150 dpi and heavy blur, 163 to 176 on them faded to
/// 0.4 of their contrast. Its strokes and rules lie above the cap of 215
/// that keeps paper white on other pages, and above the skew estimate's
/// 160: both move towards the paper with the ink, in proportion. (Not a
/// contrast stretch: that amplifies the noise as much, and the binarization
/// reads it as ink.)
fn paper_level(ink: Option<u8>) -> PaperLevel {
    match ink.filter(|&l| l > FADED) {
        None => PaperLevel { cap: 215, skew_ink: 160 },
        Some(l) => {
            let towards = |v: u8| {
                (255.0 - (255.0 - v as f32) * (255.0 - l as f32) / (255.0 - INK as f32)).round()
                    as u8
            };
            PaperLevel { cap: towards(215), skew_ink: towards(160) }
        }
    }
}

/// Lighter than this is paper on a flattened page (its noise and JPEG
/// ripples stay above it).
const PAPER: u8 = 230;
const FADED: u8 = 130;
/// Ink on a page scanned well.
const INK: u8 = 40;

fn max_filter(src: &[u8], w: u32, h: u32, r: i64) -> Vec<u8> {
    let (w, h) = (w as i64, h as i64);
    let mut tmp = vec![0u8; src.len()];
    for y in 0..h {
        for x in 0..w {
            let mut m = 0;
            for dx in -r..=r {
                let xx = (x + dx).clamp(0, w - 1);
                m = m.max(src[(y * w + xx) as usize]);
            }
            tmp[(y * w + x) as usize] = m;
        }
    }
    let mut out = vec![0u8; src.len()];
    for y in 0..h {
        for x in 0..w {
            let mut m = 0;
            for dy in -r..=r {
                let yy = (y + dy).clamp(0, h - 1);
                m = m.max(tmp[(yy * w + x) as usize]);
            }
            out[(y * w + x) as usize] = m;
        }
    }
    out
}

fn box_blur(src: &[f32], w: u32, h: u32, r: i64) -> Vec<f32> {
    let (w, h) = (w as i64, h as i64);
    let mut tmp = vec![0f32; src.len()];
    let n = (2 * r + 1) as f32;
    for y in 0..h {
        for x in 0..w {
            let s: f32 = (-r..=r).map(|d| src[(y * w + (x + d).clamp(0, w - 1)) as usize]).sum();
            tmp[(y * w + x) as usize] = s / n;
        }
    }
    let mut out = vec![0f32; src.len()];
    for y in 0..h {
        for x in 0..w {
            let s: f32 = (-r..=r).map(|d| tmp[((y + d).clamp(0, h - 1) * w + x) as usize]).sum();
            out[(y * w + x) as usize] = s / n;
        }
    }
    out
}

/// Sauvola threshold `m * (1 + k * (s / 128 - 1))` over a `window`-px square
/// (clipped at the page edges). The window's sums slide: per column over
/// the window's rows, then along each row, so memory stays a few rows.
pub fn sauvola(img: &GrayImage, window: u32, k: f32, cap: u8) -> Vec<bool> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let px = img.as_raw();
    let r = (window / 2) as usize;
    // Per column: the sum and sum of squares of the rows in the window;
    // at most 255² · window, well inside u32 for any sane window.
    let (mut col_s, mut col_q) = (vec![0u32; w], vec![0u32; w]);
    let add = |cs: &mut [u32], cq: &mut [u32], row: &[u8], sign: bool| {
        for ((s, q), &v) in cs.iter_mut().zip(cq.iter_mut()).zip(row) {
            let v = v as u32;
            if sign {
                *s += v;
                *q += v * v;
            } else {
                *s -= v;
                *q -= v * v;
            }
        }
    };
    for y in 0..r.min(h) {
        add(&mut col_s, &mut col_q, &px[y * w..][..w], true);
    }
    let mut out = vec![false; w * h];
    for y in 0..h {
        if y + r < h {
            add(&mut col_s, &mut col_q, &px[(y + r) * w..][..w], true);
        }
        if y > r {
            add(&mut col_s, &mut col_q, &px[(y - r - 1) * w..][..w], false);
        }
        let rows = ((y + r + 1).min(h) - y.saturating_sub(r)) as u64;
        let row = &px[y * w..][..w];
        let dst = &mut out[y * w..][..w];
        // The window's columns x0..x1 slide along the row.
        let (mut s, mut q) = (0u64, 0u64);
        let (mut x0, mut x1) = (0usize, 0usize);
        for x in 0..w {
            let (want0, want1) = (x.saturating_sub(r), (x + r + 1).min(w));
            while x1 < want1 {
                s += col_s[x1] as u64;
                q += col_q[x1] as u64;
                x1 += 1;
            }
            while x0 < want0 {
                s -= col_s[x0] as u64;
                q -= col_q[x0] as u64;
                x0 += 1;
            }
            let v = row[x] as f64;
            // Flat paper has a tiny deviation: the cap keeps its noise white.
            if v >= cap as f64 {
                continue;
            }
            let n = (rows * (x1 - x0) as u64) as f64;
            let m = s as f64 / n;
            let var = (q as f64 / n - m * m).max(0.0);
            let t = m * (1.0 + k as f64 * (var.sqrt() / 128.0 - 1.0));
            dst[x] = v < t;
        }
    }
    out
}

/// The angle (degrees) whose shear makes the row sums of the ink most
/// peaked (sum of squared differences of adjacent rows).
pub fn estimate_skew(ink: &[bool], w: u32, h: u32, max_deg: f32) -> f32 {
    // Every second column: half the work, and no aliasing across rows.
    let pts: Vec<(f32, f32)> = (0..h)
        .flat_map(|y| {
            (0..w)
                .step_by(2)
                .filter(move |&x| ink[(y * w + x) as usize])
                .map(move |x| (x as f32, y as f32))
        })
        .collect();
    if pts.len() < 100 {
        return 0.0;
    }
    let score = |deg: f32| -> f64 {
        let t = deg.to_radians().tan();
        let extra = (w as f32 * t.abs()).ceil() as usize + 2;
        let mut rows = vec![0u32; h as usize + 2 * extra];
        for &(x, y) in &pts {
            let yy = (y + x * t).round() as i64 + extra as i64;
            if yy >= 0 && (yy as usize) < rows.len() {
                rows[yy as usize] += 1;
            }
        }
        rows.windows(2)
            .map(|p| {
                let d = p[1] as f64 - p[0] as f64;
                d * d
            })
            .sum()
    };
    let best = |from: f32, to: f32, step: f32| -> f32 {
        let mut best = (f64::MIN, 0.0);
        let mut a = from;
        while a <= to + 1e-6 {
            let s = score(a);
            if s > best.0 {
                best = (s, a);
            }
            a += step;
        }
        best.1
    };
    let coarse = best(-max_deg, max_deg, 0.25);
    best(coarse - 0.25, coarse + 0.25, 0.02)
}

/// Rotates by `deg` degrees about the centre (positive: counter-clockwise on
/// screen), bilinear, filling with white.
pub fn rotate(img: &GrayImage, deg: f32) -> GrayImage {
    // Source coordinates in 16.16 fixed point, stepped along each row:
    // exact to 1/65536 px, and all-integer bilinear weights (8 bits).
    const ONE: f64 = 65536.0;
    let (w, h) = img.dimensions();
    let (wu, hu) = (w as usize, h as usize);
    let (s, c) = (deg as f64).to_radians().sin_cos();
    let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
    let src = img.as_raw();
    let (step_x, step_y) = ((c * ONE).round() as i64, (s * ONE).round() as i64);
    let (max_x, max_y) = (((w - 1) as i64) << 16, ((h - 1) as i64) << 16);
    let mut out = vec![255u8; wu * hu];
    for (y, dst) in out.chunks_exact_mut(wu).enumerate() {
        let dy = y as f64 - cy;
        // Inverse map: rotate the output point back by -deg (y grows down).
        let mut sx = ((-cx * c - s * dy + cx) * ONE).round() as i64;
        let mut sy = ((-cx * s + c * dy + cy) * ONE).round() as i64;
        for p in dst.iter_mut() {
            if sx >= 0 && sy >= 0 && sx <= max_x && sy <= max_y {
                let (x0, y0) = ((sx >> 16) as usize, (sy >> 16) as usize);
                let (x1, y1) = ((x0 + 1).min(wu - 1), (y0 + 1).min(hu - 1));
                let (ax, ay) = (((sx >> 8) & 255) as u32, ((sy >> 8) & 255) as u32);
                let at = |x: usize, y: usize| src[y * wu + x] as u32;
                let top = at(x0, y0) * (256 - ax) + at(x1, y0) * ax;
                let bottom = at(x0, y1) * (256 - ax) + at(x1, y1) * ax;
                *p = ((top * (256 - ay) + bottom * ay + (1 << 15)) >> 16) as u8;
            }
            sx += step_x;
            sy += step_y;
        }
    }
    GrayImage::from_raw(w, h, out).expect("buffer of w*h bytes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// A page of horizontal rules, rotated by a known angle: the estimate
    /// finds it within 0.1°.
    #[test]
    fn skew_of_ruled_page_is_found() {
        let mut img = GrayImage::from_pixel(600, 800, Luma([255]));
        for y in (100..700).step_by(40) {
            for x in 50..550 {
                img.put_pixel(x, y, Luma([0]));
                img.put_pixel(x, y + 1, Luma([0]));
            }
        }
        for deg in [-3.0f32, 1.3, 4.5] {
            let rotated = rotate(&img, deg);
            let ink: Vec<bool> = rotated.as_raw().iter().map(|&v| v < 128).collect();
            let est = estimate_skew(&ink, 600, 800, 6.0);
            assert!((est - deg).abs() < 0.1, "rotated {deg}, estimated {est}");
        }
    }

    #[test]
    fn flatten_evens_a_gradient_and_keeps_ink() {
        // Paper from 150 to 190 grey across the page, a dark rule on it.
        let img = GrayImage::from_fn(200, 100, |x, y| {
            Luma([if (40..44).contains(&y) && x > 20 { 30 } else { (150 + x / 5) as u8 }])
        });
        let flat = flatten(&img, 40);
        assert!(
            flat.get_pixel(10, 10)[0] > 235 && flat.get_pixel(190, 80)[0] > 235,
            "{:?}",
            (flat.get_pixel(10, 10), flat.get_pixel(190, 80))
        );
        assert!(flat.get_pixel(100, 42)[0] < 100);
    }
}
