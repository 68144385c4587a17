//! Debug view of a scan (`xxgk extract --debug-dir DIR`). In: the read
//! [`ScanDoc`] and its [`Report`]. Out: one PNG per page, `NAME.pN.png`: the
//! deskewed, flattened page with the detected rules (red), every grid cell
//! (blue), the cells bound to a field (green; orange when corrected, magenta
//! when missing or low in confidence) and, in the top-left corner of each
//! bound cell, a tick per field-id character so a reader can match boxes to
//! the JSON's `location`s.

use std::path::Path;

use image::{Rgb, RgbImage};

use super::ScanDoc;
use crate::doc::Loc;
use crate::findings::Report;
use crate::findings::Status;
use crate::findings::LOW_CONFIDENCE;

const RED: Rgb<u8> = Rgb([220, 30, 30]);
const BLUE: Rgb<u8> = Rgb([40, 90, 230]);
const GREEN: Rgb<u8> = Rgb([20, 170, 60]);
const ORANGE: Rgb<u8> = Rgb([240, 140, 0]);
const MAGENTA: Rgb<u8> = Rgb([210, 0, 210]);

/// Writes the overlays; returns the files written.
pub fn write(
    dir: &Path,
    name: &str,
    scan: &ScanDoc,
    report: Option<&Report>,
) -> std::io::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for page in &scan.scans {
        let mut img = RgbImage::from_fn(page.gray.width(), page.gray.height(), |x, y| {
            let v = page.gray.get_pixel(x, y)[0];
            Rgb([v, v, v])
        });
        for s in &page.segments {
            let t = (s.thickness / 2.0).max(1.0);
            let r = if s.horizontal {
                (s.from, s.at - t, s.to, s.at + t)
            } else {
                (s.at - t, s.from, s.at + t, s.to)
            };
            fill(&mut img, r, RED);
        }
        let px = page.dpi / 72.0;
        for t in &page.tables {
            for c in &t.cells {
                let r = c.rect;
                rect(
                    &mut img,
                    (r.x0 * px + 3.0, r.y0 * px + 3.0, r.x1 * px - 3.0, r.y1 * px - 3.0),
                    BLUE,
                    1,
                );
            }
        }
        if let Some(r) = report {
            for (id, cell) in r.field_ids.iter().zip(&r.cells) {
                let Some(Loc::Box { page: p, x0, y0, x1, y1 }) = cell.loc else {
                    continue;
                };
                if p != page.page {
                    continue;
                }
                let color = match cell.status {
                    Status::Corrected => ORANGE,
                    Status::Missing => MAGENTA,
                    _ if cell.confidence < LOW_CONFIDENCE => MAGENTA,
                    _ => GREEN,
                };
                let b = (x0 * px + 6.0, y0 * px + 6.0, x1 * px - 6.0, y1 * px - 6.0);
                rect(&mut img, b, color, 2);
                // One tick per character of the id: a cheap, font-free tag.
                for k in 0..id.len().min(40) {
                    let x = b.0 + 2.0 + k as f32 * 2.0;
                    fill(&mut img, (x, b.1 + 2.0, x + 1.0, b.1 + 6.0), color);
                }
            }
        }
        let path = dir.join(format!("{name}.p{}.png", page.page));
        img.save(&path).map_err(std::io::Error::other)?;
        written.push(path);
    }
    Ok(written)
}

fn fill(img: &mut RgbImage, (x0, y0, x1, y1): (f32, f32, f32, f32), c: Rgb<u8>) {
    let (w, h) = img.dimensions();
    let (x0, y0) = (x0.max(0.0) as u32, y0.max(0.0) as u32);
    let (x1, y1) = (
        (x1.max(0.0) as u32).min(w.saturating_sub(1)),
        (y1.max(0.0) as u32).min(h.saturating_sub(1)),
    );
    for y in y0..=y1 {
        for x in x0..=x1 {
            img.put_pixel(x, y, c);
        }
    }
}

fn rect(img: &mut RgbImage, (x0, y0, x1, y1): (f32, f32, f32, f32), c: Rgb<u8>, t: u32) {
    if x1 <= x0 || y1 <= y0 {
        return;
    }
    let t = t as f32 - 1.0;
    fill(img, (x0, y0, x1, y0 + t), c);
    fill(img, (x0, y1 - t, x1, y1), c);
    fill(img, (x0, y0, x0 + t, y1), c);
    fill(img, (x1 - t, y0, x1, y1), c);
}
