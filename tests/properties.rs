//! Property tests: whatever the text, the reader returns a report or a clear
//! error, never a panic (a caught panic shows as `DocumentError::Panic`).
//!
//! Two generators: random text over the characters real exports are made of,
//! and mutations of the real samples (lines dropped, duplicated, swapped,
//! cells glued, characters garbled). The case counts are stated in the
//! proptest configs below. `tests/fuzz.rs` runs the same generators for as
//! long as asked (`scripts/fuzz`).

use proptest::prelude::*;
use xxgk::{extract_str, DocumentError, TemplateSet};

use crate::util::root;

pub fn samples() -> Vec<String> {
    let mut out = Vec::new();
    for dir in ["samples/seeds", "samples/text"] {
        let mut paths: Vec<_> = std::fs::read_dir(root().join(dir))
            .map(|rd| rd.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        paths.retain(|p| p.extension().is_some_and(|e| e == "txt"));
        paths.sort();
        out.extend(paths.iter().filter_map(|p| std::fs::read_to_string(p).ok()));
    }
    out
}

/// Fragments that real exports are made of.
const PIECES: &[&str] = &[
    "\t",
    "\n",
    "\n\n",
    " |",
    " ||||",
    "| ",
    "  ",
    "   ",
    "0",
    "1",
    "12",
    "-8",
    "C",
    "l",
    "258.18万元",
    "251000元",
    "—",
    "/",
    "无",
    "一、",
    "（一）",
    "(=)",
    "1.",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "第二十条第（一）项",
    "信息内容",
    "本年新制作数量",
    "本年制发件数",
    "规章",
    "规范性文件",
    "行政许可",
    "政府集中采购",
    "申请人情况",
    "自然人",
    "总计",
    "一、本年新收政府信息公开申请数量",
    "（二）部分公开",
    "（六）其他处理",
    "3.其他",
    "四、结转下年度继续办理",
    "行政复议",
    "结果维持",
    "2020年政府信息公开工作年度报告",
    "\u{c}",
    "\u{a0}",
    "\u{3000}",
    "１２",
    "6233440",
    "— 3 —",
    "[bookmark: _GoBack]",
    "Ī",
    "\r",
];

fn check(text: &str, templates: &TemplateSet) {
    if let Err(DocumentError::Panic(msg)) = extract_str(text, "prop.txt", templates) {
        panic!("panic on input {text:?}: {msg}");
    }
}

/// Random text over [`PIECES`], any characters and number runs.
pub fn random_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(PIECES).prop_map(str::to_string),
            any::<String>(),
            "[0-9 \t|.,-]{0,12}",
        ],
        0..120,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(text in random_text()) {
        let templates = TemplateSet::builtin().unwrap();
        check(&text, &templates);
    }
}

#[derive(Clone, Debug)]
enum Mutation {
    DropLine(usize),
    DupLine(usize),
    SwapLines(usize, usize),
    JoinLines(usize),
    Garble(usize, char),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DropLine),
        any::<usize>().prop_map(Mutation::DupLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        any::<usize>().prop_map(Mutation::JoinLines),
        (
            any::<usize>(),
            prop::sample::select(vec![
                '0', '9', '\t', '|', ' ', 'C', '\n', '（', '、', '−', '\u{0}'
            ])
        )
            .prop_map(|(a, c)| Mutation::Garble(a, c)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(text: &str, muts: &[Mutation]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for m in muts {
        if lines.is_empty() {
            break;
        }
        let n = lines.len();
        match *m {
            Mutation::DropLine(i) => {
                lines.remove(i % n);
            }
            Mutation::DupLine(i) => {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
            Mutation::SwapLines(a, b) => lines.swap(a % n, b % n),
            Mutation::JoinLines(i) if n > 1 => {
                let next = lines.remove((i % (n - 1)) + 1);
                lines[i % (n - 1)].push_str(&next);
            }
            Mutation::JoinLines(_) => {}
            Mutation::Garble(i, c) => {
                let line = &mut lines[i % n];
                let chars: Vec<char> = line.chars().collect();
                if !chars.is_empty() {
                    let k = (i / n) % chars.len();
                    *line = chars[..k]
                        .iter()
                        .chain(std::iter::once(&c))
                        .chain(&chars[k + 1..])
                        .collect();
                }
            }
            Mutation::Truncate(i) => lines.truncate(i % n),
        }
    }
    lines.join("\n")
}

/// A real sample with 1 to 39 line-level mutations.
pub fn mutated_sample() -> impl Strategy<Value = String> {
    thread_local!(static SAMPLES: Vec<String> = samples());
    (any::<usize>(), prop::collection::vec(mutation(), 1..40)).prop_map(|(which, muts)| {
        SAMPLES.with(|s| {
            assert!(!s.is_empty());
            mutate(&s[which % s.len()], &muts)
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_reports_never_panic(text in mutated_sample()) {
        let templates = TemplateSet::builtin().unwrap();
        check(&text, &templates);
    }
}
