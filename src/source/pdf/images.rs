//! Source: the page images of image-only PDFs. A page of a parsed PDF →
//! its [`PageImage`]: the one image XObject the page draws large, decoded
//! from the PDF itself, turned upright.
//!
//! Supported: DCTDecode (JPEG, through `image`), FlateDecode/LZW 8-bit gray,
//! RGB or CMYK and 1-bit, CCITTFaxDecode group 4 (wrapped in a one-strip
//! TIFF and decoded by the `tiff` crate). Any other page (JBIG2 or JPX
//! images, an image that does not decode, no image at all) is to be
//! rendered ([`super::route`] decides, [`super::render`] renders). The page
//! resolution is the image's width over the page's width in inches.

use image::GrayImage;
use lopdf::xobject::PdfImage;
use lopdf::{Document, Object, ObjectId};

use super::{drawn_images, Drawn};
use crate::budget::Budget;
use crate::error::DocumentError;
use crate::source::scan::input::{self, from_rgb, to_gray, unpack_bits, PageImage};

/// The one image a page draws large, to be decoded here and turned upright.
pub struct Own<'a> {
    img: PdfImage<'a>,
    placed: Option<Drawn>,
    turn: u8,
}

impl Own<'_> {
    /// Its size in pixels, as the PDF declares it.
    pub fn size(&self) -> (u64, u64) {
        (self.img.width.max(0) as u64, self.img.height.max(0) as u64)
    }
}

/// Whether the page's image can be decoded here, and which it is: the one
/// image the page draws large; `Ok(Err(reason))` when the page is to be
/// rendered instead. Several (a scan cut into strips, pages pasted side by
/// side), one inside a form or one drawn at an angle are left to the
/// renderer, which puts them together as a viewer would.
pub fn plan_page<'a>(
    doc: &'a Document,
    id: ObjectId,
    number: usize,
    budget: &Budget,
) -> Result<Result<Own<'a>, String>, DocumentError> {
    let images = doc.get_page_images(id).unwrap_or_default();
    let drawn = drawn_images(doc, id, number, budget)?;
    let largest = drawn.iter().map(Drawn::area).fold(0.0, f32::max);
    let big: Vec<&Drawn> =
        drawn.iter().filter(|d| largest > 0.0 && d.area() >= 0.1 * largest).collect();
    if big.len() > 1 {
        return Ok(Err(format!("{} images make up the page", big.len())));
    }
    let (img, placed) = match big.first() {
        Some(d) => match images.into_iter().find(|i| i.id == d.id) {
            Some(img) => (img, Some(**d)),
            None => return Ok(Err("its image is drawn from inside a form".into())),
        },
        None => match images.into_iter().max_by_key(|i| i.width.saturating_mul(i.height)) {
            Some(img) => (img, None),
            None => return Ok(Err("it has neither text nor an image".into())),
        },
    };
    let turn = match placed.map(quarter_turns) {
        Some(None) => return Ok(Err("its image is drawn at an angle or mirrored".into())),
        Some(Some(t)) => t,
        None => 0,
    };
    if let Some(f @ ("JBIG2Decode" | "JPXDecode")) =
        img.filters.as_ref().and_then(|f| f.last()).map(String::as_str)
    {
        return Ok(Err(format!("a {f} image, which xxgk does not decode itself")));
    }
    Ok(Ok(Own { img, placed, turn }))
}

/// The page's image, decoded here: `Err(reason)` when this reader cannot
/// (the page is to be rendered instead).
pub fn own_image(
    doc: &Document,
    id: ObjectId,
    own: &Own,
    budget: &Budget,
) -> Result<PageImage, String> {
    let Own { img, placed, turn } = own;
    let (placed, turn) = (*placed, *turn);
    let (w, h) = own.size();
    let filters: Vec<String> = img.filters.clone().unwrap_or_default();
    let Ok(stream) = doc.get_object(img.id).and_then(Object::as_stream) else {
        return Err("its image is not a stream".into());
    };
    // A stream may inflate to far more than its image needs (a bomb):
    // never more than the declared image at 4 bytes a pixel, plus slack.
    let cap = usize::try_from(w.saturating_mul(h).saturating_mul(4).saturating_add(1 << 16))
        .unwrap_or(usize::MAX)
        .min(usize::try_from(budget.max_page_pixels.saturating_mul(4)).unwrap_or(usize::MAX));
    let gray = match filters.last().map(String::as_str) {
        Some("DCTDecode") => {
            let data = if filters.len() > 1 {
                stream.decompressed_content_with_limit(cap).unwrap_or_else(|_| img.content.to_vec())
            } else {
                img.content.to_vec()
            };
            jpeg(&data, budget)
        }
        Some("CCITTFaxDecode") => ccitt(stream, w as u32, h as u32, budget).map(|g| (g, None)),
        _ => {
            let data = if filters.is_empty() {
                Ok(img.content.to_vec())
            } else {
                stream
                    .decompressed_content_with_limit(cap)
                    .map_err(|e| format!("cannot decompress the image ({filters:?}): {e}"))
            };
            data.and_then(|d| {
                raw(
                    &d,
                    w as u32,
                    h as u32,
                    img.bits_per_component.unwrap_or(8),
                    img.color_space.as_deref(),
                )
            })
        }
    }?;
    let (gray, red) = gray;
    let gray = if decode_inverted(stream) { invert(gray) } else { gray };
    // Pixels per inch along a row, where the page draws it; else the image
    // taken to span the page's width.
    let row_in = match placed {
        Some(d) => d.across.0.hypot(d.across.1) / 72.0,
        None => page_size_pt(doc, id).map_or(595.0, |s| s.0) / 72.0,
    };
    let dpi = (gray.width() as f32 / row_in.max(0.01)).clamp(50.0, 2400.0);
    Ok(PageImage::new(turned(gray, turn), dpi, red.map(|r| turned(r, turn))))
}

/// A JPEG, whose own header must agree with the budget (the PDF's `Width`
/// and `Height` need not be the JPEG's).
fn jpeg(data: &[u8], budget: &Budget) -> Result<(GrayImage, Option<GrayImage>), String> {
    let mut reader =
        image::ImageReader::with_format(std::io::Cursor::new(data), image::ImageFormat::Jpeg);
    let mut lim = image::Limits::default();
    lim.max_alloc = Some(budget.max_page_pixels.saturating_mul(4));
    reader.limits(lim);
    reader.decode().map(to_gray).map_err(|e| format!("bad JPEG image: {e}"))
}

/// How many quarter turns clockwise bring an image's pixels upright as the
/// page shows them (a scan stored sideways and drawn turned, or under the
/// page's `/Rotate`); `None` for one drawn mirrored or more than 5° off a
/// quarter turn. Up to 5° is left to the deskew.
fn quarter_turns(d: Drawn) -> Option<u8> {
    // In page space y runs down: a row drawn downwards is a clockwise turn.
    let mirrored = d.across.0 * d.down.1 - d.across.1 * d.down.0 <= 0.0;
    let angle = d.across.1.atan2(d.across.0).to_degrees();
    let quarters = (angle / 90.0).round();
    if mirrored || (angle - quarters * 90.0).abs() > 5.0 {
        return None;
    }
    Some((quarters as i32).rem_euclid(4) as u8)
}

fn turned(g: GrayImage, quarters: u8) -> GrayImage {
    match quarters {
        1 => image::imageops::rotate90(&g),
        2 => image::imageops::rotate180(&g),
        3 => image::imageops::rotate270(&g),
        _ => g,
    }
}

/// The MediaBox's width and height in points.
fn page_size_pt(doc: &Document, id: ObjectId) -> Option<(f32, f32)> {
    let page = doc.get_dictionary(id).ok()?;
    let mb = page
        .get(b"MediaBox")
        .ok()
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_array().ok())?;
    let num = |o: &Object| o.as_float().ok().or_else(|| o.as_i64().ok().map(|i| i as f32));
    let (w, h) =
        ((num(mb.get(2)?)? - num(mb.first()?)?).abs(), (num(mb.get(3)?)? - num(mb.get(1)?)?).abs());
    (w > 10.0 && h > 10.0).then_some((w, h))
}

fn decode_inverted(stream: &lopdf::Stream) -> bool {
    stream.dict.get(b"Decode").and_then(Object::as_array).is_ok_and(|a| {
        a.first().and_then(|o| o.as_float().ok().or_else(|| o.as_i64().ok().map(|i| i as f32)))
            == Some(1.0)
    })
}

fn invert(mut g: GrayImage) -> GrayImage {
    g.iter_mut().for_each(|p| *p = 255 - *p);
    g
}

/// Uncompressed samples → gray, and the red ink mask of an RGB image.
fn raw(
    data: &[u8],
    w: u32,
    h: u32,
    bpc: i64,
    cs: Option<&str>,
) -> Result<(GrayImage, Option<GrayImage>), String> {
    let comps = match cs {
        Some("DeviceRGB") | Some("CalRGB") => 3,
        Some("DeviceCMYK") => 4,
        // An ICC profile's component count is in its stream; the data
        // length tells the same for the 1, 3 and 4 component cases.
        Some("ICCBased") => [4usize, 3]
            .into_iter()
            .find(|&c| data.len() as u64 >= w as u64 * h as u64 * c as u64)
            .unwrap_or(1),
        _ => 1,
    };
    let n = w as usize * h as usize;
    match (bpc, comps) {
        (1, 1) => {
            if data.len() < w.div_ceil(8) as usize * h as usize {
                return Err("1-bit image data is short".into());
            }
            // 1 bits are white in DeviceGray unless Decode inverts.
            Ok((unpack_bits(data, w, h, true), None))
        }
        (8, c) => {
            if data.len() < n * c {
                return Err(format!("image data is short ({} bytes for {w}x{h}x{c})", data.len()));
            }
            let v: Vec<u8> = match c {
                1 => data[..n].to_vec(),
                3 => {
                    return from_rgb(w, h, data.chunks_exact(3))
                        .ok_or_else(|| "image data is short".into())
                }
                // CMYK to RGB the naive way (each ink with black added),
                // then as any colour page (a seal's red, red text).
                _ => {
                    let rgb: Vec<u8> = data
                        .chunks_exact(4)
                        .take(n)
                        .flat_map(|p| {
                            [p[0], p[1], p[2]]
                                .map(|ink| 255u8.saturating_sub(ink.saturating_add(p[3])))
                        })
                        .collect();
                    return from_rgb(w, h, rgb.chunks_exact(3))
                        .ok_or_else(|| "image data is short".into());
                }
            };
            GrayImage::from_raw(w, h, v)
                .map(|g| (g, None))
                .ok_or_else(|| "image data is short".into())
        }
        (b, c) => {
            Err(format!("images with {b} bits per component and {c} components are not supported"))
        }
    }
}

/// CCITT group 4 data: a one-strip TIFF around it, decoded by `tiff`.
fn ccitt(stream: &lopdf::Stream, w: u32, h: u32, budget: &Budget) -> Result<GrayImage, String> {
    let parms = stream.dict.get(b"DecodeParms").ok().and_then(|o| o.as_dict().ok());
    let int = |k: &[u8], d: i64| {
        parms.and_then(|p| p.get(k).ok()).and_then(|o| o.as_i64().ok()).unwrap_or(d)
    };
    let k = int(b"K", 0);
    if k >= 0 {
        return Err("CCITT group 3 images are not supported (only group 4)".into());
    }
    let cols = int(b"Columns", 1728).max(1) as u32;
    let rows = if int(b"Rows", 0) > 0 { int(b"Rows", 0) as u32 } else { h };
    let black_is_1 =
        parms.and_then(|p| p.get(b"BlackIs1").ok()).and_then(|o| o.as_bool().ok()).unwrap_or(false);
    let tiff = wrap_g4(&stream.content, cols.max(w), rows);
    let pages = input::decode(&tiff, budget).map_err(|e| e.to_string())?;
    let g = pages.into_iter().next().map(|p| p.gray).ok_or("empty CCITT image")?;
    // The TIFF says 0 is white (the CCITT convention); BlackIs1 only says
    // how the PDF's own samples are to be read, which `Decode` handles.
    let _ = black_is_1;
    Ok(g)
}

/// A little-endian TIFF with one strip of group 4 data.
pub fn wrap_g4(data: &[u8], w: u32, h: u32) -> Vec<u8> {
    let entries: [(u16, u16, u32); 8] = [
        (256, 4, w),                 // ImageWidth
        (257, 4, h),                 // ImageLength
        (258, 3, 1),                 // BitsPerSample
        (259, 3, 4),                 // Compression: CCITT T.6 (group 4)
        (262, 3, 0),                 // PhotometricInterpretation: WhiteIsZero
        (273, 4, 0),                 // StripOffsets (patched below)
        (278, 4, h),                 // RowsPerStrip
        (279, 4, data.len() as u32), // StripByteCounts
    ];
    let ifd_len = 2 + entries.len() * 12 + 4;
    let data_at = 8 + ifd_len as u32;
    let mut out = Vec::with_capacity(data_at as usize + data.len());
    out.extend(b"II*\0");
    out.extend(8u32.to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    for (tag, ty, value) in entries {
        out.extend(tag.to_le_bytes());
        out.extend(ty.to_le_bytes());
        out.extend(1u32.to_le_bytes());
        let v = if tag == 273 { data_at } else { value };
        if ty == 3 {
            out.extend((v as u16).to_le_bytes());
            out.extend([0, 0]);
        } else {
            out.extend(v.to_le_bytes());
        }
    }
    out.extend(0u32.to_le_bytes());
    out.extend(data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first page of an image-only PDF, as the scan reader gets it.
    fn first_image(doc: &Document, bytes: &[u8], budget: &Budget) -> PageImage {
        match super::super::route::pages(doc, bytes, budget).unwrap() {
            super::super::route::PdfPages::Scan(mut pages) => pages.remove(0)().unwrap(),
            _ => panic!("not read as a scan"),
        }
    }

    /// Page space has y down: a row drawn down the page is a quarter turn
    /// clockwise; mirrored or tilted drawings are left to the renderer.
    #[test]
    fn quarter_turns_follow_the_drawn_rows() {
        let d = |across, down| Drawn { id: (1, 0), across, down };
        assert_eq!(quarter_turns(d((500.0, 0.0), (0.0, 700.0))), Some(0));
        assert_eq!(quarter_turns(d((0.0, 500.0), (-700.0, 0.0))), Some(1));
        assert_eq!(quarter_turns(d((-500.0, 0.0), (0.0, -700.0))), Some(2));
        assert_eq!(quarter_turns(d((0.0, -500.0), (700.0, 0.0))), Some(3));
        // 2° off upright: the deskew takes it.
        assert_eq!(quarter_turns(d((500.0, 17.5), (-24.4, 700.0))), Some(0));
        assert_eq!(quarter_turns(d((500.0, 0.0), (0.0, -700.0))), None);
        assert_eq!(quarter_turns(d((433.0, 250.0), (-350.0, 606.0))), None);
    }

    /// An image-only PDF with a Flate-compressed image (8-bit gray, then
    /// 1-bit): the page image comes back with its pixels, and the page
    /// resolution from the image width over the page width.
    #[test]
    fn flate_images_decode() {
        use lopdf::{dictionary, Object, Stream};
        let (w, h) = (400u32, 20u32);
        let gray: Vec<u8> = (0..w * h).map(|i| if (i % w) < 10 { 0 } else { 200 }).collect();
        let bits: Vec<u8> =
            (0..h).flat_map(|_| (0..w / 8).map(|i| if i < 2 { 0x00u8 } else { 0xff })).collect();
        for (bpc, data, left, right) in [(8i64, gray, 0u8, 200u8), (1, bits, 0, 255)] {
            let mut doc = Document::with_version("1.5");
            let pages = doc.new_object_id();
            let mut img = Stream::new(
                dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => w as i64, "Height" => h as i64, "ColorSpace" => "DeviceGray", "BitsPerComponent" => bpc },
                data,
            );
            img.compress().unwrap();
            let img = doc.add_object(img);
            let content = doc
                .add_object(Stream::new(dictionary! {}, b"q 144 0 0 72 0 0 cm /Im0 Do Q".to_vec()));
            let page = doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages, "MediaBox" => vec![0.into(), 0.into(), 144.into(), 72.into()], "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => img } }, "Contents" => content });
            doc.objects.insert(
                pages,
                Object::Dictionary(
                    dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
                ),
            );
            let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
            doc.trailer.set("Root", catalog);
            let mut bytes = Vec::new();
            doc.save_to(&mut bytes).unwrap();
            let budget = Budget::default();
            let parsed = crate::source::pdf::load(&bytes, &budget).unwrap();
            assert!(crate::source::pdf::is_image_only(&parsed, &budget).unwrap());
            let got = first_image(&parsed, &bytes, &budget);
            assert_eq!((got.gray.width(), got.gray.height()), (w, h));
            assert_eq!(
                (got.gray.get_pixel(2, 5)[0], got.gray.get_pixel(300, 5)[0]),
                (left, right),
                "{bpc} bits"
            );
            assert!((got.dpi - 200.0).abs() < 0.1, "400 px over 2 inches: {}", got.dpi);
        }
    }

    /// A page that draws no image (text as outlines, say) is not refused:
    /// `pdftoppm` renders it at 300 dpi, ink where the page has ink.
    #[test]
    fn a_page_without_an_image_is_rendered() {
        use lopdf::{dictionary, Stream};
        let mut doc = Document::with_version("1.5");
        let pages = doc.new_object_id();
        // A black 72 x 36 pt box at the top-left of a 144 x 72 pt page.
        let content = doc.add_object(Stream::new(dictionary! {}, b"0 g 0 36 72 36 re f".to_vec()));
        let page = doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages, "MediaBox" => vec![0.into(), 0.into(), 144.into(), 72.into()], "Contents" => content });
        doc.objects.insert(
            pages,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
            ),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
        doc.trailer.set("Root", catalog);
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes).unwrap();
        let budget = Budget::default();
        let doc = crate::source::pdf::load(&bytes, &budget).unwrap();
        let got = first_image(&doc, &bytes, &budget);
        assert_eq!((got.gray.width(), got.gray.height(), got.dpi), (600, 300, 300.0));
        assert_eq!((got.gray.get_pixel(100, 50)[0], got.gray.get_pixel(500, 250)[0]), (0, 255));
    }

    /// A group 4 image as a PDF holds it: wrapped and decoded, black where
    /// it was black.
    #[test]
    fn ccitt_group4_decodes() {
        use fax::{encoder::Encoder, Color, VecWriter};
        let (w, h) = (32u16, 16u16);
        let black = |x: u16, y: u16| (8..20).contains(&x) && (4..12).contains(&y);
        let mut enc = Encoder::new(VecWriter::new());
        for y in 0..h {
            enc.encode_line(
                (0..w).map(|x| if black(x, y) { Color::Black } else { Color::White }),
                w,
            )
            .unwrap();
        }
        let data = enc.finish().unwrap().finish();
        let tiff = wrap_g4(&data, w as u32, h as u32);
        let g = input::decode(&tiff, &Budget::default()).unwrap().remove(0).gray;
        for y in 0..h {
            for x in 0..w {
                assert_eq!(g.get_pixel(x as u32, y as u32)[0] == 0, black(x, y), "pixel {x},{y}");
            }
        }
    }
}
