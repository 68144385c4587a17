//! Benchmark (not a test): text-export throughput of the whole pipeline on
//! one core, in reports per second. Run with `scripts/bench` or
//! `cargo bench --bench pipeline`.
//!
//! Inputs: every text sample under samples/ (seeds and generated), then the
//! converter outputs of samples/converted and the one-line scraped pages among
//! them, read into memory first so that only extraction is timed.

use std::time::{Duration, Instant};

use xxgk::{extract_str, TemplateSet};

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let read = |dir: &str, keep: &dyn Fn(&str) -> bool| {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .map(|rd| rd.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        paths.retain(|p| {
            p.extension().is_some_and(|e| e == "txt" || e == "md")
                && keep(&p.file_name().unwrap_or_default().to_string_lossy())
        });
        paths.sort();
        paths
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok().map(|t| (p.display().to_string(), t)))
            .collect::<Vec<_>>()
    };
    let mut texts = read("seeds", &|_| true);
    texts.extend(read("text", &|_| true));
    let templates = TemplateSet::builtin().expect("built-in templates");
    bench("text exports", &texts, &templates);
    // Real converters' output (samples/converted), and among it the
    // scraped pages flattened into one line.
    bench("converter outputs", &read("converted", &|_| true), &templates);
    bench("one-line pages", &read("converted", &|n| n.contains("--scrape-")), &templates);
}

fn bench(name: &str, texts: &[(String, String)], templates: &TemplateSet) {
    // XXGK_BENCH_SET=text runs only the sets whose name has "text" in it.
    if std::env::var("XXGK_BENCH_SET").is_ok_and(|only| !name.contains(&only)) {
        return;
    }
    assert!(!texts.is_empty(), "no samples found for {name}");
    // Warm up, then run for a fixed time; report the per-report median too.
    for (p, t) in texts {
        extract_str(t, p, templates).ok();
    }
    let mut per_report = Vec::new();
    let cpu0 = thread_cpu();
    let start = Instant::now();
    let mut n = 0usize;
    while start.elapsed() < budget() {
        for (p, t) in texts {
            let t0 = Instant::now();
            std::hint::black_box(extract_str(t, p, templates).ok());
            per_report.push(t0.elapsed());
            n += 1;
        }
    }
    if per_report.is_empty() {
        println!("{name}: {} reports extracted once (XXGK_BENCH_SECS=0)", texts.len());
        return;
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu = (thread_cpu() - cpu0).as_secs_f64();
    per_report.sort();
    let median = per_report[per_report.len() / 2];
    let p99 = per_report[per_report.len() * 99 / 100];
    println!("{name}: {n} reports ({} distinct) in {secs:.2} s on one thread: {:.0} reports/s; {:.0} reports per CPU-second; median {:.2} ms, p99 {:.2} ms per report", texts.len(), n as f64 / secs, n as f64 / cpu, median.as_secs_f64() * 1e3, p99.as_secs_f64() * 1e3);
}

/// CPU time of this thread: on a machine other jobs load, wall time says
/// more about them than about us.
fn thread_cpu() -> Duration {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec into the struct we own.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// How long each set runs: `XXGK_BENCH_SECS` (default 5). 0 extracts each
/// report once (the warm-up) and times nothing: for counting instructions
/// under `valgrind --tool=callgrind`, which a loaded machine cannot skew.
fn budget() -> Duration {
    let secs = std::env::var("XXGK_BENCH_SECS").ok().and_then(|s| s.parse().ok());
    Duration::from_secs(secs.unwrap_or(5))
}
