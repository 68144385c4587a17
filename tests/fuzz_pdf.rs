//! A PDF-structure fuzzer, run by `scripts/fuzz SECS pdf-structure`
//! (ignored in the normal suite). Where the byte fuzzer (`fuzz.rs`) mostly
//! breaks a file's syntax, this one keeps it parseable and breaks what the
//! readers trust: stream lengths, filters and their parameters, inflation
//! bombs, page trees (cycles, duplicated kids, depth, wrong counts, dangling
//! kids), forms that draw themselves, resources that loop, object streams.
//! Sample PDFs are parsed with lopdf, mutated object by object, saved, and
//! sometimes edited as bytes (a `/Length` that lies). Each result goes
//! through the PDF readers with the default budget: the text layer, and for
//! an image-only PDF every page image decoded (or rendered); one in
//! [`FULL_EVERY`] also through the whole pipeline, OCR included (seconds
//! each). A crash is a panic (or the test process dying); panics the text
//! reader catches itself (lopdf's, reported as a damaged PDF) are counted
//! apart. Settings as in `fuzz.rs`.

use std::io::Write;
use std::time::{Duration, Instant};

use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, Stream};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use xxgk::{DocumentError, TemplateSet};

/// One structural edit; numbers pick objects, kids and values modulo what
/// the document has.
#[derive(Clone, Debug)]
enum Edit {
    /// A `/Length` in the saved bytes replaced by another number.
    Length(usize, i64),
    /// A stream's filters replaced (empty: removed).
    Filter(usize, Vec<u8>),
    /// Decode parameters (predictor, columns, colors, bits) on a stream.
    Parms(usize, i64, i64, i64, i64),
    /// A stream's data replaced by zeros deflated, inflating past the budget.
    Bomb(usize),
    /// A page's kid repeated.
    DuplicateKid(usize, usize),
    /// A page tree node made its own kid, or a page its own parent.
    Cycle(usize),
    /// The page tree put under a chain of this many Pages nodes.
    Deep(usize),
    /// `/Count` of the root set to this.
    Count(i64),
    /// A kid replaced by a dangling reference or a non-reference.
    BadKid(usize, bool),
    /// A page's `/Type` removed or made `/Pages`.
    Retype(usize, bool),
    /// A form drawn by a page that draws itself (or a chain of `n`).
    SelfForm(usize, usize),
    /// A page's `/Resources` made a reference to itself's parent chain.
    LoopResources(usize),
    /// A page's contents: the same stream many times.
    RepeatContents(usize, usize),
}

/// One input in this many also goes through the whole pipeline.
const FULL_EVERY: u64 = 16;

const FILTERS: &[&[u8]] = &[
    b"FlateDecode",
    b"LZWDecode",
    b"ASCII85Decode",
    b"ASCIIHexDecode",
    b"RunLengthDecode",
    b"DCTDecode",
    b"JPXDecode",
    b"JBIG2Decode",
    b"CCITTFaxDecode",
    b"Crypt",
    b"Bogus",
];

fn edit() -> impl Strategy<Value = Edit> {
    let n = any::<usize>();
    prop_oneof![
        3 => (n, prop_oneof![Just(0i64), Just(-1), Just(1 << 40), -64i64..64, 0i64..1_000_000]).prop_map(|(i, v)| Edit::Length(i, v)),
        3 => (n, prop::collection::vec(0..FILTERS.len() as u8, 0..4)).prop_map(|(i, f)| Edit::Filter(i, f)),
        2 => (n, -2i64..16, prop_oneof![Just(0i64), Just(-1), 1i64..5000, Just(1 << 31)], -1i64..6, prop_oneof![Just(0i64), Just(1), Just(3), Just(8), Just(16), Just(64)]).prop_map(|(i, p, c, k, b)| Edit::Parms(i, p, c, k, b)),
        1 => n.prop_map(Edit::Bomb),
        2 => (n, 1usize..2000).prop_map(|(i, k)| Edit::DuplicateKid(i, k)),
        2 => n.prop_map(Edit::Cycle),
        1 => (1usize..1200).prop_map(Edit::Deep),
        1 => prop_oneof![Just(0i64), Just(-5), Just(1 << 40), 0i64..100].prop_map(Edit::Count),
        2 => (n, any::<bool>()).prop_map(|(i, d)| Edit::BadKid(i, d)),
        1 => (n, any::<bool>()).prop_map(|(i, p)| Edit::Retype(i, p)),
        2 => (n, 1usize..40).prop_map(|(i, k)| Edit::SelfForm(i, k)),
        1 => n.prop_map(Edit::LoopResources),
        1 => (n, 2usize..3000).prop_map(|(i, k)| Edit::RepeatContents(i, k)),
    ]
}

/// 96 MiB of zeros deflated (96 KB): past the default 64 MiB budget.
fn bomb() -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..96 {
        z.write_all(&chunk).unwrap();
    }
    z.finish().unwrap()
}

fn streams(doc: &Document) -> Vec<ObjectId> {
    doc.objects.iter().filter(|(_, o)| matches!(o, Object::Stream(_))).map(|(id, _)| *id).collect()
}

fn stream_mut<'a>(doc: &'a mut Document, ids: &[ObjectId], i: usize) -> Option<&'a mut Stream> {
    let id = *ids.get(i % ids.len().max(1))?;
    doc.objects.get_mut(&id).and_then(|o| o.as_stream_mut().ok())
}

fn pages(doc: &Document) -> Vec<ObjectId> {
    doc.page_iter().take(64).collect()
}

fn root_pages(doc: &Document) -> Option<ObjectId> {
    doc.catalog().ok()?.get(b"Pages").ok()?.as_reference().ok()
}

fn dict_mut(doc: &mut Document, id: ObjectId) -> Option<&mut Dictionary> {
    doc.objects.get_mut(&id).and_then(|o| o.as_dict_mut().ok())
}

/// Applies the object edits; the `/Length` edits are left for the bytes.
fn apply(doc: &mut Document, edits: &[Edit], bomb: &[u8]) {
    let ids = streams(doc);
    for e in edits {
        let pages = pages(doc);
        let page = |i: usize| pages.get(i % pages.len().max(1)).copied();
        match e {
            Edit::Length(..) => {}
            Edit::Filter(i, f) => {
                if let Some(s) = stream_mut(doc, &ids, *i) {
                    let names: Vec<Object> =
                        f.iter().map(|&k| Object::Name(FILTERS[k as usize].to_vec())).collect();
                    match names.len() {
                        0 => {
                            s.dict.remove(b"Filter");
                        }
                        1 => s.dict.set("Filter", names[0].clone()),
                        _ => s.dict.set("Filter", names),
                    }
                }
            }
            Edit::Parms(i, p, c, k, b) => {
                if let Some(s) = stream_mut(doc, &ids, *i) {
                    s.dict.set(
                        "DecodeParms",
                        dictionary! { "Predictor" => *p, "Columns" => *c, "Colors" => *k, "BitsPerComponent" => *b },
                    );
                }
            }
            Edit::Bomb(i) => {
                if let Some(s) = stream_mut(doc, &ids, *i) {
                    s.set_content(bomb.to_vec());
                    s.dict.set("Filter", "FlateDecode");
                }
            }
            Edit::DuplicateKid(i, k) => {
                let Some(root) = root_pages(doc) else { continue };
                let Some(p) = page(*i) else { continue };
                if let Some(Ok(kids)) = dict_mut(doc, root)
                    .and_then(|d| d.get_mut(b"Kids").ok())
                    .map(|k| k.as_array_mut())
                {
                    kids.extend(std::iter::repeat_n(Object::Reference(p), *k));
                }
            }
            Edit::Cycle(i) => {
                let Some(root) = root_pages(doc) else { continue };
                if i % 2 == 0 {
                    if let Some(Ok(kids)) = dict_mut(doc, root)
                        .and_then(|d| d.get_mut(b"Kids").ok())
                        .map(|k| k.as_array_mut())
                    {
                        kids.insert(0, Object::Reference(root));
                    }
                } else if let Some(p) = page(*i) {
                    if let Some(d) = dict_mut(doc, p) {
                        d.set("Parent", p);
                    }
                }
            }
            Edit::Deep(n) => {
                let Some(mut root) = root_pages(doc) else { continue };
                for _ in 0..*n {
                    let up = doc.add_object(
                        dictionary! { "Type" => "Pages", "Kids" => vec![Object::Reference(root)], "Count" => 1 },
                    );
                    if let Some(d) = dict_mut(doc, root) {
                        d.set("Parent", up);
                    }
                    root = up;
                }
                if let Ok(c) = doc.catalog_mut() {
                    c.set("Pages", root);
                }
            }
            Edit::Count(c) => {
                if let Some(d) = root_pages(doc).and_then(|r| dict_mut(doc, r)) {
                    d.set("Count", *c);
                }
            }
            Edit::BadKid(i, dangling) => {
                let Some(root) = root_pages(doc) else { continue };
                if let Some(Ok(kids)) = dict_mut(doc, root)
                    .and_then(|d| d.get_mut(b"Kids").ok())
                    .map(|k| k.as_array_mut())
                {
                    if !kids.is_empty() {
                        let k = i % kids.len();
                        kids[k] = if *dangling {
                            Object::Reference((999_999, 0))
                        } else {
                            Object::Integer(*i as i64)
                        };
                    }
                }
            }
            Edit::Retype(i, as_pages) => {
                let Some(p) = page(*i) else { continue };
                if let Some(d) = dict_mut(doc, p) {
                    if *as_pages {
                        d.set("Type", "Pages");
                    } else {
                        d.remove(b"Type");
                    }
                }
            }
            Edit::SelfForm(i, chain) => {
                let Some(p) = page(*i) else { continue };
                // A chain of forms, each drawing the next; the last draws the first.
                let first = doc.new_object_id();
                let mut ids = vec![first];
                for _ in 1..*chain {
                    ids.push(doc.new_object_id());
                }
                for (k, id) in ids.iter().enumerate() {
                    let next = ids[(k + 1) % ids.len()];
                    let form = Stream::new(
                        dictionary! {
                            "Type" => "XObject", "Subtype" => "Form",
                            "BBox" => vec![0.into(), 0.into(), 100.into(), 100.into()],
                            "Resources" => dictionary! { "XObject" => dictionary! { "Fx" => next } },
                        },
                        b"q 1 0 0 1 1 1 cm /Fx Do Q 0 0 m 50 0 l S".to_vec(),
                    );
                    doc.objects.insert(*id, Object::Stream(form));
                }
                let draw = doc.add_object(Stream::new(dictionary! {}, b"/Fx Do".to_vec()));
                if let Some(d) = dict_mut(doc, p) {
                    d.set("Resources", dictionary! { "XObject" => dictionary! { "Fx" => first } });
                    d.set("Contents", draw);
                }
            }
            Edit::LoopResources(i) => {
                let Some(p) = page(*i) else { continue };
                let a = doc.new_object_id();
                let b = doc.add_object(Object::Reference(a));
                doc.objects.insert(a, Object::Reference(b));
                if let Some(d) = dict_mut(doc, p) {
                    d.set("Resources", a);
                }
            }
            Edit::RepeatContents(i, k) => {
                let Some(p) = page(*i) else { continue };
                let Some(d) = dict_mut(doc, p) else { continue };
                let first = match d.get(b"Contents") {
                    Ok(Object::Reference(r)) => Some(*r),
                    Ok(Object::Array(a)) => a.first().and_then(|o| o.as_reference().ok()),
                    _ => None,
                };
                if let Some(r) = first {
                    d.set("Contents", vec![Object::Reference(r); *k]);
                }
            }
        }
    }
}

/// The `/Length` edits, on the saved bytes: the `i`-th `/Length N` (mod
/// how many there are) says `v` instead.
fn lie_about_lengths(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let Edit::Length(i, v) = e else { continue };
        let at: Vec<usize> = bytes
            .windows(8)
            .enumerate()
            .filter(|(_, w)| w == b"/Length ")
            .map(|(k, _)| k)
            .collect();
        if at.is_empty() {
            break;
        }
        let start = at[i % at.len()] + 8;
        let end = start + bytes[start..].iter().take_while(|b| b.is_ascii_digit()).count();
        bytes.splice(start..end, v.to_string().into_bytes());
    }
    bytes
}

/// The PDF readers without OCR: the text layer; for an image-only PDF,
/// every page image. `Err` on a panic; `Ok(true)` when the text reader
/// caught one itself (lopdf failing on the file).
fn read(bytes: &[u8]) -> Result<bool, String> {
    // pdftoppm may take minutes on a page drawing one image a thousand
    // times; the budget's time stops it, as in a batch, only sooner.
    let budget = xxgk::Budget { timeout: Some(Duration::from_secs(5)), ..Default::default() };
    std::panic::catch_unwind(|| {
        let caught = matches!(
            xxgk::source::pdf::read_layer(bytes, &budget),
            Err(DocumentError::PdfDamaged(m)) if m == "the PDF parser failed on it"
        );
        #[cfg(feature = "ocr")]
        {
            use xxgk::source::pdf;
            if let Ok(doc) = pdf::load(bytes, &budget) {
                if let Ok(pdf::route::PdfPages::Scan(pages)) =
                    pdf::route::pages(&doc, bytes, &budget)
                {
                    for page in pages {
                        let _ = page();
                    }
                }
            }
        }
        caught
    })
    .map_err(|p| {
        p.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into())
    })
}

/// The sample PDFs lopdf loads, text and scanned.
fn samples() -> Vec<(String, Document)> {
    let mut out = Vec::new();
    for dir in ["samples/pdf", "samples/scanned", "samples/broken"] {
        let Ok(rd) = std::fs::read_dir(crate::util::root().join(dir)) else { continue };
        let mut paths: Vec<_> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
            .collect();
        paths.sort();
        for p in paths {
            if let Ok(doc) = Document::load(&p) {
                out.push((p.display().to_string(), doc));
            }
        }
    }
    out
}

#[test]
#[ignore = "long; run by scripts/fuzz"]
fn fuzz_pdf_structure() {
    let crate::fuzz::Settings { secs, deadline, threads, seed } = crate::fuzz::settings();
    let samples = samples();
    assert!(samples.len() >= 8, "sample PDFs: {}", samples.len());
    let bomb = bomb();
    // Executions, crashes, slowest time and case, panics caught as damage.
    type Tally = (u64, Vec<String>, Duration, String, u64);
    let tallies: Vec<Tally> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads as u64)
            .map(|k| {
                let (samples, bomb) = (&samples, &bomb);
                s.spawn(move || {
                    let templates = TemplateSet::builtin().expect("built-in models");
                    let mut runner = crate::fuzz::seeded_runner(seed.wrapping_add(k));
                    let strategy = (0..samples.len(), prop::collection::vec(edit(), 1..6), 0..4u8);
                    let mut t: Tally = (0, Vec::new(), Duration::ZERO, String::new(), 0);
                    while Instant::now() < deadline {
                        let (which, edits, save) = strategy
                            .new_tree(&mut runner)
                            .expect("generators do not reject")
                            .current();
                        let mut doc = samples[which].1.clone();
                        apply(&mut doc, &edits, bomb);
                        let mut bytes = Vec::new();
                        // Now and then with object and cross-reference streams.
                        let saved = if save == 0 {
                            doc.save_modern(&mut bytes)
                        } else {
                            doc.save_to(&mut bytes)
                        };
                        if saved.is_err() {
                            continue;
                        }
                        let bytes = lie_about_lengths(bytes, &edits);
                        let start = Instant::now();
                        let crash = match read(&bytes) {
                            Err(m) => Some(m),
                            Ok(caught) => {
                                t.4 += u64::from(caught);
                                t.0.is_multiple_of(FULL_EVERY)
                                    .then(|| {
                                        xxgk::extract_bytes(&bytes, &samples[which].0, &templates)
                                    })
                                    .and_then(|r| match r {
                                        Err(DocumentError::Panic(m)) => Some(m),
                                        _ => None,
                                    })
                            }
                        };
                        let took = start.elapsed();
                        if took > t.2 {
                            t.2 = took;
                            t.3 = format!("{} {:?}", samples[which].0, edits);
                        }
                        t.0 += 1;
                        if let Some(m) = crash {
                            let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                                .join("fuzz-crashes");
                            let _ = std::fs::create_dir_all(&dir);
                            let path =
                                dir.join(format!("pdf-structure-{seed}-{k}-{}.pdf", t.1.len()));
                            let _ = std::fs::write(&path, &bytes);
                            t.1.push(format!("{}: {m} ({edits:?})", path.display()));
                        }
                    }
                    t
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a fuzz thread died outside the reader"))
            .collect()
    });
    let executions: u64 = tallies.iter().map(|t| t.0).sum();
    let crashes: Vec<&String> = tallies.iter().flat_map(|t| &t.1).collect();
    let slowest = tallies.iter().max_by_key(|t| t.2).expect("one thread at least");
    println!(
        "fuzz pdf structure: seed {seed}, {secs} s, {threads} threads, {} sample PDFs",
        samples.len()
    );
    let caught: u64 = tallies.iter().map(|t| t.4).sum();
    println!(
        "fuzz total: {executions} executions ({} through the whole pipeline), {} crashes, {caught} parser panics caught as damage, slowest case {:.1} ms ({})",
        executions.div_ceil(FULL_EVERY),
        crashes.len(),
        slowest.2.as_secs_f64() * 1000.0,
        slowest.3.chars().take(300).collect::<String>()
    );
    assert!(
        crashes.is_empty(),
        "crashes (inputs saved):\n{}",
        crashes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n")
    );
}
