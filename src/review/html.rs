//! The review page's HTML: counts, filters, one section per report, one
//! entry per review item, and the script that filters and writes the
//! decisions as `review.csv` (columns of [`crate::decisions`]). No network,
//! no server: it opens from disk.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{esc, Evidence};
use crate::decisions::Decision;

const STYLE: &str = "body{font:14px sans-serif;margin:1em 2em;color:#222}\
h2{font-size:16px;margin:1.5em 0 .3em;border-bottom:1px solid #ccc}\
.entry{display:flex;gap:1em;border:1px solid #ddd;border-radius:4px;padding:.5em;margin:.4em 0}\
.entry .ev{flex:0 0 auto;max-width:45%}.entry img{max-width:100%;height:auto;border:1px solid #aaa}\
.reason{font-family:monospace;background:#fee;padding:0 .3em}\
table.src td{border:1px solid #bbb;padding:2px 6px}table.src td.hit{background:#ffd24d;font-weight:bold}\
.counts span{margin-right:1em}.muted{color:#777}.hidden{display:none}";

const SCRIPT: &str = r#"
const $$ = s => Array.from(document.querySelectorAll(s));
function filter() {
  const r = document.getElementById('reason').value, f = document.getElementById('report').value;
  $$('.entry').forEach(e => e.classList.toggle('hidden',
    (r && e.dataset.reason !== r) || (f && e.closest('section').dataset.file !== f)));
  $$('section.report').forEach(s => s.classList.toggle('hidden', f && s.dataset.file !== f));
  document.getElementById('shown').textContent = $$('.entry:not(.hidden)').length;
}
function q(s) { return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; }
function download() {
  const who = document.getElementById('who').value || 'reviewer';
  const when = new Date().toISOString().slice(0, 19) + 'Z';
  const rows = [['file', 'sha256', 'field', 'decision', 'who', 'when']];
  $$('.entry').forEach(e => {
    const d = e.querySelector('select.decide').value;
    if (!d || !e.dataset.field) return;
    const v = e.querySelector('input.value').value.trim();
    if (d === 'value' && !v) return;
    const s = e.closest('section').dataset;
    rows.push([s.file, s.sha256, e.dataset.field, d === 'value' ? 'value ' + v : d, who, when]);
  });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([rows.map(r => r.map(q).join(',')).join('\n') + '\n'], {type: 'text/csv'}));
  a.download = 'review.csv';
  a.click();
}
document.getElementById('reason').onchange = filter;
document.getElementById('report').onchange = filter;
document.getElementById('download').onclick = download;
// Once loaded, the page says how many crops failed to load (none should).
window.addEventListener('load', () => {
  const imgs = $$('img'), broken = imgs.filter(i => !(i.complete && i.naturalWidth > 0));
  document.body.dataset.entries = $$('.entry').length;
  document.body.dataset.crops = imgs.length;
  document.body.dataset.broken = broken.length;
  document.getElementById('loaded').textContent =
    broken.length ? broken.length + ' of ' + imgs.length + ' crops did not load (input moved?)' : imgs.length + ' crops loaded';
});
"#;

/// The whole page.
pub fn page(reports: &[(&str, &Value)], sections: &[String]) -> String {
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut total = 0;
    for (_, r) in reports {
        for e in r["review"].as_array().into_iter().flatten() {
            *reasons.entry(e["reason"].as_str().unwrap_or("?").to_string()).or_default() += 1;
            total += 1;
        }
    }
    let checked = reports.iter().filter(|(_, r)| r["verification"]["status"] != "ok").count();
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\"><title>xxgk review</title><style>{STYLE}</style></head><body>\n\
<h1>审核 Review: {total} entries in {} reports ({checked} to check)</h1>\n<p class=\"counts\">",
        reports.len()
    );
    for (reason, n) in &reasons {
        out += &format!("<span><span class=\"reason\">{}</span> {n}</span>", esc(reason));
    }
    out += "</p>\n<p>原因 Reason <select id=\"reason\"><option value=\"\">all</option>";
    for reason in reasons.keys() {
        out += &format!("<option>{}</option>", esc(reason));
    }
    out += "</select> 报告 Report <select id=\"report\"><option value=\"\">all</option>";
    for (file, _) in reports {
        out += &format!("<option>{}</option>", esc(file));
    }
    out += &format!(
        "</select> shown: <b id=\"shown\">{total}</b> <span id=\"loaded\" class=\"muted\"></span></p>\n<p>审核人 Who <input id=\"who\" size=\"12\"> \
<button id=\"download\">Download review.csv</button> <span class=\"muted\">(apply with <code>xxgk extract --decisions review.csv</code>)</span></p>\n\
<p class=\"muted\">Overlays: <span style=\"color:#12a150\">confirmed</span> · <span style=\"color:#2f6fdd\">unconfirmed</span> · \
<span style=\"color:#e0201c\">review</span> · <span style=\"color:#b000b0\">no value</span></p>\n"
    );
    for s in sections {
        out += s;
    }
    out += &format!("<script>{SCRIPT}</script>\n</body></html>\n");
    out
}

/// One report's section.
pub fn section(
    rel: &str,
    json: &Value,
    entries: &[Value],
    evidence: &[Evidence],
    overlays: &[String],
    decided: &dyn Fn(&str) -> Option<Decision>,
) -> String {
    let text = |v: &Value| match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        v => v.to_string(),
    };
    let v = &json["verification"];
    let mut out = format!(
        "<section class=\"report\" data-file=\"{}\" data-sha256=\"{}\">\n<h2>{}</h2>\n<p>{} · {} · {} · <b>{}</b> · confirmed {} · unconfirmed {} · review {} · missing {}",
        esc(rel),
        esc(&text(&json["source"]["sha256"])),
        esc(rel),
        esc(&text(&json["organization"])),
        esc(&text(&json["year"])),
        esc(&text(&json["source"]["kind"])),
        esc(&text(&v["status"])),
        text(&v["confirmed"]),
        text(&v["unconfirmed"]),
        text(&v["review"]),
        text(&v["missing"]),
    );
    for (k, o) in overlays.iter().enumerate() {
        out += &format!(" · <a href=\"{}\">overlay {}</a>", esc(o), k + 1);
    }
    out += "</p>\n";
    for (e, ev) in entries.iter().zip(evidence) {
        let field = e["field"].as_str().unwrap_or_default();
        out += &entry(e, ev, &text, decided(field));
    }
    out += "</section>\n";
    out
}

fn entry(
    e: &Value,
    ev: &Evidence,
    text: &dyn Fn(&Value) -> String,
    decided: Option<Decision>,
) -> String {
    let field = text(&e["field"]);
    let place = [&e["table"], &e["row_label"], &e["column_label"]]
        .iter()
        .map(|v| text(v))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    let evidence = match ev {
        Evidence::Crop { file, region } => format!(
            "<img src=\"{}\" alt=\"{}\" data-region=\"{:.1},{:.1},{:.1},{:.1}\">",
            esc(file),
            esc(&field),
            region.0,
            region.1,
            region.2,
            region.3
        ),
        Evidence::Line { number, cells, hit } => {
            let mut t =
                format!("<div class=\"muted\">line {number}</div><table class=\"src\"><tr>");
            for (k, c) in cells.iter().enumerate() {
                let class = if Some(k) == *hit { " class=\"hit\"" } else { "" };
                t += &format!("<td{class}>{}</td>", esc(c));
            }
            t + "</tr></table>"
        }
        Evidence::None(why) => format!("<span class=\"muted\">no evidence: {why}</span>"),
    };
    // A decision already recorded (`review --decisions`) is shown chosen.
    let (chosen, value) = match &decided {
        None => ("", String::new()),
        Some(Decision::Accept) => ("accept", String::new()),
        Some(Decision::Value(v)) => ("value", v.to_string()),
        Some(Decision::Null) => ("null", String::new()),
    };
    let option = |v: &str, label: &str| {
        let sel = if !chosen.is_empty() && v == chosen { " selected" } else { "" };
        format!("<option value=\"{v}\"{sel}>{label}</option>")
    };
    let decide = if field.is_empty() {
        String::new()
    } else {
        format!(
            "<div><select class=\"decide\">{}{}{}{}</select> <input class=\"value\" size=\"8\" placeholder=\"N\" value=\"{}\"></div>",
            option("", "—"),
            option("accept", "accept 确认"),
            option("value", "value 更正为"),
            option("null", "null 置空"),
            esc(&value)
        )
    };
    format!(
        "<div class=\"entry\" data-reason=\"{}\" data-field=\"{}\" data-box=\"{}\">\
<div class=\"ev\">{evidence}</div><div><div><b>{}</b> <code>{}</code></div>\
<div>value <b>{}</b> · raw <code>{}</code> · confidence {}</div>\
<div><span class=\"reason\">{}</span> {}</div><div class=\"muted\">{}</div>{decide}</div></div>\n",
        esc(&text(&e["reason"])),
        esc(&field),
        esc(&text(&e["location"]["box"]).replace(['[', ']'], "")),
        esc(&place),
        esc(&field),
        esc(&text(&e["value"])),
        esc(&text(&e["raw"])),
        esc(&text(&e["confidence"])),
        esc(&text(&e["reason"])),
        esc(&text(&e["message_zh"])),
        esc(&text(&e["message"])),
    )
}
