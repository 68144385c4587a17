//! Source: DOCX files. Bytes → [`TextDoc`], through the shared markup
//! layout ([`markup`]).
//!
//! The main part (named by `_rels/.rels`, normally `word/document.xml`) is
//! read from the ZIP, at most [`MAX_PART_BYTES`] unpacked, and streamed
//! through `quick-xml`. Paragraphs (`w:p`) are the text of their runs joined
//! as written, since Word splits one number over several runs at will;
//! `w:tab` and `w:br` are white space. Tables (`w:tbl`) keep their cells:
//! `w:gridSpan` is a column span, `w:gridBefore` leading empty slots, and a
//! `w:vMerge` continuation is an empty cell below the merged cell's text,
//! which is exactly the layout [`markup`] wants. Deleted text, field codes
//! and the fallback copies of text boxes are not read.

use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use zip::result::ZipError;
use zip::ZipArchive;

use super::markup::{self, Block, Table, TableCell};
use crate::doc::TextDoc;
use crate::error::DocumentError;

/// The most a part may unpack to. A 64 MiB `document.xml` is a book; a ZIP
/// bomb unpacks to gigabytes from a few kilobytes.
pub const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;
/// The package's relationship list is a few hundred bytes.
const MAX_RELS_BYTES: u64 = 1024 * 1024;
/// Tables nested deeper than this are read as text (the block tree is
/// walked recursively).
const MAX_TABLE_DEPTH: usize = 32;
const MAIN_PART: &str = "word/document.xml";

pub fn read(bytes: &[u8]) -> Result<TextDoc, DocumentError> {
    read_limited(bytes, MAX_PART_BYTES)
}

/// [`read`] with the most a part may unpack to.
pub fn read_limited(bytes: &[u8], limit: u64) -> Result<TextDoc, DocumentError> {
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(bad_zip)?;
    let part = read_part(&mut zip, "_rels/.rels", MAX_RELS_BYTES)
        .ok()
        .and_then(|rels| main_part(&rels))
        .unwrap_or_else(|| MAIN_PART.to_string());
    let xml = read_part(&mut zip, &part, limit)?;
    let blocks =
        parse(&xml).map_err(|message| DocumentError::BadXml { part: part.clone(), message })?;
    Ok(markup::to_text_doc(&blocks))
}

fn bad_zip(e: ZipError) -> DocumentError {
    DocumentError::BadZip(e.to_string().replace('\n', " "))
}

fn read_part(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    name: &str,
    limit: u64,
) -> Result<String, DocumentError> {
    let too_large = || DocumentError::PartTooLarge { part: name.to_string(), limit };
    let file = zip.by_name(name).map_err(|e| {
        if matches!(e, ZipError::FileNotFound) {
            DocumentError::NotDocx
        } else {
            bad_zip(e)
        }
    })?;
    if file.size() > limit {
        return Err(too_large());
    }
    // The declared size can lie; the reader's limit cannot.
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| DocumentError::BadZip(e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    match encoding_rs::Encoding::for_bom(&bytes) {
        Some((enc, bom)) => Ok(enc.decode_without_bom_handling(&bytes[bom..]).0.into_owned()),
        None => String::from_utf8(bytes).map_err(|_| DocumentError::BadXml {
            part: name.to_string(),
            message: "not UTF-8".into(),
        }),
    }
}

/// The target of the package's officeDocument relationship.
fn main_part(rels: &str) -> Option<String> {
    let mut reader = Reader::from_str(rels);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "Relationship" => {
                let kind = attr(&e, "Type").unwrap_or_default();
                if kind.ends_with("/officeDocument") {
                    return attr(&e, "Target").map(|t| t.trim_start_matches('/').to_string());
                }
            }
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
    }
}

fn attr(e: &BytesStart, local: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok().map(|v| v.into_owned())
        })
}

/// The local name of a WordprocessingML element (prefix `w`, or none).
fn w_name(qname: &str) -> Option<&str> {
    match qname.split_once(':') {
        Some(("w", local)) => Some(local),
        Some(_) => None,
        None => Some(qname),
    }
}

/// A table being read: its rows so far, and the row being read.
#[derive(Default)]
struct OpenTable {
    table: Table,
    row: Vec<TableCell>,
}

/// A cell being read.
struct OpenCell {
    colspan: usize,
    /// `w:vMerge` without `restart`: the slot belongs to the cell above.
    continues: bool,
}

#[derive(Default)]
struct Parser {
    /// Block lists being filled: the body, then one per open cell.
    containers: Vec<Vec<Block>>,
    tables: Vec<OpenTable>,
    cells: Vec<OpenCell>,
    /// Open paragraphs (text boxes put paragraphs inside paragraphs).
    paras: Vec<String>,
    /// Tables past [`MAX_TABLE_DEPTH`] still open; their structure is ignored.
    flat_tables: usize,
    in_text: bool,
    runs: usize,
    /// Depth inside a subtree whose text is a duplicate or not shown.
    skip: usize,
}

/// Parses `document.xml` into blocks; `Err` is the XML error.
fn parse(xml: &str) -> Result<Vec<Block>, String> {
    let mut reader = Reader::from_str(xml);
    let mut p = Parser { containers: vec![Vec::new()], ..Parser::default() };
    loop {
        let event = reader.read_event().map_err(|e| {
            format!("at byte {}: {}", reader.error_position(), e.to_string().replace('\n', " "))
        })?;
        if p.skip > 0 {
            match event {
                Event::Start(_) => p.skip += 1,
                Event::End(_) => p.skip -= 1,
                Event::Eof => return Err("the document ends inside a skipped element".into()),
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(e) => p.start(&e, false),
            Event::Empty(e) => p.start(&e, true),
            Event::End(e) => p.end(e.name().as_ref()),
            Event::Text(t) if p.in_text => p.push(&t.xml10_content()),
            Event::CData(t) if p.in_text => p.push(&t.xml10_content()),
            Event::GeneralRef(r) if p.in_text => {
                let ch = r.resolve_char_ref().ok().flatten().map(String::from);
                if let Some(s) = ch.or_else(|| {
                    quick_xml::escape::resolve_predefined_entity(&r).map(str::to_string)
                }) {
                    p.push(&s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !p.paras.is_empty() || !p.tables.is_empty() {
        return Err("the document ends inside an open paragraph or table".into());
    }
    Ok(p.containers.into_iter().flatten().collect())
}

impl Parser {
    fn start(&mut self, e: &BytesStart, empty: bool) {
        let qname = e.name();
        if matches!(qname.as_ref(), "mc:Fallback" | "w:moveFrom" | "w:del") && !empty {
            self.skip = 1;
            return;
        }
        let Some(name) = w_name(qname.as_ref()) else {
            return;
        };
        let structure = self.flat_tables == 0;
        match name {
            "p" if !empty => self.paras.push(String::new()),
            "r" if !empty => self.runs += 1,
            "t" if !empty => self.in_text = true,
            "tab" if self.runs > 0 => self.push("\t"),
            "br" | "cr" if self.runs > 0 => self.push("\n"),
            "noBreakHyphen" if self.runs > 0 => self.push("-"),
            "tbl" if !empty && (self.tables.len() >= MAX_TABLE_DEPTH || !structure) => {
                self.flat_tables += 1
            }
            "tbl" if !empty => self.tables.push(OpenTable::default()),
            "tr" if structure => {
                if let Some(t) = self.tables.last_mut() {
                    t.row.clear();
                }
            }
            "gridBefore" if structure => {
                let n = attr(e, "val").and_then(|v| v.parse().ok()).unwrap_or(0);
                if let (Some(t), true) = (self.tables.last_mut(), n > 0) {
                    t.row.push(TableCell::new(Vec::new(), n, 1));
                }
            }
            "tc" if structure && !empty && !self.tables.is_empty() => {
                self.containers.push(Vec::new());
                self.cells.push(OpenCell { colspan: 1, continues: false });
            }
            "gridSpan" if structure => {
                if let Some(c) = self.cells.last_mut() {
                    c.colspan = attr(e, "val").and_then(|v| v.parse().ok()).unwrap_or(1).max(1);
                }
            }
            // Legacy horizontal merges work like vertical ones: an empty slot.
            "vMerge" | "hMerge" if structure => {
                if let Some(c) = self.cells.last_mut() {
                    c.continues = attr(e, "val").is_none_or(|v| v != "restart");
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, qname: &str) {
        let Some(name) = w_name(qname) else { return };
        let structure = self.flat_tables == 0;
        match name {
            "p" => {
                if let Some(text) = self.paras.pop() {
                    self.emit(text);
                }
            }
            "r" => self.runs = self.runs.saturating_sub(1),
            "t" => self.in_text = false,
            "tbl" if !structure => self.flat_tables -= 1,
            "tbl" => {
                if let Some(t) = self.tables.pop() {
                    self.close_table(t);
                }
            }
            "tr" if structure => {
                if let Some(t) = self.tables.last_mut() {
                    let row = std::mem::take(&mut t.row);
                    t.table.rows.push(row);
                }
            }
            "tc" if structure
                && !self.cells.is_empty()
                && self.cells.len() + 1 == self.containers.len() =>
            {
                let (Some(blocks), Some(cell)) = (self.containers.pop(), self.cells.pop()) else {
                    return;
                };
                let blocks = if cell.continues { Vec::new() } else { blocks };
                if let Some(t) = self.tables.last_mut() {
                    t.row.push(TableCell::new(blocks, cell.colspan, 1));
                }
            }
            _ => {}
        }
    }

    fn push(&mut self, s: &str) {
        if let Some(p) = self.paras.last_mut() {
            p.push_str(s);
        }
    }

    /// Adds a finished paragraph to the innermost open container.
    fn emit(&mut self, text: String) {
        if let Some(c) = self.containers.last_mut() {
            c.push(Block::Para(text));
        }
    }

    fn close_table(&mut self, mut t: OpenTable) {
        if !t.row.is_empty() {
            t.table.rows.push(std::mem::take(&mut t.row));
        }
        if let Some(c) = self.containers.last_mut() {
            c.push(Block::Table(t.table));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_of(body: &str) -> Vec<Vec<String>> {
        let xml = format!(
            "<?xml version=\"1.0\"?><w:document xmlns:w=\"x\"><w:body>{body}</w:body></w:document>"
        );
        let blocks = parse(&xml).expect("well-formed");
        markup::to_text_doc(&blocks)
            .lines
            .iter()
            .map(|l| l.cells.iter().map(|c| c.text.clone()).collect())
            .collect()
    }

    fn tc(props: &str, text: &str) -> String {
        format!("<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>")
    }

    #[test]
    fn runs_join_and_tabs_are_not_tab_stops() {
        let body = "<w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"420\"/></w:tabs></w:pPr><w:r><w:t>一、总体</w:t></w:r><w:r><w:t>情况</w:t></w:r></w:p>\
                    <w:p><w:r><w:t>12</w:t></w:r><w:del><w:r><w:delText>9</w:delText></w:r></w:del><w:r><w:t>345</w:t><w:tab/><w:t>&amp;&#20010;</w:t></w:r></w:p>";
        assert_eq!(rows_of(body), vec![vec!["一、总体情况"], vec!["12345 &个"]]);
    }

    #[test]
    fn grid_span_and_vertical_merges() {
        let row1 = format!(
            "<w:tr>{}{}{}</w:tr>",
            tc("<w:vMerge w:val=\"restart\"/>", "三、本年度办理结果"),
            tc("<w:gridSpan w:val=\"2\"/>", "（一）予以公开"),
            tc("", "5")
        );
        let row2 = format!(
            "<w:tr>{}{}{}</w:tr>",
            tc("<w:vMerge/>", ""),
            tc("<w:gridSpan w:val=\"2\"/>", "（二）部分公开"),
            tc("", "1")
        );
        let row3 = format!(
            "<w:tr><w:trPr><w:gridBefore w:val=\"1\"/></w:trPr>{}{}{}</w:tr>",
            tc("", "a"),
            tc("", "b"),
            tc("", "2")
        );
        assert_eq!(
            rows_of(&format!("<w:tbl>{row1}{row2}{row3}</w:tbl>")),
            vec![
                vec!["三、本年度办理结果", "（一）予以公开", "", "5"],
                vec!["", "（二）部分公开", "", "1"],
                vec!["", "a", "b", "2"]
            ]
        );
    }

    fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, text) in files {
            w.start_file(*name, zip::write::SimpleFileOptions::default()).expect("start");
            w.write_all(text.as_bytes()).expect("write");
        }
        w.finish().expect("finish").into_inner()
    }

    #[test]
    fn the_package_names_its_main_part_and_big_parts_are_refused() {
        let doc = "<w:document><w:body><w:p><w:r><w:t>规章</w:t></w:r></w:p></w:body></w:document>";
        let rels = "<Relationships><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"/word/document2.xml\"/></Relationships>";
        let zip = zip_of(&[("_rels/.rels", rels), ("word/document2.xml", doc)]);
        assert_eq!(read(&zip).map(|d| d.lines.len()), Ok(1));
        assert_eq!(
            read_limited(&zip, 20).map(|_| ()),
            Err(DocumentError::PartTooLarge { part: "word/document2.xml".into(), limit: 20 })
        );
        assert_eq!(
            read(&zip_of(&[("xl/workbook.xml", "<x/>")])).map(|_| ()),
            Err(DocumentError::NotDocx)
        );
        assert!(matches!(read(b"PK\x03\x04 not really"), Err(DocumentError::BadZip(_))));
    }

    #[test]
    fn fallback_copies_of_text_boxes_are_not_read_twice() {
        let body = "<w:p><w:r><mc:AlternateContent><mc:Choice><w:txbxContent><w:p><w:r><w:t>附件1</w:t></w:r></w:p></w:txbxContent></mc:Choice>\
                    <mc:Fallback><w:txbxContent><w:p><w:r><w:t>附件1</w:t></w:r></w:p></w:txbxContent></mc:Fallback></mc:AlternateContent></w:r></w:p>";
        assert_eq!(rows_of(body), vec![vec!["附件1"]]);
    }

    #[test]
    fn broken_or_truncated_xml_is_an_error_and_deep_nesting_is_not() {
        assert!(parse("<w:body><w:p></w:r></w:body>").is_err());
        assert!(parse("<w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>x").is_err());
        assert!(parse("<w:body><w:p><w:r><mc:Fallback><w:t>x").is_err());
        let deep = format!(
            "<w:body>{}<w:p><w:r><w:t>x</w:t></w:r></w:p>{}</w:body>",
            "<w:tbl><w:tr><w:tc>".repeat(5000),
            "</w:tc></w:tr></w:tbl>".repeat(5000)
        );
        let blocks = parse(&deep).expect("well-formed");
        assert_eq!(markup::to_text_doc(&blocks).lines.len(), 1);
    }
}
