//! PDF reader: small accessors over lopdf objects that never panic and
//! never follow references forever, and stream decoding with a size cap.

use std::io::Read;

use lopdf::{Dictionary, Document, Object, Stream};

/// References are followed at most this many times in a row.
const MAX_DEREF: usize = 16;

pub fn deref<'a>(doc: &'a Document, mut o: &'a Object) -> &'a Object {
    for _ in 0..MAX_DEREF {
        match o {
            Object::Reference(id) => match doc.objects.get(id) {
                Some(next) => o = next,
                None => return &Object::Null,
            },
            _ => return o,
        }
    }
    &Object::Null
}

pub fn get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    dict.get(key).ok().map(|o| deref(doc, o)).filter(|o| !matches!(o, Object::Null))
}

pub fn dict<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Dictionary> {
    match get(doc, dict, key)? {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

pub fn name<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    match get(doc, d, key)? {
        Object::Name(n) => Some(n),
        _ => None,
    }
}

pub fn num(o: &Object) -> Option<f32> {
    match o {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) if r.is_finite() => Some(*r),
        _ => None,
    }
}

pub fn number(doc: &Document, d: &Dictionary, key: &[u8]) -> Option<f32> {
    num(get(doc, d, key)?)
}

pub fn array<'a>(doc: &'a Document, d: &'a Dictionary, key: &[u8]) -> Option<&'a [Object]> {
    match get(doc, d, key)? {
        Object::Array(a) => Some(a),
        _ => None,
    }
}

/// Numbers of an array (dereferenced), `None` if any element is not one.
pub fn numbers(doc: &Document, a: &[Object]) -> Option<Vec<f32>> {
    a.iter().map(|o| num(deref(doc, o))).collect()
}

/// A stream's decoded bytes, or `None` when its filter is unsupported or it
/// would decode to more than `limit` bytes (a deflate bomb must not take the
/// machine's memory).
pub fn stream_bytes(stream: &Stream, limit: usize) -> Option<Vec<u8>> {
    let filters: Vec<&[u8]> = stream.filters().unwrap_or_default();
    match filters.as_slice() {
        [] => (stream.content.len() <= limit).then(|| stream.content.clone()),
        [b"FlateDecode" | b"Fl"] if stream.dict.get(b"DecodeParms").is_err() => {
            let mut out = Vec::new();
            let decoder = flate2::read::ZlibDecoder::new(stream.content.as_slice());
            // A truncated or slightly corrupt deflate stream still yields
            // what decoded before the damage, as viewers show it.
            let _ = decoder.take(limit as u64 + 1).read_to_end(&mut out);
            (out.len() <= limit).then_some(out)
        }
        _ => {
            // Rare filters (LZW, ASCII85, predictors): lopdf decodes them. Its
            // output is bounded by the input's ratio for these filters.
            let out = stream.decompressed_content().ok()?;
            (out.len() <= limit).then_some(out)
        }
    }
}
