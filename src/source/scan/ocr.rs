//! Scan stage 3: Tesseract, through its C API (the `leptess` crate's
//! bindings). In: a grayscale crop and how to read it. Out: [`OcrWord`]s with
//! boxes in crop pixels, confidences in 0..1 and, per symbol, Tesseract's
//! alternative choices (used by the rule-guided rereading, `crate::reread`).
//!
//! We call the C API directly rather than `leptess::LepTess` because the
//! wrapper offers neither the page segmentation mode nor the result and
//! choice iterators. The FFI surface is kept to this file; every pointer is
//! checked and every call that can fail returns an [`OcrError`].
//!
//! The page segmentation mode is always set explicitly: the library's
//! default (PSM_SINGLE_BLOCK) differs from the command line's (PSM_AUTO).
//! An [`Engine`] is `Send` but not `Sync` (Tesseract's `TessBaseAPI` keeps
//! per-image state): one engine per worker thread, see [`with_engines`].

use std::cell::RefCell;
use std::ffi::{CStr, CString};
use std::ptr::NonNull;

use image::GrayImage;
use leptess::capi;

/// Why OCR could not run.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum OcrError {
    #[error("Tesseract could not load the '{0}' language data (install tesseract-ocr-{0} / tesseract-ocr-chi-sim)")]
    Init(String),
    #[error("Tesseract failed on an image: {0}")]
    Recognize(String),
}

/// Page segmentation modes we use (Tesseract's numbering).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Psm {
    /// A uniform block of text: multi-line label cells, page text.
    Block = 6,
    /// One text line: a number cell.
    Line = 7,
    /// One word: the second opinion on a number cell.
    Word = 8,
    /// Raw line, no layout analysis at all: the third opinion.
    RawLine = 13,
    /// Sparse text in no order: the fallback's full page.
    Sparse = 11,
}

/// One recognized symbol with the alternatives the LSTM considered.
#[derive(Clone, Debug, PartialEq)]
pub struct Symbol {
    pub text: String,
    pub confidence: f32,
    /// Other choices for this position, best first, with confidence 0..1.
    pub alternatives: Vec<(String, f32)>,
}

/// One recognized word.
#[derive(Clone, Debug, PartialEq)]
pub struct OcrWord {
    pub text: String,
    /// 0..1 (Tesseract reports 0..100).
    pub confidence: f32,
    /// Box in the pixels of the image given to [`Engine::read`].
    pub bbox: (u32, u32, u32, u32),
    pub symbols: Vec<Symbol>,
}

/// One Tesseract instance for one language and character set.
pub struct Engine {
    api: NonNull<capi::TessBaseAPI>,
    /// For the `xxgk::time` trace.
    lang: String,
}

// SAFETY: a TessBaseAPI may move between threads; it is never shared
// (`Engine` is not `Sync`, every use takes `&mut self`).
unsafe impl Send for Engine {}

impl Drop for Engine {
    fn drop(&mut self) {
        // SAFETY: `api` came from TessBaseAPICreate and is deleted once.
        unsafe {
            capi::TessBaseAPIEnd(self.api.as_ptr());
            capi::TessBaseAPIDelete(self.api.as_ptr());
        }
    }
}

impl Engine {
    /// Loads `lang` (e.g. "chi_sim", "eng"); `whitelist` restricts the
    /// characters Tesseract may output (empty: no restriction);
    /// `alternatives`: keep each symbol's other choices (costs about a fifth
    /// of the recognition time with chi_sim's large character set).
    pub fn new(lang: &str, whitelist: &str, alternatives: bool) -> Result<Engine, OcrError> {
        // LSTM only: the legacy engine is absent from the fast models and
        // slower.
        let mut engine = Engine::init(lang, capi::TessOcrEngineMode_OEM_LSTM_ONLY)?;
        // Alternatives per symbol for the rule-guided rereading.
        if alternatives {
            engine.set("lstm_choice_mode", "2");
        }
        // Tesseract reads a low-confidence line a second time inverted
        // (white on black). Table cells here are dark on light, so that
        // second pass only doubles the cost of every unsure crop.
        engine.set("tessedit_do_invert", "0");
        if !whitelist.is_empty() {
            engine.set("tessedit_char_whitelist", whitelist);
        }
        Ok(engine)
    }

    fn init(lang: &str, oem: capi::TessOcrEngineMode) -> Result<Engine, OcrError> {
        let c_lang = CString::new(lang).map_err(|_| OcrError::Init(lang.to_string()))?;
        // SAFETY: plain constructor; null is checked.
        let api = NonNull::new(unsafe { capi::TessBaseAPICreate() })
            .ok_or_else(|| OcrError::Init(lang.to_string()))?;
        let mut engine = Engine { api, lang: lang.to_string() };
        // SAFETY: valid handle and NUL-terminated strings.
        if unsafe { capi::TessBaseAPIInit2(api.as_ptr(), std::ptr::null(), c_lang.as_ptr(), oem) }
            != 0
        {
            return Err(OcrError::Init(lang.to_string()));
        }
        // Tesseract prints resolution guesses and the like on stderr.
        engine.set("debug_file", "/dev/null");
        Ok(engine)
    }

    /// Orientation detection (Tesseract's `osd` data, a legacy-engine
    /// model installed with tesseract-ocr).
    pub fn osd() -> Result<Engine, OcrError> {
        Engine::init("osd", capi::TessOcrEngineMode_OEM_TESSERACT_ONLY)
    }

    /// For an [`Engine::osd`]: how far `img` is turned clockwise from
    /// upright (0, 90, 180 or 270 degrees), with Tesseract's confidence in
    /// it (its margin over the next orientation; 2 and up is clear). `None`
    /// when too little text was found to tell.
    pub fn orientation(&mut self, img: &GrayImage, dpi: u32) -> Option<(u32, f32)> {
        let (w, h) = img.dimensions();
        let api = self.api.as_ptr();
        let (mut deg, mut conf, mut script, mut script_conf) =
            (0, 0.0f32, std::ptr::null(), 0.0f32);
        // SAFETY: as in `read_inner`; `script` points into Tesseract's own
        // tables and is not freed.
        let ok = unsafe {
            capi::TessBaseAPISetPageSegMode(api, capi::TessPageSegMode_PSM_OSD_ONLY);
            capi::TessBaseAPISetImage(api, img.as_raw().as_ptr(), w as i32, h as i32, 1, w as i32);
            capi::TessBaseAPISetSourceResolution(api, dpi.clamp(70, 2400) as i32);
            let ok = capi::TessBaseAPIDetectOrientationScript(
                api,
                &mut deg,
                &mut conf,
                &mut script,
                &mut script_conf,
            ) != 0;
            capi::TessBaseAPIClear(api);
            ok
        };
        ok.then_some((deg.rem_euclid(360) as u32, conf))
    }

    fn set(&mut self, name: &str, value: &str) -> bool {
        let (Ok(n), Ok(v)) = (CString::new(name), CString::new(value)) else {
            return false;
        };
        // SAFETY: valid handle and strings.
        unsafe { capi::TessBaseAPISetVariable(self.api.as_ptr(), n.as_ptr(), v.as_ptr()) != 0 }
    }

    /// Recognizes `img` (8-bit gray, dark text on light) in mode `psm`.
    pub fn read(&mut self, img: &GrayImage, psm: Psm, dpi: u32) -> Result<Vec<OcrWord>, OcrError> {
        let t0 = std::time::Instant::now();
        // Debugging aid: every image Tesseract is given, numbered in order.
        if let Some(d) = std::env::var_os("XXGK_DEBUG_CROPS") {
            static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let _ = img
                .save(std::path::Path::new(&d).join(format!("{n:04}_{}_{psm:?}.png", self.lang)));
        }
        let r = self.read_inner(img, psm, dpi);
        tracing::debug!(target: "xxgk::time", "ocr {} {:?} {}x{} {:?}",
                self.lang,
                psm,
                img.width(),
                img.height(),
                t0.elapsed());
        r
    }

    fn read_inner(
        &mut self,
        img: &GrayImage,
        psm: Psm,
        dpi: u32,
    ) -> Result<Vec<OcrWord>, OcrError> {
        let (w, h) = img.dimensions();
        if w < 3 || h < 3 || w > 32_000 || h > 32_000 {
            return Ok(Vec::new());
        }
        let api = self.api.as_ptr();
        // SAFETY: the buffer holds w*h bytes (one byte per pixel, rows of w
        // bytes) and outlives the recognition below; Tesseract copies it.
        unsafe {
            capi::TessBaseAPISetPageSegMode(api, psm as capi::TessPageSegMode);
            capi::TessBaseAPISetImage(api, img.as_raw().as_ptr(), w as i32, h as i32, 1, w as i32);
            capi::TessBaseAPISetSourceResolution(api, dpi.clamp(70, 2400) as i32);
            if capi::TessBaseAPIRecognize(api, std::ptr::null_mut()) != 0 {
                capi::TessBaseAPIClear(api);
                return Err(OcrError::Recognize(format!("{w}x{h} image")));
            }
        }
        let words = self.collect_words();
        // SAFETY: valid handle; frees the recognition results.
        unsafe { capi::TessBaseAPIClear(api) };
        Ok(words)
    }

    fn collect_words(&mut self) -> Vec<OcrWord> {
        let word = capi::TessPageIteratorLevel_RIL_WORD;
        let symbol = capi::TessPageIteratorLevel_RIL_SYMBOL;
        let mut out = Vec::new();
        // SAFETY: the iterator belongs to this handle's current results; it
        // is deleted before returning; every string is copied then freed.
        unsafe {
            let Some(it) = NonNull::new(capi::TessBaseAPIGetIterator(self.api.as_ptr())) else {
                return out;
            };
            let it = it.as_ptr();
            let page = capi::TessResultIteratorGetPageIteratorConst(it);
            let mut current: Option<OcrWord> = None;
            loop {
                if capi::TessPageIteratorIsAtBeginningOf(page, word) != 0 {
                    out.extend(current.take());
                    let text = take_text(capi::TessResultIteratorGetUTF8Text(it, word))
                        .unwrap_or_default();
                    let confidence =
                        capi::TessResultIteratorConfidence(it, word).clamp(0.0, 100.0) / 100.0;
                    let (mut l, mut t, mut r, mut b) = (0, 0, 0, 0);
                    capi::TessPageIteratorBoundingBox(page, word, &mut l, &mut t, &mut r, &mut b);
                    let bbox = (l.max(0) as u32, t.max(0) as u32, r.max(0) as u32, b.max(0) as u32);
                    current = Some(OcrWord { text, confidence, bbox, symbols: Vec::new() });
                }
                if let Some(sym_text) = take_text(capi::TessResultIteratorGetUTF8Text(it, symbol)) {
                    let confidence =
                        capi::TessResultIteratorConfidence(it, symbol).clamp(0.0, 100.0) / 100.0;
                    let mut alternatives = Vec::new();
                    if let Some(ci) = NonNull::new(capi::TessResultIteratorGetChoiceIterator(it)) {
                        loop {
                            let p = capi::TessChoiceIteratorGetUTF8Text(ci.as_ptr());
                            if !p.is_null() {
                                let t = CStr::from_ptr(p).to_string_lossy().into_owned();
                                let c = capi::TessChoiceIteratorConfidence(ci.as_ptr())
                                    .clamp(0.0, 100.0)
                                    / 100.0;
                                if t != sym_text && !alternatives.iter().any(|(a, _)| *a == t) {
                                    alternatives.push((t, c));
                                }
                            }
                            if capi::TessChoiceIteratorNext(ci.as_ptr()) == 0 {
                                break;
                            }
                        }
                        capi::TessChoiceIteratorDelete(ci.as_ptr());
                    }
                    if let Some(w) = current.as_mut() {
                        w.symbols.push(Symbol { text: sym_text, confidence, alternatives });
                    }
                }
                if capi::TessResultIteratorNext(it, symbol) == 0 {
                    break;
                }
            }
            out.extend(current);
            capi::TessResultIteratorDelete(it);
        }
        out.retain(|w| !w.text.trim().is_empty());
        out
    }
}

/// Copies and frees a string Tesseract allocated.
///
/// # Safety
/// `p` is null or a string from a Tesseract `Get…Text` call, not yet freed.
unsafe fn take_text(p: *mut std::os::raw::c_char) -> Option<String> {
    if p.is_null() {
        return None;
    }
    let s = CStr::from_ptr(p).to_string_lossy().into_owned();
    capi::TessDeleteText(p);
    Some(s)
}

/// The characters a number cell may hold: digits, sign, decimal point, and
/// the thousands separator.
pub const NUMBER_CHARS: &str = "0123456789-.,";

/// The engines one worker needs: numbers (`eng`, digits only) and labels
/// (`chi_sim`).
pub struct Engines {
    pub numbers: Engine,
    pub text: Engine,
    /// Loaded when a page first needs it (rarely: see `orient.rs`).
    osd: Option<Engine>,
}

impl Engines {
    pub fn new() -> Result<Engines, OcrError> {
        Ok(Engines {
            numbers: Engine::new("eng", NUMBER_CHARS, true)?,
            text: Engine::new("chi_sim", "", false)?,
            osd: None,
        })
    }

    /// The orientation engine, loaded on first use.
    pub fn osd(&mut self) -> Result<&mut Engine, OcrError> {
        let osd = match self.osd.take() {
            Some(e) => e,
            None => Engine::osd()?,
        };
        Ok(self.osd.insert(osd))
    }
}

thread_local! {
    /// Loading chi_sim takes a few hundred milliseconds: each thread loads
    /// its engines once and keeps them for every page it reads.
    static ENGINES: RefCell<Option<Result<Engines, OcrError>>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's engines, loading them on first use.
pub fn with_engines<T>(f: impl FnOnce(&mut Engines) -> T) -> Result<T, OcrError> {
    ENGINES.with(|cell| {
        let mut slot = cell.borrow_mut();
        let engines = slot.get_or_insert_with(Engines::new);
        match engines {
            Ok(e) => Ok(f(e)),
            Err(e) => Err(e.clone()),
        }
    })
}
