//! Research outputs of a batch: the long CSV, findings across years and
//! duplicates (findings.csv and `findings` in the reports concerned), the
//! byte-order mark of `--excel`.

use std::path::Path;

use serde_json::Value;

use crate::util::{root, xxgk, TempDir};

const ORG: &str = "周口市川汇区人民政府办公室";

/// The numeric cells of a tab-separated line: the last `n` non-empty.
fn numbers(line: &str, n: usize) -> Vec<i64> {
    let cells: Vec<&str> = line.split('\t').map(str::trim).filter(|c| !c.is_empty()).collect();
    cells[cells.len() - n..].iter().map(|c| c.parse().unwrap_or(0)).collect()
}

/// `line` with its last `values.len()` non-empty cells replaced.
fn with_numbers(line: &str, values: &[i64]) -> String {
    let mut cells: Vec<String> = line.split('\t').map(String::from).collect();
    let mut rest = values.iter().rev();
    for c in cells.iter_mut().rev() {
        if c.trim().is_empty() {
            continue;
        }
        match rest.next() {
            Some(v) => *c = v.to_string(),
            None => break,
        }
    }
    cells.join("\t")
}

/// One year of an office: a tab export of the samples (2019 edition before
/// 2021), retitled, with 上年结转 = `carried`, 结转下年度 = `forward` per
/// column (7 with 总计), 本年新收 adjusted so that the report's own rules
/// hold, and, in 2021 editions, 行政规范性文件 issued/repealed/in force.
fn year_report(year: i64, carried: &[i64], forward: &[i64], normative: [i64; 3]) -> String {
    let (sample, org, title_year) = if year < 2021 {
        ("samples/text/gen_04_tabs_2019.txt", "周口市川汇区人民政府办公室", "2020年")
    } else {
        ("samples/text/gen_05_tabs_2021.txt", "宁波市鄞州区自然资源和规划分局", "2023年")
    };
    let text = std::fs::read_to_string(root().join(sample)).unwrap();
    // The 2021 sample leaves one cell of 表四 blank ("-"), which the rules
    // fill in but a reader must review: print it.
    let text = text
        .replace(org, ORG)
        .replace(title_year, &format!("{year}年"))
        .replace("\t0\t0\t-\t6\t8", "\t0\t0\t2\t6\t8");
    let total = numbers(
        text.lines().find(|l| l.contains("（七）总计") || l.contains("(七) 总计")).unwrap(),
        7,
    );
    let new: Vec<i64> = (0..7).map(|c| total[c] + forward[c] - carried[c]).collect();
    text.lines()
        .map(|l| {
            if l.starts_with("一、本年新收") {
                with_numbers(l, &new)
            } else if l.starts_with("二、上年结转") {
                with_numbers(l, carried)
            } else if l.starts_with("四、结转下年度") {
                with_numbers(l, forward)
            } else if l.starts_with("规章\t") && year >= 2021 {
                with_numbers(l, &[0, 0, 0])
            } else if l.starts_with("行政规范性文件\t") {
                with_numbers(l, &normative)
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn with_total(per: [i64; 6]) -> Vec<i64> {
    per.iter().copied().chain([per.iter().sum()]).collect()
}

/// 2019–2025 of one office (2019 edition, then 2021), carried numbers
/// chained, except: 2020's 上年结转 of 自然人 is one more than 2019's
/// 结转下年度 (so its 总计 too), and 2025's 现行有效件数 of 行政规范性文件
/// is 2 more than 2024's plus 2025's changes. `dup.txt` is 2024 again.
fn seven_years(dir: &Path) {
    let forward = |y: i64| with_total([1, 2, 3, 4, 5, 6].map(|c| (y - 2018) * c));
    let mut in_force = 100;
    for year in 2019..=2025 {
        let mut carried = forward(year - 1);
        if year == 2020 {
            carried[0] += 1;
            carried[6] += 1;
        }
        let (issued, repealed) = (year - 2017, 1);
        in_force += issued - repealed;
        let shown = if year == 2025 { in_force + 2 } else { in_force };
        let text = year_report(year, &carried, &forward(year), [issued, repealed, shown]);
        std::fs::write(dir.join(format!("y{year}.txt")), &text).unwrap();
        if year == 2024 {
            std::fs::write(dir.join("dup.txt"), &text).unwrap();
        }
    }
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    // The tests' CSVs have no quoted newlines; quotes are handled.
    text.lines()
        .map(|l| {
            let mut cells = vec![String::new()];
            let mut quoted = false;
            let mut chars = l.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '"' if quoted && chars.peek() == Some(&'"') => {
                        chars.next();
                        cells.last_mut().unwrap().push('"');
                    }
                    '"' => quoted = !quoted,
                    ',' if !quoted => cells.push(String::new()),
                    c => cells.last_mut().unwrap().push(c),
                }
            }
            cells
        })
        .collect()
}

#[test]
fn seven_years_of_one_office_give_exactly_the_expected_findings() {
    let tmp = TempDir::new("research-years");
    let (inputs, out) = (tmp.0.join("in"), tmp.0.join("out"));
    std::fs::create_dir_all(&inputs).unwrap();
    seven_years(&inputs);
    let run = xxgk(&["extract", inputs.to_str().unwrap(), "-o", out.to_str().unwrap(), "-q"]);
    let errors = std::fs::read_to_string(out.join("errors.csv")).unwrap();
    assert_eq!(errors.lines().count(), 1, "{errors}");
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    // Every year reads clean: the findings are about the reports.
    for row in csv_rows(&summary).iter().skip(1) {
        assert_eq!(row[1], "ok", "{row:?}");
        assert_eq!(row[4], ORG, "{row:?}");
    }
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));

    let text = std::fs::read_to_string(out.join("findings.csv")).unwrap();
    let rows = csv_rows(&text);
    let at = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    let brief: Vec<String> = rows[1..]
        .iter()
        .map(|r| {
            let f = |n: &str| r[at(n)].as_str();
            let file = |n: &str| Path::new(f(n)).file_name().unwrap().to_string_lossy().to_string();
            format!(
                "{} {} {}={} expected {} | {} {}={}",
                f("check"),
                file("file"),
                f("field"),
                f("value"),
                f("expected"),
                file("other_file"),
                f("other_field"),
                f("other_value")
            )
        })
        .collect();
    // 2025 follows both 2024 reports; dup.txt sorts before y2024.txt.
    assert_eq!(
        brief,
        [
            "carried-over y2020.txt s3.carried_over.natural=2 expected 1 | \
             y2019.txt s3.carried_forward.natural=1",
            "carried-over y2020.txt s3.carried_over.total=22 expected 21 | \
             y2019.txt s3.carried_forward.total=21",
            "duplicate y2024.txt = expected  | dup.txt =",
            "in-force y2025.txt s2.normative.in_force=130 expected 128 | \
             dup.txt s2.normative.in_force=121",
            "in-force y2025.txt s2.normative.in_force=130 expected 128 | \
             y2024.txt s2.normative.in_force=121",
        ],
        "{text}"
    );
    let duplicate = &rows[3];
    assert_eq!(
        duplicate[at("message_zh")],
        format!("与 {} 为同一机关、同一年度的报告：数值全部一致", inputs.join("dup.txt").display())
    );
    let message = &rows[1][at("message_zh")];
    assert!(message.contains("2020年表三“二、上年结转政府信息公开申请数量”自然人 2"), "{message}");

    // Each report concerned carries its findings; the others none.
    let json = |name: &str| -> Value {
        serde_json::from_slice(&std::fs::read(out.join(format!("{name}.txt.json"))).unwrap())
            .unwrap()
    };
    let count = |name: &str| json(name)["findings"].as_array().map_or(0, Vec::len);
    let counts: Vec<usize> =
        ["y2019", "y2020", "y2021", "y2022", "y2023", "y2024", "dup", "y2025"].map(count).into();
    assert_eq!(counts, [2, 2, 0, 0, 0, 2, 2, 2]);
    assert_eq!(json("y2020")["findings"][0]["value"], 2);

    // A rerun skips every report and changes no byte.
    let before = std::fs::read(out.join("y2020.txt.json")).unwrap();
    let again = xxgk(&["extract", inputs.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("0 processed now, 8 already done"), "{stderr}");
    assert_eq!(std::fs::read(out.join("y2020.txt.json")).unwrap(), before);
    assert_eq!(std::fs::read_to_string(out.join("findings.csv")).unwrap(), text);

    // `xxgk findings DIR` (for a folder filled by shards) finds the same
    // from the reports alone.
    std::fs::remove_file(out.join("findings.csv")).unwrap();
    let refresh = xxgk(&["findings", out.to_str().unwrap()]);
    assert_eq!(refresh.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&refresh.stderr),
        "xxgk: 8 reports; 5 findings across reports (findings.csv), about 5 reports\n"
    );
    assert_eq!(std::fs::read_to_string(out.join("findings.csv")).unwrap(), text);
    assert_eq!(std::fs::read(out.join("y2020.txt.json")).unwrap(), before);
}

#[test]
fn long_csv_has_one_row_per_field_and_excel_gets_a_byte_order_mark() {
    let tmp = TempDir::new("research-long");
    let out = tmp.0.join("out");
    let inputs = ["samples/text/gen_04_tabs_2019.txt", "samples/text/gen_26_tabs_2021.txt"];
    let mut args = vec!["extract"];
    args.extend(inputs);
    args.extend(["--format", "long", "--excel", "-o", out.to_str().unwrap(), "-q"]);
    mkdir(&out);
    let run = xxgk(&args);
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let bytes = std::fs::read(out.join("long.csv")).unwrap();
    assert!(bytes.starts_with("\u{feff}file,organization,year,".as_bytes()));
    for name in ["summary.csv", "errors.csv", "findings.csv"] {
        assert!(std::fs::read(out.join(name)).unwrap().starts_with(b"\xef\xbb\xbf"), "{name}");
    }
    let text = String::from_utf8(bytes).unwrap();
    let rows = csv_rows(text.trim_start_matches('\u{feff}'));
    let templates = xxgk::TemplateSet::builtin().unwrap();
    let (ids19, ids21) = (templates.field_ids("2019"), templates.field_ids("2021"));
    assert_eq!(rows.len(), 1 + ids19.len() + ids21.len());
    let ids: Vec<&str> = rows[1..].iter().map(|r| r[4].as_str()).collect();
    let expected: Vec<&str> = ids19.iter().chain(&ids21).map(String::as_str).collect();
    assert_eq!(ids, expected);
    // One row in full: labels from the template, the value and its verdict.
    let row = rows
        .iter()
        .find(|r| r[0].ends_with("gen_26_tabs_2021.txt") && r[4] == "s3.carried_over.total")
        .unwrap();
    let got: Vec<&str> = row[1..14].iter().map(String::as_str).collect();
    assert_eq!(
        got,
        [
            "襄阳市襄城区人民政府办公室",
            "2024",
            "2021",
            "s3.carried_over.total",
            "s3",
            "表三",
            "carried_over",
            "total",
            "二、上年结转政府信息公开申请数量",
            "总计",
            "11",
            "confirmed",
            "1",
        ]
    );

    // Without an output folder, the long CSV goes to stdout, without a BOM.
    let plain = xxgk(&["extract", inputs[1], "--format", "long"]);
    let stdout = String::from_utf8(plain.stdout).unwrap();
    assert!(stdout.starts_with("file,organization,"));
    assert_eq!(stdout.lines().count(), 1 + ids21.len());
}

fn mkdir(p: &Path) {
    std::fs::create_dir_all(p).unwrap();
}

/// Debian's python has python3-openpyxl (scripts/setup); a python earlier
/// on PATH may not.
fn python() -> &'static str {
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

#[test]
fn workbook_reads_back_as_the_csvs_in_libreoffice_and_openpyxl() {
    let tmp = TempDir::new("research-xlsx");
    let (inputs, out) = (tmp.0.join("in"), tmp.0.join("out"));
    mkdir(&inputs);
    // 2019 and 2021 editions, a file that gives no report, and a duplicate.
    for s in [
        "text/gen_04_tabs_2019.txt",
        "text/gen_26_tabs_2021.txt",
        "docx/docx_02_2019.docx",
        "broken/corrupt.pdf",
    ] {
        let name = Path::new(s).file_name().unwrap();
        std::fs::copy(root().join("samples").join(s), inputs.join(name)).unwrap();
    }
    std::fs::copy(inputs.join("gen_26_tabs_2021.txt"), inputs.join("again.txt")).unwrap();
    mkdir(&out); // an existing folder: outputs in it, whatever the format
    let run = |format: &str| {
        let args = ["extract", inputs.to_str().unwrap(), "--format", format, "-q", "-o"];
        let r = xxgk(&[&args[..], &[out.to_str().unwrap()]].concat());
        assert_eq!(r.status.code(), Some(2), "{}", String::from_utf8_lossy(&r.stderr));
    };
    run("xlsx");
    let book = std::fs::read(out.join("summary.xlsx")).unwrap();
    run("long"); // resumed: only long.csv is new
    run("xlsx");
    assert_eq!(std::fs::read(out.join("summary.xlsx")).unwrap(), book, "byte for byte");

    // LibreOffice: each sheet as CSV (UTF-8, formatted text) is the CSV
    // below its Chinese header row.
    let conv = tmp.0.join("conv");
    let profile = format!("-env:UserInstallation=file://{}", tmp.0.join("lo").display());
    let status = std::process::Command::new("soffice")
        .args([&profile, "--headless", "--convert-to"])
        .arg("csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1")
        .arg(out.join("summary.xlsx"))
        .arg("--outdir")
        .arg(&conv)
        .output()
        .expect("LibreOffice (soffice) is installed by scripts/setup");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let sheet = |name: &str| {
        let text = std::fs::read_to_string(conv.join(format!("summary-{name}.csv"))).unwrap();
        text.split_once('\n').unwrap().1.to_string()
    };
    let file = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    assert_eq!(sheet("报告"), file("summary.csv"));
    assert_eq!(sheet("长表"), file("long.csv"));
    assert_eq!(sheet("跨报告发现"), file("findings.csv"));
    assert_eq!(csv_rows(&file("findings.csv")).len(), 2, "the duplicate pair");
    assert_eq!(csv_rows(&file("summary.csv")).len(), 6);
    // gen_26's review list is empty; the others' entries, one row each.
    let review = csv_rows(&sheet("待复核"));
    let entries: usize =
        ["gen_04_tabs_2019.txt", "gen_26_tabs_2021.txt", "docx_02_2019.docx", "again.txt"]
            .iter()
            .map(|n| {
                let v: Value =
                    serde_json::from_slice(&std::fs::read(out.join(format!("{n}.json"))).unwrap())
                        .unwrap();
                v["review"].as_array().unwrap().len()
            })
            .sum();
    assert_eq!(review.len(), 1 + entries);

    // openpyxl: headers, frozen panes, number cells and their formats.
    let script = r#"
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
print(wb.sheetnames)
ws = wb["报告"]
print(ws.freeze_panes)
head = [c.value for c in ws[1]]
ids = [c.value for c in ws[2]]
for id in ["year", "s3.carried_over.total", "s2.fees.amount_wan"]:
    i = ids.index(id)
    print(id, head[i])
    for row in ws.iter_rows(min_row=3, min_col=i + 1, max_col=i + 1):
        c = row[0]
        print(repr(c.value), c.number_format)
"#;
    let py = std::process::Command::new(python())
        .arg("-c")
        .arg(script)
        .arg(out.join("summary.xlsx"))
        .output()
        .unwrap();
    assert!(py.status.success(), "{}", String::from_utf8_lossy(&py.stderr));
    let got = String::from_utf8(py.stdout).unwrap();
    let summary = csv_rows(&file("summary.csv"));
    let mut expected =
        vec!["['报告', '长表', '待复核', '跨报告发现']".to_string(), "B3".to_string()];
    for (id, zh) in [
        ("year", "年度"),
        ("s3.carried_over.total", "表三 / 二、上年结转政府信息公开申请数量 / 总计"),
        ("s2.fees.amount_wan", "表二 / 行政事业性收费 / 本年收费金额"),
    ] {
        expected.push(format!("{id} {zh}"));
        let i = summary[0].iter().position(|c| c == id).unwrap();
        for row in &summary[1..] {
            let v = &row[i];
            expected.push(match v.split_once('.') {
                _ if v.is_empty() => "None General".to_string(),
                Some((_, d)) => format!("{v} 0.{}", "0".repeat(d.len())),
                None => format!("{v} 0"),
            });
        }
    }
    assert_eq!(got.lines().collect::<Vec<_>>(), expected);
}
