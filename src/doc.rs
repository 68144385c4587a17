//! The document every reader produces and every stage after the readers
//! takes: lines of cells with row breaks, each cell with where it came from.
//! It lies below the readers and the stages, so that neither imports the
//! other to name it.

/// Where a cell came from, for the output's `location`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Loc {
    /// 1-based line of a text export.
    Line(usize),
    /// A cell of a markup table (HTML, DOCX): 0-based table, row, column.
    Cell { table: usize, row: usize, col: usize },
    /// A box on a page (PDF, scan): 1-based page, PDF points, origin top-left.
    Box { page: usize, x0: f32, y0: f32, x1: f32, y1: f32 },
}

/// One cell of a line.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub text: String,
    /// Where the cell is in the source; readers other than the text reader
    /// set it, the text reader leaves the line number.
    pub loc: Option<Loc>,
    /// Display columns `[start, end)` for layout rows; `None` where the cell's
    /// position is its index in the row.
    pub span: Option<(f32, f32)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// 1-based line number in the file.
    pub number: usize,
    /// The line's text with cells joined by a space (for headings, metadata).
    pub text: String,
    pub cells: Vec<Cell>,
    /// The format says the table row ends after this line.
    pub row_end: bool,
}

impl Line {
    /// A line's `text`: its cells' non-empty texts joined by a space.
    pub fn text_of(cells: &[Cell]) -> String {
        cells
            .iter()
            .map(|c| c.text.as_str())
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[derive(Clone, Debug, Default)]
pub struct TextDoc {
    pub lines: Vec<Line>,
}
