//! One integration-test binary (see Cargo.toml): golden samples, the CLI,
//! the model files, bad input, and property tests.

mod util;

mod cli;
mod golden;
mod models;
mod properties;
