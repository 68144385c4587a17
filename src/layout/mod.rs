//! TEMPORARY STUB of the lead's `layout` module (pages → lines), so that the
//! PDF reader compiles before `layout` lands on main. Deleted at the merge.

use crate::source::text::{Cell, Line, Loc, TextDoc};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Word {
    pub text: String,
    pub rect: Rect,
    pub confidence: Option<f32>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rule {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    pub number: usize,
    pub width: f32,
    pub height: f32,
    pub words: Vec<Word>,
    pub rules: Vec<Rule>,
}

/// Stub: one line per word.
pub fn pages_to_doc(pages: &[Page]) -> TextDoc {
    let mut lines = Vec::new();
    for p in pages {
        for w in &p.words {
            let loc = Loc::Box { page: p.number, x0: w.rect.x0, y0: w.rect.y0, x1: w.rect.x1, y1: w.rect.y1 };
            lines.push(Line { number: lines.len() + 1, text: w.text.clone(), cells: vec![Cell { text: w.text.clone(), loc: Some(loc), span: None }], row_end: true });
        }
    }
    TextDoc { lines }
}
