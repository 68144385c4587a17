//! Image-only PDFs that draw their scan other than upright and whole, made
//! here with lopdf from scan_33's pages (200 dpi): a scan stored sideways
//! under the page's `/Rotate`, one stored sideways and drawn turned by its
//! matrix, and one cut into two strips. Each must read as exactly as the
//! pages themselves, without the orientation check's rereading.

use image::GrayImage;
use lopdf::{dictionary, Document, Object, Stream};
use serde_json::Value;

use crate::scan::check;
use crate::util::{root, xxgk, TempDir};

const STEM: &str = "samples/scanned/scan_33_200_2021";
const DPI: f32 = 200.0;

/// One image as the PDF stores it, and the matrix that draws it.
struct Drawn {
    pixels: GrayImage,
    cm: [f32; 6],
}

fn jpeg(g: &GrayImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80).encode_image(g).unwrap();
    out
}

fn pdf(pages: Vec<Page>) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let tree = doc.new_object_id();
    let mut kids = Vec::new();
    for ((w, h), rotate, images) in pages {
        let mut xobjects = lopdf::Dictionary::new();
        let mut content = String::new();
        for (k, d) in images.iter().enumerate() {
            let (pw, ph) = d.pixels.dimensions();
            let img = Stream::new(
                dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => pw as i64, "Height" => ph as i64, "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8, "Filter" => "DCTDecode" },
                jpeg(&d.pixels),
            );
            xobjects.set(format!("Im{k}"), doc.add_object(img));
            let m = d.cm;
            content += &format!(
                "q {} {} {} {} {} {} cm /Im{k} Do Q\n",
                m[0], m[1], m[2], m[3], m[4], m[5]
            );
        }
        let contents = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
        let page = doc.add_object(dictionary! { "Type" => "Page", "Parent" => tree, "MediaBox" => vec![0.into(), 0.into(), w.into(), h.into()], "Rotate" => rotate, "Resources" => dictionary! { "XObject" => xobjects }, "Contents" => contents });
        kids.push(Object::from(page));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        tree,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => tree });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// A page of the PDF: its media box size, `/Rotate`, and images.
type Page = ((f32, f32), i64, Vec<Drawn>);

/// scan_33's three pages, each made into a PDF page by `f`.
fn each_page(f: impl Fn(GrayImage) -> Page) -> Vec<Page> {
    (1..=3)
        .map(|k| f(image::open(root().join(format!("{STEM}.p{k}.jpg"))).unwrap().into_luma8()))
        .collect()
}

fn pt(px: u32) -> f32 {
    px as f32 * 72.0 / DPI
}

/// Reads `bytes` as `name` and checks it against scan_33's truth: every
/// field and the organization right, and no page read turned.
fn read_exactly(dir: &TempDir, name: &str, bytes: Vec<u8>) {
    let path = dir.0.join(name);
    std::fs::write(&path, bytes).unwrap();
    let o = check(&root().join(format!("{STEM}.truth.json")), std::slice::from_ref(&path));
    assert_eq!((o.wrong, o.organization), (Vec::<String>::new(), Vec::<String>::new()), "{name}");
    let got: Value =
        serde_json::from_slice(&xxgk(&["extract", path.to_str().unwrap()]).stdout).unwrap();
    let turned: Vec<&Value> =
        got["warnings"].as_array().unwrap().iter().filter(|w| w["code"] == "page-turned").collect();
    assert!(turned.is_empty(), "{name}: {turned:?}");
}

/// Stored a quarter turn anticlockwise: shown upright by `/Rotate 90` on a
/// landscape media box, or by a matrix that turns it on a portrait one.
#[test]
fn a_scan_stored_sideways_is_read_as_the_page_shows_it() {
    let dir = TempDir::new("scan-pdf-turned");
    let rotate = each_page(|p| {
        let s = image::imageops::rotate270(&p);
        let (w, h) = (pt(s.width()), pt(s.height()));
        ((w, h), 90, vec![Drawn { pixels: s, cm: [w, 0.0, 0.0, h, 0.0, 0.0] }])
    });
    read_exactly(&dir, "rotate.pdf", pdf(rotate));
    let matrix = each_page(|p| {
        let s = image::imageops::rotate270(&p);
        // The image's x axis runs down the page, its y axis to the right.
        let (w, h) = (pt(s.height()), pt(s.width()));
        ((w, h), 0, vec![Drawn { pixels: s, cm: [0.0, -h, w, 0.0, 0.0, h] }])
    });
    read_exactly(&dir, "matrix.pdf", pdf(matrix));
}

/// A scan cut into a top and a bottom strip: the page is rendered whole
/// (`pdftoppm`), not read from its larger strip alone (99 of 207 fields).
#[test]
fn a_scan_in_strips_is_read_whole() {
    let dir = TempDir::new("scan-pdf-strips");
    let strips = each_page(|p| {
        let (w, h) = p.dimensions();
        let top = image::imageops::crop_imm(&p, 0, 0, w, h / 2).to_image();
        let bottom = image::imageops::crop_imm(&p, 0, h / 2, w, h - h / 2).to_image();
        let (pw, tb, bb) = (pt(w), pt(h / 2), pt(h - h / 2));
        (
            (pw, tb + bb),
            0,
            vec![
                Drawn { pixels: top, cm: [pw, 0.0, 0.0, tb, 0.0, bb] },
                Drawn { pixels: bottom, cm: [pw, 0.0, 0.0, bb, 0.0, 0.0] },
            ],
        )
    });
    read_exactly(&dir, "strips.pdf", pdf(strips));
}
