//! Scan stage 0c: PDF pages rendered by poppler's `pdftoppm`, for pages the
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

use std::io::{Cursor, Write};
use std::process::{Command, Stdio};

use image::GrayImage;

use super::input::{check_size, to_gray, ScanLimits};
use crate::error::DocumentError;

/// OCR reads 300 dpi pages well (`BENCHMARKS.md`); more only costs time.
pub const RENDER_DPI: u32 = 300;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderError {
    /// `pdftoppm` is not on the PATH.
    Missing,
    /// The page would be larger than the limit; the message says how large.
    TooLarge(String),
    /// It ran and failed, or gave no image; the message says how.
    Failed(String),
}

/// Renders one page (1-based) of `size_pt` points to gray at
/// [`RENDER_DPI`]; a page whose pixels would pass the limit is refused
/// before `pdftoppm` allocates them.
pub fn render_page(
    pdf: &[u8],
    page: usize,
    size_pt: (f32, f32),
    limits: &ScanLimits,
) -> Result<(GrayImage, Option<GrayImage>), RenderError> {
    let px = |pt: f32| (pt.abs() / 72.0 * RENDER_DPI as f32).ceil() as u64;
    check_size(px(size_pt.0), px(size_pt.1), limits).map_err(|e| {
        RenderError::TooLarge(match e {
            DocumentError::Scan(m) => m,
            other => other.to_string(),
        })
    })?;
    let n = page.to_string();
    let mut child = Command::new("pdftoppm")
        .args(["-r", &RENDER_DPI.to_string(), "-singlefile", "-f", &n, "-l", &n, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                RenderError::Missing
            } else {
                RenderError::Failed(format!("cannot run pdftoppm: {e}"))
            }
        })?;
    let stdin = child.stdin.take();
    // Feeding stdin from another thread: the output pipe fills up long
    // before a page is written, and the child blocks until it is read.
    let output = std::thread::scope(|s| {
        s.spawn(move || {
            if let Some(mut stdin) = stdin {
                // A child that exits early closes the pipe; its status says why.
                let _ = stdin.write_all(pdf);
            }
        });
        child.wait_with_output()
    })
    .map_err(|e| RenderError::Failed(format!("pdftoppm: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no message");
        return Err(RenderError::Failed(format!("pdftoppm failed ({}): {last}", output.status)));
    }
    image::load(Cursor::new(output.stdout), image::ImageFormat::Pnm)
        .map(to_gray)
        .map_err(|e| RenderError::Failed(format!("pdftoppm gave no image: {e}")))
}
