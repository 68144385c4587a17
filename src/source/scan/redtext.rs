//! Scan stage 0b: which red ink is a seal. In: a colour page read with its
//! red ink as paper, and each red pixel as ink. Out: the page
//! with red text given back as ink, and the mask of what stays dropped.
//!
//! Red ink is dropped so that a seal stamped over a table does not hide its
//! digits (`input::gray_and_red`). But reports also print text in red: the
//! title of a 红头 document, a red heading. Dropping those would lose the
//! organization and year with no warning. A seal is told apart by its
//! size: a ring at least [`SEAL_MM`] across in both directions, one piece
//! of ink, with its star and lettering inside it. Red ink outside every
//! such ring is text (even 初号 type is under 15 mm) and is given back.

use image::GrayImage;

use super::blobs::each_piece;

/// A piece of red ink this wide and this high, in mm, is a seal. Official
/// seals are 38–45 mm; the smallest (personal, 专用章 of small offices)
/// about 20.
const SEAL_MM: f32 = 20.0;

/// Splits the red ink of a page. `red_ink` holds, for each pixel of red
/// ink, its gray as ink (< 255), and 255 elsewhere. Red ink outside seals is written back into `gray`; the
/// returned mask is 0 under seals and 255 elsewhere, or `None` when the
/// page has no seal.
pub fn split(gray: &mut GrayImage, red_ink: &GrayImage, dpi: f32) -> Option<GrayImage> {
    let (w, h) = red_ink.dimensions();
    // A coarse grid of 1 mm cells: a seal's ring is one piece there even
    // where the stamp left gaps; text characters stay separate pieces.
    let cell = (dpi / 25.4).round().max(1.0) as u32;
    let (cw, ch) = (w.div_ceil(cell) as usize, h.div_ceil(cell) as usize);
    let mut count = vec![0u32; cw * ch];
    for (x, y, p) in red_ink.enumerate_pixels() {
        if p[0] < 255 {
            count[(y / cell) as usize * cw + (x / cell) as usize] += 1;
        }
    }
    let on: Vec<bool> = count.iter().map(|&n| n >= 2).collect();
    let seal_cells = (SEAL_MM * dpi / 25.4 / cell as f32).round() as usize;
    let mut seals = Vec::new();
    each_piece(&on, cw, ch, |b, _| {
        if b.2 - b.0 + 1 >= seal_cells && b.3 - b.1 + 1 >= seal_cells {
            seals.push(b);
        }
    });
    // Everything inside a seal's box (its star, its lettering) is the seal.
    let mut in_seal = vec![false; cw * ch];
    // And a cell around it: the ring's ink spreads past the cells it is on.
    for (x0, y0, x1, y1) in seals {
        let (x0, x1) = (x0.saturating_sub(1), (x1 + 1).min(cw - 1));
        for y in y0.saturating_sub(1)..=(y1 + 1).min(ch - 1) {
            in_seal[y * cw + x0..=y * cw + x1].fill(true);
        }
    }
    let mut mask = GrayImage::from_pixel(w, h, image::Luma([255]));
    let mut any = false;
    for (x, y, p) in red_ink.enumerate_pixels() {
        if p[0] == 255 {
            continue;
        }
        if in_seal[(y / cell) as usize * cw + (x / cell) as usize] {
            mask.put_pixel(x, y, image::Luma([0]));
            any = true;
        } else {
            gray.put_pixel(x, y, *p);
        }
    }
    any.then_some(mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 100 dpi page (about 4 px per mm) with a red ring 30 mm across and
    /// a red text stroke 5 mm high far from it.
    #[test]
    fn a_ring_is_a_seal_and_a_short_stroke_is_text() {
        let (w, h) = (600, 400);
        let mut red_ink = GrayImage::from_pixel(w, h, image::Luma([255]));
        let (cx, cy, r) = (400.0f32, 200.0f32, 59.0f32);
        for (x, y, p) in red_ink.enumerate_pixels_mut() {
            let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
            // The ring, and a dot inside it (the star).
            if (d - r).abs() < 3.0 || d < 4.0 {
                p[0] = 120;
            }
            // Text: a stroke 5 mm high, 40 mm long.
            if (40..200).contains(&x) && (50..70).contains(&y) {
                p[0] = 100;
            }
        }
        let mut gray = GrayImage::from_pixel(w, h, image::Luma([250]));
        let mask = split(&mut gray, &red_ink, 100.0).expect("a seal");
        assert_eq!(gray.get_pixel(100, 60)[0], 100, "red text comes back as ink");
        assert_eq!(mask.get_pixel(100, 60)[0], 255);
        assert_eq!(gray.get_pixel(400, 200)[0], 250, "the star stays paper");
        assert_eq!(mask.get_pixel(400, 200)[0], 0);
        assert_eq!(mask.get_pixel((cx + r) as u32, 200)[0], 0, "the ring is masked");
        assert_eq!(gray.get_pixel((cx + r) as u32, 200)[0], 250);
    }

    #[test]
    fn red_text_alone_is_no_seal() {
        let mut red_ink = GrayImage::from_pixel(300, 100, image::Luma([255]));
        for x in 20..280 {
            for y in 40..60 {
                red_ink.put_pixel(x, y, image::Luma([90]));
            }
        }
        let mut gray = GrayImage::from_pixel(300, 100, image::Luma([250]));
        assert!(split(&mut gray, &red_ink, 100.0).is_none());
        assert_eq!(gray.get_pixel(150, 50)[0], 90);
    }
}
