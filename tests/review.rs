//! The review page (`xxgk review OUT_DIR`) and decisions that last
//! (`extract --decisions`): the page lists exactly the JSONs' review
//! entries, each crop shows its cell and stays small, a scan's boxes lie on
//! its stored (turned) page, and decisions come back on a re-run.

use std::path::Path;

use serde_json::Value;

use crate::util::{root, xxgk, TempDir};

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The values of attribute `name` in `html`, in order, for the elements
/// whose opening tag starts with `tag`.
fn attrs(html: &str, tag: &str, name: &str) -> Vec<String> {
    html.match_indices(tag)
        .map(|(i, _)| {
            let open = &html[i..i + html[i..].find('>').unwrap()];
            let key = format!(" {name}=\"");
            open.find(&key).map_or(String::new(), |k| {
                let v = &open[k + key.len()..];
                v[..v.find('"').unwrap()].to_string()
            })
        })
        .collect()
}

fn floats(s: &str) -> Vec<f64> {
    s.split(',').map(|x| x.trim().parse().unwrap()).collect()
}

/// A scan read turned (scan_51: page 3 stored a quarter turn) and two text
/// exports: review.html has one entry per review entry of the JSONs, in
/// order; every box entry has a crop under 50 KB whose region holds the
/// box; a text entry shows its line with the read cell marked; the scan's
/// boxes are on the page as stored.
#[cfg(feature = "ocr")]
#[test]
fn review_page_lists_every_entry_with_its_crop() {
    let dir = TempDir::new("review");
    let (inp, out) = (dir.0.join("in"), dir.0.join("out"));
    std::fs::create_dir_all(inp.join("scan")).unwrap();
    for k in 1..=3 {
        let name = format!("scan_51_200_2021_turned.p{k}.jpg");
        std::fs::copy(root().join("samples/scanned").join(&name), inp.join("scan").join(&name))
            .unwrap();
    }
    for t in ["gen_05_tabs_2021.txt", "gen_08_pipe_2021.txt"] {
        std::fs::copy(root().join("samples/text").join(t), inp.join(t)).unwrap();
    }
    let run = xxgk(&["extract", "-q", inp.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1), "{}", String::from_utf8_lossy(&run.stderr));
    let review = xxgk(&["review", out.to_str().unwrap()]);
    assert!(review.status.success(), "{}", String::from_utf8_lossy(&review.stderr));
    let html = std::fs::read_to_string(out.join("review.html")).unwrap();

    let mut fields = Vec::new();
    for rel in ["gen_05_tabs_2021.txt", "gen_08_pipe_2021.txt", "scan/scan_51_200_2021_turned"] {
        let report = json(&out.join(format!("{rel}.json")));
        for e in report["review"].as_array().unwrap() {
            fields.push(e["field"].as_str().unwrap_or_default().to_string());
        }
    }
    assert_eq!(attrs(&html, "<div class=\"entry\"", "data-field"), fields);
    assert_eq!(fields.len(), 2 + 8 + 10, "{fields:?}");

    let boxes = attrs(&html, "<div class=\"entry\"", "data-box");
    let crops = attrs(&html, "<img ", "src");
    let regions = attrs(&html, "<img ", "data-region");
    let with_box: Vec<&String> = boxes.iter().filter(|b| !b.is_empty()).collect();
    assert_eq!(crops.len(), with_box.len(), "a crop for every box");
    assert_eq!(crops.len(), 8);
    for ((src, region), b) in crops.iter().zip(&regions).zip(with_box) {
        let bytes = std::fs::metadata(out.join(src)).unwrap().len();
        assert!(bytes > 1000 && bytes < 50 * 1024, "{src}: {bytes} bytes");
        let (r, b) = (floats(region), floats(b));
        assert!(r[0] <= b[0] && r[1] <= b[1] && r[2] >= b[2] && r[3] >= b[3], "{src}: {r:?} {b:?}");
    }
    // Text entries show their line, the cell read marked: line 77 of
    // gen_08 holds s3.partial.natural's 4.
    assert!(html.contains("<div class=\"muted\">line 77</div>"), "line of s3.partial.natural");
    assert_eq!(html.matches("<td class=\"hit\">").count(), 2 + 6);

    // The scan's page 3 lay a quarter turn counter-clockwise (read turned
    // 270°): on the stored page, 2213 × 1527 px, 表四's row runs upward,
    // its first cell at the bottom. The total of 行政诉讼 (13) is at the
    // stored page's top, as the overlay shows it (checked by eye).
    let scan = json(&out.join("scan/scan_51_200_2021_turned.json"));
    assert_eq!(scan["pages"][2]["turned"], 270);
    assert_eq!(
        (scan["pages"][2]["width"].as_f64(), scan["pages"][2]["height"].as_f64()),
        (Some(2213.0), Some(1527.0))
    );
    let b = |id: &str| -> Vec<f64> {
        let loc = &scan["cells"][id]["location"];
        assert_eq!(loc["page"], 3, "{id}");
        loc["box"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect()
    };
    let (first, last) = (b("s4.review.upheld"), b("s4.suit_after_review.total"));
    assert!(first[1] > last[3], "the row runs upward: {first:?} {last:?}");
    for (got, want) in last.iter().zip([339.0, 99.0, 401.0, 169.0]) {
        assert!((got - want).abs() < 12.0, "{last:?}");
    }
    // Overlays: one SVG per page, named after the input, drawing every cell.
    for k in 1..=3 {
        let svg = out.join(format!("review-files/scan/scan_51_200_2021_turned.p{k}.svg"));
        assert!(std::fs::read_to_string(&svg).unwrap().contains("<rect "), "{}", svg.display());
    }
}

/// Decisions round trip: accept, correct and null one value each, re-run
/// (the outputs are there: applied to them); then the input changes, and
/// the same decisions are reported, not applied.
#[test]
fn decisions_apply_on_a_rerun_and_not_to_changed_input() {
    let dir = TempDir::new("decisions");
    let (inp, out) = (dir.0.join("in"), dir.0.join("out"));
    std::fs::create_dir_all(&inp).unwrap();
    let input = inp.join("r.txt");
    std::fs::copy(root().join("samples/text/gen_08_pipe_2021.txt"), &input).unwrap();
    let args = ["extract", "-q", inp.to_str().unwrap(), "-o", out.to_str().unwrap()];
    xxgk(&args);
    let before = json(&out.join("r.txt.json"));
    let sha = before["source"]["sha256"].as_str().unwrap().to_string();
    let csv = dir.0.join("review.csv");
    std::fs::write(
        &csv,
        format!(
            "file,sha256,field,decision,who,when\n\
r.txt,{sha},s3.partial.natural,accept,li,2026-12-07T10:00:00Z\n\
r.txt,{sha},s3.partial.commercial,value 7,li,2026-12-07T10:01:00Z\n\
r.txt,{sha},s3.partial.total,null,\"wang, q\",2026-12-07T10:02:00Z\n"
        ),
    )
    .unwrap();
    // The page shows decisions already made as chosen.
    xxgk(&["review", out.to_str().unwrap(), "--decisions", csv.to_str().unwrap()]);
    let html = std::fs::read_to_string(out.join("review.html")).unwrap();
    assert_eq!(html.matches(" selected>").count(), 3);
    assert!(html.contains("<option value=\"value\" selected>value 更正为</option><option value=\"null\">null 置空</option></select> <input class=\"value\" size=\"8\" placeholder=\"N\" value=\"7\">"));
    let with = |extra: &[&str]| {
        let mut a: Vec<&str> = args.to_vec();
        a.extend(extra);
        xxgk(&a)
    };
    let run = with(&["--decisions", csv.to_str().unwrap()]);
    assert!(run.stderr.is_empty(), "{}", String::from_utf8_lossy(&run.stderr));
    let got = json(&out.join("r.txt.json"));
    assert_eq!(got["values"]["s3.partial.natural"], 4);
    assert_eq!(got["values"]["s3.partial.commercial"], 7);
    assert_eq!(got["values"]["s3.partial.total"], Value::Null);
    for f in ["s3.partial.natural", "s3.partial.commercial", "s3.partial.total"] {
        assert_eq!(got["cells"][f]["status"], "reviewed", "{f}");
    }
    assert_eq!(
        got["cells"]["s3.partial.commercial"]["decision"],
        serde_json::json!({"decision": "value", "who": "li", "when": "2026-12-07T10:01:00Z",
            "previous": {"value": 0, "status": before["cells"]["s3.partial.commercial"]["status"]}})
    );
    assert_eq!(got["cells"]["s3.partial.total"]["decision"]["who"], "wang, q");
    let left: Vec<&Value> = got["review"].as_array().unwrap().iter().map(|e| &e["field"]).collect();
    assert_eq!(left.len(), 5, "8 entries less the 3 decided: {left:?}");
    assert_eq!(got["verification"]["reviewed"], 3);
    assert_eq!(got["verification"]["review"], 5);
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let (head, row) = summary.split_once('\n').unwrap();
    let col = head.split(',').position(|c| c == "reviewed").unwrap();
    assert_eq!(row.split(',').nth(col), Some("3"));

    // The input changes: read again, and no decision applies.
    let mut text = std::fs::read(&input).unwrap();
    text.extend(b"\n");
    std::fs::write(&input, &text).unwrap();
    let run = with(&["--decisions", csv.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&run.stderr);
    let now = json(&out.join("r.txt.json"));
    let new_sha = now["source"]["sha256"].as_str().unwrap();
    assert_ne!(new_sha, sha);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert_eq!(lines[0], format!("xxgk: {}: decision on s3.partial.natural not applied: the input changed since it was reviewed (sha256 {sha} then, {new_sha} now)", input.display()));
    assert_eq!(
        now["cells"]["s3.partial.commercial"]["status"],
        before["cells"]["s3.partial.commercial"]["status"]
    );
    assert_eq!(now["values"]["s3.partial.commercial"], 0);
    assert!(now["verification"]["reviewed"].is_null() || now["verification"]["reviewed"] == 0);
}
