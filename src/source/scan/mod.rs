//! Source: scanned reports. Page images (PNG, JPEG, TIFF, image-only PDFs)
//! → a [`ScanDoc`]: the [`TextDoc`] every reader produces, plus what the
//! rule-guided rereading and the debug view need.
//!
//! # Steps
//! 0. [`input`]: decode every page to gray, with its resolution; refuse
//!    decompression bombs before decoding. A PDF's pages come as images
//!    from `crate::source::pdf::route` (decoded from the file or rendered),
//!    never as PDF objects; a text PDF's pages only OCR can read are read
//!    among its text pages ([`read_among_text`]). [`redtext`]: of a colour
//!    page's red ink, only seals stay dropped.
//! 1. [`margins`]: the dark margins of a scanner's lid around the sheet
//!    whitened. [`prep`]: flatten the illumination, deskew, binarize
//!    (Sauvola); [`faint`]: beside that ink, the ink with the strokes too
//!    pale for it (a faded band), for a table's rules and empty cells.
//! 2. [`lines`]: ruling lines by long runs (continued in the faint ink, a
//!    lost outer border drawn again), erased from the ink; then the grid of each table with merged cells
//!    (`layout::find_grids`, the same lattice `pages_to_doc` builds), so
//!    that each cell can be cropped.
//! 3. [`read`] with [`ocr`]: every cell on its own tight crop (numbers with
//!    a digits-only engine in single-line mode, labels with chi_sim); text
//!    outside tables line by line, only the lines that can matter
//!    ([`text`]). A page without rules falls back to full-page OCR
//!    ([`fallback`]): word boxes, grouped into rows, read by the template's
//!    row and column order.
//! 4. `layout::pages_to_doc`: words and rules → lines of cells.
//! 5. After the pipeline: [`evidence`] answers the rule-guided rereading
//!    (`crate::reread`), which rereads unsure cells and cells in failed
//!    rules and accepts another reading only when it is the only change
//!    that makes every rule hold; then the title is read again
//!    ([`heading`]).
//!
//! Multi-page reports given as separate images follow the convention
//! `NAME.p1.jpg`, `NAME.p2.jpg`, … (see [`group_inputs`]) or a directory
//! holding only the page images.

pub mod blobs;
pub mod cache;
pub mod debug;
pub mod evidence;
pub mod faint;
pub mod fallback;
pub mod geometry;
pub mod head;
pub mod heading;
pub mod input;
pub mod lines;
pub mod margins;
pub mod ocr;
pub mod orient;
pub mod prep;
pub mod read;
pub mod redtext;
pub mod resample;
pub mod text;
pub mod tsv;

use std::path::{Path, PathBuf};

use image::imageops::FilterType;
use image::GrayImage;
use rayon::prelude::*;

use crate::budget::{Budget, PixelCount};
use crate::doc::TextDoc;
use crate::error::DocumentError;
use crate::layout::{self, find_grids, Grid, LayoutParams, Page, Rule, Word};
pub use input::{PageImage, PageSource};
use read::CellRead;

/// Everything the scan reader can be tuned by (its limits are the input's
/// [`Budget`]).
#[derive(Clone, Debug, Default)]
pub struct ScanParams {
    pub prep: prep::PrepParams,
    pub lines: lines::LineParams,
    pub read: read::ReadParams,
    /// Benchmark only: take each page's words from `DIR/<stem>.tsv` (the
    /// `tesseract` command line's output) instead of our OCR; see [`tsv`].
    pub tsv_dir: Option<PathBuf>,
}

/// Pages above this resolution are reduced to it first: OCR gains nothing
/// beyond, and memory and time grow with the square.
const MAX_DPI: f32 = 400.0;

/// Pages below `MIN_DPI` are enlarged to `LOW_DPI_TO` first: at 100 dpi a
/// table's digits are 10 px high and its rules a pixel, and the grid and
/// Tesseract lose most of them (scan_32 reduced to 100 dpi: 18/207 fields,
/// the rest null); enlarged to 200 dpi they read 207/207. Enlarging 150
/// dpi pages gains nothing (scan_36, scan_37), so they are read as they are.
const MIN_DPI: f32 = 140.0;
const LOW_DPI_TO: f32 = 200.0;

/// One page as the reader saw it (for rereading and the debug view).
#[derive(Clone, Debug)]
pub struct PageScan {
    /// 1-based page of the report (a text PDF's OCR'd pages skip numbers).
    pub page: usize,
    pub gray: GrayImage,
    pub dpi: f32,
    /// The tables' grids, in points.
    pub tables: Vec<Grid>,
    pub segments: Vec<lines::Segment>,
    pub skew_deg: f32,
    pub fallback: bool,
    /// The page was read turned upright: it lay this many degrees
    /// clockwise from upright (0: as it was).
    pub turned: u32,
    /// The page image as the input gave it, before it was brought to its
    /// working resolution and turned: width and height in pixels, and dpi
    /// (see [`geometry`]).
    pub source: (u32, u32, f32),
}

/// A scanned report, read.
#[derive(Clone, Debug)]
pub struct ScanDoc {
    pub doc: TextDoc,
    pub pages: Vec<Page>,
    pub scans: Vec<PageScan>,
    pub cells: Vec<CellRead>,
    /// The text lines outside the tables, in page order.
    pub lines: Vec<text::LineRead>,
}

/// A page read but for its text lines outside the tables.
struct PageRead {
    page: Page,
    cells: Vec<CellRead>,
    scan: PageScan,
    /// Text lines outside the tables, with whether each is a body line.
    lines: Vec<(text::Band, bool)>,
    /// Table boxes in page pixels.
    table_boxes: Vec<(f32, f32, f32, f32)>,
    /// The chosen `lines`, read.
    text: Vec<text::LineRead>,
    /// How much of the ink outside tables is in no line (see
    /// `text::unlined_share`).
    unlined: Option<f32>,
    /// The page's image, kept when its tables could not tell whether it
    /// is turned (see `orient::doubtful`): its text lines are asked once
    /// read, and it may have to be read again turned.
    unjudged: Option<PageImage>,
    /// Its ink is faded (see `prep::paper_level`).
    faded: bool,
}

/// Reads page images into a [`ScanDoc`] (see [`read_pages`]).
pub fn read_images(images: Vec<PageImage>, params: &ScanParams) -> Result<ScanDoc, DocumentError> {
    read_pages(images.into_iter().map(input::ready).collect(), params)
}

/// Reads pages into a [`ScanDoc`], each decoded as it is read. Pages are
/// read in parallel (on the current rayon pool, so a batch's `--jobs`
/// bounds it); the result does not depend on the order they finish in.
pub fn read_pages(pages: Vec<PageSource>, params: &ScanParams) -> Result<ScanDoc, DocumentError> {
    let reads: Vec<Result<PageRead, DocumentError>> = pages
        .into_par_iter()
        .enumerate()
        .map(|(i, page)| page().and_then(|img| read_one(i + 1, img, params)))
        .collect();
    let mut reads = reads.into_iter().collect::<Result<Vec<_>, _>>()?;
    // Of the narrative's body lines only the report's first is read (see
    // `text.rs`); which one that is depends on every page before it.
    let first_body = reads
        .iter()
        .enumerate()
        .find_map(|(i, r)| r.lines.iter().position(|l| l.1).map(|k| (i, k)));
    let body_of = |i: usize| first_body.filter(|b| b.0 == i).map(|b| b.1);
    reads
        .par_iter_mut()
        .enumerate()
        .try_for_each(|(i, r)| read_text_lines(r, body_of(i), params))?;
    // A page its tables could not judge (prose) is judged by its lines.
    reads.par_iter_mut().enumerate().try_for_each(|(i, r)| -> Result<(), DocumentError> {
        let Some(img) = r.unjudged.take() else {
            return Ok(());
        };
        let lines: Vec<Word> = r.text.iter().map(|l| l.word.clone()).collect();
        tracing::debug!(target: "xxgk::time", "page {}: lines read {:?}", i + 1, orient::labels_read(&lines));
        if !orient::lines_doubtful(&lines) {
            return Ok(());
        }
        let Some(turned_cw) = osd_turn(r) else {
            return Ok(());
        };
        let mut again = read_image(i + 1, &orient::upright(&img, turned_cw), params)?;
        let body = body_of(i).and_then(|_| again.lines.iter().position(|l| l.1));
        read_text_lines(&mut again, body, params)?;
        let again_lines: Vec<Word> = again.text.iter().map(|l| l.word.clone()).collect();
        if orient::labels_read(&again_lines).0 > orient::labels_read(&lines).0 {
            again.scan.turned = turned_cw;
            again.scan.source = r.scan.source;
            *r = again;
        }
        Ok(())
    })?;
    let mut pages = Vec::new();
    let mut scans = Vec::new();
    let mut cells = Vec::new();
    let mut lines = Vec::new();
    for r in reads {
        pages.push(r.page);
        scans.push(r.scan);
        cells.extend(r.cells);
        lines.extend(r.text);
    }
    let doc = layout::pages_to_doc_with(&pages, &layout_params());
    if tracing::enabled!(target: "xxgk::doc", tracing::Level::DEBUG) {
        for l in &doc.lines {
            tracing::debug!(
                target: "xxgk::doc",
                "{:4} {:?}",
                l.number,
                l.cells.iter().map(|c| c.text.as_str()).collect::<Vec<_>>()
            );
        }
    }
    Ok(ScanDoc { doc, pages, scans, cells, lines })
}

/// Reads the chosen text lines of a page (those that are not body lines,
/// and its `body`-th line when it holds the report's first body line).
fn read_text_lines(
    r: &mut PageRead,
    body: Option<usize>,
    params: &ScanParams,
) -> Result<(), DocumentError> {
    let chosen: Vec<text::Band> = r
        .lines
        .iter()
        .enumerate()
        .filter(|&(k, l)| !l.1 || body == Some(k))
        .map(|(_, l)| l.0)
        .collect();
    let read = ocr::with_engines(|e| {
        text::read_lines(
            r.scan.page,
            &r.scan.gray,
            r.scan.dpi,
            &r.table_boxes,
            &chosen,
            params.read.pad,
            e,
        )
    })
    .and_then(|w| w)
    .map_err(|e| DocumentError::Scan(e.to_string()))?;
    r.page.words.extend(read.iter().map(|l| l.word.clone()));
    r.text = read;
    Ok(())
}

/// How far OSD says a page lies turned clockwise, when it says so surely.
fn osd_turn(r: &PageRead) -> Option<u32> {
    let dpi = r.scan.dpi.round() as u32;
    let turned = ocr::with_engines(|e| e.osd().ok().and_then(|o| o.orientation(&r.scan.gray, dpi)))
        .ok()
        .flatten();
    turned.filter(|&(deg, conf)| deg != 0 && conf >= orient::MIN_OSD_CONFIDENCE).map(|(deg, _)| deg)
}

/// The page at the resolution it is read at: above `MAX_DPI` reduced to
/// it, below `MIN_DPI` enlarged to `LOW_DPI_TO`; once, before any reading.
pub(super) fn at_working_dpi(img: PageImage) -> PageImage {
    let (to, filter) = match img.dpi {
        d if d > MAX_DPI => (MAX_DPI, FilterType::Triangle),
        d if d < MIN_DPI => (LOW_DPI_TO, FilterType::CatmullRom),
        _ => return img,
    };
    let f = to / img.dpi;
    let (w, h) = (
        (img.gray.width() as f32 * f).round() as u32,
        (img.gray.height() as f32 * f).round() as u32,
    );
    let resize = |g: &GrayImage| resample::resize(g, w.max(1), h.max(1), filter);
    PageImage { gray: resize(&img.gray), dpi: to, red: img.red.as_ref().map(resize) }
}

/// A page image read as it lies ([`read_as_is`]); a faded one is read
/// again with the binarization set for faded ink (see
/// `prep::paper_level`), and the reading with more words read surely is
/// kept: the setting that finds a pale copy's rules can also take a noisy
/// one's specks for strokes. Every reading of a page, turned or not, goes
/// through here.
fn read_image(
    number: usize,
    img: &PageImage,
    params: &ScanParams,
) -> Result<PageRead, DocumentError> {
    let as_is = read_as_is(number, img, params)?;
    if !as_is.faded || params.prep.for_faded {
        return Ok(as_is);
    }
    let faded_params = ScanParams {
        prep: prep::PrepParams { for_faded: true, ..params.prep.clone() },
        ..params.clone()
    };
    let again = read_as_is(number, img, &faded_params)?;
    Ok(if surely_read(&again.page.words) > surely_read(&as_is.page.words) { again } else { as_is })
}

/// Page `number` (1-based), read as it is or, when its tables say it may
/// be turned and OSD says it is, turned upright ([`orient`]): whichever
/// reading has more labels read.
fn read_one(number: usize, img: PageImage, params: &ScanParams) -> Result<PageRead, DocumentError> {
    let source = (img.gray.width(), img.gray.height(), img.dpi);
    let img = at_working_dpi(img);
    let mut read = read_turned(number, img, params)?;
    read.scan.source = source;
    Ok(read)
}

/// [`read_one`] of a page at its working resolution.
fn read_turned(
    number: usize,
    img: PageImage,
    params: &ScanParams,
) -> Result<PageRead, DocumentError> {
    let mut as_is = read_image(number, &img, params)?;
    tracing::debug!(target: "xxgk::time", "page {number}: labels read {:?}, unlined {:?}",
            orient::labels_read(&as_is.page.words),
            as_is.unlined);
    let doubtful = orient::doubtful(&as_is.page.words, as_is.unlined);
    if doubtful.is_none() {
        as_is.unjudged = Some(img);
        return Ok(as_is);
    }
    if doubtful == Some(false) {
        return Ok(as_is);
    }
    let Some(turned_cw) = osd_turn(&as_is) else {
        return Ok(as_is);
    };
    let mut again = read_image(number, &orient::upright(&img, turned_cw), params)?;
    if orient::labels_read(&again.page.words).0 <= orient::labels_read(&as_is.page.words).0 {
        return Ok(as_is);
    }
    again.scan.turned = turned_cw;
    Ok(again)
}

/// How many of a page's words were read with confidence.
fn surely_read(words: &[Word]) -> usize {
    words.iter().filter(|w| w.confidence.unwrap_or(0.0) >= read::UNSURE).count()
}

/// Page `number` (1-based): preparation, rules, grid, and its table cells.
fn read_as_is(
    number: usize,
    img: &PageImage,
    params: &ScanParams,
) -> Result<PageRead, DocumentError> {
    let (gray, red, dpi) = (&img.gray, img.red.clone(), img.dpi);
    let t0 = std::time::Instant::now();
    let cleared = margins::clear(gray, dpi);
    let prepared = prep::prepare(cleared.as_ref().unwrap_or(gray), dpi, &params.prep);
    let prepared_faded = prepared.faded;
    // The seal's mask follows the page through the deskew.
    let red =
        red.map(
            |r| {
                if prepared.skew_deg == 0.0 {
                    r
                } else {
                    prep::rotate(&r, -prepared.skew_deg)
                }
            },
        );
    let t1 = t0.elapsed();
    let (w, h) = prepared.gray.dimensions();
    let mut ink = prepared.ink;
    let mut faint = faint::with_faint(&prepared.gray, &ink, dpi);
    // Rules crossing a faded band are lost to the binarization there, and
    // the rows and columns they bound with them: they are continued in the
    // faint ink, and a table's outer border lost whole is drawn again
    // along the ends of its rules.
    let mut found = lines::find(&ink, w, h, dpi, &params.lines);
    lines::extend_collinear(&mut found, &lines::find(&faint, w, h, dpi, &params.lines));
    let grids_of = |segs: &[lines::Segment]| {
        let mut tables = find_grids(&to_rules(segs, dpi), &layout_params());
        tables.retain(can_be_table);
        tables
    };
    let mut tables = grids_of(&found);
    let pt = 72.0 / dpi;
    // Only rules of a table are rules: crossing strokes elsewhere (a large
    // bold title) stay ink, or OCR would read the title with holes.
    let mut segments: Vec<lines::Segment> =
        found.into_iter().filter(|s| in_tables(&tables, s, dpi)).collect();
    if lines::close_frames(&mut segments, dpi) {
        tables = grids_of(&segments);
        segments.retain(|s| in_tables(&tables, s, dpi));
    }
    if tables.is_empty() {
        // Without a grid, long solid rules are still rules (a table ruled
        // between rows only): erased, they do not glue the text lines next
        // to them into one band for the fallback.
        segments = lines::free_rules(&ink, w, h, dpi, &params.lines, MIN_FREE_RULE_MM);
    }
    lines::erase(&mut ink, w, h, &segments);
    lines::erase(&mut faint, w, h, &segments);
    let mut clean = prepared.gray;
    whiten_rules(&mut clean, &segments);
    // Free rules make no grid; the layout is given only the grids' rules.
    let rules = if tables.is_empty() { Vec::new() } else { to_rules(&segments, dpi) };
    tracing::debug!(target: "xxgk::time", "page {number}: prep {t1:?}, rules and grid {:?}", t0.elapsed() - t1);
    let input = read::PageInput {
        number,
        gray: &clean,
        ink: &ink,
        faint: &faint,
        dpi,
        segments: &segments,
        rules: &rules,
        tables: &tables,
        red: red.as_ref(),
    };
    let table_boxes: Vec<(f32, f32, f32, f32)> = tables
        .iter()
        .map(|t| (t.bbox.x0 / pt, t.bbox.y0 / pt, t.bbox.x1 / pt, t.bbox.y1 / pt))
        .collect();
    let mut lines = text::find_lines(&ink, w, h, dpi, &table_boxes);
    // The grids' cells are read one by one; rows with column gaps outside
    // them (a table whose rules are missing, on a page with or without a
    // grid) go to the fallback, which rebuilds the cells from the ink; the
    // page's other lines are read as text lines.
    let unruled = text::unruled_rows(&ink, w, h, dpi, &table_boxes, &lines);
    let fallback = unruled.is_some();
    let banded: Vec<text::Band> =
        lines.iter().map(|l| l.0).chain(unruled.iter().flat_map(|u| u.0.iter().copied())).collect();
    let unlined = text::unlined_share(&ink, w, dpi, &table_boxes, &banded);
    let read = |e: &mut ocr::Engines| -> Result<(Page, Vec<CellRead>), ocr::OcrError> {
        let (mut page, mut cells) = read::read_page(&input, e, &params.read)?;
        if let Some((rows, line)) = &unruled {
            let (more, more_cells) = fallback::read_page(&input, rows, *line, e, &params.read)?;
            page.words.extend(more.words);
            cells.extend(more_cells);
        }
        Ok((page, cells))
    };
    if let Some((rows, _)) = &unruled {
        lines.retain(|l| !rows.iter().any(|r| l.0.y0 < r.y1 && r.y0 < l.0.y1));
    }
    let (page, cells) =
        ocr::with_engines(read).and_then(|r| r).map_err(|e| DocumentError::Scan(e.to_string()))?;
    tracing::debug!(target: "xxgk::time", "page {number}: prep {t1:?}, cells {:?}", t0.elapsed());
    let scan = PageScan {
        page: number,
        gray: clean,
        dpi,
        tables,
        segments,
        skew_deg: prepared.skew_deg,
        fallback,
        turned: 0,
        source: (w, h, dpi),
    };
    Ok(PageRead {
        page,
        cells,
        scan,
        lines,
        table_boxes,
        text: Vec::new(),
        unlined,
        unjudged: None,
        faded: prepared_faded,
    })
}

/// Whether the middle of `s` (pixels) lies in one of `tables` (points),
/// within a millimetre.
fn in_tables(tables: &[Grid], s: &lines::Segment, dpi: f32) -> bool {
    let (near, pt) = (prep::px_per_mm(dpi), 72.0 / dpi);
    let (along, across) = ((s.from + s.to) / 2.0, s.at);
    let (x, y) = if s.horizontal { (along, across) } else { (across, along) };
    tables.iter().any(|t| {
        x >= t.bbox.x0 / pt - near
            && x <= t.bbox.x1 / pt + near
            && y >= t.bbox.y0 / pt - near
            && y <= t.bbox.y1 / pt + near
    })
}

/// Strokes of a large bold title, blurred together at 150-200 dpi, can
/// cross like rules and make a small "grid" of one or two rows inside a
/// text line (scan_33, scan_51); erasing it cuts holes in the title. A
/// table row holds a line of text with some padding, and every table of
/// the templates, even a lone row of one continued on a new page, spans
/// most of the text column: a grid of one or two rows narrower than
/// [`MIN_LONE_ROW_MM`] or lower than [`MIN_ROW_MM`] a row is not a table.
/// Grids of more rows are never the strokes of one line of text (and a
/// table on a page turned sideways is narrow, see `orient.rs`).
pub(super) fn can_be_table(t: &Grid) -> bool {
    let mm = 72.0 / 25.4;
    t.rows() > 2
        || (t.bbox.y1 - t.bbox.y0 >= t.rows() as f32 * MIN_ROW_MM * mm
            && t.bbox.x1 - t.bbox.x0 >= MIN_LONE_ROW_MM * mm)
}

/// Outside a grid, a solid straight stroke this long is a rule: the
/// bottom strokes of a line of characters (三是基层) can join into a solid
/// run of 20 mm or more, never of half a text column; a table's rules
/// between rows span most of its width (over 100 mm).
const MIN_FREE_RULE_MM: f32 = 50.0;

/// 7.5 pt text (3.6 mm with its line gap) and a little padding.
const MIN_ROW_MM: f32 = 4.0;
/// The narrowest table of the templates (s4, one row of 15 cells) is about
/// 150 mm wide on A4; half a column of text is a generous floor.
const MIN_LONE_ROW_MM: f32 = 40.0;

/// Scanned rules wobble by a pixel or two and stop short of crossings:
/// snap within 3 pt (about 1 mm) rather than the 2 pt of PDF producers.
pub fn layout_params() -> LayoutParams {
    LayoutParams { snap: 3.0, cell_gap: 0.5, split_free_lines: true }
}

/// Pixel segments → layout rules in points.
pub(super) fn to_rules(segs: &[lines::Segment], dpi: f32) -> Vec<Rule> {
    let pt = 72.0 / dpi;
    segs.iter()
        .map(|s| {
            let (x0, y0, x1, y1) =
                if s.horizontal { (s.from, s.at, s.to, s.at) } else { (s.at, s.from, s.at, s.to) };
            Rule { x0: x0 * pt, y0: y0 * pt, x1: x1 * pt, y1: y1 * pt }
        })
        .collect()
}

/// Sets the pixels of every rule to paper white, so that crops that touch a
/// cell's border do not show it to OCR.
fn whiten_rules(gray: &mut GrayImage, segs: &[lines::Segment]) {
    let (w, h) = gray.dimensions();
    for s in segs {
        let half = (s.thickness / 2.0 + 1.5).ceil() as i64;
        for across in (s.at.round() as i64 - half).max(0)..=s.at.round() as i64 + half {
            for along in (s.from as i64).max(0)..=s.to as i64 {
                let (x, y) = if s.horizontal { (along, across) } else { (across, along) };
                if (x as u32) < w && (y as u32) < h {
                    gray.put_pixel(x as u32, y as u32, image::Luma([255]));
                }
            }
        }
    }
}

/// Reads one image file's bytes (all TIFF pages).
pub fn read_bytes(
    bytes: &[u8],
    budget: &Budget,
    params: &ScanParams,
) -> Result<ScanDoc, DocumentError> {
    read_pages(input::sources(bytes, budget, &mut PixelCount::default())?, params)
}

/// Reads the pages of a text PDF that only OCR can read (`images`, with
/// their 1-based page numbers) among the pages its text layer serves
/// (`text`): one document of all pages, in page order.
pub fn read_among_text(
    text: Vec<Page>,
    images: Vec<(usize, PageSource)>,
    params: &ScanParams,
) -> Result<ScanDoc, DocumentError> {
    let (wanted, sources): (Vec<usize>, Vec<PageSource>) = images.into_iter().unzip();
    let mut read = read_pages(sources, params)?;
    // `read_pages` numbers the pages it is given 1, 2, …; give them theirs.
    for (page, &n) in read.pages.iter_mut().zip(&wanted) {
        page.number = n;
    }
    for (scan, &n) in read.scans.iter_mut().zip(&wanted) {
        scan.page = n;
    }
    for cell in &mut read.cells {
        cell.page = wanted.get(cell.page.wrapping_sub(1)).copied().unwrap_or(cell.page);
    }
    let mut pages: Vec<Page> = text.into_iter().chain(std::mem::take(&mut read.pages)).collect();
    pages.sort_by_key(|p| p.number);
    // One layout for all pages, so that a table split across a text page and
    // an OCR'd page still joins; the scan tolerances, which exact text-layer
    // rules meet as well.
    read.doc = layout::pages_to_doc_with(&pages, &layout_params());
    read.pages = pages;
    Ok(read)
}

/// Reads several page images as one report, in the order given; their
/// bytes together are at most the budget's.
pub fn read_files(
    paths: &[PathBuf],
    budget: &Budget,
    params: &ScanParams,
) -> Result<(ScanDoc, Vec<u8>), DocumentError> {
    if let Some(dir) = &params.tsv_dir {
        return tsv::read(paths, dir, budget, params);
    }
    let mut files = Vec::with_capacity(paths.len());
    let mut left = budget.max_bytes;
    for p in paths {
        let bytes = crate::source::read_input(p, left).map_err(|e| match e {
            DocumentError::Io(m) => DocumentError::Io(format!("{}: {m}", p.display())),
            DocumentError::TooLarge { .. } | DocumentError::GrewTooLarge { .. } => {
                DocumentError::GrewTooLarge { limit: budget.max_bytes }
            }
            e => e,
        })?;
        left -= bytes.len() as u64;
        files.push(bytes);
    }
    let mut count = PixelCount::default();
    let mut pages = Vec::new();
    for bytes in &files {
        pages.extend(input::sources(bytes, budget, &mut count)?);
    }
    let read = read_pages(pages, params)?;
    Ok((read, files.concat()))
}

/// The page number in `NAME.pN.EXT`, and `NAME`.
pub fn page_of(path: &Path) -> Option<(String, u32)> {
    let name = path.file_name()?.to_str()?;
    let (rest, ext) = name.rsplit_once('.')?;
    if !["png", "jpg", "jpeg", "tif", "tiff"].contains(&ext.to_ascii_lowercase().as_str()) {
        return None;
    }
    let (stem, page) = rest.rsplit_once(".p")?;
    let n: u32 = page.parse().ok()?;
    Some((path.with_file_name(stem).display().to_string(), n))
}

/// Groups inputs into reports: files named `NAME.p1.EXT`, `NAME.p2.EXT`, …
/// (same NAME) are the pages of one report, in page order; a directory is
/// one report of the images in it, by file name (page numbers compared as
/// numbers); any other file is a report by itself. First appearance order is
/// kept.
pub fn group_inputs(files: &[PathBuf]) -> Vec<Vec<PathBuf>> {
    // (NAME of NAME.pN files, (page, file)…)
    type Group = (Option<String>, Vec<(u32, PathBuf)>);
    let mut groups: Vec<Group> = Vec::new();
    for f in files {
        if f.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(f)
                .map(|rd| {
                    rd.flatten()
                        .map(|e| e.path())
                        .filter(|p| p.is_file() && is_image_name(p))
                        .collect()
                })
                .unwrap_or_default();
            inside.sort_by_key(|p| natural_key(p));
            groups.push((None, inside.into_iter().map(|p| (0, p)).collect()));
            continue;
        }
        match page_of(f) {
            Some((stem, n)) => {
                match groups.iter_mut().find(|g| g.0.as_deref() == Some(stem.as_str())) {
                    Some(g) => g.1.push((n, f.clone())),
                    None => groups.push((Some(stem), vec![(n, f.clone())])),
                }
            }
            None => groups.push((None, vec![(0, f.clone())])),
        }
    }
    groups
        .into_iter()
        .map(|(_, mut v)| {
            v.sort_by_key(|(n, _)| *n);
            v.into_iter().map(|(_, p)| p).collect()
        })
        .collect()
}

/// See `source::group_counter_runs`.
pub fn group_counter_runs(
    groups: Vec<Vec<PathBuf>>,
    grouping: &crate::source::PageGrouping,
    params: &ScanParams,
    budget: &Budget,
) -> Vec<Vec<PathBuf>> {
    let singles: Vec<usize> = (0..groups.len()).filter(|&i| groups[i].len() == 1).collect();
    let files: Vec<PathBuf> = singles.iter().map(|&i| groups[i][0].clone()).collect();
    let runs = counter_runs(&files);
    // Where each run's reports go: the group index of its first page.
    let mut at: std::collections::BTreeMap<usize, Vec<Vec<PathBuf>>> = Default::default();
    let mut taken = vec![false; groups.len()];
    for run in runs {
        let pages: Vec<PathBuf> = run.iter().map(|&k| files[k].clone()).collect();
        let starts = match grouping.pages_per_report {
            Some(n) => (0..pages.len()).step_by(n.max(1)).collect(),
            None => {
                let heads: Vec<head::PageStart> = pages
                    .par_iter()
                    .map(|p| {
                        // A page that cannot be read (or makes the reader
                        // panic) starts nothing; reading it as part of its
                        // report says what is wrong with it.
                        std::panic::catch_unwind(|| {
                            page_head(p, &grouping.first_section, params, budget)
                        })
                        .ok()
                        .and_then(Result::ok)
                        .unwrap_or_default()
                    })
                    .collect();
                head::group_starts(&heads)
            }
        };
        let reports: Vec<Vec<PathBuf>> = starts
            .iter()
            .enumerate()
            .map(|(k, &s)| pages[s..starts.get(k + 1).copied().unwrap_or(pages.len())].to_vec())
            .collect();
        for &k in &run {
            taken[singles[k]] = true;
        }
        let first = run.iter().map(|&k| singles[k]).min().unwrap_or(0);
        at.insert(first, reports);
    }
    let mut out = Vec::new();
    for (i, g) in groups.into_iter().enumerate() {
        if let Some(reports) = at.remove(&i) {
            out.extend(reports);
        } else if !taken[i] {
            out.push(g);
        }
    }
    out
}

/// What the head of the page image in `path` (its first page) shows.
fn page_head(
    path: &Path,
    first_section: &[String],
    params: &ScanParams,
    budget: &Budget,
) -> Result<head::PageStart, DocumentError> {
    let bytes = crate::source::read_input(path, budget.max_bytes)?;
    let img = input::decode(&bytes, budget)?.into_iter().next();
    let img = img.ok_or_else(|| DocumentError::Scan("no page in the image".to_string()))?;
    head::page_start(img, first_section, params)
}

/// Page images named by a counter, as scanners and phones name them
/// (`IMG_1000.jpg`, `IMG_1001.jpg`, …; `scan0001.tif` …; `page-9.png`,
/// `page-10.png`): among `files` (single files, in walk order), the runs of
/// two or more images whose names differ only in their last number, each
/// one more than the one before (compared as numbers: `page-9` before
/// `page-10`). Returns indices into `files`, in page order.
pub fn counter_runs(files: &[PathBuf]) -> Vec<Vec<usize>> {
    // (text before the number, the number, text after it) of an image name.
    let parts = |p: &PathBuf| -> Option<(PathBuf, String, u64, String)> {
        if !is_image_name(p) || page_of(p).is_some() {
            return None;
        }
        let name = p.file_name()?.to_str()?;
        let stem_end = name.rfind('.').unwrap_or(name.len());
        let end = name[..stem_end].rfind(|c: char| c.is_ascii_digit())? + 1;
        let start = name[..end].rfind(|c: char| !c.is_ascii_digit()).map_or(0, |i| i + 1);
        let n = name[start..end].parse().ok()?;
        Some((p.parent()?.to_path_buf(), name[..start].to_string(), n, name[end..].to_string()))
    };
    let keys: Vec<_> = files.iter().map(parts).collect();
    let mut order: Vec<usize> = (0..files.len()).filter(|&i| keys[i].is_some()).collect();
    order.sort_by(|&a, &b| {
        let (ka, kb) = (keys[a].as_ref(), keys[b].as_ref());
        ka.map(|k| (&k.0, &k.1, &k.3, k.2)).cmp(&kb.map(|k| (&k.0, &k.1, &k.3, k.2)))
    });
    let mut runs = Vec::new();
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() {
            let (a, b) = (keys[order[j - 1]].as_ref(), keys[order[j]].as_ref());
            let next = matches!((a, b), (Some(a), Some(b))
                if a.0 == b.0 && a.1 == b.1 && a.3 == b.3 && a.2 + 1 == b.2);
            if !next {
                break;
            }
            j += 1;
        }
        if j - i >= 2 {
            runs.push(order[i..j].to_vec());
        }
        i = j;
    }
    runs
}

fn is_image_name(p: &Path) -> bool {
    p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["png", "jpg", "jpeg", "tif", "tiff"].contains(&e.to_ascii_lowercase().as_str())
    })
}

/// File name with digit runs compared as numbers ("p10" after "p9").
fn natural_key(p: &Path) -> Vec<(String, u64)> {
    let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let mut out = Vec::new();
    let mut text = String::new();
    let mut num = String::new();
    for c in name.chars() {
        if c.is_ascii_digit() {
            num.push(c);
        } else {
            if !num.is_empty() {
                out.push((std::mem::take(&mut text), num.parse().unwrap_or(0)));
                num.clear();
            }
            text.push(c);
        }
    }
    out.push((text, num.parse().unwrap_or(0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `w_mm` x `h_mm` box of two columns and `rows` rows.
    fn grid(w_mm: f32, h_mm: f32, rows: usize) -> Vec<Grid> {
        let mm = 72.0 / 25.4;
        let (w, h) = (w_mm * mm, h_mm * mm);
        let mut rules = vec![
            Rule { x0: 0.0, y0: 0.0, x1: 0.0, y1: h },
            Rule { x0: w / 2.0, y0: 0.0, x1: w / 2.0, y1: h },
            Rule { x0: w, y0: 0.0, x1: w, y1: h },
        ];
        for k in 0..=rows {
            let y = h * k as f32 / rows as f32;
            rules.push(Rule { x0: 0.0, y0: y, x1: w, y1: y });
        }
        find_grids(&rules, &layout_params())
    }

    #[test]
    fn strokes_inside_a_text_line_are_no_table() {
        // A title's crossing strokes: one row, 3 mm high or 20 mm wide.
        assert!(!can_be_table(&grid(20.0, 6.0, 1)[0]));
        assert!(!can_be_table(&grid(60.0, 3.0, 1)[0]));
        // Two rows of strokes in a bold title line (scan_51's 成都市).
        assert!(!can_be_table(&grid(17.0, 8.0, 2)[0]));
        // The last row of a table continued on a new page; the header and
        // one row of a small table; a table on a page turned sideways.
        assert!(can_be_table(&grid(150.0, 7.0, 1)[0]));
        assert!(can_be_table(&grid(150.0, 12.0, 2)[0]));
        assert!(can_be_table(&grid(20.0, 150.0, 15)[0]));
    }

    #[test]
    fn counter_named_pages_make_runs() {
        let f = |s: &str| PathBuf::from(s);
        let files = [
            f("a/IMG_1000.jpg"),
            f("a/IMG_1001.jpg"),
            f("a/IMG_1003.jpg"),
            f("a/IMG_1004.JPG"),
            f("a/page-10.png"),
            f("a/page-8.png"),
            f("a/page-9.png"),
            f("a/r.p1.jpg"),
            f("a/r.p2.jpg"),
            f("a/scan0001.tif"),
            f("a/scan0002.tif"),
            f("a/x.txt"),
            f("b/scan0003.tif"),
        ];
        assert_eq!(counter_runs(&files), vec![vec![0, 1], vec![5, 6, 4], vec![9, 10]]);
    }

    #[test]
    fn page_files_group_into_one_report_in_page_order() {
        let f = |s: &str| PathBuf::from(s);
        let groups = group_inputs(&[
            f("a/r.p2.jpg"),
            f("a/x.txt"),
            f("a/r.p1.jpg"),
            f("a/r.p10.jpg"),
            f("b/r.p1.jpg"),
        ]);
        assert_eq!(
            groups,
            vec![
                vec![f("a/r.p1.jpg"), f("a/r.p2.jpg"), f("a/r.p10.jpg")],
                vec![f("a/x.txt")],
                vec![f("b/r.p1.jpg")]
            ]
        );
    }
}
