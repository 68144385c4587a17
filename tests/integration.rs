//! One integration-test binary (see Cargo.toml): golden samples (text, HTML,
//! DOCX, PDF, scans), the CLI, the model files, bad input, batch runs, and
//! property tests.

mod util;

mod architecture;
mod batch;
mod cli;
mod dictionary;
mod fuzz;
mod fuzz_pdf;
mod golden;
#[cfg(unix)]
mod hostile;
mod markup;
mod models;
mod pdf;
#[cfg(feature = "ocr")]
mod pdf_ocr;
mod properties;
mod provenance;
mod research;
mod review;
#[cfg(feature = "ocr")]
mod scan;
#[cfg(feature = "ocr")]
mod scan_pages;
#[cfg(feature = "ocr")]
mod scan_pdf;
mod trust;
