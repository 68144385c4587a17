//! PDF reader, step 2: the content-stream interpreter. A page's (or Form
//! XObject's) operations with its resources → [`Ink`]: positioned glyphs
//! and the raw line segments of painted paths, in page coordinates (points,
//! origin top-left, y down; the caller's base matrix does that flip).
//!
//! Honoured: the CTM stack (`q`/`Q`/`cm`), text objects and matrices
//! (`BT`/`Tm`/`Td`/`TD`/`T*`/`'`/`"`), text state (`Tf`/`Tc`/`Tw`/`Tz`/`TL`/
//! `Ts`/`Tr`), `TJ` adjustments, Form XObjects with their `/Matrix`. Path
//! painting is reduced to what can be a table rule: straight stroked
//! segments, and filled rectangles thinner than [`THIN`]. A clipping path
//! ends with `n` and paints nothing, so WPS's many `re W n` never count;
//! filled rectangles of real area are cell shading, not rules.

use std::collections::HashMap;
use std::rc::Rc;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use super::font::{Code, Font};
use super::geom::Matrix;
use super::lexer::{Lexer, Obj};
use super::objects::{array, deref, dict, name, numbers, stream_bytes, Unread};

/// A filled rectangle thinner than this (points) is drawn as a rule.
pub const THIN: f32 = 2.0;
/// Form XObjects nest at most this deep.
const MAX_DEPTH: usize = 12;
/// Operations per page beyond this are not interpreted (a hostile or
/// pathological page must not take unbounded time).
const MAX_OPS: usize = 4_000_000;
/// Glyphs per page beyond this are dropped.
const MAX_GLYPHS: usize = 400_000;

/// One shown glyph.
#[derive(Clone, Debug, PartialEq)]
pub struct Glyph {
    pub text: String,
    /// Box in page coordinates.
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
    /// Em height in points.
    pub size: f32,
}

/// A straight painted segment in page coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Seg {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

/// What a page paints that matters here.
#[derive(Clone, Debug, Default)]
pub struct Ink {
    pub glyphs: Vec<Glyph>,
    pub segs: Vec<Seg>,
    /// Image XObjects painted (scanned pages are one big image).
    pub images: usize,
    /// Each image XObject painted by reference: its object and the matrix
    /// that maps its unit square onto the page (where a scan's pixels go).
    pub placed: Vec<(ObjectId, Matrix)>,
    /// Whether a limit cut the page short.
    pub truncated: bool,
    /// The page's content and forms would inflate to more than the page
    /// may (a decompression bomb): what was read before is kept, the rest
    /// is not read, and the reader refuses the file.
    pub over_inflate: bool,
}

/// Fonts shared by every page of a document.
#[derive(Default)]
pub struct FontCache {
    by_id: HashMap<ObjectId, Rc<Font>>,
}

#[derive(Clone)]
struct GState {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    size: f32,
    char_space: f32,
    word_space: f32,
    hscale: f32,
    leading: f32,
    rise: f32,
}

#[derive(Default)]
struct Subpath {
    /// Points; `true` if reached by a straight segment.
    pts: Vec<((f32, f32), bool)>,
    closed: bool,
}

pub struct Interp<'a> {
    doc: &'a Document,
    fonts: &'a mut FontCache,
    ink: Ink,
    gs: GState,
    saved: Vec<GState>,
    tm: Matrix,
    tlm: Matrix,
    path: Vec<Subpath>,
    ops: usize,
    codes: Vec<Code>,
    /// Form XObjects being run, to stop cycles.
    forms: Vec<ObjectId>,
    /// Bytes the page's content streams and forms may still inflate to: a
    /// form drawn a thousand times is inflated a thousand times.
    inflate_left: usize,
}

impl<'a> Interp<'a> {
    /// `inflate`: the most the page's streams may inflate to, in all.
    pub fn new(doc: &'a Document, fonts: &'a mut FontCache, base: Matrix, inflate: usize) -> Self {
        let gs = GState {
            ctm: base,
            font: None,
            size: 0.0,
            char_space: 0.0,
            word_space: 0.0,
            hscale: 1.0,
            leading: 0.0,
            rise: 0.0,
        };
        Interp {
            doc,
            fonts,
            ink: Ink::default(),
            gs,
            saved: Vec::new(),
            tm: Matrix::IDENTITY,
            tlm: Matrix::IDENTITY,
            path: Vec::new(),
            ops: 0,
            codes: Vec::new(),
            forms: Vec::new(),
            inflate_left: inflate,
        }
    }

    /// A content stream's bytes, charged against what the page may still
    /// inflate to; `None` when it does not decode, or would pass that (then
    /// the page is marked and nothing more of it runs).
    pub fn inflate(&mut self, stream: &Stream) -> Option<Vec<u8>> {
        if self.ink.over_inflate {
            return None;
        }
        match stream_bytes(stream, self.inflate_left) {
            Ok(bytes) => {
                self.inflate_left -= bytes.len();
                Some(bytes)
            }
            Err(Unread::TooLarge) => {
                self.ink.over_inflate = true;
                self.ink.truncated = true;
                None
            }
            Err(Unread::Undecodable) => None,
        }
    }

    pub fn finish(self) -> Ink {
        self.ink
    }

    /// Runs one content stream with its resources.
    /// Operations run as the lexer finds them: collecting a stream's first
    /// (up to four million of 64 MiB) took hundreds of MB.
    pub fn run(&mut self, content: &[u8], resources: Option<&'a Dictionary>) {
        Lexer::new(content).for_each_op(|op, args| {
            if self.ink.truncated {
                return;
            }
            self.ops += 1;
            if self.ops > MAX_OPS {
                self.ink.truncated = true;
                return;
            }
            self.op(op, args, resources);
        });
    }

    fn op(&mut self, op: &[u8], args: &[Obj], res: Option<&'a Dictionary>) {
        let n = |i: usize| args.get(i).and_then(Obj::num).unwrap_or(0.0);
        let nums6 = || -> Option<Matrix> {
            let v: Vec<f32> = args.iter().filter_map(Obj::num).collect();
            (args.len() == 6 && v.len() == 6)
                .then(|| Matrix::new([v[0], v[1], v[2], v[3], v[4], v[5]]))
        };
        match op {
            // Unbalanced `q` floods from broken producers stop at a sane depth.
            b"q" if self.saved.len() < 4096 => self.saved.push(self.gs.clone()),
            b"Q" => {
                if let Some(g) = self.saved.pop() {
                    self.gs = g;
                }
            }
            b"cm" => {
                if let Some(m) = nums6() {
                    self.gs.ctm = m.then(&self.gs.ctm);
                }
            }
            // Paths.
            b"m" => self.path.push(Subpath { pts: vec![((n(0), n(1)), false)], closed: false }),
            b"l" => self.line_to(n(0), n(1), true),
            b"c" => self.line_to(n(4), n(5), false),
            b"v" | b"y" => self.line_to(n(2), n(3), false),
            b"h" => {
                if let Some(s) = self.path.last_mut() {
                    s.closed = true;
                }
            }
            b"re" => {
                let (x, y, w, h) = (n(0), n(1), n(2), n(3));
                let pts = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)];
                self.path.push(Subpath {
                    pts: pts.iter().enumerate().map(|(i, p)| (*p, i > 0)).collect(),
                    closed: true,
                });
            }
            b"S" => self.paint(true, false),
            b"s" => {
                if let Some(s) = self.path.last_mut() {
                    s.closed = true;
                }
                self.paint(true, false)
            }
            b"f" | b"F" | b"f*" => self.paint(false, true),
            b"B" | b"B*" | b"b" | b"b*" => self.paint(true, true),
            b"n" => self.path.clear(),
            // Text.
            b"BT" => {
                self.tm = Matrix::IDENTITY;
                self.tlm = Matrix::IDENTITY;
            }
            b"Tf" => {
                self.gs.size = n(1);
                self.gs.font = match args.first() {
                    Some(Obj::Name(f)) => self.font(res, f),
                    _ => None,
                };
            }
            b"Tc" => self.gs.char_space = n(0),
            b"Tw" => self.gs.word_space = n(0),
            b"Tz" => self.gs.hscale = n(0) / 100.0,
            b"TL" => self.gs.leading = n(0),
            b"Ts" => self.gs.rise = n(0),
            b"Td" => self.td(n(0), n(1)),
            b"TD" => {
                self.gs.leading = -n(1);
                self.td(n(0), n(1));
            }
            b"Tm" => {
                if let Some(m) = nums6() {
                    self.tm = m;
                    self.tlm = m;
                }
            }
            b"T*" => self.td(0.0, -self.gs.leading),
            b"Tj" => {
                if let Some(Obj::Str(s)) = args.first() {
                    self.show(s);
                }
            }
            b"'" => {
                self.td(0.0, -self.gs.leading);
                if let Some(Obj::Str(s)) = args.first() {
                    self.show(s);
                }
            }
            b"\"" => {
                self.gs.word_space = n(0);
                self.gs.char_space = n(1);
                self.td(0.0, -self.gs.leading);
                if let Some(Obj::Str(s)) = args.get(2) {
                    self.show(s);
                }
            }
            b"TJ" => {
                if let Some(Obj::Arr(items)) = args.first() {
                    for item in items {
                        match item {
                            Obj::Str(s) => self.show(s),
                            Obj::Num(adj) if adj.is_finite() => {
                                self.advance(-adj / 1000.0 * self.gs.size * self.gs.hscale)
                            }
                            _ => {}
                        }
                    }
                }
            }
            b"Do" => {
                if let Some(Obj::Name(x)) = args.first() {
                    self.xobject(res, x);
                }
            }
            _ => {}
        }
    }

    fn line_to(&mut self, x: f32, y: f32, straight: bool) {
        match self.path.last_mut() {
            Some(s) => s.pts.push(((x, y), straight)),
            None => self.path.push(Subpath { pts: vec![((x, y), false)], closed: false }),
        }
    }

    fn paint(&mut self, stroke: bool, fill: bool) {
        let path = std::mem::take(&mut self.path);
        let ctm = self.gs.ctm;
        for sub in &path {
            let pts: Vec<((f32, f32), bool)> =
                sub.pts.iter().map(|((x, y), s)| (ctm.apply(*x, *y), *s)).collect();
            if stroke {
                for w in pts.windows(2) {
                    if w[1].1 {
                        self.stroke_seg(w[0].0, w[1].0);
                    }
                }
                if sub.closed && pts.len() > 2 {
                    self.stroke_seg(pts[pts.len() - 1].0, pts[0].0);
                }
            }
            if fill {
                if let Some(r) = as_rect(&pts) {
                    self.fill_rect(r);
                }
            }
        }
    }

    fn stroke_seg(&mut self, a: (f32, f32), b: (f32, f32)) {
        let (dx, dy) = ((b.0 - a.0).abs(), (b.1 - a.1).abs());
        // Only horizontal or vertical lines can be rules; a slope of 1/50 is
        // still a rule drawn by a sloppy producer.
        if dx.max(dy) < 0.5 || (dx > dy * 50.0) == (dy > dx * 50.0) {
            return;
        }
        let seg = if dx > dy {
            Seg { x0: a.0.min(b.0), x1: a.0.max(b.0), y0: (a.1 + b.1) / 2.0, y1: (a.1 + b.1) / 2.0 }
        } else {
            Seg { x0: (a.0 + b.0) / 2.0, x1: (a.0 + b.0) / 2.0, y0: a.1.min(b.1), y1: a.1.max(b.1) }
        };
        self.ink.segs.push(seg);
    }

    fn fill_rect(&mut self, [x0, y0, x1, y1]: [f32; 4]) {
        let (w, h) = (x1 - x0, y1 - y0);
        if w.min(h) >= THIN || w.max(h) < THIN {
            return; // shading, or a dot
        }
        let seg = if w > h {
            Seg { x0, x1, y0: (y0 + y1) / 2.0, y1: (y0 + y1) / 2.0 }
        } else {
            Seg { x0: (x0 + x1) / 2.0, x1: (x0 + x1) / 2.0, y0, y1 }
        };
        self.ink.segs.push(seg);
    }

    fn td(&mut self, x: f32, y: f32) {
        self.tlm = Matrix::translate(x, y).then(&self.tlm);
        self.tm = self.tlm;
    }

    fn advance(&mut self, tx: f32) {
        let vertical = self.gs.font.as_ref().is_some_and(|f| f.vertical);
        self.tm = if vertical { Matrix::translate(0.0, tx) } else { Matrix::translate(tx, 0.0) }
            .then(&self.tm);
    }

    fn show(&mut self, s: &[u8]) {
        let Some(font) = self.gs.font.clone() else {
            return;
        };
        let mut codes = std::mem::take(&mut self.codes);
        codes.clear();
        font.codes(s, &mut codes);
        let g = &self.gs;
        let size = g.size;
        for code in &codes {
            let trm = Matrix::new([size * g.hscale, 0.0, 0.0, size, 0.0, g.rise])
                .then(&self.tm)
                .then(&g.ctm);
            let text = code.text.trim_matches('\0');
            if !text.is_empty() && self.ink.glyphs.len() < MAX_GLYPHS {
                let em = font.em;
                let [x0, y0, x1, y1] = if font.vertical {
                    trm.bbox(-0.5 * em, -em, 0.5 * em, 0.0)
                } else {
                    trm.bbox(0.0, -0.15 * em, code.width.max(0.05), 0.85 * em)
                };
                let esize = trm.y_scale() / g.hscale.abs().max(1e-3) * em;
                if [x0, y0, x1, y1].iter().all(|v| v.is_finite()) {
                    self.ink.glyphs.push(Glyph {
                        text: text.to_string(),
                        x0,
                        y0,
                        x1,
                        y1,
                        size: esize.max(0.1),
                    });
                }
            }
            let spacing = g.char_space + if code.word_space { g.word_space } else { 0.0 };
            // Vertical fonts advance down by the default vertical width (1 em).
            let step = if font.vertical {
                Matrix::translate(0.0, -size + spacing)
            } else {
                Matrix::translate((code.width * size + spacing) * g.hscale, 0.0)
            };
            self.tm = step.then(&self.tm);
        }
        self.codes = codes;
    }

    fn font(&mut self, res: Option<&'a Dictionary>, key: &[u8]) -> Option<Rc<Font>> {
        let doc = self.doc;
        let fonts = dict(doc, res?, b"Font")?;
        let raw = fonts.get(key).ok()?;
        if let Object::Reference(id) = raw {
            if let Some(f) = self.fonts.by_id.get(id) {
                return Some(f.clone());
            }
            let f = Rc::new(Font::load(doc, deref(doc, raw).as_dict().ok()?));
            self.fonts.by_id.insert(*id, f.clone());
            return Some(f);
        }
        Some(Rc::new(Font::load(doc, raw.as_dict().ok()?)))
    }

    fn xobject(&mut self, res: Option<&'a Dictionary>, key: &[u8]) {
        let doc = self.doc;
        let Some(xobjects) = res.and_then(|r| dict(doc, r, b"XObject")) else {
            return;
        };
        let Ok(raw) = xobjects.get(key) else { return };
        let Object::Stream(stream) = deref(doc, raw) else {
            return;
        };
        match name(doc, &stream.dict, b"Subtype") {
            Some(b"Image") => {
                self.ink.images += 1;
                if let Ok(id) = raw.as_reference() {
                    self.ink.placed.push((id, self.gs.ctm));
                }
            }
            Some(b"Form") => {
                let id = raw.as_reference().ok();
                if self.forms.len() >= MAX_DEPTH || id.is_some_and(|id| self.forms.contains(&id)) {
                    return;
                }
                let Some(content) = self.inflate(stream) else {
                    return;
                };
                let matrix = array(doc, &stream.dict, b"Matrix")
                    .and_then(|a| numbers(doc, a))
                    .and_then(|v| Matrix::from_slice(&v))
                    .unwrap_or(Matrix::IDENTITY);
                let inner_res = dict(doc, &stream.dict, b"Resources").or(res);
                let saved = (
                    self.gs.clone(),
                    self.saved.len(),
                    std::mem::take(&mut self.path),
                    self.tm,
                    self.tlm,
                );
                self.gs.ctm = matrix.then(&self.gs.ctm);
                self.forms.extend(id);
                self.run(&content, inner_res);
                if id.is_some() {
                    self.forms.pop();
                }
                self.gs = saved.0;
                self.saved.truncate(saved.1);
                self.path = saved.2;
                self.tm = saved.3;
                self.tlm = saved.4;
            }
            _ => {}
        }
    }
}

/// The box of an axis-aligned rectangle path (4 corners, or 5 with the
/// first repeated), in device space.
fn as_rect(pts: &[((f32, f32), bool)]) -> Option<[f32; 4]> {
    let mut p: Vec<(f32, f32)> = pts.iter().map(|(p, _)| *p).collect();
    if p.len() == 5 && close(p[0], p[4]) {
        p.pop();
    }
    if p.len() != 4 || pts.iter().skip(1).any(|(_, straight)| !straight) {
        return None;
    }
    let aligned = (0..4).all(|i| {
        let (a, b) = (p[i], p[(i + 1) % 4]);
        (a.0 - b.0).abs() < 0.01 || (a.1 - b.1).abs() < 0.01
    });
    if !aligned {
        return None;
    }
    let xs = p.iter().map(|q| q.0);
    let ys = p.iter().map(|q| q.1);
    Some([
        xs.clone().fold(f32::INFINITY, f32::min),
        ys.clone().fold(f32::INFINITY, f32::min),
        xs.fold(f32::NEG_INFINITY, f32::max),
        ys.fold(f32::NEG_INFINITY, f32::max),
    ])
}

fn close(a: (f32, f32), b: (f32, f32)) -> bool {
    (a.0 - b.0).abs() < 0.01 && (a.1 - b.1).abs() < 0.01
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    fn run(content: &[u8], res: Option<&Dictionary>, doc: &Document) -> Ink {
        let mut cache = FontCache::default();
        let mut it = Interp::new(doc, &mut cache, Matrix::IDENTITY, 1 << 20);
        it.run(content, res);
        it.finish()
    }

    fn font_res() -> Dictionary {
        let f = dictionary! { "Subtype" => "TrueType", "FirstChar" => 32, "Widths" => vec![Object::Integer(250); 95] };
        dictionary! { "Font" => dictionary! { "F1" => f } }
    }

    #[test]
    fn text_matrices_and_spacing() {
        let doc = Document::new();
        let res = font_res();
        // Tm at (100, 700) size 10; "ab" then TJ with a -1000 gap (one em), Tc 1.
        let ink = run(
            b"BT /F1 10 Tf 1 0 0 1 100 700 Tm 1 Tc (ab) Tj [(c) -1000 (d)] TJ 0 -20 Td (e) Tj ET",
            Some(&res),
            &doc,
        );
        let xs: Vec<(String, f32)> = ink.glyphs.iter().map(|g| (g.text.clone(), g.x0)).collect();
        // each glyph advances 2.5 + 1 (Tc)
        assert_eq!(
            xs,
            vec![
                ("a".into(), 100.0),
                ("b".into(), 103.5),
                ("c".into(), 107.0),
                ("d".into(), 120.5),
                ("e".into(), 100.0)
            ]
        );
        assert_eq!(ink.glyphs[4].y1, 680.0 + 8.5);
        assert!((ink.glyphs[0].size - 10.0).abs() < 1e-4);
    }

    #[test]
    fn ctm_stack_and_form_xobjects() {
        let mut doc = Document::new();
        let form = lopdf::Stream::new(
            dictionary! { "Subtype" => "Form", "Matrix" => vec![2.into(), 0.into(), 0.into(), 2.into(), 10.into(), 0.into()] },
            b"0 0 m 50 0 l S".to_vec(),
        );
        let id = doc.add_object(form);
        let res = dictionary! { "XObject" => dictionary! { "X1" => id, "X2" => id } };
        let ink = run(b"q 1 0 0 1 0 100 cm /X1 Do Q /X2 Do 0 0 m 0 30 l S", Some(&res), &doc);
        assert_eq!(
            ink.segs,
            vec![
                Seg { x0: 10.0, y0: 100.0, x1: 110.0, y1: 100.0 },
                Seg { x0: 10.0, y0: 0.0, x1: 110.0, y1: 0.0 },
                Seg { x0: 0.0, y0: 0.0, x1: 0.0, y1: 30.0 }
            ]
        );
    }

    #[test]
    fn self_referencing_form_stops() {
        let mut doc = Document::new();
        let id = doc.new_object_id();
        let res_id = doc.add_object(dictionary! { "XObject" => dictionary! { "X" => id } });
        doc.objects.insert(
            id,
            Object::Stream(lopdf::Stream::new(
                dictionary! { "Subtype" => "Form", "Resources" => res_id },
                b"/X Do 0 0 m 9 0 l S".to_vec(),
            )),
        );
        let res = doc.get_dictionary(res_id).cloned().unwrap_or_default();
        let ink = run(b"/X Do", Some(&res), &doc);
        assert_eq!(ink.segs.len(), 1);
    }

    #[test]
    fn thin_rects_are_rules_shading_and_clips_are_not() {
        let doc = Document::new();
        let ink = run(
            b"10 10 200 0.5 re f 10 10 0.75 100 re f* 0 0 300 40 re f 5 5 100 100 re W n 20 20 100 100 re S 1 1 1 1 re f 0 0 m 100 100 l S",
            None,
            &doc,
        );
        let want = vec![
            Seg { x0: 10.0, y0: 10.25, x1: 210.0, y1: 10.25 },
            Seg { x0: 10.375, y0: 10.0, x1: 10.375, y1: 110.0 },
            Seg { x0: 20.0, y0: 20.0, x1: 120.0, y1: 20.0 },
            Seg { x0: 120.0, y0: 20.0, x1: 120.0, y1: 120.0 },
            Seg { x0: 20.0, y0: 120.0, x1: 120.0, y1: 120.0 },
            Seg { x0: 20.0, y0: 20.0, x1: 20.0, y1: 120.0 },
        ];
        assert_eq!(ink.segs, want);
    }

    #[test]
    fn missing_font_and_garbage_do_not_panic() {
        let doc = Document::new();
        let ink = run(b"BT /Nope 12 Tf (x) Tj ET Tm Tf cm re ] ] >> Do Q Q Q", None, &doc);
        assert!(ink.glyphs.is_empty());
    }
}
