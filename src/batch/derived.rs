//! What a run derives at its end from all its reports (`long.csv`, the
//! workbook): each report's JSON, in input order, from memory or read back
//! from its output file, one at a time so that an archive's outputs never
//! need to fit in memory together.

use std::io::Write;
use std::path::Path;

use serde_json::Value;

use super::output::create_temporary;
use super::Summary;
use crate::error::BatchError;

impl Summary {
    /// Calls `f(file, report)` for every report of the run, in input order.
    pub fn each_report(
        &self,
        mut f: impl FnMut(&str, &Value) -> Result<(), BatchError>,
    ) -> Result<(), BatchError> {
        self.each_outcome(|file, outcome| outcome.map_or(Ok(()), |report| f(file, report)))
    }

    /// Calls `f(file, report or the reason there is none)` for every input
    /// of the run, in input order (summary.csv's rows).
    pub fn each_outcome(
        &self,
        mut f: impl FnMut(&str, Result<&Value, &str>) -> Result<(), BatchError>,
    ) -> Result<(), BatchError> {
        for o in &self.outcomes {
            let file = o.path.display().to_string();
            let done = match &o.result {
                Ok(done) => done,
                Err(failure) => {
                    f(&file, Err(&failure.message))?;
                    continue;
                }
            };
            match (&done.json, &done.output) {
                (Some(json), _) => f(&file, Ok(json))?,
                (None, Some(out)) => {
                    let error = |e: String| BatchError::Write {
                        path: out.display().to_string(),
                        message: format!("reading it back: {e}"),
                    };
                    let text = std::fs::read_to_string(out).map_err(|e| error(e.to_string()))?;
                    let json: Value =
                        serde_json::from_str(&text).map_err(|e| error(e.to_string()))?;
                    f(&file, Ok(&json))?;
                }
                (None, None) => {}
            }
        }
        Ok(())
    }
}

/// Writes `path` through `fill` into a hidden temporary file beside it,
/// then renames it, like every output of a batch.
pub fn write_streamed(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), BatchError>,
) -> Result<(), BatchError> {
    let error = |e: std::io::Error| BatchError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let (tmp, file) = create_temporary(path).map_err(error)?;
    let mut w = std::io::BufWriter::new(file);
    let filled = fill(&mut w).and_then(|()| w.flush().map_err(error));
    drop(w);
    if let Err(e) = filled.and_then(|()| std::fs::rename(&tmp, path).map_err(error)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(())
}
