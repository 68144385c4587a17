//! Scan stage 0: inputs. Bytes of a PNG, JPEG or TIFF (every page of a
//! multi-page TIFF) → grayscale [`PageImage`]s with their resolution, each
//! decoded when it is read ([`PageSource`]).
//!
//! Pages are counted and their dimensions read from the headers before
//! anything is decoded, against the [`Budget`]'s pages and pixels per page
//! and per document: a small file can claim a huge image, or ten thousand
//! pages (a decompression bomb). The resolution comes from the
//! file (JFIF density, PNG pHYs, TIFF XResolution) when the page it implies
//! is one paper can be; otherwise it is estimated, taking the page to be A4
//! (see [`page_dpi`]).
//!
//! Colour pages become gray through [`gray_and_red`], which reads red ink as
//! paper: an official seal (公章) stamped over a table would otherwise be
//! mid-gray ink over the digits. Red ink that is not a seal (a red title)
//! is given back as ink by [`super::redtext`].

use std::io::Cursor;

use image::{DynamicImage, GrayImage, ImageReader};

use crate::budget::{Budget, PixelCount};
use crate::error::DocumentError;

/// One page image as decoded.
#[derive(Clone, Debug)]
pub struct PageImage {
    pub gray: GrayImage,
    /// Pixels per inch, from the file or estimated.
    pub dpi: f32,
    /// Where a seal's red ink was read as paper, black (0) on white, for a
    /// colour page that has one: the cells under it are unsure
    /// (`crate::reread`).
    pub red: Option<GrayImage>,
}

impl PageImage {
    /// `red`: each red pixel as ink, 255 elsewhere (as [`from_rgb`] gives
    /// it); red ink that is not a seal is given back ([`super::redtext`]).
    pub fn new(mut gray: GrayImage, dpi: f32, red: Option<GrayImage>) -> PageImage {
        let red = red.and_then(|red_ink| super::redtext::split(&mut gray, &red_ink, dpi));
        PageImage { gray, dpi, red }
    }
}

/// A page still to be decoded (or rendered). A document's pages are
/// counted and their sizes checked against the budget first; then each is
/// decoded when it is read, so that they are never all in memory at full
/// resolution at once.
pub type PageSource<'a> = Box<dyn FnOnce() -> Result<PageImage, DocumentError> + Send + 'a>;

/// A page already decoded, as a [`PageSource`].
pub fn ready<'a>(page: PageImage) -> PageSource<'a> {
    Box::new(move || Ok(page))
}

/// The budget's check of one page's size alone.
pub fn check_size(w: u64, h: u64, budget: &Budget) -> Result<(), DocumentError> {
    PixelCount::default().add(w, h, &Budget { max_pages: usize::MAX, ..*budget })
}

/// The resolution of a `w` × `h` px page whose file states `stated` dpi.
/// Many programs write a default density that is not the scan's (72 or 96
/// dpi on a 300 dpi page, a page 875 mm wide), and a page read at a third
/// of its resolution loses everything; so a stated density is taken only
/// when the page it implies fits on A3 with a margin (297 × 420 mm). Else
/// the page is taken to be A4: its shorter side 210 mm when its shape is a
/// sheet's (long side 1.3–1.55 times the short: A4 either way up, also
/// when turned), or else its width 210 mm (a crop of a page's width).
pub fn page_dpi(stated: Option<f32>, w: u32, h: u32) -> f32 {
    let (short, long) = (w.min(h) as f32, w.max(h) as f32);
    let fits = |dpi: f32| short / dpi * 25.4 <= 330.0 && long / dpi * 25.4 <= 470.0;
    if let Some(dpi) = stated.filter(|d| fits(*d)) {
        return dpi;
    }
    let sheet = (1.3..=1.55).contains(&(long / short.max(1.0)));
    let across = if sheet { short } else { w as f32 };
    (across / (210.0 / 25.4)).clamp(72.0, 1200.0)
}

/// Decodes a PNG, JPEG or TIFF (all pages) at once.
pub fn decode(bytes: &[u8], budget: &Budget) -> Result<Vec<PageImage>, DocumentError> {
    sources(bytes, budget, &mut PixelCount::default())?.into_iter().map(|page| page()).collect()
}

/// The pages of a PNG, JPEG or TIFF, each added to `count` (pages and
/// pixels against the budget) from its header before anything is decoded.
pub fn sources<'a>(
    bytes: &'a [u8],
    budget: &'a Budget,
    count: &mut PixelCount,
) -> Result<Vec<PageSource<'a>>, DocumentError> {
    if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        return tiff_sources(bytes, budget, count);
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| DocumentError::Scan(format!("cannot read the image: {e}")))?;
    let (w, h) = reader
        .into_dimensions()
        .map_err(|e| DocumentError::Scan(format!("cannot read the image header: {e}")))?;
    count.add(w as u64, h as u64, budget)?;
    Ok(vec![Box::new(move || decode_one(bytes, budget))])
}

fn decode_one(bytes: &[u8], budget: &Budget) -> Result<PageImage, DocumentError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| DocumentError::Scan(format!("cannot read the image: {e}")))?;
    let mut lim = image::Limits::default();
    lim.max_alloc = Some(budget.max_page_pixels.saturating_mul(4));
    reader.limits(lim);
    let img = reader
        .decode()
        .map_err(|e| DocumentError::Scan(format!("cannot decode the image: {e}")))?;
    let (gray, red) = to_gray(img);
    let dpi = page_dpi(stated_dpi(bytes), gray.width(), gray.height());
    Ok(PageImage::new(gray, dpi, red))
}

/// JFIF density or PNG pHYs, when given in inches or metres.
fn stated_dpi(bytes: &[u8]) -> Option<f32> {
    if bytes.starts_with(b"\xff\xd8") {
        // APP0 "JFIF\0", version (2), units (1), Xdensity (2), Ydensity (2).
        let i = bytes.windows(5).take(64).position(|w| w == b"JFIF\0")?;
        let units = *bytes.get(i + 7)?;
        let x = u16::from_be_bytes([*bytes.get(i + 8)?, *bytes.get(i + 9)?]) as f32;
        return match units {
            1 if x >= 50.0 => Some(x),
            2 if x >= 20.0 => Some(x * 2.54),
            _ => None,
        };
    }
    if bytes.starts_with(b"\x89PNG") {
        let i = bytes.windows(4).take(4096).position(|w| w == b"pHYs")?;
        let x = u32::from_be_bytes(bytes.get(i + 4..i + 8)?.try_into().ok()?) as f32;
        let unit = *bytes.get(i + 12)?;
        return (unit == 1 && x > 2000.0).then_some(x * 0.0254);
    }
    None
}

type TiffDecoder<'a> = tiff::decoder::Decoder<Cursor<&'a [u8]>>;

fn tiff_error(e: tiff::TiffError) -> DocumentError {
    DocumentError::Scan(format!("cannot decode the TIFF: {e}"))
}

fn tiff_decoder<'a>(bytes: &'a [u8], budget: &Budget) -> Result<TiffDecoder<'a>, DocumentError> {
    let mut limits = tiff::decoder::Limits::default();
    limits.decoding_buffer_size =
        usize::try_from(budget.max_page_pixels.saturating_mul(4)).unwrap_or(usize::MAX);
    Ok(tiff::decoder::Decoder::new(Cursor::new(bytes)).map_err(tiff_error)?.with_limits(limits))
}

/// Every page of a TIFF, counted from its directories (a small file can
/// hold ten thousand pages sharing one strip); each page decodes on its own
/// decoder, moved to its directory.
fn tiff_sources<'a>(
    bytes: &'a [u8],
    budget: &'a Budget,
    count: &mut PixelCount,
) -> Result<Vec<PageSource<'a>>, DocumentError> {
    let mut dec = tiff_decoder(bytes, budget)?;
    let mut pages: Vec<PageSource<'a>> = Vec::new();
    loop {
        let (w, h) = dec.dimensions().map_err(tiff_error)?;
        count.add(w as u64, h as u64, budget)?;
        let index = pages.len();
        pages.push(Box::new(move || {
            let mut dec = tiff_decoder(bytes, budget)?;
            dec.seek_to_image(index).map_err(tiff_error)?;
            tiff_page(&mut dec)
        }));
        if !dec.more_images() {
            break;
        }
        dec.next_image().map_err(tiff_error)?;
    }
    Ok(pages)
}

/// The TIFF page the decoder is at.
fn tiff_page(dec: &mut TiffDecoder) -> Result<PageImage, DocumentError> {
    use tiff::decoder::DecodingResult;
    use tiff::tags::Tag;
    use tiff::ColorType;
    let (w, h) = dec.dimensions().map_err(tiff_error)?;
    let color = dec.colortype().map_err(tiff_error)?;
    // The `tiff` crate hands out samples as if black were 0 whatever the
    // photometric interpretation (WhiteIsZero is undone, group 4 data
    // included), so no inversion here.
    let dpi = dec.get_tag_f32(Tag::XResolution).ok().filter(|d| *d >= 50.0).map(|d| {
        if dec.get_tag_u32(Tag::ResolutionUnit).ok() == Some(3) {
            d * 2.54
        } else {
            d
        }
    });
    let data = dec.read_image().map_err(tiff_error)?;
    let gray = match (color, data) {
        (ColorType::Gray(8), DecodingResult::U8(v)) => {
            GrayImage::from_raw(w, h, v).map(|g| (g, None))
        }
        (ColorType::Gray(16), DecodingResult::U16(v)) => {
            GrayImage::from_raw(w, h, v.into_iter().map(|p| (p >> 8) as u8).collect())
                .map(|g| (g, None))
        }
        (ColorType::Gray(1), DecodingResult::U8(v)) => Some((unpack_bits(&v, w, h, true), None)),
        (ColorType::RGB(8), DecodingResult::U8(v)) => from_rgb(w, h, v.chunks_exact(3)),
        (ColorType::RGBA(8), DecodingResult::U8(v)) => from_rgb(w, h, v.chunks_exact(4)),
        (c, _) => {
            return Err(DocumentError::Scan(format!(
                "TIFF pages of type {c:?} are not supported; convert to 8-bit gray or RGB"
            )))
        }
    };
    let (gray, red) =
        gray.ok_or_else(|| DocumentError::Scan("TIFF page data is shorter than its size".into()))?;
    let dpi = page_dpi(dpi, w, h);
    Ok(PageImage::new(gray, dpi, red))
}

/// A decoded image as gray (colour as [`from_rgb`] makes it), with its red
/// ink when it has any. A colour image's gray is written over its own RGB
/// buffer, pixel `i` where pixel `i`'s red was (the pixels after it are
/// read before they are overwritten): a colour page costs its decoded RGB
/// and no more.
pub fn to_gray(img: DynamicImage) -> (GrayImage, Option<GrayImage>) {
    if !img.color().has_color() {
        return (img.into_luma8(), None);
    }
    let rgb = img.into_rgb8();
    let (w, h) = rgb.dimensions();
    let mut px = rgb.into_raw();
    let n = w as usize * h as usize;
    let mut red = RedInk::new(n);
    for i in 0..n {
        let (r, g, b) = (px[3 * i], px[3 * i + 1], px[3 * i + 2]);
        let (v, inked) = gray_and_red(r, g, b);
        px[i] = v;
        red.mark(i, inked, g, b);
    }
    px.truncate(n);
    px.shrink_to_fit();
    let gray = GrayImage::from_raw(w, h, px).unwrap_or_default();
    (gray, red.finish(w, h))
}

/// Pixels of 3 or more channels (RGB first) → gray, and for a page with
/// red ink each red pixel as ink (255 elsewhere): the larger of its green
/// and blue, where red ink is darkest, so that red text given back reads
/// with the contrast of black.
pub fn from_rgb<'a>(
    w: u32,
    h: u32,
    pixels: impl Iterator<Item = &'a [u8]>,
) -> Option<(GrayImage, Option<GrayImage>)> {
    let n = w as usize * h as usize;
    let mut gray = Vec::with_capacity(n);
    let mut red = RedInk::new(n);
    for (i, p) in pixels.take(n).enumerate() {
        let (v, inked) = gray_and_red(p[0], p[1], p[2]);
        gray.push(v);
        red.mark(i, inked, p[1], p[2]);
    }
    let gray = GrayImage::from_raw(w, h, gray)?;
    Some((gray, red.finish(w, h)))
}

/// The red ink mask of a colour page, made only once a red pixel is seen:
/// most colour pages have none, and a page's worth of 255s is not free.
struct RedInk {
    n: usize,
    mask: Option<Vec<u8>>,
}

impl RedInk {
    fn new(n: usize) -> RedInk {
        RedInk { n, mask: None }
    }

    fn mark(&mut self, i: usize, inked: bool, g: u8, b: u8) {
        if inked {
            self.mask.get_or_insert_with(|| vec![255; self.n])[i] = g.max(b).min(254);
        }
    }

    fn finish(self, w: u32, h: u32) -> Option<GrayImage> {
        GrayImage::from_raw(w, h, self.mask?)
    }
}

/// The gray of a colour pixel, and whether it is red ink: its luma, except
/// that red ink reads as paper. Ink multiplies the light, and a seal's red
/// keeps most of the red channel (80–90% on scans) and little of green and
/// blue: under it, a black stroke is still dark in the red channel and the
/// paper is light. So where a pixel is red, its red channel decides: up to
/// 110 it is a stroke and keeps that gray, from 170 it is paper (white),
/// linearly between. The red counts in full from a redness (red minus the
/// larger of green and blue) of 24, since JPEG's coarse colour blurs a
/// stroke's edge to half its redness; below, it fades into the luma (gray
/// ink, colour noise). Red text is dropped the same way here, and given
/// back by [`super::redtext`], which tells it from a seal.
pub fn gray_and_red(r: u8, g: u8, b: u8) -> (u8, bool) {
    let luma = luma(r, g, b) as i32;
    let redness = r as i32 - g.max(b) as i32;
    if redness <= 0 {
        return (luma as u8, false);
    }
    let r = r as i32;
    let under = r + (255 - r) * (r - 110).clamp(0, 60) / 60;
    let weight = redness.min(24);
    // Red ink: what it hides is well lighter than the ink itself.
    ((luma + (under - luma) * weight / 24) as u8, redness >= 24 && under - luma >= RED_INK_LIFT)
}

/// ITU-R 601 luma, as a gray scanner sees a colour.
fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((r as u32 * 299 + g as u32 * 587 + b as u32 * 114) / 1000) as u8
}

/// A pixel is red ink when reading it as paper lifts it by this many
/// levels: a seal's stroke (about 150) or its edge blurred by JPEG (60 and
/// up), not the colour fringes JPEG leaves on black text (under 20).
const RED_INK_LIFT: i32 = 40;

/// 1-bit rows (each padded to a byte) → gray; `one_is_white` per the
/// photometric interpretation.
pub fn unpack_bits(v: &[u8], w: u32, h: u32, one_is_white: bool) -> GrayImage {
    let stride = w.div_ceil(8) as usize;
    GrayImage::from_fn(w, h, |x, y| {
        let byte = v.get(y as usize * stride + x as usize / 8).copied().unwrap_or(0);
        let bit = (byte >> (7 - (x % 8))) & 1 == 1;
        image::Luma([if bit == one_is_white { 255 } else { 0 }])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Paper and black and gray keep their luma; seal red (whole, at a
    /// JPEG-blurred edge) reads as paper and is marked; a black stroke under
    /// the seal stays black.
    #[test]
    fn red_ink_reads_as_paper_and_black_under_it_stays() {
        assert_eq!(gray_and_red(240, 240, 235), (239, false));
        assert_eq!(gray_and_red(30, 30, 30), (30, false));
        assert_eq!(gray_and_red(150, 150, 150), (150, false));
        assert_eq!(gray_and_red(204, 84, 94), (255, true));
        assert_eq!(gray_and_red(238, 150, 162), (255, true));
        let (under_seal, _) = gray_and_red(34, 7, 7);
        assert!(under_seal < 40, "{under_seal}");
    }

    /// A4 at 300 dpi is 2480 × 3508 px; at 200 dpi 1654 × 2339.
    #[test]
    fn a_stated_density_is_taken_only_when_its_page_is_paper() {
        assert_eq!(page_dpi(Some(300.0), 2480, 3508), 300.0);
        // A3 at 300 dpi, and a crop of a page at 600 dpi, as stated.
        assert_eq!(page_dpi(Some(300.0), 3508, 4961), 300.0);
        assert_eq!(page_dpi(Some(600.0), 1200, 800), 600.0);
        // Default densities on a 300 dpi page (875 and 656 mm wide).
        let near = |got: f32, want: f32| assert!((got - want).abs() < 1.0, "{got} for {want}");
        near(page_dpi(Some(72.0), 2480, 3508), 300.0);
        near(page_dpi(Some(96.0), 1654, 2339), 200.0);
        // None stated: A4 portrait, landscape, and a crop of the width.
        near(page_dpi(None, 2480, 3508), 300.0);
        near(page_dpi(None, 2339, 1654), 200.0);
        near(page_dpi(None, 2480, 900), 300.0);
    }

    #[test]
    fn a_bomb_is_refused_before_decoding() {
        // A PNG header claiming 30000 x 30000 pixels, and nothing else.
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend(30000u32.to_be_bytes());
        ihdr.extend(30000u32.to_be_bytes());
        ihdr.extend([8, 0, 0, 0, 0]);
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\r".to_vec();
        png.extend(&ihdr);
        png.extend(crc32(&ihdr).to_be_bytes());
        for chunk in [&b"IDAT"[..], &b"IEND"[..]] {
            png.extend(0u32.to_be_bytes());
            png.extend(chunk);
            png.extend(crc32(chunk).to_be_bytes());
        }
        let e = decode(&png, &Budget::default()).unwrap_err();
        assert!(e.to_string().contains("above the limit"), "{e}");
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut c = !0u32;
        for &b in data {
            c ^= b as u32;
            for _ in 0..8 {
                c = if c & 1 == 1 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
        }
        !c
    }

    /// The in-place conversion of a decoded colour image gives what
    /// `from_rgb` gives from its pixels: the same gray, the same red mask,
    /// no mask on a page without red.
    #[test]
    fn colour_in_place_equals_from_rgb() {
        let seal = image::RgbImage::from_fn(37, 23, |x, y| {
            let v = ((x * 31 + y * 17) % 256) as u8;
            if (x + y) % 5 == 0 {
                image::Rgb([204, 84, 94])
            } else {
                image::Rgb([v, v.wrapping_add(3), v / 2])
            }
        });
        let plain = image::RgbImage::from_fn(37, 23, |x, y| image::Rgb([x as u8, y as u8, 200]));
        for img in [seal, plain] {
            let want = from_rgb(37, 23, img.as_raw().chunks_exact(3)).unwrap();
            let got = to_gray(DynamicImage::ImageRgb8(img));
            assert_eq!(got, want);
        }
        let got = to_gray(DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
            2,
            2,
            image::Rgb([10, 20, 30]),
        )));
        assert_eq!(got.1, None);
    }

    #[test]
    fn multi_page_tiff_gives_every_page() {
        use tiff::encoder::{colortype, TiffEncoder};
        let mut buf = Cursor::new(Vec::new());
        let mut enc = TiffEncoder::new(&mut buf).unwrap();
        enc.write_image::<colortype::Gray8>(4, 2, &[0, 255, 0, 255, 9, 9, 9, 9]).unwrap();
        enc.write_image::<colortype::Gray8>(2, 2, &[1, 2, 3, 4]).unwrap();
        let pages = decode(buf.get_ref(), &Budget::default()).unwrap();
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[1].gray.as_raw(), &vec![1, 2, 3, 4]);
    }
}
