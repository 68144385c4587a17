//! Source: PDF pages rendered by poppler's `pdftoppm`, for pages the
//! reader cannot take from the file itself (JBIG2 or JPEG 2000 images, text
//! whose fonts cannot be decoded, text drawn as outlines, pages without an
//! image). In: the PDF's bytes and a 1-based page. Out: the page as gray
//! pixels at [`RENDER_DPI`].
//!
//! The PDF goes to `pdftoppm` on stdin and the page comes back on stdout as
//! a PPM (colour, for a red seal): no temporary files, so concurrent workers
//! cannot collide. Not PNG: poppler 22's PNG writer took 10 s for one A4
//! page at 300 dpi that it renders to PPM in 0.17 s. A missing
//! `pdftoppm` is its own error, so that callers can say what to install.

use std::io::{Cursor, Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use image::GrayImage;

use crate::budget::Budget;
use crate::error::DocumentError;
use crate::source::scan::input::{check_size, to_gray};

/// OCR reads 300 dpi pages well (`BENCHMARKS.md`); more only costs time.
pub const RENDER_DPI: u32 = 300;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderError {
    /// `pdftoppm` is not on the PATH.
    Missing,
    /// The page would pass the budget's pixels.
    TooLarge(DocumentError),
    /// It ran and failed, gave no image, or took longer than the input may;
    /// the message says how.
    Failed(String),
}

/// Renders one page (1-based) of `size_pt` points to gray at
/// [`RENDER_DPI`]; a page whose pixels would pass the budget is refused
/// before `pdftoppm` allocates them. `pdftoppm` runs in our process group
/// (a batch's worker stops the group on a timeout), dies with the thread
/// that started it (Linux), and is stopped past the budget's time.
pub fn render_page(
    pdf: &[u8],
    page: usize,
    size_pt: (f32, f32),
    budget: &Budget,
) -> Result<(GrayImage, Option<GrayImage>), RenderError> {
    let (w, h) = rendered_size(size_pt);
    check_size(w, h, budget).map_err(RenderError::TooLarge)?;
    render_at(pdf, page, RENDER_DPI, budget)
        .and_then(|ppm| {
            image::load(Cursor::new(ppm), image::ImageFormat::Pnm)
                .map_err(|e| RenderError::Failed(format!("pdftoppm gave no image: {e}")))
        })
        .map(to_gray)
}

/// Page `page` (1-based) rendered at `dpi`, as pdftoppm's PPM bytes; the
/// caller has checked the page's size against the budget.
pub fn render_at(
    pdf: &[u8],
    page: usize,
    dpi: u32,
    budget: &Budget,
) -> Result<Vec<u8>, RenderError> {
    let n = page.to_string();
    let mut command = Command::new("pdftoppm");
    command
        .args(["-r", &dpi.to_string(), "-singlefile", "-f", &n, "-l", &n, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    crate::process::die_with_parent(&mut command);
    let mut child = command.spawn().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            RenderError::Missing
        } else {
            RenderError::Failed(format!("cannot run pdftoppm: {e}"))
        }
    })?;
    let (status, stdout, stderr) = run_to_end(&mut child, pdf, budget.timeout)
        .map_err(|e| RenderError::Failed(format!("pdftoppm: {e}")))?;
    let Some(status) = status else {
        return Err(RenderError::Failed(format!(
            "pdftoppm took longer than {} s and was stopped",
            budget.timeout.unwrap_or_default().as_secs_f64()
        )));
    };
    if !status.success() {
        let stderr = String::from_utf8_lossy(&stderr);
        let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no message");
        return Err(RenderError::Failed(format!("pdftoppm failed ({status}): {last}")));
    }
    Ok(stdout)
}

/// Feeds `input` to the child and reads its output, each on a thread of
/// its own (the output pipe fills long before a page is written, and the
/// child blocks until it is read); the child is killed past `limit` (its
/// processor time, see [`crate::process::past_limit`]), and then the
/// status is `None`.
fn run_to_end(
    child: &mut Child,
    input: &[u8],
    limit: Option<Duration>,
) -> std::io::Result<(Option<std::process::ExitStatus>, Vec<u8>, Vec<u8>)> {
    let (stdin, stdout, stderr) = (child.stdin.take(), child.stdout.take(), child.stderr.take());
    let start = Instant::now();
    std::thread::scope(|s| {
        s.spawn(move || {
            if let Some(mut stdin) = stdin {
                // A child that exits early closes the pipe; its status says why.
                let _ = stdin.write_all(input);
            }
        });
        let read_all = |pipe: Option<Box<dyn Read + Send>>| {
            s.spawn(move || {
                let mut out = Vec::new();
                if let Some(mut p) = pipe {
                    let _ = p.read_to_end(&mut out);
                }
                out
            })
        };
        let out = read_all(stdout.map(|p| Box::new(p) as Box<dyn Read + Send>));
        let err = read_all(stderr.map(|p| Box::new(p) as Box<dyn Read + Send>));
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break Some(status);
            }
            let cpu = || crate::process::cpu_time(child.id());
            if limit.is_some_and(|l| crate::process::past_limit(cpu(), start.elapsed(), l)) {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        Ok((status, out.join().unwrap_or_default(), err.join().unwrap_or_default()))
    })
}

/// A page's size rendered at [`RENDER_DPI`], pixels.
pub fn rendered_size((w, h): (f32, f32)) -> (u64, u64) {
    let px = |pt: f32| (pt.abs() / 72.0 * RENDER_DPI as f32).ceil() as u64;
    (px(w), px(h))
}
