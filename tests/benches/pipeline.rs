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
    assert!(!texts.is_empty(), "no samples found for {name}");
    // Warm up, then run for a fixed time; report the per-report median too.
    for (p, t) in texts {
        extract_str(t, p, templates).ok();
    }
    let mut per_report = Vec::new();
    let start = Instant::now();
    let mut n = 0usize;
    while start.elapsed() < Duration::from_secs(5) {
        for (p, t) in texts {
            let t0 = Instant::now();
            std::hint::black_box(extract_str(t, p, templates).ok());
            per_report.push(t0.elapsed());
            n += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    per_report.sort();
    let median = per_report[per_report.len() / 2];
    let p99 = per_report[per_report.len() * 99 / 100];
    println!("{name}: {n} reports ({} distinct) in {secs:.2} s on one thread: {:.0} reports/s; median {:.2} ms, p99 {:.2} ms per report", texts.len(), n as f64 / secs, median.as_secs_f64() * 1e3, p99.as_secs_f64() * 1e3);
}
