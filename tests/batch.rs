//! Batch runs of the real binary over folders: every output and both CSVs
//! over mixed good and bad inputs, exit codes, determinism across `--jobs`,
//! sharding, the time limit, and a run killed with SIGKILL then resumed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

use crate::util::{root, samples_with_truth, truth_path, xxgk, TempDir};

/// The good inputs of the mixed tree: (path under the tree, sample it copies).
fn good_inputs() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for s in samples_with_truth(&root().join("samples/seeds")) {
        out.push((format!("seeds/{}", s.file_name().unwrap().to_string_lossy()), s));
    }
    for s in samples_with_truth(&root().join("samples/text")) {
        let name = s.file_name().unwrap().to_string_lossy().to_string();
        let sub = if name.contains("2019") { "2019" } else { "2021/deeper" };
        out.push((format!("text/{sub}/{name}"), s));
    }
    out
}

const LEGACY: &str = "某某局2017年政府信息公开工作年度报告\n一、概述\n2017年，我局主动公开政府信息120条，其中规范性文件3件。\n二、依申请公开政府信息情况\n全年收到申请5件，均已按时办结。\n";
const NOVEL: &str = "第一章 春天来了，小河里的水哗哗地流着，孩子们在河边玩耍，大人们在田里干活。这是一个美好的季节。";

/// The bad inputs: (path under the tree, bytes, stage, message).
fn bad_inputs() -> Vec<(&'static str, Vec<u8>, &'static str, String)> {
    let huge = std::fs::read_to_string(root().join("samples/seeds/000_9456aa479e8413ba.txt"))
        .unwrap()
        .repeat(40);
    let huge_len = huge.len();
    vec![
        ("bad/binary.txt", vec![0u8, 159, 146, 150, 1, 2, 3, 255, 254, 0, 0, 7], "read", "the file is not text in a known encoding (tried UTF-8, UTF-16 and GB18030)".into()),
        ("bad/empty.txt", Vec::new(), "read", "the file is empty".into()),
        ("bad/english.md", b"Annual report of the city council. Nothing here is Chinese.\n".to_vec(), "classify", "no Chinese text found: this does not look like a government information-disclosure report".into()),
        ("bad/huge.txt", huge.into_bytes(), "read", format!("the file is too large ({huge_len} bytes; the limit is 100000 bytes)")),
        ("bad/legacy2017.txt", LEGACY.as_bytes().to_vec(), "classify", "a pre-2019 report in the old free format (legacy): it has none of the 2019/2021 template tables".into()),
        ("bad/novel.pdf", NOVEL.as_bytes().to_vec(), "classify", "not an annual report: none of the report tables (主动公开, 依申请公开, 行政复议) were found".into()),
    ]
}

/// Builds the mixed tree; returns every input path in the order a walk
/// must visit them (byte order of names at each level).
fn mixed_tree(dir: &Path) -> Vec<String> {
    let mut inputs = Vec::new();
    let put = |rel: &str, bytes: &[u8]| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
        p.to_string_lossy().to_string()
    };
    for (rel, sample) in good_inputs() {
        inputs.push(put(&rel, &std::fs::read(sample).unwrap()));
    }
    for (rel, bytes, _, _) in bad_inputs() {
        inputs.push(put(rel, &bytes));
    }
    // A report under a .pdf name: content decides the reader.
    inputs.push(put(
        "misnamed/report.pdf",
        &std::fs::read(root().join("samples/seeds/002_79f5161ec9abcde3.txt")).unwrap(),
    ));
    // Not inputs: hidden, outputs and data, an English file without extension.
    put(
        ".hidden/report.txt",
        &std::fs::read(root().join("samples/seeds/002_79f5161ec9abcde3.txt")).unwrap(),
    );
    put("seeds/.draft.txt", b"draft");
    put(
        "seeds/000.truth.json",
        &std::fs::read(root().join("samples/seeds/000_9456aa479e8413ba.truth.json")).unwrap(),
    );
    put("notes/README", b"Notes about this archive.\n");
    inputs.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    inputs
}

fn run(args: &[&str]) -> (Option<i32>, String) {
    let out = xxgk(args);
    (out.status.code(), String::from_utf8_lossy(&out.stderr).to_string())
}

/// Every file under `dir`, relative, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                // A running batch may rename a temporary file between the
                // listing and the read; such a file is simply not listed.
                out.insert(p.strip_prefix(dir).unwrap().to_string_lossy().to_string(), bytes);
            }
        }
    }
    out
}

/// The fields of one CSV line (RFC 4180 quoting; no line breaks inside).
fn csv_fields(line: &str) -> Vec<String> {
    let (mut fields, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

fn csv_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path).unwrap().lines().map(str::to_string).collect()
}

#[test]
fn mixed_folder_gives_every_output_both_csvs_and_exit_2() {
    let tmp = TempDir::new("batch-mixed");
    let tree = tmp.0.join("in");
    let out = tmp.0.join("out");
    let inputs = mixed_tree(&tree);
    let (code, stderr) = run(&[
        "extract",
        tree.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--max-bytes",
        "100000",
    ]);
    assert_eq!(code, Some(2), "{stderr}");

    // One JSON per good input, mirroring the tree, equal to the truth.
    let written = files(&out);
    for (rel, sample) in good_inputs().into_iter().chain([(
        "misnamed/report.pdf".to_string(),
        root().join("samples/seeds/002_79f5161ec9abcde3.txt"),
    )]) {
        let bytes =
            written.get(&format!("{rel}.json")).unwrap_or_else(|| panic!("no output for {rel}"));
        let got: Value = serde_json::from_slice(bytes).unwrap();
        let truth: Value =
            serde_json::from_str(&std::fs::read_to_string(truth_path(&sample)).unwrap()).unwrap();
        assert_eq!(got["source"]["path"], tree.join(&rel).to_string_lossy().as_ref());
        assert_eq!(got["source"]["kind"], "text");
        for key in ["edition", "year", "organization", "values"] {
            assert_eq!(got[key], truth[key], "{rel}: {key}");
        }
    }
    let jsons = written.keys().filter(|k| k.ends_with(".json")).count();
    assert_eq!(jsons, good_inputs().len() + 1, "no output for bad inputs or non-inputs");
    assert_eq!(
        written.len(),
        jsons + 2,
        "only the JSONs and the two CSVs: {:?}",
        written.keys().collect::<Vec<_>>()
    );

    // summary.csv: the fixed header, then one row per input in walk order.
    let summary = csv_lines(&out.join("summary.csv"));
    let templates = xxgk::TemplateSet::builtin().unwrap();
    let mut header: Vec<String> = xxgk::report::CSV_META.iter().map(|s| s.to_string()).collect();
    header.extend(templates.all_field_ids());
    assert_eq!(summary[0], header.join(","));
    for ed in ["2019", "2021"] {
        assert!(
            templates.field_ids(ed).iter().all(|id| header.contains(id)),
            "every {ed} field is a column"
        );
    }
    assert!(
        header.contains(&"s2.fees.amount_wan".to_string())
            && header.contains(&"s2.procurement.amount_wan".to_string())
    );
    let files_column: Vec<&str> =
        summary[1..].iter().map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(files_column, inputs.iter().map(String::as_str).collect::<Vec<_>>());
    for line in &summary[1..] {
        assert_eq!(csv_fields(line).len(), header.len(), "{line}");
    }

    // errors.csv and stderr: one row and one line per bad input, in order.
    let bad = bad_inputs();
    let mut expected_rows = vec!["file,stage,message".to_string()];
    let mut expected_lines = Vec::new();
    for (rel, _, stage, message) in &bad {
        let path = tree.join(rel).to_string_lossy().to_string();
        let quoted = if message.contains(',') { format!("\"{message}\"") } else { message.clone() };
        expected_rows.push(format!("{path},{stage},{quoted}"));
        expected_lines.push(format!("xxgk: {path}: {message}"));
    }
    assert_eq!(csv_lines(&out.join("errors.csv")), expected_rows);
    let error_lines: Vec<&str> =
        stderr.lines().filter(|l| l.contains(tree.to_str().unwrap())).collect();
    assert_eq!(error_lines, expected_lines);
    let n = inputs.len();
    assert!(stderr.contains(&format!("xxgk: {n} inputs in ")), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{} failed to read; {n} processed now, 0 already done (skipped)",
            bad.len()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("time per input kind: ")
            && stderr.contains("xxgk: 2 files in the folders were not taken as inputs"),
        "{stderr}"
    );
}

#[test]
fn exit_code_is_0_when_every_report_is_ok_and_1_with_review_entries() {
    let tmp = TempDir::new("batch-codes");
    let (clean, warned) = (tmp.0.join("clean"), tmp.0.join("warned"));
    // The seeds are `ok`; gen_05 prints "-" in a 表二 cell (null, in review)
    // and in a 表四 cell that R4 fills (inferred, in review).
    for (dir, sample) in [
        (&clean, "seeds/000_9456aa479e8413ba"),
        (&clean, "seeds/001_3e818b739ce5200c"),
        (&warned, "seeds/000_9456aa479e8413ba"),
        (&warned, "text/gen_05_tabs_2021"),
    ] {
        std::fs::create_dir_all(dir).unwrap();
        let name = sample.rsplit('/').next().unwrap();
        std::fs::copy(
            root().join(format!("samples/{sample}.txt")),
            dir.join(format!("{name}.txt")),
        )
        .unwrap();
    }
    assert_eq!(
        run(&["extract", clean.to_str().unwrap(), "-o", tmp.0.join("o1").to_str().unwrap()]).0,
        Some(0)
    );
    let (code, stderr) =
        run(&["extract", warned.to_str().unwrap(), "-o", tmp.0.join("o2").to_str().unwrap()]);
    assert_eq!(code, Some(1), "{stderr}");
    let summary = std::fs::read_to_string(tmp.0.join("o2/summary.csv")).unwrap();
    let status: Vec<(&str, &str, &str)> = summary
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[1], c[10], c[11])
        })
        .collect();
    assert_eq!(status, [("ok", "0", "0"), ("check", "2", "0")]);
    // A resumed run reads its verdict back from the outputs.
    assert_eq!(
        run(&["extract", warned.to_str().unwrap(), "-o", tmp.0.join("o2").to_str().unwrap()]).0,
        Some(1)
    );
}

#[test]
fn outputs_are_identical_whatever_jobs_is() {
    let tmp = TempDir::new("batch-jobs");
    let tree = tmp.0.join("in");
    mixed_tree(&tree);
    let mut results = Vec::new();
    for jobs in ["1", "2"] {
        let out = tmp.0.join(format!("out{jobs}"));
        let (code, stderr) = run(&[
            "extract",
            tree.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--jobs",
            jobs,
            "--max-bytes",
            "100000",
        ]);
        let lines: Vec<String> = stderr
            .lines()
            .filter(|l| l.contains(tree.to_str().unwrap()))
            .map(str::to_string)
            .collect();
        results.push((code, lines, files(&out)));
    }
    assert_eq!(results[0].0, results[1].0);
    assert_eq!(results[0].1, results[1].1, "per-file messages come in input order");
    assert_eq!(results[0].2.keys().collect::<Vec<_>>(), results[1].2.keys().collect::<Vec<_>>());
    for (name, bytes) in &results[0].2 {
        assert!(results[1].2[name] == *bytes, "{name} differs between --jobs 1 and --jobs 2");
    }
}

#[test]
fn shards_partition_the_batch_and_their_summaries_concatenate() {
    let tmp = TempDir::new("batch-shard");
    let tree = tmp.0.join("in");
    mixed_tree(&tree);
    let whole = tmp.0.join("whole");
    let shared = tmp.0.join("shards");
    run(&[
        "extract",
        tree.to_str().unwrap(),
        "-o",
        whole.to_str().unwrap(),
        "--max-bytes",
        "100000",
        "-q",
    ]);
    let mut rows = Vec::new();
    for k in 0..3 {
        let shard = format!("{k}/3");
        run(&[
            "extract",
            tree.to_str().unwrap(),
            "-o",
            shared.to_str().unwrap(),
            "--max-bytes",
            "100000",
            "-q",
            "--shard",
            &shard,
        ]);
        let lines = csv_lines(&shared.join(format!("summary.shard-{k}-of-3.csv")));
        assert_eq!(
            lines[0],
            csv_lines(&whole.join("summary.csv"))[0],
            "every shard writes the same header"
        );
        assert!(lines.len() > 1, "shard {k} got no input");
        rows.extend(lines[1..].iter().cloned());
    }
    let mut all = csv_lines(&whole.join("summary.csv"))[1..].to_vec();
    rows.sort();
    all.sort();
    assert_eq!(rows, all);
    let jsons = |d: &Path| {
        files(d).into_iter().filter(|(k, _)| k.ends_with(".json")).collect::<BTreeMap<_, _>>()
    };
    assert_eq!(jsons(&shared), jsons(&whole), "the shards' outputs together are the whole run's");
    assert_eq!(run(&["extract", tree.to_str().unwrap(), "--shard", "3/3"]).1.trim(), "error: invalid value '3/3' for '--shard <K/N>': --shard takes K/N with 0 <= K < N (e.g. 0/4 … 3/4), not \"3/3\"\n\nFor more information, try '--help'.".trim());
}

/// 300,000 lines of numbers with one label (9 MB): not a report, but
/// reading it takes seconds (about 3 s on the 2-core reference machine;
/// 30,000 lines took that long before the pipeline got faster, so size it
/// again if it gets much faster still).
fn slow_input() -> String {
    let mut x: u64 = 1;
    let mut lines = Vec::new();
    for _ in 0..300_000 {
        let row: Vec<String> = (0..8)
            .map(|_| {
                x = (x * 1_103_515_245 + 12_345) % (1 << 31);
                (x % 100).to_string()
            })
            .collect();
        lines.push(row.join("\t") + "\t其他处理情况");
    }
    lines.join("\n")
}

#[test]
fn a_file_over_the_time_limit_is_an_error_and_the_batch_goes_on() {
    let tmp = TempDir::new("batch-timeout");
    let tree = tmp.0.join("in");
    std::fs::create_dir_all(&tree).unwrap();
    for s in ["000_9456aa479e8413ba", "001_3e818b739ce5200c"] {
        std::fs::copy(root().join(format!("samples/seeds/{s}.txt")), tree.join(format!("{s}.txt")))
            .unwrap();
    }
    // First in walk order, so the inputs after it show the batch goes on.
    let slow = tree.join("0-slow.txt");
    std::fs::write(&slow, slow_input()).unwrap();
    let start = Instant::now();
    // Over the default line limit, which would refuse it at once.
    let (code, _) =
        run(&["extract", slow.to_str().unwrap(), "--timeout", "0", "--max-lines", "1000000"]);
    let unbounded = start.elapsed();
    assert_eq!(code, Some(2), "the slow input is not a report");

    let out = tmp.0.join("out");
    let start = Instant::now();
    let (code, stderr) = run(&[
        "extract",
        tree.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--timeout",
        "0.5",
        "--jobs",
        "1",
        "--max-lines",
        "1000000",
    ]);
    assert_eq!(code, Some(2));
    assert!(
        start.elapsed() < unbounded,
        "the run waited for the slow input ({:?} vs {unbounded:?})",
        start.elapsed()
    );
    let errors = csv_lines(&out.join("errors.csv"));
    assert_eq!(
        errors,
        [
            "file,stage,message".to_string(),
            format!(
                "{},timeout,gave up after 0.5 s (--timeout); its worker process was stopped",
                slow.display()
            )
        ]
    );
    assert_eq!(
        stderr.lines().filter(|l| l.ends_with("its worker process was stopped")).count(),
        1,
        "{stderr}"
    );
    let jsons: Vec<String> = files(&out).into_keys().filter(|k| k.ends_with(".json")).collect();
    assert_eq!(
        jsons,
        ["000_9456aa479e8413ba.txt.json", "001_3e818b739ce5200c.txt.json"],
        "the inputs after it were done; the abandoned one wrote nothing"
    );
}

/// Finished outputs under `out`, by name only: cheap enough to poll.
fn count_json(out: &Path) -> usize {
    let Ok(parts) = std::fs::read_dir(out) else {
        return 0;
    };
    parts
        .flatten()
        .filter_map(|d| std::fs::read_dir(d.path()).ok())
        .flat_map(|rd| rd.flatten())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
        .count()
}

fn mtimes(out: &Path) -> BTreeMap<String, SystemTime> {
    files(out)
        .keys()
        .filter(|k| k.ends_with(".json"))
        .map(|k| (k.clone(), std::fs::metadata(out.join(k)).unwrap().modified().unwrap()))
        .collect()
}

/// Kill a run with SIGKILL mid-way; every output left is whole JSON, and the
/// re-run redoes nothing that was finished (same mtimes, and it says so).
#[test]
fn killed_batch_leaves_whole_outputs_and_resumes_without_redoing() {
    let tmp = TempDir::new("batch-kill");
    let tree = tmp.0.join("in");
    let out = tmp.0.join("out");
    let samples: Vec<PathBuf> = good_inputs().into_iter().map(|(_, s)| s).collect();
    for i in 0..300 {
        let dir = tree.join(format!("part{}", i / 50));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(&samples[i % samples.len()], dir.join(format!("r{i:03}.txt"))).unwrap();
    }
    let args = ["extract", tree.to_str().unwrap(), "-o", out.to_str().unwrap(), "--jobs", "1"];
    let mut child = Command::new(env!("CARGO_BIN_EXE_xxgk"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while count_json(&out) < 20 {
        assert!(Instant::now() < deadline, "the batch wrote nothing");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let before = mtimes(&out);
    assert!(before.len() < 300, "killed too late to test anything ({} done)", before.len());
    for name in before.keys() {
        serde_json::from_slice::<Value>(&std::fs::read(out.join(name)).unwrap())
            .unwrap_or_else(|e| panic!("{name} is not whole: {e}"));
    }
    assert!(!out.join("summary.csv").exists(), "the CSVs are written at the end");
    // Only whole outputs and, possibly, hidden temporary files.
    assert!(files(&out).keys().all(|k| k.ends_with(".json")
        || Path::new(k).file_name().unwrap().to_string_lossy().starts_with('.')));

    let (code, stderr) = run(&[&args[..], &["--verbose"]].concat());
    assert!(code == Some(0) || code == Some(1), "{stderr}");
    let skipped = stderr.lines().filter(|l| l.ends_with(": already done, skipped")).count();
    assert_eq!(skipped, before.len(), "{stderr}");
    assert!(
        stderr.contains("300 inputs in ")
            && stderr.contains(&format!(
                "{} processed now, {} already done (skipped)",
                300 - before.len(),
                before.len()
            )),
        "{stderr}"
    );
    let after = mtimes(&out);
    assert_eq!(after.len(), 300);
    for (name, t) in &before {
        assert_eq!(after[name], *t, "{name} was redone");
    }
    let all = files(&out);
    assert_eq!(all.len(), 302, "300 JSONs and 2 CSVs, no leftover temporary file");
    for (name, bytes) in all.iter().filter(|(k, _)| k.ends_with(".json")) {
        serde_json::from_slice::<Value>(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    assert_eq!(csv_lines(&out.join("summary.csv")).len(), 301);

    // --force redoes everything.
    let (_, stderr) = run(&[&args[..], &["--force"]].concat());
    assert!(stderr.contains("300 processed now, 0 already done (skipped)"), "{stderr}");
}

/// Resuming is by content: an input whose bytes changed since its output
/// was written is done again.
#[test]
fn changed_input_is_redone_unchanged_is_skipped() {
    let tmp = TempDir::new("batch-changed");
    let tree = tmp.0.join("in");
    std::fs::create_dir_all(&tree).unwrap();
    for s in ["000_9456aa479e8413ba", "001_3e818b739ce5200c"] {
        std::fs::copy(root().join(format!("samples/seeds/{s}.txt")), tree.join(format!("{s}.txt")))
            .unwrap();
    }
    let out = tmp.0.join("out");
    let args = ["extract", tree.to_str().unwrap(), "-o", out.to_str().unwrap(), "--verbose"];
    run(&args);
    let changed = tree.join("001_3e818b739ce5200c.txt");
    let mut text = std::fs::read_to_string(&changed).unwrap();
    text.push_str("\n附：本报告由办公室编制。\n");
    std::fs::write(&changed, text).unwrap();
    let (_, stderr) = run(&args);
    assert!(stderr.contains("1 processed now, 1 already done (skipped)"), "{stderr}");
    assert!(stderr.contains("000_9456aa479e8413ba.txt: already done, skipped"), "{stderr}");
    let v: Value =
        serde_json::from_slice(&std::fs::read(out.join("001_3e818b739ce5200c.txt.json")).unwrap())
            .unwrap();
    assert_eq!(v["source"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(v["source"]["bytes"], std::fs::metadata(&changed).unwrap().len());
}
