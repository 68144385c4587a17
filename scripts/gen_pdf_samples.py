#!/usr/bin/env python3
"""Generate text-layer PDF reports with truth files, from real producers.

What it writes
    samples/pdf/pdf_NN_<producer>_<edition>.pdf         a full report
    samples/pdf/pdf_NN_<producer>_<edition>.truth.json  what xxgk must output
    samples/broken/*.pdf                                 PDFs that must fail cleanly

    The numbers and truth come from scripts/gen_text_samples.py (imported:
    same Report class, same compute_truth), so the PDF samples have the same
    realistic non-zero figures.  The tables use the official merged-cell
    layout: s2 caption rows spanning 4 columns, s3 with a 3-row header and
    its group cells merged down (三、本年度办理结果, （三）…（六）), s4 with a
    two-level header (one data row) or as a 3x5 block.

Producers
    lo        LibreOffice (soffice --headless): HTML -> DOCX -> PDF, or HTML -> ODT -> PDF
    chromium  headless Chromium --print-to-pdf from HTML; with Noto Sans CJK
              it writes Type 3 fonts, with WenQuanYi Zen Hei CID TrueType
    gbk       written here: a WPS-like content stream (a Tm and Tj per glyph,
              stroked rules, `re W n` clips, `re f*` header shading) with an
              unembedded 宋体 (SimSun) as Type0 font with the predefined CMap
              GBK-EUC-H (or UniGB-UCS2-H) and no ToUnicode, as many 公文 PDFs
              are; no producer at hand writes that

    The script checks with pdffonts that the Type 3 and predefined-CMap
    samples really have those fonts.

How to run
    scripts/gen_pdf_samples.py          (installs its producers with apt-get
                                         when missing; needs root or sudo)

    CI does not run this; the outputs are committed.  Producers' output
    varies a little between versions (dates, ids); the truth does not.
"""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zlib
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "samples" / "pdf"
BROKEN = ROOT / "samples" / "broken"
MAX_BYTES = 300 * 1024

spec = importlib.util.spec_from_file_location("gen_text_samples", ROOT / "scripts" / "gen_text_samples.py")
g = importlib.util.module_from_spec(spec)
spec.loader.exec_module(g)

APT = ["libreoffice-writer-nogui", "chromium", "fonts-noto-cjk", "fonts-wqy-zenhei", "qpdf", "poppler-utils"]


def install_producers():
    need = [b for b in ("soffice", "chromium", "qpdf", "pdffonts") if not shutil.which(b)]
    if not need and Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc").exists():
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "--no-install-recommends"] + APT, check=True, env=env)


# ---------------------------------------------------------------------------
# The report as HTML, with the official merged-cell tables
# ---------------------------------------------------------------------------

def td(text, colspan=1, rowspan=1, cls=""):
    attrs = ""
    if colspan > 1:
        attrs += f' colspan="{colspan}"'
    if rowspan > 1:
        attrs += f' rowspan="{rowspan}"'
    if cls:
        attrs += f' class="{cls}"'
    body = escape(text or "").replace("\n", "<br>")
    return f"<td{attrs}>{body}</td>"


def s2_rows(rep):
    """[(kind, [(text, colspan)])] of the 4-column s2 table."""
    rows = []
    for kind, p in g.s2_table(rep):
        if kind == "cap":
            rows.append(("cap", [(p, 4)]))
        elif kind == "head":
            cells = [(h, 1) for h in p]
            cells[-1] = (cells[-1][0], 4 - len(p) + 1)
            rows.append(("head", cells))
        elif kind == "data":
            _rid, label, fids = p
            cells = [(label, 1)] + [(rep.text[f] or "", 1) for f in fids]
            cells[-1] = (cells[-1][0], 4 - len(cells) + 1)
            rows.append(("data", cells))
    return rows


def s3_rows(rep):
    """[(kind, [(text, colspan, rowspan, cls)])] of the 10-column s3 table."""
    data = g.s3_data_rows(rep)
    rid_index = {rid: i for i, (rid, *_rest) in enumerate(data)}
    out = [
        ("head", [(g.S3_NOTE, 3, 3, "note"), ("申请人情况", 7, 1, "")]),
        ("head", [("自然人", 1, 2, ""), ("法人或其他组织", 5, 1, ""), ("总计", 1, 2, "")]),
        ("head", [(c, 1, 1, "") for c in g.S3_SUBCOLS]),
    ]
    last_mid = rid_index["total"]
    for i, (rid, level, labels, fids) in enumerate(data):
        cells = []
        if level == "top":
            cells.append((labels[0], 3, 1, ""))
        elif level == "mid":
            if labels[0]:
                cells.append((labels[0], 1, last_mid - i + 1, "group"))
            cells.append((labels[1], 2, 1, ""))
        else:
            if labels[1]:
                grp = rid.split(".")[0]
                size = sum(1 for r, *_ in data if r.startswith(grp + "."))
                cells.append((labels[1], 1, size, "group"))
            cells.append((labels[2], 1, 1, ""))
        cells += [(rep.text[f] or "", 1, 1, "num") for f in fids]
        out.append(("data", cells))
    return out


def s4_rows(rep, block):
    vals = [rep.text[f] or "" for f in g.s4_fields()]
    heads = g.S4_HEADS
    if block:
        rows = [("head", [("", 2, 1, "")] + [(h, 1, 1, "") for h in heads])]
        names = [("行政复议", 2), ("未经复议直接起诉", 1), ("复议后起诉", 1)]
        for k, (name, span) in enumerate(names):
            cells = []
            if k == 1:
                cells.append(("行政诉讼", 1, 2, "group"))
            cells.append((name, span, 1, ""))
            cells += [(v, 1, 1, "num") for v in vals[5 * k:5 * k + 5]]
            rows.append(("data", cells))
        return rows
    return [
        ("head", [("行政复议", 5, 1, ""), ("行政诉讼", 10, 1, "")]),
        ("head", [(h, 1, 2, "") for h in heads] + [("未经复议直接起诉", 5, 1, ""), ("复议后起诉", 5, 1, "")]),
        ("head", [(h, 1, 1, "") for h in heads * 2]),
        ("data", [(v, 1, 1, "num") for v in vals]),
    ]


# LibreOffice's HTML import keeps borders given as attributes, not CSS ones.
TABLE_ATTRS = 'border="1" cellspacing="0" cellpadding="3" width="100%"'


def html_table(rows, repeat_header, widths=None):
    heads = [r for r in rows if r[0] == "head"]
    body = [r for r in rows if r[0] != "head"]
    cols = ""
    if widths:
        cols = "<colgroup>" + "".join(f'<col style="width:{w}%">' for w in widths) + "</colgroup>"

    def tr(cells):
        return "<tr>" + "".join(td(c[0], c[1], *(c[2:] if len(c) > 2 else ())) for c in cells) + "</tr>"

    if repeat_header:
        return (f"<table {TABLE_ATTRS}>{cols}<thead>" + "".join(tr(c) for _, c in heads) + "</thead><tbody>"
                + "".join(tr(c) for _, c in body) + "</tbody></table>")
    return f"<table {TABLE_ATTRS}>{cols}<tbody>" + "".join(tr(c) for _, c in rows) + "</tbody></table>"


CSS = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: '%(font)s'; font-size: %(size)s; line-height: 1.5; }
h1 { font-size: 16pt; text-align: center; }
h2 { font-size: 12pt; margin: 8pt 0 4pt 0; }
p { text-indent: 2em; margin: 3pt 0; }
table { border-collapse: collapse; width: 100%%; margin: 4pt 0; }
td { border: 0.75pt solid #000; padding: 2pt 3pt; font-size: %(cell)s; font-family: '%(table_font)s'; vertical-align: middle; text-align: center; }
td.group { %(group)s }
td.note { font-size: 8pt; }
"""


def report_html(rep, opts):
    """The report as HTML; `paras` repeats each paragraph (real reports run
    to about six pages, mostly narrative)."""
    items = g.build_items(rep)
    parts = []
    tables = iter(["s2", "s3", "s4"])
    for it in items:
        kind = it[0]
        if kind == "title":
            parts.append(f"<h1>{escape(it[1])}</h1>")
        elif kind in ("h", "h3", "h4", "sub"):
            text = it[1].replace("[bookmark: _GoBack]", "")
            parts.append(f"<h2>{escape(text)}</h2>")
        elif kind == "p":
            parts += [f"<p>{escape(it[1])}</p>"] * opts.get("paras", 1)
        elif kind == "lines":
            parts += [f"<p>{escape(x)}</p>" for x in it[1] if x.strip()]
        elif kind == "table":
            t = next(tables)
            if t == "s2":
                rows = [(k, [(c[0], c[1]) for c in cells]) for k, cells in s2_rows(rep)]
                parts.append(html_table(rows, opts.get("repeat", False), [31, 23, 23, 23]))
            elif t == "s3":
                parts.append(html_table(s3_rows(rep), opts.get("repeat", False), [6, 8, 30] + [8] * 7))
            else:
                parts.append(html_table(s4_rows(rep, rep.opt("s4_block")), opts.get("repeat", False)))
            if opts.get("spacer") and t == opts["spacer"][0]:
                parts.append(opts["spacer"][1])
    group = "writing-mode: vertical-rl;" if opts.get("vertical") else ""
    css = CSS % dict(font=opts["font"], table_font=opts.get("table_font", opts["font"]), size=opts.get("size", "10.5pt"), cell=opts.get("cell", "9pt"), group=group)
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>" + css + "</style></head><body>"
            + "\n".join(parts) + "</body></html>")


# ---------------------------------------------------------------------------
# Producers
# ---------------------------------------------------------------------------

def chromium(html, out):
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "r.html"
        src.write_text(html, encoding="utf-8")
        profile = Path(d) / "profile"
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={out}",
                        src.as_uri()], check=True, capture_output=True, timeout=120)


def libreoffice(html, out, via):
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "r.html"
        src.write_text(html, encoding="utf-8")
        env = dict(os.environ, HOME=d)
        run = lambda *a: subprocess.run(["soffice", "--headless", "--norestore", *a, "--outdir", d],  # noqa: E731
                                        check=True, capture_output=True, timeout=180, env=env)
        filt = {"docx": "docx:MS Word 2007 XML", "odt": "odt:writer8"}[via]
        run("--infilter=HTML (StarWriter)", "--convert-to", filt, str(src))
        run("--convert-to", "pdf:writer_pdf_Export", str(Path(d) / f"r.{via}"))
        shutil.copy(Path(d) / "r.pdf", out)


# ---------------------------------------------------------------------------
# A WPS-like PDF written here: unembedded SimSun with a predefined CJK CMap
# ---------------------------------------------------------------------------

class PdfWriter:
    """A minimal PDF writer: objects, one content stream per page."""

    def __init__(self):
        self.objs = []

    def add(self, body):
        self.objs.append(body)
        return len(self.objs)

    def stream(self, data, extra=""):
        comp = zlib.compress(data)
        return self.add(f"<< /Length {len(comp)} /Filter /FlateDecode {extra}>>\nstream\n".encode() + comp + b"\nendstream")

    def write(self, path, root):
        out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
        offs = []
        for i, body in enumerate(self.objs, 1):
            offs.append(len(out))
            out += f"{i} 0 obj\n".encode() + (body if isinstance(body, bytes) else body.encode()) + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(self.objs) + 1}\n0000000000 65535 f \n".encode()
        out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offs)
        out += f"trailer\n<< /Size {len(self.objs) + 1} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
        Path(path).write_bytes(out)


def cw(ch, size):
    """Advance of a character in the unembedded font: CJK full width, ASCII half."""
    return size * (0.5 if ord(ch) < 0x80 else 1.0)


def wrap_text(text, width, size):
    lines, cur, w = [], "", 0.0
    for ch in text:
        if ch == "\n":
            lines.append(cur)
            cur, w = "", 0.0
            continue
        if w + cw(ch, size) > width and cur:
            lines.append(cur)
            cur, w = "", 0.0
        cur += ch
        w += cw(ch, size)
    lines.append(cur)
    return lines


class Gbk:
    """Lays out the report on A4 pages, WPS style, and writes it."""

    W, H, M = 595.3, 841.9, 56.0

    def __init__(self, cmap):
        self.cmap = cmap
        self.pages = []
        self.ops = []
        self.y = self.M
        self.new_page()

    def new_page(self):
        if self.ops:
            self.pages.append(self.ops)
        self.ops = []
        self.y = self.M

    def code(self, ch):
        if self.cmap == "GBK-EUC-H":
            return ch.encode("gbk")
        return ch.encode("utf-16-be")

    def glyphs(self, text, x, y_top, size):
        """One BT/Tm/Tj per glyph, as WPS writes them; y_top is the line's top."""
        base = self.H - (y_top + size * 0.88)
        for ch in text:
            if ch != " ":
                hexs = self.code(ch).hex()
                self.ops.append(f"BT /F1 {size:g} Tf 1 0 0 1 {x:.2f} {base:.2f} Tm <{hexs}> Tj ET")
            x += cw(ch, size)

    def para(self, text, size=10.5, indent=2, center=False):
        width = self.W - 2 * self.M
        lines = wrap_text("\u3000" * indent + text if not center else text, width, size)
        for line in lines:
            if self.y + size * 1.6 > self.H - self.M:
                self.new_page()
            lw = sum(cw(c, size) for c in line)
            x = self.M + ((width - lw) / 2 if center else 0)
            self.glyphs(line.replace("\u3000", " "), x, self.y, size)
            self.y += size * 1.6

    def table(self, rows, widths, size=9.0, repeat=0):
        """rows: [(kind, [(text, colspan, rowspan, cls)])]; repeat: header rows to repeat after a page break."""
        ncol = len(widths)
        total = self.W - 2 * self.M
        xs = [self.M]
        for w in widths:
            xs.append(xs[-1] + total * w / sum(widths))
        # Place cells on the grid.
        occupied = {}
        placed = []  # (row, col, colspan, rowspan, text, cls)
        for r, (_kind, cells) in enumerate(rows):
            c = 0
            for cell in cells:
                text, cs, rs, cls = cell
                while occupied.get((r, c)):
                    c += 1
                for dr in range(rs):
                    for dc in range(cs):
                        occupied[(r + dr, c + dc)] = True
                placed.append((r, c, cs, rs, text, cls))
                c += cs
        pad = 2.5
        line_h = size * 1.35
        heights = [line_h + 2 * pad] * len(rows)
        for r, c, cs, rs, text, cls in placed:
            if rs == 1:
                lines = wrap_text(text, xs[c + cs] - xs[c] - 2 * pad, size)
                heights[r] = max(heights[r], len(lines) * line_h + 2 * pad)
        # Rows spanned by a merged cell stay on one page.
        bound = list(range(len(rows)))
        for r, c, cs, rs, text, cls in placed:
            for k in range(r, r + rs):
                bound[k] = max(bound[k], r + rs - 1)
        tops = {}
        r = 0
        while r < len(rows):
            end = r
            while max(bound[r:end + 1]) > end:
                end = max(bound[r:end + 1])
            block = sum(heights[r:end + 1])
            if self.y + block > self.H - self.M:
                self.new_page()
                if repeat and r >= repeat:
                    self.draw_rows(placed, list(range(repeat)), heights, xs, size, pad, line_h, {})
            for k in range(r, end + 1):
                tops[k] = self.y
                self.y += heights[k]
            self.draw_rows(placed, list(range(r, end + 1)), heights, xs, size, pad, line_h, tops)
            r = end + 1
        self.y += 8

    def draw_rows(self, placed, rows, heights, xs, size, pad, line_h, tops):
        if not tops:  # a repeated header: lay it out at the current y
            for k in rows:
                tops[k] = self.y
                self.y += heights[k]
        for r, c, cs, rs, text, cls in placed:
            if r not in rows:
                continue
            x0, x1 = xs[c], xs[c + cs]
            y0 = tops[r]
            y1 = y0 + sum(heights[r:r + rs])
            X0, X1, Y0, Y1 = x0, x1, self.H - y1, self.H - y0
            # Clip to the cell, as WPS does for every cell; shade header cells.
            self.ops.append(f"q {X0:.2f} {Y0:.2f} {X1 - X0:.2f} {Y1 - Y0:.2f} re W n")
            if cls == "head":
                self.ops.append(f"0.85 g {X0:.2f} {Y0:.2f} {X1 - X0:.2f} {Y1 - Y0:.2f} re f* 0 g")
            lines = wrap_text(text, x1 - x0 - 2 * pad, size)
            ty = y0 + (y1 - y0 - len(lines) * line_h) / 2 + (line_h - size) / 2
            for line in lines:
                lw = sum(cw(ch, size) for ch in line)
                self.glyphs(line, x0 + (x1 - x0 - lw) / 2, ty, size)
                ty += line_h
            self.ops.append("Q")
            self.ops.append(f"0.5 w 0 G {X0:.2f} {Y1:.2f} m {X1:.2f} {Y1:.2f} l S {X0:.2f} {Y0:.2f} m {X1:.2f} {Y0:.2f} l S "
                            f"{X0:.2f} {Y0:.2f} m {X0:.2f} {Y1:.2f} l S {X1:.2f} {Y0:.2f} m {X1:.2f} {Y1:.2f} l S")

    def save(self, path):
        self.new_page()
        w = PdfWriter()
        ordering = "GB1"
        desc = w.add(f"<< /Type /FontDescriptor /FontName /SimSun /Flags 6 /FontBBox [-8 -145 1000 859] "
                     f"/ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 683 /StemV 80 >>")
        cid = w.add(f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) "
                    f"/Ordering ({ordering}) /Supplement 2 >> /FontDescriptor {desc} 0 R /DW 1000 /W [1 95 500] >>")
        font = w.add(f"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /{self.cmap} "
                     f"/DescendantFonts [{cid} 0 R] >>")
        pages_id = len(w.objs) + 2 * len(self.pages) + 1
        kids = []
        for ops in self.pages:
            content = w.stream("\n".join(ops).encode())
            kids.append(w.add(f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {self.W} {self.H}] "
                              f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {content} 0 R >>"))
        assert len(w.objs) + 1 == pages_id
        w.add(f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>")
        root = w.add(f"<< /Type /Catalog /Pages {pages_id} 0 R >>")
        w.write(path, root)


def gbk_report(rep, path, cmap, repeat):
    doc = Gbk(cmap)
    tables = iter(["s2", "s3", "s4"])
    for it in g.build_items(rep):
        kind = it[0]
        if kind == "title":
            doc.para(it[1], size=16, indent=0, center=True)
        elif kind in ("h", "h3", "h4", "sub"):
            doc.para(it[1].replace("[bookmark: _GoBack]", ""), size=12, indent=0)
        elif kind == "p":
            for _ in range(rep.opt("paras", 1)):
                doc.para(it[1])
        elif kind == "lines":
            for x in it[1]:
                if x.strip():
                    doc.para(x, indent=0)
        elif kind == "table":
            t = next(tables)
            if t == "s2":
                rows = [(k, [(c[0], c[1], 1, "head" if k == "head" else "") for c in cells]) for k, cells in s2_rows(rep)]
                doc.table(rows, [31, 23, 23, 23])
            elif t == "s3":
                rows = [(k, [c[:3] + ("head" if k == "head" else c[3],) for c in cells]) for k, cells in s3_rows(rep)]
                doc.table(rows, [7, 9, 30] + [7.7] * 7, size=8, repeat=3 if repeat else 0)
            else:
                rows = [(k, [c[:3] + ("head" if k == "head" else c[3],) for c in cells])
                        for k, cells in s4_rows(rep, rep.opt("s4_block"))]
                doc.table(rows, [6.67] * 15 if not rep.opt("s4_block") else [12, 18, 14, 14, 14, 14, 14], size=8)
    doc.save(path)


# ---------------------------------------------------------------------------
# The samples
# ---------------------------------------------------------------------------

SPACER = '<p style="height:%s"></p>'

SPECS = [
    dict(n=1, paras=5, producer="lo", via="docx", ed="2019", year=2020, org="杭州市西湖区北山街道办事处", short="北山街道",
         self="我街道", kind="street", size="small", amount="wan", font="Noto Sans CJK SC", repeat=True,
         spacer=("s2", SPACER % "60mm")),
    dict(n=2, paras=4, producer="lo", via="odt", ed="2021", year=2022, org="广州市天河区人民政府办公室", short="天河区政府办公室",
         self="我办", kind="district", size="medium", font="Noto Serif CJK SC", blank_cells=3, s4_missing=1,
         s4_block=True, s2_missing=[("s2.rules.repealed", "blank")], repeat=False, spacer=("s2", SPACER % "20mm")),
    dict(n=3, paras=5, producer="chromium", ed="2021", year=2023, org="厦门市思明区市场监督管理局", short="区市场监管局",
         self="我局", kind="bureau", size="big", font="WenQuanYi Zen Hei", vertical=True, repeat=True,
         thousands=False, spacer=("s2", SPACER % "40mm")),
    dict(n=4, paras=7, producer="chromium", ed="2019", year=2020, org="合肥市包河区人民政府办公室", short="包河区政府办公室",
         self="我办", kind="district", size="medium", font="WenQuanYi Zen Hei", table_font="Noto Sans CJK SC",
         amount="bare_header", blank_zeros=0.4,
         s4_block=True, repeat=False, spacer=("s2", SPACER % "10mm")),
    dict(n=5, paras=7, producer="gbk", cmap="GBK-EUC-H", ed="2021", year=2024, org="信阳市浉河区五星街道办事处",
         short="五星街道", self="我街道", kind="street", size="small", blank_cells=2, repeat=True),
    dict(n=6, paras=7, producer="gbk", cmap="UniGB-UCS2-H", ed="2019", year=2020, org="南昌市青山湖区湖坊镇人民政府",
         short="湖坊镇", self="我镇", kind="town", size="small", amount="wan", s4_block=True, repeat=False),
]


def fonts_of(path):
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def make(spec):
    s = dict(spec, style="cells")
    rep = g.Report(s)
    truth = g.compute_truth(rep)
    stem = f"pdf_{rep.n:02d}_{spec['producer']}_{rep.ed}"
    pdf = OUT / f"{stem}.pdf"
    if spec["producer"] == "gbk":
        gbk_report(rep, pdf, spec["cmap"], spec.get("repeat"))
    else:
        html = report_html(rep, spec)
        if spec["producer"] == "chromium":
            chromium(html, pdf)
        else:
            libreoffice(html, pdf, spec["via"])
    if pdf.stat().st_size >= MAX_BYTES:
        # Type 3 glyph outlines are large: pack objects into compressed object
        # streams (qpdf rewrites the file; the content streams stay Chromium's).
        packed = pdf.with_suffix(".packed.pdf")
        subprocess.run(["qpdf", "--object-streams=generate", "--compress-streams=y", "--recompress-flate",
                        "--compression-level=9", str(pdf), str(packed)], check=True)
        packed.replace(pdf)
    fonts = fonts_of(pdf)
    if spec["producer"] == "gbk":
        assert spec["cmap"] in fonts, fonts
    if spec["producer"] == "chromium" and "Noto" in spec.get("table_font", spec["font"]):
        assert "Type 3" in fonts, fonts
    size = pdf.stat().st_size
    assert size < MAX_BYTES, f"{pdf}: {size} bytes"
    doc = {"edition": rep.ed, "year": rep.year, "organization": rep.org, "values": truth}
    (OUT / f"{stem}.truth.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return stem, size, rep


def make_broken(good):
    """Bad PDFs from a good one (and one image-only page)."""
    BROKEN.mkdir(parents=True, exist_ok=True)
    data = good.read_bytes()
    (BROKEN / "truncated.pdf").write_bytes(data[: len(data) // 2])
    corrupt = bytearray(data)
    # Damage every object header and the xref: the file still looks like a PDF.
    corrupt = bytes(corrupt).replace(b" 0 obj", b" 0 xbj").replace(b"xref", b"xrex").replace(b"startxref", b"startxrex")
    (BROKEN / "corrupt.pdf").write_bytes(corrupt)
    subprocess.run(["qpdf", "--encrypt", "secret", "owner", "256", "--", str(good), str(BROKEN / "encrypted_user_password.pdf")], check=True)
    subprocess.run(["qpdf", "--encrypt", "", "owner", "256", "--", str(good), str(BROKEN / "encrypted_owner_only.pdf")], check=True)
    w = PdfWriter()
    w.add("<< /Type /Pages /Kids [] /Count 0 >>")
    w.write(BROKEN / "zero_pages.pdf", w.add("<< /Type /Catalog /Pages 1 0 R >>"))
    # A scanned page: one gray image and no text.
    w = PdfWriter()
    px = bytes(range(256)) * 64
    img = w.stream(px, "/Type /XObject /Subtype /Image /Width 128 /Height 128 /ColorSpace /DeviceGray /BitsPerComponent 8 ")
    content = w.stream(b"q 500 0 0 700 40 70 cm /Im1 Do Q")
    w.add(f"<< /Type /Page /Parent 4 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 {img} 0 R >> >> /Contents {content} 0 R >>")
    w.add("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    w.write(BROKEN / "image_only.pdf", w.add("<< /Type /Catalog /Pages 4 0 R >>"))
    # Encrypted like encrypted_owner_only.pdf, but a scan: refused the same.
    subprocess.run(["qpdf", "--encrypt", "", "owner", "256", "--", str(BROKEN / "image_only.pdf"), str(BROKEN / "encrypted_owner_only_scan.pdf")], check=True)


def main():
    install_producers()
    OUT.mkdir(parents=True, exist_ok=True)
    only = set(sys.argv[1:])
    for spec in SPECS:
        if only and str(spec["n"]) not in only:
            continue
        stem, size, rep = make(spec)
        print(f"{stem}: {size} bytes")
    make_broken(OUT / "pdf_05_gbk_2021.pdf")


if __name__ == "__main__":
    main()
