//! CSV text, for every writer of CSV (the batch's CSVs, the long form,
//! the field dictionary): comma-separated, a cell quoted only when it holds
//! a comma, a quote or a line break.

/// One line of cells, without its line break.
pub fn csv_line<S: AsRef<str>>(cells: &[S]) -> String {
    cells.iter().map(|c| escape(c.as_ref())).collect::<Vec<_>>().join(",")
}

fn escape(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
