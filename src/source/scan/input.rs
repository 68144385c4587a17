//! Scan stage 0: inputs. Bytes of a PNG, JPEG or TIFF (every page of a
//! multi-page TIFF) → grayscale [`PageImage`]s with their resolution.
//!
//! Dimensions are read from the header before anything is decoded, and an
//! image above [`ScanLimits::max_pixels`] is refused: a small file can
//! claim a huge image (a decompression bomb). The resolution comes from the
//! file (JFIF density, PNG pHYs, TIFF XResolution); without one it is
//! estimated from the page width, taking the page to be A4 portrait.

use std::io::Cursor;

use image::{GrayImage, ImageReader};

use crate::error::DocumentError;

/// Limits on what a scan may ask of memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScanLimits {
    /// Width × height above which an image is refused.
    pub max_pixels: u64,
}

/// 20000 × 20000: far above any real page scan (A3 at 600 dpi is 70 MP).
pub const DEFAULT_MAX_PIXELS: u64 = 20_000 * 20_000;

impl Default for ScanLimits {
    fn default() -> Self {
        ScanLimits { max_pixels: DEFAULT_MAX_PIXELS }
    }
}

/// One page image as decoded.
#[derive(Clone, Debug)]
pub struct PageImage {
    pub gray: GrayImage,
    /// Pixels per inch, from the file or estimated.
    pub dpi: f32,
}

pub fn check_size(w: u64, h: u64, limits: &ScanLimits) -> Result<(), DocumentError> {
    if w == 0 || h == 0 {
        return Err(DocumentError::Scan("the image has no pixels".into()));
    }
    if w.saturating_mul(h) > limits.max_pixels {
        return Err(DocumentError::Scan(format!("the image is {w}x{h} pixels, above the limit of {} pixels (a decompression bomb, or a scan at an absurd resolution)", limits.max_pixels)));
    }
    Ok(())
}

/// The resolution to assume when the file states none: the page is A4
/// portrait (210 mm wide), clamped to what scanners produce.
pub fn estimate_dpi(width_px: u32) -> f32 {
    (width_px as f32 / (210.0 / 25.4)).clamp(72.0, 1200.0)
}

/// Decodes a PNG, JPEG or TIFF (all pages).
pub fn decode(bytes: &[u8], limits: &ScanLimits) -> Result<Vec<PageImage>, DocumentError> {
    if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        return decode_tiff(bytes, limits);
    }
    let reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| DocumentError::Scan(format!("cannot read the image: {e}")))?;
    let (w, h) = reader.into_dimensions().map_err(|e| DocumentError::Scan(format!("cannot read the image header: {e}")))?;
    check_size(w as u64, h as u64, limits)?;
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| DocumentError::Scan(format!("cannot read the image: {e}")))?;
    let mut lim = image::Limits::default();
    lim.max_alloc = Some(limits.max_pixels.saturating_mul(4));
    reader.limits(lim);
    let img = reader.decode().map_err(|e| DocumentError::Scan(format!("cannot decode the image: {e}")))?;
    let gray = img.to_luma8();
    let dpi = stated_dpi(bytes).unwrap_or_else(|| estimate_dpi(gray.width()));
    Ok(vec![PageImage { gray, dpi }])
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

fn decode_tiff(bytes: &[u8], limits: &ScanLimits) -> Result<Vec<PageImage>, DocumentError> {
    use tiff::decoder::{Decoder, DecodingResult};
    use tiff::tags::Tag;
    use tiff::ColorType;
    let err = |e: tiff::TiffError| DocumentError::Scan(format!("cannot decode the TIFF: {e}"));
    let mut dec = Decoder::new(Cursor::new(bytes)).map_err(err)?;
    let mut tl = tiff::decoder::Limits::default();
    tl.decoding_buffer_size = usize::try_from(limits.max_pixels.saturating_mul(4)).unwrap_or(usize::MAX);
    dec = dec.with_limits(tl);
    let mut pages = Vec::new();
    loop {
        let (w, h) = dec.dimensions().map_err(err)?;
        check_size(w as u64, h as u64, limits)?;
        let color = dec.colortype().map_err(err)?;
        // The `tiff` crate hands out samples as if black were 0 whatever
        // the photometric interpretation (WhiteIsZero is undone, group 4
        // data included), so no inversion here.
        let dpi = dec.get_tag_f32(Tag::XResolution).ok().filter(|d| *d >= 50.0).map(|d| if dec.get_tag_u32(Tag::ResolutionUnit).ok() == Some(3) { d * 2.54 } else { d });
        let data = dec.read_image().map_err(err)?;
        let gray = match (color, data) {
            (ColorType::Gray(8), DecodingResult::U8(v)) => GrayImage::from_raw(w, h, v),
            (ColorType::Gray(16), DecodingResult::U16(v)) => GrayImage::from_raw(w, h, v.into_iter().map(|p| (p >> 8) as u8).collect()),
            (ColorType::Gray(1), DecodingResult::U8(v)) => Some(unpack_bits(&v, w, h, true)),
            (ColorType::RGB(8), DecodingResult::U8(v)) => GrayImage::from_raw(w, h, v.chunks_exact(3).map(luma).collect()),
            (ColorType::RGBA(8), DecodingResult::U8(v)) => GrayImage::from_raw(w, h, v.chunks_exact(4).map(luma).collect()),
            (c, _) => return Err(DocumentError::Scan(format!("TIFF pages of type {c:?} are not supported; convert to 8-bit gray or RGB"))),
        };
        let gray = gray.ok_or_else(|| DocumentError::Scan("TIFF page data is shorter than its size".into()))?;
        let dpi = dpi.unwrap_or_else(|| estimate_dpi(w));
        pages.push(PageImage { gray, dpi });
        if !dec.more_images() {
            break;
        }
        dec.next_image().map_err(err)?;
    }
    Ok(pages)
}

fn luma(p: &[u8]) -> u8 {
    ((p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000) as u8
}

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
        let e = decode(&png, &ScanLimits::default()).unwrap_err();
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

    #[test]
    fn multi_page_tiff_gives_every_page() {
        use tiff::encoder::{colortype, TiffEncoder};
        let mut buf = Cursor::new(Vec::new());
        let mut enc = TiffEncoder::new(&mut buf).unwrap();
        enc.write_image::<colortype::Gray8>(4, 2, &[0, 255, 0, 255, 9, 9, 9, 9]).unwrap();
        enc.write_image::<colortype::Gray8>(2, 2, &[1, 2, 3, 4]).unwrap();
        let pages = decode(buf.get_ref(), &ScanLimits::default()).unwrap();
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[1].gray.as_raw(), &vec![1, 2, 3, 4]);
    }
}
