//! Scan stage 1a: what lies beyond the sheet. In: a page as decoded. Out:
//! the page with the dark margins around the sheet whitened, or nothing
//! when it has none.
//!
//! A scanner's black lid, or a photocopy's, shows around a sheet smaller
//! than the glass or laid askew: dark bands along the image's edges. The
//! illumination flattening makes their inside white again, but not the
//! strip along the sheet's edge, which then runs as ink through every line
//! of the page: the text lines beside it merge into one band and are lost
//! (the title with them), and the strip could pass for a rule. So dark
//! pixels connected to the image's edge are paper-white before anything
//! else, with a rim around them for the blurred step to the sheet: they
//! take the value of the paper next to them.
//! Content never reaches there: a report's margins are 15 mm or more.

use image::GrayImage;

use super::prep::px_per_mm;

/// Darker than this is beyond the sheet: black lids read 20–60, while the
/// darkest paper, under a binding shadow, stays above 100.
const DARK: u8 = 80;

/// The rim whitened around the dark margin, mm: the step from lid to
/// sheet spreads over a few pixels of blur and JPEG ringing.
const RIM_MM: f32 = 1.0;

/// A dark region over this share of the image is no margin (a page
/// scanned very dark, or inverted): it is left as it is.
const MAX_SHARE: f32 = 0.5;

/// `gray` with its dark margins turned to paper, or `None` if it has none.
pub fn clear(gray: &GrayImage, dpi: f32) -> Option<GrayImage> {
    let (w, h) = (gray.width() as usize, gray.height() as usize);
    if w == 0 || h == 0 {
        return None;
    }
    let px = gray.as_raw();
    let mut seen = vec![false; w * h];
    let mut stack: Vec<usize> = Vec::new();
    let edge = (0..w)
        .flat_map(|x| [x, (h - 1) * w + x])
        .chain((0..h).flat_map(|y| [y * w, y * w + w - 1]));
    for i in edge {
        if px[i] < DARK && !seen[i] {
            seen[i] = true;
            stack.push(i);
        }
    }
    if stack.is_empty() {
        return None;
    }
    let neighbours = |i: usize| {
        let (x, y) = (i % w, i / w);
        [
            (x > 0).then(|| i - 1),
            (x + 1 < w).then(|| i + 1),
            (y > 0).then(|| i - w),
            (y + 1 < h).then(|| i + w),
        ]
        .into_iter()
        .flatten()
    };
    // Flood fill through the dark pixels, 4-connected.
    let mut dark: Vec<usize> = Vec::new();
    while let Some(i) = stack.pop() {
        dark.push(i);
        for j in neighbours(i) {
            if !seen[j] && px[j] < DARK {
                seen[j] = true;
                stack.push(j);
            }
        }
    }
    if dark.len() as f32 > MAX_SHARE * (w * h) as f32 {
        return None;
    }
    // The rim: breadth-first rings around the region, RIM_MM deep; the ring
    // beyond is the sheet's paper next to it.
    let depth = (RIM_MM * px_per_mm(dpi)).ceil() as usize;
    let mut margin = vec![false; w * h];
    let mut ring = dark;
    for _ in 0..=depth {
        let mut next_ring = Vec::new();
        for &i in &ring {
            margin[i] = true;
            for j in neighbours(i) {
                if !seen[j] {
                    seen[j] = true;
                    next_ring.push(j);
                }
            }
        }
        ring = next_ring;
    }
    // The margin takes the value of the nearest paper, spread inwards from
    // that ring: paper-white would leave a step at the sheet's edge where
    // the paper is darker (a binding shadow), which binarizes as a line.
    let mut out = gray.clone();
    let buf: &mut [u8] = &mut out;
    let mut queue = std::collections::VecDeque::from(ring);
    while let Some(i) = queue.pop_front() {
        for j in neighbours(i) {
            if margin[j] {
                margin[j] = false;
                buf[j] = buf[i];
                queue.push_back(j);
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// A sheet on a black lid: the lid and the rim take the paper's value,
    /// the text in the sheet stays, and a page without a dark edge is not
    /// copied.
    #[test]
    fn the_lid_around_a_sheet_goes_white_and_the_sheet_stays() {
        // 100 dpi (about 4 px/mm): a 100×80 image, the sheet inside 10..90 × 8..72.
        let page = GrayImage::from_fn(100, 80, |x, y| {
            let sheet = (10..90).contains(&x) && (8..72).contains(&y);
            let text = (40..60).contains(&x) && (30..34).contains(&y);
            Luma([if text {
                10
            } else if sheet {
                235
            } else {
                25
            }])
        });
        let out = clear(&page, 100.0).expect("a dark margin");
        assert_eq!(out.get_pixel(2, 2)[0], 235);
        assert_eq!(out.get_pixel(10, 40)[0], 235, "the rim, within 1 mm of the lid");
        assert!(out.pixels().all(|p| p[0] == 235 || p[0] == 10), "only paper and text are left");
        assert_eq!(out.get_pixel(50, 32)[0], 10, "the text");
        assert!(clear(&GrayImage::from_pixel(50, 50, Luma([230])), 100.0).is_none());
        // A page scanned dark all over is not a margin.
        assert!(clear(&GrayImage::from_pixel(50, 50, Luma([40])), 100.0).is_none());
        assert!(clear(&GrayImage::new(0, 0), 100.0).is_none());
    }
}
