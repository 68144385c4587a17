//! The user's own pages, for the review page: each page of an input (a
//! stored image as it is; a PDF page rendered by `pdftoppm`) once, and
//! crops of it around a cell with the cell outlined, small enough to keep
//! a batch's review light.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::imageops::FilterType;
use image::{Rgb, RgbImage};

/// PDF pages are rendered at this resolution: digits stay sharp in a crop.
const PDF_DPI: u32 = 150;
/// A crop's largest side, in pixels, and its largest file.
const CROP_MAX_SIDE: u32 = 560;
pub const CROP_MAX_BYTES: usize = 50 * 1024;
/// A page overlay's width in pixels.
pub const OVERLAY_WIDTH: u32 = 900;
pub const OUTLINE: Rgb<u8> = Rgb([230, 20, 20]);

/// A box in the unit of the input's pages (see the JSON's `pages`).
pub type Rect = (f32, f32, f32, f32);

/// The pages of one input, loaded as they are asked for.
pub struct Pages {
    input: PathBuf,
    pdf: bool,
    cache: BTreeMap<usize, Option<(RgbImage, f32)>>,
}

impl Pages {
    /// `kind`: the JSON's `source.kind`.
    pub fn new(input: &Path, kind: &str) -> Pages {
        Pages { input: input.to_path_buf(), pdf: kind.contains("pdf"), cache: BTreeMap::new() }
    }

    /// Page `page` (1-based) and its pixels per unit of the boxes.
    pub fn page(&mut self, page: usize) -> Option<&(RgbImage, f32)> {
        let (input, pdf) = (&self.input, self.pdf);
        self.cache.entry(page).or_insert_with(|| load(input, pdf, page)).as_ref()
    }
}

fn load(input: &Path, pdf: bool, page: usize) -> Option<(RgbImage, f32)> {
    if pdf {
        return render(input, page).map(|img| (img, PDF_DPI as f32 / 72.0));
    }
    let file = page_file(input, page)?;
    let img = image::ImageReader::open(&file).ok()?.with_guessed_format().ok()?.decode().ok()?;
    Some((img.to_rgb8(), 1.0))
}

#[cfg(feature = "ocr")]
fn render(input: &Path, page: usize) -> Option<RgbImage> {
    let bytes = std::fs::read(input).ok()?;
    let budget = crate::budget::Budget::default();
    let ppm = crate::source::pdf::render::render_at(&bytes, page, PDF_DPI, &budget).ok()?;
    Some(image::load(Cursor::new(ppm), image::ImageFormat::Pnm).ok()?.to_rgb8())
}

#[cfg(not(feature = "ocr"))]
fn render(_: &Path, _: usize) -> Option<RgbImage> {
    None
}

/// The image file of page `page`: the input itself (one image), the
/// `page`-th image of a folder of pages (in name order, as the reader takes
/// them), or `NAME.pN.EXT` beside `NAME`.
fn page_file(input: &Path, page: usize) -> Option<PathBuf> {
    if input.is_file() {
        return (page == 1).then(|| input.to_path_buf());
    }
    let is_image = |p: &Path| {
        p.extension().is_some_and(|e| {
            ["png", "jpg", "jpeg", "tif", "tiff"]
                .contains(&e.to_string_lossy().to_lowercase().as_str())
        })
    };
    if input.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(input)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file() && is_image(p))
            .collect();
        files.sort();
        return files.into_iter().nth(page.checked_sub(1)?);
    }
    let stem = input.file_name()?.to_string_lossy().to_string();
    std::fs::read_dir(input.parent()?).ok()?.flatten().map(|e| e.path()).find(|p| {
        let name = p.file_name().map_or(String::new(), |n| n.to_string_lossy().to_string());
        is_image(p)
            && name.rsplit_once('.').and_then(|(rest, _)| rest.rsplit_once(".p"))
                == Some((stem.as_str(), page.to_string().as_str()))
    })
}

/// A crop around `cell` (in the page's units) with the cell outlined, as
/// JPEG bytes under [`CROP_MAX_BYTES`], and the region it shows (units).
/// A page stored turned (`turned` degrees clockwise) is shown upright.
pub fn crop(page: &(RgbImage, f32), cell: Rect, turned: u64) -> Option<(Vec<u8>, Rect)> {
    let (img, px) = page;
    let (w, h) = (img.width() as f32, img.height() as f32);
    let c = (cell.0 * px, cell.1 * px, cell.2 * px, cell.3 * px);
    if c.2 <= c.0 || c.3 <= c.1 || c.0 >= w || c.1 >= h {
        return None;
    }
    // Some context: the neighbouring cells, a row above and below.
    let (bw, bh) = (c.2 - c.0, c.3 - c.1);
    let (pad_x, pad_y) = ((bw * 1.5).max(80.0), (bh * 1.5).max(40.0));
    let x0 = (c.0 - pad_x).max(0.0).floor();
    let y0 = (c.1 - pad_y).max(0.0).floor();
    let x1 = (c.2 + pad_x).min(w).ceil();
    let y1 = (c.3 + pad_y).min(h).ceil();
    let mut region =
        image::imageops::crop_imm(img, x0 as u32, y0 as u32, (x1 - x0) as u32, (y1 - y0) as u32)
            .to_image();
    let inner = (c.0 - x0 - 3.0, c.1 - y0 - 3.0, c.2 - x0 + 3.0, c.3 - y0 + 3.0);
    outline(&mut region, inner, OUTLINE, 2);
    let scale = (CROP_MAX_SIDE as f32 / region.width().max(region.height()) as f32).min(1.0);
    let mut small: RgbImage = if scale < 1.0 {
        let (sw, sh) = (
            (region.width() as f32 * scale).round().max(1.0) as u32,
            (region.height() as f32 * scale).round().max(1.0) as u32,
        );
        image::imageops::resize(&region, sw, sh, FilterType::Triangle)
    } else {
        region
    };
    small = match turned {
        90 => image::imageops::rotate270(&small),
        180 => image::imageops::rotate180(&small),
        270 => image::imageops::rotate90(&small),
        _ => small,
    };
    let shown = (x0 / px, y0 / px, x1 / px, y1 / px);
    // Scans are noisy (JPEG-25 archives, grain): quality 60 keeps the digits
    // legible at two thirds of the bytes of 80, so 16 scanned reports' crops
    // and overlays stay under 15 MB.
    for quality in [60, 45, 35] {
        let bytes = jpeg(&small, quality)?;
        if bytes.len() <= CROP_MAX_BYTES {
            return Some((bytes, shown));
        }
    }
    small = image::imageops::resize(
        &small,
        small.width() / 2,
        small.height() / 2,
        FilterType::Triangle,
    );
    jpeg(&small, 35).filter(|b| b.len() <= CROP_MAX_BYTES).map(|b| (b, shown))
}

pub fn jpeg(img: &RgbImage, quality: u8) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    img.write_with_encoder(encoder).ok()?;
    Some(out)
}

/// A rectangle `t` pixels wide just around `r`.
pub fn outline(img: &mut RgbImage, r: Rect, c: Rgb<u8>, t: u32) {
    let (w, h) = (img.width() as i64, img.height() as i64);
    let t = t as i64;
    let (x0, y0, x1, y1) = (r.0 as i64, r.1 as i64, r.2 as i64, r.3 as i64);
    let mut put = |x: i64, y: i64| {
        if x >= 0 && y >= 0 && x < w && y < h {
            img.put_pixel(x as u32, y as u32, c);
        }
    };
    for k in 0..t {
        for x in x0 - k..=x1 + k {
            put(x, y0 - k);
            put(x, y1 + k);
        }
        for y in y0 - k..=y1 + k {
            put(x0 - k, y);
            put(x1 + k, y);
        }
    }
}
