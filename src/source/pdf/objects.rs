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

/// Why a stream gave no bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unread {
    /// It would decode to more than the limit (a deflate bomb must not
    /// take the machine's memory): nothing past the limit is decoded.
    TooLarge,
    /// Its filter is not supported, or its data does not decode.
    Undecodable,
}

/// A stream's decoded bytes, at most `limit` of them.
pub fn stream_bytes(stream: &Stream, limit: usize) -> Result<Vec<u8>, Unread> {
    let filters: Vec<&[u8]> = stream.filters().unwrap_or_default();
    match filters.as_slice() {
        [] if stream.content.len() <= limit => Ok(stream.content.clone()),
        [] => Err(Unread::TooLarge),
        [b"FlateDecode" | b"Fl"] if stream.dict.get(b"DecodeParms").is_err() => {
            let mut out = Vec::new();
            let decoder = flate2::read::ZlibDecoder::new(stream.content.as_slice());
            // A truncated or slightly corrupt deflate stream still yields
            // what decoded before the damage, as viewers show it.
            let _ = decoder.take(limit as u64 + 1).read_to_end(&mut out);
            if out.len() > limit {
                return Err(Unread::TooLarge);
            }
            Ok(out)
        }
        // Predictors, LZW, ASCII85 and the rest: lopdf decodes them, through
        // the same limit.
        _ => stream.decompressed_content_with_limit(limit).map_err(|e| match e {
            lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
                Unread::TooLarge
            }
            _ => Unread::Undecodable,
        }),
    }
}
