//! Golden tests: `xxgk extract` on every sample with a truth file must give
//! exactly the truth: edition, year, organization, and every field (nulls
//! included).

use serde_json::Value;

use crate::util::{root, samples_with_truth, truth_path, xxgk};

fn check_dir(sub: &str, minimum: usize) {
    let dir = root().join("samples").join(sub);
    let samples = samples_with_truth(&dir);
    assert!(samples.len() >= minimum, "{}: expected at least {minimum} samples, found {}", dir.display(), samples.len());
    let mut failures = Vec::new();
    for sample in &samples {
        let out = xxgk(&["extract", sample.to_str().unwrap()]);
        let name = sample.file_name().unwrap().to_string_lossy().to_string();
        if out.stdout.is_empty() {
            failures.push(format!("{name}: no output; stderr: {}", String::from_utf8_lossy(&out.stderr)));
            continue;
        }
        let got: Value = serde_json::from_slice(&out.stdout).expect("xxgk prints JSON");
        let truth: Value = serde_json::from_str(&std::fs::read_to_string(truth_path(sample)).unwrap()).unwrap();
        for key in ["edition", "year", "organization"] {
            if got[key] != truth[key] {
                failures.push(format!("{name}: {key}: got {}, truth {}", got[key], truth[key]));
            }
        }
        let (g, t) = (got["values"].as_object().unwrap(), truth["values"].as_object().unwrap());
        let got_keys: Vec<&String> = g.keys().collect();
        let truth_keys: Vec<&String> = t.keys().collect();
        if got_keys != truth_keys {
            failures.push(format!("{name}: field ids differ from the truth ({} vs {})", got_keys.len(), truth_keys.len()));
        }
        for (k, tv) in t {
            if g.get(k) != Some(tv) {
                failures.push(format!("{name}: {k}: got {}, truth {tv}", g.get(k).map_or("absent".to_string(), |v| v.to_string())));
            }
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn seeds_are_exact() {
    check_dir("seeds", 5);
}

#[test]
fn output_is_deterministic() {
    let a = xxgk(&["extract", "samples/seeds/004_1fe882b2456ae465.txt"]);
    let b = xxgk(&["extract", "samples/seeds/004_1fe882b2456ae465.txt"]);
    assert!(!a.stdout.is_empty());
    assert_eq!(a.stdout, b.stdout);
}
