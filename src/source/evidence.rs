//! What a reader that reads by OCR knows beyond the text it gives: which
//! cell each value came from, how sure OCR was of it, and what else the
//! cell could say. The rule-guided rereading (`crate::reread`), a stage
//! above the pipeline, asks it through [`Evidence`]; the scan reader
//! answers (`scan::evidence`), so that the rereading's policy runs, and is
//! tested, without Tesseract, and no reader calls a stage.

use crate::layout::Rect;

/// One cell as OCR read it.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadCell {
    /// 1-based page of the report.
    pub page: usize,
    /// The cell box in points (what a value's location holds).
    pub rect: Rect,
    pub text: String,
    /// OCR's confidence in `text`, 0 to 1.
    pub confidence: f32,
    /// The reader is unsure of `text` (its confidence is below the reader's
    /// threshold): to be reread, and flagged when no rule confirms it.
    pub unsure: bool,
    /// `text` was read as a number.
    pub number: bool,
    /// Read in a table without ruling lines: its column comes from its
    /// position alone.
    pub placed: bool,
    /// Red ink (a seal) covers part of the cell: what OCR read there may be
    /// the seal's strokes, however sure it is.
    pub sealed: bool,
}

/// What the rule-guided rereading asks of a reader.
pub trait Evidence {
    /// Every cell read, in a fixed order: indices into it name a cell.
    fn cells(&self) -> Vec<ReadCell>;
    /// Other readings of cell `cell`, best first, each a well-formed
    /// number. Costly (it may run OCR again): asked only of cells in doubt.
    fn alternatives(&self, cell: usize) -> Vec<String>;
    /// The pages with a table without ruling lines, in page order.
    fn unruled_pages(&self) -> Vec<usize>;
}
