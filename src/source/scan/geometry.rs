//! Boxes on the user's own page. The reader works on a page brought to its
//! working resolution, turned upright and straightened; a reviewer draws on
//! the file as stored. This maps every box of a report back through those
//! steps (straightening, turning, scaling) to pixels of the stored image
//! (image files) or points of the PDF page as displayed, and records what
//! was done to each page ([`PageGeometry`]).

use super::{PageScan, ScanDoc};
use crate::doc::Loc;
use crate::findings::{PageGeometry, Report};

/// Maps the report's boxes onto the input's pages; `pdf`: the input is a
/// PDF (its pages' unit is the point), else an image file (the pixel).
pub fn to_input(report: &mut Report, scan: &ScanDoc, pdf: bool) {
    let map = |loc: &mut Option<Loc>| {
        let Some(Loc::Box { page, x0, y0, x1, y1 }) = *loc else { return };
        let Some(s) = scan.scans.iter().find(|s| s.page == page) else { return };
        let (a, b) = (to_source(s, x0, y0, pdf), to_source(s, x1, y1, pdf));
        // A turned or straightened box: the box around its corners.
        let (c, d) = (to_source(s, x1, y0, pdf), to_source(s, x0, y1, pdf));
        let xs = [a.0, b.0, c.0, d.0];
        let ys = [a.1, b.1, c.1, d.1];
        let min = |v: [f32; 4]| v.into_iter().fold(f32::INFINITY, f32::min);
        let max = |v: [f32; 4]| v.into_iter().fold(f32::NEG_INFINITY, f32::max);
        *loc = Some(Loc::Box { page, x0: min(xs), y0: min(ys), x1: max(xs), y1: max(ys) });
    };
    report.cells.iter_mut().for_each(|c| map(&mut c.loc));
    report.warnings.iter_mut().for_each(|w| map(&mut w.loc));
    report.review.iter_mut().for_each(|e| map(&mut e.loc));
    report.pages = scan.scans.iter().map(|s| geometry(s, pdf)).collect();
}

fn geometry(s: &PageScan, pdf: bool) -> PageGeometry {
    let (w, h, dpi) = s.source;
    let unit = if pdf { 72.0 / dpi } else { 1.0 };
    PageGeometry {
        page: s.page,
        unit: if pdf { "pt" } else { "px" },
        width: w as f32 * unit,
        height: h as f32 * unit,
        dpi,
        read_dpi: s.dpi,
        turned: s.turned,
        skew_deg: s.skew_deg,
    }
}

/// A point of the read page (points at the working resolution, on the page
/// straightened and upright) on the stored page.
fn to_source(s: &PageScan, x: f32, y: f32, pdf: bool) -> (f32, f32) {
    let (w, h) = (s.gray.width() as f32, s.gray.height() as f32);
    let px = s.dpi / 72.0;
    let (x, y) = (x * px, y * px);
    // Straightened by `prep::rotate(page, -skew)`: the point it took, by the
    // same inverse map.
    let (x, y) = if s.skew_deg == 0.0 {
        (x, y)
    } else {
        let (sn, cs) = (-s.skew_deg).to_radians().sin_cos();
        let (cx, cy) = (w / 2.0, h / 2.0);
        (cx + cs * (x - cx) - sn * (y - cy), cy + sn * (x - cx) + cs * (y - cy))
    };
    // Turned upright by `orient::upright`: back onto the page as it lay
    // (`bw`, `bh`: its size).
    let (x, y, bw, bh) = match s.turned {
        90 => (h - y, x, h, w),
        180 => (w - x, h - y, w, h),
        270 => (y, w - x, h, w),
        _ => (x, y, w, h),
    };
    let (sw, sh, dpi) = s.source;
    let (x, y) = (x * sw as f32 / bw, y * sh as f32 / bh);
    if pdf {
        (x * 72.0 / dpi, y * 72.0 / dpi)
    } else {
        (x, y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::GrayImage;

    fn page(w: u32, h: u32, dpi: f32, turned: u32, skew: f32, source: (u32, u32, f32)) -> PageScan {
        PageScan {
            page: 1,
            gray: GrayImage::new(w, h),
            dpi,
            tables: Vec::new(),
            segments: Vec::new(),
            skew_deg: skew,
            fallback: false,
            turned,
            source,
        }
    }

    fn near(a: (f32, f32), b: (f32, f32)) {
        assert!((a.0 - b.0).abs() < 0.01 && (a.1 - b.1).abs() < 0.01, "{a:?} != {b:?}");
    }

    /// A page stored sideways at 100 dpi (1100 × 800 px, lying a quarter
    /// turn clockwise), enlarged to 200 dpi and read turned upright.
    #[test]
    fn a_turned_enlarged_page_maps_onto_its_stored_pixels() {
        // Upright at 200 dpi: 1600 × 2200 px; stored sideways 1100 × 800 at 100.
        let s = page(1600, 2200, 200.0, 90, 0.0, (1100, 800, 100.0));
        // Upright (0, 0) lay at the sideways image's top-right: it was
        // turned a quarter counter-clockwise to stand.
        near(to_source(&s, 0.0, 0.0, false), (1100.0, 0.0));
        // A point 72 pt (1 in) right and 144 pt down on the upright page:
        // 200 px, 400 px there; 2200 - 400 = 1800 → 900 px across, 100 down.
        near(to_source(&s, 72.0, 144.0, false), (900.0, 100.0));
        // The same in the points of a PDF page stored at 100 dpi.
        near(to_source(&s, 72.0, 144.0, true), (648.0, 72.0));
    }

    /// The centre of a straightened page stays; a point off it turns back
    /// by the skew.
    #[test]
    fn a_straightened_page_turns_back_by_its_skew() {
        let s = page(1000, 1000, 72.0, 0, 2.0, (1000, 1000, 72.0));
        near(to_source(&s, 500.0, 500.0, false), (500.0, 500.0));
        let (sn, cs) = (-2f32).to_radians().sin_cos();
        near(to_source(&s, 600.0, 500.0, false), (500.0 + 100.0 * cs, 500.0 + 100.0 * sn));
    }
}
