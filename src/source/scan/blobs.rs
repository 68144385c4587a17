//! Connected pieces of ink, for the steps that judge ink by its shape
//! (a seal's ring, a strip along the sheet's edge, noise).

/// The bounding box of a piece, `(x0, y0, x1, y1)`, inclusive, in cells of
/// the bitmap it was found in.
pub type PieceBox = (usize, usize, usize, usize);

/// Calls `f` with the bounding box and the cell indices of each
/// 8-connected piece of `on` (a `w` × `h` bitmap, row-major), in the order
/// of each piece's first cell.
pub fn each_piece(on: &[bool], w: usize, h: usize, mut f: impl FnMut(PieceBox, &[usize])) {
    let mut seen = vec![false; on.len()];
    let mut stack = Vec::new();
    let mut cells = Vec::new();
    for start in 0..on.len().min(w * h) {
        if !on[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        cells.clear();
        let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
        while let Some(i) = stack.pop() {
            cells.push(i);
            let (x, y) = (i % w, i / w);
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            for ny in y.saturating_sub(1)..=(y + 1).min(h - 1) {
                for nx in x.saturating_sub(1)..=(x + 1).min(w - 1) {
                    let j = ny * w + nx;
                    if on[j] && !seen[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        f((x0, y0, x1, y1), &cells);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagonal_cells_are_one_piece_and_apart_cells_two() {
        #[rustfmt::skip]
        let on = [
            true,  false, false, false,
            false, true,  false, true,
            false, false, false, true,
        ];
        let mut got = Vec::new();
        each_piece(&on, 4, 3, |b, cells| got.push((b, cells.len())));
        assert_eq!(got, vec![((0, 0, 1, 1), 2), ((3, 1, 3, 2), 2)]);
    }
}
