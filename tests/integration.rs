//! One integration-test binary (see Cargo.toml): golden samples (text, HTML,
//! DOCX, scans), the CLI, the model files, bad input, and property tests.

mod util;

mod cli;
mod golden;
mod markup;
mod models;
mod properties;
#[cfg(feature = "ocr")]
mod scan;
