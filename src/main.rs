//! The `xxgk` command: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    omp_fast_path();
    // Silence the default panic printer: panics are caught per file and
    // reported as one line each.
    // XXGK_BACKTRACE=1 keeps the default printer, for debugging.
    if std::env::var_os("XXGK_BACKTRACE").is_none() {
        std::panic::set_hook(Box::new(|_| {}));
    }
    trace_from_env();
    let args = xxgk_cli::Cli::parse();
    match xxgk_cli::run(args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("xxgk: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Developers' traces on stderr, when `RUST_LOG` asks for them: targets
/// `xxgk::cells` (scan cells and rereadings), `xxgk::time` (where a scan's
/// time goes), `xxgk::doc` (a scan's lines), `xxgk::table` (rows aligned to
/// the template). `RUST_LOG=xxgk::time=debug xxgk extract page.png`.
fn trace_from_env() {
    if std::env::var_os("RUST_LOG").is_none() {
        return;
    }
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .without_time()
        .with_target(false)
        .with_level(false)
        .init();
}

/// Debian's libtesseract is built with OpenMP, whose thread pool makes
/// OCR of small cell crops several times slower; `OMP_THREAD_LIMIT=1` avoids
/// that, but OpenMP reads it only when the library loads, before `main`.
/// So when it is unset, the program runs itself again with it set (exec:
/// same process id, arguments, stdio and exit status). Set the variable
/// yourself (any value) to opt out.
#[cfg(all(unix, feature = "ocr"))]
fn omp_fast_path() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("OMP_THREAD_LIMIT").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut args = std::env::args_os();
    let argv0 = args.next().unwrap_or_default();
    // exec only returns on failure; then run as we are, only slower.
    let _ =
        std::process::Command::new(exe).arg0(argv0).args(args).env("OMP_THREAD_LIMIT", "1").exec();
}

#[cfg(not(all(unix, feature = "ocr")))]
fn omp_fast_path() {}

#[path = "cli/mod.rs"]
mod xxgk_cli;
