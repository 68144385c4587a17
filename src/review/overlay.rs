//! Labelled overlays: a page of the user's file with every field's cell
//! drawn on it, in the JSON's own coordinates (an SVG whose view box is the
//! page in the unit of its boxes, over a JPEG of the page), each cell
//! labelled with the field's short Chinese label, the value and the
//! confidence, and coloured by verdict. Text is SVG text, so it stays
//! readable at any zoom and no bar crosses a digit.

use std::collections::BTreeMap;

use image::imageops::FilterType;
use serde_json::Value;

use super::crop::{jpeg, OVERLAY_WIDTH};
use super::esc;
use crate::template::TemplateSet;

/// The colour of a verdict (the review page's legend uses the same).
pub fn colour(verdict: &Value) -> &'static str {
    match verdict.as_str() {
        Some("confirmed") => "#12a150",
        Some("unconfirmed") => "#2f6fdd",
        Some("review") => "#e0201c",
        _ => "#b000b0",
    }
}

/// Field id → a short label: the column's first label in a row of several
/// columns (the row's label is printed beside it on the page), else the
/// row's.
pub fn short_labels(templates: &TemplateSet, edition: &str) -> BTreeMap<String, String> {
    templates
        .edition_tables(edition)
        .into_iter()
        .flat_map(|t| {
            t.fields.iter().map(move |f| {
                let row = &t.rows[f.row];
                let labels =
                    if row.columns.len() > 1 { &t.columns[f.column].labels } else { &row.labels };
                (f.id.clone(), labels.first().cloned().unwrap_or_default())
            })
        })
        .collect()
}

/// The page's JPEG (at [`OVERLAY_WIDTH`]) and the SVG drawing `json`'s
/// cells of page `page` over it (`image`: the JPEG's file name, beside the
/// SVG).
pub fn page(
    json: &Value,
    labels: &BTreeMap<String, String>,
    page: usize,
    img: &(image::RgbImage, f32),
    image: &str,
) -> Option<(Vec<u8>, String)> {
    let (full, px) = img;
    let scale = (OVERLAY_WIDTH as f32 / full.width() as f32).min(1.0);
    let (w, h) = ((full.width() as f32 * scale) as u32, (full.height() as f32 * scale) as u32);
    let small = image::imageops::resize(full, w.max(1), h.max(1), FilterType::Triangle);
    let bytes = jpeg(&small, 60)?;
    let (wu, hu) = (full.width() as f32 / px, full.height() as f32 / px);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {wu:.1} {hu:.1}\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\">\n<image href=\"{}\" width=\"{wu:.1}\" height=\"{hu:.1}\"/>\n",
        esc(image)
    );
    let cells = json["cells"].as_object()?;
    for (id, c) in cells {
        let loc = &c["location"];
        if loc["page"].as_u64() != Some(page as u64) {
            continue;
        }
        let Some(b) = loc["box"].as_array() else { continue };
        let b: Vec<f32> = b.iter().filter_map(|v| v.as_f64().map(|v| v as f32)).collect();
        let [x0, y0, x1, y1] = b[..] else { continue };
        let colour = colour(&c["verdict"]);
        let value = match &json["values"][id] {
            Value::Null => "—".to_string(),
            v => v.to_string(),
        };
        let conf = c["confidence"].as_f64().unwrap_or(0.0);
        let label = labels.get(id).map_or(id.as_str(), String::as_str);
        // Text in the cell's top and bottom quarters, clear of the printed
        // digits in its middle; the label cut to the cell's width.
        let size = ((y1 - y0) * 0.24).clamp(2.0, 7.0);
        let fits = (((x1 - x0 - 2.0) / size).floor().max(1.0)) as usize;
        let label: String = label.chars().take(fits).collect();
        svg += &format!(
            "<g><title>{id} = {} ({conf:.2})</title><rect x=\"{x0:.1}\" y=\"{y0:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"0.8\"/>\
<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"{size:.1}\" fill=\"{colour}\">{}</text>\
<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"{size:.1}\" font-weight=\"bold\" fill=\"{colour}\">{} · {conf:.2}</text></g>\n",
            esc(&value),
            x1 - x0,
            y1 - y0,
            x0 + 1.0,
            y0 + size,
            esc(&label),
            x0 + 1.0,
            y1 - size * 0.3,
            esc(&value),
        );
    }
    svg += "</svg>\n";
    Some((bytes, svg))
}
