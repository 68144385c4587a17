//! The house stays flat: every `crate::`/`super::` path in `src/` is read
//! and checked against the layers listed in ARCHITECTURE.md. A module may
//! name modules of its own layer's earlier entries or of lower layers, never
//! a higher one; and no two modules (other than a module and its own
//! parent) may name each other, directly or round a longer loop.
//!
//! What still breaks the rule is listed in ARCHITECTURE.md under "Known
//! exceptions"; the list must be exact, so fixing one means deleting it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

type Module = String;

/// Every module of the crate, from its file: `src/a/b.rs` and
/// `src/a/b/mod.rs` are `a::b`; `src/lib.rs` is the root. `src/main.rs` is
/// another crate (the binary, with `cli/`), which names the library by
/// `xxgk::`.
fn modules(dir: &Path, out: &mut BTreeMap<Module, String>) {
    let mut entries: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            modules(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("src/main.rs") {
            let rel = path.strip_prefix("src").unwrap().with_extension("");
            let mut parts: Vec<String> =
                rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
                parts.pop();
            }
            out.insert(parts.join("::"), strip(&fs::read_to_string(&path).unwrap()));
        }
    }
}

/// The code without comments, string literals and `#[cfg(test)]` modules
/// (tests may reach anywhere).
fn strip(src: &str) -> String {
    let src = match src.find("#[cfg(test)]\nmod tests") {
        Some(i) => &src[..i],
        None => src,
    };
    let mut out = String::new();
    let mut chars = src.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if c == '"' && !escaped {
                        break;
                    }
                    escaped = c == '\\' && !escaped;
                }
                out.push_str("\"\"");
            }
            '\'' => {
                // A char literal ('"', '\'') or a lifetime ('a): skip a
                // literal whole so its quote starts no string.
                let rest: String = chars.clone().take(4).collect();
                let len = match rest.find('\'') {
                    Some(1) => 2,
                    Some(2) if rest.starts_with('\\') => 3,
                    _ => 0,
                };
                for _ in 0..len {
                    chars.next();
                }
                out.push('\'');
            }
            _ => out.push(c),
        }
    }
    out
}

/// Every path the code names that starts at `crate` or `super`, use trees
/// expanded (`use super::{a, b::C}` gives `super::a` and `super::b::C`).
fn paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let at_word = i == 0 || !(bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '_');
        let rest: String = bytes[i..bytes.len().min(i + 7)].iter().collect();
        if at_word && (rest.starts_with("crate::") || rest.starts_with("super::")) {
            let (tree, end) = read_tree(&bytes, i);
            out.extend(tree);
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// A path or use tree starting at `i`: its expanded paths and where it ends.
fn read_tree(chars: &[char], mut i: usize) -> (Vec<Vec<String>>, usize) {
    let mut prefix: Vec<String> = Vec::new();
    loop {
        while chars.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        if chars.get(i) == Some(&'{') {
            let mut out = Vec::new();
            i += 1;
            loop {
                while chars.get(i).is_some_and(|c| c.is_whitespace() || *c == ',') {
                    i += 1;
                }
                if chars.get(i).is_none_or(|c| *c == '}') {
                    return (out, i + 1);
                }
                let (tails, end) = read_tree(chars, i);
                for t in tails {
                    out.push(prefix.iter().cloned().chain(t).collect());
                }
                i = end;
            }
        }
        let start = i;
        while chars.get(i).is_some_and(|c| c.is_alphanumeric() || *c == '_') {
            i += 1;
        }
        if i == start {
            return (vec![prefix], i);
        }
        prefix.push(chars[start..i].iter().collect());
        if chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&':') {
            i += 2;
        } else {
            return (vec![prefix], i);
        }
    }
}

/// The module a path names: `super` and `crate` resolved from `from`, then
/// the longest prefix that is a module.
fn target(from: &str, path: &[String], known: &BTreeMap<Module, String>) -> Option<Module> {
    let mut base: Vec<&str> = if from.is_empty() { vec![] } else { from.split("::").collect() };
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            base.clear();
            rest = &rest[1..];
        }
        Some("super") => {
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    let mut full: Vec<&str> = base;
    full.extend(rest.iter().map(String::as_str));
    let found =
        (0..=full.len()).rev().map(|n| full[..n].join("::")).find(|m| known.contains_key(m))?;
    // An item the crate root re-exports (`pub use error::DocumentError`) is
    // its own module's.
    if found.is_empty() {
        if let Some(item) = full.first() {
            let reexport = paths(&known[""].replace("pub use ", "crate::"))
                .into_iter()
                .find(|p| p.last().is_some_and(|l| l == item) && p.len() > 2);
            if let Some(p) = reexport {
                return target("", &p, known);
            }
        }
    }
    Some(found)
}

/// The layers, lowest first, from ARCHITECTURE.md's `layers` block: one
/// line per layer, its modules in order.
fn layers() -> Vec<Vec<Module>> {
    let doc = fs::read_to_string("ARCHITECTURE.md").unwrap();
    let block = doc.split("```layers\n").nth(1).unwrap().split("```").next().unwrap();
    block
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(_, mods)| mods.split_whitespace().map(str::to_string).collect())
        .collect()
}

/// The exceptions ARCHITECTURE.md admits: lines `- \`a\` → \`b\`` under
/// "Known exceptions".
fn exceptions() -> BTreeSet<(Module, Module)> {
    let doc = fs::read_to_string("ARCHITECTURE.md").unwrap();
    let Some(part) = doc.split("## Known exceptions").nth(1) else { return BTreeSet::new() };
    let part = part.split("\n## ").next().unwrap();
    part.lines()
        .filter_map(|l| {
            let l = l.strip_prefix("- `")?;
            let (a, rest) = l.split_once("` → `")?;
            let (b, _) = rest.split_once('`')?;
            Some((a.to_string(), b.to_string()))
        })
        .collect()
}

/// The rank of a module: its layer, then its place in the layer. Submodules
/// take their top-level module's rank.
fn rank(module: &str, layers: &[Vec<Module>]) -> Option<(usize, usize)> {
    let top = module.split("::").next().unwrap_or("");
    layers.iter().enumerate().find_map(|(l, mods)| {
        mods.iter().position(|m| m == top || (top.is_empty() && m == "lib")).map(|p| (l, p))
    })
}

fn is_ancestor(a: &str, b: &str) -> bool {
    a.is_empty() || b.starts_with(&format!("{a}::"))
}

fn edges() -> BTreeSet<(Module, Module)> {
    let mut known = BTreeMap::new();
    modules(Path::new("src"), &mut known);
    let mut out = BTreeSet::new();
    for (from, code) in &known {
        for p in paths(code) {
            if let Some(to) = target(from, &p, &known) {
                if &to != from {
                    out.insert((from.clone(), to));
                }
            }
        }
    }
    out
}

/// Modules on a loop: strongly connected groups of more than one module,
/// edges between a module and its own ancestors left out.
fn cycles(edges: &BTreeSet<(Module, Module)>) -> Vec<Vec<Module>> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges {
        if !is_ancestor(a, b) && !is_ancestor(b, a) {
            next.entry(a).or_default().push(b);
        }
    }
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(m) = stack.pop() {
            for &n in next.get(m).into_iter().flatten() {
                if seen.insert(n) {
                    stack.push(n);
                }
            }
        }
        seen
    };
    let nodes: BTreeSet<&str> = next.keys().copied().collect();
    let mut groups: Vec<Vec<Module>> = Vec::new();
    let mut placed = BTreeSet::new();
    for &m in &nodes {
        if placed.contains(m) {
            continue;
        }
        let from_m = reach(m);
        let group: Vec<Module> = from_m
            .iter()
            .filter(|&&n| n != m && reach(n).contains(m))
            .map(|n| n.to_string())
            .chain([m.to_string()])
            .collect();
        if group.len() > 1 {
            placed.extend(group.iter().cloned());
            let mut g = group;
            g.sort();
            groups.push(g);
        }
    }
    groups
}

#[test]
fn no_module_names_a_higher_layer_or_sits_on_a_loop() {
    let layers = layers();
    let edges = edges();
    let mut found = BTreeSet::new();
    for (a, b) in &edges {
        let (Some(ra), Some(rb)) = (rank(a, &layers), rank(b, &layers)) else {
            panic!("{a} or {b} is in no layer of ARCHITECTURE.md");
        };
        let same_top = a.split("::").next() == b.split("::").next();
        if !same_top && rb > ra {
            found.insert((a.clone(), b.clone()));
        }
    }
    for group in cycles(&edges) {
        for a in &group {
            for b in &group {
                if edges.contains(&(a.clone(), b.clone())) {
                    found.insert((a.clone(), b.clone()));
                }
            }
        }
    }
    let admitted = exceptions();
    let new: Vec<_> = found.difference(&admitted).collect();
    let fixed: Vec<_> = admitted.difference(&found).collect();
    assert!(new.is_empty(), "imports uphill or on a loop, not in ARCHITECTURE.md: {new:?}");
    assert!(fixed.is_empty(), "fixed, so delete from ARCHITECTURE.md's exceptions: {fixed:?}");
}

#[test]
fn the_reader_sees_use_trees_and_paths() {
    let code =
        strip("use super::{a, b::{C, d}};\n// crate::x\nlet s = \"crate::y\"; crate::z::w(1);");
    assert_eq!(
        paths(&code),
        vec![
            vec!["super", "a"],
            vec!["super", "b", "C"],
            vec!["super", "b", "d"],
            vec!["crate", "z", "w"],
        ]
    );
}
