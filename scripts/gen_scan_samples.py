#!/usr/bin/env python3
"""Generate scanned-looking samples of 政府信息公开工作年度报告 with truth files.

What it writes (samples/scanned/)
    scan_NN_<dpi>_<edition>.pK.jpg       the table pages of one report, page K
    scan_NN_<dpi>_<edition>.truth.json   what xxgk must output for the pages
    scan_NN_pdf_<edition>.pdf            an image-only PDF (one JPEG per page)
    scan_NN_pdf_<edition>.truth.json

How
    The truth and the numbers come from scripts/gen_text_samples.py (imported:
    its Report class draws realistic non-zero values and compute_truth says what
    the tool must output).  Each report is rendered as HTML with the official
    merged-cell table layout, printed to PDF by headless Chromium, rasterized by
    pdftoppm at 150, 200 or 300 dpi, and degraded with Pillow: skew, blur,
    noise, uneven light, a binding shadow, JPEG quality 25-70.  Only the table
    pages are kept, cropped to the page; every JPEG, and every PDF as a
    whole, must stay under 300 KB.

Run it through scripts/gen_scan_samples (installs Chromium, CJK fonts,
poppler-utils and a venv with Pillow); `scripts/gen_scan_samples 38` makes
report 38 only.  Deterministic for a given Chromium and
font version; the outputs are committed and CI does not run this.
"""

import html
import io
import json
import math
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageChops, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_text_samples as g  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "samples" / "scanned"
MAX_BYTES = 300 * 1024
# Room for the PDF's own objects around its page images.
PDF_SLACK = 4096

# Each report: the gen_text_samples spec (style "cells": every cell printed,
# no OCR noise in the source) and how it is scanned.  `dpi` and the
# degradations are per report; `pdf` also writes an image-only PDF.
SPECS = [
    dict(n=31, ed="2019", year=2020, org="重庆市渝中区解放碑街道办事处", short="解放碑街道", self="我街道",
         kind="street", size="small", amount="wan", dpi=300, deg="light"),
    dict(n=32, ed="2021", year=2022, org="杭州市西湖区人民政府办公室", short="西湖区政府办公室", self="我办",
         kind="district", size="medium", amount="bare4", dpi=300, deg="light"),
    dict(n=33, ed="2021", year=2023, org="济南市历下区市场监督管理局", short="区市场监管局", self="我局",
         kind="bureau", size="medium", dpi=200, deg="heavy"),
    dict(n=34, ed="2019", year=2020, org="南宁市青秀区新竹街道办事处", short="新竹街道", self="我街道",
         kind="street", size="medium", amount="wan", dpi=200, deg="heavy"),
    dict(n=35, ed="2021", year=2024, org="广州市天河区人民政府办公室", short="天河区政府办公室", self="我办",
         kind="district", size="big", dpi=200, deg="heavy"),
    dict(n=36, ed="2021", year=2022, org="郑州市金水区文化路街道办事处", short="文化路街道", self="我街道",
         kind="street", size="small", dpi=150, deg="heavy"),
    dict(n=37, ed="2019", year=2019, org="太原市小店区人民政府办公室", short="小店区政府办公室", self="我办",
         kind="district", size="medium", amount="wan", dpi=150, deg="medium"),
    dict(n=38, ed="2021", year=2023, org="厦门市思明区教育局", short="区教育局", self="我局",
         kind="bureau", size="small", dpi=200, deg="medium", pdf=True),
    # Tables printed without rules (a web page or Word export whose borders
    # were lost): the reader has no grid and must fall back to word boxes.
    dict(n=40, ed="2021", year=2022, org="成都市武侯区人民政府办公室", short="武侯区政府办公室", self="我办",
         kind="district", size="medium", dpi=300, deg="light", borderless=True),
    dict(n=41, ed="2021", year=2023, org="长沙市岳麓区望月湖街道办事处", short="望月湖街道", self="我街道",
         kind="street", size="small", dpi=200, deg="medium", borderless=True),
    # Made after the fallback's thresholds were set, to measure them on
    # what they were not tuned on: rules between rows only (no column
    # rules to make a grid), and no rules in a denser type setting.
    dict(n=43, ed="2019", year=2021, org="武汉市江汉区民意街道办事处", short="民意街道", self="我街道",
         kind="street", size="medium", amount="wan", dpi=200, deg="heavy", borderless="rows"),
    dict(n=44, ed="2021", year=2024, org="西安市雁塔区人民政府办公室", short="雁塔区政府办公室", self="我办",
         kind="district", size="big", dpi=200, deg="medium", borderless=True,
         css="td { padding: 0.8mm 1mm; font-size: 10.5pt; }"),
    # Ruled tables but the last (s4) printed without rules: one page holds
    # a grid and a table the fallback must read.
    dict(n=45, ed="2021", year=2023, org="苏州市姑苏区双塔街道办事处", short="双塔街道", self="我街道",
         kind="street", size="medium", dpi=200, deg="medium", borderless="s4",
         css="td { padding: 0.6mm 1.2mm; font-size: 9pt; line-height: 1.3; }"),
    # Held out: type faces the reader was not tuned on (every sample above
    # is set in Noto): a Ming/Song face (as 宋体 in Word) and a Kai face
    # (as 楷体), headings in a plain sans.
    dict(n=47, ed="2019", year=2020, org="合肥市蜀山区三里庵街道办事处", short="三里庵街道", self="我街道",
         kind="street", size="medium", amount="wan", dpi=200, deg="heavy",
         css="body, td { font-family: 'AR PL UMing CN'; } h1, h2 { font-family: 'WenQuanYi Zen Hei'; }"),
    dict(n=48, ed="2021", year=2023, org="昆明市五华区人民政府办公室", short="五华区政府办公室", self="我办",
         kind="district", size="medium", dpi=200, deg="medium",
         css="body, td { font-family: 'AR PL UKai CN'; } h1, h2 { font-family: 'WenQuanYi Zen Hei'; }"),
    # A colour scan with a red seal on every page, over the tables' last
    # columns (the 总计 of s3 among them).
    dict(n=49, ed="2021", year=2022, org="青岛市市南区八大关街道办事处", short="八大关街道", self="我街道",
         kind="street", size="medium", dpi=200, deg="medium", seal=True),
    # The title printed in red (as a 红头 document's is), and a seal: the
    # seal must stay dropped and the title must not.
    dict(n=50, ed="2019", year=2020, org="厦门市思明区鹭江街道办事处", short="鹭江街道", self="我街道",
         kind="street", size="medium", amount="wan", dpi=200, deg="medium", seal=True, red_title=True),
    # Pages fed into the scanner the wrong way round: page 2 upside down,
    # page 3 a quarter turn counter-clockwise (degrees, as Pillow turns).
    dict(n=51, ed="2021", year=2023, org="成都市锦江区春熙路街道办事处", short="春熙路街道", self="我街道",
         kind="street", size="medium", dpi=200, deg="medium", turn={2: 180, 3: 90}),
    # The same without rules: the fallback's pages have no grid cells, so
    # only their pieces' reading (page 1 upside down) or the run of their
    # ink (page 3 a quarter turn clockwise) shows the turn.
    dict(n=52, ed="2019", year=2020, org="南京市鼓楼区宁海路街道办事处", short="宁海路街道", self="我街道",
         kind="street", size="medium", amount="wan", dpi=200, deg="medium", borderless=True, turn={1: 180, 3: 270}),
    # A first page of prose only (the whole overview; s2 starts page 2),
    # upside down: no table to show the turn, only its lines.
    dict(n=53, ed="2021", year=2022, org="广州市越秀区北京街道办事处", short="北京街道", self="我街道",
         kind="street", size="medium", dpi=200, deg="medium", prose=True, turn={1: 180}),
    # Scanned on a black lid, the sheet askew: dark margins around every
    # page, which the flattening leaves as a dark strip along the sheet.
    dict(n=54, ed="2019", year=2020, org="杭州市上城区湖滨街道办事处", short="湖滨街道", self="我街道",
         kind="street", size="medium", dpi=200, deg="medium", lid=True),
    # Pale copies (ink at 0.4 and 0.45 of its contrast) scanned with heavy
    # blur, noise and JPEG: the noise is as strong as on any scan, the ink
    # much weaker.
    dict(n=56, ed="2021", year=2023, org="天津市和平区劝业场街道办事处", short="劝业场街道", self="我街道",
         kind="street", size="medium", dpi=200, deg="heavy", pale=0.4),
    dict(n=57, ed="2019", year=2020, org="天津市河西区友谊路街道办事处", short="友谊路街道", self="我街道",
         kind="street", size="medium", amount="wan", dpi=200, deg="heavy", pale=0.45),
]

CSS = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: 'Noto Serif CJK SC', serif; font-size: 10.5pt; line-height: 1.45; }
h1 { font-size: 15pt; text-align: center; margin: 4mm 0 6mm; }
h2 { font-size: 12pt; margin: 5mm 0 2mm; font-family: 'Noto Sans CJK SC', sans-serif; }
p { text-indent: 2em; margin: 0 0 2mm; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; page-break-inside: auto; }
tr { page-break-inside: avoid; }
td { border: 0.8pt solid #444; padding: 1.2mm 1.5mm; text-align: center; vertical-align: middle;
     font-size: 9.5pt; }
td.l { text-align: left; }
.brk { page-break-before: always; }
"""

# Borderless reports keep the layout but print no cell borders, or only
# the rules between rows.
NO_BORDERS = {True: "td { border: none; }", "rows": "td { border-left: none; border-right: none; }",
              "s4": "table:nth-of-type(3) td { border: none; }"}


def td(text, cls="", cs=1, rs=1):
    attrs = (f' colspan="{cs}"' if cs > 1 else "") + (f' rowspan="{rs}"' if rs > 1 else "") + \
        (f' class="{cls}"' if cls else "")
    return f"<td{attrs}>{html.escape(text or '').replace(chr(10), '<br>')}</td>"


def s2_html(rep):
    rows = []
    for cap, heads, data, cols in g.S2[rep.ed]:
        rows.append(td(cap, cs=4))
        heads = rep.s2_heads(heads)
        span = 4 - len(heads) + 1  # the last header spans what is left
        rows.append("".join(td(h) for h in heads[:-1]) + td(heads[-1], cs=span))
        for rid, label in data:
            fids = [f"s2.{rid}.{c}" for c in cols]
            texts = [rep.text[f] or "" for f in fids]
            rows.append(td(rep.s2_label(rid, label)) + "".join(td(t) for t in texts[:-1]) + td(texts[-1], cs=span))
    return "<table>" + "".join(f"<tr>{r}</tr>" for r in rows) + "</table>"


def s3_html(rep):
    rows = [td(g.S3_NOTE, cs=3, rs=3) + td("申请人情况", cs=7),
            td("自然人", rs=2) + td("法人或其他组织", cs=5) + td("总计", rs=2),
            "".join(td(h) for h in g.S3_SUBCOLS)]
    printed = rep.printed_s3_rows()
    outcome_rows = [r for r in printed if r not in ("new", "carried_over", "carried_forward")]
    group_size = {}
    for r in outcome_rows:
        if "." in r:
            group_size[r.split(".")[0]] = group_size.get(r.split(".")[0], 0) + 1
    for r in printed:
        vals = "".join(td(rep.text[f] or "") for f in rep.row_fields(r))
        if r in ("new", "carried_over", "carried_forward"):
            rows.append(td(g.S3_LABEL[r], "l", cs=3) + vals)
            continue
        lead = td(g.TOP3, rs=len(outcome_rows)) if r == outcome_rows[0] else ""
        if "." in r:
            grp = r.split(".")[0]
            first = r in g.FIRST_CHILD
            lead += td(g.GROUP_LABEL[grp], rs=group_size[grp]) if first else ""
            rows.append(lead + td(g.S3_LABEL[r], "l") + vals)
        else:
            rows.append(lead + td(g.S3_LABEL[r], "l", cs=2) + vals)
    return "<table>" + "".join(f"<tr>{r}</tr>" for r in rows) + "</table>"


def s4_html(rep):
    rows = [td("行政复议", cs=5) + td("行政诉讼", cs=10),
            "".join(td(h, rs=2) for h in g.S4_HEADS) + td("未经复议直接起诉", cs=5) + td("复议后起诉", cs=5),
            "".join(td(h) for h in g.S4_HEADS * 2),
            "".join(td(rep.text[f"s4.{grp}.{c}"] or "") for grp in g.S4_GROUPS for c in g.S4_COLS)]
    return "<table>" + "".join(f"<tr>{r}</tr>" for r in rows) + "</table>"


def report_html(rep, borderless=False, css="", prose=False):
    fmt, parts = g.overview_parts(rep)
    h = g.headings(rep)
    # prose: the whole overview, and s2 on a page of its own, so that page
    # 1 holds only text.
    overview = "".join(f"<h3>{html.escape(t)}</h3><p>{html.escape(p)}</p>" for t, p in parts) if prose else f"<p>{html.escape(parts[0][1])}</p>"
    body = [f"<h1>{html.escape(rep.org)}{rep.year}年政府信息公开工作年度报告</h1>",
            f"<h2>{h[1]}</h2>", overview,
            f"<h2{' class=brk' if prose else ''}>{h[2]}</h2>", s2_html(rep),
            f"<h2 class='brk'>{h[3]}</h2>", s3_html(rep),
            f"<h2>{h[4]}</h2>", s4_html(rep),
            f"<h2>{h[5]}</h2>", f"<p>{html.escape(rep.rng.choice(g.PROBLEMS).format(**fmt))}</p>"]
    return f"<!doctype html><html><head><meta charset='utf-8'><style>{CSS}{NO_BORDERS.get(borderless, '')}{css}</style></head><body>" + \
        "".join(body) + "</body></html>"


def to_pdf(html_text, workdir):
    src = workdir / "r.html"
    pdf = workdir / "r.pdf"
    src.write_text(html_text, encoding="utf-8")
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", src.as_uri()], check=True, capture_output=True)
    return pdf


TITLE_INK = (200, 24, 32)


def redden_title(page, without):
    """The page with its title in red: the title's ink is where the page is
    darker than the same page printed with the title hidden."""
    cover = ImageChops.subtract(without, page)
    ink = Image.new("RGB", page.size, (255, 255, 255))
    ink.paste(TITLE_INK, (0, 0), cover)
    return ImageChops.multiply(without.convert("RGB"), ink)


def rasterize(pdf, dpi, workdir):
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), str(workdir / "pg")], check=True)
    return [Image.open(p).convert("L") for p in sorted(workdir.glob("pg-*.png"))]


LEVELS = {
    #          skew°  blur   noise  light  shadow  jpeg q
    "light": (0.6, 0.3, 2, 0.06, False, (60, 70)),
    "medium": (1.5, 0.6, 4, 0.15, True, (35, 55)),
    "heavy": (2.5, 0.8, 6, 0.22, True, (25, 45)),
}


def degrade(img, level, rng):
    skew, blur, noise, light, shadow, (qlo, qhi) = LEVELS[level]
    w, h = img.size
    # Uneven light: a smooth multiplicative gradient across the page.
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    small = Image.new("L", (32, 32))
    small.putdata([int(255 * (1 - light * (((x * w / 32 - cx) ** 2 + (y * h / 32 - cy) ** 2) ** 0.5) / max(w, h)))
                   for y in range(32) for x in range(32)])
    gain = small.resize((w, h), Image.BILINEAR)
    if shadow:
        # A binding shadow: darkening that fades in from the left edge.
        sw = int(w * rng.uniform(0.05, 0.09))
        px = gain.load()
        for x in range(sw):
            f = 0.55 + 0.45 * (x / sw) ** 0.5
            for y in range(h):
                px[x, y] = int(px[x, y] * f)
    img = ImageChops.multiply(img, gain.convert(img.mode))
    angle = rng.uniform(-skew, skew)
    fill = int(235 * (1 - light / 2))
    img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=fill if img.mode == "L" else (fill,) * 3)
    if blur:
        img = img.filter(ImageFilter.GaussianBlur(blur * rng.uniform(0.7, 1.0)))
    if noise:
        n = Image.effect_noise((w, h), noise).convert(img.mode)
        img = ImageChops.add(img, n, scale=1.0, offset=-128)
    q = rng.randint(qlo, qhi)
    return img, angle, q


SEAL_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
SEAL_INK = (214, 38, 48)


def seal_mask(org, diameter, rng):
    """An official seal (公章) as an ink mask: a ring, a five-point star,
    the organization along the upper arc and 专用章 below; ink laid on
    unevenly (coverage 55-100%, a few dry patches), as a rubber stamp
    leaves it."""
    from PIL import ImageDraw, ImageFont
    d = diameter
    mask = Image.new("L", (d, d), 0)
    draw = ImageDraw.Draw(mask)
    ring = max(3, d // 28)
    draw.ellipse((ring, ring, d - ring, d - ring), outline=255, width=ring)
    c, r = d / 2, d * 0.16
    star = [(c + (r if k % 2 == 0 else r * 0.38) * math.sin(math.pi * k / 5), c - (r if k % 2 == 0 else r * 0.38) * math.cos(math.pi * k / 5))
            for k in range(10)]
    draw.polygon(star, fill=255)
    size = int(d * 0.12)
    font = ImageFont.truetype(SEAL_FONT, size)
    text_r = d / 2 - ring * 2 - size * 0.62
    chars = list(org)
    span = 240  # degrees of arc the name takes, centred on the top
    for k, ch in enumerate(chars):
        theta = math.radians(90 + span / 2 - span * (k + 0.5) / len(chars))
        glyph = Image.new("L", (size * 2, size * 2), 0)
        ImageDraw.Draw(glyph).text((size // 2, size // 2), ch, font=font, fill=255)
        glyph = glyph.rotate(math.degrees(theta) - 90, resample=Image.BICUBIC)
        x, y = c + text_r * math.cos(theta) - size, c - text_r * math.sin(theta) - size
        mask.paste(255, (int(x), int(y)), glyph)
    small = ImageFont.truetype(SEAL_FONT, int(size * 0.9))
    draw.text((c, c + d * 0.27), "专用章", font=small, fill=255, anchor="mm")
    # Uneven ink: coarse blotches times fine grain.
    blotch = Image.effect_noise((max(1, d // 24), max(1, d // 24)), 40).resize((d, d), Image.BICUBIC)
    grain = Image.effect_noise((d, d), 30)
    cover = ImageChops.multiply(blotch.point(lambda v: min(255, max(140, v + 60))), grain.point(lambda v: min(255, v + 90)))
    mask = ImageChops.multiply(mask, cover).filter(ImageFilter.GaussianBlur(0.8))
    return mask.rotate(rng.uniform(-25, 25), resample=Image.BICUBIC)


def stamp(img, org, dpi, rng):
    """The gray page in colour with a red seal multiplied onto its right
    half, over the table's last columns (the worst place for one)."""
    page = img.convert("RGB")
    d = int(42 / 25.4 * dpi)
    mask = seal_mask(org, d, rng)
    x = int(page.width * rng.uniform(0.72, 0.8)) - d // 2
    y = int(page.height * rng.uniform(0.3, 0.6)) - d // 2
    ink = Image.new("RGB", page.size, (255, 255, 255))
    ink.paste(SEAL_INK, (x, y), mask)
    return ImageChops.multiply(page, ink)


def jpeg_bytes(img, q):
    while True:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=q, optimize=True)
        if buf.tell() < MAX_BYTES or q <= 25:
            return buf.getvalue(), q
        q -= 5


def pdf_jpegs(pages):
    """The JPEGs of an image-only PDF, as (bytes, quality) per page.  The PDF
    is one sample, held to the cap as a whole: every page's quality is
    lowered to a common ceiling until the pages fit, never below the JPEG
    samples' floor of 25 (the densest page alone would not make room)."""
    cap = max(q for _, q in pages)
    while True:
        out = []
        for img, q in pages:
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=min(q, cap), optimize=True)
            out.append((buf.getvalue(), min(q, cap)))
        if sum(len(d) for d, _ in out) < MAX_BYTES - PDF_SLACK or cap <= 25:
            return out
        cap = max(cap - 5, 25)


def on_lid(img, dpi, rng):
    """The sheet laid a little askew on a scanner's black lid, the glass
    larger than the sheet: dark margins of 3-6 mm, a wedge where the sheet
    is turned."""
    lid = 28 if img.mode == "L" else (28,) * 3
    img = img.rotate(rng.uniform(-0.8, 0.8), resample=Image.BICUBIC, expand=True, fillcolor=lid)
    mm = dpi / 25.4
    left, top, right, bottom = (round(rng.uniform(3, 6) * mm) for _ in range(4))
    out = Image.new(img.mode, (img.size[0] + left + right, img.size[1] + top + bottom), lid)
    out.paste(img, (left, top))
    n = Image.effect_noise(out.size, 3).convert(out.mode)
    return ImageChops.add(out, n, scale=1.0, offset=-128)


def crop_margins(img, dpi):
    """Cuts 8 mm off each side: blank paper, and kept under the size cap.
    The page margins are 16-18 mm and a 2.5° skew moves the table by less
    than 7 mm, so the tables stay whole."""
    m = round(8 / 25.4 * dpi)
    return img.crop((m, m, img.size[0] - m, img.size[1] - m))


def image_pdf(jpegs, sizes, dpi, filter="DCTDecode", bpc=8):
    """A minimal PDF with one image per page (no text layer), each image's
    bytes kept as they are under `filter` with `bpc` bits per pixel
    (gen_rendered_pdfs.py writes JPEG 2000 and JBIG2 pages through the
    same)."""
    objs = []
    kids = []
    for jpg, (w, h) in zip(jpegs, sizes):
        pw, ph = w * 72 / dpi, h * 72 / dpi
        img_id = len(objs) + 3
        content = f"q {pw:.2f} 0 0 {ph:.2f} 0 0 cm /Im0 Do Q".encode()
        objs.append(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                    b"/BitsPerComponent %d /Filter /%s /Length %d >>\nstream\n" % (w, h, bpc, filter.encode(), len(jpg)) + jpg
                    + b"\nendstream")
        objs.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /XObject << /Im0 %d 0 R >> >>"
                    b" /Contents %d 0 R >>" % (pw, ph, img_id, img_id + 1))
        kids.append(img_id + 2)
    head = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(head + objs, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
    for o in offsets:
        out.write(b"%010d 00000 n \n" % o)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref))
    return out.getvalue()


# Samples made from committed ones: their pages transformed as a scan's
# life after the scanner can, their truth the same.
DERIVED = [
    # A scan saved too light (a batch tool's levels pulled every tone to
    # 0.4 of its distance from white, then saved again at JPEG q60): ink
    # about 165 on paper 245, above the binarization's paper cap of 215.
    dict(n=55, source="scan_33_200_2021", suffix="faded", faded=0.4),
    # Scans reduced for the web (a site's upload limit): the degraded 200
    # dpi pages resampled to 100 dpi (Lanczos), saved again at q70.
    dict(n=58, source="scan_33_200_2021", suffix="web", dpi=100),
    dict(n=59, source="scan_34_200_2019", suffix="web", dpi=100),
]


def derive(spec):
    src = sorted(OUT.glob(f"{spec['source']}.p*.jpg"))
    doc = json.loads((OUT / f"{spec['source']}.truth.json").read_text(encoding="utf-8"))
    dpi = spec.get("dpi", doc["dpi"])
    parts = spec["source"].split("_")
    stem = "_".join(["scan", f"{spec['n']:02d}", str(dpi), *parts[3:], spec["suffix"]])
    notes = []
    for k, path in enumerate(src, start=1):
        img = Image.open(path).convert("L")
        how, quality = [], 60
        if "faded" in spec:
            f = spec["faded"]
            img = img.point(lambda v: int(255 - (255 - v) * f))
            how.append(f"at {f} of its contrast")
        if dpi != doc["dpi"]:
            r = dpi / doc["dpi"]
            img = img.resize((round(img.width * r), round(img.height * r)), Image.LANCZOS)
            how.append(f"resampled to {dpi} dpi")
            quality = 70
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=quality)
        (OUT / f"{stem}.p{k}.jpg").write_bytes(buf.getvalue())
        notes.append(f"p{k}: {path.name} {', '.join(how)}, q{quality}, {buf.tell() // 1024} KB")
    doc["dpi"] = dpi
    doc["pages"] = notes
    doc["derived_from"] = spec["source"]
    (OUT / f"{stem}.truth.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    print(stem, "; ".join(notes))


def main():
    # Report numbers on the command line regenerate only those reports, so
    # that the others' committed bytes stay as they are.
    only = {int(a) for a in sys.argv[1:]}
    OUT.mkdir(parents=True, exist_ok=True)
    for spec in DERIVED:
        if not only or spec["n"] in only:
            derive(spec)
    for spec in SPECS:
        if only and spec["n"] not in only:
            continue
        spec = dict(spec, style="cells")
        rep = g.Report(spec)
        truth = g.compute_truth(rep)
        rng = random.Random(spec["n"])
        stem = f"scan_{spec['n']:02d}_{'pdf' if spec.get('pdf') else spec['dpi']}_{spec['ed']}"
        if spec.get("borderless"):
            stem += {"rows": "_rowrules", "s4": "_mixed"}.get(spec["borderless"], "_borderless")
        if spec.get("red_title"):
            stem += "_redtitle"
        if spec.get("seal"):
            stem += "_seal"
        if spec.get("turn"):
            stem += "_turned"
        if spec.get("lid"):
            stem += "_lid"
        if spec.get("pale"):
            stem += "_pale"
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            page_html = report_html(rep, spec.get("borderless", False), spec.get("css", ""), spec.get("prose", False))
            pages = rasterize(to_pdf(page_html, tmp), spec["dpi"], tmp)
            if spec.get("red_title"):
                # The same HTML (report_html draws its wording at random),
                # with the title kept in place but not drawn.
                (tmp / "untitled").mkdir()
                hidden = page_html.replace("<h1>", "<h1 style='visibility: hidden'>", 1)
                without = rasterize(to_pdf(hidden, tmp / "untitled"), spec["dpi"], tmp / "untitled")
                pages[0] = redden_title(pages[0], without[0])
        # The table pages: every page but a last one holding only section 五.
        pages = pages[:4 if spec.get("prose") else 3]
        degraded = []
        for k, page in enumerate(pages, start=1):
            if spec.get("pale"):
                # A pale copy, then scanned: every tone pulled towards the
                # paper before the scan's blur, noise and JPEG.
                page = page.point(lambda v: int(255 - (255 - v) * spec["pale"]))
            img, angle, q = degrade(page, spec["deg"], rng)
            img = crop_margins(img, spec["dpi"])
            if spec.get("lid"):
                img = on_lid(img, spec["dpi"], rng)
            if spec.get("turn", {}).get(k):
                img = img.rotate(spec["turn"][k], expand=True)
            if spec.get("seal"):
                img = stamp(img, rep.org, spec["dpi"], rng)
            degraded.append((img, angle, q))
        if spec.get("pdf"):
            encoded = pdf_jpegs([(img, q) for img, _, q in degraded])
        else:
            encoded = [jpeg_bytes(img, q) for img, _, q in degraded]
        jpegs, sizes, notes = [], [], []
        for k, ((img, angle, _), (data, q)) in enumerate(zip(degraded, encoded), start=1):
            jpegs.append(data)
            sizes.append(img.size)
            notes.append(f"p{k}: skew {angle:+.2f}°, q{q}, {len(data) // 1024} KB")
            if not spec.get("pdf"):
                (OUT / f"{stem}.p{k}.jpg").write_bytes(data)
        if spec.get("pdf"):
            (OUT / f"{stem}.pdf").write_bytes(image_pdf(jpegs, sizes, spec["dpi"]))
        doc = {"edition": rep.ed, "year": rep.year, "organization": rep.org, "dpi": spec["dpi"],
               "degradation": spec["deg"], "pages": notes, "values": truth}
        if spec.get("borderless"):
            doc["borderless"] = True
        (OUT / f"{stem}.truth.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
        print(stem, "; ".join(notes))


if __name__ == "__main__":
    main()
