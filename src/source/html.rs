//! Source: HTML pages and fragments. Bytes → [`TextDoc`], through the
//! shared markup layout ([`markup`]).
//!
//! The charset comes from a BOM, else a `<meta charset>` or `http-equiv`
//! declaration, else the bytes (UTF-8 if they are valid UTF-8, else
//! GB18030, the superset of GBK and GB2312). The page is parsed by html5ever
//! (through `scraper`), as a browser would: Word's `<o:p>`, unclosed cells
//! and `<span>` soup come out as the same tree. Block elements and `<br>`
//! end a paragraph; tables keep their rows, cells and spans; scripts, styles,
//! the `<head>` and hidden elements are not text a reader sees.

use ego_tree::NodeRef;
use encoding_rs::{Encoding, GB18030, UTF_8};
use scraper::{Html, Node};

use super::markup::{self, Block, Table, TableCell};
use crate::doc::TextDoc;

/// Deeper nesting is flattened to text: real pages stay far below it, and
/// the walk is recursive.
const MAX_DEPTH: usize = 200;
/// Start tags nested deeper than this are dropped before parsing, with
/// their end tags (see [`cap_nesting`]).
const MAX_PARSE_DEPTH: usize = 1000;
/// A `<meta>` charset declaration must be this early in the file (HTML says
/// 1024 bytes; Word's exports put a long comment first, so look further).
const PRESCAN: usize = 8192;

/// Reads a page. Never fails: markup is taken as a browser takes it, and a
/// page without a report is refused by the stages after this one.
pub fn read(bytes: &[u8]) -> TextDoc {
    let html = Html::parse_document(&cap_nesting(&decode(bytes), MAX_PARSE_DEPTH));
    let mut b = Builder::default();
    b.children(html.tree.root(), 0);
    markup::to_text_doc(&b.finish())
}

/// The page with start tags nested deeper than `max` removed, and their
/// end tags. html5ever looks through the open elements for every block
/// start tag (is there a `<p>` to close?): 10^5 nested `<div>`s took 35 s,
/// and the time grows with the square of the depth. Nesting is estimated
/// in one pass as a browser would count it (void and self-closed elements
/// open nothing, an end tag closes up to its element, a `<p>`, `<li>` or
/// cell closes the one open just before it); nothing below `max` changes,
/// and the builder flattens anything below [`MAX_DEPTH`] to text anyway.
fn cap_nesting(html: &str, max: usize) -> std::borrow::Cow<'_, str> {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr",
    ];
    const RAW: &[&str] = &["script", "style", "textarea", "title", "xmp"];
    // A start tag that closes an open element of these names, unless one
    // of the boundary elements is open after it.
    let closes = |name: &str| -> Option<(&[&str], &[&str])> {
        Some(match name {
            "td" | "th" => (&["td", "th"], &["tr", "table"]),
            "tr" => (&["tr"], &["table"]),
            "li" => (&["li"], &["ul", "ol"]),
            "dt" | "dd" => (&["dt", "dd"], &["dl"]),
            "p" => (&["p"], &["table", "td", "th"]),
            "option" => (&["option"], &["select"]),
            _ => return None,
        })
    };
    let bytes = html.as_bytes();
    // The open elements; never deeper than `max`, so looking through it
    // costs at most `max` per tag.
    let mut stack: Vec<String> = Vec::new();
    let mut dropped: std::collections::HashMap<String, usize> = Default::default();
    // Byte ranges of the tags removed.
    let mut cut: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while let Some(at) = html[i..].find('<').map(|k| i + k) {
        let rest = &bytes[at + 1..];
        if rest.starts_with(b"!--") {
            i = html[at..].find("-->").map_or(html.len(), |k| at + k + 3);
            continue;
        }
        let end = html[at..].find('>').map_or(html.len(), |k| at + k + 1);
        let closing = rest.first() == Some(&b'/');
        let name: String = rest[usize::from(closing)..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .map(|b| b.to_ascii_lowercase() as char)
            .collect();
        i = end;
        if name.is_empty() || !rest[usize::from(closing)].is_ascii_alphabetic() {
            continue;
        }
        if closing {
            if let Some(n) = dropped.get_mut(&name).filter(|n| **n > 0) {
                *n -= 1;
                cut.push((at, end));
            } else if let Some(k) = stack.iter().rposition(|open| *open == name) {
                stack.truncate(k);
            }
            continue;
        }
        if RAW.contains(&name.as_str()) {
            // Their text is not markup: skip to their end tag.
            let close = format!("</{name}");
            i = bytes[end..]
                .windows(close.len())
                .position(|w| w.eq_ignore_ascii_case(close.as_bytes()))
                .map_or(html.len(), |k| end + k);
            continue;
        }
        if VOID.contains(&name.as_str()) || html[at..end].ends_with("/>") {
            continue;
        }
        if let Some((targets, bounds)) = closes(&name) {
            let k = stack
                .iter()
                .rposition(|o| targets.contains(&o.as_str()) || bounds.contains(&o.as_str()));
            if let Some(k) = k.filter(|&k| targets.contains(&stack[k].as_str())) {
                stack.truncate(k);
            }
        }
        if stack.len() >= max {
            *dropped.entry(name).or_default() += 1;
            cut.push((at, end));
        } else {
            stack.push(name);
        }
    }
    if cut.is_empty() {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut from = 0;
    for (a, b) in cut {
        out.push_str(&html[from..a]);
        from = b;
    }
    out.push_str(&html[from..]);
    std::borrow::Cow::Owned(out)
}

/// Decodes the page's bytes (see the module docs for the order).
pub fn decode(bytes: &[u8]) -> String {
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        return enc.decode_without_bom_handling(&bytes[bom..]).0.into_owned();
    }
    let utf8 = std::str::from_utf8(bytes).ok();
    // Pages re-saved as UTF-8 often keep their old `charset=gb2312`; Chinese
    // text in GBK is practically never valid UTF-8, so valid UTF-8 wins.
    if let Some(text) = utf8.filter(|t| !t.is_ascii()) {
        return text.to_string();
    }
    let declared = declared_charset(&bytes[..bytes.len().min(PRESCAN)]);
    let enc = match declared {
        // A UTF-16 declaration in an ASCII-compatible file is wrong by
        // definition (HTML says to read UTF-8 then).
        Some(e) if e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE => UTF_8,
        Some(e) => e,
        None if utf8.is_some() => UTF_8,
        None => GB18030,
    };
    let (text, _, errors) = enc.decode(bytes);
    if errors && enc == UTF_8 {
        return GB18030.decode(bytes).0.into_owned();
    }
    text.into_owned()
}

/// The encoding a `<meta charset=…>` or `<meta http-equiv content="…;
/// charset=…">` names, if any.
fn declared_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower: Vec<u8> = head.to_ascii_lowercase();
    let mut rest = &lower[..];
    while let Some(at) = find(rest, b"<meta") {
        let tag = &rest[at..];
        let tag = &tag[..find(tag, b">").unwrap_or(tag.len())];
        if let Some(c) = find(tag, b"charset") {
            let value = tag[c + 7..].iter().skip_while(|b| {
                b.is_ascii_whitespace() || **b == b'=' || **b == b'"' || **b == b'\''
            });
            let label: Vec<u8> = value
                .take_while(|b| b.is_ascii_alphanumeric() || b"-_:.".contains(b))
                .copied()
                .collect();
            if let Some(enc) = Encoding::for_label(&label) {
                return Some(enc);
            }
        }
        rest = &rest[at + 5..];
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Elements whose content is not page text.
const SKIP: &[&str] = &[
    "head", "title", "script", "style", "noscript", "template", "select", "textarea", "iframe",
    "object", "svg", "math", "button",
];

/// Elements that start and end a paragraph.
const BLOCK: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "center",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "td",
    "th",
    "tr",
    "ul",
];

#[derive(Default)]
struct Builder {
    blocks: Vec<Block>,
    cur: String,
}

impl Builder {
    fn finish(mut self) -> Vec<Block> {
        self.flush();
        self.blocks
    }

    fn flush(&mut self) {
        let text = std::mem::take(&mut self.cur);
        if !text.trim().is_empty() {
            self.blocks.push(Block::Para(text));
        }
    }

    fn children(&mut self, node: NodeRef<'_, Node>, depth: usize) {
        for child in node.children() {
            self.node(child, depth + 1);
        }
    }

    fn node(&mut self, node: NodeRef<'_, Node>, depth: usize) {
        let el = match node.value() {
            Node::Text(t) => return self.cur.push_str(t),
            Node::Element(el) => el,
            _ => return,
        };
        let name = el.name();
        if SKIP.contains(&name) || is_hidden(el) {
            return;
        }
        if depth > MAX_DEPTH {
            let text =
                node.descendants().filter_map(|d| d.value().as_text().map(|t| t.to_string()));
            return self.cur.extend(text);
        }
        match name {
            // A line break starts a new line: headings are often only a
            // `<br>` away from the paragraph before them.
            "br" => self.flush(),
            "table" => {
                self.flush();
                let mut t = Table::default();
                let mut captions = Vec::new();
                rows(node, &mut t, &mut captions, depth);
                self.blocks.extend(captions);
                self.blocks.push(Block::Table(t));
            }
            _ if BLOCK.contains(&name) => {
                self.flush();
                self.children(node, depth);
                self.flush();
            }
            _ => self.children(node, depth),
        }
    }
}

/// Collects the rows of `table` (through its row groups), and its captions
/// as paragraphs.
fn rows(node: NodeRef<'_, Node>, t: &mut Table, captions: &mut Vec<Block>, depth: usize) {
    for child in node.children() {
        let Some(el) = child.value().as_element() else {
            continue;
        };
        match el.name() {
            "thead" | "tbody" | "tfoot" => rows(child, t, captions, depth + 1),
            "caption" => {
                let mut b = Builder::default();
                b.children(child, depth + 1);
                captions.extend(b.finish());
            }
            "tr" if !is_hidden(el) => {
                let cells = child.children().filter_map(|c| {
                    let cel = c.value().as_element().filter(|e| matches!(e.name(), "td" | "th"))?;
                    let mut b = Builder::default();
                    if !is_hidden(cel) {
                        b.children(c, depth + 2);
                    }
                    Some(TableCell::new(
                        b.finish(),
                        span(cel.attr("colspan"), 1).max(1),
                        span(cel.attr("rowspan"), 1),
                    ))
                });
                t.rows.push(cells.collect());
            }
            _ => {}
        }
    }
}

/// An HTML span attribute: its leading digits ("2", " 3px"), else `default`.
fn span(attr: Option<&str>, default: usize) -> usize {
    let digits: String =
        attr.unwrap_or("").trim().chars().take_while(char::is_ascii_digit).take(6).collect();
    digits.parse().unwrap_or(default)
}

/// Hidden by the page's own styles (Word marks such text `mso-hide:all`).
fn is_hidden(el: &scraper::node::Element) -> bool {
    let style: String = el
        .attr("style")
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    el.attr("hidden").is_some() || style.contains("display:none") || style.contains("mso-hide:all")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_of(html: &str) -> Vec<Vec<String>> {
        read(html.as_bytes())
            .lines
            .iter()
            .map(|l| l.cells.iter().map(|c| c.text.clone()).collect())
            .collect()
    }

    #[test]
    fn charset_from_bom_meta_or_bytes() {
        let (gbk, _, _) = encoding_rs::GBK.encode("<p>规章</p>");
        assert_eq!(decode(&gbk), "<p>规章</p>");
        let mut declared =
            b"<meta http-equiv=Content-Type content='text/html; charset=GB2312'>".to_vec();
        declared.extend_from_slice(&gbk);
        assert!(decode(&declared).ends_with("<p>规章</p>"));
        let mut bom = vec![0xef, 0xbb, 0xbf];
        bom.extend_from_slice("<p>规章</p>".as_bytes());
        assert_eq!(decode(&bom), "<p>规章</p>");
        assert_eq!(declared_charset(b"<META charset=\"utf-8\">"), Some(UTF_8));
        // Re-saved as UTF-8 with the old declaration left in.
        assert_eq!(
            decode("<meta charset=gbk><p>规章</p>".as_bytes()),
            "<meta charset=gbk><p>规章</p>"
        );
    }

    #[test]
    fn cells_spans_and_word_markup() {
        let page = "<p>标题<br>一、总体情况</p><table border=1><tr><td rowspan=2>信息<o:p></o:p></td><td colspan=2 style='mso-x:1'><p>本年新</p><p>制作数量</p></td></tr>\
                    <tr><td><span lang=EN-US>12</span><span>345</span></td><td>&nbsp;</td></tr><tr><td style='display:none'>x</td></tr></table>";
        assert_eq!(
            rows_of(page),
            vec![
                vec!["标题"],
                vec!["一、总体情况"],
                vec!["信息", "本年新制作数量", ""],
                vec!["", "12345", ""],
                vec!["", "", ""]
            ]
        );
    }

    #[test]
    fn nested_tables_give_the_inner_table_once() {
        let page = "<table><tr><td><h2>二、主动公开政府信息情况</h2><table><tr><td>规章</td><td>3</td></tr></table></td></tr></table>";
        assert_eq!(rows_of(page), vec![vec!["二、主动公开政府信息情况"], vec!["规章", "3"]]);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let page = format!("{}规章{}", "<div><span>".repeat(5000), "</span></div>".repeat(5000));
        assert_eq!(rows_of(&page), vec![vec!["规章"]]);
    }

    /// 10^5 nested block elements took 35 s (html5ever's scope checks
    /// grow with the depth); the tags below the cap are dropped first.
    #[test]
    fn deep_block_nesting_is_cut_before_parsing() {
        let n = 100_000;
        let page = format!("<p>前</p>{}规章<br>条例{}<p>后", "<div>".repeat(n), "</div>".repeat(n));
        let start = std::time::Instant::now();
        // Below MAX_DEPTH the builder reads text only: the `<br>` is gone.
        assert_eq!(rows_of(&page), vec![vec!["前"], vec!["规章条例"], vec!["后"]]);
        assert!(start.elapsed() < std::time::Duration::from_secs(5), "{:?}", start.elapsed());
        let capped = cap_nesting(&page, 1000);
        assert_eq!(capped.matches("<div>").count(), 1000);
        assert_eq!(capped.matches("</div>").count(), 1000);
        // Pages below the cap are parsed as they are: unclosed paragraphs
        // and cells, void elements, scripts with tags in their text.
        let real = "<table><tr><td>a<td>b<tr><td>c</table><p>x<p>y<br><img src=a><script>if(a<b){'<div>'}</script>";
        assert!(matches!(cap_nesting(real, 3), std::borrow::Cow::Borrowed(_)));
    }
}
