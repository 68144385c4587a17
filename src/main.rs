//! The `xxgk` command: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Silence the default panic printer: panics are caught per file and
    // reported as one line each.
    // XXGK_BACKTRACE=1 keeps the default printer, for debugging.
    if std::env::var_os("XXGK_BACKTRACE").is_none() {
        std::panic::set_hook(Box::new(|_| {}));
    }
    let args = xxgk_cli::Cli::parse();
    match xxgk_cli::run(args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("xxgk: {e:#}");
            ExitCode::from(2)
        }
    }
}

#[path = "cli/mod.rs"]
mod xxgk_cli;
