//! Box-drawing tables (`w3m -dump`): a cell's text wraps over several lines
//! between two rules (`│（二）部分公开（ │` / `│区分处理的，只计 │` / …),
//! and a rule may close some columns while a merged group cell on its left
//! goes on (`│        ├────────┼────…┤`). Each band of lines between two
//! rules of the last column is joined into one line `|cell|cell|…|`, each
//! cell the text of its column over the band, so that the text reader sees
//! one table row per line as in a Markdown dump.

/// Horizontal line-drawing characters: a piece made of them is a rule.
const HORIZONTAL: [char; 6] = ['─', '━', '═', '┄', '┅', '╌'];

/// `text`'s lines (1-based number, text) with every band of a box table
/// joined into one line, numbered by the band's first line with a digit
/// (else its first line).
pub(super) fn join_bands(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut band = Band::default();
    for (i, raw) in text.split('\n').enumerate() {
        let raw = raw.trim_end_matches('\r');
        let Some(pieces) = pieces(raw) else {
            band.flush(&mut out);
            out.push((i + 1, raw.to_string()));
            continue;
        };
        let closes = pieces.last().is_some_and(|p| is_rule(p.text));
        if !closes && !band.fits(&pieces) {
            band.flush(&mut out);
        }
        // A rule's text pieces (a merged cell going on past it) end the
        // band above, whose cells they continue.
        band.add(i + 1, &pieces);
        if closes {
            band.flush(&mut out);
        }
    }
    band.flush(&mut out);
    out
}

/// A piece of a box line between two bars, with its display columns (w3m
/// draws line-drawing characters one column wide and every other
/// non-ASCII character two).
struct Piece<'a> {
    text: &'a str,
    start: usize,
    end: usize,
}

/// The pieces between the vertical bars and junctions of a box line, or
/// None when `raw` is not one.
fn pieces(raw: &str) -> Option<Vec<Piece<'_>>> {
    let t = raw.trim();
    let is_bar = |c: char| ('\u{2500}'..='\u{257f}').contains(&c) && !HORIZONTAL.contains(&c);
    if !t.starts_with(is_bar) || !t.ends_with(is_bar) || t.chars().count() < 2 {
        return None;
    }
    let width =
        |c: char| if c.is_ascii() || ('\u{2500}'..='\u{257f}').contains(&c) { 1 } else { 2 };
    let mut out = Vec::new();
    let (mut col, mut from, mut from_col) = (0, None, 0);
    for (at, c) in raw.char_indices() {
        if is_bar(c) {
            if let Some(f) = from {
                out.push(Piece { text: &raw[f..at], start: from_col, end: col });
            }
            from = Some(at + c.len_utf8());
            from_col = col + 1;
        }
        col += width(c);
    }
    Some(out)
}

fn is_rule(piece: &str) -> bool {
    !piece.is_empty() && piece.chars().all(|c| HORIZONTAL.contains(&c))
}

/// The lines of one table row between two rules.
#[derive(Default)]
struct Band {
    /// Each column's display columns and text so far.
    cells: Vec<(usize, usize, String)>,
    number: Option<usize>,
    digits_at: Option<usize>,
}

impl Band {
    /// `pieces` are a line of this band: the same columns.
    fn fits(&self, pieces: &[Piece]) -> bool {
        self.cells.is_empty()
            || (self.cells.len() == pieces.len()
                && self.cells.iter().zip(pieces).all(|(c, p)| c.0 == p.start && c.1 == p.end))
    }

    fn add(&mut self, number: usize, pieces: &[Piece]) {
        if self.cells.is_empty() {
            self.cells = pieces.iter().map(|p| (p.start, p.end, String::new())).collect();
        }
        for p in pieces {
            let t = p.text.trim();
            if t.is_empty() || is_rule(t) {
                continue;
            }
            let mid = (p.start + p.end) / 2;
            let Some(cell) = self.cells.iter_mut().find(|c| c.0 <= mid && mid <= c.1) else {
                continue;
            };
            self.number.get_or_insert(number);
            if self.digits_at.is_none() && t.contains(|c: char| c.is_ascii_digit()) {
                self.digits_at = Some(number);
            }
            // A wrapped label joins as it stands; two figures or words of
            // Latin script keep a space between them.
            let text = &mut cell.2;
            if text.ends_with(|c: char| c.is_ascii_alphanumeric())
                && t.starts_with(|c: char| c.is_ascii_alphanumeric())
            {
                text.push(' ');
            }
            text.push_str(t);
        }
    }

    fn flush(&mut self, out: &mut Vec<(usize, String)>) {
        let band = std::mem::take(self);
        if let Some(first) = band.number {
            let number = band.digits_at.unwrap_or(first);
            let cells: Vec<&str> = band.cells.iter().map(|c| c.2.as_str()).collect();
            out.push((number, format!("|{}|", cells.join("|"))));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::join_bands;

    /// A band of `w3m -dump` (html_03's 表三): the label wraps over four
    /// lines, its numbers on the second; the group cell on the left goes on
    /// past the rule that closes the row.
    #[test]
    fn a_band_of_wrapped_cells_is_one_line() {
        let text = "│        │（二）部分公开（ │        │\n\
                    │        │区分处理的，只计 │   13   │\n\
                    │        │这一情形，不计其 │        │\n\
                    │        │    他情形）     │        │\n\
                    │（三）不├────────┬────────┼────────┤\n\
                    │ 予公开 │        │1.属于国│   1    │\n\
                    │        │        │ 家秘密 │        │\n\
                    └────────┴────────┴────────┴────────┘\n\
                    四、";
        let lines: Vec<(usize, String)> = join_bands(text);
        assert_eq!(
            lines,
            [
                (
                    2,
                    "|（三）不|（二）部分公开（区分处理的，只计这一情形，不计其他情形）|13|"
                        .to_string()
                ),
                (6, "|予公开||1.属于国家秘密|1|".to_string()),
                (9, "四、".to_string())
            ]
        );
    }
}
