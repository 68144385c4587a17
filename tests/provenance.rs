//! Provenance: `xxgk --version`, the `tool` of every report, and a resumed
//! batch that redoes the outputs of other templates (or another build).

use std::path::Path;

use serde_json::Value;

use crate::util::{root, xxgk, TempDir};

#[test]
fn version_names_the_build_the_ocr_libraries_and_the_templates() {
    let out = xxgk(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert_eq!(lines[0], format!("xxgk {}", env!("CARGO_PKG_VERSION")));
    // A clone builds with its commit; a tarball without git says so.
    let commit = lines[1].strip_prefix("commit: ").unwrap();
    let hex = commit.trim_end_matches("-dirty");
    assert!(
        (hex.len() == 40 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            || commit == "unknown (built without git)",
        "{text}"
    );
    #[cfg(feature = "ocr")]
    for (line, name) in [(lines[2], "tesseract: "), (lines[3], "leptonica: ")] {
        let v = line.strip_prefix(name).unwrap();
        assert!(v.split('.').count() >= 2 && v.starts_with(|c: char| c.is_ascii_digit()), "{line}");
    }
    let hash = xxgk::TemplateSet::builtin().unwrap().hash;
    assert_eq!(lines[4], format!("templates: sha256 {hash}"));

    // Every report records the same.
    let out = xxgk(&["extract", "samples/seeds/002_79f5161ec9abcde3.txt"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let tool = &v["tool"];
    assert_eq!(tool["name"], "xxgk");
    assert_eq!(tool["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(tool["templates"], hash.as_str());
    let or_unknown =
        |k: &str| tool[k].as_str().unwrap_or("unknown (built without git)").to_string();
    assert_eq!(format!("commit: {}", or_unknown("commit")), lines[1]);
    #[cfg(feature = "ocr")]
    assert_eq!(format!("tesseract: {}", tool["tesseract"].as_str().unwrap()), lines[2]);
}

fn copy_models(to: &Path) {
    for entry in walk(&root().join("models")) {
        let rel = entry.strip_prefix(root().join("models")).unwrap();
        let target = to.join(rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &target).unwrap();
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

/// `--models` with a copy of the built-in templates is the same templates
/// (same hash): nothing is redone. A changed template file redoes every
/// output, and the outputs record the new hash.
#[test]
fn a_resumed_run_redoes_every_output_after_a_template_changes_and_none_otherwise() {
    let tmp = TempDir::new("provenance-resume");
    let (tree, out, models) = (tmp.0.join("in"), tmp.0.join("out"), tmp.0.join("models"));
    std::fs::create_dir_all(&tree).unwrap();
    let samples = ["000_9456aa479e8413ba", "001_3e818b739ce5200c", "004_1fe882b2456ae465"];
    for s in samples {
        std::fs::copy(root().join(format!("samples/seeds/{s}.txt")), tree.join(format!("{s}.txt")))
            .unwrap();
    }
    copy_models(&models);
    let run = |with_models: bool| {
        let mut args = vec!["extract", tree.to_str().unwrap(), "-o", out.to_str().unwrap()];
        if with_models {
            args.extend(["--models", models.to_str().unwrap()]);
        }
        String::from_utf8_lossy(&xxgk(&args).stderr).to_string()
    };
    let done = |now: usize, skipped: usize| {
        format!("{now} processed now, {skipped} already done (skipped)")
    };
    let tool_of = |s: &str| -> Value {
        serde_json::from_slice::<Value>(&std::fs::read(out.join(format!("{s}.txt.json"))).unwrap())
            .unwrap()["tool"]
            .clone()
    };
    assert!(run(false).contains(&done(3, 0)));
    let before = tool_of(samples[0]);
    assert!(run(true).contains(&done(0, 3)), "the same templates from a folder");
    assert!(run(false).contains(&done(0, 3)));

    let s2 = models.join("2021/s2.toml");
    let text = std::fs::read_to_string(&s2).unwrap() + "\n# A curator's note.\n";
    std::fs::write(&s2, text).unwrap();
    let stderr = run(true);
    assert!(stderr.contains(&done(3, 0)), "{stderr}");
    let after = tool_of(samples[0]);
    assert_ne!(after["templates"], before["templates"]);
    assert_eq!(after["templates"], xxgk::TemplateSet::load_dir(&models).unwrap().hash.as_str());
    assert!(samples.iter().all(|s| tool_of(s) == after));
    assert!(run(true).contains(&done(0, 3)));
    // Back to the built-in templates: redone again.
    assert!(run(false).contains(&done(3, 0)));
    // An output another build made (here: another version) is redone alone.
    let one = out.join(format!("{}.txt.json", samples[1]));
    let mut v: Value = serde_json::from_slice(&std::fs::read(&one).unwrap()).unwrap();
    v["tool"]["version"] = "0.0.1".into();
    std::fs::write(&one, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    assert!(run(false).contains(&done(1, 2)));
    assert_eq!(tool_of(samples[1]), tool_of(samples[0]));
}
