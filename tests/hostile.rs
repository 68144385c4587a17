//! Hostile and unlucky inputs, the light ones (issue 25; `scripts/hostile`
//! builds the heavy ones and runs them under a 2 GiB cap): each ends with
//! its one-line error and the batch goes on. Decompression bombs in a
//! page's content and in a form, too many pages, too many pixels per
//! document, FIFOs and devices, a size limit enforced by reading, a worker
//! killed mid-file, a renderer stopped with its input, names with control
//! characters, the output folder's lock, an input folder named like a CSV,
//! symbolic links in and out, temporary files on a failed write.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lopdf::{dictionary, Document, Object, Stream};

use crate::util::{root, xxgk, TempDir};

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// Runs the binary and expects exit 2 with exactly `line` on stderr.
fn one_line(args: &[&str], line: &str) {
    let out = xxgk(args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert_eq!(stderr_of(&out), format!("{line}\n"));
}

/// A one-page PDF drawing `content`, with `more` objects added by `extra`
/// (given the page's resources to fill).
fn pdf_with(content: Stream, extra: impl FnOnce(&mut Document) -> lopdf::Dictionary) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages = doc.new_object_id();
    let resources = extra(&mut doc);
    let content = doc.add_object(content);
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages, "Resources" => resources, "Contents" => content,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

fn deflated(data: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(data).unwrap();
    z.finish().unwrap()
}

/// A page's content, and a form it draws (Flate with `/DecodeParms`, the
/// path lopdf decodes), inflating past `--max-inflate`: one line each,
/// before anything is inflated past the limit.
#[test]
fn inflation_bombs_in_page_content_and_forms_are_refused() {
    let dir = TempDir::new("bombs");
    let zeros = deflated(&vec![0u8; 2 << 20]);
    let content = Stream::new(dictionary! { "Filter" => "FlateDecode" }, zeros.clone());
    let page_bomb = dir.0.join("content.pdf");
    std::fs::write(&page_bomb, pdf_with(content, |_| dictionary! {})).unwrap();
    let form = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Form", "Filter" => "FlateDecode",
            "DecodeParms" => dictionary! { "Predictor" => 1 },
            "BBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        },
        zeros,
    );
    let draws = Stream::new(dictionary! {}, b"BT /F1 9 Tf (x) Tj ET q /Fm0 Do Q".to_vec());
    let form_bomb = dir.0.join("form.pdf");
    std::fs::write(
        &form_bomb,
        pdf_with(draws, |doc| {
            let form = doc.add_object(form);
            let font = doc.add_object(
                dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" },
            );
            dictionary! { "XObject" => dictionary! { "Fm0" => form }, "Font" => dictionary! { "F1" => font } }
        }),
    )
    .unwrap();
    for p in [&page_bomb, &form_bomb] {
        one_line(
            &["extract", p.to_str().unwrap(), "--max-inflate", "1048576"],
            &format!("xxgk: {}: refusing to decompress page 1's content: it is larger than 1048576 bytes uncompressed (a guard against decompression bombs)", p.display()),
        );
    }
}

/// A TIFF of `n` gray pages of `w` × `h`, each its own strip.
fn tiff(n: usize, w: u32, h: u32) -> Vec<u8> {
    use tiff::encoder::{colortype, TiffEncoder};
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut enc = TiffEncoder::new(&mut buf).unwrap();
    for _ in 0..n {
        enc.write_image::<colortype::Gray8>(w, h, &vec![255u8; (w * h) as usize]).unwrap();
    }
    buf.into_inner()
}

/// Pages are counted (and their pixels added up) from the headers before
/// any is decoded: a PDF of 600 pages sharing one content, a TIFF with one
/// page too many, a TIFF whose pages pass the pixels per document.
#[test]
fn pages_and_pixels_are_counted_before_decoding() {
    let dir = TempDir::new("pages");
    let mut doc = Document::with_version("1.5");
    let pages = doc.new_object_id();
    let content = doc.add_object(Stream::new(dictionary! {}, b"0 0 m 10 10 l S".to_vec()));
    let kids: Vec<Object> = (0..600)
        .map(|_| {
            doc.add_object(
                dictionary! { "Type" => "Page", "Parent" => pages, "Contents" => content },
            )
            .into()
        })
        .collect();
    doc.objects.insert(
        pages,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => 600 }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
    doc.trailer.set("Root", catalog);
    let many = dir.0.join("many.pdf");
    doc.save(&many).unwrap();
    one_line(
        &["extract", many.to_str().unwrap()],
        &format!(
            "xxgk: {}: the document has more than 500 pages; that is not one annual report",
            many.display()
        ),
    );
    let four = dir.0.join("four.tif");
    std::fs::write(&four, tiff(4, 100, 100)).unwrap();
    one_line(
        &["extract", four.to_str().unwrap(), "--max-pages", "3"],
        &format!(
            "xxgk: {}: the document has more than 3 pages; that is not one annual report",
            four.display()
        ),
    );
    one_line(
        &["extract", four.to_str().unwrap(), "--max-doc-pixels", "25000"],
        &format!("xxgk: {}: pages 1 to 3 have 30000 pixels in all, above the limit of 25000 pixels per document (a decompression bomb, or a scan at an absurd resolution)", four.display()),
    );
}

/// A FIFO named on the command line is refused before it is opened for
/// reading (it would block); a device is refused whatever `--max-bytes`
/// says; a file that reports less than it holds (`/proc`) is read through
/// the limit. In a folder, a FIFO is not an input (`--verbose` says so).
#[test]
fn fifos_devices_and_lying_sizes_are_refused() {
    let dir = TempDir::new("fifo");
    let fifo = dir.0.join("pipe.txt");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let start = Instant::now();
    one_line(
        &["extract", fifo.to_str().unwrap(), "--timeout", "5"],
        &format!(
            "xxgk: {}: not a regular file (a named pipe): only files and folders are read",
            fifo.display()
        ),
    );
    assert!(start.elapsed() < Duration::from_secs(4), "waited for the FIFO");
    one_line(
        &["extract", "/dev/zero", "--max-bytes", "1000"],
        "xxgk: /dev/zero: not a regular file (a device): only files and folders are read",
    );
    one_line(
        &["extract", "/proc/self/maps", "--max-bytes", "100"],
        "xxgk: /proc/self/maps: the file is larger than the limit of 100 bytes (more than the size it reported)",
    );
    let out = xxgk(&["extract", dir.0.to_str().unwrap(), "--verbose"]);
    assert_eq!(
        stderr_of(&out).lines().next(),
        Some(
            format!(
                "xxgk: {}: not a regular file (a named pipe, a device or a socket), not read",
                fifo.display()
            )
            .as_str()
        )
    );
}

/// Every process (pid, command) whose environment holds `mark`.
fn marked_processes(mark: &str) -> Vec<(u32, String)> {
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(env) = std::fs::read(e.path().join("environ")) else {
            continue;
        };
        if env.split(|&b| b == 0).any(|kv| kv == mark.as_bytes()) {
            let comm = std::fs::read_to_string(e.path().join("comm")).unwrap_or_default();
            found.push((pid, comm.trim().to_string()));
        }
    }
    found
}

/// A page that `pdftoppm` takes minutes to render (no text, no image: two
/// hundred thousand fills of the whole page). At the time limit (processor
/// time of the worker and `pdftoppm` together) the worker's process group
/// is killed, `pdftoppm` with it: nothing of ours runs on.
#[test]
fn a_renderer_past_the_time_limit_is_stopped_with_its_worker() {
    let dir = TempDir::new("slow-render");
    let fills = b"0 0 m 595 0 l 595 842 l 0 842 l h f\n".repeat(200_000);
    let content = Stream::new(dictionary! { "Filter" => "FlateDecode" }, deflated(&fills));
    let slow = dir.0.join("slow.pdf");
    std::fs::write(&slow, pdf_with(content, |_| dictionary! {})).unwrap();
    let mark = format!("XXGK_TEST_MARK=render-{}", std::process::id());
    let (k, v) = mark.split_once('=').unwrap();
    let start = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_xxgk"))
        .args(["extract", slow.to_str().unwrap(), "--timeout", "4"])
        .env(k, v)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // pdftoppm runs (before the limit: the run ends at it).
    let mut seen = false;
    while !seen && start.elapsed() < Duration::from_secs(4) {
        seen = marked_processes(&mark).iter().any(|(_, c)| c == "pdftoppm");
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(seen, "pdftoppm never ran");
    // The limit is processor time; wall time may run to ten times it on a
    // busy machine (the render alone takes minutes of processor time).
    assert!(start.elapsed() < Duration::from_secs(45), "{:?}", start.elapsed());
    assert_eq!(
        stderr_of(&out),
        format!(
            "xxgk: {}: gave up after 4 s (--timeout); its worker process was stopped\n",
            slow.display()
        )
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(marked_processes(&mark), vec![], "left running");
}

/// `n` lines of numbers: a second to read per 100,000, and not a report.
fn slow_text(n: usize) -> String {
    "1\t2\t3\t4\t5\t6\t7\t8\t其他处理情况\n".repeat(n)
}

/// The worker reading a file dies (here killed as the kernel's
/// out-of-memory killer would): that file is a `crash`, the batch goes on
/// with a new worker, and the re-run retries only it.
#[test]
fn a_worker_killed_mid_file_is_that_files_crash() {
    let dir = TempDir::new("crash");
    let tree = dir.0.join("in");
    std::fs::create_dir_all(&tree).unwrap();
    // Seconds of work: the worker is killed well before it is done.
    std::fs::write(tree.join("0-slow.txt"), slow_text(300_000)).unwrap();
    for s in ["000_9456aa479e8413ba", "001_3e818b739ce5200c"] {
        std::fs::copy(root().join(format!("samples/seeds/{s}.txt")), tree.join(format!("{s}.txt")))
            .unwrap();
    }
    let out = dir.0.join("out");
    let child = Command::new(env!("CARGO_BIN_EXE_xxgk"))
        .args(["extract", tree.to_str().unwrap(), "-o", out.to_str().unwrap()])
        .args(["--jobs", "1", "--timeout", "0", "--max-lines", "1000000"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let parent = child.id();
    let start = Instant::now();
    // The worker is a child of one of the batch's threads.
    let worker = loop {
        let tasks = std::fs::read_dir(format!("/proc/{parent}/task")).unwrap();
        let children: String = tasks
            .flatten()
            .filter_map(|t| std::fs::read_to_string(t.path().join("children")).ok())
            .collect();
        if let Some(pid) = children.split_whitespace().next() {
            break pid.parse::<i32>().unwrap();
        }
        assert!(start.elapsed() < Duration::from_secs(10), "no worker started");
        std::thread::sleep(Duration::from_millis(10));
    };
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: kill(2) on the worker's pid.
    unsafe { libc::kill(worker, libc::SIGKILL) };
    let done = child.wait_with_output().unwrap();
    assert_eq!(done.status.code(), Some(2));
    let line = format!(
        "xxgk: {}: the worker process reading it died of signal 9 (SIGKILL: killed, e.g. by the system when memory ran out)",
        tree.join("0-slow.txt").display()
    );
    assert_eq!(stderr_of(&done).lines().next(), Some(line.as_str()));
    let errors = std::fs::read_to_string(out.join("errors.csv")).unwrap();
    assert!(errors.contains(",crash,\"the worker process reading it died of signal 9"), "{errors}");
    for s in ["000_9456aa479e8413ba", "001_3e818b739ce5200c"] {
        assert!(out.join(format!("{s}.txt.json")).exists(), "the batch went on");
    }
}

/// A file name with a newline and an escape: the error stays one line,
/// the control characters shown escaped.
#[test]
fn control_characters_in_names_are_escaped() {
    let dir = TempDir::new("names");
    let bad = dir.0.join("bad\nname\x1b.txt");
    std::fs::write(&bad, [0u8, 159, 146, 150, 1, 2, 3, 255, 254, 0, 0, 7]).unwrap();
    one_line(
        &["extract", bad.to_str().unwrap()],
        &format!("xxgk: {}/bad\\nname\\u{{1b}}.txt: the file is not text in a known encoding (tried UTF-8, UTF-16 and GB18030)", dir.0.display()),
    );
}

/// `-o report.json` whose write fails (a 1 KiB file size limit): the error
/// names it, and no temporary file is left.
#[test]
fn a_failed_write_leaves_no_temporary_file() {
    let dir = TempDir::new("tmp-left");
    let report = dir.0.join("report.json");
    let sample = root().join("samples/seeds/000_9456aa479e8413ba.txt");
    let out = Command::new("bash")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 1; exec \"$0\" extract \"$1\" -o \"$2\"")
        .arg(env!("CARGO_BIN_EXE_xxgk"))
        .arg(&sample)
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).starts_with("xxgk: writing "), "{}", stderr_of(&out));
    let left: Vec<_> =
        std::fs::read_dir(&dir.0).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(left, Vec::<std::ffi::OsString>::new());
}

/// A second run into a folder another run is writing is refused at once;
/// the first finishes as if alone.
#[test]
fn the_output_folder_is_locked_against_a_second_run() {
    let dir = TempDir::new("lock");
    let tree = dir.0.join("in");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(tree.join("0-slow.txt"), slow_text(100_000)).unwrap();
    let out = dir.0.join("out");
    let args =
        ["extract", tree.to_str().unwrap(), "-o", out.to_str().unwrap(), "--max-lines", "1000000"];
    let first = Command::new(env!("CARGO_BIN_EXE_xxgk"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !out.join(".xxgk.lock").exists() {
        assert!(start.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(5));
    }
    one_line(
        &args,
        &format!(
            "xxgk: another xxgk run is writing into {}; wait for it to finish, or give another output folder",
            out.display()
        ),
    );
    let first = first.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(2), "{}", stderr_of(&first));
    assert!(out.join("summary.csv").exists() && !out.join(".xxgk.lock").exists());
}

fn copy_seed(to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(root().join("samples/seeds/000_9456aa479e8413ba.txt"), to).unwrap();
}

/// An input folder named `summary.csv`: its inputs are refused (their
/// outputs would go where the CSV goes), the CSVs are written.
#[test]
fn an_input_folder_named_like_a_csv_does_not_stop_the_run() {
    let dir = TempDir::new("csv-folder");
    let tree = dir.0.join("in");
    copy_seed(&tree.join("summary.csv/r.txt"));
    copy_seed(&tree.join("a.txt"));
    let out = dir.0.join("out");
    let run = xxgk(&["extract", tree.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(
        stderr_of(&run).lines().next().unwrap(),
        format!("xxgk: {}: its output would go inside the folder summary.csv, where this run writes its CSV; rename that input folder", tree.join("summary.csv/r.txt").display())
    );
    assert!(out.join("summary.csv").is_file() && out.join("a.txt.json").is_file());
    let errors = std::fs::read_to_string(out.join("errors.csv")).unwrap();
    assert_eq!(errors.lines().nth(1).unwrap().split(',').nth(1), Some("discover"));
}

/// In a folder, a link to a file outside the input folders is not
/// followed unless `--follow-links`; one inside is. A link inside the
/// output folder is never written through.
#[test]
fn symbolic_links_in_inputs_and_outputs() {
    let dir = TempDir::new("links");
    let (tree, outside, out) = (dir.0.join("in"), dir.0.join("outside"), dir.0.join("out"));
    copy_seed(&outside.join("secret.txt"));
    copy_seed(&tree.join("real.txt"));
    std::os::unix::fs::symlink(outside.join("secret.txt"), tree.join("away.txt")).unwrap();
    std::os::unix::fs::symlink(tree.join("real.txt"), tree.join("near.txt")).unwrap();
    let listed = |extra: &[&str]| -> Vec<PathBuf> {
        let mut args = vec!["extract", tree.to_str().unwrap(), "-o", out.to_str().unwrap()];
        args.extend(extra);
        let run = xxgk(&args);
        let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
        let _ = std::fs::remove_dir_all(&out);
        assert!(run.status.success() || run.status.code() == Some(1), "{}", stderr_of(&run));
        summary.lines().skip(1).map(|l| PathBuf::from(l.split(',').next().unwrap())).collect()
    };
    assert_eq!(listed(&[]), [tree.join("near.txt"), tree.join("real.txt")]);
    assert_eq!(
        listed(&["--follow-links"]),
        [tree.join("away.txt"), tree.join("near.txt"), tree.join("real.txt")]
    );
    let run = xxgk(&["extract", tree.to_str().unwrap(), "--verbose", "--format", "csv"]);
    assert!(stderr_of(&run).contains(&format!("xxgk: {}: a symbolic link to a file outside the input folders, not followed (--follow-links follows it)", tree.join("away.txt").display())));

    // The output folder: a folder link on the way, and a file link at the target.
    let sub = tree.join("sub");
    copy_seed(&sub.join("r.txt"));
    std::fs::create_dir_all(&out).unwrap();
    let elsewhere = dir.0.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join("sub")).unwrap();
    std::os::unix::fs::symlink(outside.join("secret.txt"), out.join("real.txt.json")).unwrap();
    let run = xxgk(&["extract", tree.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr_of(&run).contains(&format!(
        "xxgk: {}: cannot write {}: {} is a symbolic link; outputs are not written through links",
        sub.join("r.txt").display(),
        out.join("sub/r.txt.json").display(),
        out.join("sub").display()
    )));
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    assert_eq!(
        std::fs::read(outside.join("secret.txt")).unwrap(),
        std::fs::read(root().join("samples/seeds/000_9456aa479e8413ba.txt")).unwrap()
    );
    assert!(!std::fs::symlink_metadata(out.join("real.txt.json")).unwrap().is_symlink());
}

/// A text export of more lines than `--max-lines` is refused before its
/// lines are built (they take some 70 bytes each).
#[test]
fn too_many_lines_are_refused_before_reading() {
    let dir = TempDir::new("lines");
    let many = dir.0.join("many.txt");
    std::fs::write(&many, "1\t2\t3\t4\n".repeat(1001)).unwrap();
    one_line(
        &["extract", many.to_str().unwrap(), "--max-lines", "1000"],
        &format!(
            "xxgk: {}: the document has more than 1000 lines; that is not one annual report",
            many.display()
        ),
    );
}
