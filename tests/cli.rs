//! The command line: output forms, exit codes, and one-line errors for bad input.

use crate::util::{xxgk, TempDir};

#[test]
fn csv_has_metadata_then_every_field() {
    let out = xxgk(&[
        "extract",
        "--format",
        "csv",
        "samples/seeds/000_9456aa479e8413ba.txt",
        "samples/seeds/004_1fe882b2456ae465.txt",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(
        &header[..14],
        &[
            "file",
            "status",
            "edition",
            "year",
            "organization",
            "title",
            "failed_rules",
            "warnings",
            "confirmed",
            "unconfirmed",
            "review",
            "missing",
            "reviewed",
            "s2.rules.made"
        ]
    );
    // Both editions' fields, once each: 198 + 207 minus the shared ids.
    assert!(
        header.contains(&"s2.procurement.amount_wan")
            && header.contains(&"s2.fees.amount_wan")
            && header.contains(&"s3.other.misc.total")
    );
    assert!(lines[1].starts_with(
        "samples/seeds/000_9456aa479e8413ba.txt,ok,2019,2020,重庆市大渡口区茄子溪街道办事处,"
    ));
}

#[test]
fn bad_inputs_give_one_line_each_and_the_batch_goes_on() {
    let dir = TempDir::new("bad");
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.0.join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_string_lossy().to_string()
    };
    let empty = write("empty.txt", b"");
    let binary = write("binary.txt", &[0u8, 159, 146, 150, 1, 2, 3, 255, 254, 0, 0, 7]);
    let english = write(
        "english.txt",
        b"Annual report of the city council. Nothing here is Chinese at all.\n",
    );
    let novel = write("novel.txt", "第一章 春天来了，小河里的水哗哗地流着，孩子们在河边玩耍，大人们在田里干活。这是一个美好的季节。".as_bytes());
    let legacy = write("legacy.txt", "某某局2017年政府信息公开工作年度报告\n一、概述\n2017年，我局主动公开政府信息120条，其中规范性文件3件。\n二、依申请公开政府信息情况\n全年收到申请5件，均已按时办结。\n".as_bytes());
    let good = "samples/seeds/000_9456aa479e8413ba.txt";
    let missing = dir.0.join("nope.txt").to_string_lossy().to_string();
    let out = xxgk(&[
        "extract", "--format", "csv", &empty, &binary, &english, &novel, &legacy, &missing, good,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let expected = [
        format!("xxgk: {empty}: the file is empty"),
        format!("xxgk: {binary}: the file is not text in a known encoding (tried UTF-8, UTF-16 and GB18030)"),
        format!("xxgk: {english}: no Chinese text found: this does not look like a government information-disclosure report"),
        format!("xxgk: {novel}: not an annual report: none of the report tables (主动公开, 依申请公开, 行政复议) were found"),
        format!("xxgk: {legacy}: a pre-2019 report in the old free format (legacy): it has none of the 2019/2021 template tables"),
        format!("xxgk: {missing}: cannot read the file: No such file or directory (os error 2)"),
    ];
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        expected.iter().map(String::as_str).collect::<Vec<_>>()
    );
    let csv = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(csv.lines().count(), 8, "header, six errors, one report");
    assert!(csv
        .lines()
        .last()
        .unwrap()
        .starts_with("samples/seeds/000_9456aa479e8413ba.txt,ok,2019"));
}

#[test]
fn output_file_is_written_whole() {
    let dir = TempDir::new("out");
    let target = dir.0.join("r.json");
    let out = xxgk(&[
        "extract",
        "samples/seeds/002_79f5161ec9abcde3.txt",
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(v["organization"], "峡口镇");
    assert_eq!(std::fs::read_dir(&dir.0).unwrap().count(), 1, "no temporary file left behind");
}
